"""Contributor text made safe to publish.

Everything a contributor writes in YAML reaches the site (and the Atom feed)
through one of the functions here:

* `markdown_html` renders a Markdown field (summary, note, description) to
  HTML and sanitizes the result with nh3 (an allow-list of tags, no
  attributes but `href`/`title` on links, only http(s) URLs, no relative
  URLs). A `<script>`, an `onerror=` or a `javascript:` link cannot survive.
* `md_inline` escapes a plain-text field (a title) for a Markdown heading, so
  that `*`, `[`, `<`, `{` and friends are shown as written, never interpreted.
* `web_url` returns a URL only when it is an absolute http(s) URL, escaped for
  use in Markdown link syntax and in HTML attributes.

Plain strings that go into HTML attributes or text are escaped by the Jinja2
environment (autoescape is on for every template).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "b",
        "i",
        "code",
        "pre",
        "kbd",
        "sub",
        "sup",
        "del",
        "s",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "abbr",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https"})

_md = markdown.Markdown(extensions=[], output_format="html")


# Text with none of these is one plain paragraph in Markdown: no emphasis,
# links, code, HTML, entities, escapes, lists, quotes, headings or breaks.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&!#|~]|^\s*(?:[-+=>]|\d+[.)])|\n\s*\n| {2}\n|https?://|\t", re.M)


@lru_cache(maxsize=65536)
def markdown_html(text: str, inline: bool = False) -> Markup:
    """Markdown -> sanitized HTML. `inline` drops the wrapping paragraph of a
    one-paragraph text (for notes shown as list items)."""
    if not _MARKDOWN_SYNTAX.search(text):
        body = text.strip()  # no &, < or > in it: nothing to escape
        return Markup(body if inline else f"<p>{body}</p>")
    _md.reset()
    html = _md.convert(text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    clean = clean.strip()
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return Markup(clean)


def plain(text: str) -> str:
    """Visible text of a Markdown field, for places that take no markup."""
    return nh3.clean(str(markdown_html(text)), tags=set()).strip()


_MD_SPECIAL = {c: "\\" + c for c in "\\`*_{}[]()#+-.!"}
_MD_SPECIAL.update({"<": "&lt;", ">": "&gt;", "&": "&amp;"})
_MD_TABLE = str.maketrans(_MD_SPECIAL)


def md_inline(text: str) -> Markup:
    """A plain-text value for inline Markdown: every special character escaped,
    newlines folded (a heading is one line)."""
    return Markup(" ".join(text.split()).translate(_MD_TABLE))


_URL_SAFE = "/:?#[]@!$&'*+,;=%~-._"


def web_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL, percent-escaped so that it can
    sit inside Markdown `(...)` or an HTML attribute; else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc:
        return None
    quoted = quote(url, safe=_URL_SAFE)
    # Parentheses and quotes would end a Markdown link or an attribute early.
    return quoted.replace("(", "%28").replace(")", "%29").replace("'", "%27")


def attr(value: object) -> Markup:
    """Escape for an HTML attribute value (quotes included)."""
    return escape(str(value))
