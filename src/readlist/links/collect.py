"""Catalog -> {url: [(path, line), ...]}: every URL the readings cite, and where."""

from __future__ import annotations

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


def first_urls(root: Path, limit: int) -> list[str]:
    """The URLs of the first entry files, read as plain YAML, unvalidated.

    Used only to start the first round of checks while pydantic is still
    being imported (the slowest step before the first validated file): a
    result is reported only if the validated catalog cites the URL, so the
    report is the same; a file that fails validation may at most have had
    its URL asked once. Files with anchors, tags or over 1 MiB are skipped
    here, as loading refuses them.
    """
    import os

    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # every scalar a str
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
            if len(raw) > 1024 * 1024 or b"&" in raw or b"*" in raw or b"!" in raw:
                continue
            data = yaml.load(raw, Loader=loader)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if not isinstance(data, dict):
            continue
        found = [data.get("url"), data.get("archived")]
        links = data.get("links")
        if isinstance(links, list):
            found += [link.get("url") for link in links if isinstance(link, dict)]
        out += [url for url in found if isinstance(url, str) and url.startswith(("http://", "https://"))]
    return out


def only_files(found: dict, files: set[Path]) -> dict:
    """Keep the citations in `files` (resolved paths), and the URLs they cite."""
    out = {}
    for url, places in found.items():
        kept = [(p, line) for p, line in places if Path(p).resolve() in files]
        if kept:
            out[url] = kept
    return out
