"""`readlist new URL`: fetch what is known about a reading and write its entry.

Where the metadata comes from, by URL:

* arXiv papers: the arXiv API (Atom): title, authors, year, pages from the
  author's comment ("12 pages, 5 figures");
* YouTube videos: YouTube's oEmbed endpoint (title, channel), then the watch
  page's `itemprop` meta tags for duration and date when they are there;
* GitHub repositories: GitHub's REST API (`/repos/OWNER/REPO`);
* DOIs: the landing page the DOI resolver redirects to, read as below;
* anything else: the page itself: `citation_*` tags (Google Scholar),
  JSON-LD (schema.org), OpenGraph and `<title>`, and its word count.

Every service's base URL can be changed with an environment variable
(READLIST_ARXIV_API, READLIST_YOUTUBE_OEMBED, READLIST_YOUTUBE_WATCH,
READLIST_GITHUB_API, READLIST_DOI_RESOLVER) so that tests run against local servers.

Nothing is written until everything needed is known; the file is written
atomically, so a network failure never leaves half an entry behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import urls
from ..diagnostics import did_you_mean
from ..errors import Exit, ReadlistError
from ..files import atomic_write
from ..models import ID_MAX, KINDS, MIN_YEAR
from ..useragent import USER_AGENT
from . import TIMEOUT, common

MAX_BODY = 5 * 1024 * 1024

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


class NewError(ReadlistError):
    """A reason not to write the entry, worded for the person at the terminal.
    Exit 1 when the URL, what its service answered or the list is the
    problem; 2 for a bad argument."""


class HttpStatusError(NewError):
    """A service answered with an HTTP error status; `status` says which, so a
    caller can word the problem for that service without reading the message."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Endpoints:
    arxiv_api: str = "https://export.arxiv.org/api/query"
    youtube_oembed: str = urls.YOUTUBE_OEMBED
    youtube_watch: str = urls.YOUTUBE_WATCH
    github_api: str = urls.GITHUB_API
    doi_resolver: str = "https://doi.org"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Endpoints:
        env = dict(os.environ if env is None else env)
        defaults = cls()
        return cls(
            arxiv_api=env.get("READLIST_ARXIV_API") or defaults.arxiv_api,
            youtube_oembed=env.get("READLIST_YOUTUBE_OEMBED") or defaults.youtube_oembed,
            youtube_watch=env.get("READLIST_YOUTUBE_WATCH") or defaults.youtube_watch,
            github_api=(env.get("READLIST_GITHUB_API") or defaults.github_api).rstrip("/"),
            doi_resolver=(env.get("READLIST_DOI_RESOLVER") or defaults.doi_resolver).rstrip("/"),
        )


@dataclass
class Metadata:
    url: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    kind: str | None = None
    length: str | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)  # what could not be found, for the person


# -- HTTP -----------------------------------------------------------------------------


def http_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        max_redirects=10,
    )


def _get(client: httpx.Client, url: str, *, what: str, **kwargs: Any) -> httpx.Response:
    """GET with a capped body; every failure becomes a NewError naming `what`."""
    try:
        with client.stream("GET", url, **kwargs) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY:
                    break
                chunks.append(chunk)
            content = b"".join(chunks)
    except httpx.TimeoutException:
        raise NewError(f"{what}: timed out after {client.timeout.read:g} s ({url})") from None
    except httpx.ConnectError as exc:
        raise NewError(f"{what}: could not connect ({_reason(exc)}; {url})") from None
    except httpx.TooManyRedirects:
        raise NewError(f"{what}: too many redirects ({url})") from None
    except httpx.HTTPError as exc:
        raise NewError(f"{what}: {type(exc).__name__}: {_reason(exc)} ({url})") from None
    result = httpx.Response(response.status_code, headers=response.headers, content=content, request=response.request)
    if result.status_code >= 400:
        raise HttpStatusError(
            f"{what}: {url} answered {result.status_code} {result.reason_phrase}".rstrip(),
            result.status_code,
        )
    return result


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


# -- arXiv --------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _arxiv_feed(client: httpx.Client, papers: list[str], endpoints: Endpoints) -> list[ET.Element]:
    """The <entry> elements of one arXiv API query for `papers`."""
    what = "arXiv API"
    params = {"id_list": ",".join(papers), "max_results": str(len(papers))}
    response = _get(client, endpoints.arxiv_api, what=what, params=params)
    try:
        feed = ET.fromstring(response.content)
    except ET.ParseError:
        snippet = _clean(response.text)[:80]
        raise NewError(f"{what}: the answer is not Atom XML ({snippet!r})") from None
    return feed.findall(f"{ATOM}entry")


