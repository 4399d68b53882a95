"""Catalog -> {url: [(path, line), ...]}: every URL the readings cite, and where."""

from __future__ import annotations

import re
from pathlib import Path


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
    from ..models import ReadingList

    out = []
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


# A top-level `url:` or `archived:` whose value is a plain http(s) URL with no
# spaces or quotes: YAML reads such a line as exactly that string (a plain
# scalar ends only at " #", a comment, or at the end of the line; a "#" inside
# the URL is kept), so no parser is needed.
_PLAIN_URL_LINE = re.compile(rb"^(?:url|archived):[ \t]+(https?://[^\s'\"]+(?<!:))(?:[ \t]+#.*|[ \t]*)$", re.M)


def first_urls(root: Path, limit: int) -> list[str]:
    """The URLs of the first entry files, before anything is validated.

    Used only to start the first round of checks while pydantic is still
    being imported (the slowest step before the first validated file). A
    result is reported only if the validated catalog cites the URL, so the
    report is the same; an entry that fails validation may at most have had
    its URL asked once. Lines are matched, not parsed: a faster first round,
    and an unusual line only means the URL waits for its validated file.
    """
    import os

    folder = Path(root) / "entries"
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    except OSError:
        return []
    out: list[str] = []
    for name in names:
        if len(out) >= limit:
            break
        try:
            raw = (folder / name).read_bytes()
        except OSError:
            continue
        if len(raw) <= 1024 * 1024:
            out += [m.decode("utf-8", "replace") for m in _PLAIN_URL_LINE.findall(raw)]
    return out


def only_files(found: dict, files: set[Path]) -> dict:
    """Keep the citations in `files` (resolved paths), and the URLs they cite."""
    out = {}
    for url, places in found.items():
        kept = [(p, line) for p, line in places if Path(p).resolve() in files]
        if kept:
            out[url] = kept
    return out
