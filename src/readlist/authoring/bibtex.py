"""Read a BibTeX export (Zotero, Better BibTeX, Mendeley, JabRef) into Records.

bibtexparser 2.x splits the file, resolves `@string` macros, removes the outer
quotes or braces and splits authors into name parts; pylatexenc (which
bibtexparser itself uses for LaTeX decoding) turns accents and braces into
plain Unicode (`{\\"o}` -> ö, `{{Title Case}}` -> Title Case). Concatenations
(`macro # " text"`), which bibtexparser 2 leaves as written, are joined here.
Blocks bibtexparser could not parse, and duplicate keys, become Problems with
their line.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]  # no stubs

from .references import Problem, ReadError, Record, arxiv_id, clean, read_text

_DECODER = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
# keyword-like fields: Zotero/Better BibTeX `keywords`, JabRef `groups`, Mendeley `mendeley-tags`/`mendeley-groups`
_KEYWORD_FIELDS = ("keywords", "groups", "mendeley-tags", "mendeley-groups")
_PART = re.compile(r'\s*(?:\{(?P<braced>(?:[^{}]|\{[^{}]*\})*)\}|"(?P<quoted>[^"]*)"|(?P<word>[\w:.+-]+))\s*')


def _latex(text: str) -> str:
    try:
        return clean(_DECODER.latex_to_text(text))
    except Exception:  # pylatexenc refuses some malformed input: keep it as written
        return clean(text.replace("{", "").replace("}", ""))


def _concat(value: str, strings: dict[str, str]) -> str:
    """`a # "b" # {c}` joined, macros resolved; anything else unchanged."""
    if "#" not in value:
        return value
    pieces = value.split("#")
    out = []
    for piece in pieces:
        match = _PART.fullmatch(piece)
        if not match:
            return value
        if match.group("braced") is not None:
            out.append(match.group("braced"))
        elif match.group("quoted") is not None:
            out.append(match.group("quoted"))
        else:
            word = match.group("word")
            out.append(strings.get(word.lower(), word))
    return "".join(out)


def _name(parts: middlewares.names.NameParts) -> str:
    name = " ".join(_latex(p) for p in (*parts.first, *parts.von, *parts.last) if p)
    if parts.jr:
        name += ", " + " ".join(_latex(p) for p in parts.jr)
    return clean(name)


def read(path: Path) -> tuple[list[Record], list[Problem]]:
    text = read_text(path)
    if "@" not in text:
        raise ReadError(f"{path}: no @entry found; is this a BibTeX file?")
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its failures are reported below
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    strings = {s.key.lower(): str(s.value) for s in library.strings}
    records: list[Record] = []
    problems: list[Problem] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(Problem(line, f"{block.error}: the first one is imported, this one skipped"))
        else:
            first = (block.raw or "").strip().splitlines()[:1]
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
            problems.append(
                Problem(
                    line,
                    f"could not parse {first[0][:60] if first else 'a block'!r}: {' '.join(reason.split())}; skipped",
                )
            )
    for entry in library.entries:
        records.append(_record(entry, strings))
    if not records and not problems:
        raise ReadError(f"{path}: no @entry found; is this a BibTeX file?")
    return records, problems


def _record(entry: Entry, strings: dict[str, str]) -> Record:
    fields = {f.key.lower(): f.value for f in entry.fields}

    def text(key: str) -> str:
        value = fields.get(key)
        return _latex(_concat(value, strings)) if isinstance(value, str) else ""

    def raw(key: str) -> str:  # DOIs, URLs and ids: no LaTeX decoding (`_` and `%` stay)
        value = fields.get(key)
        return (
            _concat(value, strings).strip().strip("{}").replace("\\_", "_").replace("\\%", "%")
            if isinstance(value, str)
            else ""
        )

    authors_value = fields.get("author") or fields.get("editor") or []
    authors = []
    if isinstance(authors_value, list):
        for parts in authors_value:
            name = _name(parts) if isinstance(parts, middlewares.names.NameParts) else _latex(str(parts))
            if name and name.lower() != "others":
                authors.append(name)
    arxiv = ""
    prefix = (raw("archiveprefix") or raw("eprinttype")).lower()
    if raw("eprint") and (prefix == "arxiv" or (not prefix and arxiv_id(raw("eprint")))):
        arxiv = raw("eprint")
    arxiv = arxiv or raw("arxivid")  # Mendeley
    keywords: list[str] = []
    for key in _KEYWORD_FIELDS:
        keywords += [k for k in re.split(r"[,;]", text(key)) if k.strip()]
    url = raw("url") or raw("howpublished").removeprefix("\\url")  # older exports: howpublished = {\url{...}}
    return Record(
        line=(entry.start_line or 0) + 1,
        key=entry.key,
        type=entry.entry_type,
        title=text("title"),
        authors=authors,
        year=text("year") or text("date"),
        doi=raw("doi"),
        arxiv=arxiv,
        url=url.strip("{}"),
        keywords=keywords,
    )