def _arxiv_error(entry: ET.Element | None) -> str | None:
    """arXiv's explanation when the answer is its error entry (or nothing)."""
    if entry is not None and _clean(entry.findtext(f"{ATOM}title")) not in ("", "Error"):
        return None
    detail = _clean(entry.findtext(f"{ATOM}summary")) if entry is not None else ""
    return f" ({detail})" if detail else ""


def from_arxiv(client: httpx.Client, paper: str, endpoints: Endpoints) -> Metadata:
    entries = _arxiv_feed(client, [paper], endpoints)
    entry = entries[0] if entries else None
    if (error := _arxiv_error(entry)) is not None or entry is None:
        raise NewError(f"arXiv API: arXiv has no paper {paper}{error or ''}")
    return _arxiv_metadata(entry, paper)


def from_arxiv_many(client: httpx.Client, papers: list[str], endpoints: Endpoints) -> dict[str, Metadata]:
    """Several papers in one query (arXiv asks for few, spaced requests).

    Papers arXiv does not return are missing from the result; an error entry
    (one bad id spoils the whole query) raises NewError, so the caller can ask
    one by one."""
    found: dict[str, Metadata] = {}
    for entry in _arxiv_feed(client, papers, endpoints):
        if (error := _arxiv_error(entry)) is not None:
            raise NewError(f"arXiv API: {', '.join(papers)}{error}")
        paper = urls.arxiv_id(_clean(entry.findtext(f"{ATOM}id")))
        if paper in papers:
            found[paper] = _arxiv_metadata(entry, paper)
    return found


_TEX_DASHES = (("---", "\u2014"), ("--", "\u2013"))


def _arxiv_title(text: str | None) -> str:
    """arXiv's plain-text title with TeX dashes as real ones ('--' is an en dash)."""
    title = _clean(text)
    for tex, dash in _TEX_DASHES:
        title = title.replace(tex, dash)
    return title


def _arxiv_metadata(entry: ET.Element, paper: str) -> Metadata:
    meta = Metadata(
        url=urls.ARXIV_ABS + paper,
        title=_arxiv_title(entry.findtext(f"{ATOM}title")),
        authors=[
            _clean(author.findtext(f"{ATOM}name"))
            for author in entry.findall(f"{ATOM}author")
            if _clean(author.findtext(f"{ATOM}name"))
        ],
        year=_year(entry.findtext(f"{ATOM}published")),
        kind="paper",
        source="arXiv API",
    )
    comment = _clean(entry.findtext(f"{ARXIV}comment"))
    if match := re.search(r"(\d+)(?:\s*\+\s*\d+)?\s*(?:pages|pp\.?)\b", comment, re.IGNORECASE):
        meta.length = f"{int(match[1])} pages"
    else:
        meta.notes.append("length: arXiv does not say how many pages; add e.g. 'length: 12 pages'")
    return meta


# -- YouTube ----------------------------------------------------------------------


def _iso_duration(text: str | None) -> str | None:
    """'PT1H2M30S' -> '62 min'; None when it is not an ISO 8601 duration."""
    match = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", (text or "").strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = days * 1440 + hours * 60 + minutes + seconds / 60
    if total <= 0:
        return None
    if total >= 120:
        return f"{round(total / 60, 1):g} h"
    return f"{max(1, round(total))} min"


def from_youtube(client: httpx.Client, video: str, endpoints: Endpoints) -> Metadata:
    watch = urls.youtube_watch(video)
    what = "YouTube oEmbed"
    response = _get(client, endpoints.youtube_oembed, what=what, params={"url": watch, "format": "json"})
    try:
        data = response.json()
    except ValueError:
        raise NewError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict) or not _clean(data.get("title")):
        raise NewError(f"{what}: no title for video {video}")
    meta = Metadata(
        url=watch,
        title=_clean(data.get("title")),
        authors=[_clean(data["author_name"])] if _clean(data.get("author_name")) else [],
        kind="video",
        source="YouTube oEmbed",
    )
    try:  # duration and date are not in oEmbed; the watch page has them as itemprops
        page = _get(client, endpoints.youtube_watch, what="YouTube watch page", params={"v": video})
        found = parse_html(page.text)
        meta.length = _iso_duration(found.first("itemprop:duration"))
        meta.year = _year(found.first("itemprop:datePublished", "itemprop:uploadDate"))
    except NewError:
        pass
    if not meta.length:
        meta.notes.append("length: the video's duration is unknown; add e.g. 'length: 25 min'")
    return meta


