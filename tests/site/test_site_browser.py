"""Real headless Chromium (Debian's, driven by Playwright): search, filters,
marking as read, progress; screenshots land in tests/artifacts/."""

from __future__ import annotations

import re

import pytest


def _no_errors(page) -> None:
    assert page.console_errors == [], page.console_errors


def test_search_for_an_author_lands_on_the_entry(page, fixture_site_url, artifacts):
    page.goto(fixture_site_url)
    box = page.locator("input.md-search__input")
    box.click()
    page.keyboard.type("Hopper", delay=50)
    result = page.locator(".md-search-result__item a", has_text="Compilers for Everyone").first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url(re.compile(r"topics/alpha/#compilers-for-everyone$"))
    heading = page.locator("h3#compilers-for-everyone")
    assert heading.is_visible()
    _no_errors(page)


def test_filter_by_tier_on_a_topic_page(page, real_site_url, artifacts):
    page.goto(real_site_url + "topics/transformers/")
    filters = page.locator(".rl-filters")
    filters.wait_for()
    cards = page.locator(".rl-entry")
    total = cards.count()
    tier2 = page.locator(".rl-entry[data-tier='2']").count()
    assert 0 < tier2 < total
    filters.locator("input[name='tier'][value='2']").check()
    assert page.locator(".rl-entry:visible").count() == tier2
    assert all(t == "2" for t in page.locator(".rl-entry:visible").evaluate_all(
        "els => els.map(e => e.dataset.tier)"))
    assert f"{tier2} of {total} shown" in filters.locator(".rl-filter-count").inner_text()
    page.screenshot(path=str(artifacts / "topic-filtered-tier-2.png"))
    filters.locator("input[name='tier'][value='2']").uncheck()
    assert page.locator(".rl-entry:visible").count() == total - page.locator(
        "details.rl-more .rl-entry").count()
    # Kind and length filters combine with the others.
    filters.locator("select[name='kind']").select_option("video")
    kinds = page.locator(".rl-entry:visible").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"video"}
    filters.locator("select[name='length']").select_option("short")
    shown = page.locator(".rl-entry:visible").evaluate_all(
        "els => els.map(e => [e.dataset.kind, e.dataset.length])")
    assert all(k == "video" and b == "short" for k, b in shown)
    _no_errors(page)


