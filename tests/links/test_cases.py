"""Every case of the issue against real servers, checked in two runs of the CLI.

The main run: --retries 2, backoff 0.1 s (doubling), so a URL that always
fails is tried 3 times, and a generous --timeout, so that no answer of a
busy machine (two test workers, a browser) turns into a timeout. The
timeout run: the two cases where the timeout is what is under test, with
--timeout 1. Nothing here bounds a wall-clock time from above: what the
checker did is read from what the servers saw (attempts, requests held at
once); lower bounds prove that a wait happened (backoff, Retry-After)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from .helpers import TLS_BAD, TLS_GOOD, make_project, run_json

A, B = "127.0.0.1", "127.0.0.2"
C = "127.0.0.6"  # the hosts that ask to slow down: their pace is cut, A's is not

# name -> (host, path, outcome, attempts, min elapsed s)
CASES = {
    "ok": (A, "/ok", "ok", 1, 0),
    "not-found": (A, "/404", "broken", 1, 0),
    "gone": (A, "/410", "broken", 1, 0),
    "server-error": (A, "/500", "broken", 3, 0.2),
    "flaky": (C, "/flaky503", "ok", 2, 0.08),
    "rate-limited": (C, "/ratelimited", "ok", 2, 1.0),
    "always-429": (C, "/always429", "blocked", 5, 0.0),  # a refusal gets twice the retries
    "head-405": (A, "/head405", "ok", 1, 0),
    "head-403": (A, "/head403", "ok", 1, 0),
    "moved-301": (A, "/moved301", "redirected", 1, 0),
    "moved-308": (A, "/moved308", "redirected", 1, 0),
    "temporary-302": (A, "/temp302", "ok", 1, 0),
    "chain": (A, "/chain1", "redirected", 1, 0),
    "temporary-then-permanent": (A, "/mixed1", "ok", 1, 0),
    "redirect-loop": (A, "/loop-a", "error", 1, 0),
    "too-many-redirects": (A, "/many/0", "error", 1, 0),
    "redirect-to-broken": (A, "/to-broken", "broken", 1, 0),
    "redirect-to-private": (A, "/to-private", "error", 1, 0),
    "login-wall": (A, "/to-login", "blocked", 1, 0),
    "wall-401": (A, "/401", "blocked", 1, 0),
    "wall-403": (A, "/403", "blocked", 1, 0),
    "linkedin-999": (A, "/999", "blocked", 1, 0),
    "soft-404-redirect": (A, "/soft404", "broken", 1, 0),
    "soft-404-body": (B, "/soft404-body", "broken", 1, 0),
    "accepted-by-rule": (B, "/410", "ok", 1, 0),
    "connection-reset": (A, "/reset", "error", 3, 0.2),
    "closed-without-answer": (A, "/close", "error", 3, 0.2),
    "garbage": (A, "/garbage", "error", 1, 0),
    "huge-body": (A, "/huge", "ok", 1, 0),
    "tls-ok": (TLS_GOOD, "/ok", "ok", 1, 0),
    "tls-wrong-name": (TLS_BAD, "/ok", "error", 1, 0),
    "private-not-allowed": ("127.0.0.3", "/ok", "skipped", 1, 0),
}
# checked with --timeout 1: every attempt waits out the timeout (on the
# request named last: /trickle refuses the HEAD, then trickles the GET's body)
TIMEOUT_CASES = {
    "never-answers": (A, "/hang", "timeout", 3, 3.0, "HEAD"),
    "slow-body": (A, "/trickle", "timeout", 3, 3.0, "GET"),
}
MARK = "?case=timeouts"  # the timeout run's own targets: its requests are counted whenever they arrive
TOGETHER = 6  # URLs on host B the server holds until all are in flight at once
EXTERNAL = {  # checked through canonical probes served by host B
    "youtube-ok": ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "ok"),
    "youtube-deleted": ("https://youtu.be/AAAAAAAAAAA", "broken"),
    "doi-ok": ("https://doi.org/10.1234/real", "ok"),
    "doi-unknown": ("https://doi.org/10.1234/gone", "broken"),
    "arxiv-pdf": ("https://arxiv.org/pdf/1706.03762v5.pdf", "ok"),
}


ALLOWED = [a for h in ("127.0.0.1", B, C, TLS_GOOD, TLS_BAD) for a in ("--allow-private", h)]


@pytest.fixture(scope="module")
def run(hosts, tmp_path_factory):
    root = tmp_path_factory.mktemp("cases")
    urls = {}
    for name, (host, path, *_rest) in CASES.items():
        scheme = "https" if host in (TLS_GOOD, TLS_BAD) else "http"
        urls[name] = hosts.url(host, path, scheme)
    urls["refused"] = f"http://127.0.0.1:{_closed_port()}/ok"
    urls["excluded"] = hosts.url(A, "/ok?excluded-by-flag")
    for i in range(TOGETHER):
        urls[f"together-{i}"] = hosts.url(B, f"/together?group=cases&n={TOGETHER}&i={i}")
    for name, (url, _) in EXTERNAL.items():
        urls[name] = url
    b = f"http://{B}:{hosts.ports[B]}"
    config = (
        "backoff = 0.1\n"
        f'youtube-oembed = "{b}/oembed"\n'
        f'doi-api = "{b}/handles/"\n'
        f'arxiv-abs = "{b}/arxiv/"\n'
        f'[tool.readlist.links.hosts."{B}"]\n'
        'method = "GET"\naccept = [410]\n'
    )
    # the same URL cited by a list too: reported at both places
    lists = {"lists/cited.yaml": f"title: Cited\nsource:\n  title: s\n  url: {urls['ok']}\nsections: []\n"}
    make_project(root, urls, config, lists)
    (done, report, by_url), seen = _seen_during(
        hosts,
        lambda: run_json(
            root,
            "--no-cache",
            "--timeout",
            "30",
            "--retries",
            "2",
            "--exclude",
            "excluded-by-flag",
            *ALLOWED,
            hosts=hosts,
        ),
    )
    return {"urls": urls, "done": done, "report": report, "by_url": by_url, "root": root, **seen}


@pytest.fixture(scope="module")
def timeouts(hosts, tmp_path_factory):
    root = tmp_path_factory.mktemp("timeouts")
    urls = {name: hosts.url(host, path + MARK) for name, (host, path, *_rest) in TIMEOUT_CASES.items()}
    make_project(root, urls, "backoff = 0.1\n")
    done, _report, by_url = run_json(root, "--no-cache", "--timeout", "1", "--retries", "2", *ALLOWED)
    return {"urls": urls, "done": done, "by_url": by_url}


def _seen_during(hosts, command: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """What the servers saw while `command` ran, and only then: the servers
    live for the whole session, so other tests' requests (before, or after
    on the same worker) must not count as this run's."""
    hits, arrived = Counter(hosts.hits), len(hosts.arrivals)
    done = command()
    return done, {"hits": Counter(hosts.hits) - hits, "arrivals": list(hosts.arrivals)[arrived:]}


