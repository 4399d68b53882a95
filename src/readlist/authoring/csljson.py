"""Read a CSL-JSON export (Zotero, Mendeley, Better BibTeX, citeproc tools) into Records.

The standard library parses the JSON; each top-level item is decoded on its
own (`raw_decode`) so that every record keeps the line it starts on for the
report. A file that is not JSON, or not an array of objects, is a ReadError
with its line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .references import Problem, ReadError, Record, arxiv_id, clean, read_text


def _items(path: Path, text: str) -> list[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] == "{":  # one record, or {"items": [...]}
        data = json.loads(text)
        if isinstance(data.get("items"), list):
            return [(1, item) for item in data["items"]]
        return [(text.count("\n", 0, start) + 1, data)]
    if text[start : start + 1] != "[":
        raise ReadError(f"{path}: a CSL-JSON export is an array of objects")
    items = []
    pos = start + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        value, end = decoder.raw_decode(text, pos)
        items.append((text.count("\n", 0, pos) + 1, value))
        pos = end
    return items


def _name(person: Any) -> str:
    if not isinstance(person, dict):
        return clean(str(person))
    if person.get("literal"):
        return clean(str(person["literal"]))
    parts = [
        person.get("given"),
        person.get("dropping-particle"),
        person.get("non-dropping-particle"),
        person.get("family"),
    ]
    name = " ".join(str(p) for p in parts if p)
    if person.get("suffix"):
        name += f", {person['suffix']}"
    return clean(name)


def _year(issued: Any) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        for key in ("raw", "literal"):
            if issued.get(key):
                return str(issued[key])
    return str(issued) if isinstance(issued, (str, int)) else ""


def read(path: Path) -> tuple[list[Record], list[Problem]]:
    text = read_text(path)
    records: list[Record] = []
    problems: list[Problem] = []
    for line, item in _items(path, text):
        if not isinstance(item, dict):
            problems.append(Problem(line, f"not a CSL item (a JSON {type(item).__name__}); skipped"))
            continue
        note = str(item.get("note") or "")
        number = str(item.get("number") or "")
        arxiv = ""
        for candidate in (number, *re.findall(r"arXiv:\s*(\S+)", note, re.I)):
            if arxiv_id(candidate):
                arxiv = candidate
                break
        keywords = [k for k in re.split(r"[,;]", str(item.get("keyword") or "")) if k.strip()]
        authors = item.get("author") or item.get("editor") or []
        records.append(
            Record(
                line=line,
                key=str(item.get("id") or item.get("citation-key") or ""),
                type=str(item.get("type") or ""),
                title=clean(str(item.get("title") or "")),
                authors=[n for n in (_name(p) for p in authors if p) if n] if isinstance(authors, list) else [],
                year=_year(item.get("issued")),
                doi=str(item.get("DOI") or ""),
                arxiv=arxiv,
                url=str(item.get("URL") or ""),
                keywords=keywords,
            )
        )
    if not records and not problems:
        raise ReadError(f"{path}: no records found")
    return records, problems
