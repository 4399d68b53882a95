"""A page per reading (readings/<id>/): what it shows, what its head tells
Zotero and Google Scholar, that every card links to it, and how it reads in
Chromium (keyboard copy of the BibTeX, a phone, dark mode, axe-core).

Built by a real `mkdocs build --strict` of the fixture project and of the
real readings/; the head is read back as a citation tool reads it, from the
`<meta>` tags of the built HTML."""

from __future__ import annotations

import html.parser
import posixpath
import re
from pathlib import Path

import pytest

from readlist import exporting, urls
from readlist.loading import load

from .helpers import REPO
from .site_fixture_data import MANY_AUTHORS
from .test_site_a11y import AXE, WCAG


class _Head(html.parser.HTMLParser):
    """The <meta> and <link> tags of a page's head, in order, as a citation
    tool collects them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict[str, str | None]] = []
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "meta" and self._in_head:
            key = a.get("name") or a.get("property")
            if key:
                self.meta.append((key, a.get("content") or ""))
        elif tag == "link" and self._in_head:
            self.links.append(a)
        elif tag == "a":
            self.anchors.append((a, ""))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.meta if k == key]


def head_of(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def reading_html(site: Path, entry_id: str) -> Path:
    return site / "readings" / entry_id / "index.html"


@pytest.fixture(scope="module")
def fixture_catalog(fixture_project):
    return load(fixture_project / "readings").catalog


@pytest.fixture(scope="module")
def real_catalog():
    return load(REPO / "readings").catalog


def test_a_reading_page_shows_everything_the_list_knows(fixture_site, fixture_catalog):
    page = reading_html(fixture_site, "compilers-for-everyone").read_text(encoding="utf-8")
    body = page.split('<article class="md-content__inner md-typeset">', 1)[1]
    assert "Compilers for Everyone" in body and 'href="https://example.org/compilers"' in body
    assert "How the first compiler came about" in body  # the full summary
    assert "Grace Hopper" in body and "Ada Lovelace" in body
    assert "1952" in body and "Paper" in body and "~8,800 words" in body and "40 min" in body
    # where it sits: topic (its card), tier, the list and its section, each linked
    assert 'href="../../topics/alpha/#compilers-for-everyone"' in body
    assert 'href="../../reading-path/tier-1/#alpha"' in body
    assert 'href="../../lists/friends-list/#compilers-for-everyone"' in body
    assert 'href="../../lists/friends-list/#section-1"' in body and "Start here" in body
    assert 'href="https://example.org/slides"' in body and "Archived copy" in body
    assert "A <em>classic</em> note" in body
    # no other reading shares an author or its topic and tier: no related list
    assert 'id="related"' not in body
    # the BibTeX is the export's own record, escaped for HTML
    bib = exporting.bibtex_entry(fixture_catalog.entries["compilers-for-everyone"])
    assert html_text(body.split('<code id="bibtex-compilers-for-everyone">', 1)[1].split("</code>")[0]) == bib


def html_text(fragment: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_every_author_is_named_on_the_page_in_order(fixture_site):
    """The card cuts a large team to three and "et al."; the page never cuts."""
    path = reading_html(fixture_site, "beta-primer")
    body = path.read_text(encoding="utf-8").split('class="rl-authors rl-authors-all">', 1)[1].split("</dd>")[0]
    assert re.findall(r'class="rl-author"[^>]*>([^<]+)</a>', body) == MANY_AUTHORS
    assert "et al." not in body


def test_the_head_carries_citation_tags_zotero_reads(fixture_site, fixture_catalog):
    for entry in fixture_catalog.entries.values():
        head = head_of(reading_html(fixture_site, entry.id))
        assert head.values("citation_title") == [entry.title]
        assert head.values("citation_author") == list(entry.authors)
        assert head.values("citation_publication_date") == ([str(entry.year)] if entry.year else [])
        assert head.values("og:title") == [entry.title] and head.values("og:type") == ["article"]
        assert head.values("twitter:card") == ["summary"]
        canonical = [ln.get("href") for ln in head.links if ln.get("rel") == "canonical"]
        assert canonical == [f"https://fixture.example/readings/{entry.id}/"]
        assert head.values("og:url") == canonical
        assert head.values("og:description") and "<" not in head.values("og:description")[0]


def test_a_hostile_title_is_escaped_in_the_head(fixture_site):
    raw = reading_html(fixture_site, "evil-entry").read_text(encoding="utf-8")
    head_text = raw.split("</head>", 1)[0]
    assert "<script>alert(9)" not in head_text and "<b>Bold" not in head_text
    title = re.search(r"<title>(.*?)</title>", head_text, re.S)
    assert title and html_text(title.group(1)).startswith("<b>Bold</b> *stars*")
    assert head_of(reading_html(fixture_site, "evil-entry")).values("citation_title") == [
        "<b>Bold</b> *stars* [brackets] {#hijack} & <script>alert(9)</script>"
    ]


def test_the_real_list_has_a_page_per_reading_with_its_citation(real_site, real_catalog):
    """Every reading of the real list, as Google Scholar would index it:
    title, every author in order, year, and arXiv papers' id and PDF."""
    for entry in real_catalog.entries.values():
        head = head_of(reading_html(real_site, entry.id))
        assert head.values("citation_title") == [entry.title], entry.id
        assert head.values("citation_author") == list(entry.authors), entry.id
        assert head.values("citation_publication_date") == ([str(entry.year)] if entry.year else [])
        paper = urls.arxiv_id(entry.url)
        assert head.values("citation_arxiv_id") == ([paper] if paper else [])
        if paper:
            assert head.values("citation_pdf_url") == [f"https://arxiv.org/pdf/{paper}"]


