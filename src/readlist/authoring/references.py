"""Reference-manager exports (BibTeX, CSL-JSON) -> new entry files.

The readers (bibtex.py, csljson.py) turn a file into `Record`s, each with the
line it starts on, and `Problem`s for what they could not read. This module
does what both formats share: the URL rule (DOI, then arXiv eprint, then
`url`), the kind, topic and tier, the catalog's known URLs, ids, and writing.
A record that cannot become an entry is reported with FILE:LINE and the rest
are still imported; nothing is written when nothing could be imported.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import urls
from ..errors import Exit, ReadlistError
from ..loading import YamlProblem, read_yaml
from . import common

_ARXIV_ID = re.compile(r"^(?:arxiv:)?\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(v\d+)?$", re.I)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)
_TIER_WORD = re.compile(r"^tier[\s:_-]*([1-4])\+?$", re.I)


@dataclass
class Record:
    """One reference as the reader found it (values already plain Unicode)."""

    line: int
    key: str
    type: str  # the entry type as written (article, paper-conference...)
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: str = ""
    doi: str = ""
    arxiv: str = ""  # an arXiv id, when the record names one
    url: str = ""
    keywords: list[str] = field(default_factory=list)  # keywords, tags, groups, collections


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    severity: str = "warning"  # a skipped record; "note" for something dropped or linked


class ReadError(ReadlistError):
    """The whole file is unreadable: nothing is imported. Exit 1 for its
    content; 2 when there is no such file."""


@dataclass
class RefPlan:
    files: dict[Path, str] = field(default_factory=dict)  # new entry file -> text
    imported: list[tuple[Record, str]] = field(default_factory=list)  # record, entry id
    known: list[tuple[Record, str]] = field(default_factory=list)  # record, existing entry id
    problems: list[Problem] = field(default_factory=list)
    records: int = 0


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path} is not UTF-8 text (byte {exc.start}); export it as UTF-8") from None
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror or exc}", exit_code=Exit.USAGE) from None


def clean(text: str) -> str:
    """One line of plain text: whitespace runs collapsed, CSL's <i>/<sup> markup dropped."""
    return " ".join(re.sub(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^>]*)?>", "", text).split())


def arxiv_id(value: str) -> str:
    match = _ARXIV_ID.match(value.strip())
    return match.group(1) if match else ""


def record_url(record: Record) -> str:
    """A DOI becomes https://doi.org/..., an arXiv eprint (or arXiv DOI) its abs page, else `url`."""
    doi_match = _DOI.match(record.doi.strip()) if record.doi else None
    if doi_match:
        doi = doi_match.group(1)
        arxiv_doi = _ARXIV_DOI.match(doi)
        if arxiv_doi and arxiv_id(arxiv_doi.group(1)):
            return urls.ARXIV_ABS + arxiv_id(arxiv_doi.group(1))
        return f"https://doi.org/{doi}"
    if record.arxiv and arxiv_id(record.arxiv):
        return urls.ARXIV_ABS + arxiv_id(record.arxiv)
    return record.url.strip()


_KINDS = {
    # BibTeX / BibLaTeX entry types
    "article": "paper",
    "inproceedings": "paper",
    "conference": "paper",
    "techreport": "paper",
    "report": "paper",
    "unpublished": "paper",
    "preprint": "paper",
    "proceedings": "book",
    "book": "book",
    "booklet": "book",
    "mvbook": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "post",
    "electronic": "post",
    "www": "post",
    "video": "video",
    "movie": "video",
    "software": "code",
    "manual": "notes",
    # CSL types
    "article-journal": "paper",
    "article-magazine": "post",
    "article-newspaper": "post",
    "paper-conference": "paper",
    "manuscript": "paper",
    "chapter": "chapter",
    "entry": "chapter",
    "entry-encyclopedia": "chapter",
    "webpage": "post",
    "post-weblog": "post",
    "post": "post",
    "motion_picture": "video",
    "broadcast": "video",
    "speech": "talk",
    "presentation": "talk",
    "personal_communication": "notes",
}


def kind_of(record: Record, url: str) -> str:
    """The kind from the entry type; `misc` and unknown types are guessed from the URL."""
    return _KINDS.get(record.type.lower()) or common.guess_kind(url)


