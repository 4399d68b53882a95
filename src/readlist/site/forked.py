"""Render pages in a forked child process while the parent carries on.

A static-site build is single-threaded; on a machine with two or more cores
the pages of a big catalog can be rendered by a second process while MkDocs
converts the ones it already has. The child renders in the order the parent
will ask for them and hands each one over a pipe; `get` waits only for a page
that is not there yet. If the child fails, the parent renders what is missing
itself, so the result is the same with or without the child.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections.abc import Callable


def available() -> bool:
    return "fork" in mp.get_all_start_methods()


def _child(items: list[tuple[str, Callable[[], str]]], send) -> None:
    try:
        for key, render in items:
            send.send((key, render()))
    finally:
        send.close()


class ForkedRenderer:
    def __init__(self, items: list[tuple[str, Callable[[], str]]]) -> None:
        self.renderers = dict(items)
        self.buffer: dict[str, str] = {}
        self.finished = False
        self.ready = threading.Condition()
        ctx = mp.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_child, args=(items, send), daemon=True)
        self.process.start()
        send.close()
        # Drain the pipe as pages come, so the child never waits for us.
        self.reader = threading.Thread(target=self._drain, name="readlist-pages", daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                key, content = self.receive.recv()
            except (EOFError, OSError):
                break
            with self.ready:
                self.buffer[key] = content
                self.ready.notify_all()
        with self.ready:
            self.finished = True
            self.ready.notify_all()

    def get(self, key: str) -> str:
        with self.ready:
            self.ready.wait_for(lambda: key in self.buffer or self.finished)
            if key in self.buffer:
                return self.buffer.pop(key)
        return self.renderers[key]()  # the child stopped early: render it here

    def close(self) -> None:
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.reader.join(timeout=5)
        self.receive.close()
