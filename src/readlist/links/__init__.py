"""Link rot: load -> collect -> filter -> check -> report -> fix.

- ``settings``: the one settings model (pyproject + command line)
- ``collect``: Catalog -> {url: [(path, line)]}
- ``policy``: address safety, canonical probes, judging answers
- ``check``: the async engine, with ``pace`` (a pace per host learned
  during the run), ``transport`` (the full client) and ``fasthead`` (the
  lean HEAD client) behind one interface, and ``guard`` (address safety)
- ``cache`` (results and per-URL failure history), ``archive`` (Wayback
  snapshots), ``report``, ``fix``, ``command`` (the CLI subcommands)

``check(urls, settings)`` is the library entry point the command uses.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterable, Iterator

from .results import ErrorKind, Outcome, Result
from .settings import LinkSettings

__all__ = ["ErrorKind", "LinkSettings", "Outcome", "Result", "check"]

_DONE = object()


def check(urls: Iterable[str], settings: LinkSettings | None = None) -> Iterator[Result]:
    """Check each distinct URL once; yield each Result as it is known.

    The engine runs in its own event loop on a worker thread (so this works
    from synchronous code and inside a running loop alike); results arrive
    in the order they finish. Closing the generator early waits for the
    checks already started to end."""
    from .engine import Engine

    settings = settings or LinkSettings()
    todo = list(dict.fromkeys(urls))
    out: queue.SimpleQueue = queue.SimpleQueue()

    def run() -> None:
        try:
            asyncio.run(Engine(settings, on_result=out.put, keep=False).run(todo))
            out.put(_DONE)
        except BaseException as exc:
            out.put(exc)

    worker = threading.Thread(target=run, name="readlist-links", daemon=True)
    worker.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        worker.join()
