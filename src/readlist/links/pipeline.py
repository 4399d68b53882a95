"""The link checker as a library: ``run`` takes a catalog through collect ->
filter -> check -> history -> archive look-up and returns a ``Report``;
``check`` is the engine alone, for a list of URLs. ``readlist check-links``
is arguments, ``run``, rendering and ``--fix`` around it (``command``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..diagnostics import display_path
from ..models import Catalog
from .cache import Cache
from .collect import collect, select
from .engine import Engine
from .results import LinkResult, Report
from .settings import LinkSettings


def check(
    urls: Iterable[str], settings: LinkSettings | None = None, on_result: Callable[[LinkResult], None] | None = None
) -> list[LinkResult]:
    """Check each distinct URL once, in an event loop of its own (so call it
    from synchronous code); `on_result` hears of each result as it is known.
    A bug in the checker raises here: it is never a link's result."""
    engine = Engine(settings or LinkSettings(), on_result=on_result)
    return list(asyncio.run(engine.run(dict.fromkeys(urls))).values())


def run(
    catalog: Catalog,
    settings: LinkSettings,
    cache: Cache,
    *,
    changed: set[Path] | None = None,
    shard: tuple[int, int] | None = None,
    archive: bool = True,
    on_todo: Callable[[int], None] | None = None,
    on_result: Callable[[LinkResult], None] | None = None,
) -> Report:
    """Check what `catalog` cites: the citations in `changed` files only (if
    given), this `shard`'s URLs only, and of those the ones `cache` has no
    fresh success for; record each new result's history in `cache` (the
    caller saves it); look up archived copies of failing links (`archive`).
    Every reported result carries the places that cite it."""
    started = time.monotonic()
    selection = select(collect(catalog), settings, cache, changed, shard)
    if on_todo is not None:
        on_todo(len(selection.todo))
    checked = {result.url: result for result in check(selection.todo, settings, on_result)}
    for url in selection.todo:
        cache.record(checked[url])  # history first: archive look-ups only for lasting failures' news
    if archive and settings.archive_lookup:
        lost = [
            url for url in selection.todo if checked[url].failed and checked[url].checked and not checked[url].archived
        ]
        if lost:
            # Imported here: a run with nothing broken never pays for httpx.
            from .archive import snapshots

            for url, snapshot in snapshots(lost, settings.wayback_api, settings.timeout).items():
                checked[url].archived = snapshot
                cache.note_archived(url, snapshot)
    results = []
    for url, places in selection.found.items():
        result = checked.get(url) or selection.cached[url]
        result.files = [{"path": display_path(path), "line": line} for path, line in places]
        results.append(result)
    return Report(results, time.monotonic() - started)
