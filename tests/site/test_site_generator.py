"""The generator as a library: sanitizing, URLs, pages and options."""

from __future__ import annotations

import datetime as dt

import pytest

from readlist.loading import load
from readlist.site import SiteOptions, generate_site
from readlist.site.generator import duration, page_url, relative_url
from readlist.text import markdown_html, md_inline, web_url

from .site_fixture_data import write_readings


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    loaded = load(write_readings(tmp_path_factory.mktemp("readings")))
    assert not loaded.diagnostics, loaded.diagnostics
    return loaded.catalog


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,<script>">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(x)" onclick="alert(1)">x</p>',
        "<svg><script>alert(1)</script></svg>",
        "[rel](../../etc/passwd)",
    ],
)
def test_markdown_is_sanitized(evil):
    html = str(markdown_html(evil)).lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "data:", "<iframe", "style=", "<svg", "passwd"):
        if bad == "passwd":
            assert 'href="../../etc/passwd"' not in html
        else:
            assert bad not in html, (evil, html)


def test_markdown_keeps_plain_formatting():
    html = str(markdown_html("Some *em*, **strong**, `code` and [a link](https://example.org)."))
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html and "<code>code</code>" in html
    assert 'href="https://example.org"' in html


def test_title_escaping_and_urls():
    assert str(md_inline("a *b* [c] <d> & {#e}")) == r"a \*b\* \[c\] &lt;d&gt; &amp; \{\#e\}"
    assert web_url("javascript:alert(1)") is None
    assert web_url("ftp://example.org") is None
    assert web_url("https://example.org/a b(c)") == "https://example.org/a%20b%28c%29"


def test_page_urls():
    assert page_url("index.md", "directory") == ""
    assert page_url("topics/x.md", "directory") == "topics/x/"
    assert page_url("topics/x/index.md", "directory") == "topics/x/"
    assert page_url("topics/x.md", "html") == "topics/x.html"
    assert relative_url("lists/y/", "topics/x/") == "../../lists/y/"
    assert relative_url("", "topics/x/") == "../../"
    assert relative_url("lists/y/", "") == "lists/y/"
    assert relative_url("lists/y.html", "topics/x.html") == "../lists/y.html"
    assert duration(36.4) == "36 min" and duration(80) == "1 h 20 min" and duration(725) == "12 h"


def test_pages_and_nav(catalog):
    site = generate_site(catalog, SiteOptions(new_since=dt.date.today() - dt.timedelta(days=30)))
    assert {
        "index.md",
        "topics/basics/index.md",
        "topics/alpha.md",
        "topics/beta.md",
        "topics/gamma.md",
        "reading-path/tier-1.md",
        "reading-path/tier-4.md",
        "lists/friends-list.md",
        "tags.md",
        "stats.md",
    } <= set(site.pages)
    assert {"feed.xml", "readings.json", "readings.bib"} <= set(site.files)
    alpha = site.pages["topics/alpha.md"]
    assert "{ #compilers-for-everyone .rl-title }" in alpha
    assert alpha.index("## Tier 1") < alpha.index("## Tier 2")
    assert (
        'class="rl-new"' in alpha.split("{ #watching-machines-think")[0].split("{ #compilers-for-everyone")[1]
    )  # recent entry is new
    assert (
        '<a class="rl-author" href="../../authors/#author-grace-hopper">Grace Hopper</a>, '
        '<a class="rl-author" href="../../authors/#author-ada-lovelace">Ada Lovelace</a>'
    ) in alpha
    assert "Archived copy" in alpha
    assert "../../lists/friends-list/#compilers-for-everyone" in alpha
    beta = site.pages["topics/beta.md"]
    assert '<details class="rl-more" markdown="1">' in beta  # tier 4+ collapsed
    listing = site.pages["lists/friends-list.md"]
    assert listing.index("watching-machines-think") < listing.index("compilers-for-everyone")
    assert "Friend&#39;s blog" in listing and "https://friend.example/list" in listing
    titles = [next(iter(item)) for item in site.nav]
    assert titles == ["Home", "Reading path", "Topics", "Lists", "Tags", "Authors", "Stats"]
    # The Topics tab lands on the overview of every topic, then the tree.
    assert site.nav[2]["Topics"][0] == "topics/index.md"
    overview = site.pages["topics/index.md"]
    for topic in ("basics/", "alpha/", "beta/", "gamma/"):
        assert f'href="../{topic}"' in overview or f'href="{topic}"' in overview, topic
    assert 'data-rl-topic="alpha"' in overview and "rl-progress" in overview
    assert site.nav[2]["Topics"][1] == {
        "Basics": ["topics/basics/index.md", {"Alpha topic": "topics/alpha.md"}, {"Beta topic": "topics/beta.md"}]
    }


def test_sections_can_be_turned_off(catalog):
    off = dict.fromkeys(["reading_path", "lists", "tags", "stats", "downloads", "authors"], False)
    site = generate_site(catalog, SiteOptions(sections=off))
    assert not [
        p for p in site.pages if p.startswith(("reading-path", "lists")) or p in ("tags.md", "stats.md", "authors.md")
    ]
    assert "Grace Hopper, Ada Lovelace" in site.pages["topics/alpha.md"]  # names, no links
    assert site.files == {}  # no downloads
    assert "lists/friends-list" not in site.pages["topics/alpha.md"]


def test_stats_reproduce_list_shares(catalog):
    site = generate_site(catalog, SiteOptions(words_per_minute=200))
    stats = site.pages["stats.md"]
    # alpha: 8,800 words = 44 min + 45 min video; beta: 300 pages = 600 min; gamma: 120 + 6 min
    assert "8,800" in stats and 'aria-label="100.0%"' in stats
    listing = site.pages["lists/friends-list.md"]
    # Start here: 45 + 44 = 89 min of 209 min -> 42.6%; Then: 120 of 209 -> 57.4%
    assert "42.6%" in listing and "57.4%" in listing


def test_new_window():
    today = dt.date(2025, 3, 1)
    assert SiteOptions.new_cutoff(30, today) == dt.date(2025, 1, 30)
    assert SiteOptions.new_cutoff("2024-12-01") == dt.date(2024, 12, 1)
    assert SiteOptions.new_cutoff(None) is None


def test_a_build_leaves_no_reference_cycles(tmp_path):
    """Everything a build makes is freed by reference counting as soon as the
    caller lets go. A cycle (a Jinja macro imported `with context` holds the
    page's context, which holds the builder; a recursive closure holds
    itself) keeps the whole catalog alive, inside `mkdocs build`, until
    Python's next full garbage collection, which then walks all of it."""
    import gc
    import weakref

    from readlist.site.generator import Builder

    def build() -> weakref.ref:
        """Load and build in a frame of their own: when it returns, nothing
        (not even a debugger's view of its locals) holds the catalog."""
        catalog = load(write_readings(tmp_path / "readings")).catalog
        site = Builder(catalog, SiteOptions()).build()
        assert site.pages and site.nav and site.files
        return weakref.ref(catalog)

    was_enabled = gc.isenabled()
    gc.disable()  # only reference counting may free it
    try:
        gone = build()
        assert gone() is None, f"the catalog outlived the build, held by {gc.get_referrers(gone())!r:.300}"
    finally:
        if was_enabled:
            gc.enable()