def _count(seen: dict[str, Any], path: str, method: str | None = None) -> int:
    """Requests for `path` (any host) during one run, of `method` or any."""
    return sum(n for (_host, m, p), n in seen["hits"].items() if p == path and method in (None, m))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(run, name):
    _host, _path, outcome, attempts, low = CASES[name]
    result = run["by_url"][run["urls"][name]]
    assert result["outcome"] == outcome, result
    assert result["attempts"] == attempts, result
    assert result["elapsed_ms"] >= low * 1000, result


@pytest.mark.parametrize("name", sorted(TIMEOUT_CASES))
def test_timeout_case(timeouts, hosts, name):
    _host, path, outcome, attempts, low, method = TIMEOUT_CASES[name]
    result = timeouts["by_url"][timeouts["urls"][name]]
    assert result["outcome"] == outcome and result["error"], result
    assert result["attempts"] == attempts, result
    assert result["elapsed_ms"] >= low * 1000, result  # three attempts, each waited out
    # one timed-out request per attempt, counted by target: a request the
    # checker gave up on may reach a busy server after the run has ended
    assert hosts.targets[(A, method, path + MARK)] == attempts


def test_whole_run_is_concurrent_and_fails(run, hosts):
    assert run["done"].returncode == 1
    # The server holds each /together request until all of them are in
    # flight at once: a checker that sent them one by one would see 1 here.
    assert hosts.peak("cases") == TOGETHER
    assert all(run["by_url"][run["urls"][f"together-{i}"]]["outcome"] == "ok" for i in range(TOGETHER))
    summary = run["report"]["summary"]
    assert summary["total"] == len(run["urls"]) and summary["failed"] > 0


