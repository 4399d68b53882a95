"""Catalog -> {url: [(path, line), ...]}: every URL the readings cite, and where."""

from __future__ import annotations

from pathlib import Path


def collect(catalog) -> dict[str, list[tuple[Path, int]]]:
    """Every URL the models cite (``Entry.cited_urls``, ``ReadingList.cited_urls``:
    the one list of which fields are URLs to check).

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
        for url, loc in entry.cited_urls():
            add(url, path, loc)
    for list_id, reading_list in catalog.lists.items():
        path = catalog.list_files[list_id]
        for url, loc in reading_list.cited_urls():
            add(url, path, loc)
    return found


def only_files(found: dict, files: set[Path]) -> dict:
    """Keep the citations in `files` (resolved paths), and the URLs they cite."""
    out = {}
    for url, places in found.items():
        kept = [(p, line) for p, line in places if Path(p).resolve() in files]
        if kept:
            out[url] = kept
    return out
