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
    phone.close()
    nojs = browser.new_context(java_script_enabled=False)
    page = nojs.new_page()
    page.goto(real_site_url + "topics/transformers/")
    assert page.locator(".rl-entry").count() > 3
    assert page.locator(".rl-filters").count() == 0  # controls need the script; content does not
    nojs.close()
