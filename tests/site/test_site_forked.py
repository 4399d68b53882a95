"""The forked renderer (site/forked.py): same site as without it, and every
wait bounded when the child fails, dies or stalls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from readlist.site import forked

from .helpers import ENV

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


def _read_all_or_hang(renderer, n: int) -> list[str]:
    """``_read_all`` on a thread. The join's timeout only stops a hung test:
    what the tests below guard against waits an hour, not a few seconds."""
    out: list[list[str]] = []
    reader = threading.Thread(target=lambda: out.append(_read_all(renderer, n)), daemon=True)
    reader.start()
    reader.join(timeout=300)
    assert not reader.is_alive(), "still waiting for the child's hour"
    return out[0]


def _parent_render(calls: list[str], key: str, text: str):
    def render() -> str:  # patched in after the fork: only this process has it
        calls.append(key)
        return text
    return render


def test_a_killed_child_leaves_the_rest_to_the_parent(tmp_path):
    # The child would take an hour on p1 and the parent would wait as long
    # for it: the pages come only if the death is noticed.
    renderer = forked.ForkedRenderer(_pages(6, slow={1: 3600}), tmp_path, timeout=3600)
    calls: list[str] = []
    renderer.renderers["p1.md"] = _parent_render(calls, "p1.md", "page 1\n")
    try:
        renderer.ensure("p0.md")
        os.kill(renderer.process.pid, signal.SIGKILL)
        assert _read_all_or_hang(renderer, 6) == [f"page {i}\n" for i in range(6)]
        assert calls == ["p1.md"]  # rendered here, once
    finally:
        renderer.close()
    assert not renderer.process.is_alive()


def test_a_stalled_child_is_stopped_after_the_timeout(tmp_path):
    renderer = forked.ForkedRenderer(_pages(3, slow={1: 3600}), tmp_path, timeout=0.5)
    calls: list[str] = []
    try:
        # p1 stalls in the child for an hour: the parent waits 0.5 s, stops
        # the child and renders p1 itself (its own render of p1 would sleep
        # too, so it is patched).
        renderer.renderers["p1.md"] = _parent_render(calls, "p1.md", "page 1\n")
        assert _read_all_or_hang(renderer, 3) == ["page 0\n", "page 1\n", "page 2\n"]
        assert calls == ["p1.md"]
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
