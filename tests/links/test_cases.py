"""Every case of the issue against real servers, checked in one run of the CLI.

Settings for the run: --timeout 1 --retries 2, backoff 0.1 s (doubling), so a
URL that always fails is tried 3 times."""

from __future__ import annotations

import time

import pytest

from .conftest import TLS_BAD, TLS_GOOD, make_project, run_json

A, B = "127.0.0.1", "127.0.0.2"
C = "127.0.0.6"  # the hosts that ask to slow down: their pace is cut, A's is not

# name -> (host, path, outcome, attempts, min elapsed s, max elapsed s on an idle machine)
# The attempt counts pin down retries exactly; the upper bounds get LOAD_SLACK on
# top so that a busy CI machine (two test workers, a browser) does not fail them.
LOAD_SLACK = 1.0
CASES = {
    "ok": (A, "/ok", "ok", 1, 0, 0.5),
    "not-found": (A, "/404", "broken", 1, 0, 0.5),
    "gone": (A, "/410", "broken", 1, 0, 0.5),
    "server-error": (A, "/500", "broken", 3, 0.2, 1.5),
    "flaky": (C, "/flaky503", "ok", 2, 0.08, 1.0),
    "rate-limited": (C, "/ratelimited", "ok", 2, 1.0, 2.0),
    "always-429": (C, "/always429", "blocked", 3, 0.0, 1.5),
    "head-405": (A, "/head405", "ok", 1, 0, 0.5),
    "head-403": (A, "/head403", "ok", 1, 0, 0.5),
    "moved-301": (A, "/moved301", "redirected", 1, 0, 0.5),
    "moved-308": (A, "/moved308", "redirected", 1, 0, 0.5),
    "temporary-302": (A, "/temp302", "ok", 1, 0, 0.5),
    "chain": (A, "/chain1", "redirected", 1, 0, 0.5),
    "temporary-then-permanent": (A, "/mixed1", "ok", 1, 0, 0.5),
    "redirect-loop": (A, "/loop-a", "error", 1, 0, 0.5),
    "too-many-redirects": (A, "/many/0", "error", 1, 0, 1.0),
    "redirect-to-broken": (A, "/to-broken", "broken", 1, 0, 0.5),
    "redirect-to-private": (A, "/to-private", "error", 1, 0, 0.5),
    "login-wall": (A, "/to-login", "blocked", 1, 0, 0.5),
    "wall-401": (A, "/401", "blocked", 1, 0, 0.5),
    "wall-403": (A, "/403", "blocked", 1, 0, 0.5),
    "linkedin-999": (A, "/999", "blocked", 1, 0, 0.5),
    "soft-404-redirect": (A, "/soft404", "broken", 1, 0, 0.5),
    "soft-404-body": (B, "/soft404-body", "broken", 1, 0, 0.5),
    "accepted-by-rule": (B, "/410", "ok", 1, 0, 0.5),
    "connection-reset": (A, "/reset", "error", 3, 0.2, 1.5),
    "closed-without-answer": (A, "/close", "error", 3, 0.2, 1.5),
    "garbage": (A, "/garbage", "error", 1, 0, 0.5),
    "never-answers": (A, "/hang", "timeout", 3, 3.0, 4.5),
    "slow-body": (A, "/trickle", "timeout", 3, 3.0, 4.5),
    "huge-body": (A, "/huge", "ok", 1, 0, 1.0),
    "tls-ok": (TLS_GOOD, "/ok", "ok", 1, 0, 0.5),
    "tls-wrong-name": (TLS_BAD, "/ok", "error", 1, 0, 0.5),
    "private-not-allowed": ("127.0.0.3", "/ok", "skipped", 1, 0, 0.5),
}
EXTERNAL = {  # checked through canonical probes served by host B
    "youtube-ok": ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "ok"),
    "youtube-deleted": ("https://youtu.be/AAAAAAAAAAA", "broken"),
    "doi-ok": ("https://doi.org/10.1234/real", "ok"),
    "doi-unknown": ("https://doi.org/10.1234/gone", "broken"),
    "arxiv-pdf": ("https://arxiv.org/pdf/1706.03762v5.pdf", "ok"),
}


@pytest.fixture(scope="module")
def run(hosts, tmp_path_factory):
    root = tmp_path_factory.mktemp("cases")
    urls = {}
    for name, (host, path, *_rest) in CASES.items():
        scheme = "https" if host in (TLS_GOOD, TLS_BAD) else "http"
        urls[name] = hosts.url(host, path, scheme)
    urls["refused"] = f"http://127.0.0.1:{_closed_port()}/ok"
    urls["excluded"] = hosts.url(A, "/ok?excluded-by-flag")
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
    hits_before = dict(hosts.hits)
    allowed = [a for h in ("127.0.0.1", B, C, TLS_GOOD, TLS_BAD) for a in ("--allow-private", h)]
    started = time.monotonic()
    done, report, by_url = run_json(
        root, "--no-cache", "--timeout", "1", "--retries", "2",
        "--exclude", "excluded-by-flag", *allowed, hosts=hosts)
    wall = time.monotonic() - started
    return {"urls": urls, "done": done, "report": report, "by_url": by_url, "wall": wall,
            "before": hits_before, "root": root}


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(run, name):
    _host, _path, outcome, attempts, low, high = CASES[name]
    result = run["by_url"][run["urls"][name]]
    assert result["outcome"] == outcome, result
    assert result["attempts"] == attempts, result
    assert low * 1000 <= result["elapsed_ms"] <= (high + LOAD_SLACK) * 1000, result


def test_whole_run_is_concurrent_and_fails(run):
    assert run["done"].returncode == 1
    assert run["wall"] < 8 + LOAD_SLACK, run["wall"]
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
    assert hosts.count("/ok") and not any(h == "127.0.0.3" for (h, _, _) in hosts.hits)


def test_head_first_then_get(run, hosts):
    assert hosts.count("/head405", "HEAD") == 1 and hosts.count("/head405", "GET") == 1
    assert hosts.count("/ok", "GET") == 0  # a HEAD answered
    assert hosts.hits[(A, "HEAD", "/410")] == 1 and hosts.hits[(A, "GET", "/410")] == 1  # not retried


def test_body_cap_and_slow_body(run, hosts):
    assert hosts.sent["/huge"] < 8 * 1024 * 1024  # of 100 MiB offered
    assert hosts.sent["/trickle"] <= 3 * 6  # one byte per 0.2 s, 1 s per attempt


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
        requests = sum(1 for _, host, target in list(hosts.arrivals) if host == A and target == path)
        assert requests == result["attempts"] == 3, (name, requests, result)
        assert hosts.hits[(A, "GET", path)] == 0
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
