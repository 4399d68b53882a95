"""Render pages in a forked child process while MkDocs converts the others.

A static-site build is single-threaded; on a machine with two or more cores
the pages of a big catalog can be rendered by a second process while MkDocs
converts the ones it already has (`benchmarks/build.py`: 12% faster at 5,000
entries on an idle 2-core machine, which keeps the plugin within 1.2x of plain
Markdown). The child renders in the order MkDocs reads the files, writes each
one to a private folder (temp file + rename, so a file is whole or absent) and
reports it over a pipe. The plugin hands MkDocs each file as
`File.generated(abs_src_path=...)` and calls `ensure` from `on_pre_page` (and
`on_env` for the downloads), before MkDocs reads it.

Every wait is bounded: if the child dies, stalls past `timeout` or fails, the
parent stops it and renders what is missing itself, so the site is the same
with or without the child.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 60.0  # seconds one page may take in the child before the parent takes over


def available() -> bool:
    return "fork" in mp.get_all_start_methods()


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _child(items: list[tuple[str, Callable[[], str]]], paths: dict[str, Path], send: Any) -> None:
    try:
        for key, render in items:
            _write(paths[key], render())
            send.send(key)
    except Exception:  # the parent renders the rest and reports the error itself
        pass
    finally:
        send.close()


class ForkedRenderer:
    def __init__(self, items: list[tuple[str, Callable[[], str]]], folder: Path,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.renderers = dict(items)
        self.timeout = timeout
        self.paths = {key: folder / f"{n:06d}-{Path(key).name}" for n, (key, _) in enumerate(items)}
        self.done: set[str] = set()
        self.finished = False  # the child is gone (done, dead or stopped)
        self.ready = threading.Condition()
        ctx = mp.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_child, args=(items, self.paths, send), daemon=True)
        self.process.start()
        send.close()
        # Drain the pipe as pages come, so the child never waits for us.
        self.reader = threading.Thread(target=self._drain, name="readlist-pages", daemon=True)
        self.reader.start()

    def __contains__(self, key: str) -> bool:
        return key in self.renderers

    def path(self, key: str) -> str:
        return str(self.paths[key])

    def _drain(self) -> None:
        while True:
            try:
                key = self.receive.recv()
            except (EOFError, OSError):
                break
            with self.ready:
                self.done.add(key)
                self.ready.notify_all()
        with self.ready:
            self.finished = True
            self.ready.notify_all()

    def ensure(self, key: str) -> None:
        """Return once the file for `key` is written: by the child if it
        delivers within `timeout`, else by this process."""
        with self.ready:
            self.ready.wait_for(lambda: key in self.done or self.finished, timeout=self.timeout)
            if key in self.done:
                return
        self.stop()  # dead, failed or stalled: from here on the parent renders
        with self.ready:
            if key in self.done:
                return
            _write(self.paths[key], self.renderers[key]())
            self.done.add(key)

    def stop(self) -> None:
        """End the child (bounded waits) and the pipe reader."""
        self.process.join(timeout=0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.reader.join(timeout=5)
        with self.ready:
            self.finished = True
            self.ready.notify_all()

    def close(self) -> None:
        self.process.join(timeout=5)
        self.stop()
        self.receive.close()