def test_redirect_suggestions(run, hosts):
    get = lambda name: run["by_url"][run["urls"][name]]  # noqa: E731
    assert get("moved-301")["suggestion"] == hosts.url(A, "/ok")
    assert get("moved-301")["status"] == 200
    assert get("moved-308")["suggestion"] == hosts.url(A, "/ok")
    assert get("chain")["suggestion"] == hosts.url(A, "/final")
    assert get("temporary-302")["suggestion"] is None
    assert get("temporary-302")["final_url"] == hosts.url(A, "/ok")
    assert get("temporary-then-permanent")["suggestion"] is None
    assert "loop" in get("redirect-loop")["error"]
    assert "too many redirects" in get("too-many-redirects")["error"]
    assert get("redirect-to-broken")["status"] == 404


def test_redirect_into_private_address_is_never_contacted(run, hosts):
    result = run["by_url"][run["urls"]["redirect-to-private"]]
    assert "refused" in result["error"] and "loopback" in result["error"]
    assert _count(run, "/ok") and not any(h == "127.0.0.3" for (h, _, _) in run["hits"])


def test_head_first_then_get(run):
    assert _count(run, "/head405", "HEAD") == 1 and _count(run, "/head405", "GET") == 1
    assert _count(run, "/ok", "GET") == 0  # a HEAD answered
    assert run["hits"][(A, "HEAD", "/410")] == 1 and run["hits"][(A, "GET", "/410")] == 1  # not retried


def test_body_cap_and_slow_body(run, timeouts, hosts):
    # Bytes the server managed to write, whenever: only these runs ask for these paths.
    assert hosts.sent["/huge"] < 8 * 1024 * 1024  # of 100 MiB offered
    assert hosts.sent["/trickle"] <= 3 * 6  # one byte per 0.2 s, 1 s per attempt: the timeout covers the body


def test_other_outcomes(run):
    get = lambda name: run["by_url"][run["urls"][name]]  # noqa: E731
    assert get("refused")["outcome"] == "error" and get("refused")["attempts"] == 3
    assert get("excluded")["outcome"] == "skipped"
    assert "TLS" in get("tls-wrong-name")["error"]
    assert get("soft-404-redirect")["error"].startswith("soft 404")
    assert get("rate-limited")["status"] == 200


def test_one_attempt_is_one_request_on_connection_failures(run, hosts):
    """A reset or a close before any answer is the attempt's outcome: the
    lean HEAD client does not hand it to httpx to ask the server again."""
    for name, path in (("connection-reset", "/reset"), ("closed-without-answer", "/close")):
        result = run["by_url"][run["urls"][name]]
        requests = sum(1 for _, host, target in run["arrivals"] if host == A and target == path)
        assert requests == result["attempts"] == 3, (name, requests, result)
        assert run["hits"][(A, "GET", path)] == 0
    assert "connection reset" in run["by_url"][run["urls"]["connection-reset"]]["error"]
    refused = run["by_url"][run["urls"]["refused"]]
    assert refused["error"] == "connection failed: Connection refused", refused
    assert run["by_url"][run["urls"]["tls-wrong-name"]]["error"].startswith("TLS: ")


@pytest.mark.parametrize("name", sorted(EXTERNAL))
def test_canonical_probes(run, name):
    url, outcome = EXTERNAL[name]
    assert run["by_url"][url]["outcome"] == outcome, run["by_url"][url]


def test_every_citation_is_reported(run):
    files = run["by_url"][run["urls"]["ok"]]["files"]
    assert {"path": "readings/entries/ok.yaml", "line": 2} in files
    assert {"path": "readings/lists/cited.yaml", "line": 4} in files
