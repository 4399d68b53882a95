"""Link rot: load -> collect -> filter -> check -> report -> fix.

- ``settings``: the one settings model (pyproject + command line)
- ``collect``: Catalog -> {url: [(path, line)]}
- ``policy``: address safety, canonical probes, judging answers
- ``check``: the async engine, with ``pace`` (a pace per host learned
  during the run), two clients behind one interface (``transport``): the
  lean HEAD client (``fasthead``) and the full client (``fullclient``,
  httpcore, imported only when a request needs it, with ``proxy`` for
  HTTP(S)_PROXY), and ``guard`` (address safety)
- ``cache`` (results and per-URL failure history), ``archive`` (Wayback
  snapshots), ``report``, ``fix``, ``command`` (the CLI subcommands)

``check(urls, settings)`` is the library entry point the command uses.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterable, Iterator

from .engine import Engine
from .results import ErrorKind, LinkResult, Outcome
from .settings import LinkSettings

__all__ = ["Checker", "ErrorKind", "LinkResult", "LinkSettings", "Outcome", "check"]

_DONE = object()


class Checker:
    """An engine on a worker thread, fed while the caller does other work.

    ``submit`` queues URLs (each distinct URL once) from the caller's
    thread; ``results`` says no more will come and yields each LinkResult as it
    is known. The command submits the URLs of each file as soon as it has
    validated, so loading and checking overlap; ``check`` is the plain form.
    Closing it early (leaving the ``with``) cancels what is left."""

    def __init__(self, settings: LinkSettings | None = None) -> None:
        self.engine = Engine(settings or LinkSettings(), on_result=self._put, keep=False)
        self.out: queue.SimpleQueue = queue.SimpleQueue()
        self.seen: set[str] = set()
        started = threading.Event()
        # The worker's loop while it takes callbacks; None before and after.
        # Guarded by a lock because the caller's thread schedules onto it and
        # the loop closes on the worker's thread: without the lock, leaving
        # the ``with`` just as the engine finished called into a closed loop
        # ("Event loop is closed").
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock = threading.Lock()

        async def main() -> None:
            try:
                self.loop = asyncio.get_running_loop()
                self.engine.start()
                started.set()
                await self.engine.wait()
            finally:
                with self.lock:
                    self.loop = None  # still running: what was scheduled before this is harmless

        def run() -> None:
            try:
                asyncio.run(main())
                self.out.put(_DONE)
            except BaseException as exc:  # handed to the caller's thread
                started.set()
                self.out.put(exc)

        self.thread = threading.Thread(target=run, name="readlist-links", daemon=True)
        self.thread.start()
        started.wait()

    def _put(self, result: LinkResult) -> None:
        self.out.put(result)

    def submit(self, urls: Iterable[str]) -> None:
        new = [url for url in urls if url not in self.seen]
        if new:
            self.seen.update(new)
            self._call(self._add, new)

    def _call(self, callback, *args: object) -> bool:
        """Run `callback` on the worker's loop, unless that loop has finished."""
        with self.lock:
            if self.loop is None:
                return False
            self.loop.call_soon_threadsafe(callback, *args)
            return True

    def _add(self, urls: list[str]) -> None:
        for url in urls:
            self.engine.add(url)

    def results(self) -> Iterator[LinkResult]:
        self._call(self.engine.close)
        while (item := self.out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self.engine.done.set)  # stop: wait() cancels the rest
        self.thread.join()


def check(urls: Iterable[str], settings: LinkSettings | None = None) -> Iterator[LinkResult]:
    """Check each distinct URL once; yield each LinkResult as it is known (in
    the order they finish). The engine runs in its own event loop on a
    worker thread, so this works from synchronous code and inside a running
    loop alike."""
    with Checker(settings) as checker:
        checker.submit(urls)
        yield from checker.results()
