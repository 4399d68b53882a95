"""The link-rot issue: body rendering and the open/update/close decision.

Rendered from real JSON reports in the shape `readlist check-links --format json`
writes (tests/ci/reports/), and carried out through a stand-in `gh` that records
what it was asked to do.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from readlist.ci.github import Gh, parse_issues
from readlist.ci.issue import MARKER, Context, Issue, decide, render_body, title_for
from readlist.ci.shards import distinct_urls, plan
from readlist.links.report import ReportError, load_report, parse_report

from .helpers import REPORTS, ROOT, readlist

CTX = Context(
    repo="octo/readlist", sha="0123abc", run_url="https://github.com/octo/readlist/actions/runs/7", date="2026-11-02"
)


@pytest.fixture
def rot():
    return load_report(REPORTS / "rot.json")


@pytest.fixture
def clean():
    return load_report(REPORTS / "clean.json")


# --- reading reports -----------------------------------------------------------


def test_failing_are_broken_timeout_and_error_not_blocked(rot, clean):
    assert sorted(r.outcome for r in rot.failing) == ["broken", "broken", "error", "timeout"]
    assert {r.url for r in rot.failing} == {
        "https://www.cs.toronto.edu/~hinton/absps/colt93.pdf",
        "https://example.org/old|page",
        "https://slow.example.net/paper",
        "https://gone.invalid/",
    }
    assert clean.failing == []  # blocked and skipped do not fail


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "expected an object with a 'results' list"),
        ({"results": [{"url": "https://a.example/"}]}, "unknown outcome None"),
        ({"results": [{"outcome": "ok"}]}, "'url' is missing"),
        ({"results": [{"url": "https://a.example/", "outcome": "dead"}]}, "unknown outcome 'dead'"),
        ({"results": [{"url": "https://a.example/", "outcome": "ok", "files": [3]}]}, "results[0].files[0]"),
    ],
)
def test_malformed_reports_are_refused_with_where(data, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        parse_report(data)


def test_not_json_names_the_position(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text('{"results": [,]}')
    with pytest.raises(ReportError, match=r"r\.json:1:14: not JSON"):
        load_report(bad)


# --- rendering -----------------------------------------------------------------


def test_body_lists_every_failing_link_with_where_it_is_cited(rot):
    body = render_body(rot, CTX)
    assert body.startswith(MARKER)
    assert "found **4 of 9 links** that no longer work" in body
    assert "[workflow run](https://github.com/octo/readlist/actions/runs/7)" in body
    assert "### Broken (2)" in body and "### Timed out (1)" in body and "### Unreachable (1)" in body
    row = next(line for line in body.splitlines() if "colt93.pdf" in line)
    assert "HTTP 404" in row
    assert (
        "[`readings/entries/keeping-neural-networks-simple.yaml:2`]"
        "(https://github.com/octo/readlist/blob/0123abc/"
        "readings/entries/keeping-neural-networks-simple.yaml#L2)"
    ) in row
    # cited twice: both places, one cell
    row = next(line for line in body.splitlines() if "old\\|page" in line)
    assert "some-post.yaml:5" in row and "another-post.yaml:14" in row and "after 3 attempts" in row


def test_counts_table_matches_the_report(rot):
    body = render_body(rot, CTX)
    for outcome, n in {"broken": 2, "timeout": 1, "error": 1, "redirected": 1, "blocked": 1, "ok": 3}.items():
        assert f"| {outcome} | {n} |" in body
    assert "| skipped |" not in body  # zero counts are left out


def test_redirects_and_blocked_are_collapsed_with_their_advice(rot):
    body = render_body(rot, CTX)
    details = re.findall(r"<details>\n<summary>(.*?)</summary>(.*?)</details>", body, re.S)
    summaries = [s for s, _ in details]
    assert summaries[0].startswith("Moved permanently (1)") and "--fix" in summaries[0]
    assert summaries[1].startswith("Blocked (1)")
    assert "<https://colah.github.io/posts/2015-08-Understanding-LSTMs/>" in details[0][1]
    assert "HTTP 999" in details[1][1]


def test_every_table_row_has_three_cells(rot):
    """Pipes from URLs and server messages are escaped, so no row grows a column."""
    for line in render_body(rot, CTX).splitlines():
        if line.startswith("| ") and "Outcome" not in line and not re.match(r"\| \w+ \| \d+ \|$", line):
            if line.startswith("| ---") and line.count("|") == 3:
                continue
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) == 3, line


def test_text_from_the_network_cannot_mention_or_inject():
    report = parse_report(
        {
            "results": [
                {
                    "url": "https://evil.example/<script>alert(1)</script>",
                    "outcome": "broken",
                    "status": 500,
                    "error": "ping @octo/team `x` <img src=x onerror=alert(1)>",
                    "files": [{"path": "readings/entries/x.yaml", "line": 1}],
                }
            ]
        }
    )
    body = render_body(report)
    row = next(line for line in body.splitlines() if "evil.example" in line)
    # the URL and the error are code spans: GitHub shows them literally
    assert "`https://evil.example/<script>alert(1)</script>`" in row
    assert "``ping @octo/team `x` <img src=x onerror=alert(1)>``" in row
    outside_code = re.sub(r"(`+).*?\1", "", row)
    assert "@octo" not in outside_code and "<script>" not in outside_code and "<img" not in outside_code


def test_no_repo_or_sha_means_plain_paths(rot):
    body = render_body(rot, Context(date="2026-11-02"))
    assert "`readings/entries/gone.yaml:2`" in body and "/blob/" not in body
    assert "workflow run" not in body


def test_huge_reports_are_cut_to_fit_an_issue():
    results = [
        {
            "url": f"https://host{i}.example/paper/{i}",
            "outcome": "broken",
            "status": 404,
            "files": [{"path": f"readings/entries/entry-{i}.yaml", "line": 2}],
        }
        for i in range(3000)
    ]
    report = parse_report({"results": results})
    full = render_body(report, CTX, max_chars=10**9)
    assert len(full) > 65536
    body = render_body(report, CTX)
    assert len(body) <= 60_000
    assert "found **3000 of 3000 links**" in body
    match = re.search(r"…and (\d+) more rows", body)
    assert match
    shown = sum(1 for line in body.splitlines() if line.startswith("| <https://host"))
    assert shown + int(match.group(1)) == 3000
    assert body.rstrip().endswith("Label: `link-rot`.")


def test_title_counts_failing_links(rot):
    assert title_for(rot) == "Link rot: 4 links need fixing"
    one = parse_report({"results": [{"url": "https://a.example/", "outcome": "timeout"}]})
    assert title_for(one) == "Link rot: 1 link needs fixing"


# --- deciding ------------------------------------------------------------------


def test_open_when_links_fail_and_no_issue_is_open(rot):
    d = decide(rot, [], CTX)
    assert (d.action, d.issue, d.close_duplicates) == ("open", None, ())
    assert d.title == "Link rot: 4 links need fixing" and d.body == render_body(rot, CTX)


def test_update_the_open_issue_instead_of_opening_another(rot):
    d = decide(rot, [Issue(12, "Link rot: 1 link needs fixing", "old body")], CTX)
    assert (d.action, d.issue) == ("update", 12)


def test_nothing_to_do_when_the_issue_already_says_this(rot):
    d = decide(rot, [Issue(12, title_for(rot), render_body(rot, CTX))], CTX)
    assert (d.action, d.issue) == ("none", 12)


def test_close_when_everything_is_fine_again(clean):
    d = decide(clean, [Issue(12, "Link rot: 4 links need fixing", "...")], CTX)
    assert (d.action, d.issue) == ("close", 12)


def test_nothing_when_fine_and_no_issue(clean):
    assert decide(clean, [], CTX).action == "none"


def test_unchecked_links_hold_back_only_themselves(rot):
    """A proxy that fails one site must not freeze the issue: a listed link
    that works again is reported, a listed link the proxy did not carry
    stays listed, and the issue is neither closed nor opened for it."""
    fixed, blocked = "https://fixed.example/", "https://behind-proxy.example/"
    old = render_body(
        parse_report(
            {
                "results": [
                    {"url": fixed, "outcome": "broken", "status": 404},
                    {"url": blocked, "outcome": "broken", "status": 404},
                ]
            }
        ),
        CTX,
    )
    now = parse_report(
        {
            "results": [
                {"url": fixed, "outcome": "ok", "status": 200},
                {
                    "url": blocked,
                    "outcome": "error",
                    "kind": "proxy",
                    "error": "proxy: cannot connect to http://p:3128",
                },
            ]
        }
    )
    decision = decide(now, [Issue(5, "Link rot: 2 links need fixing", old)], CTX)
    assert (decision.action, decision.issue, decision.recovered) == ("update", 5, (fixed,))
    assert decision.title == "Link rot: 1 link needs fixing"  # the one held back
    assert "### Working again (1)" in decision.body and "### Not checked (1)" in decision.body
    assert "found no broken links among 2" not in decision.body  # one was not checked
    assert "found no broken links among the 1 it checked; 1 could not be checked" in decision.body
    # held back: listed in the state, so a later run can still say it works again
    later = parse_report({"results": [{"url": fixed, "outcome": "ok"}, {"url": blocked, "outcome": "ok"}]})
    closing = decide(later, [Issue(5, decision.title, decision.body)], CTX)
    assert (closing.action, closing.recovered) == ("close", (blocked,))
    assert decide(now, [], CTX).action == "none"  # nothing confirmed: no issue opened


def test_the_oldest_issue_is_kept_and_duplicates_are_closed(rot, clean):
    issues = [Issue(40, "dup"), Issue(12, "first"), Issue(41, "dup")]
    d = decide(rot, issues, CTX)
    assert (d.action, d.issue, d.close_duplicates) == ("update", 12, (40, 41))
    d = decide(clean, issues, CTX)
    assert (d.action, d.issue, d.close_duplicates) == ("close", 12, (40, 41))


def test_parse_gh_issue_list_output():
    text = json.dumps([{"number": 3, "title": "Link rot", "body": "x"}, {"title": "no number"}])
    assert parse_issues(text) == [Issue(3, "Link rot", "x")]
    assert parse_issues("") == []


# --- the command, with a stand-in gh -----------------------------------------------

FAKE_GH = r"""
import json, os, sys
args = sys.argv[1:]
record = {"argv": args}
if "--body-file" in args:
    record["body"] = open(args[args.index("--body-file") + 1], encoding="utf-8").read()
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\n")
if os.environ.get("FAKE_GH_FAIL") == " ".join(args[:2]):
    sys.stderr.write("HTTP 403: Resource not accessible by integration\n")
    sys.exit(1)
