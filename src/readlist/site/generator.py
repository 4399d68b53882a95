"""Catalog in, site out: `{path: markdown}` pages, a nav, assets and downloads.

This module knows nothing of MkDocs. Pages are rendered from the Jinja2
templates in `templates/`; everything a contributor wrote is made safe by
`text.py` before it reaches a template. Links between generated pages are
written as final relative URLs (in raw HTML, which every Markdown engine passes
through), so the output is the same whether MkDocs or another generator turns
it into HTML; `url_style` says which URL shape the target uses ("md" keeps
links to the Markdown sources, for generators such as Zensical that rewrite
every relative link, raw HTML included, as relative to the source file).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import jinja2
from markupsafe import Markup, escape

from .. import authors, exporting, newness, text, urls
from ..files import atomic_write
from ..models import DEFAULT_WPM, KINDS, TIERS, Catalog, Entry, ReadingList, Topic
from . import paging

UrlStyle = Literal["directory", "html", "md"]
# A page plan: (source path, title, render function) per page, in nav order.
Plan = list[tuple[str, str, Callable[[], str]]]
K = TypeVar("K")  # a paged family's group key...
T = TypeVar("T")  # ...and its items
SECTIONS = ("reading_path", "lists", "tags", "stats", "downloads", "authors")
AUTHORS_SHOWN = 3  # a card names this many authors, then "et al." opens the rest

KIND_LABELS = {
    "paper": "Paper",
    "post": "Post",
    "video": "Video",
    "course": "Course",
    "book": "Book",
    "chapter": "Chapter",
    "thesis": "Thesis",
    "talk": "Talk",
    "code": "Code",
    "thread": "Thread",
    "notes": "Notes",
}
# (bucket id, label, upper bound in minutes)
LENGTH_BUCKETS = (
    ("short", "Under 15 min", 15.0),
    ("medium", "15 min to 1 h", 60.0),
    ("long", "1 to 4 h", 240.0),
    ("huge", "Over 4 h", float("inf")),
)
LATEST = 10
# What one page holds before the rest goes to a page of its own ("page 2"),
# so that no page grows with the list: a card is 1-3 KB of HTML, a one-line
# row (a tier page, Authors, Tags) about 0.3-0.6 KB. A page never cuts a
# card or a person; a part links to every other part.
PAGE_CARDS = 60
PAGE_ROWS = 500
RELATED = 6  # related readings on a reading's page
READINGS_DIR = "readings"  # readings/<entry-id>.md: the page of one reading
TOPICS_SRC = "topics/index.md"  # the overview: the landing page of the Topics tab
ASSETS = ("readlist.css", "readlist.js", "search.css", "search.js")
ASSET_DIR = "assets/readlist"
AUTHORS_SRC = "authors.md"
DOWNLOADS = {"feed": "feed.xml", "json": "readings.json", "bibtex": "readings.bib"}


def tier_label(tier: int) -> str:
    return "Tier 4+" if tier >= 4 else f"Tier {tier}"


def duration(minutes: float) -> str:
    """36 min, 1 h 20 min, 12 h; whole minutes, at least 1."""
    total = max(1, round(minutes))
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours >= 10 or mins == 0:
        return f"{round(total / 60)} h"
    return f"{hours} h {mins} min"


def bar(share: float) -> Markup:
    """A share as a bar chart cell drawn with CSS (no script, no CDN)."""
    pct = max(0.0, min(1.0, share)) * 100
    return Markup(
        f'<span class="rl-bar" role="img" aria-label="{pct:.1f}%">'
        f'<span class="rl-bar-fill" style="width:{pct:.1f}%"></span></span>'
        f'<span class="rl-bar-label">{pct:.1f}%</span>'
    )


def length_bucket(minutes: float | None) -> str:
    if not minutes:
        return "unknown"
    for bucket, _label, upper in LENGTH_BUCKETS:
        if minutes <= upper:
            return bucket
    return LENGTH_BUCKETS[-1][0]


@dataclass
class SiteOptions:
    """What the generator needs besides the Catalog."""

    words_per_minute: int = DEFAULT_WPM
    new_since: dt.date | None = None  # entries added on or after this date are "new"...
    since: dt.date | None = None  # ...and after the list's first import (default: earliest `added`)
    sections: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(SECTIONS, True))
    url_style: UrlStyle = "directory"
    site_name: str = "Reading list"
    site_url: str | None = None
    intro: str | None = None  # Markdown for the home page, else a default text

    def on(self, section: str) -> bool:
        return self.sections.get(section, True)

    @staticmethod
    def new_cutoff(new: int | str | dt.date | None, today: dt.date | None = None) -> dt.date | None:
        """`new` as days before today, or a date (or its ISO text)."""
        if new is None or new is False:
            return None
        if isinstance(new, dt.date):
            return new
        if isinstance(new, int):
            return (today or dt.date.today()) - dt.timedelta(days=new)
        return dt.date.fromisoformat(str(new))


@dataclass
class Site:
    """The generated site: Markdown pages by source path, a nav, extra files."""

    pages: dict[str, str]
    nav: list[Any]
    files: dict[str, str]  # downloads (feed.xml, readings.json, ...) by path

    @staticmethod
    def asset_paths() -> dict[str, Path]:
        """Site path -> file in the package, for the CSS and JS."""
        base = resources.files(__package__) / "assets"
        return {f"{ASSET_DIR}/{name}": Path(str(base / name)) for name in ASSETS}

    def write(self, out: Path) -> list[Path]:
        """Write pages, downloads and assets under `out`; return what was written."""
        written = []
        for rel, content in [*self.pages.items(), *self.files.items()]:
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, content)  # LF on every platform, never half a page
            written.append(path)
        for rel, src in self.asset_paths().items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(src.read_bytes())
            written.append(path)
        return written


# -- page paths and links -------------------------------------------------------


def page_url(src: str, style: UrlStyle) -> str:
    """The URL (relative to the site root) that a page source path ends up at
    (style "md": the source path itself, which the generator resolves)."""
    if not src.endswith(".md") or style == "md":
        return src
    stem = src[:-3]
    if style == "html":
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(target: str, base: str) -> str:
    """`target` relative to the page at `base` (both site-root URLs)."""
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base)
    rel = posixpath.relpath(target or ".", base_dir or ".")
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            rel = "./"
    return rel


def page_title(title: str) -> str:
    """A title as Material (and Zensical) want it in the nav and a page's front
    matter: they write nav and page titles into the HTML as they are, with no
    escaping, so `<`, `>`, `&` and quotes are escaped here; a hostile title
    then stays text and "Q&A" still reads "Q&A". Quotes too: the plugin marks
    these titles safe, and Material puts them in an attribute (the footer's
    aria-label)."""
    return html.escape(title)


class Linker(Protocol):
    """`link(src)` or `link(src, anchor)`: the href of a page source (and an
    anchor on it) relative to the page being rendered."""

    def __call__(self, src: str, anchor: str | None = None) -> str: ...


def _render_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("readlist.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = text.markdown_html
    env.filters["md_inline"] = text.md_inline
    env.filters["duration"] = duration
    env.filters["tier_label"] = tier_label
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    env.filters["percent"] = lambda x: f"{x * 100:.1f}%" if x else "0%"
    env.filters["web_url"] = text.web_url
    env.filters["page_title"] = page_title
    env.globals["bar"] = bar
    env.globals["KIND_LABELS"] = KIND_LABELS
    env.globals["LENGTH_BUCKETS"] = LENGTH_BUCKETS
    return env


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = _render_env()
    return _ENV


# -- the derived numbers --------------------------------------------------------


@dataclass
class Totals:
    entries: int = 0
    words: int = 0
    minutes: float = 0.0


class EntryView:
    """An entry as the templates see it: every text escaped or sanitized, every
    URL checked. The Markdown fields are rendered only when a page shows them.

    Slots, and no container of its own unless the entry needs one (an entry
    in no list shares one empty tuple): a 5,000-entry site keeps 5,000 views
    alive while it renders, and every object they hold is one more for each
    pass of Python's cyclic garbage collector (a dict and four lists per view
    were 25,000 of them)."""

    __slots__ = (
        "added",
        "aka",
        "archived",
        "authors",
        "authors_head",
        "authors_rest",
        "authors_short",
        "bucket",
        "entry",
        "id",
        "kind",
        "kind_label",
        "length",
        "length_text",
        "lists",
        "minutes",
        "minutes_attr",
        "new",
        "read_time",
        "tags",
        "tier",
        "title",
        "topic_id",
        "topic_title",
        "url",
        "year",
    )

    def __init__(self, builder: Builder, entry: Entry) -> None:
        wpm = builder.wpm
        minutes = entry.minutes(wpm) if entry.parsed_length else None
        topic = builder.catalog.topic_index.get(entry.topic)
        self.entry = entry
        self.id = entry.id
        self.title = entry.title
        self.url = text.web_url(entry.url)
        self.kind = entry.kind
        self.kind_label = KIND_LABELS.get(entry.kind or "", "")
        self.tier = entry.tier
        self.authors = entry.authors
        # "et al." only when it hides at least two names: "A, B, C et al. (1 more)"
        # would take more room than the fourth name.
        if len(entry.authors) > AUTHORS_SHOWN + 1:
            self.authors_head = entry.authors[:AUTHORS_SHOWN]
            self.authors_rest: Sequence[str] = entry.authors[AUTHORS_SHOWN:]
        else:
            self.authors_head, self.authors_rest = entry.authors, ()
        # A row names three, then "et al." (joined once here: a `join` filter
        # per row escapes name by name).
        short = ", ".join(entry.authors[:3])
        self.authors_short = short + " et al." if len(entry.authors) > 3 else short
        self.year = entry.year
        self.length = entry.length
        self.minutes = minutes
        self.minutes_attr = round(minutes) if minutes else ""
        unit = entry.parsed_length.unit if entry.parsed_length else None
        self.read_time = duration(minutes) if minutes and unit in ("words", "pages") else None
        # A running time reads the same way everywhere ("133 min" -> "2 h 13 min",
        # "~116 min" -> "~1 h 56 min").
        if minutes and unit in ("min", "h"):
            approx = "~" if entry.parsed_length and entry.parsed_length.approximate else ""
            self.length_text = approx + duration(minutes)
        else:
            self.length_text = entry.length or ""
        self.bucket = length_bucket(minutes)
        self.new = builder.is_new(entry)
        self.added = entry.added
        self.tags = entry.tags
        self.aka = entry.aka
        self.archived = text.web_url(entry.archived)
        self.topic_id = entry.topic
        self.topic_title = topic.title if topic else entry.topic
        lists = builder.catalog.lists_of(entry.id)
        self.lists: Sequence[tuple[str, str]] = tuple((rl.id, rl.title) for rl in lists) if lists else ()

    # Worked out when a card shows them (a row does not), not kept.
    @property
    def title_md(self) -> Markup:
        return text.md_inline(self.entry.title)

    @property
    def summary(self) -> Markup:
        return text.markdown_html(self.entry.summary)  # cached there

    @property
    def notes(self) -> Sequence[Markup]:
        return [text.markdown_html(n, True) for n in self.entry.notes] if self.entry.notes else ()

    @property
    def links(self) -> Sequence[tuple[str, str]]:
        if not self.entry.links:
            return ()
        checked = [(ln.title, text.web_url(ln.url)) for ln in self.entry.links]
        return [(t, u) for t, u in checked if u]


class Builder:
    """Renders every page of one catalog; create one per build."""

    def __init__(self, catalog: Catalog, options: SiteOptions) -> None:
        self.catalog = catalog
        self.options = options
        self.env = environment()
        self.wpm = options.words_per_minute
        # Asked for every card and every tag on it: attributes, not calls
        # (a call from a template costs more than the check).
        self.lists_on = options.on("lists")
        self.tags_on = options.on("tags")
        self.ordered = catalog.ordered_entries()
        self.by_topic: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.ordered:
            self.by_topic[entry.topic].append(entry)

    # paths ---------------------------------------------------------------
    @cached_property
    def topic_src(self) -> dict[str, str]:
        return {
            topic.id: f"topics/{topic.id}/index.md" if topic.children else f"topics/{topic.id}.md"
            for topic, _ in self.catalog.walk_topics()
        }

    @cached_property
    def moved_src(self) -> dict[str, Topic]:
        """Page source of each old topic URL (`formerly`) -> the topic it now is.
        The leaf form `topics/<old-id>.md`: under directory URLs (the default)
        that is the old URL whether the old topic had subtopics or not."""
        return {f"topics/{old}.md": topic for topic, _ in self.catalog.walk_topics() for old in topic.formerly}

    def tier_src(self, tier: int) -> str:
        return f"reading-path/tier-{tier}.md"

    def list_src(self, list_id: str) -> str:
        return f"lists/{list_id}.md"

    def url(self, src: str) -> str:
        return page_url(src, self.options.url_style)

    def linker(self, current: str) -> Linker:
        """A function (src, anchor) -> href relative to the page `current`."""
        base = self.url(current)
        cache: dict[str, str] = {}

        def link(src: str, anchor: str | None = None) -> str:
            if src not in cache:
                cache[src] = relative_url(self.url(src), base)
            href = cache[src]
            return f"{href}#{anchor}" if anchor else href

        return link

    # numbers ---------------------------------------------------------------
    @cached_property
    def _sizes(self) -> dict[str, tuple[int, float]]:
        """Entry id -> (words, minutes), worked out once: the pages add up the
        same entries many times (topic, subtree, tier, list, kind, stats)."""
        return {e.id: (e.words() or 0, e.minutes(self.wpm)) for e in self.ordered}

    def totals(self, entries: list[Entry]) -> Totals:
        sizes = self._sizes
        total = Totals(entries=len(entries))
        for entry in entries:
            words, minutes = sizes[entry.id]
            total.words += words
            total.minutes += minutes
        return total

    @staticmethod
    def ids(entries: list[Entry]) -> str:
        """The ids a progress widget counts, space-separated (joined here: a
        Jinja `map`/`join` pipeline over every entry costs a page 50 ms)."""
        return " ".join(e.id for e in entries)

    @cached_property
    def grand(self) -> Totals:
        return self.totals(self.ordered)

    def subtree_entries(self, topic: Topic) -> list[Entry]:
        return [e for t, _ in topic.walk() for e in self.by_topic.get(t.id, [])]

    def is_new(self, entry: Entry) -> bool:
        return newness.is_new(entry, start=self.first_import, cutoff=self.options.new_since)

    @cached_property
    def first_import(self) -> dt.date | None:
        return newness.first_import(self.catalog, self.options.since)

    # one entry as template data -----------------------------------------------
    @cached_property
    def _views(self) -> dict[str, EntryView]:
        return {}

    def view(self, entry: Entry) -> EntryView:
        """Everything a template shows of an entry, already made safe
        (links to other pages are added per page by the templates)."""
        cached = self._views.get(entry.id)
        if cached is None:
            cached = self._views[entry.id] = EntryView(self, entry)
        return cached

    # rendering ---------------------------------------------------------------
    def render(self, template: str, src: str, **context: Any) -> str:
        link = self.linker(src)
        return self.env.get_template(template).render(
            link=link,
            src=src,
            site=self,
            opts=self.options,
            view=self.view,
            topic_src=self.topic_src,
            tier_src=self.tier_src,
            list_src=self.list_src,
            **context,
        )

    def plan(self) -> Plan:
        """Every page as (source path, title, render function), in nav order
        (the parts after a family's first page and the readings' pages come
        after it, and stay out of the nav). Cheap: nothing is rendered until
        a function is called."""
        opts = self.options
        plan: Plan = []

        def add(src: str, title: str, template: str, context: Callable[[], dict[str, Any]]) -> None:
            plan.append((src, title, lambda: self.render(template, src, **context())))

        def add_parts(
            parts: list[paging.Part[K, T]],
            title: str,
            template: str,
            context: Callable[[paging.Part[K, T]], dict[str, Any]],
        ) -> None:
            for part in parts:
                add(
                    part.src,
                    self.part_title(title, part, parts),
                    template,
                    functools.partial(lambda part: {**context(part), "part": part, "parts": parts}, part),
                )

        add(
            "index.md",
            "Home",
            "home.md.j2",
            lambda: {
                "latest": self.latest(),
                "topic_rows": self.topic_rows,
                "downloads": self.downloads_on(),
            },
        )
        if opts.on("reading_path"):
            add(
                "reading-path/index.md",
                "Reading path",
                "reading_path.md.j2",
                lambda: {
                    "tiers": [(t, self.totals(self.tier_entries(t))) for t in TIERS],
                },
            )
            for tier in TIERS:
                add_parts(
                    self.tier_parts[tier],
                    tier_label(tier),
                    "tier.md.j2",
                    functools.partial(lambda tier, part: self.tier_context(tier), tier),
                )
        add(TOPICS_SRC, "Topics", "topics.md.j2", lambda: {"topic_rows": self.topic_rows})
        for topic, _ in self.catalog.walk_topics():
            add_parts(
                self.topic_parts[topic.id],
                topic.title,
                "topic.md.j2",
                functools.partial(lambda topic, part: self.topic_context(topic), topic),
            )
        for src, topic in self.moved_src.items():
            add(src, topic.title, "moved.md.j2", functools.partial(self.moved_context, src, topic))
        if opts.on("lists") and self.catalog.lists:
            add(
                "lists/index.md",
                "Lists",
                "lists.md.j2",
                lambda: {
                    "lists": [(rl, self.list_totals(rl)) for rl in self.catalog.lists.values()],
                },
            )
            for rl in self.catalog.lists.values():
                add_parts(
                    self.list_parts[rl.id],
                    rl.title,
                    "list.md.j2",
                    functools.partial(
                        lambda rl, part: {
                            "rl": rl,
                            "sections": self.list_sections(rl),
                            "totals": self.list_totals(rl),
                            "marks": self.source_marks(rl),
                        },
                        rl,
                    ),
                )
        if opts.on("tags"):
            add_parts(self.tag_parts, "Tags", "tags.md.j2", lambda part: {"tags": self.tags()})
        if opts.on("stats"):
            add("stats.md", "Stats", "stats.md.j2", self.stats)
        if opts.on("authors") and self.author_index:
            add_parts(self.author_parts, "Authors", "authors.md.j2", lambda part: {"people": self.people(part)})
        for entry in self.ordered:
            if entry.topic in self.topic_src:
                add(
                    self.reading_src(entry.id),
                    entry.title,
                    "reading.md.j2",
                    functools.partial(self.reading_context, entry),
                )
        return plan

    @staticmethod
    def part_title(title: str, part: paging.Part[K, T], parts: list[paging.Part[K, T]]) -> str:
        return title if len(parts) == 1 else f"{title} ({part.number} of {len(parts)})"

    @cached_property
    def nav_sources(self) -> set[str]:
        """The pages the nav lists: every page but later parts, readings' pages
        and the redirects at old topic URLs."""
        hidden = {p.src for parts in self._families() for p in parts[1:]} | set(self.moved_src)
        return {src for src, _, _ in self.plan() if src not in hidden and not src.startswith(READINGS_DIR + "/")}

    def _families(self) -> list[list[paging.Part[Any, Any]]]:
        """Every family of parts, whatever its keys and items."""
        opts = self.options
        families: list[list[paging.Part[Any, Any]]] = list(self.topic_parts.values())
        if opts.on("reading_path"):
            families += self.tier_parts.values()
        if opts.on("lists"):
            families += self.list_parts.values()
        if opts.on("tags"):
            families.append(self.tag_parts)
        if opts.on("authors") and self.author_index:
            families.append(self.author_parts)
        return families

    def topic_context(self, topic: Topic) -> dict[str, Any]:
        entries = self.by_topic.get(topic.id, [])
        return {
            "topic": topic,
            "path": self.catalog.topic_path(topic.id),
            "totals": self.totals(entries),
            "ids": self.ids(entries),
            "subtree": self.totals(self.subtree_entries(topic)),
            "children": [(c, self.totals(self.subtree_entries(c))) for c in topic.children],
        }

    def moved_context(self, src: str, topic: Topic) -> dict[str, Any]:
        """What the redirect at an old topic URL needs: the new topic's
        site-root URL (its canonical link) and, for the script, the href of the
        page holding each entry's card (page -> its ids, space-separated, so
        the page stays small at any list size), so that an old `#<entry-id>` link
        lands on the card even when the entry went to another topic or to a
        later part. Hrefs in the script are final URLs (no generator rewrites
        a script), so "md" sources count as the directory URLs they build to."""
        style: UrlStyle = "html" if self.options.url_style == "html" else "directory"
        here = page_url(src, style)
        held: dict[str, list[str]] = defaultdict(list)  # page -> the entries it holds: ids once, hrefs once
        for eid, card in self.card_src.items():
            held[card].append(eid)
        cards = {relative_url(page_url(card, style), here): " ".join(ids) for card, ids in held.items()}
        target = page_url(self.topic_src[topic.id], style)
        return {
            "topic": topic,
            "old_id": src[len("topics/") : -len(".md")],
            "moved_to": target,
            "script": Markup(json.dumps({"to": relative_url(target, here), "cards": cards}).replace("<", "\\u003c")),
        }

    def tier_entries(self, tier: int) -> list[Entry]:
        return [e for e in self.ordered if e.tier == tier]

    def tier_groups(self, tier: int) -> list[tuple[Topic, list[Entry]]]:
        groups = []
        for topic, _ in self.catalog.walk_topics():
            here = [e for e in self.by_topic.get(topic.id, []) if e.tier == tier]
            if here:
                groups.append((topic, here))
        return groups

    def tier_context(self, tier: int) -> dict[str, Any]:
        groups = self.tier_groups(tier)
        return {
            "tier": tier,
            "n_topics": len(groups),
            "totals": self.totals(self.tier_entries(tier)),
            "ids": self.ids([e for _, es in groups for e in es]),
        }

    # families split into parts ---------------------------------------------------
    @cached_property
    def topic_parts(self) -> dict[str, list[paging.Part[int, Entry]]]:
        """A topic's cards by tier, PAGE_CARDS to a page."""
        return {
            topic.id: paging.split(
                self.topic_src[topic.id],
                self.group_by_tier(self.by_topic.get(topic.id, [])),
                PAGE_CARDS,
                label=tier_label,
            )
            for topic, _ in self.catalog.walk_topics()
        }

    @cached_property
    def card_src(self) -> dict[str, str]:
        """Entry id -> the topic page (part) that holds its card, `#<entry-id>`."""
        out: dict[str, str] = {}
        for parts in self.topic_parts.values():
            out.update(paging.locate(parts, lambda e: e.id))
        return out

    @cached_property
    def tier_parts(self) -> dict[int, list[paging.Part[Topic, Entry]]]:
        """A tier's rows by topic, PAGE_ROWS to a page."""
        return {
            tier: paging.split(self.tier_src(tier), self.tier_groups(tier), PAGE_ROWS, label=lambda topic: topic.title)
            for tier in TIERS
        }

    @cached_property
    def tier_topic_src(self) -> dict[tuple[int, str], str]:
        """(tier, topic id) -> the tier page (part) where the topic's group starts."""
        out: dict[tuple[int, str], str] = {}
        for tier, parts in self.tier_parts.items():
            for part in parts:
                for group in part.groups:
                    out.setdefault((tier, group.key.id), part.src)
        return out

    @cached_property
    def list_parts(self) -> dict[str, list[paging.Part[dict[str, Any], Entry]]]:
        """A list's cards by section, PAGE_CARDS to a page."""
        return {
            rl.id: paging.split(
                self.list_src(rl.id),
                [(s, s["entries"]) for s in self.list_sections(rl)],
                PAGE_CARDS,
                label=lambda s: s["section"].title,
            )
            for rl in self.catalog.lists.values()
        }

    @cached_property
    def list_card_src(self) -> dict[tuple[str, str], str]:
        """(list id, entry id) -> the list page (part) with the entry's first card."""
        out: dict[tuple[str, str], str] = {}
        for lid, parts in self.list_parts.items():
            for part in parts:
                for entry in part.items:
                    out.setdefault((lid, entry.id), part.src)
        return out

    @cached_property
    def section_src(self) -> dict[tuple[str, str], str]:
        """(list id, section anchor) -> the list page (part) where the section starts."""
        out: dict[tuple[str, str], str] = {}
        for lid, parts in self.list_parts.items():
            for part in parts:
                for group in part.groups:
                    out.setdefault((lid, group.key["anchor"]), part.src)
        return out

    @cached_property
    def tag_parts(self) -> list[paging.Part[str, Entry]]:
        """Tags, each with its readings, PAGE_ROWS readings to a page."""
        return paging.split("tags.md", self.tags(), PAGE_ROWS, label=lambda tag: f"#{tag}")

    @cached_property
    def tag_src(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in self.tag_parts:
            for group in part.groups:
                out.setdefault(group.key, part.src)
        return out

    @cached_property
    def author_parts(self) -> list[paging.Part[str, str]]:
        """People by the first letter of the surname, about PAGE_ROWS rows to a page."""
        groups: dict[str, list[str]] = {}
        for name in self.author_index:
            letter = authors.sort_key(name)[0][:1].upper()
            groups.setdefault(letter if letter.isalpha() else "#", []).append(name)
        index = self.author_index
        return paging.split(AUTHORS_SRC, list(groups.items()), PAGE_ROWS, weight=lambda name: 1 + len(index[name]))

    @cached_property
    def author_src(self) -> dict[str, str]:
        """Name -> the Authors page (part) that lists the person."""
        return paging.locate(self.author_parts, lambda name: name)

    # the page of one reading -------------------------------------------------------
    @staticmethod
    def reading_src(entry_id: str) -> str:
        return f"{READINGS_DIR}/{entry_id}.md"

    @cached_property
    def entry_sections(self) -> dict[str, list[tuple[ReadingList, dict[str, Any]]]]:
        """Entry id -> every (list, section) that includes it, in list order."""
        out: dict[str, list[tuple[ReadingList, dict[str, Any]]]] = defaultdict(list)
        for rl in self.catalog.lists.values():
            for section in self.list_sections(rl):
                for entry in section["entries"]:
                    out[entry.id].append((rl, section))
        return out

    @cached_property
    def _by_topic_tier(self) -> dict[tuple[str, int], list[Entry]]:
        out: dict[tuple[str, int], list[Entry]] = defaultdict(list)
        for entry in self.ordered:
            out[(entry.topic, entry.tier)].append(entry)
        return out

    @cached_property
    def _position(self) -> dict[str, int]:
        return {e.id: n for n, e in enumerate(self.ordered)}

    def related(self, entry: Entry) -> list[Entry]:
        """A few readings to go on with: those sharing the most authors first,
        then the same topic and tier, each in reading order (deterministic)."""
        shared: Counter[str] = Counter()
        for name in dict.fromkeys(entry.authors):
            for other in self.author_index.get(name, ()):
                if other.id != entry.id:
                    shared[other.id] += 1
        position = self._position
        chosen = sorted(shared, key=lambda eid: (-shared[eid], position[eid]))[:RELATED]
        for other in self._by_topic_tier.get((entry.topic, entry.tier), ()):
            if len(chosen) >= RELATED:
                break
            if other.id != entry.id and other.id not in shared:
                chosen.append(other.id)
        return [self.catalog.entries[eid] for eid in chosen]

    def reading_context(self, entry: Entry) -> dict[str, Any]:
        return {
            "e": self.view(entry),
            "front": self.reading_front_matter(entry),
            "path": self.catalog.topic_path(entry.topic),
            "sections": self.entry_sections.get(entry.id, ()),
            "related": self.related(entry),
            "bibtex": exporting.bibtex_entry(entry),
        }

    def reading_front_matter(self, entry: Entry) -> Markup:
        """The page's YAML front matter (each value JSON-quoted, which YAML
        reads as is): its title, and under `readlist` what the
        theme override puts in the head (Highwire citation_* tags for Zotero
        and Google Scholar, Open Graph and Twitter cards)."""
        summary = " ".join(html.unescape(text.plain(entry.summary)).split())
        description = summary if len(summary) <= 300 else summary[:297].rsplit(" ", 1)[0] + "…"
        head: dict[str, Any] = {
            "citation_title": entry.title,
            "citation_author": list(entry.authors),
            "description": description,
        }
        if entry.year:
            head["citation_publication_date"] = str(entry.year)
        paper = urls.arxiv_id(entry.url)
        if paper:
            head["citation_arxiv_id"] = paper
            head["citation_pdf_url"] = f"https://arxiv.org/pdf/{paper}"
        elif entry.url.lower().split("?")[0].endswith(".pdf"):
            head["citation_pdf_url"] = entry.url
        lines = [
            "---",
            f"title: {json.dumps(page_title(entry.title), ensure_ascii=False)}",
            f"readlist: {json.dumps(head, ensure_ascii=False)}",
            "search:",
            "  exclude: true",
            "---",
        ]
        return Markup("\n".join(lines) + "\n")

    def nav_for(self, plan: Plan) -> list[Any]:
        return self.nav({src for src, _, _ in plan} & self.nav_sources)

    def build(self) -> Site:
        plan = self.plan()
        pages = {src: render() for src, _, render in plan}
        files = self.downloads()
        return Site(pages=pages, nav=self.nav_for(plan), files=files)

    # page data -----------------------------------------------------------------
    def group_by_tier(self, entries: list[Entry]) -> list[tuple[int, list[Entry]]]:
        groups: dict[int, list[Entry]] = defaultdict(list)
        for entry in entries:
            groups[entry.tier].append(entry)
        return [(tier, groups[tier]) for tier in TIERS if groups.get(tier)]

    def latest(self) -> list[Entry]:
        return exporting.latest_additions(self.catalog, LATEST, self.options.since)

    @cached_property
    def topic_rows(self) -> list[dict[str, Any]]:
        """The topic table, shown on the home page and on the Topics overview."""
        rows = []
        parents: dict[str, str] = {}
        for topic, depth in self.catalog.walk_topics():
            for child in topic.children:
                parents[child.id] = topic.id
            own = self.by_topic.get(topic.id, [])
            subtree = self.subtree_entries(topic)
            rows.append(
                {
                    "topic": topic,
                    "depth": depth,
                    "own": own,
                    "totals": self.totals(subtree),
                    "tiers": Counter(e.tier for e in subtree),
                    # its own readings only: the script adds up a parent's subtopics
                    # (each id once on the page, however deep the tree)
                    "ids": self.ids(own),
                    "parent": parents.get(topic.id),
                }
            )
        return rows

    def list_entries(self, rl: ReadingList) -> list[Entry]:
        entries = self.catalog.entries
        return [entries[eid] for eid in dict.fromkeys(rl.entry_ids()) if eid in entries]

    def list_totals(self, rl: ReadingList) -> Totals:
        return self.totals(self.list_entries(rl))

    def list_sections(self, rl: ReadingList) -> list[dict[str, Any]]:
        entries = self.catalog.entries
        total = self.list_totals(rl).minutes or 1.0
        out = []
        for n, section in enumerate(rl.sections, 1):
            members = [entries[eid] for eid in section.entries if eid in entries]
            totals = self.totals(members)
            out.append(
                {
                    "section": section,
                    "anchor": f"section-{n}",
                    "entries": members,
                    "totals": totals,
                    "share": totals.minutes / total,
                }
            )
        return out

    @staticmethod
    def source_marks(rl: ReadingList) -> dict[str, str]:
        """Entry id -> the source's own words for its "new" mark."""
        marks = rl.new_in_source
        return dict.fromkeys(marks.entries, marks.label) if marks else {}

    def tags(self) -> list[tuple[str, list[Entry]]]:
        by_tag: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.ordered:
            for tag in entry.tags:
                by_tag[tag].append(entry)
        return sorted(by_tag.items())

    def stats(self) -> dict[str, Any]:
        grand = self.grand.minutes or 1.0
        wpm = self.wpm

        def row(label: str, entries: list[Entry], **extra: Any) -> dict[str, Any]:
            totals = self.totals(entries)
            return {"label": label, "totals": totals, "share": totals.minutes / grand, **extra}

        topics = [
            row(topic.title, self.subtree_entries(topic), depth=depth, src=self.topic_src[topic.id])
            for topic, depth in self.catalog.walk_topics()
        ]
        lists = []
        for rl in self.catalog.lists.values():
            members = self.list_entries(rl)
            list_total = self.totals(members).minutes or 1.0
            r = row(rl.title, members, src=self.list_src(rl.id))
            r["share"] = 1.0 if members else 0.0
            r["sections"] = [{**s, "share": s["totals"].minutes / list_total} for s in self.list_sections(rl)]
            lists.append(r)
        kinds = [row(KIND_LABELS[k], [e for e in self.ordered if e.kind == k]) for k in KINDS]
        kinds = [r for r in kinds if r["totals"].entries]
        unknown = [e for e in self.ordered if not e.kind]
        if unknown:
            kinds.append(row("Other", unknown))
        tiers = [row(tier_label(t), [e for e in self.ordered if e.tier == t], src=self.tier_src(t)) for t in TIERS]
        return {"topics": topics, "lists": lists, "kinds": kinds, "tiers": tiers, "wpm": wpm}

    # authors -----------------------------------------------------------------
    @cached_property
    def author_index(self) -> dict[str, list[Entry]]:
        """Each name as written -> its readings in reading order, by surname."""
        by_name: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.ordered:
            for name in dict.fromkeys(entry.authors):
                by_name[name].append(entry)
        return {name: by_name[name] for name in sorted(by_name, key=authors.sort_key)}

    @cached_property
    def author_anchors(self) -> dict[str, str]:
        """Name -> a unique id on the Authors page (two spellings that fold to
        one slug, such as 'Aäron' and 'Aaron', get -2)."""
        anchors: dict[str, str] = {}
        taken: set[str] = set()
        for name in self.author_index:
            base = anchor = authors.anchor(name)
            n = 2
            while anchor in taken:
                anchor, n = f"{base}-{n}", n + 1
            taken.add(anchor)
            anchors[name] = anchor
        return anchors

    @cached_property
    def _escaped_names(self) -> dict[str, str]:
        return {name: str(escape(name)) for name in self.author_anchors}

    def author_links(self, link: Linker, names: list[str]) -> Markup:
        """Names for an entry card, each linked to its person on the Authors page.

        Built here rather than by a template loop: a card's names are among the
        most repeated markup of a big site, and a Jinja macro per name costs more
        than the join."""
        escaped = self._escaped_names
        if not self.options.on("authors") or not self.author_index:
            return Markup(", ".join(str(escape(name)) for name in names))
        where = self.author_src
        anchors = self.author_anchors
        return Markup(
            ", ".join(
                f'<a class="rl-author" href="{link(where[name])}#{anchors[name]}">{escaped[name]}</a>' for name in names
            )
        )

    def people(self, part: paging.Part[str, str]) -> list[dict[str, Any]]:
        """One part of the Authors pages, grouped by the surname's first letter.
        Each reading's row is built once (a reading by four people is listed
        four times) and in Python, as it is most of the page."""
        link = self.linker(part.src)
        rows: dict[str, str] = {}
        card_src = self.card_src

        def row(entry: Entry) -> str:
            if entry.id not in rows:
                year = f' <span class="rl-row-meta">{entry.year}</span>' if entry.year else ""
                href = escape(link(card_src[entry.id], entry.id))
                rows[entry.id] = f'<li><a href="{href}">{escape(entry.title)}</a>{year}</li>'
            return rows[entry.id]

        return [
            {
                "letter": group.key,
                "continued": group.continued,
                "anchor": "letter-" + (group.key.lower() if group.key != "#" else "other"),
                "people": [
                    {
                        "name": name,
                        "anchor": self.author_anchors[name],
                        "rows": Markup("\n".join(row(e) for e in self.author_index[name])),
                    }
                    for name in group.items
                ],
            }
            for group in part.groups
        ]

    @cached_property
    def letters(self) -> list[tuple[str, str, str]]:
        """(letter, anchor, Authors page source) for the index of letters."""
        out = []
        for part in self.author_parts:
            for group in part.groups:
                if not group.continued:
                    anchor = "letter-" + (group.key.lower() if group.key != "#" else "other")
                    out.append((group.key, anchor, part.src))
        return out

    # downloads ---------------------------------------------------------------
    def downloads_on(self) -> dict[str, str]:
        if not self.options.on("downloads"):
            return {}
        return dict(DOWNLOADS)

    def download_plan(self) -> dict[str, Callable[[], str]]:
        """Download path -> function that renders it."""
        if not self.downloads_on():
            return {}
        return {
            DOWNLOADS["json"]: lambda: exporting.export_json(self.catalog),
            DOWNLOADS["bibtex"]: lambda: exporting.export_bibtex(self.catalog),
            DOWNLOADS["feed"]: lambda: exporting.atom_feed(
                self.catalog,
                self.options.site_url,
                title=f"{self.options.site_name}: latest additions",
                since=self.options.since,
            ),
        }

    def downloads(self) -> dict[str, str]:
        return {path: render() for path, render in self.download_plan().items()}

    # nav -----------------------------------------------------------------------
    def nav(self, pages: Collection[str]) -> list[Any]:
        nav: list[Any] = [{"Home": "index.md"}]
        if "reading-path/index.md" in pages:
            nav.append({"Reading path": ["reading-path/index.md"] + [{tier_label(t): self.tier_src(t)} for t in TIERS]})

        overview = [TOPICS_SRC] if TOPICS_SRC in pages else []
        nav.append({"Topics": overview + [self._topic_nav(t) for t in self.catalog.topics]})
        if "lists/index.md" in pages:
            nav.append(
                {
                    "Lists": ["lists/index.md"]
                    + [{page_title(rl.title): self.list_src(rl.id)} for rl in self.catalog.lists.values()]
                }
            )
        for src, title in (("tags.md", "Tags"), (AUTHORS_SRC, "Authors"), ("stats.md", "Stats")):
            if src in pages:
                nav.append({title: src})
        return nav

    def _topic_nav(self, topic: Topic) -> dict[str, Any]:
        # A method, not a closure: a recursive closure is a reference cycle
        # that would keep this builder, and so the catalog, alive until the
        # next full garbage collection.
        src = self.topic_src[topic.id]
        if not topic.children:
            return {page_title(topic.title): src}
        return {page_title(topic.title): [src] + [self._topic_nav(child) for child in topic.children]}


def generate_site(catalog: Catalog, options: SiteOptions | None = None) -> Site:
    """Render the whole site for `catalog`."""
    return Builder(catalog, options or SiteOptions()).build()
