"""The command around the engine: safety default, cache, --fix, shards and
merge-reports, --changed, formats, worker processes, exit status."""

from __future__ import annotations

import json
import subprocess

from readlist.links import policy
from readlist.links.pace import retry_after

from .helpers import make_project, run_cli, run_json

A = "127.0.0.1"
ALLOW = ("--allow-private", "127.0.0.0/8")


def test_loopback_is_skipped_by_default(hosts, tmp_path):
    url = hosts.url(A, "/ok?default-skip")
    make_project(tmp_path, {"local": url})
    before = hosts.count("/ok")
    done, _report, by_url = run_json(tmp_path, "--no-cache")
    assert done.returncode == 0
    assert by_url[url]["outcome"] == "skipped" and "loopback" in by_url[url]["error"]
    assert hosts.count("/ok") == before  # never contacted


def test_cache_reuses_successes_and_rechecks_failures(hosts, tmp_path):
    good, bad = hosts.url(A, "/ok?cache"), hosts.url(A, "/404?cache")
    make_project(tmp_path, {"good": good, "bad": bad})
    args = ("--retries", "0", *ALLOW)
    run_json(tmp_path, *args)
    assert (tmp_path / ".readlist-cache.json").is_file()
    oks, fails = hosts.count("/ok"), hosts.count("/404")
    done, _, by_url = run_json(tmp_path, *args)
    assert by_url[good]["cached"] and by_url[good]["outcome"] == "ok"
    assert not by_url[bad]["cached"] and done.returncode == 1
    assert hosts.count("/ok") == oks and hosts.count("/404") > fails
    _, _, by_url = run_json(tmp_path, *args, "--max-age", "0s")
    assert not by_url[good]["cached"] and hosts.count("/ok") > oks


def test_fix_rewrites_in_place_keeping_comments(hosts, tmp_path):
    moved = hosts.url(A, "/moved301")
    make_project(tmp_path, {"moved": moved, "fine": hosts.url(A, "/ok")})
    path = tmp_path / "readings" / "entries" / "moved.yaml"
    before = path.read_text()
    done = run_cli(tmp_path, "check-links", "--no-cache", "--fix", *ALLOW, hosts=hosts)
    assert done.returncode == 0, done.stderr
    assert "redirected" in done.stdout and "fixed 1 URL" in done.stderr
    after = path.read_text()
    assert after == before.replace(moved, hosts.url(A, "/ok"))
    assert "# the link under test" in after
    _, _, by_url = run_json(tmp_path, "--no-cache", *ALLOW)
    assert by_url[hosts.url(A, "/ok")]["outcome"] == "ok"


def test_shards_split_and_merge(hosts, tmp_path):
    urls = {f"u{i}": hosts.url(A, f"/ok?shard={i}") for i in range(12)}
    urls["bad"] = hosts.url(A, "/404?shard")
    make_project(tmp_path, urls)
    seen = []
    for i in (1, 2, 3):
        done = run_cli(
            tmp_path,
            "check-links",
            "--no-cache",
            "--shard",
            f"{i}/3",
            *ALLOW,
            "--format",
            "json",
            "--output",
            f"r{i}.json",
        )
        assert done.returncode in (0, 1), done.stderr
        seen.append({r["url"] for r in json.loads((tmp_path / f"r{i}.json").read_text())["results"]})
    assert sum(len(s) for s in seen) == len(urls) and set().union(*seen) == set(urls.values())
    merged = run_cli(tmp_path, "merge-reports", "r1.json", "r2.json", "r3.json", "--format", "json")
    assert merged.returncode == 1
    report = json.loads(merged.stdout)
    assert report["summary"]["total"] == 13 and report["summary"]["broken"] == 1
    md = run_cli(tmp_path, "merge-reports", "r1.json", "r2.json", "r3.json", "--format", "markdown")
    assert "### Broken (1)" in md.stdout and "readings/entries/bad.yaml:2" in md.stdout


def test_changed_checks_only_changed_files(hosts, tmp_path):
    a, b = hosts.url(A, "/ok?changed-a"), hosts.url(A, "/ok?changed-b")
    make_project(tmp_path, {"a": a, "b": b})
    git = lambda *args: subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x", "--allow-empty")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    path = tmp_path / "readings" / "entries" / "b.yaml"
    path.write_text(path.read_text().replace("tier: 1", "tier: 2"))
    _, _report, by_url = run_json(tmp_path, "--no-cache", "--changed", *ALLOW)
    assert set(by_url) == {b}


