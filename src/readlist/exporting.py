"""The Catalog in the formats readers use: JSON, CSV, BibTeX and an Atom feed.

Pure functions of a Catalog that return text. The CLI writes them to a file
or to standard output; the site plugin publishes them next to the pages. No
MkDocs, no network, no terminal here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

from . import newness, urls
from .models import Catalog, Entry, Topic
from .text import markdown_html

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"


# -- JSON -------------------------------------------------------------------------


def _entry_record(catalog: Catalog, entry: Entry) -> dict[str, Any]:
    record: dict[str, Any] = {"id": entry.id}
    record.update(entry.model_dump(mode="json", exclude_none=True))
    for empty in [k for k, v in record.items() if v == []]:
        del record[empty]
    record["topic_path"] = [t.id for t in catalog.topic_path(entry.topic)]
    record["minutes"] = round(entry.minutes(), 1) if entry.length else None
    record["words"] = entry.words()
    record["lists"] = [reading_list.id for reading_list in catalog.lists_of(entry.id)]
    return record


def _topic_record(topic: Topic) -> dict[str, Any]:
    record: dict[str, Any] = {"id": topic.id, "title": topic.title}
    if topic.description:
        record["description"] = topic.description
    record["children"] = [_topic_record(child) for child in topic.children]
    return record


def export_json(catalog: Catalog) -> str:
    """Topics, entries (in reading order) and lists as one JSON document, on
    one line: every consumer parses it, and `indent=` would make `json` use its
    pure-Python encoder, slow for a catalog of thousands of entries."""
    document = {
        "topics": [_topic_record(topic) for topic in catalog.topics],
        "entries": [_entry_record(catalog, entry) for entry in catalog.ordered_entries()],
        "lists": [
            {"id": list_id, **reading_list.model_dump(mode="json", exclude_none=True)}
            for list_id, reading_list in sorted(catalog.lists.items())
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- CSV ----------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "url",
    "topic",
    "tier",
    "kind",
    "length",
    "minutes",
    "authors",
    "year",
    "added",
    "tags",
    "aka",
    "lists",
    "archived",
    "summary",
)


def export_csv(catalog: Catalog) -> str:
    """One row per entry, in reading order; list fields joined with '; '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in catalog.ordered_entries():
        writer.writerow(
            [
                entry.id,
                entry.title,
                entry.url,
                entry.topic,
                entry.tier,
                entry.kind or "",
                entry.length or "",
                round(entry.minutes(), 1) if entry.length else "",
                "; ".join(entry.authors),
                entry.year or "",
                entry.added.isoformat() if entry.added else "",
                "; ".join(entry.tags),
                "; ".join(entry.aka),
                "; ".join(rl.id for rl in catalog.lists_of(entry.id)),
                entry.archived or "",
                entry.summary.strip(),
            ]
        )
    return buffer.getvalue()


# -- BibTeX ---------------------------------------------------------------------

_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_TYPES = {"book": "book", "thesis": "phdthesis", "chapter": "incollection"}


_BIB_TABLE = str.maketrans(_BIB_SPECIAL)


def _bib_escape(text: str) -> str:
    return " ".join(text.split()).translate(_BIB_TABLE)


def _bib_key(entry_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "", entry_id)


