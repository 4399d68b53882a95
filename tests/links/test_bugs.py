"""A bug in the checker is never a link's result: an exception no client
knows ends the run loudly (the library raises it; the command prints the
traceback and exits 3, `Exit.INTERNAL`, a status no finding uses)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from readlist.errors import Exit
from readlist.links import LinkSettings, check, judge
from readlist.links.fasthead import FastHead
from readlist.links.fullclient import FullClient
from readlist.links.settings import HostRule

from .helpers import PLAIN, make_project

A = PLAIN[0]

BROKEN_CLIENT = """
import sys
from readlist.links.fasthead import FastHead

async def request(self, method, url, parts, headers=None):
    raise RuntimeError("a bug in the client")

FastHead.request = request
from readlist.cli import main
sys.exit(main())
"""


async def _raising_request(self, method, url, parts, headers=None):
    raise RuntimeError("a bug in the client")


def _raising_judge(*args, **kwargs):
    raise RuntimeError("a bug in the judge")


# Where a bug can sit on the check path: the lean HEAD client, the full
# (httpx) client that GETs, and the judging of a 2xx answer.
BUGGY = [
    pytest.param(FastHead, "request", _raising_request, "HEAD", "a bug in the client", id="lean client"),
    pytest.param(FullClient, "request", _raising_request, "GET", "a bug in the client", id="full client"),
    pytest.param(judge, "redirect_signal", _raising_judge, "HEAD", "a bug in the judge", id="judge"),
]


@pytest.mark.parametrize("owner, name, broken, method, message", BUGGY)
def test_a_part_that_raises_ends_the_library_call(hosts, monkeypatch, owner, name, broken, method, message):
    monkeypatch.setattr(owner, name, broken)
    settings = LinkSettings(allow_private=("*",), hosts={A: HostRule(method=method)})
    with pytest.raises(RuntimeError, match=message):
        check([hosts.url(A, f"/ok?bug-{name}-{method}"), hosts.url(A, f"/404?bug-{name}-{method}")], settings)


def test_a_client_that_raises_ends_the_command_with_a_traceback_and_exit_3(hosts, tmp_path):
    make_project(tmp_path, {"fine": hosts.url(A, "/ok?bug-cli"), "gone": hosts.url(A, "/404?bug-cli")})
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            BROKEN_CLIENT,
            "check-links",
            "readings",
            "--no-cache",
            "--format",
            "json",
            "--output",
            "report.json",
            "--allow-private",
            A,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == Exit.INTERNAL, done.stderr
    assert "Traceback" in done.stderr and "RuntimeError: a bug in the client" in done.stderr
    assert not (tmp_path / "report.json").exists()  # no report that reads as link results