def test_related_readings_share_authors_first_then_topic_and_tier(real_site, real_catalog):
    entries = real_catalog.entries
    for entry in entries.values():
        page = reading_html(real_site, entry.id).read_text(encoding="utf-8")
        if 'id="related"' not in page:
            related: list[str] = []
        else:
            block = page.split('id="related"', 1)[1].split("</ul>", 1)[0]
            related = re.findall(r'<a href="\.\./([^/"]+)/">', block)
        assert entry.id not in related and len(related) <= 6 and len(set(related)) == len(related)
        shares = [bool(set(entries[r].authors) & set(entry.authors)) for r in related]
        assert shares == sorted(shares, reverse=True), entry.id  # co-authored ones first
        for r, shared in zip(related, shares, strict=True):
            assert shared or (entries[r].topic, entries[r].tier) == (entry.topic, entry.tier)
        coauthored = {o.id for o in entries.values() if o.id != entry.id and set(o.authors) & set(entry.authors)}
        assert sum(shares) == min(len(coauthored), 6), entry.id
        same = {o.id for o in entries.values() if o.id != entry.id and (o.topic, o.tier) == (entry.topic, entry.tier)}
        assert len(related) == min(6, len(coauthored | same)), entry.id


def test_every_card_links_to_its_reading_page(real_site, real_catalog):
    """On every page, the cards (by their data-entry) and the reading pages
    their "Details" links point to are the same readings, card for card."""
    seen: set[str] = set()
    for path in sorted(real_site.rglob("*.html")):
        rel = path.relative_to(real_site).as_posix()
        if rel.startswith("readings/"):
            continue
        text = path.read_text(encoding="utf-8")
        cards = re.findall(r'<div class="rl-entry" data-entry="([^"]+)"', text)
        targets = []
        for href in re.findall(r'<a class="rl-details" href="([^"]+)"', text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))
            assert (real_site / target / "index.html").is_file(), (rel, href)
            targets.append(target.removeprefix("readings/"))
        assert sorted(targets) == sorted(cards), rel
        seen.update(cards)
    assert seen == set(real_catalog.entries)  # every reading has a card somewhere


def test_topic_pages_keep_every_entry_anchor(real_site, real_catalog):
    ids: set[str] = set()
    for path in (real_site / "topics").rglob("index.html"):
        ids.update(re.findall(r'<h3 class="rl-title" id="([^"]+)"', path.read_text(encoding="utf-8")))
    assert set(real_catalog.entries) <= ids


# -- in Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run scripts/install-test-tools.sh")
    return AXE.read_text(encoding="utf-8")


def test_reading_page_in_chromium_copy_bibtex_by_keyboard(browser, fixture_site_url, fixture_catalog):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=fixture_site_url.rstrip("/"))
    page = context.new_page()
    page.goto(fixture_site_url + "readings/compilers-for-everyone/")
    article = page.locator("article")
    assert article.get_by_role("heading", level=1).inner_text().strip().startswith("Compilers for Everyone")
    assert page.get_by_text("How the first compiler came about").is_visible()
    assert page.locator(".rl-authors-all").inner_text().strip() == "Grace Hopper, Ada Lovelace"
    bib = exporting.bibtex_entry(fixture_catalog.entries["compilers-for-everyone"])
    assert page.locator("pre.rl-bibtex").is_visible()
    assert page.locator("pre.rl-bibtex").inner_text().strip() == bib.strip()
    button = page.get_by_role("button", name="Copy BibTeX")
    assert button.is_visible()
    # Reach the button by keyboard only: Tab until it has the focus, then Enter.
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.matches('button[data-rl-copy]')"):
            break
    else:
        pytest.fail("Tab never reached the Copy BibTeX button")
    page.keyboard.press("Enter")
    status = page.locator(".rl-copy-status")
    status.filter(has_text="Copied").wait_for()
    assert status.is_visible()
    assert page.evaluate("navigator.clipboard.readText()").strip() == bib.strip()
    context.close()


def test_reading_page_on_a_phone_in_dark_mode_has_no_axe_violations(browser, real_site_url, axe_source, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark")
    page = context.new_page()
    page.goto(real_site_url + "readings/attention-is-all-you-need/")
    page.wait_for_load_state("load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    button = page.get_by_role("button", name="Copy BibTeX")
    button.scroll_into_view_if_needed()
    assert button.is_visible()
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.locator(".rl-authors-all").is_visible()
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations = [f"{v['id']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]
    page.screenshot(path=str(artifacts / "reading-phone-dark.png"), full_page=False)
    context.close()
    assert violations == []
