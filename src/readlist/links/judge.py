"""Soft 404s: a 2xx answer that means "not found", judged precision first.

A wrong `broken` costs a contributor's trust more than a missed one, so no
single weak hint decides. Each signal below is strong or weak; a page is a
soft 404 when one strong signal or two weak ones agree, and the report names
them:

- strong: a redirect from a page at least two levels deep to the site's
  root, or onto a not-found path (``/404``, ``/not-found``...);
- strong: the page is the same page (title and own content) a path that
  cannot exist gets from the host, or lands where that path lands (a
  catch-all site; the engine probes each origin once per run, and a host
  that answers the probe with a real 404 needs no comparison);
- strong: a not-found title on a thin page; weak: a not-found heading on one;
- weak: a redirect to a much shorter path (at most half the levels, two
  fewer at least);
- weak: many URLs of one host ending at the same final URL (``collapse``).

A page's *own content* is what the signals read of its text (a thin page
is one of at most ``THIN`` words of its own): the text of its ``<main>``
when it has one, else of its ``<body>``, without what every page of a site
repeats or no reader sees (``nav``, ``header``, ``footer``, ``aside``,
``script``, ``style``, ``noscript``, ``template``, comments; an element the
body cap cut open runs to the end). The invariant this buys: two pages are
the same page only when their titles are equal and their own contents are
at least ``ALIKE`` alike, compared whole (every word read, not a prefix);
so a site's navigation, header and footer, however long and however alike
on every page, never make two pages with contents of their own one page.
Navigation not marked up as such counts as content (the one way left for
boilerplate to dilute a difference).

What never counts: a page that mentions "not found" in its text or in a
longer title ("How to design a 404 page"), a redirect that only adds or
drops a trailing slash, a locale prefix, the scheme or the port. A page
with next to no content of its own (a JavaScript app's shell, the same few
words for any path; or nothing at all before the body cap) cannot be told
apart from its probe: it stays `ok`, with "could not verify" in its detail.
Only the bytes already read are looked at (the body cap).
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .results import ErrorKind, LinkResult, Outcome

THIN = 150  # words: a not-found page says little; an article says more
SHELL = 30  # words: fewer, with scripts, is an app that renders in the browser
ALIKE = 0.9  # share of runs of words in common at which two pages are the same page
COLLAPSE = 3  # URLs of one host ending at one final URL

UNVERIFIED = (
    "could not verify: the page has next to no content of its own (a JavaScript app's shell?), "
    "the same as a path that cannot exist"
)

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
# An element name ends at a space, '>' or '/': <nav> and <nav class=...>, not <nav-bar>.
_HIDDEN = re.compile(rb"<!--.*?(?:-->|\Z)|<(script|style|noscript|template)(?=[\s>/]).*?(?:</\1\s*>|\Z)", re.I | re.S)
_AROUND = re.compile(rb"<(nav|header|footer|aside)(?=[\s>/]).*?(?:</\1\s*>|\Z)", re.I | re.S)
_HEAD = re.compile(rb"<head(?=[\s>/]).*?</head\s*>|<title(?=[\s>/]).*?</title\s*>", re.I | re.S)
_MAIN = re.compile(rb"<main(?=[\s>/])[^>]*>(.*?)(?:</main\s*>|\Z)", re.I | re.S)
_BODY = re.compile(rb"<body(?=[\s>/])[^>]*>(.*)", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")
_SEPARATORS = re.compile(r"\s+[|–—·:-]\s+")


@dataclass(frozen=True, slots=True)
class Signal:
    what: str
    strong: bool


SAME_AS_PROBE = Signal("the same page as a path that cannot exist", strong=True)
LANDS_AS_PROBE = Signal("lands where a path that cannot exist lands", strong=True)


@dataclass(frozen=True, slots=True)
class Page:
    """What of a page's first bytes the signals read: its title, and its own
    content (see the module's docstring): heading, text and word count."""

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
        visible = _HIDDEN.sub(b" ", body)
        main = _MAIN.search(visible)
        inside = _BODY.search(visible)
        region = main.group(1) if main else inside.group(1) if inside else _HEAD.sub(b" ", visible)
        own = _AROUND.sub(b" ", region)
        # The content's own heading, else one in a header (an article's <header><h1>).
        heading = _H1.search(own) or _H1.search(region)
        text = clean(own)
        return cls(
            clean(title.group(1)) if title else "",
            clean(heading.group(1)) if heading else "",
            text,
            len(text.split()),
            b"<script" in body.lower(),
        )

    @property
    def opaque(self) -> bool:
        """Next to no content of its own to tell it by: an app that renders
        in the browser (scripts, and fewer than SHELL words), or no text
        at all (an empty page, or one whose content the body cap cut off)."""
        return not self.words or (self.scripted and self.words < SHELL)


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


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    """A text's runs of three words, counted (the whole text when shorter)."""
    return Counter(tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def alike(page: Page, other: Page) -> bool:
    """The same page: the same title, and own contents at least ALIKE alike:
    the share of their runs of three words they have in common (Dice's
    coefficient over the counted runs), every word read. Linear in the
    words, whatever the text (a word-by-word alignment is quadratic on a
    page that repeats itself), and in order where it matters: the same
    words in another order are another text."""
    if page.title != other.title:
        return False
    mine, theirs = shingles(page.text.split()), shingles(other.text.split())
    common = sum((mine & theirs).values())
    return 2 * common >= ALIKE * (mine.total() + theirs.total())


def decided(signals: Iterable[Signal]) -> bool:
    """One strong signal, or two weak ones, agree."""
    found = list(signals)
    return any(s.strong for s in found) or len(found) >= 2


def soft_404(result: LinkResult, signals: Iterable[Signal]) -> None:
    """Make `result` a `broken` soft 404 naming the signals that agreed (the
    one place a soft 404's report is written, for the page's own signals
    and for the run-wide ``collapse`` alike)."""
    result.outcome, result.error_kind, result.suggestion = Outcome.BROKEN, ErrorKind.SOFT_404, None
    result.error = "soft 404: " + "; ".join(s.what for s in signals)


def collapse(results: dict[str, LinkResult], weak: dict[str, list[Signal]]) -> None:
    """The run-wide signal: `COLLAPSE` or more URLs of one host (different
    paths) ending at one final URL that is none of them. `weak` holds the
    signals already seen for each URL the check judged (2xx answers of
    plain URLs only); a URL whose signals now agree becomes a soft 404."""
    landing: dict[tuple[str, str], set[str]] = defaultdict(set)  # (host, final URL) -> paths
    key: dict[str, tuple[str, str]] = {}
    for url in weak:
        final, parts = results[url].final_url, urlsplit(url)
        key[url] = (parts.netloc.lower(), final or "")
        if final and urlsplit(final).path.rstrip("/") != parts.path.rstrip("/"):
            landing[key[url]].add(parts.path)
    for url, signals in weak.items():
        result, final = results[url], results[url].final_url
        paths = landing.get(key[url], set())
        if len(paths) >= COLLAPSE and result.outcome in (Outcome.OK, Outcome.REDIRECTED):
            found = [*signals, Signal(f"{len(paths)} URLs of the host end at {final}", strong=False)]
            if decided(found):
                soft_404(result, found)
