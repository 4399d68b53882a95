"""Render results as text (with a summary table), JSON, Markdown (the weekly
issue) or GitHub Actions annotations."""

from __future__ import annotations

import json

from .policy import BLOCKED, BROKEN, ERROR, OUTCOMES, REDIRECTED, SKIPPED, TIMEOUT
from .results import Result, summarize

ORDER = {name: i for i, name in enumerate((BROKEN, TIMEOUT, ERROR, REDIRECTED, BLOCKED, SKIPPED, "ok"))}
NOTEWORTHY = (BROKEN, TIMEOUT, ERROR, REDIRECTED, BLOCKED)


def ordered(results) -> list[Result]:
    return sorted(results, key=lambda r: (ORDER.get(r.outcome, 99), r.url))


def _where(result: Result) -> str:
    return ", ".join(f"{f['path']}:{f['line']}" for f in result.files) or "-"


def _detail(result: Result) -> str:
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
    return " ".join(parts)


def render(results, fmt: str, elapsed: float | None = None, pieces: dict | None = None) -> str:
    """The report; ``pieces`` are JSON results made ahead by ``json_piece``."""
    results = ordered(results)
    if fmt == "json":
        return as_json(results, elapsed, pieces)
    return {"text": text, "markdown": markdown, "github": github}[fmt](results, elapsed)


def text(results, elapsed=None) -> str:
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


def json_piece(result: Result) -> str:
    """One result exactly as ``as_json`` lays it out (two levels in). With an
    indent, json runs its pure-Python encoder (~10 us a result), so the
    command makes these while it waits for the last answers."""
    return "    " + json.dumps(result.to_json(), indent=2).replace("\n", "\n    ")


def as_json(results, elapsed=None, pieces: dict | None = None) -> str:
    """``json.dumps({"summary", "results"}, indent=2)``, byte for byte, using
    ``pieces`` ({url: (result, json_piece(result))}) where still current."""
    summary = summarize(results)
    if elapsed is not None:
        summary["elapsed_s"] = round(elapsed, 3)
    if not results:
        return json.dumps({"summary": summary, "results": []}, indent=2)
    pieces = pieces or {}
    body = []
    for r in results:
        made = pieces.get(r.url)
        body.append(made[1] if made is not None and made[0] is r else json_piece(r))
    return ('{\n  "summary": ' + json.dumps(summary, indent=2).replace("\n", "\n  ")
            + ',\n  "results": [\n' + ",\n".join(body) + "\n  ]\n}")


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(results, elapsed=None) -> str:
    counts = summarize(results)
    out = ["## Link check", ""]
    failing = counts["failed"]
    out.append(
        f"{failing} failing link(s) out of {counts['total']} checked."
        if failing else f"All {counts['total']} links are fine (none broken, timed out or in error)."
    )
    out += ["", "| outcome | count |", "| --- | ---: |"]
    out += [f"| {name} | {counts[name]} |" for name in OUTCOMES if counts[name]]
    titles = {
        BROKEN: "Broken", TIMEOUT: "Timed out", ERROR: "Errors",
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


def github(results, elapsed=None) -> str:
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
