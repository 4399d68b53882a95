"""Catalog -> {url: [(path, line)]}: every URL the readings cite, and where;
and the one filter that decides which of them a run checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..models import Catalog, Loc
from .cache import Cache
from .results import LinkResult
from .settings import LinkSettings

Places = dict[str, list[tuple[Path, int]]]


def collect(catalog: Catalog) -> Places:
    """Every URL the models cite (``Entry.cited_urls``, ``ReadingList.cited_urls``:
    the one list of which fields are URLs to check).

    Each URL appears once, with every file and line that cites it, in catalog
    order (entries by file name, then lists)."""
    found: Places = {}

    def add(url: str, path: Path, loc: Loc) -> None:
        line, _ = catalog.locate(path, loc)
        places = found.setdefault(url, [])
        if (path, line) not in places:
            places.append((path, line))

    for entry_id, entry in catalog.entries.items():
        path = catalog.entry_files[entry_id]
        for url, loc in entry.cited_urls():
            add(url, path, loc)
    for list_id, reading_list in catalog.lists.items():
        path = catalog.list_files[list_id]
        for url, loc in reading_list.cited_urls():
            add(url, path, loc)
    return found


def in_shard(url: str, index: int, count: int) -> bool:
    """Whether `url` is in the `index`-th of `count` parts: a stable hash, so
    every shard of a CI matrix agrees without talking to the others."""
    digest = hashlib.sha1(url.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


@dataclass
class Selection:
    """What a run reports (`found`), and of that what it asks the network
    about (`todo`); the rest are fresh successes from the cache (`cached`)."""

    found: Places
    todo: list[str]
    cached: dict[str, LinkResult] = field(default_factory=dict)


def select(
    found: Places,
    settings: LinkSettings,
    cache: Cache,
    changed: set[Path] | None = None,
    shard: tuple[int, int] | None = None,
) -> Selection:
    """The filter: citations in the `changed` files (resolved paths) only,
    URLs of this `shard` only, and of those the ones not fresh in the cache
    (an excluded URL is never served from it: it is reported ``skipped``)."""
    if changed is not None:
        kept: Places = {}
        for url, places in found.items():
            if here := [(p, line) for p, line in places if Path(p).resolve() in changed]:
                kept[url] = here
        found = kept
    if shard is not None:
        found = {url: places for url, places in found.items() if in_shard(url, *shard)}
    selection = Selection(found, [])
    for url in found:
        hit = None if settings.excluded(url) else cache.get(url)
        if hit is None:
            selection.todo.append(url)
        else:
            selection.cached[url] = hit
    return selection
