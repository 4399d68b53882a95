"""Fixtures for the site tests: real `mkdocs build` runs (once per session),
a static HTTP server for the browser, and Debian's Chromium via Playwright."""

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

import pytest
from site_fixture_data import write_project

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
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
        [sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=ENV,
        capture_output=True, text=True, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs {' '.join(args)} failed:\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real readings/ built with the real mkdocs.yml, --strict."""
    out = tmp_path_factory.mktemp("real-site")
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=REPO)
    return out


@pytest.fixture(scope="session")
def fixture_project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("fixture-project"))


@pytest.fixture(scope="session")
def fixture_site(fixture_project: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixture-site")
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=fixture_project)
    return out


@pytest.fixture(scope="session")
def fixture_site_instant(fixture_project: Path, tmp_path_factory) -> Path:
    """The fixture project with Material's `navigation.instant` (XHR page loads)."""
    project = tmp_path_factory.mktemp("fixture-project-instant")
    shutil.copytree(fixture_project, project, dirs_exist_ok=True)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  font: false\n" in text
    config.write_text(text.replace("  font: false\n", "  font: false\n  features: [navigation.instant]\n"),
                      encoding="utf-8")
    out = tmp_path_factory.mktemp("fixture-site-instant")
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=project)
    return out


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


def _served(site: Path):
    server = serve_dir(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def real_site_url(real_site: Path):
    yield from _served(real_site)


@pytest.fixture(scope="session")
def fixture_site_url(fixture_site: Path):
    yield from _served(fixture_site)


@pytest.fixture(scope="session")
def fixture_site_instant_url(fixture_site_instant: Path):
    yield from _served(fixture_site_instant)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run scripts/install-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (empty localStorage) that records console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