if args[:2] == ["issue", "list"]:
    sys.stdout.write(open(os.environ["FAKE_GH_ISSUES"], encoding="utf-8").read())
elif args[:2] == ["issue", "create"]:
    print("https://github.com/octo/readlist/issues/99")
"""


@pytest.fixture
def gh(tmp_path, clean_env):
    script = tmp_path / "gh"
    script.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    script.chmod(0o755)
    log, issues = tmp_path / "gh.log", tmp_path / "issues.json"
    issues.write_text("[]")
    env = clean_env | {
        "READLIST_GH": str(script),
        "FAKE_GH_LOG": str(log),
        "FAKE_GH_ISSUES": str(issues),
        "GITHUB_REPOSITORY": "octo/readlist",
        "GITHUB_SHA": "0123abc",
        "GITHUB_RUN_ID": "7",
        "GITHUB_SERVER_URL": "https://github.com",
    }

    class Fake:
        def __init__(self):
            self.env, self.issues = env, issues

        def calls(self):
            if not log.exists():
                return []
            return [json.loads(line) for line in log.read_text().splitlines()]

    return Fake()


def test_apply_opens_a_labelled_issue(gh):
    done = readlist(
        "ci", "link-issue", "--report", str(REPORTS / "rot.json"), "--apply", "--date", "2026-11-02", env=gh.env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "opened https://github.com/octo/readlist/issues/99"
    calls = gh.calls()
    assert [c["argv"][:2] for c in calls] == [["issue", "list"], ["label", "create"], ["issue", "create"]]
    listing, label, create = (c["argv"] for c in calls)
    assert listing[listing.index("--label") + 1] == "link-rot" and "open" in listing
    assert all(c["argv"][-2:] == ["--repo", "octo/readlist"] for c in calls)
    assert "--force" in label
    assert create[create.index("--label") + 1] == "link-rot"
    assert create[create.index("--title") + 1] == "Link rot: 4 links need fixing"
    body = calls[2]["body"]
    assert body.startswith(MARKER) and "https://github.com/octo/readlist/actions/runs/7" in body
    assert "/blob/0123abc/readings/entries/gone.yaml#L2" in body


def test_apply_updates_the_same_issue_on_later_runs(gh):
    gh.issues.write_text(json.dumps([{"number": 12, "title": "Link rot: 1 link needs fixing", "body": "old"}]))
    done = readlist("ci", "link-issue", "--report", str(REPORTS / "rot.json"), "--apply", env=gh.env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "updated issue #12"
    edit = gh.calls()[-1]
    assert edit["argv"][:3] == ["issue", "edit", "12"] and "Broken (2)" in edit["body"]
    assert not any(c["argv"][:2] == ["issue", "create"] for c in gh.calls())


def test_apply_closes_it_when_links_work_again(gh):
    gh.issues.write_text(
        json.dumps(
            [{"number": 12, "title": "Link rot", "body": "old"}, {"number": 15, "title": "Link rot", "body": "dup"}]
        )
    )
    done = readlist("ci", "link-issue", "--report", str(REPORTS / "clean.json"), "--apply", env=gh.env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["closed issue #12", "closed duplicate issue #15"]
    close, dup = gh.calls()[-2:]
    assert close["argv"][:5] == ["issue", "close", "12", "--reason", "completed"]
    assert "no broken links among 4" in close["argv"][close["argv"].index("--comment") + 1]
    assert dup["argv"][:3] == ["issue", "close", "15"] and "Duplicate of #12" in " ".join(dup["argv"])


def test_apply_does_nothing_when_all_is_well_and_no_issue(gh):
    done = readlist("ci", "link-issue", "--report", str(REPORTS / "clean.json"), "--apply", env=gh.env)
    assert done.returncode == 0, done.stderr
    assert "nothing to do" in done.stdout
    assert [c["argv"][:2] for c in gh.calls()] == [["issue", "list"]]


def test_gh_failure_is_one_clear_line_and_exit_2(gh):
    """gh refusing is the run's setup (token, permissions), not the links: a usage error."""
    gh.env["FAKE_GH_FAIL"] = "issue create"
    done = readlist("ci", "link-issue", "--report", str(REPORTS / "rot.json"), "--apply", env=gh.env)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "readlist: error: gh issue create failed: HTTP 403: Resource not accessible by integration"
    )