# -- GitHub -------------------------------------------------------------------------

_GITHUB_RESERVED = frozenset(
    {
        "about",
        "features",
        "topics",
        "collections",
        "trending",
        "orgs",
        "settings",
        "marketplace",
        "sponsors",
        "login",
        "explore",
        "search",
        "pricing",
    }
)


def github_repo(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host != "github.com" or len(segments) < 2 or segments[0].lower() in _GITHUB_RESERVED:
        return None
    return segments[0], segments[1].removesuffix(".git")


def from_github(client: httpx.Client, owner: str, repo: str, endpoints: Endpoints) -> Metadata:
    what = "GitHub API"
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token := os.environ.get("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = _get(client, f"{endpoints.github_api}/repos/{owner}/{repo}", what=what, headers=headers)
    except HttpStatusError as exc:
        if exc.status == 404:
            raise NewError(f"{what}: GitHub has no public repository {owner}/{repo}") from None
        if exc.status in (403, 429):
            raise NewError(f"{exc} (rate limited? set GITHUB_TOKEN)") from None
        raise
    try:
        data = response.json()
    except ValueError:
        raise NewError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict) or not data.get("name"):
        raise NewError(f"{what}: no repository in the answer")
    owner_login = (data.get("owner") or {}).get("login") or owner
    return Metadata(
        url=data.get("html_url") or f"https://github.com/{owner}/{repo}",
        title=str(data["name"]),
        authors=[owner_login],
        year=_year(data.get("created_at")),
        kind="code",
        source="GitHub API",
    )


# -- web pages --------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collects meta tags, <title>, JSON-LD and visible words; never raises."""

    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title_parts: list[str] = []
        self.jsonld: list[str] = []
        self.words = 0
        self.article_words = 0
        self._stack: list[str] = []
        self._in_title = False
        self._jsonld_parts: list[str] | None = None
        self._skip = 0
        self._article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            content = attr.get("content", "").strip()
            for key in ("name", "property", "itemprop"):
                if attr.get(key) and content:
                    name = attr[key].strip().lower() if key != "itemprop" else "itemprop:" + attr[key].strip()
                    self.meta.setdefault(name, []).append(content)
            return
        if tag in ("br", "img", "hr", "input", "link", "area", "base", "col", "embed", "source", "wbr"):
            return
        if tag == "title" and not self.title_parts:
            self._in_title = True
        if tag == "script" and attr.get("type", "").lower() == "application/ld+json":
            self._jsonld_parts = []
        if tag in self.SKIP:
            self._skip += 1
        if tag == "article":
            self._article += 1
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return  # a stray closing tag in malformed HTML
        while self._stack:
            open_tag = self._stack.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "script" and self._jsonld_parts is not None:
            self.jsonld.append("".join(self._jsonld_parts))
            self._jsonld_parts = None
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        if tag == "article":
            self._article = max(0, self._article - 1)

    def handle_data(self, data: str) -> None:
        if self._jsonld_parts is not None:
            self._jsonld_parts.append(data)
            return
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        count = len(data.split())
        self.words += count
        if self._article:
            self.article_words += count


@dataclass
class Page:
    meta: dict[str, list[str]]
    title: str
    jsonld: list[dict[str, Any]]
    words: int

    def first(self, *names: str) -> str | None:
        for name in names:
            key = name if name.startswith("itemprop:") else name.lower()
            for value in self.meta.get(key, []):
                if value.strip():
                    return value.strip()
        return None

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self.meta.get(name.lower(), []) if v.strip()]


