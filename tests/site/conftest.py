"""Fixtures for the site tests: real `mkdocs build` runs (once per session),
a static HTTP server for the browser, and Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .helpers import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, REPO, mkdocs, serve_dir
from .site_fixture_data import write_project


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
    config.write_text(
        text.replace("  font: false\n", "  font: false\n  features: [navigation.instant]\n"), encoding="utf-8"
    )
    out = tmp_path_factory.mktemp("fixture-site-instant")
    mkdocs("build", "--strict", "--site-dir", str(out), cwd=project)
    return out


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
        pytest.fail("Chromium is not installed: run scripts/install-browser.sh")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (empty localStorage) that records console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
