"""Render results as text (with a summary table), JSON, Markdown (the weekly
issue) or GitHub Actions annotations."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from .results import OUTCOMES, LinkResult, Outcome, summarize

BROKEN, TIMEOUT, ERROR, REDIRECTED, BLOCKED, SKIPPED, OK = (
    Outcome.BROKEN,
    Outcome.TIMEOUT,
    Outcome.ERROR,
    Outcome.REDIRECTED,
    Outcome.BLOCKED,
    Outcome.SKIPPED,
    Outcome.OK,
)
ORDER = {name: i for i, name in enumerate(OUTCOMES)}
NOTEWORTHY = (BROKEN, TIMEOUT, ERROR, REDIRECTED, BLOCKED)


def ordered(results: Iterable[LinkResult]) -> list[LinkResult]:
    return sorted(results, key=lambda r: (ORDER.get(r.outcome, 99), r.url))


def _where(result: LinkResult) -> str:
    return ", ".join(f"{f['path']}:{f['line']}" for f in result.files) or "-"


def _detail(result: LinkResult) -> str:
    parts = []
    if result.status:
        parts.append(str(result.status))
    if result.suggestion:
        parts.append(f"-> {result.suggestion}")
    elif result.final_url and result.final_url != result.url and result.outcome != "ok":
        parts.append(f"at {result.final_url}")
    if result.error:
        parts.append(result.error)
    if result.attempts > 1:
        parts.append(f"{result.attempts} attempts")
    if since := failing_since(result):
        parts.append(f"({since})")
    if result.archived:
        parts.append(f"archived: {result.archived}")
    return " ".join(parts)


def failing_since(result: LinkResult) -> str | None:
    """'failing since 2026-11-02 (3 checks)' when the cache knows the history."""
    if not result.failed or not result.failing_since or not result.failures:
        return None
    day = dt.datetime.fromtimestamp(result.failing_since, dt.UTC).date().isoformat()
    return f"failing since {day} ({result.failures} check{'s' if result.failures != 1 else ''})"


def render(results: Iterable[LinkResult], fmt: str, elapsed: float | None = None) -> str:
    listed = ordered(results)
    return {"text": text, "json": as_json, "markdown": markdown, "github": github}[fmt](listed, elapsed)


def text(results: list[LinkResult], elapsed: float | None = None) -> str:
    lines = []
    for r in results:
        if r.outcome in NOTEWORTHY:
            for f in r.files or [{"path": "-", "line": 0}]:
                lines.append(f"{f['path']}:{f['line']}: {r.outcome}: {r.url} {_detail(r)}".rstrip())
    counts = summarize(results)
    if lines:
        lines.append("")
    width = max(len(n) for n in OUTCOMES)
    lines.append(f"{'outcome':<{width}}  count")
    for name in OUTCOMES:
        if counts[name]:
            lines.append(f"{name:<{width}}  {counts[name]:>5}")
    lines.append(f"{'total':<{width}}  {counts['total']:>5}")
    cached = sum(1 for r in results if r.cached)
    tail = []
    if cached:
        tail.append(f"{cached} from cache")
    if elapsed is not None:
        tail.append(f"{elapsed:.1f}s")
    if tail:
        lines.append("(" + ", ".join(tail) + ")")
    return "\n".join(lines)


def as_json(results: list[LinkResult], elapsed: float | None = None) -> str:
    summary: dict[str, float] = dict(summarize(results))
    if elapsed is not None:
        summary["elapsed_s"] = round(elapsed, 3)
    # Compact: the C encoder (an indent means the pure-Python one, ~10 us a
    # result); the report is for programs, `--format text` is for people.
    return json.dumps({"summary": summary, "results": [r.to_json() for r in results]})


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(results: list[LinkResult], elapsed: float | None = None) -> str:
    counts = summarize(results)
    out = ["## Link check", ""]
    failing = counts["failed"]
    out.append(
        f"{failing} failing link(s) out of {counts['total']} checked."
        if failing
        else f"All {counts['total']} links are fine (none broken, timed out or in error)."
    )
    out += ["", "| outcome | count |", "| --- | ---: |"]
    out += [f"| {name} | {counts[name]} |" for name in OUTCOMES if counts[name]]
    titles = {
        BROKEN: "Broken",
        TIMEOUT: "Timed out",
        ERROR: "Errors",
        REDIRECTED: "Moved permanently (run `readlist check-links --fix`)",
        BLOCKED: "Blocked (the site refuses automated clients; check by hand)",
    }
    for name in NOTEWORTHY:
        group = [r for r in results if r.outcome == name]
        if not group:
            continue
        out += ["", f"### {titles[name]} ({len(group)})", "", "| URL | detail | cited in |", "| --- | --- | --- |"]
        for r in group:
            where = "<br>".join(f"`{f['path']}:{f['line']}`" for f in r.files) or "-"
            out.append(f"| <{_md(r.url)}> | {_md(_detail(r))} | {where} |")
    return "\n".join(out)


def _escape(value: str, prop: bool = False) -> str:
    value = str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(results: list[LinkResult], elapsed: float | None = None) -> str:
    lines = []
    for r in results:
        if r.outcome not in NOTEWORTHY:
            continue
        level = "error" if r.failed else "warning"
        message = _escape(f"{r.outcome}: {r.url} {_detail(r)}".rstrip())
        for f in r.files or [{"path": "", "line": 0}]:
            props = f"file={_escape(f['path'], True)},line={f['line']}" if f["path"] else ""
            lines.append(f"::{level} {props}::{message}".replace(" ::", "::"))
    counts = summarize(results)
    lines.append(", ".join(f"{counts[n]} {n}" for n in OUTCOMES if counts[n]) or "0 links")
    return "\n".join(lines)
