"""Helpers shared by the link-checker tests (fixtures are in conftest.py):
the loopback addresses the servers use, throw-away projects
(pyproject.toml + readings/) and `readlist check-links` run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLAIN = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.6", "127.0.0.7"]
TLS_GOOD, TLS_BAD = "127.0.0.4", "127.0.0.5"


ENTRY = """title: {title}
url: {url}  # the link under test
topic: testing
tier: 1
summary: An entry made by the link checker tests; its words do not matter here at all.
"""


def make_project(root: Path, urls: dict[str, str], config: str = "", extra: dict | None = None) -> Path:
    """A project with one entry per {name: url}; returns the readings dir."""
    (root / "readings" / "entries").mkdir(parents=True, exist_ok=True)
    (root / "readings" / "lists").mkdir(exist_ok=True)
    (root / "readings" / "topics.yaml").write_text("- id: testing\n  title: Testing\n")
    for name, url in urls.items():
        (root / "readings" / "entries" / f"{name}.yaml").write_text(ENTRY.format(title=name, url=url))
    for name, text in (extra or {}).items():
        (root / "readings" / name).write_text(text)
    if "wayback-api" not in config:  # tests never ask the real archive
        config = "archive-lookup = false\n" + config
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.readlist.links]\n' + config)
    return root / "readings"


def run_cli(project: Path, *args, hosts=None, timeout=60):
    env = dict(os.environ)
    env.pop("CI", None)
    if hosts is not None:
        env["SSL_CERT_FILE"] = str(hosts.ca_file)
    done = subprocess.run(
        [sys.executable, "-m", "readlist.cli", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done


def run_json(project: Path, *args, hosts=None):
    done = run_cli(project, "check-links", "readings", "--format", "json", *args, hosts=hosts)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    return done, report, {r["url"]: r for r in report["results"]}
