"""Real `mkdocs build --strict` runs: the real readings/ and the fixtures."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from readlist.loading import load

from .helpers import REPO, assert_found_once, mkdocs, pagefind_records


def _topic_url(catalog, topic_id: str) -> str:
    topic = catalog.topic_index[topic_id]
    return f"topics/{topic.id}/"


def _check_every_entry(site: Path, readings: Path) -> None:
    """Each reading is one search record, at its own page's URL, with its
    title, three authors at most in the result line, every author in the
    searchable text, and its filters; the pages that list it (topic, tier,
    list, tag pages) leave its card out of their own records."""
    catalog = load(readings).catalog
    records = pagefind_records(site)
    by_url: dict[str, list[dict]] = {}
    for record in records:
        by_url.setdefault(record["url"], []).append(record)
    for entry in catalog.entries.values():
        mine = by_url.get(f"/readings/{entry.id}/", [])
        assert len(mine) == 1, f"{entry.id}: {len(mine)} search records"
        record = mine[0]
        assert record["meta"]["title"] == entry.title
        shown = record["meta"].get("authors", "")
        assert shown.removesuffix(" et al.").count(", ") <= 2, shown
        assert shown.endswith(" et al.") == (len(entry.authors) > 3)
        for author in entry.authors:
            assert author in record["content"]
        assert record["filters"]["topic"] == [catalog.topic_index[entry.topic].title]
        assert record["filters"]["tier"] == ["Tier 4+" if entry.tier >= 4 else f"Tier {entry.tier}"]
        assert sorted(record["filters"].get("list", [])) == sorted(rl.title for rl in catalog.lists_of(entry.id))
        html = (site / _topic_url(catalog, entry.topic) / "index.html").read_text()
        assert f'id="{entry.id}"' in html, f"anchor #{entry.id} missing"
        assert_found_once(records, record, entry)
    pages = [r for r in records if not r["url"].startswith("/readings/")]
    assert {"/", "/topics/", "/stats/"} <= {r["url"] for r in pages}
    assert len(records) == len(catalog.entries) + len(pages)


def test_real_site_builds_strict_with_every_entry(real_site):
    _check_every_entry(real_site, REPO / "readings")
    assert (real_site / "stats" / "index.html").is_file()
    home = (real_site / "index.html").read_text()
    assert 'type="application/atom+xml"' in home and 'href="feed.xml"' in home
    assert (real_site / "feed.xml").read_text().startswith("<?xml")
    json.loads((real_site / "readings.json").read_text())
    assert "@" in (real_site / "readings.bib").read_text()


def test_real_site_has_no_script_from_data(real_site):
    theme_scripts = 0
    for html in real_site.rglob("*.html"):
        text = html.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            # Only the theme's own scripts: src= to assets, or Material's inline config.
            assert ("src=" in tag) or tag in ("<script>", '<script id="__config" type="application/json">'), tag
            theme_scripts += 1
        assert "javascript:" not in text.lower()
    assert theme_scripts


def test_fixture_site(fixture_site, fixture_project):
    _check_every_entry(fixture_site, fixture_project / "readings")
    gamma = (fixture_site / "topics" / "gamma" / "index.html").read_text()
    body = gamma.split('id="evil-entry"')[1].split("</article>")[0]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body.lower()
    assert "<iframe" not in body and "&lt;b&gt;Bold&lt;/b&gt;" in body
    alpha = (fixture_site / "topics" / "alpha" / "index.html").read_text()
    assert 'href="https://example.org/compilers"' in alpha
    assert 'href="../../lists/friends-list/#compilers-for-everyone"' in alpha
    assert (fixture_site / "lists" / "friends-list" / "index.html").is_file()
    assert (fixture_site / "reading-path" / "tier-4" / "index.html").is_file()
    beta = (fixture_site / "topics" / "beta" / "index.html").read_text()
    assert re.search(r'<details class="rl-more">\s*<summary>', beta)
    feed = (fixture_site / "feed.xml").read_text()
    assert "https://fixture.example/feed.xml" in feed
    # Generated pages without a hand-written nav still appear in the navigation.
    assert 'href="topics/alpha/"' in (fixture_site / "index.html").read_text()


def _copy(project: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("site"))
    return dest


def test_validation_error_fails_build_with_position(fixture_project, tmp_path):
    project = _copy(fixture_project, tmp_path)
    bad = project / "readings" / "entries" / "gamma-notes.yaml"
    bad.write_text(bad.read_text().replace("tier: 3", "tier: 9"))
    result = mkdocs("build", cwd=project, check=False)
    assert result.returncode != 0
    assert re.search(r"readings/entries/gamma-notes\.yaml:4:7: error: tier", result.stderr), result.stderr


def test_warning_fails_only_under_strict(fixture_project, tmp_path):
    project = _copy(fixture_project, tmp_path)
    entry = project / "readings" / "entries" / "gamma-notes.yaml"
    text = entry.read_text()
    entry.write_text(text[: text.index("summary:")] + "summary: Too short.\n")
    assert mkdocs("build", cwd=project, check=False).returncode == 0
    strict = mkdocs("build", "--strict", cwd=project, check=False)
    assert strict.returncode != 0
    assert "gamma-notes.yaml:" in strict.stderr and "summary has 2 words" in strict.stderr


def test_generate_command_writes_markdown(fixture_project, tmp_path):
    from readlist.cli import main

    out = tmp_path / "out"
    assert main(["generate", str(fixture_project / "readings"), "--out", str(out), "--urls", "html"]) == 0
    assert (out / "topics" / "alpha.md").read_text().startswith("---\n")
    assert (out / "assets" / "readlist" / "readlist.js").is_file()
    assert (out / "feed.xml").is_file()
    assert "../lists/friends-list.html#compilers-for-everyone" in (out / "topics" / "alpha.md").read_text()


def test_plugin_options(fixture_project, tmp_path):
    project = _copy(fixture_project, tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text()
        + (
            "      words_per_minute: 100\n"
            "      new: 1999-01-01\n"
            "      since: 2019-12-31\n"
            "      intro: 'Hello *readers* <script>alert(1)</script>'\n"
            "      sections: {tags: false, stats: false, downloads: false}\n"
        )
    )
    (project / "docs" / "about.md").write_text("# About\n\nHand-written.\n")
    out = tmp_path / "out"
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=project)
    assert not (out / "tags").exists() and not (out / "stats").exists()
    assert not (out / "feed.xml").exists()
    home = (out / "index.html").read_text()
    assert "Hello <em>readers</em>" in home and "alert(1)" not in home
    assert "100 words per minute" in home
    alpha = (out / "topics" / "alpha" / "index.html").read_text()
    # everything added since 1999 and after the list began (since) is new
    assert alpha.count('class="rl-new"') == 2
    assert "~8,800 words · 1 h 28 min" in alpha  # 8,800 words at 100 wpm
    assert 'href="about/"' in home  # hand-written pages follow the generated nav


def test_properdocs_build(fixture_project, tmp_path):
    """ProperDocs (the maintained MkDocs 1.x fork) runs the same plugin."""
    import subprocess
    import sys

    from .helpers import ENV

    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(out)],
        cwd=fixture_project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert 'id="compilers-for-everyone"' in (out / "topics" / "alpha" / "index.html").read_text()
    # The plugin's search index is written by ProperDocs' build too.
    assert "/readings/compilers-for-everyone/" in {r["url"] for r in pagefind_records(out)}


def test_topics_tab_lands_on_the_overview_with_neighbours_in_its_tab(real_site):
    """The Topics tab opens the overview; previous / next never cross into another tab."""
    home = (real_site / "index.html").read_text()
    assert 'href="topics/" class="md-tabs__link"' in home
    overview = (real_site / "topics" / "index.html").read_text()
    assert 'aria-label="Previous:' not in overview
    assert 'aria-label="Next: Fundamentals"' in overview
    first = (real_site / "topics" / "fundamentals" / "index.html").read_text()
    assert 'aria-label="Previous: Topics"' in first
    last_tier = (real_site / "reading-path" / "tier-4" / "index.html").read_text()
    assert 'aria-label="Previous: Tier 3"' in last_tier and 'aria-label="Next:' not in last_tier
