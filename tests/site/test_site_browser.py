"""Real headless Chromium (Debian's, driven by Playwright): filters, landing,
marking as read, progress; screenshots land in tests/artifacts/."""

from __future__ import annotations

import re

import pytest

from .helpers import PAGE_TYPES, PHONE_FONTS, font_installed


def _no_errors(page) -> None:
    assert page.console_errors == [], page.console_errors


# What a reader sees: titles whose box is on the page (not display:none,
# not inside a closed <details>).
_SEEN_TITLES = """() => Array.from(document.querySelectorAll('.md-content h3.rl-title, .md-content .rl-row'))
  .filter(el => el.getClientRects().length > 0 && el.getBoundingClientRect().height > 0)
  .map(el => el.id || el.dataset.entry)"""


def _seen(page) -> list[str]:
    return page.evaluate(_SEEN_TITLES)


def _count(filters) -> tuple[int, int]:
    m = re.search(r"(\d+) of (\d+) shown", filters.locator(".rl-filter-count").inner_text())
    assert m
    return int(m.group(1)), int(m.group(2))


def test_filters_hide_titles_bodies_and_the_tier4_box(page, real_site_url, artifacts):
    page.goto(real_site_url + "topics/transformers/")
    filters = page.locator(".rl-filters")
    filters.wait_for()
    tier4 = page.locator("details.rl-more")
    tier4.evaluate("d => { d.open = true; }")
    everything = _seen(page)
    kinds = dict(page.locator(".rl-entry").evaluate_all("els => els.map(e => [e.dataset.entry, e.dataset.kind])"))
    tiers = dict(page.locator(".rl-entry").evaluate_all("els => els.map(e => [e.dataset.entry, e.dataset.tier])"))
    assert sorted(everything) == sorted(kinds) and _count(filters) == (len(kinds), len(kinds))

    filters.locator("input[name='tier'][value='2']").check()
    seen = _seen(page)
    assert seen and all(tiers[e] == "2" for e in seen)
    assert len(seen) == sum(t == "2" for t in tiers.values()) == _count(filters)[0]
    assert not tier4.is_visible()  # the tier 4+ box goes with its readings
    assert not page.locator("h2#tier-1").is_visible() and page.locator("h2#tier-2").is_visible()
    page.screenshot(path=str(artifacts / "topic-filtered-tier-2.png"))
    filters.locator("input[name='tier'][value='2']").uncheck()

    # A kind: only its titles stay, the tier 4+ box counts what it still holds.
    kind = "video"
    filters.locator("select[name='kind']").select_option(kind)
    seen = _seen(page)
    wanted = [e for e, k in kinds.items() if k == kind]
    assert sorted(seen) == sorted(wanted) and _count(filters)[0] == len(wanted)
    in_tier4 = [e for e in wanted if tiers[e] == "4"]
    if in_tier4:
        assert tier4.is_visible()
        assert tier4.locator("summary").inner_text().startswith(f"{len(in_tier4)} more reading")
    else:
        assert not tier4.is_visible()

    # Nothing matches: no title, no tier box, an empty state with a way out.
    filters.locator("select[name='length']").select_option("huge")
    filters.locator("input[name='tier'][value='1']").check()
    if _seen(page):  # the real list may hold such a reading; hide read ones too
        for box in page.locator(".rl-entry:visible input.rl-check").all():
            box.check()
        filters.locator("input[name='hide-read']").check()
    assert _seen(page) == [] and _count(filters)[0] == 0
    assert not tier4.is_visible()
    assert page.locator("article h2:visible").count() == 0
    empty = page.locator(".rl-empty")
    assert empty.is_visible() and "No reading matches" in empty.inner_text()
    page.screenshot(path=str(artifacts / "topic-filtered-empty.png"))
    filters.locator("input[name='hide-read']").uncheck()
    empty.get_by_role("button", name="Clear the filters").click()
    assert not empty.is_visible()
    assert sorted(_seen(page)) == sorted(kinds) and _count(filters) == (len(kinds), len(kinds))
    _no_errors(page)


@pytest.mark.parametrize("path", ["reading-path/tier-2/", "lists/ilya-sutskever-30/"])
def test_filter_counts_match_the_screen_on_tier_and_list_pages(page, real_site_url, path):
    page.goto(real_site_url + path)
    filters = page.locator(".rl-filters")
    filters.wait_for()
    shown, total = _count(filters)
    assert shown == total == len(_seen(page)) > 1
    length = filters.locator("select[name='length']")
    for value in ("short", "medium", "long", "huge"):
        length.select_option(value)
        seen = _seen(page)
        assert _count(filters)[0] == len(seen), value
        buckets = set(
            page.locator("[data-entry]").evaluate_all(
                "els => els.filter(e => e.getClientRects().length).map(e => e.dataset.length)"
            )
        )
        assert buckets <= {value}
        # Section headings left without a visible reading are gone too.
        for h2 in page.locator("article h2").all():
            if h2.is_visible() and h2.get_attribute("id") not in ("in-a-nutshell",):
                section = h2.evaluate("""h => { const out = []; let el = h.nextElementSibling;
                    while (el && el.tagName !== 'H2') { out.push(el); el = el.nextElementSibling; }
                    return out.some(e => (e.matches('[data-entry]') ? [e] : [...e.querySelectorAll('[data-entry]')])
                                       .some(x => x.getClientRects().length)); }""")
                assert section, (value, h2.inner_text())
    _no_errors(page)