def _jsonld_objects(raw: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
            if "@type" in item:
                found.append(item)
    return found


def parse_html(text: str) -> Page:
    parser = _PageParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last line of defence
        pass
    objects = [obj for raw in parser.jsonld for obj in _jsonld_objects(raw)]
    words = parser.article_words or parser.words
    return Page(parser.meta, _clean("".join(parser.title_parts)), objects, words)


_JSONLD_KINDS = {
    "scholarlyarticle": "paper",
    "report": "paper",
    "videoobject": "video",
    "book": "book",
    "course": "course",
    "blogposting": "post",
    "article": "post",
    "newsarticle": "post",
    "techarticle": "post",
    "softwaresourcecode": "code",
    "thesis": "thesis",
    "chapter": "chapter",
    "socialmediaposting": "thread",
    "discussionforumposting": "thread",
}
_MAIN_TYPES = tuple(_JSONLD_KINDS)


def _types(obj: dict[str, Any]) -> list[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() for v in values if v]


def _jsonld_main(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    for obj in objects:
        if any(t in _MAIN_TYPES for t in _types(obj)):
            return obj
    return None


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip() and not urls.is_web_url(value.strip()):
        return [_clean(value)]
    return []


def _person(name: str) -> str:
    """'Vaswani, Ashish' -> 'Ashish Vaswani' (citation_author's usual form)."""
    name = _clean(name)
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return f"{first} {last}"
    return name


def _year(text: Any) -> int | None:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(text or ""))
    if match and MIN_YEAR <= int(match[1]) <= dt.date.today().year + 1:
        return int(match[1])
    return None


def _strip_site_name(title: str, site: str | None) -> str:
    if site:
        for sep in (" | ", " - ", " — ", " – ", " · ", " :: "):
            if title.endswith(sep + site) and len(title) > len(sep + site):
                return title[: -len(sep + site)].strip()
    return title


def from_page(client: httpx.Client, url: str) -> Metadata:
    response = _get(client, url, what="page")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/pdf" or response.content[:5] == b"%PDF-":
        meta = Metadata(url=url, kind="paper", source="PDF")
        meta.notes.append("the link is a PDF: title and authors cannot be read from it")
        return meta
    if ctype and "html" not in ctype and "xml" not in ctype and not ctype.startswith("text/"):
        raise NewError(f"page: {url} is {ctype}, not a web page; pass --title and --kind")
    page = parse_html(response.text)
    main = _jsonld_main(page.jsonld) or {}

    ld_title = main.get("headline") or main.get("name")
    title = (
        page.first("citation_title", "dc.title")
        or (_clean(ld_title) if isinstance(ld_title, str) else "")
        or page.first("og:title", "twitter:title")
        or page.title
    )
    found_title = _strip_site_name(_clean(title), page.first("og:site_name")) if title else None

    authors = [_person(a) for a in page.all("citation_author")]
    authors = authors or _names(main.get("author")) or _names(main.get("creator"))
    authors = authors or [
        _clean(a)
        for a in page.all("author") + page.all("article:author") + page.all("dc.creator")
        if not urls.is_web_url(a.strip())
    ]

    year = _year(
        page.first(
            "citation_publication_date",
            "citation_date",
            "citation_online_date",
            "citation_year",
            "dc.date",
        )
        or main.get("datePublished")
        or page.first("article:published_time", "itemprop:datePublished", "og:published_time")
        or main.get("dateCreated")
    )

    kind = None
    if page.first("citation_dissertation_institution"):
        kind = "thesis"
    elif page.first("citation_inbook_title", "citation_book_title"):
        kind = "chapter"
    elif page.first("citation_title", "citation_journal_title", "citation_conference_title", "citation_pdf_url"):
        kind = "paper"
    else:
        for t in _types(main):
            if t in _JSONLD_KINDS:
                kind = _JSONLD_KINDS[t]
                break
    og_type = (page.first("og:type") or "").lower()
    if not kind and og_type.startswith("video"):
        kind = "video"
    elif not kind and og_type == "book":
        kind = "book"
    kind = kind or common.guess_kind(url)

    length = None
    if isinstance(main.get("wordCount"), (int, str)) and str(main["wordCount"]).strip().isdigit():
        length = common.approx_words(int(str(main["wordCount"]).strip()))
    elif str(main.get("numberOfPages", "")).strip().isdigit():
        length = f"{int(str(main['numberOfPages']).strip())} pages"
    elif (
        (first := page.first("citation_firstpage"))
        and (last := page.first("citation_lastpage"))
        and first.isdigit()
        and last.isdigit()
        and int(last) >= int(first)
    ):
        length = f"{int(last) - int(first) + 1} pages"
    if not length and (duration := _iso_duration(main.get("duration") or page.first("itemprop:duration"))):
        length = duration
    if not length and kind in ("post", "notes", "thread", "course") and page.words >= 150:
        length = common.approx_words(page.words)

    meta = Metadata(
        url=url, title=found_title or None, authors=authors, year=year, kind=kind, length=length, source="page metadata"
    )
    if not length:
        meta.notes.append("length: unknown; add e.g. 'length: ~3,000 words' or '40 min'")
    return meta


# -- the command --------------------------------------------------------------------


def fetch_metadata(url: str, *, timeout: float = TIMEOUT, endpoints: Endpoints | None = None) -> Metadata:
    endpoints = endpoints or Endpoints.from_env()
    with http_client(timeout) as client:
        if paper := urls.arxiv_id(url):
            return from_arxiv(client, paper, endpoints)
        if video := urls.youtube_id(url):
            return from_youtube(client, video, endpoints)
        if repo := github_repo(url):
            return from_github(client, *repo, endpoints)
        if name := urls.doi(url):
            return from_doi(client, name, url, endpoints)
        return from_page(client, url)


def from_doi(client: httpx.Client, name: str, url: str, endpoints: Endpoints) -> Metadata:
    """A DOI's landing page (through the resolver, which the tests replace),
    read like any page: publishers put `citation_*` tags there."""
    meta = from_page(client, f"{endpoints.doi_resolver}/{name}")
    meta.url = url
    return meta


def _topics(root: Path) -> list[str]:
    from ..loading import YamlProblem, read_yaml

    ids: list[str] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                if isinstance(item.get("id"), str):
                    ids.append(item["id"])
                walk(item.get("children"))

    with contextlib.suppress(YamlProblem, OSError):
        walk(read_yaml(root / "topics.yaml").data)
    return ids


@dataclass
class Created:
    path: Path
    entry_id: str
    metadata: Metadata
    text: str
    missing: list[str]


def create_entry(
    url: str,
    root: Path,
    *,
    topic: str | None = None,
    tier: int | None = None,
    entry_id: str | None = None,
    title: str | None = None,
    kind: str | None = None,
    timeout: float = TIMEOUT,
    endpoints: Endpoints | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> Created:
    """Fetch metadata for `url` and write `root/entries/<id>.yaml`. Raises NewError."""
    url = url.strip()
    if not urls.is_web_url(url):
        raise NewError(f"'{url}' is not an http(s) URL", exit_code=Exit.USAGE)
    if not (root / "entries").is_dir() and not (root / "topics.yaml").is_file():
        raise NewError(
            f"{root} does not look like a readings directory (no topics.yaml, no entries/)", exit_code=Exit.USAGE
        )
    key = urls.normalize(url)
    if existing := common.known_urls(root).get(key):
        raise NewError(
            f"{url} is already in the list as entry '{existing.id}' ({existing.path}); edit that file instead"
        )
    topic_ids = _topics(root)
    if topic and topic not in topic_ids:
        raise NewError(f"unknown topic '{topic}'{did_you_mean(topic, topic_ids)}", exit_code=Exit.USAGE)
    if tier is not None and tier not in (1, 2, 3, 4):
        raise NewError("tier must be 1, 2, 3 or 4", exit_code=Exit.USAGE)
    if kind and kind not in KINDS:
        raise NewError(f"unknown kind '{kind}'; one of {', '.join(KINDS)}", exit_code=Exit.USAGE)
    if entry_id is not None and entry_id != common.slugify(entry_id, ID_MAX):
        raise NewError(
            f"'{entry_id}' is not a valid id (lowercase letters, digits, single hyphens)", exit_code=Exit.USAGE
        )

    meta = fetch_metadata(url, timeout=timeout, endpoints=endpoints)
    final_url = urls.canonical(meta.url if meta.source in ("arXiv API", "YouTube oEmbed") else url)
    if urls.normalize(final_url) != key and (existing := common.known_urls(root).get(urls.normalize(final_url))):
        raise NewError(f"{url} is already in the list as entry '{existing.id}' ({existing.path})")
    title = _clean(title) or meta.title
    if not title:
        raise NewError(f"no title found for {url}; pass --title")

    taken = {p.stem for p in (root / "entries").glob("*.yaml")}
    if entry_id:
        if entry_id in taken:
            raise NewError(f"entry '{entry_id}' already exists ({root / 'entries' / (entry_id + '.yaml')})")
    else:
        entry_id = common.unique_id(common.slugify(title), taken, meta.year)

    fields = {
        "title": title,
        "url": final_url,
        "topic": topic,
        "tier": tier,
        "kind": kind or meta.kind,
        "length": meta.length,
        "authors": meta.authors,
        "year": meta.year,
        "added": today or dt.date.today(),
        "summary": "",
    }
    todo = {"summary": common.SUMMARY_TODO}
    missing = ["summary"]
    if not topic:
        shown = ", ".join(topic_ids[:12]) + (", ..." if len(topic_ids) > 12 else "")
        todo["topic"] = f"TODO: add 'topic:' (one of: {shown})"
        missing.append("topic")
    if tier is None:
        todo["tier"] = "TODO: add 'tier:' 1 (read first) to 4 (deep cuts)"
        missing.append("tier")
    text = common.entry_yaml(fields, todo=todo)
    path = root / "entries" / f"{entry_id}.yaml"
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():  # appeared while we were fetching
            raise NewError(f"{path} appeared while fetching; nothing written")
        atomic_write(path, text)
    return Created(path, entry_id, meta, text, missing)
