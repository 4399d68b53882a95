"""The result of checking one URL, as reports, caches and shards exchange it.

Outcomes and error kinds are enums (``StrEnum``: they are their own JSON
words), so code decides on them, never on message text."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """The outcome words, exactly as the design contract spells them, in the
    one order every report lists them: failures first, then what a person
    may act on, then the rest."""

    BROKEN = "broken"
    TIMEOUT = "timeout"
    ERROR = "error"
    REDIRECTED = "redirected"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    OK = "ok"


OUTCOMES = tuple(Outcome)
FAILURES = frozenset({Outcome.BROKEN, Outcome.TIMEOUT, Outcome.ERROR})


class ErrorKind(StrEnum):
    """Why a check did not end in a plain answer; set by the engine where the
    failure happens (an exception type or a status), not parsed from text."""

    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    RESET = "reset"
    PROTOCOL = "protocol"
    TIMEOUT = "timeout"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    BAD_URL = "bad-url"
    UNSAFE_ADDRESS = "unsafe-address"
    HTTP = "http"
    SOFT_404 = "soft-404"
    RATE_LIMITED = "rate-limited"
    REFUSED = "refused"  # 401/403/999, a login wall or a bot challenge
    PROXY = "proxy"
    EXCLUDED = "excluded"
    OTHER = "other"


@dataclass
class LinkResult:
    url: str
    outcome: Outcome
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None  # "kind" in JSON (the report's key)
    attempts: int = 0
    elapsed_ms: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)  # [{"path": str, "line": int}]
    suggestion: str | None = None  # the new URL of a permanent redirect
    archived: str | None = None  # closest Wayback snapshot of a failing URL
    checked_at: float = 0.0  # unix time of the check
    failing_since: float | None = None  # unix time of the first failure in a row
    failures: int = 0  # checks in a row that failed, this one included
    cached: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    @property
    def checked(self) -> bool:
        """False when the proxy failed to carry the request: the link itself
        was not checked, so its history, archived copy and the weekly issue
        take no news from this result."""
        return self.error_kind is not ErrorKind.PROXY

    def to_json(self) -> dict[str, Any]:
        # Fields one level deep (``asdict`` deep-copies every value, a
        # tenth of a millisecond a result); only ``files`` holds containers.
        data = {_JSON_KEYS.get(f.name, f.name): getattr(self, f.name) for f in _FIELDS}
        data["files"] = [dict(place) for place in self.files]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkResult:
        known = {f.name: data[key] for f in _FIELDS if (key := _JSON_KEYS.get(f.name, f.name)) in data}
        try:
            known["outcome"] = Outcome(str(known.get("outcome")))
        except ValueError:
            raise ValueError(f"unknown outcome {known.get('outcome')!r} for {known.get('url')!r}") from None
        if known.get("error_kind") is not None:
            try:
                known["error_kind"] = ErrorKind(known["error_kind"])
            except ValueError:
                known["error_kind"] = ErrorKind.OTHER  # a newer checker's kind
        return cls(**known)


_FIELDS = dataclasses.fields(LinkResult)
_JSON_KEYS = {"error_kind": "kind"}  # field -> key in the JSON report and cache, where they differ


def summarize(results: Iterable[LinkResult]) -> dict[str, int]:
    counts = {str(name): 0 for name in OUTCOMES}
    for result in results:
        counts[str(result.outcome)] += 1
    counts["total"] = sum(counts.values())
    counts["failed"] = sum(counts[name] for name in FAILURES)
    return counts


@dataclass
class Report:
    """A run's results: what ``readlist.links.run`` found (every cited URL's
    result, with the places that cite it, in catalog order, and the seconds
    the run took), or what ``report.load_report`` read back from a JSON
    report (the shards ``merge-reports`` joins, the weekly issue's input)."""

    results: list[LinkResult]
    elapsed: float | None = None

    @property
    def failed(self) -> bool:
        return any(result.failed for result in self.results)

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.outcome for r in self.results)

    def by_outcome(self, outcome: Outcome) -> list[LinkResult]:
        return sorted((r for r in self.results if r.outcome == outcome), key=lambda r: r.url)

    @property
    def failing(self) -> list[LinkResult]:
        return [r for r in sorted(self.results, key=lambda r: r.url) if r.failed]

    @property
    def unchecked(self) -> list[LinkResult]:
        """Links the proxy failed to carry (``checked`` is False): no news of the site."""
        return [r for r in self.failing if not r.checked]

    def confirmed(self, after: int) -> list[LinkResult]:
        """Failing links that failed `after` checks in a row, or whose history
        is unknown (a run without the cache cannot tell a flap from rot)."""
        return [r for r in self.failing if not 0 < r.failures < after and r.checked]

    def pending(self, after: int) -> list[LinkResult]:
        """Failing links with fewer than `after` failed checks in a row: rechecked first."""
        return [r for r in self.failing if 0 < r.failures < after and r.checked]
