"""The fast paths of check-links keep the answers of the plain ones: URLs
streamed to the checker while loading (including the first round, read from
the raw YAML), the lean HEAD client and its hand-off to httpx, and the JSON
report made piece by piece."""

from __future__ import annotations

import json

from readlist.links.report import json_piece, render, summarize
from readlist.links.results import Result

from .conftest import make_project, run_json

A = "127.0.0.1"
ALLOW = ("--allow-private", "127.0.0.0/8")


def test_a_file_that_fails_validation_is_not_reported(hosts, tmp_path):
    good, invalid = hosts.url(A, "/ok?stream-good"), hosts.url(A, "/ok?stream-invalid")
    make_project(tmp_path, {"a-good": good, "b-invalid": invalid})
    path = tmp_path / "readings" / "entries" / "b-invalid.yaml"
    path.write_text(path.read_text() + "no_such_field: 1\n")
    done, report, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", *ALLOW)
    assert done.returncode == 0, done.stderr
    assert "validation error" in done.stderr
    assert set(by_url) == {good} and by_url[good]["outcome"] == "ok"
    assert report["summary"]["total"] == 1


def test_urls_the_lean_client_declines_go_through_httpx(hosts, tmp_path):
    urls = {
        "non-ascii": hosts.url(A, "/ok?q=caf\u00e9"),
        "userinfo": hosts.url(A, "/ok?userinfo").replace("http://", "http://user:pw@"),
        "head-refused": hosts.url(A, "/head405?stream"),
        "many": hosts.url(A, "/ok?stream-plain"),
    }
    make_project(tmp_path, urls)
    _, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "0", *ALLOW)
    assert {name: by_url[url]["outcome"] for name, url in urls.items()} == dict.fromkeys(urls, "ok")
    assert by_url[urls["head-refused"]]["status"] == 200


def test_streamed_and_in_process_runs_agree_on_many_urls(hosts, tmp_path):
    urls = {f"u{i:03d}": hosts.url(A, f"/ok?many={i}") for i in range(150)}
    urls["z-broken"] = hosts.url(A, "/404?many")
    make_project(tmp_path, urls)
    args = ("--no-cache", "--retries", "0", "--concurrency", "16", *ALLOW)
    _, forked, _ = run_json(tmp_path, *args)
    _, threaded, _ = run_json(tmp_path, *args, "--workers", "1")
    for report in (forked, threaded):
        report["summary"].pop("elapsed_s")
        for result in report["results"]:
            del result["elapsed_ms"], result["checked_at"]
    assert forked == threaded
    assert forked["summary"]["ok"] == 150 and forked["summary"]["broken"] == 1


def test_json_report_made_in_pieces_is_byte_identical():
    results = [
        Result("https://b.example/x", "ok", status=200, final_url="https://b.example/x",
               attempts=1, elapsed_ms=12, files=[{"path": "e/b.yaml", "line": 2}], checked_at=1.5),
        Result("https://a.example/\u00e9", "broken", status=404, error='HTTP 404 "gone"\n\t\\',
               attempts=3, files=[], checked_at=1e-7),
        Result("https://c.example/", "redirected", suggestion="https://c.example/new", cached=True,
               files=[{"path": "e/c.yaml", "line": 3}, {"path": "l/x.yaml", "line": 9}]),
    ]
    for subset in (results, results[:1], []):
        ordered = sorted(subset, key=lambda r: ({"broken": 0, "redirected": 3}.get(r.outcome, 6), r.url))
        summary = summarize(ordered)
        summary["elapsed_s"] = 2.5
        expected = json.dumps({"summary": summary, "results": [r.to_json() for r in ordered]}, indent=2)
        assert render(subset, "json", 2.5) == expected
        pieces = {r.url: (r, json_piece(r)) for r in subset}
        assert render(subset, "json", 2.5, pieces) == expected


def test_a_url_backing_off_does_not_hold_up_the_others(hosts, tmp_path):
    failing = hosts.url(A, "/500?sleeper")
    oks = [hosts.url(A, f"/ok?sleeper={i}") for i in range(4)]
    make_project(tmp_path, {"a-failing": failing, **{f"b{i}": url for i, url in enumerate(oks)}},
                 "backoff = 1.0\n")
    _, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "1", "--concurrency", "1", *ALLOW)
    slow = by_url[failing]
    assert slow["outcome"] == "broken" and slow["attempts"] == 2 and slow["elapsed_ms"] >= 700
    for url in oks:  # checked while the failing one waited for its retry
        assert by_url[url]["outcome"] == "ok"
        assert by_url[url]["checked_at"] < slow["checked_at"] - 0.5