def test_formats_and_usage_errors(hosts, tmp_path):
    bad, moved = hosts.url(A, "/404?fmt"), hosts.url(A, "/moved308?fmt")
    make_project(tmp_path, {"bad": bad, "moved": moved})
    gh = run_cli(tmp_path, "check-links", "--no-cache", "--format", "github", *ALLOW)
    assert gh.returncode == 1
    assert "::error file=readings/entries/bad.yaml,line=2::broken" in gh.stdout
    assert "::warning file=readings/entries/moved.yaml,line=2::redirected" in gh.stdout
    text = run_cli(tmp_path, "check-links", "--no-cache", *ALLOW)
    assert f"readings/entries/bad.yaml:2: broken: {bad} 404" in text.stdout
    assert "total" in text.stdout
    assert run_cli(tmp_path, "check-links", "--shard", "4/3").returncode == 2
    assert run_cli(tmp_path, "check-links", "--concurrency", "0").returncode == 2
    assert run_cli(tmp_path, "check-links", "nowhere").returncode == 2


def test_address_classification():
    assert policy.unsafe_address("10.1.2.3") == "private"
    assert policy.unsafe_address("169.254.169.254") == "metadata"
    assert policy.unsafe_address("100.100.100.200") == "metadata"
    assert policy.unsafe_address("fe80::1") == "link-local"
    assert policy.unsafe_address("::ffff:127.0.0.1") == "loopback"
    assert policy.unsafe_address("100.64.0.1") == "reserved"
    assert policy.unsafe_address("93.184.216.34") is None


def test_small_parsers():
    assert policy.parse_duration("7d") == 7 * 86400 and policy.parse_duration("90") == 90
    assert retry_after("5", 30) == 5 and retry_after("120", 30) == 30
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 30) == 0
    assert policy.parse_statuses(["200..=202", 999]) == {200, 201, 202, 999}


def test_names_that_do_not_resolve_end_as_readable_errors(tmp_path):
    """No network (or no such name): `error` outcomes with the DNS reason, a
    report that cites each place once per URL, exit 1, no traceback."""
    urls = {f"n{i}": f"https://no-such-host.invalid/paper/{i}" for i in range(3)}
    urls["other"] = "http://another.invalid/"
    make_project(tmp_path, urls)
    text = run_cli(tmp_path, "check-links", "--no-cache")
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    lines = text.stdout.splitlines()
    assert (
        "readings/entries/n0.yaml:2: error: https://no-such-host.invalid/paper/0 "
        "DNS: cannot resolve no-such-host.invalid" in text.stdout
    )
    assert sum(line.startswith("readings/entries/") for line in lines) == 4
    assert any(line.split() == ["error", "4"] for line in lines)
    assert any(line.split() == ["total", "4"] for line in lines)
    md = run_cli(tmp_path, "check-links", "--no-cache", "--format", "markdown")
    assert md.returncode == 1 and "Traceback" not in md.stderr
    rows = [line for line in md.stdout.splitlines() if line.startswith("| <")]
    assert len(rows) == 4 and all("`readings/entries/" in row and ".yaml:2`" in row for row in rows)
    assert "### Errors (4)" in md.stdout


def test_merge_reports_reads_as_the_weekly_issue_does_and_names_a_bad_report(tmp_path):
    """One reader for shard reports and the weekly issue: a file that is not
    JSON is named with its line and column, one that is not a report says
    why; both exit 2 before anything is written."""
    (tmp_path / "broken.json").write_text('{"results": [\n  {"url": "https://x.org/", "outcome": "ok",}\n]}')
    (tmp_path / "odd.json").write_text('{"results": [{"url": "https://x.org/", "outcome": "fine"}]}')
    done = run_cli(tmp_path, "merge-reports", "broken.json", "--output", "merged.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "broken.json:2:" in done.stderr and "not JSON" in done.stderr
    done = run_cli(tmp_path, "merge-reports", "odd.json", "--output", "merged.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    # one message, the file's name first, as the reader words it
    assert done.stderr.startswith("readlist: error: odd.json: results[0]: unknown outcome 'fine'"), done.stderr
    assert not (tmp_path / "merged.json").exists()