def _topics(root: Path) -> dict[str, str]:
    """Lowercased topic id and title -> topic id, from topics.yaml (empty if unreadable)."""
    path = root / "topics.yaml"
    found: dict[str, str] = {}
    try:
        data = read_yaml(path).data if path.is_file() else None
    except (YamlProblem, OSError):
        return found

    def walk(items: object) -> None:
        for topic in items if isinstance(items, list) else []:
            if isinstance(topic, dict) and isinstance(topic.get("id"), str):
                found[topic["id"].lower()] = topic["id"]
                if isinstance(topic.get("title"), str):
                    found.setdefault(topic["title"].strip().lower(), topic["id"])
                walk(topic.get("children"))

    walk(data)
    return found


def plan(
    records: list[Record],
    problems: list[Problem],
    root: Path,
    *,
    topic: str | None = None,
    tier: int | None = None,
    today: dt.date | None = None,
) -> RefPlan:
    """Decide the entry file of every importable record; write nothing."""
    today = today or dt.date.today()
    unreadable = sum(p.severity == "warning" for p in problems)  # blocks the reader could not parse
    result = RefPlan(problems=list(problems), records=len(records) + unreadable)
    known = common.known_urls(root)
    topics = _topics(root)
    if topic is not None and topic.lower() not in topics:
        result.problems.append(
            Problem(
                0,
                f"--topic '{topic}' is not in {root / 'topics.yaml'}; "
                "`readlist validate` will say so until it is added",
                "note",
            )
        )
    entries_dir = root / "entries"
    taken = {p.stem for p in entries_dir.glob("*.yaml")} if entries_dir.is_dir() else set()
    seen: dict[str, Record] = {}
    next_year = today.year + 1
    for record in records:
        where = f"'{record.key}'" if record.key else f"a {record.type or 'untyped'} record"
        if not record.title:
            result.problems.append(Problem(record.line, f"{where}: no title; skipped"))
            continue
        url = record_url(record)
        if not url:
            result.problems.append(Problem(record.line, f"{where}: no DOI, arXiv eprint or url; skipped"))
            continue
        if not urls.is_web_url(url):
            result.problems.append(Problem(record.line, f"{where}: url {url!r} is not http(s); skipped"))
            continue
        key = urls.normalize(url)
        if key in known:
            result.known.append((record, known[key].id))
            result.problems.append(
                Problem(record.line, f"{where}: {url} is already in the catalog as '{known[key].id}'; skipped", "note")
            )
            continue
        if key in seen:
            result.problems.append(
                Problem(
                    record.line, f"{where}: {url} is also record '{seen[key].key}' (line {seen[key].line}); skipped"
                )
            )
            continue
        seen[key] = record
        year: int | None = None
        if record.year:
            match = re.search(r"\b(1[6-9]\d\d|2\d\d\d)\b", record.year)
            if match and int(match.group(1)) <= next_year:
                year = int(match.group(1))
            else:
                result.problems.append(
                    Problem(
                        record.line,
                        f"{where}: year {record.year!r} dropped (not a year from 1600 to next year)",
                        "note",
                    )
                )
        entry_topic, entry_tier = topic, tier
        for word in record.keywords:
            if tier_match := _TIER_WORD.match(word.strip()):
                entry_tier = int(tier_match.group(1))
            elif (found := topics.get(word.strip().lower())) or (found := topics.get(common.slugify(word, 80))):
                entry_topic = found
        entry_id = common.unique_id(common.slugify(record.title), taken, year)
        taken.add(entry_id)
        fields = {
            "title": record.title,
            "url": url,
            "topic": entry_topic,
            "tier": entry_tier,
            "kind": kind_of(record, url),
            "authors": record.authors or None,
            "year": year,
            "added": today,
            "summary": "",
        }
        todo = {"summary": common.SUMMARY_TODO}
        if entry_topic is None:
            todo["topic"] = "TODO: topic: an id from topics.yaml (or pass --topic, or a keyword naming it)"
        if entry_tier is None:
            todo["tier"] = "TODO: tier: 1 (read first) .. 4 (or pass --tier, or a keyword 'tier2')"
        text = common.entry_yaml(fields, todo=todo)
        result.files[entries_dir / f"{entry_id}.yaml"] = text if text.endswith("\n") else text + "\n"
        result.imported.append((record, entry_id))
    return result


def write(plan_: RefPlan) -> list[Path]:
    """Every new entry file: all staged as temporary files first, then linked into
    place, so a failure leaves no half-written file and nothing is overwritten."""
    staged: list[tuple[str, Path]] = []
    written: list[Path] = []
    try:
        for path, text in plan_.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)
            staged.append((tmp, path))
        for tmp, path in staged:
            os.link(tmp, path)  # fails rather than replace a file that appeared meanwhile
            written.append(path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    return written
