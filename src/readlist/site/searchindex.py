"""Pagefind search for a built site: one record per reading, plus the other pages.

Why Pagefind: it splits the index into chunks that the browser fetches per
query, so what a reader downloads to search stays small at any list size
(Material's lunr search downloads and builds the whole index first), and it
runs after any static build (MkDocs, ProperDocs, Zensical).

What is indexed, after the build:
* one record per reading, at the URL of the reading's own page. Each record
  is a small HTML document made here from the Catalog (not the built page): the
  title as its `<h1>` (Pagefind weighs heading words above body words, so the
  reading a title names ranks high), the aka names, year, kind, summary as
  plain text and every author; meta for the result line (title, three
  authors then "et al.", year, kind); filters (topic, tier, kind, list); sort
  keys (year, length in minutes). The summary goes in as its distinct words
  (`distinct_words`);
* every other built page (home, topics, lists, stats, hand-written pages)
  from its HTML, without the theme's chrome and without the entry cards
  (`EXCLUDE`), so a reading is one result and not one per page that lists it.

Both are staged as files in a temporary folder and indexed by one run of
Pagefind's binary (from the `pagefind[bin]` package).

Beside the bundle, `pagefind/readlist.json` lists the words found in more
than a fifth of the readings (at most `COMMON_MAX`, so the file does not grow
with the list). Pagefind fetches an index chunk per word of a query, and a
word in most readings has the largest chunk (about 100 KB at 10,000
readings, against 20-35 KB for most chunks) while telling the least about
which reading is meant: the search box leaves such words out of what it asks
Pagefind when the query has others (see assets/search.js).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import text
from ..errors import Exit, ReadlistError
from ..models import DEFAULT_WPM, Catalog, Entry
from .generator import KIND_LABELS, READINGS_DIR, UrlStyle, page_url, tier_label

OUTPUT_DIR = "pagefind"  # Pagefind's bundle, under the site root
AUTHORS_SHOWN = 3
SUMMARY_SHOWN = 160  # characters: about two lines of a result
COMMON_SHARE = 0.2  # a word in more than this share of the readings is common
COMMON_MAX = 100  # the commonest words listed, at most
# Left out of the page index: the theme's chrome (header, tabs, nav, footer:
# the same on every page), and the entry cards and their headings (indexed
# once, as the reading's own record).
EXCLUDE = (
    ".md-header",
    ".md-tabs",
    ".md-sidebar",
    ".md-footer",
    ".md-skip",
    ".md-dialog",
    ".headerlink",
    "[data-entry]",
    ".rl-title",
    ".rl-filter-slot",
    "[data-rl-progress]",
    ".rl-tag-list",
    "[data-search-exclude]",  # Material's mark for "not in search", honoured on every page
)


class SearchIndexError(ReadlistError):
    """The site could not be indexed (no built site, no Pagefind binary)."""

    exit_code = Exit.USAGE


def reading_src(entry_id: str) -> str:
    """The Markdown source of a reading's own page (the URL follows from it)."""
    return f"{READINGS_DIR}/{entry_id}.md"


def reading_url(entry_id: str, url_style: UrlStyle) -> str:
    """The site-root URL of a reading's page as built ("md" sources, which
    Zensical builds, end up at directory URLs)."""
    return "/" + page_url(reading_src(entry_id), "html" if url_style == "html" else "directory")


def authors_short(names: list[str]) -> str:
    """Three names, then "et al.": a result line never lists every author."""
    head = ", ".join(names[:AUTHORS_SHOWN])
    return head + " et al." if len(names) > AUTHORS_SHOWN else head


