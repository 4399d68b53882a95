"""Soft 404s: a 2xx answer that means "not found", judged precision first.

A wrong `broken` costs a contributor's trust more than a missed one, so no
single weak hint decides. Each signal below is strong or weak; a page is a
soft 404 when one strong signal or two weak ones agree, and the report names
them:

- strong: a redirect from a page at least two levels deep to the site's
  root, or onto a not-found path (``/404``, ``/not-found``...);
- strong: the page is the same page (title and text) a path that cannot
  exist gets from the host, or lands where that path lands (a catch-all
  site; the engine asks once per host per run, and a host that answers it
  with a real 404 needs no comparison);
- strong: a not-found title on a thin page; weak: a not-found heading on one;
- weak: a redirect to a much shorter path (at most half the levels, two
  fewer at least);
- weak: many URLs of one host ending at the same final URL (``collapse``).

What never counts: a page that mentions "not found" in its text or in a
longer title ("How to design a 404 page"), a redirect that only adds or
drops a trailing slash, a locale prefix, the scheme or the port. A page that
is a JavaScript app's shell (the same few words for any path) cannot be
told apart from its probe: it stays `ok`, with "could not verify" in its
detail. Only the bytes already read are looked at (the body cap).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from .results import ErrorKind, LinkResult, Outcome

THIN = 150  # words: a not-found page says little; an article says more
SHELL = 30  # words: fewer, with scripts, is an app that renders in the browser
ALIKE = 0.9  # text similarity at which two pages are the same page
COLLAPSE = 3  # URLs of one host ending at one final URL

UNVERIFIED = "could not verify: the page is a JavaScript app's shell, the same for any path"

_NOTICE = re.compile(
    r"""(?:(?:error|http)\s*)?(?:404|410)(?:\s*(?:error|[-:–—]))?(?:\s*(?:page|file)?\s*not\s+found)?
      | (?:oops\W*)?(?:sorry\W*)?(?:the\s+|this\s+)?(?:page|file|article|post|content|resource)?\s*
        (?:was\s+)?not\s+found
      | (?:oops\W*)?(?:sorry\W*)?(?:the\s+|this\s+)?(?:page|file|article|post|content|resource)\s+
        (?:you\s+requested\s+)?(?:does\s*n[o']t\s+exist|could\s*n[o']t\s+be\s+found|could\s+not\s+be\s+found
        |cannot\s+be\s+found|is\s+no\s+longer\s+available|no\s+longer\s+exists|has\s+been\s+removed
        |is\s+unavailable)""",
    re.I | re.X,
)
_NOT_FOUND_PATH = re.compile(r"/(404|not[-_]?found|page[-_]?not[-_]?found|error)(\.html?)?/?$", re.I)
_LOCALE = re.compile(r"[a-z]{2}([-_][a-z]{2,4})?", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1", re.I | re.S)
_HIDDEN = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")
_SEPARATORS = re.compile(r"\s+[|–—·:-]\s+")


@dataclass(frozen=True, slots=True)
class Signal:
    what: str
    strong: bool


@dataclass(frozen=True, slots=True)
class Page:
    """What of a page's first bytes the signals read."""

    title: str
    heading: str
    text: str
    words: int
    scripted: bool

    @classmethod
    def read(cls, body: bytes) -> Page:
        def clean(raw: bytes) -> str:
            text = _TAG.sub(b" ", raw).decode("utf-8", "replace")
            return " ".join(html.unescape(text).split())

        title = _TITLE.search(body)
        heading = _H1.search(body)
        text = clean(_HIDDEN.sub(b" ", body))
        return cls(
            clean(title.group(1)) if title else "",
            clean(heading.group(1)) if heading else "",
            text,
            len(text.split()),
            b"<script" in body.lower(),
        )

    @property
    def shell(self) -> bool:
        return self.scripted and self.words < SHELL


def says_not_found(text: str) -> bool:
    """Whether a title or heading is a not-found notice, all of it or one
    part of it beside the site's name ("Page not found | Example")."""
    return any(_is_notice(part) for part in [text, *_SEPARATORS.split(text)])


def _is_notice(part: str) -> bool:
    return bool(_NOTICE.fullmatch(part.strip().rstrip(".!")))


def _levels(path: str) -> list[str]:
    return [level for level in path.split("/") if level]


def _without_locale(levels: list[str]) -> list[str]:
    return levels[1:] if levels and _LOCALE.fullmatch(levels[0]) else levels


def redirect_signal(url: str, final: str | None) -> Signal | None:
    """What a redirect from `url` to `final` says about `url`."""
    if not final or final == url:
        return None
    before, after = _levels(urlsplit(url).path), _levels(urlsplit(final).path)
    if after == before or _without_locale(after) == _without_locale(before):
        return None  # a trailing slash, the scheme, the port, the host or a locale
    if _NOT_FOUND_PATH.search(urlsplit(final).path):
        return Signal("redirect to a not-found page", strong=True)
    if not after and len(before) >= 2:
        return Signal("redirect to the site's root", strong=True)
    if len(after) <= len(before) // 2 and len(before) - len(after) >= 2:
        return Signal("redirect to a much shorter path", strong=False)
    return None


def page_signals(page: Page) -> list[Signal]:
    """A not-found title (strong) or heading (weak) on a thin page."""
    if page.words > THIN:
        return []
    if says_not_found(page.title):
        return [Signal("a not-found title on a thin page", strong=True)]
    if says_not_found(page.heading):
        return [Signal("a not-found heading on a thin page", strong=False)]
    return []


def alike(page: Page, other: Page) -> bool:
    """The same page: same title, and texts at least ALIKE similar."""
    if page.title != other.title:
        return False
    matcher = SequenceMatcher(None, page.text[:4000], other.text[:4000], autojunk=False)
    return matcher.real_quick_ratio() >= ALIKE and matcher.quick_ratio() >= ALIKE and matcher.ratio() >= ALIKE


def decided(signals: Iterable[Signal]) -> bool:
    """One strong signal, or two weak ones, agree."""
    found = list(signals)
    return any(s.strong for s in found) or len(found) >= 2


def soft_404(result: LinkResult, signals: Iterable[Signal]) -> None:
    """Make `result` a `broken` soft 404 naming the signals that agreed."""
    result.outcome, result.error_kind, result.suggestion = Outcome.BROKEN, ErrorKind.SOFT_404, None
    result.error = "soft 404: " + "; ".join(s.what for s in signals)


def collapse(results: dict[str, LinkResult], weak: dict[str, list[Signal]]) -> None:
    """The run-wide signal: `COLLAPSE` or more URLs of one host (different
    paths) ending at one final URL that is none of them. `weak` holds the
    signals already seen for each URL the check judged (2xx answers of
    plain URLs only); a URL whose signals now agree becomes a soft 404."""
    landing: dict[str, set[str]] = defaultdict(set)
    for url in weak:
        final = results[url].final_url
        if final and urlsplit(final).path.rstrip("/") != urlsplit(url).path.rstrip("/"):
            landing[final].add(urlsplit(url).path)
    for url, signals in weak.items():
        result, final = results[url], results[url].final_url
        if final and len(landing.get(final, ())) >= COLLAPSE and result.outcome in (Outcome.OK, Outcome.REDIRECTED):
            found = [*signals, Signal(f"{len(landing[final])} URLs of the host end at {final}", strong=False)]
            if decided(found):
                soft_404(result, found)
