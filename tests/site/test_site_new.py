""" "New" that means new: a reading is new when it was added within the
configured days *and* after the list's first import (the earliest `added`
date, or `since`); the Atom feed lists what was added after the first import.

The rule is checked over generated families of dates (hypothesis) on the
pages and feed the site publishes, and the `since` setting is validated like
every other: a bad value names it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist import exporting
from readlist.loading import load
from readlist.site.generator import SiteOptions, generate_site

from .helpers import ENV, mkdocs
from .site_fixture_data import write_project, write_readings

TODAY = dt.date(2026, 6, 15)
ATOM = "{http://www.w3.org/2005/Atom}"
days = st.integers(min_value=0, max_value=120).map(lambda n: TODAY - dt.timedelta(days=n))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load(write_readings(tmp_path_factory.mktemp("new-readings"), TODAY)).catalog


def _with_dates(catalog, added: list[dt.date | None]):
    ids = sorted(catalog.entries)
    entries = {eid: catalog.entries[eid].model_copy(update={"added": day}) for eid, day in zip(ids, added, strict=True)}
    return catalog.model_copy(update={"entries": entries})


def _badged(site) -> set[str]:
    """Readings whose own page wears the "New" badge."""
    return {
        src[len("readings/") : -3]
        for src, text in site.pages.items()
        if src.startswith("readings/") and 'class="rl-new"' in text
    }


def _in_feed(site) -> set[str]:
    feed = ET.fromstring(site.files["feed.xml"])
    return {e.findtext(f"{ATOM}id").rsplit(":", 1)[1] for e in feed.findall(f"{ATOM}entry")}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_new_is_recent_and_after_the_first_import(catalog, data):
    added = data.draw(st.lists(st.none() | days, min_size=len(catalog.entries), max_size=len(catalog.entries)))
    window = data.draw(st.integers(min_value=0, max_value=90))
    since = data.draw(st.none() | days)
    dated = _with_dates(catalog, added)
    cutoff = TODAY - dt.timedelta(days=window)
    site = generate_site(dated, SiteOptions(new_since=cutoff, since=since))

    known = [d for d in added if d is not None]
    start = since if since is not None else (min(known) if known else None)
    after_import = {e.id for e in dated.entries.values() if e.added is not None and (start is None or e.added > start)}
    expected = {e for e in after_import if dated.entries[e].added >= cutoff}
    assert _badged(site) == expected
    assert _in_feed(site) == after_import  # the fixture is smaller than the feed
    # a list imported in one go (one date on every reading) shows nothing new
    if since is None and len(set(known)) == 1:
        assert _badged(site) == set() and _in_feed(site) == set()


def test_a_list_imported_in_one_go_has_no_badge_and_an_empty_feed(catalog):
    dated = _with_dates(catalog, [TODAY] * len(catalog.entries))
    site = generate_site(dated, SiteOptions(new_since=TODAY - dt.timedelta(days=30)))
    assert _badged(site) == set() and _in_feed(site) == set()
    assert all('class="rl-new"' not in text for text in site.pages.values())
    assert ET.fromstring(exporting.atom_feed(dated, None)).find(f"{ATOM}entry") is None


def test_since_is_validated_in_mkdocs_yml(tmp_path):
    project = write_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + '      since: "2025-02-30"\n')  # no such day
    result = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "out"), cwd=project, check=False)
    assert result.returncode != 0
    assert "'since'" in result.stderr and "2025-02-30" in result.stderr
    assert "Traceback" not in result.stderr


def test_since_is_validated_on_the_command_line(tmp_path):
    readings = write_readings(tmp_path / "readings")

    def generate(since: str) -> subprocess.CompletedProcess:
        out = str(tmp_path / "out")
        return subprocess.run(
            [sys.executable, "-m", "readlist.cli", "generate", str(readings), "--out", out, "--since", since],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=120,
        )

    result = generate("yesterday")
    assert result.returncode == 2, result.stderr
    assert "--since" in result.stderr and "yesterday" in result.stderr
    ok = generate("2020-01-01")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "out" / "readings" / "compilers-for-everyone.md").is_file()