def test_mark_as_read_survives_reload_and_updates_progress(page, real_site_url, artifacts):
    page.goto(real_site_url + "topics/transformers/")
    progress = page.locator(".rl-progress").first
    progress.wait_for()
    assert re.search(r": 0 of \d+ read", progress.inner_text())
    first = page.locator(".rl-entry").first.get_attribute("data-entry")
    page.locator(f"h3#{first} input.rl-check").check()
    assert re.search(r": 1 of \d+ read", progress.inner_text())
    page.reload()
    assert page.locator(f"h3#{first} input.rl-check").is_checked()
    assert re.search(r": 1 of \d+ read", page.locator(".rl-progress").first.inner_text())
    page.screenshot(path=str(artifacts / "topic.png"), full_page=False)
    # The home page counts it in the topic's row and overall.
    page.goto(real_site_url)
    row = page.locator("tr[data-rl-topic='transformers'] .rl-progress-col")
    assert row.inner_text().strip().startswith("1/")
    assert re.search(r"Overall progress: 1 of \d+ read", page.locator(".rl-progress").first.inner_text())
    # The reading path shows the same mark on the compact row.
    page.goto(real_site_url + "reading-path/")
    page.screenshot(path=str(artifacts / "reading-path.png"))
    _no_errors(page)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_home_screenshots_light_and_dark(page, real_site_url, artifacts, scheme):
    page.emulate_media(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(real_site_url)
    page.locator(".rl-counts").wait_for()
    assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
    page.screenshot(path=str(artifacts / f"home-{scheme}.png"), full_page=False)
    _no_errors(page)


def test_phone_layout_and_no_javascript(browser, real_site_url, artifacts):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(real_site_url + "stats/")
    page.screenshot(path=str(artifacts / "stats-phone.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone ({width}px)"
    # The share and progress tables fit too: no column (the bars) hidden off-screen.
    for path in ("stats/", "", "lists/ilya-sutskever-30/"):
        page.goto(real_site_url + path)
        wide = page.evaluate("""Array.from(document.querySelectorAll('table.rl-table'))
            .filter(t => t.scrollWidth > t.clientWidth + 1).length""")
        assert wide == 0, f"{wide} table(s) scroll sideways on a phone at /{path}"
    phone.close()
    nojs = browser.new_context(java_script_enabled=False)
    page = nojs.new_page()
    page.goto(real_site_url + "topics/transformers/")
    assert page.locator(".rl-entry").count() > 3
    assert page.locator(".rl-filters").count() == 0  # controls need the script; content does not
    nojs.close()


# -- landing on a collapsed (tier 4+) entry ---------------------------------
TIER4 = "linkers-at-length"  # tier 4 in the fixture, inside <details class="rl-more"> on alpha


def _assert_revealed(page, entry_id: str = TIER4) -> None:
    details = page.locator(f"details.rl-more:has(#{entry_id})")
    page.wait_for_function(
        """id => { const h = document.getElementById(id), d = h && h.closest('details');
                   if (!d || !d.open) return false;
                   const r = h.getBoundingClientRect();
                   return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=entry_id, timeout=5000)
    assert details.evaluate("d => d.open")
    heading = page.locator(f"h3#{entry_id}")
    assert heading.is_visible()
    box = heading.bounding_box()
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    card = page.locator(f".rl-entry[data-entry='{entry_id}']")
    assert card.is_visible()


def _closed_and_below_the_fold(page) -> None:
    """Without a hash the tier 4+ block is closed and out of sight: landing must move."""
    assert page.locator("details.rl-more").evaluate("d => !d.open")
    top = page.locator("details.rl-more > summary").evaluate("s => s.getBoundingClientRect().top")
    assert top > page.viewport_size["height"], "make the fixture page longer: nothing to scroll"


@pytest.mark.parametrize("site", ["fixture_site_url", "fixture_site_instant_url"])
@pytest.mark.parametrize("query", ["Keller", "Linkers"])
def test_search_result_opens_the_collapsed_tier4_entry(browser, request, artifacts, site, query):
    url = request.getfixturevalue(site)
    context = browser.new_context(viewport={"width": 1100, "height": 420})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url + "topics/alpha/")
    _closed_and_below_the_fold(page)
    page.goto(url)
    page.locator("input.md-search__input").click()
    page.keyboard.type(query, delay=40)
    result = page.locator(".md-search-result__item a", has_text="Linkers and Loaders at Length").first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url(re.compile(rf"topics/alpha/(\?[^#]*)?#{TIER4}$"))
    _assert_revealed(page)
    if query == "Keller" and site == "fixture_site_url":
        page.screenshot(path=str(artifacts / "search-landed-tier4.png"))
    # The same result again, on the same page, after the reader closed the block.
    page.locator(f"details.rl-more:has(#{TIER4})").evaluate("d => { d.open = false; }")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("input.md-search__input").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(query, delay=40)
    result.wait_for(timeout=15000)
    result.click()
    _assert_revealed(page)
    assert errors == [], errors
    context.close()


def test_direct_link_with_hash_opens_the_collapsed_tier4_entry(browser, fixture_site_url):
    context = browser.new_context(viewport={"width": 390, "height": 700}, is_mobile=True)
    page = context.new_page()
    page.goto(fixture_site_url + f"topics/alpha/#{TIER4}")
    _assert_revealed(page)
    context.close()


def test_hash_change_on_the_same_page_opens_the_collapsed_tier4_entry(page, fixture_site_url):
    page.set_viewport_size({"width": 1100, "height": 420})
    page.goto(fixture_site_url + "topics/alpha/")
    _closed_and_below_the_fold(page)
    # A tier filter that hides the target is cleared so the reader sees it.
    page.locator(".rl-filters input[name='tier'][value='1']").check()
    page.evaluate(f"location.hash = '{TIER4}'")
    _assert_revealed(page)
    assert not page.locator(".rl-filters input[name='tier'][value='1']").is_checked()
    # readlist.js itself reacts to hashchange (not only the browser's own
    # auto-expanding of <details>, which Chromium has and others may lack).
    page.evaluate("""() => { document.querySelector('details.rl-more').open = false;
                             window.scrollTo(0, 0);
                             history.replaceState(null, '', location.pathname);
                             history.replaceState(null, '', '#' + arguments[0]); }""".replace(
        "arguments[0]", repr(TIER4)))
    page.evaluate("window.dispatchEvent(new HashChangeEvent('hashchange'))")
    _assert_revealed(page)
    _no_errors(page)
