"""The one `link-rot` issue: its body, and whether to open, update or close it.

Pure functions: a report and the open issues go in, a decision comes out.
`github.py` carries the decision out with the `gh` CLI.

Flap damping: a link is listed as broken only once it failed `after` checks
in a row (the report carries each URL's streak from the cache's history);
newer failures are shown apart ("will recheck") and do not open an issue.
Links a proxy failed to carry are shown apart too ("not checked"): they
neither open an issue nor close one; a listed one stays listed (held back)
until it is checked again, while the rest of the issue is kept up to date.
The body keeps the broken URLs in a hidden comment, so the next run can say
which of them work again, once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..links.results import OUTCOMES, LinkResult, Outcome, Report

LABEL = "link-rot"
MARKER = "<!-- readlist:link-rot -->"
# GitHub refuses issue bodies over 65,536 characters; stay well below.
MAX_BODY = 60_000
AFTER = 2  # failing checks in a row before a link is listed as broken
_ROW_URL = re.compile(r"\| <([^>]+)> \|")
_STATE = re.compile(r"<!-- readlist:broken (\[.*?\]) -->", re.S)


@dataclass(frozen=True)
class Context:
    """Where the report came from, for links in the body (all optional)."""

    server: str = "https://github.com"
    repo: str | None = None  # owner/name
    sha: str | None = None  # commit the files were read at
    run_url: str | None = None
    date: str | None = None  # YYYY-MM-DD of the check

    def blob(self, path: str, line: int | None) -> str | None:
        if not (self.repo and self.sha):
            return None
        anchor = f"#L{line}" if line else ""
        return f"{self.server}/{self.repo}/blob/{self.sha}/{path}{anchor}"


@dataclass(frozen=True)
class Issue:
    number: int
    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class Decision:
    """What to do. `action` is one of open, update, close, none."""

    action: str
    issue: int | None
    title: str
    body: str
    close_duplicates: tuple[int, ...] = field(default=())
    recovered: tuple[str, ...] = field(default=())  # listed as broken last time, fine now

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "issue": self.issue,
            "title": self.title,
            "close_duplicates": list(self.close_duplicates),
            "recovered": list(self.recovered),
            "body": self.body,
        }


# --- rendering ---------------------------------------------------------------

_CELL_ESCAPES = str.maketrans({"|": "\\|", "\n": " ", "\r": " "})


def _code(text: str) -> str:
    """Text as an inline code span, safe in a table cell (no Markdown, no @-mentions)."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _link(url: str) -> str:
    """A URL from the data as an autolink, or as code when it would not autolink safely."""
    if re.fullmatch(r"https?://[^\s<>|\[\]`]+", url):
        return f"<{url}>"
    return _code(url)


def _cited(result: LinkResult, ctx: Context) -> str:
    parts = []
    for cite in result.files:
        path, line = cite["path"], cite.get("line")
        label = f"{path}:{line}" if line else path
        href = ctx.blob(path, line)
        label = label.translate(_CELL_ESCAPES).replace("[", "\\[").replace("]", "\\]")
        parts.append(f"[`{label}`]({href})" if href else f"`{label}`")
    return "<br>".join(parts) or "—"


def _problem(result: LinkResult) -> str:
    if result.outcome == "broken":
        text = f"HTTP {result.status}" if result.status else "broken"
    elif result.outcome == "timeout":
        text = "timed out"
    elif result.outcome == "blocked":
        text = f"HTTP {result.status}" if result.status else "blocked"
    else:
        text = result.outcome
    if result.error and result.outcome != "timeout":
        text = f"{text}: {_code(result.error[:200])}" if result.status else _code(result.error[:200])
    elif result.error:
        text = f"{text} ({_code(result.error[:200])})"
    if result.attempts and result.attempts > 1:
        text += f" after {result.attempts} attempts"
    if result.failures and result.failing_since:
        day = dt.datetime.fromtimestamp(result.failing_since, dt.UTC).date().isoformat()
        text += f"; failing since {day} ({result.failures} check{'s' if result.failures != 1 else ''})"
    if result.archived:
        text += f"; archived copy: {_link(result.archived)}"
    return text


