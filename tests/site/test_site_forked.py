"""The forked renderer (site/forked.py): same site as without it, and every
wait bounded when the child fails, dies or stalls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ENV

from readlist.site import forked

pytestmark = pytest.mark.skipif(not forked.available(), reason="no fork() on this platform")


def _pages(n: int, slow: dict[int, float] | None = None, boom: int | None = None):
    def render(i: int) -> str:
        if boom is not None and i == boom:
            raise RuntimeError("template error")
        time.sleep((slow or {}).get(i, 0))
        return f"page {i}\n"

    return [(f"p{i}.md", lambda i=i: render(i)) for i in range(n)]


def _read_all(renderer, n: int) -> list[str]:
    out = []
    for i in range(n):
        renderer.ensure(f"p{i}.md")
        with open(renderer.path(f"p{i}.md"), encoding="utf-8") as handle:
            out.append(handle.read())
    return out


def test_pages_come_from_the_child(tmp_path):
    renderer = forked.ForkedRenderer(_pages(5), tmp_path)
    try:
        assert _read_all(renderer, 5) == [f"page {i}\n" for i in range(5)]
        renderer.process.join(timeout=10)
        assert renderer.process.exitcode == 0  # the child rendered them, not the parent
    finally:
        renderer.close()


def test_a_render_error_in_the_child_is_rendered_again_here(tmp_path):
    items = _pages(4, boom=2)
    renderer = forked.ForkedRenderer(items, tmp_path, timeout=10)
    try:
        renderer.ensure("p0.md")
        renderer.ensure("p1.md")
        # The child died on p2; here the same error reaches the build.
        with pytest.raises(RuntimeError, match="template error"):
            renderer.ensure("p2.md")
        renderer.ensure("p3.md")  # rendered here after the child's death
        with open(renderer.path("p3.md"), encoding="utf-8") as handle:
            assert handle.read() == "page 3\n"
    finally:
        renderer.close()


def test_a_killed_child_leaves_the_rest_to_the_parent(tmp_path):
    # The child would take an hour on p1; the parent's own render is quick.
    renderer = forked.ForkedRenderer(_pages(6, slow={1: 3600}), tmp_path, timeout=3600)
    renderer.renderers["p1.md"] = lambda: "page 1\n"
    try:
        renderer.ensure("p0.md")
        os.kill(renderer.process.pid, signal.SIGKILL)
        start = time.monotonic()
        assert _read_all(renderer, 6) == [f"page {i}\n" for i in range(6)]
        assert time.monotonic() - start < 60  # the death is noticed, not the hour-long timeout
    finally:
        renderer.close()
    assert not renderer.process.is_alive()


def test_a_stalled_child_is_stopped_after_the_timeout(tmp_path):
    renderer = forked.ForkedRenderer(_pages(3, slow={1: 3600}), tmp_path, timeout=0.5)
    try:
        start = time.monotonic()
        # p1 stalls in the child: the parent waits 0.5 s, stops the child and
        # renders p1 itself (its own render of p1 sleeps too, so patch it).
        renderer.renderers["p1.md"] = lambda: "page 1\n"
        assert _read_all(renderer, 3) == ["page 0\n", "page 1\n", "page 2\n"]
        assert time.monotonic() - start < 60  # not the child's hour
        assert not renderer.process.is_alive()
    finally:
        renderer.close()


def test_forked_rendering_gives_the_same_site(fixture_project, fixture_site, tmp_path):
    """Big catalogs render in a forked child; force that path on the fixture
    and compare every page and download with the normal build."""
    out = tmp_path / "forked"
    code = (
        "import sys, readlist.site.plugin as p; p.FORK_MIN_ENTRIES = 1; "
        "from mkdocs.__main__ import cli; "
        f"sys.argv = ['mkdocs', 'build', '--strict', '--site-dir', {str(out)!r}]; cli()"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=fixture_project, env=ENV,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pages = sorted(p.relative_to(fixture_site) for p in fixture_site.rglob("*.html"))
    assert pages == sorted(p.relative_to(out) for p in out.rglob("*.html"))
    for rel in pages:
        assert (out / rel).read_text() == (fixture_site / rel).read_text(), rel
    for name in ("feed.xml", "readings.json", "readings.bib", "assets/readlist/entries.json"):
        assert (out / name).read_text() == (fixture_site / name).read_text(), name
