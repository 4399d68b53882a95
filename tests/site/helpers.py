"""Paths, the environment and small runners shared by the site tests
(fixtures are in conftest.py)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

from readlist import text
from readlist.site.searchindex import distinct_words

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# One page of every type of the real site, by name (paths relative to the root).
PAGE_TYPES = {
    "home": "",
    "topics": "topics/",
    "topic-with-subtopics": "topics/fundamentals/",
    "topic": "topics/transformers/",
    "reading-path": "reading-path/",
    "tier": "reading-path/tier-1/",
    "lists": "lists/",
    "list": "lists/ilya-sutskever-30/",
    "tags": "tags/",
    "stats": "stats/",
    "hand-written": "contributing/",
    "reading": "readings/attention-is-all-you-need/",
    "authors-part": "authors/page-2/",
}
# The fonts pages are laid out with in the phone tests: DejaVu Sans (what
# Debian's Chromium brings) and the narrower Liberation Sans (Arial metrics).
# scripts/install-browser.sh installs both.
PHONE_FONTS = ("DejaVu Sans", "Liberation Sans")


def font_installed(family: str) -> bool:
    """Whether fontconfig knows `family` (the font Chromium would render with)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=60).stdout
    return any(family in line.split(",") for line in out.splitlines())


def mkdocs(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs {' '.join(args)} failed:\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


def serve_dir(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def pagefind_records(site: Path) -> list[dict]:
    """Every record of the Pagefind index written into `site`: what a search
    can return (url, content, meta, filters), read from the bundle's fragment
    files (gzip, a signature, then JSON)."""
    import gzip
    import json

    records = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data[data.index(b"{") :]))
    return records


def assert_found_once(records: list[dict], record: dict, entry) -> None:
    """A reading is found once: its own record holds its summary's words, and
    no other record holds its summary (the pages that list the reading leave
    its card out of their records)."""
    summary = " ".join(text.plain(entry.summary).split())
    assert distinct_words(summary)[:60] in " ".join(record["content"].split()), entry.id
    holding = [r["url"] for r in records if r is not record and summary[:60] in " ".join(r["content"].split())]
    assert holding == [], (entry.id, holding)


# The search dialog (src/readlist/site/assets/search.js), as a reader sees it.
SEARCH_OPEN = ".rl-search-open"
SEARCH_INPUT = ".rl-search__input"
# The results on screen: title, meta line and excerpt of each visible link.
SEARCH_RESULTS = """() => [...document.querySelectorAll('.rl-search[open] .rl-search__link')]
  .filter(a => a.getClientRects().length)
  .map(a => ({href: a.href, title: a.querySelector('.rl-search__title').innerText,
              meta: (a.querySelector('.rl-search__meta') || {innerText: ''}).innerText,
              excerpt: a.querySelector('.rl-search__excerpt').innerText, height: a.getBoundingClientRect().height}))"""


def search_settled(page, query: str) -> None:
    """Wait until the dialog shows the results of `query` and no search is
    still to come (search.js marks the query it rendered, and `data-busy`
    while a search is pending or running)."""
    page.wait_for_function(
        """q => { const d = document.querySelector('.rl-search');
                  return d && d.getAttribute('data-query') === q && d.getAttribute('data-busy') === 'false'; }""",
        arg=query,
    )


def open_search(page) -> None:
    """Open the dialog as a reader does (the header's button) and wait for
    Pagefind to be ready."""
    page.locator(SEARCH_OPEN).click()
    page.wait_for_selector(".rl-search[open][data-state=ready]")


def search_for(page, query: str) -> list[dict]:
    """Type `query` in the open dialog and return the visible results."""
    box = page.locator(SEARCH_INPUT)
    box.fill(query)
    search_settled(page, query)
    return page.evaluate(SEARCH_RESULTS)