def _table(results: list[LinkResult], ctx: Context, redirect: bool = False) -> list[str]:
    if redirect:
        rows = ["| Link | Now at | Cited in |", "| --- | --- | --- |"]
        rows += [
            f"| {_link(r.url)} | {_link(r.final_url) if r.final_url else '—'} | {_cited(r, ctx)} |" for r in results
        ]
    else:
        rows = ["| Link | Problem | Cited in |", "| --- | --- | --- |"]
        rows += [f"| {_link(r.url)} | {_problem(r)} | {_cited(r, ctx)} |" for r in results]
    return rows


_SECTIONS = (
    (Outcome.BROKEN, "Broken", "The server answered with an error after retries."),
    (Outcome.TIMEOUT, "Timed out", "No complete answer within the time limit, after retries."),
    (Outcome.ERROR, "Unreachable", "DNS, connection, TLS or redirect errors."),
)


def previously_broken(body: str) -> list[str]:
    """The URLs an earlier body listed as broken (its hidden state comment)."""
    match = _STATE.search(body or "")
    try:
        urls = json.loads(match.group(1)) if match else []
    except ValueError:
        return []
    return [u for u in urls if isinstance(u, str)]


def title_for(report: Report, after: int = AFTER, held: int = 0) -> str:
    n = len(report.confirmed(after)) + held
    return f"Link rot: {n} link{'s' if n != 1 else ''} need{'s' if n == 1 else ''} fixing"


def render_body(
    report: Report,
    ctx: Context = Context(),
    max_chars: int = MAX_BODY,
    after: int = AFTER,
    recovered: Sequence[str] = (),
    held: Sequence[str] = (),
) -> str:
    """The Markdown body of the link-rot issue (also fine as a job summary).
    `held`: URLs listed as broken before that were not checked this time;
    they stay in the hidden state, so a later run can say they work again."""
    counts = report.counts
    failing = report.confirmed(after)
    pending = report.pending(after)
    unchecked = report.unchecked
    confirmed_urls = {r.url for r in failing}
    total = len(report.results)
    when = f" on {ctx.date}" if ctx.date else ""
    run = f" ([workflow run]({ctx.run_url}))" if ctx.run_url else ""

    head = [MARKER]
    if failing:
        head.append(f"The link check{when} found **{len(failing)} of {total} links** that no longer work{run}.")
    elif unchecked:
        head.append(
            f"The link check{when} found no broken links among the {total - len(unchecked)} it checked; "
            f"{len(unchecked)} could not be checked (the proxy failed){run}."
        )
    else:
        head.append(f"The link check{when} found no broken links among {total}{run}.")
    head += [
        "",
        "| Outcome | Links |",
        "| --- | ---: |",
        *(f"| {o} | {counts[o]} |" for o in OUTCOMES if counts[o]),
        "",
    ]

    body_sections: list[list[str]] = []
    for outcome, heading, explain in _SECTIONS:
        results = [r for r in report.by_outcome(outcome) if r.url in confirmed_urls]
        if results:
            body_sections.append([f"### {heading} ({len(results)})", "", explain, "", *_table(results, ctx), ""])
    for outcome, summary, redirect in (
        (
            Outcome.REDIRECTED,
            "Moved permanently ({n}): `readlist check-links --fix` rewrites these to the new address",
            True,
        ),
        (Outcome.BLOCKED, "Blocked ({n}): these sites refuse automated clients; check them in a browser", False),
    ):
        results = report.by_outcome(outcome)
        if results:
            body_sections.append(
                [
                    "<details>",
                    f"<summary>{summary.format(n=len(results))}</summary>",
                    "",
                    *_table(results, ctx, redirect=redirect),
                    "",
                    "</details>",
                    "",
                ]
            )

    if unchecked:
        body_sections.append(
            [
                f"### Not checked ({len(unchecked)}): the proxy failed",
                "",
                "The proxy between the check and these sites failed; the links were not checked "
                "this time, and their history stands"
                + ("; those listed as broken before stay listed." if held else "."),
                "",
                *_table(unchecked, ctx),
                "",
            ]
        )
    if pending:
        body_sections.append(
            [
                f"### First-time failures ({len(pending)}): will recheck",
                "",
                f"These failed fewer than {after} checks in a row (a host may be down for a day); "
                "they are listed above if they still fail next time.",
                "",
                *_table(pending, ctx),
                "",
            ]
        )
    if recovered:
        body_sections.append(
            [
                f"### Working again ({len(recovered)})",
                "",
                "Listed as broken last time; they answer again.",
                "",
                *(f"- {_link(url)}" for url in sorted(recovered)),
                "",
            ]
        )
    foot = [
        "### How to fix",
        "",
        "- Find the reading's new address and change `url:` in the entry.",
        "- If it is gone for good, set `archived:` to a snapshot (`readlist check-links --fix` "
        "adds the Wayback Machine's closest one where the report shows it), or remove the entry.",
        "- Check a fix locally with `readlist check-links --changed`.",
        "",
        f"This issue is kept up to date by the `links` workflow and closes itself "
        f"when every link works again. Label: `{LABEL}`.",
    ]

    def state(urls: Iterable[str]) -> list[str]:  # the broken URLs listed, for the next run's "working again"
        text = json.dumps(sorted(urls)).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return [f"<!-- readlist:broken {text} -->", ""]  # no "-->" can end it early

    lines = head + [line for section in body_sections for line in section] + foot
    body = "\n".join(lines[: len(lines) - len(foot)] + state(confirmed_urls | set(held)) + foot) + "\n"
    if len(body) <= max_chars:
        return body
    # Too long for an issue: keep whole rows until the budget is used, then
    # say so; the state keeps only the broken URLs whose rows are shown.
    budget = max_chars - len("\n".join(head + foot)) - 300
    kept: list[str] = []
    shown: list[str] = []
    used = 0
    dropped = 0
    for section in body_sections:
        for line in section:
            is_row = line.startswith("| ") and not line.startswith("| Link") and not line.startswith("| ---")
            url = _ROW_URL.match(line)
            listed = url.group(1) if url and url.group(1) in confirmed_urls else None
            cost = len(line) + 1 + (len(listed) + 4 if listed else 0)
            if is_row and used + cost > budget:
                dropped += 1
                continue
            kept.append(line)
            used += cost
            if listed:
                shown.append(listed)
    note = [f"_…and {dropped} more rows; the full report is in the workflow run's artifacts._", ""]
    return "\n".join(head + kept + note + state([*shown, *held]) + foot) + "\n"


