"""Carry a `Decision` out with the GitHub CLI (`gh`), which every runner has.

Only this module talks to GitHub. It needs `GH_TOKEN` (or `GITHUB_TOKEN`) in
the environment with `issues: write` on the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from ..errors import UsageError
from .issue import LABEL, Decision, Issue

LABEL_COLOR = "B60205"
LABEL_DESCRIPTION = "Links in readings/ that no longer work (kept by the links workflow)"


class GhError(UsageError):
    """`gh` is missing, not allowed, or answered nonsense: the run's setup
    (token, permissions) is at fault, not the links. Exit 2."""


class Gh:
    def __init__(self, repo: str | None, executable: str | None = None) -> None:
        self.repo = repo
        self.executable = executable or os.environ.get("READLIST_GH", "gh")

    def run(self, *args: str) -> str:
        argv = [self.executable, *args]
        if self.repo:
            argv += ["--repo", self.repo]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise GhError(f"'{self.executable}' not found: install the GitHub CLI (https://cli.github.com)") from None
        if done.returncode != 0:
            what = " ".join(["gh", *args[:2]])
            raise GhError(f"{what} failed: {done.stderr.strip() or f'exit {done.returncode}'}")
        return done.stdout

    def open_issues(self, label: str = LABEL) -> list[Issue]:
        out = self.run(
            "issue",
            "list",
            "--label",
            label,
            "--state",
            "open",
            "--json",
            "number,title,body",
            "--limit",
            "100",
        )
        return parse_issues(out)

    def apply(self, decision: Decision, closing_comment: str) -> list[str]:
        """Do what the decision says; return one line per thing done."""
        done: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            body_file = Path(tmp, "body.md")
            body_file.write_text(decision.body, encoding="utf-8")
            if decision.action == "open":
                self.run(
                    "label",
                    "create",
                    LABEL,
                    "--force",
                    "--color",
                    LABEL_COLOR,
                    "--description",
                    LABEL_DESCRIPTION,
                )
                url = self.run(
                    "issue",
                    "create",
                    "--title",
                    decision.title,
                    "--label",
                    LABEL,
                    "--body-file",
                    str(body_file),
                ).strip()
                done.append(f"opened {url or 'an issue'}")
            elif decision.action == "update":
                self.run(
                    "issue",
                    "edit",
                    str(decision.issue),
                    "--title",
                    decision.title,
                    "--body-file",
                    str(body_file),
                )
                done.append(f"updated issue #{decision.issue}")
            elif decision.action == "close":
                self.run(
                    "issue",
                    "close",
                    str(decision.issue),
                    "--reason",
                    "completed",
                    "--comment",
                    closing_comment,
                )
                done.append(f"closed issue #{decision.issue}")
            else:
                done.append(
                    f"issue #{decision.issue} is up to date"
                    if decision.issue
                    else "no broken links and no open issue: nothing to do"
                )
            for number in decision.close_duplicates:
                keep = decision.issue
                comment = (
                    f"Duplicate of #{keep}: the links workflow keeps one `{LABEL}` issue."
                    if keep
                    else f"Closed by the links workflow: it keeps one `{LABEL}` issue."
                )
                self.run("issue", "close", str(number), "--reason", "not planned", "--comment", comment)
                done.append(f"closed duplicate issue #{number}")
        return done


def parse_issues(text: str) -> list[Issue]:
    """Issues from `gh issue list --json number,title,body` output."""
    try:
        data = json.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise GhError(f"unexpected output from gh issue list: {exc.msg}") from None
    if not isinstance(data, list):
        raise GhError("unexpected output from gh issue list: not a list")
    issues = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            issues.append(Issue(item["number"], item.get("title") or "", item.get("body") or ""))
    return issues
