"""The site's search (Pagefind, through the header's dialog) on the real list,
in real headless Chromium, as a reader meets it: what a result shows, the
reading a title or an author and year names comes first and leads to that
reading's page, filters, keyboard only, a phone, dark mode, axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from readlist.loading import load

from .helpers import REPO, SEARCH_INPUT, SEARCH_OPEN, SEARCH_RESULTS, open_search, search_for, search_settled
from .test_site_a11y import _axe, axe_source  # noqa: F401  (the fixture is used by name)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def entries():
    return list(load(Path(REPO / "readings")).catalog.ordered_entries())


@pytest.fixture(scope="module")
def catalog():
    return load(Path(REPO / "readings")).catalog


def _reading(href: str) -> str | None:
    """The reading id a result's link leads to (None for another page)."""
    found = re.fullmatch(r"/readings/([^/]+)/", urlparse(href).path)
    return found.group(1) if found else None


@pytest.fixture
def searching(page, real_site_url):
    page.goto(real_site_url)
    open_search(page)
    return page


def test_every_exact_title_lands_on_its_reading_first(searching, entries):
    """Every reading of the real list: its title typed, the first result is a
    link to its page."""
    wrong = {}
    for entry in entries:
        found = search_for(searching, entry.title)
        first = _reading(found[0]["href"]) if found else None
        if first != entry.id:
            wrong[entry.id] = (entry.title, [r["title"] for r in found[:3]])
    assert wrong == {}, f"{len(wrong)} of {len(entries)} titles: {wrong}"


def test_author_and_year_list_the_reading_in_the_top_three(searching, entries):
    """The first author's surname and the year; when more than three readings
    match both, the first three results all come from that group."""

    def surname(entry) -> str:
        return entry.authors[0].split()[-1]

    def names(entry) -> set[str]:
        # split as the search index does (whitespace and hyphens), so
        # "Chung-Ching Chang" matches the query "Chung" here too
        return {w.lower() for a in entry.authors for w in re.split(r"[\s\-]+", a) if w}

    dated = [e for e in entries if e.authors and e.year]
    assert len(dated) > 100
    wrong, crowded = {}, 0
    for entry in dated:
        query = f"{surname(entry)} {entry.year}"
        group = {e.id for e in dated if e.year == entry.year and surname(entry).lower() in names(e)}
        found = [_reading(r["href"]) for r in search_for(searching, query)[:3]]
        if entry.id in found:
            continue
        if len(group) > 3 and set(found) <= group:
            crowded += 1
            continue
        wrong[entry.id] = (query, found)
    assert wrong == {}, f"{len(wrong)} of {len(dated)}: {wrong}"
    # a handful of such groups, not a pattern: at most one dated reading in twenty
    assert crowded <= len(dated) // 20, crowded


@pytest.mark.parametrize("query", ["PaLM 2", "lora", "chinchilla", "Vaswani", "language models"])
def test_a_result_reads_as_title_three_authors_year_and_an_excerpt(searching, catalog, query):
    """No wall of names: each reading's result names three authors at most
    ("et al." for the rest), none of the others appear in what is on screen,
    and a result is a few lines high."""
    found = search_for(searching, query)
    assert found
    line_height = searching.locator(".rl-search__excerpt").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight)"
    )
    for result in found:
        assert result["height"] <= 6 * line_height, result  # title, meta, two lines of excerpt, padding
        entry_id = _reading(result["href"])
        if entry_id is None:
            continue
        entry = catalog.entries[entry_id]
        assert result["title"] == entry.title
        names = result["meta"].split(" · ")[0] if entry.authors else ""
        assert names.removesuffix(" et al.").split(", ") == entry.authors[:3] or not entry.authors, result
        assert names.endswith(" et al.") == (len(entry.authors) > 3)
        shown = " ".join((result["title"], result["meta"], result["excerpt"]))
        hidden = [a for a in entry.authors[3:] if a in shown]
        assert hidden == [], (entry_id, hidden)
        if entry.year:
            assert str(entry.year) in result["meta"]