# --- deciding ----------------------------------------------------------------


def decide(report: Report, open_issues: list[Issue], ctx: Context = Context(), after: int = AFTER) -> Decision:
    """Open one issue when links are broken (`after` failed checks in a row),
    update it while they are, close it when none is.

    `open_issues` are the open issues labelled `link-rot`. The oldest is the one
    kept; any others (opened by hand, or by a race) are closed as duplicates.
    Links the kept issue listed as broken that no longer fail are mentioned
    once, as working again. Links a proxy failed to carry (unchecked) never
    open, nor close, an issue: while some are, an open issue is updated
    with the rest, and the listed ones among them are held back (still listed).
    """
    ordered = sorted(open_issues, key=lambda i: i.number)
    current = ordered[0] if ordered else None
    duplicates = tuple(i.number for i in ordered[1:])
    failing_now = {r.url for r in report.failing}
    unchecked = {r.url for r in report.unchecked}
    listed = previously_broken(current.body) if current else []
    recovered = [u for u in listed if u not in failing_now]
    held = [u for u in listed if u in unchecked]
    body = render_body(report, ctx, after=after, recovered=recovered, held=held)
    title = title_for(report, after, held=len(held))
    back = tuple(recovered)
    if report.confirmed(after) or (current is not None and unchecked):
        if current is None:
            return Decision("open", None, title, body, duplicates, back)
        if current.body.strip() == body.strip() and current.title == title:
            return Decision("none", current.number, title, body, duplicates, back)
        return Decision("update", current.number, title, body, duplicates, back)
    if current is not None:
        return Decision("close", current.number, "Link rot: all links work again", body, duplicates, back)
    return Decision("none", None, "", body, duplicates, back)


def closing_comment(
    report: Report, ctx: Context = Context(), after: int = AFTER, recovered: tuple[str, ...] | list[str] = ()
) -> str:
    when = f" on {ctx.date}" if ctx.date else ""
    run = f" ([workflow run]({ctx.run_url}))" if ctx.run_url else ""
    pending = report.pending(after)
    recheck = (
        f" {len(pending)} link{'s' if len(pending) != 1 else ''} failed for the first time "
        "and will be rechecked next run."
        if pending
        else ""
    )
    back = ""
    if recovered:
        back = "\n\nWorking again:\n" + "\n".join(f"- {_link(url)}" for url in sorted(recovered))
    return f"The link check{when} found no broken links among {len(report.results)}{run}.{recheck} Closing.{back}"
