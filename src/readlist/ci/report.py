"""A link-check report as written by `readlist check-links --format json`.

The shape is the one docs/reference/link-checking.md documents::

    {"summary": {...counts...},
     "results": [{"url", "outcome", "status", "final_url", "error", "attempts",
                  "elapsed_ms", "files": [{"path", "line"}]}]}

Only `url` and `outcome` are required of a result; everything else is read
when present, so reports from older or newer checkers still render.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..links.results import OUTCOMES, LinkResult


class ReportError(UsageError):
    """The file given as --report is not a link-check report. Exit 2."""


@dataclass(frozen=True)
class Report:
    results: tuple[LinkResult, ...]
    summary: dict[str, Any] = field(default_factory=dict)

    def by_outcome(self, outcome: str) -> list[LinkResult]:
        return sorted((r for r in self.results if r.outcome == outcome), key=lambda r: r.url)

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.outcome for r in self.results)

    @property
    def failing(self) -> list[LinkResult]:
        return [r for r in sorted(self.results, key=lambda r: r.url) if r.failed]

    @property
    def unchecked(self) -> list[LinkResult]:
        """Links the proxy failed to carry (kind ``proxy``): no news of the site."""
        return [r for r in self.failing if not r.checked]

    def confirmed(self, after: int) -> list[LinkResult]:
        """Failing links that failed `after` checks in a row, or whose history
        is unknown (a run without the cache cannot tell a flap from rot)."""
        return [r for r in self.failing if not 0 < r.failures < after and r.checked]

    def pending(self, after: int) -> list[LinkResult]:
        """Failing links with fewer than `after` failed checks in a row: rechecked first."""
        return [r for r in self.failing if 0 < r.failures < after and r.checked]


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
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ReportError("not a link-check report: expected an object with a 'results' list")
    results = tuple(_result(r, f"results[{i}]") for i, r in enumerate(data["results"]))
    summary = data["summary"] if isinstance(data.get("summary"), dict) else {}
    return Report(results, summary)


def load_report(path: Path) -> Report:
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
