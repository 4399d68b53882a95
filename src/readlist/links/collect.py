"""Catalog -> {url: [(path, line), ...]}: every URL the readings cite, and where."""

from __future__ import annotations

from pathlib import Path

from ..models import ReadingList


def collect(catalog) -> dict[str, list[tuple[Path, int]]]:
    """Entry ``url``, ``links[].url`` and ``archived``, and list ``source.url``.

    Each URL appears once, with every file and line that cites it, in catalog
    order (entries by file name, then lists)."""
    found: dict[str, list[tuple[Path, int]]] = {}

    def add(url: str, path: Path, loc: tuple) -> None:
        line, _ = catalog.locate(path, loc)
        places = found.setdefault(url, [])
        if (path, line) not in places:
            places.append((path, line))

    for entry_id, entry in catalog.entries.items():
        path = catalog.entry_files[entry_id]
        for url, loc in citations(entry):
            add(url, path, loc)
    for list_id, reading_list in catalog.lists.items():
        path = catalog.list_files[list_id]
        for url, loc in citations(reading_list):
            add(url, path, loc)
    return found


def citations(model) -> list[tuple[str, tuple]]:
    """(url, location in the file) of every URL one entry or list cites."""
    out: list[tuple[str, tuple]] = []
    if isinstance(model, ReadingList):
        source = model.source
        if source is not None and source.url:
            out.append((str(source.url), ("source", "url")))
        return out
    if model.url:
        out.append((str(model.url), ("url",)))
    for index, link in enumerate(getattr(model, "links", None) or ()):
        if link.url:
            out.append((str(link.url), ("links", index, "url")))
    if getattr(model, "archived", None):
        out.append((str(model.archived), ("archived",)))
    return out


def only_files(found: dict, files: set[Path]) -> dict:
    """Keep the citations in `files` (resolved paths), and the URLs they cite."""
    out = {}
    for url, places in found.items():
        kept = [(p, line) for p, line in places if Path(p).resolve() in files]
        if kept:
            out[url] = kept
    return out
