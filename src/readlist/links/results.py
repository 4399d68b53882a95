"""The result of checking one URL, as reports, caches and shards exchange it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .policy import FAILURES, OUTCOMES


@dataclass
class Result:
    url: str
    outcome: str
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    attempts: int = 0
    elapsed_ms: int = 0
    files: list = field(default_factory=list)      # [{"path": str, "line": int}]
    suggestion: str | None = None                  # the new URL of a permanent redirect
    checked_at: float = 0.0                        # unix time of the check
    cached: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    def to_json(self) -> dict:
        # What dataclasses.asdict gives, written out: asdict deep-copies
        # recursively and costs ~40 us a result, a long tail on big runs.
        return {
            "url": self.url, "outcome": self.outcome, "status": self.status,
            "final_url": self.final_url, "error": self.error, "attempts": self.attempts,
            "elapsed_ms": self.elapsed_ms, "files": [dict(place) for place in self.files],
            "suggestion": self.suggestion, "checked_at": self.checked_at, "cached": self.cached,
        }

    @classmethod
    def from_json(cls, data: dict) -> Result:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if known.get("outcome") not in OUTCOMES:
            raise ValueError(f"unknown outcome {known.get('outcome')!r} for {known.get('url')!r}")
        return cls(**known)


def summarize(results) -> dict:
    counts = {name: 0 for name in OUTCOMES}
    for result in results:
        counts[result.outcome] += 1
    counts["total"] = sum(counts.values())
    counts["failed"] = sum(counts[name] for name in FAILURES)
    return counts