def _open_filters(page) -> None:
    """Open "Filters and order" as a reader does (the filters' values are
    fetched then)."""
    filters = page.locator(".rl-search__filters")
    if not filters.evaluate("d => d.open"):
        filters.locator("summary").click()
    page.wait_for_selector(".rl-search__filters[data-state=ready]")


def _chosen(page, name: str, value: str) -> None:
    """Choose a filter's value and wait for the results to change."""
    _open_filters(page)
    before = page.locator(".rl-search").get_attribute("data-rendered")
    page.locator(f".rl-search select[name='{name}']").select_option(value)
    page.wait_for_function("b => document.querySelector('.rl-search').getAttribute('data-rendered') !== b", arg=before)


@pytest.mark.parametrize(
    "name, pick",
    [
        ("tier", lambda e: "Tier 4+" if e.tier >= 4 else f"Tier {e.tier}"),
        ("kind", lambda e: (e.kind or "").capitalize()),
    ],
)
def test_a_filter_in_the_results_keeps_only_matching_readings(searching, catalog, name, pick):
    query = "learning"
    every = [r["href"] for r in search_for(searching, query)]
    _open_filters(searching)
    values = searching.locator(f".rl-search select[name='{name}'] option").evaluate_all(
        "os => os.map(o => o.value).filter(Boolean)"
    )
    assert len(values) >= 2
    seen_change = False
    for value in values[:3]:
        _chosen(searching, name, value)
        shown = searching.evaluate(SEARCH_RESULTS)
        ids = [_reading(r["href"]) for r in shown]
        assert None not in ids  # pages carry no filter values: only readings remain
        assert all(pick(catalog.entries[i]) == value for i in ids), (value, ids)
        seen_change |= [r["href"] for r in shown] != every
    assert seen_change
    _chosen(searching, name, "")
    assert [r["href"] for r in searching.evaluate(SEARCH_RESULTS)] == every


@pytest.mark.parametrize(
    "order, key, newest_first",
    [
        ("year:desc", lambda e: e.year, True),
        ("year:asc", lambda e: e.year, False),
        ("length:desc", lambda e: round(e.minutes()), True),
        ("length:asc", lambda e: round(e.minutes()), False),
    ],
)
@pytest.mark.parametrize("query", ["learning", ""])
def test_an_order_shows_the_readings_in_that_order(searching, catalog, query, order, key, newest_first):
    """Ordered by year or length, with a query or without one: the readings
    shown (and the next ones, under "More results") come in that order, and
    every one of them has the key; back to best match, the first results are
    the same as before."""
    every = [r["href"] for r in search_for(searching, query)] if query else []
    _chosen(searching, "order", order)
    searching.locator(".rl-search__more").click()
    searching.wait_for_function("() => document.querySelectorAll('.rl-search__link').length > 10")
    ids = [_reading(r["href"]) for r in searching.evaluate(SEARCH_RESULTS)]
    assert None not in ids and len(ids) > 10
    values = [key(catalog.entries[i]) for i in ids]
    assert values == sorted(values, reverse=newest_first), list(zip(ids, values, strict=True))
    if query:
        _chosen(searching, "order", "")
        assert [r["href"] for r in searching.evaluate(SEARCH_RESULTS)] == every


def test_topic_and_list_filters_without_a_query(searching, catalog):
    """A filter alone lists what it holds: a list's readings, then a topic's
    within that list; the count says how many."""
    some_list = next(iter(catalog.lists.values()))
    _chosen(searching, "list", some_list.title)
    in_list = {e for e in catalog.entries if some_list.id in [rl.id for rl in catalog.lists_of(e)]}
    ids = {_reading(r["href"]) for r in searching.evaluate(SEARCH_RESULTS)}
    assert ids and ids <= in_list
    status = searching.locator(".rl-search__status").inner_text()
    assert re.match(rf"{len(in_list)} results?\b", status), status
    while searching.locator(".rl-search__more").is_visible():  # every one of them, ten at a time
        shown = len(ids)
        searching.locator(".rl-search__more").click()
        searching.wait_for_function("n => document.querySelectorAll('.rl-search__link').length > n", arg=shown)
        ids = {_reading(r["href"]) for r in searching.evaluate(SEARCH_RESULTS)}
    assert ids == in_list
    topic = catalog.topic_index[catalog.entries[sorted(ids)[0]].topic]
    _chosen(searching, "topic", topic.title)
    both = {e for e in in_list if catalog.entries[e].topic == topic.id}
    ids = {_reading(r["href"]) for r in searching.evaluate(SEARCH_RESULTS)}
    assert ids == both if len(both) <= 10 else ids <= both


