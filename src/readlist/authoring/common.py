"""Helpers shared by `new` and `import`: ids, known URLs, kinds, entry YAML."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import urls
from ..loading import YamlProblem, read_yaml
from ..models import ID_MAX
from . import roundtrip
from .fmt import format_text

ID_SOFT_MAX = 60  # ids are cut at a word boundary near this length

SUMMARY_TODO = (
    "TODO: write the summary in your own words (at least 20 words); `readlist validate` fails until it is written"
)


_TRANSLIT = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Đ": "D",
        "đ": "d",
        "Œ": "OE",
        "œ": "oe",
        "\u2019": "",
        "\u2018": "",
    }
)


_TRAILING = frozenset(
    {"a", "an", "and", "or", "the", "of", "with", "for", "to", "in", "on", "by", "via", "from", "at", "as"}
)


def slugify(text: str, limit: int = ID_SOFT_MAX) -> str:
    """A lowercase id from a title: ASCII letters and digits joined by hyphens,
    cut at a word boundary so it stays at most `limit` characters."""
    text = text.translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("'", "")
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    parts = slug.split("-")
    while len(parts) > 1 and len(slug) < len("-".join(words)) and parts[-1] in _TRAILING:
        parts.pop()  # a cut title should not end in 'and', 'of', 'the'...
    slug = "-".join(parts)
    if not slug and words:
        slug = words[0][:limit]
    return slug[:ID_MAX]


@dataclass(frozen=True)
class KnownEntry:
    id: str
    url: str
    path: Path


def known_urls(root: Path) -> dict[str, KnownEntry]:
    """Every entry file's URL key -> the entry, valid or not (a fresh `new`
    entry without a summary still counts)."""
    found: dict[str, KnownEntry] = {}
    for path in sorted((root / "entries").glob("*.yaml")):
        try:
            data = read_yaml(path).data
        except (YamlProblem, OSError):
            continue
        url = data.get("url") if isinstance(data, dict) else None
        if isinstance(url, str) and urls.is_web_url(url.strip()):
            found.setdefault(urls.normalize(url.strip()), KnownEntry(path.stem, url.strip(), path))
    return found


def unique_id(base: str, taken: set[str], year: int | None = None) -> str:
    """`base`, or `base-<year>`, or `base-2`, `base-3`... whichever is free."""
    base = base or "reading"
    if base not in taken:
        return base
    if year and f"{base}-{year}" not in taken:
        return f"{base}-{year}"
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


_PAPER_HOSTS = (
    "arxiv.org",
    "openreview.net",
    "aclanthology.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "semanticscholar.org",
    "nature.com",
    "science.org",
    "jmlr.org",
    "biorxiv.org",
    "doi.org",
    "openaccess.thecvf.com",
    "aaai.org",
)


def guess_kind(url: str) -> str:
    """A kind from the URL alone (used when nothing better is known)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.lower()
    if urls.arxiv_id(url) or any(host == h or host.endswith("." + h) for h in _PAPER_HOSTS):
        return "paper"
    if urls.youtube_id(url) or host in ("vimeo.com", "youtu.be"):
        return "video"
    if host in ("github.com", "gitlab.com", "huggingface.co") and path.count("/") >= 2:
        return "code"
    if host in ("twitter.com", "x.com", "threads.net") or host.endswith("bsky.app"):
        return "thread"
    if path.endswith(".pdf"):
        return "paper"
    if host.startswith("course") or "/course" in path:
        return "course"
    return "post"


def approx_words(count: int) -> str:
    """'~4,000 words' style: rounded to 100 below 10,000, to 1,000 above."""
    step = 100 if count < 10_000 else 1_000
    rounded = max(step, round(count / step) * step)
    return f"~{rounded:,} words"


def entry_yaml(fields: dict[str, Any], *, todo: dict[str, str] | None = None) -> str:
    """The canonical text of a new entry file.

    `fields` holds the values (summary may be ''); `todo` maps a field name to
    a comment written just above it, or in its place when the field is absent.
    """
    todo = todo or {}
    data = CommentedMap()
    for key, value in fields.items():
        if value is None or value == []:
            continue
        if isinstance(value, list):
            seq = CommentedSeq()
            for item in value:
                if isinstance(item, dict):
                    link = CommentedMap(item)
                    link.fa.set_flow_style()
                    seq.append(link)
                else:
                    seq.append(item)
            value = seq
        data[key] = roundtrip.style_value(key, value, "entry")
    text = roundtrip.dump(data)
    text = _add_comments(text, fields, todo)
    return format_text(text, "entry")


def _add_comments(text: str, fields: dict[str, Any], todo: dict[str, str]) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    present = {line.split(":", 1)[0] for line in lines if line[:1].isalpha()}
    for line in lines:
        key = line.split(":", 1)[0] if line[:1].isalpha() else None
        if key and key in todo:
            out.append(f"# {todo[key]}\n")
        out.append(line)
    for key, note in todo.items():
        if key not in present:
            out.append(f"# {note}\n")
    return "".join(out)