def test_dry_run_prints_the_decision_as_json(tmp_path, clean_env):
    issues = tmp_path / "issues.json"
    issues.write_text(json.dumps([{"number": 5, "title": "t", "body": "b"}]))
    done = readlist("ci", "link-issue", "--report", str(REPORTS / "rot.json"), "--issues", str(issues), env=clean_env)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["action"] == "update" and decision["issue"] == 5
    assert decision["body"].startswith(MARKER)


def test_body_only_for_the_job_summary(clean_env):
    done = readlist(
        "ci", "link-issue", "--report", str(REPORTS / "rot.json"), "--body-only", "--date", "2026-11-02", env=clean_env
    )
    assert done.returncode == 0
    assert done.stdout == render_body(load_report(REPORTS / "rot.json"), Context(date="2026-11-02"))


def test_a_bad_report_is_exit_2(tmp_path, clean_env):
    bad = tmp_path / "r.json"
    bad.write_text('{"results": "nope"}')
    done = readlist("ci", "link-issue", "--report", str(bad), "--body-only", env=clean_env)
    assert done.returncode == 2
    assert "not a link-check report" in done.stderr and "Traceback" not in done.stderr


def test_missing_gh_is_explained(rot):
    gh = Gh("octo/readlist", executable="/nonexistent/gh")
    with pytest.raises(Exception, match="not found: install the GitHub CLI"):
        gh.open_issues()