def opening(summary: str, limit: int = SUMMARY_SHOWN) -> str:
    """The summary's first `limit` characters, cut at a word: what a result
    shows of a reading (the full text is indexed; this is only shown)."""
    flat = " ".join(summary.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


@dataclass(frozen=True)
class Record:
    url: str
    html: str
    words: frozenset[str] = frozenset()  # the words a reader could type to find it


_NOT_WORD = re.compile(r"[\W_]+")  # anything but a letter or digit, in any script


def words_of(text_: str) -> frozenset[str]:
    """The words of `text_` as the search box compares them: lower case,
    accents dropped, split at anything but a letter or digit of any script
    (`norm` in assets/search.js does the same)."""
    folded = unicodedata.normalize("NFKD", text_.lower())
    plain = "".join(c for c in folded if not unicodedata.category(c).startswith("M"))  # every mark
    return frozenset(w for w in _NOT_WORD.split(plain) if w)


def distinct_words(text_: str) -> str:
    """Each word of `text_` once, in the order of its first use: what a
    reading's summary is indexed as. Pagefind keeps a position for every
    occurrence of a word, so the words in every summary ("the", "of", a field's
    own terms) filled index chunks of 55-100 KB at 10,000 readings, fetched by
    any query holding them; once per summary they take 30-60 KB. A summary is
    searched for its words (a phrase search is for titles, which are indexed
    whole), and a result shows the summary from its meta, not an excerpt."""
    seen: dict[str, str] = {}
    for word in text_.split():
        seen.setdefault(word.lower().strip(".,;:!?()\"'"), word)
    return " ".join(seen.values())


def common_words(records: Iterable[Record]) -> list[str]:
    """The words in more than `COMMON_SHARE` of the readings, commonest first,
    at most `COMMON_MAX` of them."""
    counts: Counter[str] = Counter()
    total = 0
    for record in records:
        counts.update(record.words)
        total += 1
    floor = total * COMMON_SHARE
    return [w for w, n in counts.most_common(COMMON_MAX) if n > floor]


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def _data(kind: str, key: str, value: object) -> str:
    """An empty element carrying a Pagefind meta / filter / sort value (read
    from an attribute, so the value may hold commas and colons)."""
    return f'<span data-pagefind-{kind}="{key}[data-value]" data-value="{_attr(value)}"></span>'


def reading_record(entry: Entry, catalog: Catalog, *, words_per_minute: int, url_style: UrlStyle) -> Record:
    topic = catalog.topic_index.get(entry.topic)
    kind = KIND_LABELS.get(entry.kind or "", "")
    minutes = entry.minutes(words_per_minute) if entry.parsed_length else None
    body = [f"<h1>{html.escape(entry.title)}</h1>"]
    if entry.aka:
        body.append(f"<p>{html.escape(', '.join(entry.aka))}</p>")
    body.append(f"<p>{html.escape(' '.join(str(x) for x in (entry.year, kind) if x))}</p>")
    summary = text.plain(entry.summary)
    body.append(f"<p>{html.escape(distinct_words(summary))}</p>")
    if entry.authors:
        body.append(f"<p>{html.escape(', '.join(entry.authors))}</p>")
    data = [_data("meta", "authors", authors_short(entry.authors))] if entry.authors else []
    data.append(_data("meta", "summary", opening(summary)))
    if entry.aka:
        data.append(_data("meta", "aka", " | ".join(entry.aka)))
    if entry.year:
        data += [_data("meta", "year", entry.year), _data("sort", "year", f"{entry.year:04d}")]
    if kind:
        data += [_data("meta", "kind", kind), _data("filter", "kind", kind)]
    data.append(_data("filter", "topic", topic.title if topic else entry.topic))
    data.append(_data("filter", "tier", tier_label(entry.tier)))
    data += [_data("filter", "list", rl.title) for rl in catalog.lists_of(entry.id)]
    if minutes:
        data.append(_data("sort", "length", f"{round(minutes):06d}"))
    doc = f"<html><body>{''.join(body)}{''.join(data)}</body></html>"
    typed = " ".join([entry.title, *entry.aka, str(entry.year or ""), kind, summary, *entry.authors])
    return Record(reading_url(entry.id, url_style), doc, words_of(typed))


def reading_records(
    catalog: Catalog, *, words_per_minute: int = DEFAULT_WPM, url_style: UrlStyle = "directory"
) -> list[Record]:
    return [
        reading_record(e, catalog, words_per_minute=words_per_minute, url_style=url_style)
        for e in catalog.ordered_entries()
    ]


_NOINDEX = re.compile(r'<meta name="robots" content="[^"]*\bnoindex\b')


def page_files(site_dir: Path, url_style: UrlStyle, skip: set[str]) -> Iterator[tuple[str, Path]]:
    """(URL, file) for each built page that is not a reading's page: every
    HTML file but Pagefind's own, the theme's assets, the 404 page and pages
    that ask robots not to index them (the redirects at old topic URLs)."""
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.split("/", 1)[0] in (OUTPUT_DIR, "assets") or rel == "404.html":
            continue
        url = "/" + rel
        if url_style != "html" and (url == "/index.html" or url.endswith("/index.html")):
            url = url[: -len("index.html")]
        if url in skip:
            continue
        with path.open(encoding="utf-8") as page:
            if _NOINDEX.search(page.read(4096)):  # the head's first tags
                continue
        yield url, path


_LANG = re.compile(r'<html[^>]*\blang="([A-Za-z-]+)"')


def site_language(site_dir: Path) -> str:
    """The site's language from the home page (every record goes in one index)."""
    home = site_dir / "index.html"
    found = _LANG.search(home.read_text(encoding="utf-8")[:2000]) if home.is_file() else None
    return found.group(1).split("-")[0].lower() if found else "en"


@dataclass
class Indexed:
    readings: int
    pages: int


def stage(staging: Path, records: list[Record], pages: list[tuple[str, Path]]) -> None:
    """Lay out what Pagefind indexes as files at the paths their URLs come
    from: the reading records where the reading pages are, and a copy of the
    other built pages. One run of Pagefind then indexes them all (its Python
    API answers each call after a pause of its own, so a call per record
    would cost minutes at 10,000 readings)."""
    staging.mkdir(parents=True, exist_ok=True)
    for url, content in [*((r.url, r.html) for r in records), *((u, p.read_text(encoding="utf-8")) for u, p in pages)]:
        rel = url.lstrip("/")
        path = staging / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def _config(language: str, keep_index_url: bool) -> dict[str, object]:
    return {
        "site": ".",
        "exclude_selectors": list(EXCLUDE),
        "force_language": language,
        "keep_index_url": keep_index_url,
    }


def _write(staging: Path, output: Path, config: dict[str, object]) -> None:
    """Run Pagefind's binary over the staged pages. The binary, not its Python
    API: the API's service is stopped as soon as it answers `write_files`, and
    at 10,000 readings that cut files short that were still being written."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchIndexError("the Pagefind binary is missing: pip install 'pagefind[bin]'")
    (staging / "pagefind.json").write_text(json.dumps({**config, "output_path": str(output)}), encoding="utf-8")
    done = subprocess.run([str(binary), "--silent"], cwd=staging, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SearchIndexError(f"Pagefind could not index the site: {(done.stderr or done.stdout).strip()}")


def index_site(
    site_dir: Path,
    catalog: Catalog,
    *,
    words_per_minute: int = DEFAULT_WPM,
    url_style: UrlStyle = "directory",
) -> Indexed:
    """Write `site_dir/pagefind/` for the built site in `site_dir`."""
    if not (site_dir / "index.html").is_file():
        raise SearchIndexError(f"{site_dir} holds no built site (no index.html): build it first")
    records = reading_records(catalog, words_per_minute=words_per_minute, url_style=url_style)
    pages = list(page_files(site_dir, url_style, {r.url for r in records}))
    config = _config(site_language(site_dir), keep_index_url=url_style == "html")
    output = (site_dir / OUTPUT_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix="readlist-search-") as tmp:
        staging, bundle = Path(tmp) / "site", Path(tmp) / "bundle"
        stage(staging, records, pages)
        _write(staging, bundle, config)
        # The site keeps its earlier bundle until this one is whole (and the
        # two never mix: Pagefind's file names change with the content).
        (bundle / "readlist.json").write_text(json.dumps({"common": common_words(records)}), encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        shutil.move(bundle, output)
    return Indexed(readings=len(records), pages=len(pages))
