"""Light pages at any size: a generated list big enough that every family
of pages that grows with the list (a topic's cards, a tier's rows, a list's
cards, Authors, Tags) is split, built by a real `mkdocs build --strict`.

Invariants: no HTML page over 500 KB; a split page links to every part of
its family; every reading is reachable from each family that should hold it
(nothing cut); what every page loads besides its HTML does not depend on the
list (the same files at any size). The full 10,000 is benchmarks/site_scale.py.
"""

from __future__ import annotations

import importlib.util
import posixpath
import re
from collections import Counter
from pathlib import Path

import pytest

from readlist.loading import load

from .helpers import REPO, mkdocs, serve_dir

BOUND = 500 * 1024


def _biglist():
    spec = importlib.util.spec_from_file_location("biglist", REPO / "benchmarks" / "biglist.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """900 readings in 3 topics, most in tier 2: enough to split every family
    (60 cards, 500 rows to a page) in a build of well under a minute."""
    root = tmp_path_factory.mktemp("big-project")
    _biglist().make_big_list(root / "readings", 900, areas=1, topics_per_area=3, tiers=(1, 2, 2, 2, 2, 2, 3, 4))
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(
        "site_name: Big list\ndocs_dir: docs\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - readlist:\n      readings: readings\n",
        encoding="utf-8",
    )
    out = root / "site"
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=root)
    return out, load(root / "readings").catalog


def _pages(site: Path, first: str) -> list[str]:
    """The family of `first` (a page URL relative to the site): the page and
    the parts its pager links to, each read from the built HTML."""
    html = (site / first / "index.html").read_text(encoding="utf-8")
    pager = re.search(r'<nav class="rl-pager"[^>]*>(.*?)</nav>', html, re.S)
    if not pager:
        return [first]
    hrefs = re.findall(r'<a href="([^"]+)"', pager.group(1))
    return [posixpath.normpath(posixpath.join(first, h)) + "/" for h in hrefs]


def _family(site: Path, first: str) -> list[str]:
    parts = _pages(site, first)
    for part in parts:  # every part links to the same parts, in the same order
        assert _pages(site, part) == parts, (first, part)
    return parts


def _text(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def test_no_page_is_over_the_bound(big):
    site, _ = big
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    assert max(sizes.values()) <= BOUND, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_every_family_is_split_and_its_parts_hold_every_reading(big):
    site, catalog = big
    every = set(catalog.entries)
    # topics: each card once, on the parts of its own topic
    cards: Counter[str] = Counter()
    for topic, _ in catalog.walk_topics():
        first = f"topics/{topic.id}/"
        parts = _family(site, first)
        if topic.children:
            continue
        assert len(parts) > 1, first
        for part in parts:
            cards.update(re.findall(r'<div class="rl-entry" data-entry="([^"]+)"', _text(site, part)))
    assert set(cards) == every and set(cards.values()) == {1}
    # tiers: every reading once, as a row of its tier
    rows: Counter[str] = Counter()
    split_tiers = 0
    for tier in (1, 2, 3, 4):
        parts = _family(site, f"reading-path/tier-{tier}/")
        split_tiers += len(parts) > 1
        for part in parts:
            rows.update(re.findall(r'<li class="rl-row" data-entry="([^"]+)"', _text(site, part)))
    assert split_tiers and set(rows) == every and set(rows.values()) == {1}
    # lists: every member, section by section
    for rl in catalog.lists.values():
        parts = _family(site, f"lists/{rl.id}/")
        assert len(parts) > 1
        shown = [i for p in parts for i in re.findall(r'<div class="rl-entry" data-entry="([^"]+)"', _text(site, p))]
        assert shown == [e for s in rl.sections for e in s.entries]
    # authors: every person, with every reading they wrote
    parts = _family(site, "authors/")
    assert len(parts) > 1
    people = {}
    for part in parts:
        html = _text(site, part)
        for anchor, block in re.findall(
            r'<h3 class="rl-person" id="([^"]+)">.*?</h3>\s*<ul class="rl-person-readings"[^>]*>(.*?)</ul>', html, re.S
        ):
            people[anchor] = len(re.findall(r"<li>", block))
    names = {a for e in catalog.entries.values() for a in e.authors}
    assert len(people) == len(names)
    assert sum(people.values()) == sum(len(set(e.authors)) for e in catalog.entries.values())
    # tags: every (tag, reading) pair
    parts = _family(site, "tags/")
    assert len(parts) > 1
    listed = 0
    for part in parts:
        html = _text(site, part)
        for block in re.findall(r'<ul class="rl-tag-list">(.*?)</ul>', html, re.S):
            listed += len(re.findall(r"<li><a href=", block))
    assert listed == sum(len(e.tags) for e in catalog.entries.values())


def test_links_into_split_pages_land_on_their_target(big):
    """A card's author, tag and list links, and a reading page's links, point
    at the part that holds the anchor."""
    site, _ = big
    checked = 0
    for path in list(site.glob("readings/*/index.html"))[:150]:
        rel = path.parent.relative_to(site).as_posix() + "/"
        html = path.read_text(encoding="utf-8")
        for href in re.findall(r'href="(\.\./\.\./[^"#]+/)#([^"]+)"', html):
            target = posixpath.normpath(posixpath.join(rel, href[0]))
            assert f'id="{href[1]}"' in _text(site, target), (rel, href)
            checked += 1
    assert checked > 300


def test_what_every_page_loads_does_not_grow_with_the_list(big, fixture_site):
    """The scripts and style sheets a page names are the same files whether
    the list has 7 readings or 900 (readlist's own at the same size)."""
    site, _ = big

    def assets(root: Path, page: str) -> dict[str, int]:
        html = _text(root, page)
        refs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
            r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html
        )
        out = {}
        for ref in refs:
            path = (root / page / ref.split("?")[0]).resolve()
            out[path.relative_to(root.resolve()).as_posix()] = path.stat().st_size
        return out

    big_assets, small_assets = assets(site, ""), assets(fixture_site, "")
    assert big_assets == small_assets
    assert assets(site, "topics/") == big_assets


def test_an_old_link_to_a_reading_on_a_later_part_lands_on_it(big, browser):
    """`topics/<id>/#<entry-id>` was the reading's stable anchor: when the
    topic is split and the reading is on a later part, the link still lands
    on its card (the first part names what each part holds)."""
    site, catalog = big
    topic = next(t for t, _ in catalog.walk_topics() if not t.children)
    parts = _family(site, f"topics/{topic.id}/")
    last = parts[-1]
    entry_id = re.findall(r'<div class="rl-entry" data-entry="([^"]+)"', _text(site, last))[-1]
    server = serve_dir(site)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + f"topics/{topic.id}/#{entry_id}")
        page.wait_for_url(base + last + f"#{entry_id}")
        heading = page.locator(f"h3[id='{entry_id}']")
        heading.wait_for()
        page.wait_for_function(
            "id => { const r = document.getElementById(id).getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight; }",
            arg=entry_id,
        )
        assert heading.is_visible()
        context.close()
    finally:
        server.shutdown()
