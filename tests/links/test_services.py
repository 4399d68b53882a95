"""The services around the check, against loopback stand-ins: the Wayback
Machine's availability API (report and --fix), the GitHub REST API (with the
token checked), and a host that flaps between runs (proxies: test_proxy.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .helpers import make_project, run_cli, run_json

A, B = "127.0.0.1", "127.0.0.2"
ALLOW = ("--allow-private", "127.0.0.0/8")


def _wayback(hosts) -> str:
    return f'wayback-api = "http://{B}:{hosts.ports[B]}/wayback/available"\n'


def test_broken_links_get_their_closest_snapshot_and_fix_writes_archived(hosts, tmp_path):
    broken, fine = hosts.url(A, "/404?wayback"), hosts.url(A, "/ok?wayback")
    make_project(tmp_path, {"broken": broken, "fine": fine}, _wayback(hosts))
    path = tmp_path / "readings" / "entries" / "broken.yaml"
    path.write_text(path.read_text() + "# a closing comment\n")
    before = path.read_text()
    done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", *ALLOW)
    snapshot = f"http://web.archive.org/web/20200101000000/{broken}"
    assert by_url[broken]["outcome"] == "broken" and by_url[broken]["archived"] == snapshot
    assert by_url[fine]["archived"] is None
    assert path.read_text() == before  # reporting changes nothing

    done = run_cli(tmp_path, "check-links", "--no-cache", "--retries", "0", "--fix", *ALLOW)
    assert done.returncode == 1 and f"archived: {snapshot}" in done.stdout
    after = path.read_text()
    lines = before.splitlines(keepends=True)
    expected = "".join([*lines[:2], f"archived: {snapshot}\n", *lines[2:]])
    assert after == expected  # url untouched, comments and layout kept, one line added
    # fixed once: a second --fix adds nothing (the entry has its archived copy now)
    run_cli(tmp_path, "check-links", "--no-cache", "--retries", "0", "--fix", *ALLOW)
    assert path.read_text() == expected


def test_github_urls_go_through_the_api_with_the_token(hosts, tmp_path):
    urls = {
        "repo": "https://github.com/octo/readlist",
        "issue": "https://github.com/octo/readlist/issues/1",
        "pull": "https://github.com/octo/readlist/pull/2",
        "file": "https://github.com/octo/readlist/blob/main/docs/a.md",
        "gone": "https://github.com/octo/gone",
    }
    api = f"http://{B}:{hosts.ports[B]}/ghapi"
    make_project(tmp_path, urls, f'github-api = "{api}"\n')
    os.environ["GITHUB_TOKEN"] = "test-token"
    try:
        _done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", "--allow-private", B)
    finally:
        del os.environ["GITHUB_TOKEN"]
    outcomes = {name: by_url[url]["outcome"] for name, url in urls.items()}
    assert outcomes == {"repo": "ok", "issue": "ok", "pull": "ok", "file": "ok", "gone": "broken"}
    assert by_url[urls["gone"]]["error"] == "not found on GitHub (REST API)"
    assert hosts.github_auth and set(hosts.github_auth) == {"Bearer test-token"}

    os.environ["GITHUB_TOKEN"] = "wrong"
    try:
        _, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", "--allow-private", B)
    finally:
        del os.environ["GITHUB_TOKEN"]
    assert by_url[urls["repo"]]["outcome"] == "error" and "401" in by_url[urls["repo"]]["error"]


def test_a_flapping_host_is_damped_by_the_history(hosts, tmp_path):
    """200, then 503, then 200, then 503 across runs sharing the cache: the
    streak counts checks in a row and starts again after a success, and the
    weekly issue lists the link only as a first-time failure."""
    url = hosts.url(A, "/flap-one")
    make_project(tmp_path, {"flappy": url})
    args = ("--retries", "0", "--max-age", "0s", *ALLOW)
    streaks = []
    for status in (200, 503, 503, 200, 503):
        hosts.flaps["/flap-one"] = status
        _, report, by_url = run_json(tmp_path, *args)
        streaks.append((by_url[url]["outcome"], by_url[url]["failures"], by_url[url]["failing_since"]))
        (tmp_path / f"report-{len(streaks)}.json").write_text(json.dumps(report))
    assert [s[:2] for s in streaks] == [("ok", 0), ("broken", 1), ("broken", 2), ("ok", 0), ("broken", 1)]
    assert streaks[1][2] == streaks[2][2] and streaks[4][2] > streaks[2][2]  # since the first of each run
    text = run_cli(tmp_path, "check-links", *args).stdout
    assert "failing since" in text and "(2 checks)" in text

    def body(n: int) -> str:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "readlist.cli",
                "ci",
                "link-issue",
                "--report",
                str(tmp_path / f"report-{n}.json"),
                "--body-only",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "First-time failures (1): will recheck" in body(2) and "found no broken links" in body(2)
    assert "found **1 of 1 links**" in body(3) and "will recheck" not in body(3)
    assert "First-time failures (1)" in body(5)  # a success in between starts the count again