def test_a_title_typed_key_by_key_then_enter_lands_on_its_reading(page, real_site_url, entries):
    """Titles spread over the real list, typed a key at a time (fast, as a
    title is typed or pasted key by key) and Enter pressed at once after the
    last key, before the search has answered: the reader lands on that
    reading's page. Another, typed and left: its reading is listed first."""
    for entry in entries[:: max(1, len(entries) // 12)]:
        page.goto(real_site_url)
        page.keyboard.press("/")
        page.wait_for_selector(".rl-search[open][data-state=ready]")
        page.keyboard.type(entry.title, delay=15)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert urlparse(page.url).path.endswith(f"/readings/{entry.id}/"), (entry.title, page.url)
    entry = entries[len(entries) // 2]
    page.goto(real_site_url)
    open_search(page)
    page.keyboard.type(entry.title, delay=15)
    search_settled(page, entry.title)
    assert _reading(page.evaluate(SEARCH_RESULTS)[0]["href"]) == entry.id


def test_enter_is_for_the_query_it_was_pressed_on(searching, real_site_url):
    """Enter on an empty box, then a title typed and left: no page opens by
    itself. Enter pressed while a search runs, then Escape (the box cleared,
    the dialog closed): the reader stays where they were."""
    searching.keyboard.press("Enter")
    searching.keyboard.type("Attention Is All You Need", delay=15)
    search_settled(searching, "Attention Is All You Need")
    searching.wait_for_timeout(300)  # a navigation it should not start would start by now
    assert urlparse(searching.url).path == urlparse(real_site_url).path
    searching.locator(SEARCH_INPUT).fill("")
    searching.keyboard.type("Chinchilla", delay=15)
    searching.keyboard.press("Enter")
    searching.keyboard.press("Escape")  # in a search box: clears it
    searching.keyboard.press("Escape")  # then closes the dialog
    searching.wait_for_selector(".rl-search", state="hidden")
    searching.wait_for_function("document.querySelector('.rl-search').getAttribute('data-busy') === 'false'")
    searching.wait_for_timeout(300)
    assert urlparse(searching.url).path == urlparse(real_site_url).path


def test_a_typo_taken_back_shows_the_query_and_its_count(searching):
    """A key typed and taken back at once: the results, their count and
    "More results" are those of the query in the box, not of the typo."""
    query = "learning"
    before = [r["href"] for r in search_for(searching, query)]
    count = searching.locator(".rl-search__status").inner_text()
    searching.keyboard.press("End")
    searching.keyboard.type("x")
    searching.keyboard.press("Backspace")
    search_settled(searching, query)
    assert [r["href"] for r in searching.evaluate(SEARCH_RESULTS)] == before
    assert searching.locator(".rl-search__status").inner_text() == count
    searching.locator(".rl-search__more").click()
    searching.wait_for_function("n => document.querySelectorAll('.rl-search__link').length > n", arg=len(before))
    hrefs = [r["href"] for r in searching.evaluate(SEARCH_RESULTS)]
    assert hrefs[: len(before)] == before and len(set(hrefs)) == len(hrefs)
    assert searching.locator(".rl-search__status").inner_text().startswith(count.split(",")[0])


def test_keyboard_only(page, real_site_url):
    """`/` opens the dialog with the focus in the box; arrows walk the
    results; Enter follows one; Escape closes and gives the focus back."""
    page.goto(real_site_url)
    page.keyboard.press("/")
    page.wait_for_selector(".rl-search[open]")
    assert page.evaluate("document.activeElement.matches('.rl-search__input')")
    page.keyboard.type("Attention Is All You Need")
    search_settled(page, "Attention Is All You Need")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.matches('.rl-search__link')")
    first = page.evaluate("document.activeElement.href")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.href") == first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.matches('.rl-search__input')")
    # Tab reaches the close button and the filters; the page behind is inert.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.rl-search')")
    page.keyboard.press("Escape")
    page.wait_for_selector(".rl-search", state="hidden")
    # the focus goes back to the button when the dialog's close event runs (a task after the Escape)
    page.wait_for_function("document.activeElement.matches('.rl-search-open')", timeout=5000)
    # `s` opens it too; Enter in the box follows the first result.
    page.keyboard.press("s")
    page.wait_for_selector(".rl-search[open]")
    page.keyboard.type("Attention Is All You Need")
    search_settled(page, "Attention Is All You Need")
    page.keyboard.press("Enter")
    page.wait_for_url(first)
    assert _reading(page.url) == "attention-is-all-you-need"
    # The reading's own page: its title heads it.
    assert (
        page.locator("h1#attention-is-all-you-need").inner_text().strip().rstrip("¶").strip()
        == "Attention Is All You Need"
    )


def test_on_a_phone(browser, real_site_url, artifacts):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(real_site_url)
    button = page.locator(SEARCH_OPEN)
    box = button.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24 and box["x"] + box["width"] <= PHONE["width"]
    button.tap()
    page.wait_for_selector(".rl-search[open][data-state=ready]")
    found = search_for(page, "Attention Is All You Need")
    assert _reading(found[0]["href"]) == "attention-is-all-you-need"
    dialog = page.locator(".rl-search").bounding_box()
    assert dialog and dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= PHONE["width"]
    first = page.locator(".rl-search__link").first.bounding_box()
    assert first and first["y"] >= 0 and first["y"] + first["height"] <= PHONE["height"]
    assert page.evaluate("document.querySelector('.rl-search').scrollWidth <= innerWidth")
    page.screenshot(path=str(artifacts / "search-phone.png"))
    page.locator(".rl-search__link").first.tap()
    page.wait_for_url(found[0]["href"])
    heading = page.locator("h1#attention-is-all-you-need")
    assert heading.is_visible() and heading.bounding_box()["y"] < PHONE["height"]
    context.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_the_search(browser, real_site_url, axe_source, artifacts, viewport, scheme):  # noqa: F811
    """The dialog open with results and a filter chosen, in the theme's
    scheme (dark follows the reader's system setting like the rest)."""
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, color_scheme=scheme)
    page = context.new_page()
    page.goto(real_site_url)
    open_search(page)
    search_for(page, "transformer")
    _chosen(page, "tier", "Tier 1")
    background = page.locator(".rl-search").evaluate("d => getComputedStyle(d).backgroundColor")
    assert (_luminance(background) < 0.3) == (scheme == "dark"), background
    page.screenshot(path=str(artifacts / f"search-{'phone' if viewport is PHONE else 'desktop'}-{scheme}.png"))
    assert _axe(page, axe_source) == []
    context.close()


def test_the_search_box_is_the_only_one_and_every_page_has_it(page, real_site_url):
    """Material's lunr search is gone (no second box, no index to download)."""
    for path in ("", "topics/transformers/", "contributing/"):
        page.goto(real_site_url + path)
        assert page.locator(SEARCH_OPEN).is_visible()
        assert page.locator(".md-search").count() == 0
    assert page.locator(SEARCH_INPUT).count() == 0  # built on first use


def test_opened_from_files_the_search_says_to_serve_the_folder(page, real_site):
    """Browsers refuse Pagefind's fetches on file:// pages: the dialog says
    what to do instead of spinning, and the page itself keeps working."""
    page.goto((real_site / "index.html").as_uri())
    page.locator(SEARCH_OPEN).click()
    page.wait_for_selector(".rl-search[open][data-state=failed]")
    status = page.locator(".rl-search__status")
    assert status.is_visible() and "served over HTTP" in status.inner_text()
    page.keyboard.press("Escape")
    page.wait_for_selector(".rl-search", state="hidden")
    assert page.locator(".md-content h1").is_visible()
