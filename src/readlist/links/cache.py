"""A JSON cache of results with an age limit, and each URL's failure history.

A CI run re-checks only what is stale; failures (broken, timeout, error) are
never served from it. Per URL it also keeps when the current run of failures
began and how many checks in a row failed: reports say "failing since DATE
(N checks)", and the weekly issue waits for N to reach its threshold before
it calls a link broken (a host that flaps for a day is not link rot). A
proxy's error is no check of the link and leaves its history as it was.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..files import atomic_write
from .results import FAILURES, LinkResult

VERSION = 2
READABLE = (1, 2)  # version 1 had no history; its entries read as no failures yet


class Cache:
    def __init__(self, path: Path | None, max_age: float) -> None:
        self.path = path
        self.max_age = max_age
        self.entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") in READABLE:
                    self.entries = dict(data.get("results", {}))
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a damaged cache is only a slower run

    def get(self, url: str, now: float | None = None) -> LinkResult | None:
        """A fresh cached success of `url`, or None (stale, failing, unknown)."""
        data = self.entries.get(url)
        if not data or data.get("outcome") in FAILURES:
            return None
        now = time.time() if now is None else now
        if now - float(data.get("checked_at", 0)) > self.max_age:
            return None
        try:
            result = LinkResult.from_json({"url": url, **data})
        except (TypeError, ValueError):
            return None
        result.cached = True
        result.files = []
        return result

    def record(self, result: LinkResult) -> None:
        """Keep a new result, carrying the URL's failure history on into it."""
        if result.cached:
            return
        before = self.entries.get(result.url) or {}
        if not result.checked:
            # The proxy failed, the link was not checked: its history stands
            # (counting it would list every link as broken after a proxy outage).
            result.failures = int(before.get("failures") or 0)
            result.failing_since = before.get("failing_since") if result.failures else None
            result.archived = before.get("archived")
        elif result.failed:
            streak = int(before.get("failures") or 0)
            since = before.get("failing_since") if streak else None
            result.failures = streak + 1
            result.failing_since = float(since) if since is not None else result.checked_at
            if not result.archived and before.get("archived"):
                result.archived = before["archived"]  # no second look-up while it stays broken
        else:
            result.failures, result.failing_since = 0, None
        data = result.to_json()
        for key in ("url", "files", "cached"):
            data.pop(key, None)
        self.entries[result.url] = data

    def note_archived(self, url: str, snapshot: str) -> None:
        """The archived copy found for a failing URL already recorded."""
        self.entries[url]["archived"] = snapshot

    def keep(self, result: LinkResult) -> None:
        """Keep a result as it is, history included (results merged from
        shard reports, each already carried on by its shard's cache)."""
        if result.cached and result.url in self.entries:
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
