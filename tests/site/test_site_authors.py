"""Complete authors on the site: "et al." on cards, the Authors page, exports,
and a list's own "new" marks (generator, real strict build, real Chromium)."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest

from readlist import exporting
from readlist.loading import load
from readlist.site import SiteOptions, generate_site

from .helpers import pagefind_records
from .site_fixture_data import MANY_AUTHORS, write_readings


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    loaded = load(write_readings(tmp_path_factory.mktemp("readings")))
    assert not loaded.diagnostics, loaded.diagnostics
    return loaded.catalog


@pytest.fixture(scope="module")
def site(catalog):
    return generate_site(catalog, SiteOptions())


def _card(page: str, entry_id: str) -> str:
    return page.split("{ #" + entry_id + " ")[1].split("\n### ")[0]


def test_card_names_three_authors_and_opens_the_rest(site):
    card = _card(site.pages["topics/beta.md"], "beta-primer")
    authors = card.split('<div class="rl-authors">')[1].split("</div>")[0]
    head, rest = authors.split('<details class="rl-et-al">')
    assert re.findall(r">([^<>]+)</a>", head) == MANY_AUTHORS[:3]
    assert '<summary>et al.<span class="rl-et-al-n"> (9 more)</span></summary>' in rest
    assert re.findall(r">([^<>]+)</a>", rest.split("</summary>")[1]) == MANY_AUTHORS[3:]


def test_short_author_lists_have_no_et_al(site):
    alpha = site.pages["topics/alpha.md"]
    assert "rl-et-al" not in alpha and "Grace Hopper" in alpha


def test_authors_page_links_every_person_to_their_readings(site, catalog):
    page = site.pages["authors.md"]
    assert page.startswith("---\ntitle: Authors\nhide:\n  - toc\n---\n# Authors\n")  # 500 names: no toc
    names = {a for e in catalog.entries.values() for a in e.authors}
    headings = re.findall(r"^### (.+) \{ #(author-[a-z0-9-]+) \.rl-person \}$", page, re.M)
    assert {name for name, _ in headings} == names
    assert len({anchor for _, anchor in headings}) == len(headings)
    # by surname: Alvarez before Chen before Hopper before Vogel
    order = [name for name, _ in headings]
    assert (
        order.index("Ines Alvarez") < order.index("Bo Chen") < order.index("Grace Hopper") < order.index("Lena Vogel")
    )
    hopper = page.split("{ #author-grace-hopper .rl-person }")[1].split("###")[0]
    assert '<a href="../topics/alpha/#compilers-for-everyone">Compilers for Everyone</a>' in hopper
    assert ("Authors", "authors.md") in [next(iter(item.items())) for item in site.nav]
    # every name on a card points at its heading
    beta = site.pages["topics/beta.md"]
    assert '<a class="rl-author" href="../../authors/#author-lena-vogel">Lena Vogel</a>' in beta


def test_list_page_shows_the_sources_new_marks(site):
    listing = site.pages["lists/friends-list.md"]
    assert listing.count('<p class="rl-source-new">') == 1
    marked = _card(listing, "compilers-for-everyone")
    assert "New in source" in marked and "Added after 2024/4/1" in marked
    assert "New in source" not in _card(listing, "watching-machines-think")
    assert "marks the 1 readings the source marks as new" in listing


def test_exports_carry_every_author(catalog):
    bib = exporting.export_bibtex(catalog)
    record = bib.split("{beta-primer,")[1].split("\n}")[0]
    assert re.search(r"author\s+= \{" + re.escape(" and ".join(MANY_AUTHORS)) + r"\}", record)
    data = json.loads(exporting.export_json(catalog))
    (entry,) = [e for e in data["entries"] if e["id"] == "beta-primer"]
    assert entry["authors"] == MANY_AUTHORS
    assert "; ".join(MANY_AUTHORS) in exporting.export_csv(catalog)
    # the feed holds dated entries: date this one and read its <author> elements back
    dated = catalog.entries["beta-primer"].model_copy(update={"added": dt.date(2030, 1, 1)})
    feed = exporting.atom_feed(catalog.model_copy(update={"entries": {**catalog.entries, "beta-primer": dated}}), None)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    item = ET.fromstring(feed).find("a:entry", ns)
    assert item is not None and item.findtext("a:title", namespaces=ns) == "A Beta Primer"
    assert [a.findtext("a:name", namespaces=ns) for a in item.findall("a:author", ns)] == MANY_AUTHORS


def test_built_site_indexes_people_for_search(fixture_site):
    records = {r["url"]: r for r in pagefind_records(fixture_site)}
    people = {a["id"]: a["text"] for a in records["/authors/"]["anchors"]}
    assert people["author-mary-kenneth-keller"] == "Mary Kenneth Keller"
    # a reading stays one search result: the Authors page lists titles outside the index
    assert "Linkers" not in records["/authors/"]["content"]
    beta = records["/readings/beta-primer/"]
    assert all(name in beta["content"] for name in MANY_AUTHORS)  # hidden names are still searchable
    assert beta["meta"]["authors"] == ", ".join(MANY_AUTHORS[:3]) + " et al."  # the result line: three
    html = (fixture_site / "topics" / "beta" / "index.html").read_text()
    assert re.search(r'<details class="rl-et-al">\s*<summary>et al\.', html)
    # inside the collapsed tier 4+ block, the card's own <details> closes before the
    # card does: the whole entry (summary included) stays inside the block
    more = html.split('<details class="rl-more">')[1]
    card = more.split('data-entry="the-big-book"')[1]
    assert card.index("</details>") < card.index('class="rl-summary"') < card.index("</div>\n</details>")


def test_et_al_opens_by_keyboard_and_authors_page_in_nav(page, fixture_site_url):
    page.goto(fixture_site_url + "topics/beta/")
    # every card stays whole in the article (a stray end tag would spill it out)
    assert page.evaluate("[...document.querySelectorAll('.rl-summary')].every(s => s.closest('article .rl-entry'))")
    big_book = page.locator('.rl-entry[data-entry="the-big-book"]')
    assert big_book.locator("xpath=ancestor::details[contains(@class, 'rl-more')]").count() == 1
    card = page.locator('.rl-entry[data-entry="beta-primer"]')
    hidden = card.get_by_role("link", name="Lena Vogel")
    assert not hidden.is_visible()
    summary = card.locator("details.rl-et-al > summary")
    summary.focus()
    page.keyboard.press("Enter")
    hidden.wait_for(state="visible")
    assert card.locator("details.rl-et-al").get_attribute("open") is not None
    hidden.click()
    page.wait_for_url(re.compile(r"authors/#author-lena-vogel$"))
    assert page.locator("h3#author-lena-vogel").is_visible()
    page.get_by_role("link", name="A Beta Primer").first.click()
    page.wait_for_url(re.compile(r"topics/beta/#beta-primer$"))
    assert page.console_errors == [], page.console_errors
