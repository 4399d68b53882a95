"""URL normalization, shared by the duplicate rule, the link checker and authoring,
and the public addresses both the checker and authoring use (their one home).

Two entries are the same work when their URLs have the same *key*. The key is
not meant to be fetched: it drops the scheme and `www.`, the fragment, the
trailing slash and tracking parameters, and folds the known aliases of arXiv
papers, YouTube videos, DOIs and OpenReview submissions into one form.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

SAFE_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}  # a URL without a port means these
YOUTUBE_WATCH = "https://www.youtube.com/watch"
YOUTUBE_OEMBED = "https://www.youtube.com/oembed"
ARXIV_ABS = "https://arxiv.org/abs/"  # + a paper's id: its abstract page
GITHUB_API = "https://api.github.com"

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "si",
        "sharing",
        "trk",
        "_hsenc",
        "_hsmi",
        "yclid",
        "twclid",
    }
)

_ARXIV_PATH = re.compile(
    r"^/(?:abs|pdf|html|format)/(?P<id>(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?(?:\.pdf)?/?$"
)
_ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org"})
_YOUTUBE_HOSTS = frozenset({"youtube.com", "m.youtube.com", "music.youtube.com"})
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})


def is_web_url(url: str) -> bool:
    """True when `url` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.hostname)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def arxiv_id(url: str) -> str | None:
    """The arXiv identifier (without version) of an arXiv abs/pdf/html URL."""
    parts = urlsplit(url)
    if _host(url) not in _ARXIV_HOSTS:
        return None
    match = _ARXIV_PATH.match(parts.path)
    return match.group("id") if match else None


def youtube_id(url: str) -> str | None:
    """The video id of a youtube.com/watch, youtu.be, shorts or embed URL."""
    parts = urlsplit(url)
    host = _host(url)
    candidate = None
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        if parts.path == "/watch":
            candidate = dict(parse_qsl(parts.query)).get("v")
        elif parts.path.startswith(("/shorts/", "/embed/", "/live/", "/v/")):
            candidate = parts.path.split("/")[2]
    return candidate if candidate and _YOUTUBE_ID.match(candidate) else None


def doi(url: str) -> str | None:
    """The DOI named by a doi.org URL, lowercased (DOIs are case-insensitive)."""
    parts = urlsplit(url)
    if _host(url) in _DOI_HOSTS and len(parts.path) > 1:
        return parts.path[1:].lower()
    return None


def canonical(url: str) -> str:
    """The URL a reader should be sent to: arXiv abs page, plain YouTube watch URL.

    Used by authoring to write good URLs; other URLs are returned unchanged.
    """
    if paper := arxiv_id(url):
        return ARXIV_ABS + paper
    if video := youtube_id(url):
        return youtube_watch(video)
    return url


def youtube_watch(video: str) -> str:
    """The plain watch URL of a YouTube video id."""
    return f"{YOUTUBE_WATCH}?v={video}"


_SPECIAL_HOSTS = _ARXIV_HOSTS | _YOUTUBE_HOSTS | _DOI_HOSTS | {"youtu.be"}


def normalize(url: str) -> str:
    """The identity key of a URL: equal keys mean the same work."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    if host in _SPECIAL_HOSTS:
        if paper := arxiv_id(url):
            return f"arxiv:{paper}"
        if video := youtube_id(url):
            return f"youtube:{video}"
        if name := doi(url):
            return f"doi:{name}"
    if parts.port and parts.port not in DEFAULT_PORTS.values():  # the scheme is dropped, and so is its port
        host = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    if host == "openreview.net" and parts.path.rstrip("/") in ("/pdf", "/forum"):
        ident = dict(query).get("id")
        if ident:
            return f"openreview:{ident}"
    path = re.sub(r"/+$", "", parts.path) or ""
    if path.endswith(("/index.html", "/index.htm")):
        path = path.rsplit("/", 1)[0]
    key = f"{host}{path}"
    if query:
        key += "?" + urlencode(sorted(query))
    return key
