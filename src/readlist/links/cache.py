"""A JSON cache of results with an age limit: a CI run re-checks only what
is stale. Failures (broken, timeout, error) are never served from it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..files import atomic_write
from .policy import FAILURES
from .results import Result

VERSION = 1


class Cache:
    def __init__(self, path: Path | None, max_age: float) -> None:
        self.path = path
        self.max_age = max_age
        self.entries: dict[str, dict] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == VERSION:
                    self.entries = dict(data.get("results", {}))
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a damaged cache is only a slower run

    def get(self, url: str, now: float | None = None) -> Result | None:
        data = self.entries.get(url)
        if not data or data.get("outcome") in FAILURES:
            return None
        now = time.time() if now is None else now
        if now - float(data.get("checked_at", 0)) > self.max_age:
            return None
        try:
            result = Result.from_json({"url": url, **data})
        except (TypeError, ValueError):
            return None
        result.cached = True
        result.files = []
        return result

    def put(self, result: Result) -> None:
        if result.cached:
            return
        data = result.to_json()
        for key in ("url", "files", "cached"):
            data.pop(key, None)
        self.entries[result.url] = data

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps({"version": VERSION, "results": self.entries}, sort_keys=True))
