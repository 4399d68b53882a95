"""The services around the check, against loopback stand-ins: the Wayback
Machine's availability API (report and --fix), the GitHub REST API (with the
token checked), and a forward proxy from HTTP_PROXY/NO_PROXY."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading

import pytest

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


class _Proxy:
    """A forward HTTP proxy on loopback: absolute-form requests are passed
    on to their host with Connection: close, and recorded."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(5)

    async def _serve(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            first, *rest = head.decode("latin-1").split("\r\n")
            method, target, version = first.split(" ")
            self.seen.append(target)
            hostport, _, path = target.removeprefix("http://").partition("/")
            host, _, port = hostport.partition(":")
            up_reader, up_writer = await asyncio.open_connection(host, int(port or 80))
            headers = [h for h in rest if h and not h.lower().startswith(("connection:", "proxy-"))]
            up_writer.write((f"{method} /{path} {version}\r\n" + "\r\n".join(headers)
                             + "\r\nConnection: close\r\n\r\n").encode("latin-1"))
            while data := await up_reader.read(65536):
                writer.write(data)
            up_writer.close()
        finally:
            writer.close()

    def close(self) -> None:
        async def stop():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def proxy():
    running = _Proxy()
    yield running
    running.close()


def test_requests_go_through_the_proxy_the_environment_names(hosts, tmp_path, proxy):
    via, direct = hosts.url(A, "/ok?via-proxy"), hosts.url(B, "/ok?no-proxy")
    broken = hosts.url(A, "/404?via-proxy")
    make_project(tmp_path, {"via": via, "direct": direct, "broken": broken})
    env = {"HTTP_PROXY": f"http://127.0.0.1:{proxy.port}", "NO_PROXY": B}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        _done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", *ALLOW)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert by_url[via]["outcome"] == "ok" and by_url[direct]["outcome"] == "ok"
    assert by_url[broken]["outcome"] == "broken"
    assert via in proxy.seen and broken in proxy.seen  # HEAD and GET alike, through the proxy
    assert direct not in proxy.seen  # NO_PROXY


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
        return subprocess.run([sys.executable, "-m", "readlist.cli", "ci", "link-issue", "--report",
                               str(tmp_path / f"report-{n}.json"), "--body-only"],
                              capture_output=True, text=True, check=True).stdout

    assert "First-time failures (1): will recheck" in body(2) and "found no broken links" in body(2)
    assert "found **1 of 1 links**" in body(3) and "will recheck" not in body(3)
    assert "First-time failures (1)" in body(5)  # a success in between starts the count again
