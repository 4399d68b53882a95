"""What to check and how to judge the answer: address safety, canonical probes (YouTube oEmbed, arXiv, DOI) and the
classification of responses into outcomes (settings live in ``settings``).

Nothing here touches the network; the engine (``engine``) asks these functions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from ..urls import arxiv_id, doi, youtube_id, youtube_watch
from ..useragent import BROWSER_USER_AGENT
from .results import Outcome

if TYPE_CHECKING:
    from .settings import LinkSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REFUSAL_STATUSES = frozenset({429, 503})  # "slow down": the host's pace is cut (see pace.py)
GONE_STATUSES = frozenset({404, 410})  # not there: broken, and a probe's honest answer
BLOCK_STATUSES = frozenset({401, 403, 429, 999})
PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})

DEFAULT_HEADERS = {
    "User-Agent": BROWSER_USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
}

# Cloud metadata services that are not covered by "not global" ranges.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))

# Final URLs that reveal a login or bot wall rather than the page.
_WALL_PATH = re.compile(
    r"/(login|signin|sign-in|sign_in|authwall|auth/login|accounts/login|checkpoint|"
    r"captcha|challenge|uas/login|session/new)\b",
    re.I,
)
_YOUTUBE_GONE = re.compile(rb'"playabilityStatus":\{"status":"(ERROR|LOGIN_REQUIRED)"', re.I)


def parse_duration(text: str) -> float:
    """`90`, `30s`, `15m`, `12h`, `7d`, `2w` -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 12h, 7d, 2w)")
    scale = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(2)]
    return float(match.group(1)) * scale


def format_duration(seconds: float) -> str:
    """The inverse of ``parse_duration`` for help texts: 259200 -> '3d'."""
    for unit, scale in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % scale == 0:
            return f"{seconds / scale:g}{unit}"
    return f"{seconds:g}s"


def parse_statuses(values: Iterable[object] | None) -> frozenset[int]:
    """[200, "401", "200..=299", "400..404"] -> set of status codes."""
    out: set[int] = set()
    for value in values or ():
        text = str(value).strip()
        if ".." in text:
            lo, hi = text.split("..", 1)
            inclusive = hi.startswith("=")
            hi = hi.lstrip("=")
            start, end = int(lo or 100), int(hi or 600)
            out.update(range(start, end + 1 if inclusive else end))
        else:
            out.add(int(text))
    return frozenset(out)


# -- address safety -------------------------------------------------------------
def unsafe_address(address: str | IPAddress) -> str | None:
    """Why an IP address must not be contacted, or None when it is public."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    if not address.is_global or address.is_multicast or address.is_unspecified:
        return "reserved"
    return None


# -- canonical probes -----------------------------------------------------------
class Service(StrEnum):
    """The service a canonical probe asks instead of the cited page."""

    YOUTUBE = "youtube"  # oEmbed
    ARXIV = "arxiv"  # the abs page
    DOI = "doi"  # the handle API
    GITHUB = "github"  # the REST API


def probe_for(url: str, settings: LinkSettings) -> tuple[str, Service | None]:
    """(URL to request, the service it asks, or None for the URL itself) for a cited URL.

    YouTube videos are checked through oEmbed (a deleted video's watch page
    still answers 200); arXiv papers through their abs page (never a PDF);
    DOIs through the DOI handle API (the publisher's page is often a bot wall);
    github.com repositories, issues, pulls and files through the REST API when
    a token is given (authenticated: 5,000 requests an hour, not 60).
    """
    if not settings.canonical_probes:
        return url, None
    host = (urlsplit(url).hostname or "").lower()
    if host == "github.com" and settings.github_token:
        api = github_api_url(url, settings.github_api)
        return (api, Service.GITHUB) if api else (url, None)
    if "youtu" not in host and "arxiv" not in host and "doi" not in host:
        return url, None  # a cheap no: every host the probes know has one of these words
    if video := youtube_id(url):
        return f"{settings.youtube_oembed}?format=json&url={quote(youtube_watch(video), safe='')}", Service.YOUTUBE
    if paper := arxiv_id(url):
        parts = urlsplit(url)
        if parts.path.startswith(("/pdf/", "/format/")) or parts.path.endswith(".pdf"):
            return settings.arxiv_abs + paper, Service.ARXIV
        return url, None
    if name := doi(url):
        return settings.doi_api + quote(name, safe="/"), Service.DOI
    return url, None


_GITHUB = re.compile(
    r"/(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?"
    r"(?:/(?:(?P<page>issues|pull)/(?P<number>\d+)|blob/(?P<ref>[^/]+)/(?P<path>.+)))?/?"
)


def github_api_url(url: str, api: str) -> str | None:
    """The REST API URL that answers for a github.com repository, issue, pull
    or file URL; None for other github.com pages (checked as they are)."""
    parts = urlsplit(url)
    match = _GITHUB.fullmatch(parts.path)
    if not match or match["owner"] in ("orgs", "settings", "marketplace", "topics", "features"):
        return None
    base = f"{api.rstrip('/')}/repos/{match['owner']}/{match['repo']}"
    if match["page"] == "issues":
        return f"{base}/issues/{match['number']}"
    if match["page"] == "pull":
        return f"{base}/pulls/{match['number']}"
    if match["path"]:
        return f"{base}/contents/{match['path']}?ref={quote(match['ref'], safe='')}"
    return base


def judge_probe(service: Service, status: int) -> tuple[Outcome, str | None] | None:
    """Outcome of a canonical probe's final status, or None to judge it plainly."""
    if service is Service.YOUTUBE:
        if 200 <= status < 300:
            return Outcome.OK, None
        if status in (401, 403):
            # oEmbed answers 401 for videos whose owner disabled embedding:
            # the video exists.
            return Outcome.OK, "embedding disabled"
        if status in (400, 404):
            return Outcome.BROKEN, "video unavailable (oEmbed)"
    if service is Service.GITHUB:
        if 200 <= status < 300:
            return Outcome.OK, None
        if status in (404, 410):
            return Outcome.BROKEN, "not found on GitHub (REST API)"
        if status == 401:
            return Outcome.ERROR, "GITHUB_TOKEN refused by the GitHub API (401)"
    if service is Service.DOI:
        if 200 <= status < 300:
            return Outcome.OK, None
        if status == 404:
            return Outcome.BROKEN, "DOI not registered"
    return None


def is_wall(final_url: str) -> bool:
    return bool(_WALL_PATH.search(urlsplit(final_url).path))


def video_gone(head: bytes) -> bool:
    """A YouTube watch page (read with GET) that says the video is gone."""
    return bool(_YOUTUBE_GONE.search(head))
