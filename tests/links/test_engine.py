"""The engine in process, against the real loopback servers: per-host pacing
(``interval``) and what a connection failure costs (one request, no httpx)."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import subprocess
import sys

from readlist.links.engine import Engine
from readlist.links.guard import AddressGuard, NameNotResolved
from readlist.links.settings import LinkSettings as Settings

from .helpers import make_project, run_json

A, B = "127.0.0.1", "127.0.0.2"  # (127.0.0.3 must stay uncontacted: see test_cases)
ALLOW = ("--allow-private", "127.0.0.0/8")


def _gaps(times):
    return [round(b - a, 3) for a, b in itertools.pairwise(times)]


def test_host_interval_spaces_requests_and_spares_other_hosts(hosts, tmp_path):
    """`interval` of a host rule spaces the requests to that host, the
    global default paces hosts without a rule, and a rule's interval applies
    to its host only. Lower bounds (a wait happened) and comparisons between
    the two hosts, read from the arrival times the servers recorded: a busy
    machine delays both hosts alike, so no upper bound on a clock."""
    paced = {f"a{i}": hosts.url(A, f"/ok?interval-rule={i}") for i in range(5)}
    default = {f"c{i}": hosts.url(B, f"/ok?interval-default={i}") for i in range(6)}
    make_project(
        tmp_path, {**paced, **default}, f'interval = 0.15\n[tool.readlist.links.hosts."{A}"]\ninterval = 0.4\n'
    )
    done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", *ALLOW)
    assert done.returncode == 0, done.stderr
    assert all(r["outcome"] == "ok" for r in by_url.values())

    rule = hosts.times(A, "/ok?interval-rule=")
    assert len(rule) == 5
    # Slots are 0.4 s apart; a request that leaves a little late (a busy
    # machine) shortens one gap, not the span from the first to the last.
    assert rule[-1] - rule[0] >= 4 * 0.4 - 0.05, _gaps(rule)
    assert min(_gaps(rule)) >= 0.3, _gaps(rule)

    glob = hosts.times(B, "/ok?interval-default=")
    assert len(glob) == 6
    assert glob[-1] - glob[0] >= 5 * 0.15 - 0.05, _gaps(glob)
    assert min(_gaps(glob)) >= 0.1, _gaps(glob)
    # The default host is not held to the rule's 0.4 s: its 6 requests
    # (5 x 0.15 s) are all in before A's 5 (4 x 0.4 s), which began together;
    # held to 0.4 s they would take 5 x 0.4 s, longer than A's.
    assert glob[-1] < rule[-1], (_gaps(glob), _gaps(rule))


def test_a_paced_host_does_not_slow_the_others(hosts, tmp_path):
    paced = {f"p{i}": hosts.url(A, f"/ok?slow-host={i}") for i in range(4)}
    free = {f"f{i:02d}": hosts.url(B, f"/ok?free-host={i}") for i in range(30)}
    make_project(tmp_path, {**paced, **free}, f'[tool.readlist.links.hosts."{A}"]\ninterval = 0.5\n')
    # One slot per request in flight: a paced URL asleep must not hold a slot
    # the free host needs (see Engine._spawn).
    done, _, _ = run_json(tmp_path, "--no-cache", "--retries", "0", "--concurrency", "2", *ALLOW)
    assert done.returncode == 0, done.stderr
    slow, fast = hosts.times(A, "/ok?slow-host="), hosts.times(B, "/ok?free-host=")
    assert len(slow) == 4 and len(fast) == 30
    assert slow[-1] - slow[0] >= 3 * 0.5 - 0.05 and min(_gaps(slow)) >= 0.4, _gaps(slow)
    # all 30 while A waits out its 1.5 s: were the sleeping paced URLs holding
    # the 2 slots, B's requests would come after A's last
    assert fast[-1] < slow[-1], (fast[-1] - fast[0], _gaps(slow))


def _engine() -> Engine:
    return Engine(Settings(allow_private=["*"], retries=1, backoff=0.05, timeout=2))


def test_connection_failures_never_reach_httpx(hosts):
    """Refused and reset end on the lean client: the full client is not even
    imported (before, httpx asked the server once more after each failed HEAD)."""
    with socket.socket() as s:
        s.bind((A, 0))
        closed = s.getsockname()[1]
    refused, reset = f"http://{A}:{closed}/ok", hosts.url(A, "/reset?engine")
    engine = _engine()
    results = asyncio.run(engine.run([refused, reset]))
    assert engine.full is None  # the full client never asked
    assert results[refused].outcome == "error" and results[refused].attempts == 2
    assert results[reset].outcome == "error" and results[reset].attempts == 2
    assert len(hosts.times(A, "/reset?engine")) == 2  # one request per attempt


def test_a_name_is_resolved_once_per_run_even_when_it_fails():
    """Many URLs of one host share one lookup; a failed lookup is remembered
    (without a network each lookup can wait out the resolver's timeout)."""
    guard = AddressGuard(Settings())
    calls = []

    async def main():
        loop = asyncio.get_running_loop()
        real = loop.getaddrinfo

        async def counted(*args, **kwargs):
            calls.append(args[0])
            return await real(*args, **kwargs)

        loop.getaddrinfo = counted
        outcomes = await asyncio.gather(
            *(guard.resolve("no-such-host.invalid", 443) for _ in range(20)), return_exceptions=True
        )
        again = await asyncio.gather(guard.resolve("no-such-host.invalid", 443), return_exceptions=True)
        local = await asyncio.gather(*(guard.resolve("localhost", 80) for _ in range(5)))
        return outcomes + again, local

    failed, local = asyncio.run(main())
    assert all(isinstance(o, NameNotResolved) and "DNS" in str(o) for o in failed)
    assert calls == ["no-such-host.invalid", "localhost"]
    assert all(addresses == local[0] for addresses in local)


def test_the_full_client_is_made_once_for_requests_that_need_it_together(hosts):
    """HEAD refused (405) means GET, which only the full client sends: the
    first requests to need it arrive together and share one import and one
    client, and each gets its own answer."""
    urls = [hosts.url(A, f"/head405?together={i}") for i in range(12)]
    engine = _engine()
    results = asyncio.run(engine.run(urls))
    assert engine.full is not None
    assert {r.outcome for r in results.values()} == {"ok"}, results
    assert hosts.count("/head405", "GET") >= 12


def test_a_run_the_lean_client_serves_never_imports_httpx(hosts, tmp_path):
    """What keeps a plain run's start short: `check-links` on links that all
    answer a HEAD with 200 never imports httpx, httpcore, h2, ruamel.yaml or
    rich (about 0.25 s of a 4 s check). Python's own import log (-X
    importtime) names every module the run imported."""
    make_project(tmp_path, {"a": hosts.url(A, "/ok?lean=1"), "b": hosts.url(B, "/ok?lean=2")})
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "readlist.cli",
            "check-links",
            "readings",
            "--no-cache",
            "--format",
            "json",
            *ALLOW,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert [r["outcome"] for r in json.loads(done.stdout)["results"]] == ["ok", "ok"]
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "readlist.links.fasthead" in imported  # the log is complete, not empty
    heavy = {"httpx", "httpcore", "h2", "ruamel.yaml", "rich"} & imported
    assert not heavy, heavy