def bibtex_entry(entry: Entry) -> str:
    """One reading as a BibTeX record keyed by its id (readings.bib holds them
    all; each reading's page shows its own)."""
    paper = urls.arxiv_id(entry.url)
    if entry.kind in _BIB_TYPES:
        entry_type = _BIB_TYPES[entry.kind]
    elif paper or entry.kind == "paper":
        entry_type = "article" if paper else "misc"
    else:
        entry_type = "misc"
    fields: list[tuple[str, str]] = [("title", "{" + _bib_escape(entry.title) + "}")]
    if entry.authors:
        fields.append(("author", " and ".join(_bib_escape(a) for a in entry.authors)))
    if entry.year:
        fields.append(("year", str(entry.year)))
    if paper:
        fields += [
            ("journal", f"arXiv preprint arXiv:{paper}"),
            ("eprint", paper),
            ("archivePrefix", "arXiv"),
        ]
    if name := urls.doi(entry.url):
        fields.append(("doi", name))
    fields.append(("url", entry.url))
    if entry_type == "misc":
        fields.append(("howpublished", "\\url{" + entry.url + "}"))
    if entry.kind and entry_type == "misc":
        fields.append(("note", entry.kind.capitalize()))
    if entry.tags:
        fields.append(("keywords", ", ".join(entry.tags)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{_bib_key(entry.id)},\n{body}\n}}\n"


def export_bibtex(catalog: Catalog) -> str:
    """Every entry as a BibTeX record keyed by its id (UTF-8, for biber/bibtex8)."""
    return "\n".join(bibtex_entry(entry) for entry in catalog.ordered_entries())


# -- Atom ------------------------------------------------------------------------


def latest_additions(
    catalog: Catalog,
    limit: int = FEED_SIZE,
    since: dt.date | None = None,
) -> list[Entry]:
    """Entries added after the list's first import (`newness.first_import`:
    `since`, else the earliest `added` date), newest first (ties: reading
    order). A list imported in one go has none yet."""
    start = newness.first_import(catalog, since)
    dated = [
        (-e.added.toordinal(), n, e)
        for n, e in enumerate(catalog.ordered_entries())
        if e.added and newness.added_after_import(e, start)
    ]
    dated.sort(key=lambda item: item[:2])
    return [e for _, _, e in dated[:limit]]


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _tag_uri(entry: Entry) -> str:
    """A stable id that does not change when the site moves (RFC 4151)."""
    assert entry.added is not None
    return f"tag:readlist,{entry.added.isoformat()}:{entry.id}"


def _slug_for_feed(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "readlist"


def atom_feed(
    catalog: Catalog,
    site_url: str | None,
    *,
    title: str = "Latest additions",
    limit: int = FEED_SIZE,
    feed_path: str = "feed.xml",
    since: dt.date | None = None,
) -> str:
    """An Atom 1.0 feed of the latest additions: readings added after the
    list's first import (see `latest_additions`), so subscribers hear of
    what joins the list, not of the list itself.

    Each item links to the reading itself and has a stable `tag:` id; with
    `site_url` the feed links to the site and to itself.
    """
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    entries = latest_additions(catalog, limit, since)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", title)
    if site_url:
        base = site_url.rstrip("/") + "/"
        sub(feed, "id", base)
        sub(feed, "link", href=base, rel="alternate", type="text/html")
        sub(feed, "link", href=base + feed_path.lstrip("/"), rel="self", type="application/atom+xml")
    else:
        sub(feed, "id", f"urn:readlist:{_slug_for_feed(title)}")
    newest = entries[0].added if entries and entries[0].added else dt.date(1970, 1, 1)
    sub(feed, "updated", _stamp(newest))
    sub(feed, "generator", "readlist")
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "title", entry.title)
        sub(item, "id", _tag_uri(entry))
        sub(item, "link", href=entry.url, rel="alternate")
        assert entry.added is not None
        sub(item, "updated", _stamp(entry.added))
        sub(item, "published", _stamp(entry.added))
        for name in entry.authors or ["readlist"]:
            author = sub(item, "author")
            sub(author, "name", name)
        path = catalog.topic_path(entry.topic)
        for topic in path[-1:]:
            sub(item, "category", term=topic.id, label=topic.title)
        sub(item, "summary", str(markdown_html(entry.summary)), type="html")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def export(catalog: Catalog, fmt: str) -> str:
    """Dispatch for the CLI: 'json', 'csv' or 'bibtex'."""
    return {"json": export_json, "csv": export_csv, "bibtex": export_bibtex}[fmt](catalog)