# --- shards --------------------------------------------------------------------


@pytest.mark.parametrize(
    "urls, shards",
    [(0, ["1/1"]), (400, ["1/1"]), (401, ["1/2", "2/2"]), (10_000, [f"{i}/8" for i in range(1, 9)])],
)
def test_shard_plan(urls, shards):
    assert plan(urls, per_shard=400, max_shards=8) == shards


def test_shards_command_on_the_real_readings():
    done = readlist("ci", "shards", "--per-shard", "50")
    assert done.returncode == 0, done.stderr
    shards = json.loads(done.stdout)
    n = distinct_urls(ROOT / "readings")
    assert len(shards) == min(8, max(1, -(-n // 50)))
    assert shards[-1] == f"{len(shards)}/{len(shards)}"


def test_shards_takes_root_as_check_links_does(tmp_path):
    """The project root or readings/, the same plan; a root without readings exits 2."""
    from_project = readlist("ci", "shards", str(ROOT), "--per-shard", "50")
    from_readings = readlist("ci", "shards", str(ROOT / "readings"), "--per-shard", "50")
    assert from_project.returncode == 0 and from_project.stdout == from_readings.stdout
    done = readlist("ci", "shards", str(tmp_path))
    assert done.returncode == 2 and "has no readings" in done.stderr and "Traceback" not in done.stderr
