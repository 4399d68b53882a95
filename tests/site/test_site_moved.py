"""Old topic URLs keep working: a topic's `formerly` ids become redirect pages.

A real `mkdocs build --strict` of the fixture project with `gamma` claiming
the old id `retired`; the built redirect is read as HTML and opened in real
Chromium. The invariant for the browser: `topics/retired/#<entry-id>` lands
on that entry's card for every entry of the catalog (whatever topic holds
it), and any other fragment lands on the new topic with the fragment kept.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from readlist.loading import load
from readlist.models import Topic
from readlist.site.generator import PAGE_CARDS, SiteOptions, generate_site

from .helpers import mkdocs, pagefind_records, serve_dir

OLD = "retired"
NEW = "gamma"
SITE_URL = "https://fixture.example/"


class _Head(HTMLParser):
    """The <meta>/<link> tags and the <a> hrefs of a built page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.links: list[tuple[str, str]] = []  # (class, href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "a" and "href" in a:
            self.links.append((a.get("class", ""), a["href"]))


def _parse(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def moved_project(fixture_project: Path, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("moved-project")
    shutil.copytree(fixture_project, project, dirs_exist_ok=True)
    topics = project / "readings" / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    old = f"- id: {NEW}\n  title: Gamma topic\n"
    assert old in text
    topics.write_text(text.replace(old, old + f"  formerly: [{OLD}]\n"), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def moved_site(moved_project: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("moved-site")
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=moved_project)
    return out


@pytest.fixture(scope="module")
def moved_url(moved_site: Path):
    server = serve_dir(moved_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_the_old_url_is_a_noindex_page_pointing_at_the_new_topic(moved_site):
    page = moved_site / "topics" / OLD / "index.html"
    assert page.is_file()
    head = _parse(page)
    assert head.meta.get("robots") == "noindex"
    assert head.canonical == [SITE_URL + f"topics/{NEW}/"]
    base = SITE_URL + f"topics/{OLD}/"
    moved = [urljoin(base, href) for cls, href in head.links if "rl-moved__link" in cls]
    assert moved == [SITE_URL + f"topics/{NEW}/"]
    # The new topic's own page keeps its own canonical and is indexable.
    new = _parse(moved_site / "topics" / NEW / "index.html")
    assert new.canonical == [SITE_URL + f"topics/{NEW}/"] and "robots" not in new.meta


def test_the_old_url_is_in_no_nav_and_not_in_search(moved_site):
    for path in moved_site.rglob("*.html"):
        if path.parent.name == OLD:
            continue
        nav_hrefs = [
            urljoin(SITE_URL + path.relative_to(moved_site).parent.as_posix() + "/", h) for _, h in _parse(path).links
        ]
        assert SITE_URL + f"topics/{OLD}/" not in nav_hrefs, path
    urls = [r["url"] for r in pagefind_records(moved_site)]
    assert f"/topics/{NEW}/" in urls and not [u for u in urls if OLD in u]


def test_generate_writes_the_redirect_for_any_split_of_the_cards(tmp_path, moved_project):
    """Without MkDocs (`generate_site`), for a topic split into parts: the
    script sends each entry id to the part that holds its card."""
    catalog = load(moved_project / "readings").catalog
    site = generate_site(catalog, SiteOptions())
    data = _script_data(site.pages[f"topics/{OLD}.md"])
    assert data["to"] == f"../{NEW}/"
    cards = _cards(data)
    assert set(cards) == set(catalog.entries)
    for eid, entry in catalog.entries.items():
        assert cards[eid].startswith(f"../{entry.topic}/")

    # A topic with more cards than a page holds: later entries live on page-2.
    many = catalog.model_copy(
        update={
            "entries": {
                f"bulk-{n}": catalog.entries["gamma-notes"].model_copy(
                    update={"id": f"bulk-{n}", "url": f"https://example.org/b{n}"}
                )
                for n in range(PAGE_CARDS + 5)
            },
            "topics": [Topic(id=NEW, title="Gamma topic", formerly=[OLD])],
        }
    )
    cards = _cards(_script_data(generate_site(many, SiteOptions()).pages[f"topics/{OLD}.md"]))
    assert set(cards) == set(many.entries)
    assert set(cards.values()) == {f"../{NEW}/", f"../{NEW}/page-2/"}
    assert all(cards[e.id] == f"../{NEW}/page-2/" for e in many.ordered_entries()[PAGE_CARDS:])


def _cards(data: dict) -> dict[str, str]:
    """Entry id -> the href of the page holding its card, from the script's data."""
    cards: dict[str, str] = {}
    for href, ids in data["cards"].items():
        for eid in ids.split():
            assert eid not in cards, f"{eid} is held by two pages"
            cards[eid] = href
    return cards


def _script_data(markdown: str) -> dict:
    found = re.search(r"var data = (\{.*?\});\n", markdown)
    assert found, markdown
    return json.loads(found.group(1))


def test_old_links_land_on_each_entrys_card(page, moved_url, moved_project):
    """Every entry, in whatever topic it is now: the card is on screen."""
    catalog = load(moved_project / "readings").catalog
    for eid, entry in catalog.entries.items():
        page.goto(moved_url + f"topics/{OLD}/#{eid}")
        page.wait_for_url(re.compile(rf"/topics/{entry.topic}/#{eid}$"))
        page.wait_for_function(
            """id => { const h = document.getElementById(id);
                       if (!h) return false;
                       const r = h.getBoundingClientRect();
                       return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
            arg=eid,
            timeout=5000,
        )
        assert page.locator(f".rl-entry[data-entry='{eid}']").is_visible()
    assert page.console_errors == [], page.console_errors


@pytest.mark.parametrize("fragment", ["", "#not-an-entry", "#constructor"])
def test_other_fragments_land_on_the_new_topic(page, moved_url, fragment):
    page.goto(moved_url + f"topics/{OLD}/{fragment}")
    page.wait_for_url(moved_url + f"topics/{NEW}/{fragment}")
    assert page.locator("h1").first.inner_text().strip() == "Gamma topic"


def test_without_javascript_the_reader_gets_the_link(browser, moved_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(moved_url + f"topics/{OLD}/#gamma-notes")
    link = page.locator("a.rl-moved__link")
    assert link.is_visible()
    link.click()
    page.wait_for_url(moved_url + f"topics/{NEW}/")
    context.close()
