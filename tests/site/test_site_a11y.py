"""Accessibility in real headless Chromium: axe-core (WCAG 2.0/2.1 A and AA)
on every page type in light and dark, visible keyboard focus, touch targets,
checkbox names, moving entry to entry by keyboard. Screenshots of every page
type (phone and desktop, light and dark) land in tests/artifacts/."""

from __future__ import annotations

import pytest

from .helpers import PAGE_TYPES, REPO

AXE = REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run scripts/install-test-tools.sh")
    return AXE.read_text(encoding="utf-8")


def _axe(page, source: str) -> list[str]:
    page.add_script_tag(content=source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [
        f"{v['id']} ({v['impact']}): {n['target']} {n['failureSummary'][:200]}"
        for v in result["violations"]
        for n in v["nodes"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page_type(
    browser, real_site_url, fixture_site_url, axe_source, artifacts, scheme
):
    """Every page type of the real site, plus the fixture's pages that show a
    "New" badge and an open tier 4+ block, in the page's resting state and
    with a filter that leaves nothing (the empty state)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    pages = {name: real_site_url + path for name, path in PAGE_TYPES.items()}
    pages["fixture-home"] = fixture_site_url
    pages["fixture-topic"] = fixture_site_url + "topics/alpha/#linkers-at-length"
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("load")
        if url.startswith(real_site_url):  # the fixture project has no dark scheme
            expected = "slate" if scheme == "dark" else "default"
            assert page.locator("body").get_attribute("data-md-color-scheme") == expected
        found[name] = _axe(page, axe_source)
        page.screenshot(path=str(artifacts / f"{name}-desktop-{scheme}.png"))
    page.goto(real_site_url + "topics/transformers/")
    page.locator(".rl-filters select[name='length']").select_option("huge")
    page.locator(".rl-filters input[name='tier'][value='1']").check()
    page.locator(".rl-filters select[name='kind']").select_option(index=1)
    found["topic-filtered"] = _axe(page, axe_source)
    context.close()
    total = sum(len(v) for v in found.values())
    assert total == 0, {k: v for k, v in found.items() if v}


def test_screenshots_of_every_page_type_on_a_phone(browser, real_site_url, artifacts):
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme=scheme)
        page = context.new_page()
        for name, path in PAGE_TYPES.items():
            page.goto(real_site_url + path)
            page.wait_for_load_state("load")
            out = artifacts / f"{name}-phone-{scheme}.png"
            page.screenshot(path=str(out))
            assert out.stat().st_size > 10_000  # a page was drawn, not a blank screen
        context.close()


_FOCUS_STYLE = """() => { const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), cls: String(el.className), inContent: !!el.closest('.md-content'),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1,
          shadow: s.boxShadow !== 'none'}; }"""


def test_keyboard_focus_is_visible_on_every_control(page, real_site_url):
    """Tab through a topic page: every control in the content that takes the
    focus shows it (outline or ring), checkboxes and selects included."""
    page.goto(real_site_url + "topics/transformers/")
    page.locator(".rl-filters").wait_for()
    seen, invisible = set(), []
    # The nav and the table of contents (a link per reading) come first: the
    # budget grows with the topic, and the walk stops at the first checkbox.
    for _ in range(200):
        if "input.rl-check" in seen:
            break
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STYLE)
        if not state["inContent"]:
            continue
        seen.add(state["tag"] + ("." + state["cls"].split()[0] if state["cls"] else ""))
        if not (state["outline"] or state["shadow"]):
            invisible.append(state)
    assert {"select", "input.rl-check"} <= seen | {s.split(".")[0] for s in seen}, seen
    assert "input.rl-check" in seen and any(s.startswith("select") for s in seen), seen
    assert invisible == []


def test_checkboxes_sit_outside_headings_with_the_title_as_name(page, real_site_url):
    for path in ("topics/transformers/", "reading-path/tier-1/", ""):
        page.goto(real_site_url + path)
        page.locator("input.rl-check").first.wait_for()
        assert page.locator("h1 input, h2 input, h3 input, h4 input").count() == 0
        names = page.locator("input.rl-check").evaluate_all(
            "els => els.map(e => [e.getAttribute('aria-label'), e.closest('[data-entry]').dataset.title])"
        )
        assert names and all(name == f"Mark as read: {title}" for name, title in names)
        # The heading reads as the title (and Material's permalink), nothing else.
        for heading in page.locator("h3.rl-title").all()[:5]:
            link = heading.locator("a:not(.headerlink)")
            assert heading.inner_text().replace("¶", "").strip() == link.inner_text().strip()


def test_progress_bars_have_names(page, real_site_url):
    page.goto(real_site_url)
    bars = page.get_by_role("progressbar")
    bars.first.wait_for()
    names = bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert names[0] == "Overall progress"
    assert all(n and n.strip() for n in names) and any(n.startswith("Read in ") for n in names)


def test_touch_targets_are_at_least_24px_on_a_phone(browser, real_site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    small = []
    for path in ("topics/transformers/", "reading-path/tier-1/", "lists/ilya-sutskever-30/"):
        page.goto(real_site_url + path)
        page.locator(".rl-filters").wait_for()
        targets = page.locator(".rl-mark, .rl-filters label, .rl-filters select, .rl-empty button")
        for target in targets.all():
            box = target.bounding_box()
            if box and (box["width"] < 24 or box["height"] < 24):
                small.append((path, target.evaluate("e => e.outerHTML.slice(0, 80)"), box))
    context.close()
    assert small == []


def test_j_and_k_move_from_entry_to_entry(page, fixture_site_url):
    """Without passing every link: j focuses the next reading the filters
    show (opening the tier 4+ block), k the previous one."""
    page.goto(fixture_site_url + "topics/alpha/")
    page.locator(".rl-filters").wait_for()
    order = page.locator(".rl-entry").evaluate_all("els => els.map(e => e.dataset.entry)")
    assert "linkers-at-length" in order and len(order) >= 3

    def focused() -> str:
        return page.evaluate("document.activeElement.id")

    page.keyboard.press("j")
    assert focused() == order[0]
    page.keyboard.press("j")
    assert focused() == order[1]
    page.keyboard.press("k")
    assert focused() == order[0]
    for _ in range(len(order)):
        page.keyboard.press("j")
    assert focused() == order[-1]
    heading = page.locator(f"h3#{order[-1]}")
    assert heading.is_visible()  # inside the tier 4+ block, now open
    box = heading.bounding_box()
    assert box and 0 <= box["y"] <= page.viewport_size["height"]
    # Filtered-out readings are skipped.
    page.locator(".rl-filters input[name='tier'][value='1']").check()
    tier1 = page.locator(".rl-entry[data-tier='1']").evaluate_all("els => els.map(e => e.dataset.entry)")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("j")
    assert focused() == tier1[0]
    # Typing in a field is left alone.
    page.locator(".rl-filters select[name='length']").focus()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
