"""The site without MkDocs: `readlist generate --config` output built by
Zensical (MkDocs' successor, which runs no MkDocs plugin), checked for what
the plugin build is checked for: every entry's anchor and search result, list
and tier pages, the plugin's nav, nothing fetched from outside the site, and
the filters and mark-as-read in Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from readlist.cli import main
from readlist.loading import load
from readlist.site.buildconfig import FRAGMENT

from .helpers import ENV, REPO, assert_found_once, mkdocs, open_search, pagefind_records, search_for, serve_dir

SITE_NAME = "The ML Reading List"


def zensical(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "zensical", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"zensical {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def generate(readings: Path, out: Path, *extra: str) -> int:
    return main(["generate", str(readings), "--out", str(out), *extra])


@pytest.fixture(scope="module")
def zensical_real(tmp_path_factory) -> Path:
    """The README's path: docs/ copied in, `readlist generate --config
    zensical.toml` on the real readings/, `zensical build --strict`."""
    project = tmp_path_factory.mktemp("zensical-real")
    shutil.copytree(REPO / "docs", project / "docs", ignore=shutil.ignore_patterns("reference"))
    assert (
        generate(
            REPO / "readings",
            project / "docs",
            "--config",
            str(project / "zensical.toml"),
            "--site-name",
            SITE_NAME,
            "--new",
            "60",
        )
        == 0
    )
    zensical("build", "--strict", "-f", "zensical.toml", cwd=project)
    # The search index: the step the generated config names after the build.
    assert "readlist search-index site" in (project / "zensical.toml").read_text()
    assert main(["search-index", str(project / "site"), str(REPO / "readings")]) == 0
    return project / "site"


@pytest.fixture(scope="module")
def zensical_real_url(zensical_real: Path):
    server = serve_dir(zensical_real)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def primary_nav(html: str) -> list[tuple[str, str]]:
    """(href, title) of every page link in the primary nav, in order; the
    home page's own table of contents (#anchors) left out."""
    nav = html[html.index("md-nav--primary") :]
    links = re.findall(r'<a href="([^"]*)" class="md-nav__link[^"]*"[^>]*>(.*?)</a>', nav, re.S)
    out = []
    for href, title in links:
        if href.startswith("#"):
            continue
        href = href.removeprefix("./")
        out.append(("" if href == "." else href, " ".join(re.sub(r"<[^>]+>", " ", title).split())))
    return out


# -- the build ------------------------------------------------------------------


def test_every_entry_list_and_tier_has_its_page(zensical_real):
    catalog = load(REPO / "readings").catalog
    records = pagefind_records(zensical_real)
    urls = [r["url"] for r in records]
    for entry in catalog.entries.values():
        topic_url = f"topics/{entry.topic}/"
        assert f'id="{entry.id}"' in _page(zensical_real, topic_url), f"anchor #{entry.id} missing"
        want = f"/readings/{entry.id}/"
        assert urls.count(want) == 1, f"{want} should be one search record"
        record = next(r for r in records if r["url"] == want)
        assert record["meta"]["title"] == entry.title
        for author in entry.authors:
            assert author in record["content"]
        assert_found_once(records, record, entry)
    # Zensical's own search is off: one search box, Pagefind's.
    assert "md-search" not in _page(zensical_real, "")
    for list_id, rl in catalog.lists.items():
        # a long list is split into parts (lists/<id>/page-N/): its readings are on one of them
        page = _page(zensical_real, f"lists/{list_id}/") + "".join(
            p.read_text(encoding="utf-8") for p in (zensical_real / "lists" / list_id).glob("page-*/index.html")
        )
        for entry_id in rl.entry_ids():
            assert f'id="{entry_id}"' in page, f"lists/{list_id}/#{entry_id} missing"
    for tier in (1, 2, 3, 4):
        assert 'class="rl-rows"' in _page(zensical_real, f"reading-path/tier-{tier}/")
    for url in ("stats/", "tags/", "reading-path/", "lists/", "contributing/"):
        assert (zensical_real / url / "index.html").is_file(), url
    assert (zensical_real / "feed.xml").read_text().startswith("<?xml")
    # Every page points feed readers at the feed, as the plugin's pages do.
    for page in zensical_real.rglob("index.html"):
        link = re.search(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', page.read_text(encoding="utf-8")
        )
        assert link and (page.parent / link.group(1)).resolve() == (zensical_real / "feed.xml").resolve(), page
    assert not list(zensical_real.rglob(".readlist*"))  # the settings and theme stay out of the site
    assert json.loads((zensical_real / "readings.json").read_text())["entries"]
    assert "@" in (zensical_real / "readings.bib").read_text()


def test_nav_order_and_titles_match_the_plugin(zensical_real, real_site):
    plugin = primary_nav((real_site / "index.html").read_text(encoding="utf-8"))
    built = primary_nav((zensical_real / "index.html").read_text(encoding="utf-8"))
    assert len(plugin) > 30
    assert built == plugin
    # Real titles, not folder names ("Llm research").
    assert ("topics/llm-research/", "Language model research") in built


def test_every_link_between_pages_lands_on_its_page_and_anchor(zensical_real):
    """Zensical rewrites relative links in raw HTML as relative to the source
    file; the generator writes them to the .md sources for it (--urls md)."""
    checked = 0
    for page in zensical_real.rglob("*.html"):
        if page.name == "404.html":
            continue
        text = page.read_text(encoding="utf-8")
        article = re.search(r"<article\b.*?</article>", text, re.S)
        for href in re.findall(r'<a\b[^>]*?\shref="([^"]+)"', article.group(0) if article else ""):
            if re.match(r"[a-z]+:|//|#", href):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / path.split("?")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(zensical_real)}: {href}"
            assert target.is_file() and target.is_relative_to(zensical_real.resolve()), where
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), where
            checked += 1
    assert checked > 1000


EXTERNAL_REF = re.compile(
    r"""<(?:link|script|img|iframe|source|video|audio)\b[^>]*?\s(?:href|src)=["']?(?:https?:)?//""", re.I
)


def test_nothing_is_loaded_from_outside_the_site(zensical_real):
    pages = list(zensical_real.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # Links to the readings themselves are <a href>, which load nothing.
        bad = [m.group(0) for m in EXTERNAL_REF.finditer(text) if 'rel="alternate"' not in m.group(0)]
        assert not bad, f"{page.relative_to(zensical_real)}: {bad[:3]}"
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
    for css in zensical_real.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", text), css
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), css


# -- generate's settings ---------------------------------------------------------


def test_config_formats_agree_and_carry_the_plugin_nav(fixture_project, tmp_path):
    from readlist.site.generator import Builder, SiteOptions

    readings = fixture_project / "readings"
    assert generate(readings, tmp_path / "a" / "docs", "--config", str(tmp_path / "a" / "zensical.toml")) == 0
    assert generate(readings, tmp_path / "b" / "docs", "--config", str(tmp_path / "b" / "mkdocs.yml")) == 0
    toml = tomllib.loads((tmp_path / "a" / "zensical.toml").read_text())["project"]
    yml = yaml.safe_load((tmp_path / "b" / "mkdocs.yml").read_text())
    builder = Builder(load(readings).catalog, SiteOptions())
    plugin_nav = builder.nav_for(builder.plan())
    for config in (toml, yml):
        assert config["nav"] == plugin_nav
        assert config["docs_dir"] == "docs"
        assert config["theme"]["font"] is False
        assert config["extra_css"] == ["assets/readlist/readlist.css", "assets/readlist/search.css"]
        assert config["extra_javascript"] == ["assets/readlist/readlist.js", "assets/readlist/search.js"]
        assert config["plugins"] == {"search": {"enabled": False}}  # the search is Pagefind's
    assert set(toml["markdown_extensions"]) == {"attr_list", "md_in_html", "toc"}
    assert yml["markdown_extensions"] == ["attr_list", "md_in_html", {"toc": {"permalink": True}}]
    fragment = yaml.safe_load((tmp_path / "a" / "docs" / FRAGMENT).read_text())
    assert fragment["nav"] == plugin_nav and fragment["theme"] == {"name": "material", "font": False}
    # The mkdocs.yml form (page/ links by default) is a working MkDocs config too.
    mkdocs("build", "--strict", "-f", "mkdocs.yml", cwd=tmp_path / "b")
    alpha = (tmp_path / "b" / "site" / "topics" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../lists/friends-list/#compilers-for-everyone"' in alpha
    assert 'type="application/atom+xml"' in alpha and 'href="../../feed.xml"' in alpha


def test_toml_writer_keeps_any_title():
    from readlist.site.buildconfig import to_toml

    odd = ['Quote " and \\ backslash', "Tab\tand newline\n", "Ünïcödé — 🚀", "#1 = not a comment", ""]
    config = {
        "site_name": odd[2],
        "nav": [{t: [f"p{i}.md", {t: f"q{i}.md"}]} for i, t in enumerate(odd)],
        "theme": {"font": False},
        "markdown_extensions": ["attr_list", {"toc": {"permalink": True}}],
    }
    parsed = tomllib.loads(to_toml(config, "a header\n\nover lines"))["project"]
    assert parsed["nav"] == config["nav"] and parsed["site_name"] == odd[2]
    assert parsed["theme"] == {"font": False}
    assert parsed["markdown_extensions"] == {"attr_list": {}, "toc": {"permalink": True}}


def test_an_existing_config_is_never_replaced_silently(fixture_project, tmp_path, capsys):
    readings = fixture_project / "readings"
    config = tmp_path / "zensical.toml"
    config.write_text("# mine\n")
    assert generate(readings, tmp_path / "docs", "--config", str(config)) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "--force" in err and "Traceback" not in err
    assert config.read_text() == "# mine\n"
    assert not (tmp_path / "docs").exists()  # refused before anything was written
    assert generate(readings, tmp_path / "docs", "--config", str(config), "--force") == 0
    assert tomllib.loads(config.read_text())["project"]["nav"]


@pytest.mark.parametrize(
    "config, message",
    [
        ("site.json", "must end in .toml"),
        ("elsewhere/zensical.toml", "must be in a folder that holds --out"),
        ("project/docs/zensical.toml", "cannot sit inside --out"),
    ],
)
def test_bad_config_path_is_a_usage_error(fixture_project, tmp_path, capsys, config, message):
    (tmp_path / "elsewhere").mkdir()
    out = tmp_path / "project" / "docs"
    assert generate(fixture_project / "readings", out, "--config", str(tmp_path / config)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_own_mkdocs_yml_inheriting_the_fragment_builds_with_zensical_and_mkdocs(fixture_project, tmp_path):
    """Without --config: the user's own config takes the settings by `INHERIT`
    (the pages written with --urls md for Zensical, the default for MkDocs)."""
    project = tmp_path / "mine"
    assert generate(fixture_project / "readings", project / "docs", "--urls", "md") == 0
    (project / "mkdocs.yml").write_text(f"site_name: Mine\nINHERIT: docs/{FRAGMENT}\n")
    zensical("build", "--strict", "-f", "mkdocs.yml", cwd=project)
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    titles = [title for _, title in primary_nav(home)]
    assert titles[titles.index("Basics") : titles.index("Gamma topic") + 1] == [
        "Basics",
        "Alpha topic",
        "Beta topic",
        "Gamma topic",
    ]
    assert "fonts.googleapis" not in home and "assets/readlist/readlist.js" in home
    assert not (project / "site" / FRAGMENT).exists()  # the settings are not published
    alpha = (project / "site" / "topics" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../lists/friends-list/#compilers-for-everyone"' in alpha
    shutil.rmtree(project / "docs")
    assert generate(fixture_project / "readings", project / "docs") == 0
    mkdocs("build", "--strict", "--site-dir", str(tmp_path / "mkdocs-site"), cwd=project)
    alpha = (tmp_path / "mkdocs-site" / "topics" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../lists/friends-list/#compilers-for-everyone"' in alpha
    assert not (tmp_path / "mkdocs-site" / FRAGMENT).exists()
    assert [t for _, t in primary_nav((tmp_path / "mkdocs-site" / "index.html").read_text(encoding="utf-8"))] == titles


# -- in Chromium -------------------------------------------------------------------


@pytest.fixture
def local_page(browser, zensical_real_url):
    """A page that records every request and console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.requests, page.errors = [], []  # type: ignore[attr-defined]
    page.on("request", lambda req: page.requests.append(req.url))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()
    outside = [u for u in page.requests if not u.startswith((zensical_real_url, "data:", "blob:"))]
    assert not outside, f"fetched from outside the site: {outside[:5]}"
    assert page.requests and page.errors == [], page.errors


def test_search_in_the_browser_finds_the_reading(local_page, zensical_real_url):
    """The same search dialog as on the plugin's build, over the index
    `readlist search-index` wrote."""
    page = local_page
    page.goto(zensical_real_url)
    assert page.locator(".md-search").count() == 0  # Zensical's own box is off
    open_search(page)
    found = search_for(page, "Vaswani 2017")
    assert found[0]["title"] == "Attention Is All You Need"
    assert found[0]["href"] == zensical_real_url + "readings/attention-is-all-you-need/"
    assert found[0]["meta"] == "Ashish Vaswani, Noam Shazeer, Niki Parmar et al. · 2017 · Paper"


def test_filters_and_mark_as_read(local_page, zensical_real_url, artifacts):
    page = local_page
    page.goto(zensical_real_url + "topics/transformers/")
    filters = page.locator(".rl-filters")
    filters.wait_for()
    total = page.locator(".rl-entry").count()
    tier2 = page.locator(".rl-entry[data-tier='2']").count()
    assert 0 < tier2 < total
    filters.locator("input[name='tier'][value='2']").check()
    assert page.locator(".rl-entry:visible").count() == tier2
    assert f"{tier2} of {total} shown" in filters.locator(".rl-filter-count").inner_text()
    filters.locator("input[name='tier'][value='2']").uncheck()
    progress = page.locator(".rl-progress").first
    assert re.search(r": 0 of \d+ read", progress.inner_text())
    first = page.locator(".rl-entry").first
    entry_id, title = first.get_attribute("data-entry"), first.get_attribute("data-title")
    page.get_by_role("checkbox", name=f"Mark as read: {title}", exact=True).check()
    assert re.search(r": 1 of \d+ read", progress.inner_text())
    page.reload()
    assert page.locator(f".rl-entry[data-entry='{entry_id}'] input.rl-check").is_checked()
    page.screenshot(path=str(artifacts / "zensical-topic.png"))
    page.goto(zensical_real_url)
    row = page.locator("tr[data-rl-topic='transformers'] .rl-progress-col")
    assert row.inner_text().strip().startswith("1/")


def test_a_link_to_a_tier4_entry_opens_it_and_pages_work_without_javascript(local_page, browser, zensical_real_url):
    catalog = load(REPO / "readings").catalog
    entry = next(e for e in catalog.ordered_entries() if e.tier == 4)
    page = local_page
    page.goto(zensical_real_url + f"topics/{entry.topic}/#{entry.id}")
    page.wait_for_function(
        "id => { const d = document.getElementById(id).closest('details'); return d && d.open; }",
        arg=entry.id,
        timeout=5000,
    )
    assert page.locator(f"h3#{entry.id}").is_visible()
    nojs = browser.new_context(java_script_enabled=False)
    plain = nojs.new_page()
    plain.goto(zensical_real_url + "topics/transformers/")
    assert plain.locator(".rl-entry").count() > 3
    assert plain.locator(".rl-filters").count() == 0  # controls need the script; content does not
    nojs.close()


def test_reading_pages_carry_citation_tags_under_zensical(zensical_real):
    """The theme override `generate --config` writes puts the same head tags
    on a reading's page as the plugin does (read back as Zotero would)."""
    catalog = load(REPO / "readings").catalog
    for entry_id in ("attention-is-all-you-need", next(iter(catalog.entries))):
        entry = catalog.entries[entry_id]
        head = _page(zensical_real, f"readings/{entry_id}/").split("</head>", 1)[0]
        metas = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)"', head)
        assert [html.unescape(v) for k, v in metas if k == "citation_title"] == [entry.title]
        assert [html.unescape(v) for k, v in metas if k == "citation_author"] == list(entry.authors)
        if entry.year:
            assert ("citation_publication_date", str(entry.year)) in metas
