"""`readlist ci ...`: the commands the GitHub workflows run.

    readlist ci link-issue --report report.json [--issues FILE | --apply]
    readlist ci shards [ROOT] [--per-shard N] [--max-shards N]

Kept here, not in shell inside YAML, so they are tested like the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_STATUS, UsageError
from ..roots import ROOT_HELP, readings_root

if TYPE_CHECKING:
    from .issue import Context


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _context(args: argparse.Namespace) -> Context:
    from .issue import Context

    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    run_id = os.environ.get("GITHUB_RUN_ID")
    run_url = args.run_url or (f"{server}/{args.repo}/actions/runs/{run_id}" if args.repo and run_id else None)
    return Context(
        server=server,
        repo=args.repo,
        sha=args.sha,
        run_url=run_url,
        date=args.date or dt.date.today().isoformat(),
    )


def cmd_link_issue(args: argparse.Namespace) -> int:
    from ..links.report import load_report
    from .github import Gh, parse_issues
    from .issue import closing_comment, decide, render_body

    report = load_report(Path(args.report))
    ctx = _context(args)
    if args.body_only:
        sys.stdout.write(render_body(report, ctx, after=args.after))
        return 0

    gh = Gh(args.repo)
    if args.issues is not None:
        try:
            text = Path(args.issues).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--issues: {exc}") from None
        issues = parse_issues(text)
    else:
        issues = gh.open_issues()
    decision = decide(report, issues, ctx, after=args.after)
    if not args.apply:
        print(json.dumps(decision.as_dict(), indent=2))
        return 0
    comment = closing_comment(report, ctx, after=args.after, recovered=decision.recovered)
    for line in gh.apply(decision, comment):
        print(line)
    return 0


def cmd_shards(args: argparse.Namespace) -> int:
    from .shards import distinct_urls, plan

    shards = plan(distinct_urls(readings_root(args.root)), args.per_shard, args.max_shards)
    print(json.dumps(shards, separators=(",", ":")))
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .issue import AFTER

    ci = commands.add_parser("ci", help="commands the GitHub workflows run (link-rot issue, shard plan)")
    sub = ci.add_subparsers(dest="ci_command", required=True, metavar="COMMAND")

    issue = sub.add_parser(
        "link-issue",
        help="open, update or close the one 'link-rot' issue from a JSON link report",
        description=(
            "Decide what to do with the 'link-rot' issue from a report of "
            "`readlist check-links --format json`. Without --apply, print the decision "
            "as JSON (action: open|update|close|none, issue, title, body) and change nothing."
        ),
        epilog=EXIT_STATUS,
    )
    issue.add_argument("--report", required=True, help="JSON report of readlist check-links")
    issue.add_argument(
        "--issues",
        metavar="FILE",
        help="open link-rot issues as `gh issue list --json number,title,body` printed them (default: ask gh)",
    )
    issue.add_argument("--apply", action="store_true", help="carry the decision out with the gh CLI (needs GH_TOKEN)")
    issue.add_argument(
        "--body-only", action="store_true", help="print only the Markdown body (e.g. for $GITHUB_STEP_SUMMARY)"
    )
    issue.add_argument(
        "--repo", default=os.environ.get("GITHUB_REPOSITORY") or None, help="owner/name (default: $GITHUB_REPOSITORY)"
    )
    issue.add_argument(
        "--sha",
        default=os.environ.get("GITHUB_SHA") or None,
        help="commit for links to the cited lines (default: $GITHUB_SHA)",
    )
    issue.add_argument("--run-url", help="link to the workflow run (default: from $GITHUB_RUN_ID)")
    issue.add_argument("--date", help="date of the check, YYYY-MM-DD (default: today)")
    issue.add_argument(
        "--after",
        type=_at_least_one,
        default=AFTER,
        metavar="K",
        help=f"list a link as broken once it failed K checks in a row (default {AFTER})",
    )
    issue.set_defaults(func=cmd_link_issue)

    shards = sub.add_parser(
        "shards",
        help="print the shard labels (a JSON list of 'I/N') for a full link check",
        epilog=EXIT_STATUS,
    )
    shards.add_argument("root", nargs="?", help=ROOT_HELP)
    shards.add_argument("--per-shard", type=_at_least_one, default=400, help="URLs per shard (default 400)")
    shards.add_argument("--max-shards", type=_at_least_one, default=8, help="at most this many (default 8)")
    shards.set_defaults(func=cmd_shards)
