"""A run's report, both ways: rendered as text (with a summary table),
JSON, Markdown or GitHub Actions annotations; and a JSON report read back
(``load_report``) by ``merge-reports`` and the weekly issue alike.

The JSON shape is the one docs/reference/link-checking.md documents::

    {"summary": {...counts...},
     "results": [{"url", "outcome", "status", "final_url", "error", "kind",
                  "attempts", "elapsed_ms", "files": [{"path", "line"}], ...}]}

Only `url` and `outcome` are required of a result read back; everything
else is read when present, so reports from older or newer checkers still
render.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .results import OUTCOMES, LinkResult, Outcome, Report, summarize

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


# -- reading a JSON report back ----------------------------------------------------------
class ReportError(UsageError):
    """A file given as a report is not a check-links JSON report. Exit 2."""


def _citation(item: object, where: str) -> dict[str, Any]:
    if isinstance(item, str):
        return {"path": item, "line": None}
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise ReportError(f"{where}: a file must be {{'path': ..., 'line': ...}}")
    line = item.get("line")
    return {"path": item["path"], "line": line if isinstance(line, int) else None}


def _result(item: object, where: str) -> LinkResult:
    """Check one result strictly enough to render it, then read it as the checker does."""
    if not isinstance(item, dict):
        raise ReportError(f"{where}: a result must be an object")
    url, outcome = item.get("url"), item.get("outcome")
    if not isinstance(url, str) or not url:
        raise ReportError(f"{where}: 'url' is missing")
    if outcome not in OUTCOMES:
        raise ReportError(f"{where}: unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
    files = item.get("files") or []
    if not isinstance(files, list):
        raise ReportError(f"{where}: 'files' must be a list")
    status, attempts = item.get("status"), item.get("attempts")
    failures, since, archived = item.get("failures"), item.get("failing_since"), item.get("archived")
    kind = item.get("kind")
    return LinkResult.from_json(
        {
            **item,
            "kind": kind if isinstance(kind, str) else None,
            "failures": failures if isinstance(failures, int) and failures >= 0 else 0,
            "failing_since": since if isinstance(since, (int, float)) and not isinstance(since, bool) else None,
            "archived": archived
            if isinstance(archived, str) and archived.startswith(("http://", "https://"))
            else None,
            "status": status if isinstance(status, int) else None,
            "final_url": item.get("final_url") or None,
            "error": item.get("error") or None,
            "attempts": attempts if isinstance(attempts, int) else 0,
            "files": [_citation(f, f"{where}.files[{i}]") for i, f in enumerate(files)],
        }
    )


def parse_report(data: object) -> Report:
    """A report from parsed JSON; its summary is not read (the results say it)."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ReportError("not a link-check report: expected an object with a 'results' list")
    return Report([_result(r, f"results[{i}]") for i, r in enumerate(data["results"])])


def load_report(path: Path) -> Report:
    """The report in the JSON file at `path`; a ``ReportError`` naming the
    file (and the line and column of bad JSON) when it is none."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    try:
        return parse_report(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None
