"""Rate-limited loopback hosts for ``benchmarks/links.py --rate-limited``.

One limiter family per address (the models of ``tests/links/limiters.py``,
on the real clock), one port for all:

- 127.0.1.1 ``bucket``: a token bucket, 10 a second, burst 5; beyond it 429
  with ``Retry-After: 1`` (GitHub's web pages, Read the Docs);
- 127.0.1.2 ``cap``: at most 2 requests in flight; beyond it a bare 429
  (a Cloudflare-style concurrency limit);
- 127.0.1.3 ``bucket-date``: the bucket, answering 503 with
  ``Retry-After`` as an HTTP date;
- 127.0.1.4 ``fixed-window``: 20 requests per 2-second window, announced as
  GitHub's API does (``x-ratelimit-remaining`` on every answer,
  ``x-ratelimit-reset`` a Unix time), no ``Retry-After``;
- 127.0.1.5 ``sliding-window``: 10 requests in any second; beyond it a bare
  429, no headers;
- 127.0.1.6 ``cap-503``: at most 3 in flight (200 ms each); beyond it 503
  with ``Retry-After: 1``;
- 127.0.1.7 ``cap-then-bucket``: at most 4 in flight (503, ``Retry-After: 1``)
  before a bucket of 15 a second, burst 5 (100 ms each);
- 127.0.1.8 ``relaxes``: a bucket of 5 a second (``Retry-After: 1``) that
  allows 15 a second from 4 s after the reset on;
- 127.0.1.9, 127.0.1.10 plain hosts.

Served requests take the family's latency (50 ms unless said); refusals
are immediate. ``GET /__stats`` on any host answers the refusals and
answers per host as JSON; ``GET /__reset`` starts every limiter afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "links"))

from limiters import Both, FixedWindow, InFlight, Limiter, SlidingWindow, TokenBucket

FAMILIES = {  # name: (limiter factory, latency of a served request)
    "bucket": (lambda: TokenBucket(rate=10, burst=5, style="seconds"), 0.05),
    "cap": (lambda: InFlight(cap=2), 0.05),
    "bucket-date": (lambda: TokenBucket(rate=10, burst=5, style="date", status=503), 0.05),
    "fixed-window": (lambda: FixedWindow(limit=20, window=2.0, style="x-epoch"), 0.05),
    "sliding-window": (lambda: SlidingWindow(limit=10, window=1.0), 0.05),
    "cap-503": (lambda: InFlight(cap=3, status=503, retry=1), 0.2),
    "cap-then-bucket": (
        lambda: Both(first=InFlight(cap=4, status=503, retry=1), second=TokenBucket(rate=15, burst=5)),
        0.1,
    ),
    "relaxes": (lambda: TokenBucket(rate=5, burst=5, style="seconds", relax_at=4.0, relax=3.0), 0.05),
}
PLAIN = 2
HOSTS = len(FAMILIES) + PLAIN
BODY = b"<html><body>ok</body></html>"


def address(family: str) -> str:
    return f"127.0.1.{list(FAMILIES).index(family) + 1}"


def plain_addresses() -> list[str]:
    return [f"127.0.1.{len(FAMILIES) + i + 1}" for i in range(PLAIN)]


class State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.limiters: dict[int, tuple[Limiter, float]] = {}
        start = time.monotonic()
        for n, (make, latency) in enumerate(FAMILIES.values(), 1):
            limiter = make()
            limiter.wall = time.time() - time.monotonic()
            if isinstance(limiter, TokenBucket) and limiter.relax_at < float("inf"):
                limiter.relax_at += start
            self.limiters[n] = (limiter, latency)
        self.refused: collections.Counter = collections.Counter()
        self.answered: collections.Counter = collections.Counter()


STATE = State()


def _response(status: int, is_head: bool, headers=(), body: bytes = BODY) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Slow down'}",
        "Content-Type: text/html",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if is_head else body)


class Host(asyncio.Protocol):
    def __init__(self, number: int) -> None:
        self.number = number
        self.buf = b""
        self.queue: asyncio.Queue = asyncio.Queue()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.worker = asyncio.ensure_future(self._work())

    def connection_lost(self, exc) -> None:
        self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            self.queue.put_nowait(head)

    async def _work(self) -> None:  # HTTP/1.1: answers in order on a connection
        while True:
            head = await self.queue.get()
            method, target = head.split(b" ", 2)[:2]
            reply = await self._answer(method == b"HEAD", target.decode())
            if not self.transport.is_closing():
                self.transport.write(reply)

    async def _answer(self, is_head: bool, target: str) -> bytes:
        n = self.number
        if target == "/__stats":
            body = json.dumps(
                {
                    "refused": {str(k): v for k, v in STATE.refused.items()},
                    "answered": {str(k): v for k, v in STATE.answered.items()},
                }
            ).encode()
            return _response(200, False, body=body)
        if target == "/__reset":
            STATE.reset()
            return _response(200, is_head)
        if not target.startswith("/page/"):  # a path that does not exist, as on a real site
            return _response(404, is_head)
        if n not in STATE.limiters:  # a plain host
            await asyncio.sleep(0.05)
            STATE.answered[n] += 1
            return _response(200, is_head)
        limiter, latency = STATE.limiters[n]
        now = time.monotonic()
        refusal = limiter.arrive(now)
        if refusal is not None:
            STATE.refused[n] += 1
            status, headers = refusal
            return _response(status, is_head, [f"{k}: {v}" for k, v in headers.items()], b"slow down")
        headers = limiter.answer_headers(now)
        try:
            await asyncio.sleep(latency)
        finally:
            limiter.leave(time.monotonic())
        STATE.answered[n] += 1
        return _response(200, is_head, [f"{k}: {v}" for k, v in headers.items()])


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    servers = [
        await loop.create_server(lambda n=n: Host(n), f"127.0.1.{n}", port, backlog=1024, reuse_address=True)
        for n in range(1, HOSTS + 1)
    ]
    print("ready", os.getpid(), flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=18900)
    asyncio.run(serve(ap.parse_args().port))