def test_mark_as_read_survives_reload_and_updates_progress(page, real_site_url, artifacts):
    page.goto(real_site_url + "topics/transformers/")
    progress = page.locator(".rl-progress").first
    progress.wait_for()
    assert re.search(r": 0 of \d+ read", progress.inner_text())
    first = page.locator(".rl-entry").first
    entry_id = first.get_attribute("data-entry")
    title = first.get_attribute("data-title")
    tier = first.get_attribute("data-tier")
    box = page.get_by_role("checkbox", name=f"Mark as read: {title}", exact=True)
    assert box.is_visible()
    box.check()
    assert re.search(r": 1 of \d+ read", progress.inner_text())
    page.reload()
    assert page.locator(f".rl-entry[data-entry='{entry_id}'] input.rl-check").is_checked()
    assert re.search(r": 1 of \d+ read", page.locator(".rl-progress").first.inner_text())
    page.screenshot(path=str(artifacts / "topic.png"), full_page=False)
    # The home page counts it in the topic's row and overall.
    page.goto(real_site_url)
    row = page.locator("tr[data-rl-topic='transformers'] .rl-progress-col")
    assert row.inner_text().strip().startswith("1/")
    assert re.search(r"Overall progress: 1 of \d+ read", page.locator(".rl-progress").first.inner_text())
    # The tier page shows the same mark on the compact row.
    page.goto(real_site_url + f"reading-path/tier-{tier}/")
    assert page.get_by_role("checkbox", name=f"Mark as read: {title}", exact=True).is_checked()
    _no_errors(page)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_home_screenshots_light_and_dark(page, real_site_url, artifacts, scheme):
    page.emulate_media(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(real_site_url)
    page.locator(".rl-counts").wait_for()
    assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
    page.screenshot(path=str(artifacts / f"home-{scheme}.png"), full_page=False)
    _no_errors(page)


# What sticks out of a 390-px screen: tables that scroll sideways and any
# visible box in the page whose right edge passes the viewport.
_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const t of document.querySelectorAll('table'))
    if (t.getBoundingClientRect().width && t.scrollWidth > t.clientWidth + 1)
      out.push(`table.${t.className} scrolls: ${t.scrollWidth}px in ${t.clientWidth}px`);
  for (const el of document.querySelectorAll('.md-container *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.md-sidebar, .md-search, .md-tabs')) continue;  // off-canvas drawers
    if (r.right > vw + 0.5 || r.left < -0.5)
      out.push(`${el.tagName.toLowerCase()}.${el.className} spans ${Math.round(r.left)}..${Math.round(r.right)}px`);
  }
  return {width: document.documentElement.scrollWidth, out: out.slice(0, 10)};
}"""


@pytest.mark.parametrize("font", PHONE_FONTS)
def test_phone_layout_fits_whatever_the_font(browser, real_site_url, artifacts, font):
    """DejaVu Sans (what Debian's Chromium brings) and the narrower Liberation
    Sans: scripts/install-browser.sh installs both, every time."""
    assert font_installed(font), f"font {font!r} is missing: run scripts/install-browser.sh"
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    for name, path in PAGE_TYPES.items():
        page.goto(real_site_url + path)
        page.add_style_tag(content=f'body, input, select, button {{ font-family: "{font}" !important; }}')
        used = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert font in used
        found = page.evaluate(_OVERFLOW_JS)
        assert found["width"] <= 390 and not found["out"], f"{font}, {name} (/{path}) on a 390-px phone: {found}"
        if font == PHONE_FONTS[0] and name == "stats":
            page.screenshot(path=str(artifacts / "stats-phone.png"))
    phone.close()


def test_pages_work_without_javascript(browser, real_site_url):
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
        arg=entry_id,
        timeout=5000,
    )
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
def test_a_link_from_another_page_opens_the_collapsed_tier4_entry(browser, request, artifacts, site):
    """A link to a reading's card (the Authors page's, a list's) lands on it
    even inside the closed tier 4+ block, with and without instant loading."""
    url = request.getfixturevalue(site)
    context = browser.new_context(viewport={"width": 1100, "height": 420})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url + "topics/alpha/")
    _closed_and_below_the_fold(page)
    page.goto(url + "authors/")
    page.locator(f".rl-person-readings a[href$='#{TIER4}']").first.click()
    page.wait_for_url(re.compile(rf"topics/alpha/(\?[^#]*)?#{TIER4}$"))
    _assert_revealed(page)
    if site == "fixture_site_url":
        page.screenshot(path=str(artifacts / "link-landed-tier4.png"))
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
    page.evaluate(
        """() => { document.querySelector('details.rl-more').open = false;
                             window.scrollTo(0, 0);
                             history.replaceState(null, '', location.pathname);
                             history.replaceState(null, '', '#' + arguments[0]); }""".replace(
            "arguments[0]", repr(TIER4)
        )
    )
    page.evaluate("window.dispatchEvent(new HashChangeEvent('hashchange'))")
    _assert_revealed(page)
    _no_errors(page)
