"""Rate-limited loopback hosts for ``benchmarks/links.py --rate-limited``.

On 127.0.1.1 .. 127.0.1.13, one port for all:

- .1 a token bucket: 10 requests a second, burst 5; beyond that 429 with
  ``Retry-After: 1`` (GitHub, Read the Docs);
- .2 at most 2 requests in flight; beyond that 429 without Retry-After
  (a Cloudflare-style concurrency limit);
- .3 .. .12 plain hosts answering after 50 ms;
- .13 a slow host answering after 1 s.

Answered requests take the host's latency; refusals are immediate.
``GET /__stats`` on any host answers the 429 counts per host as JSON;
``GET /__reset`` clears them and refills the bucket.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import time

HOSTS = 13
BUCKET, INFLIGHT, SLOW = 1, 2, 13
BODY = b"<html><body>ok</body></html>"


class State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.tokens, self.at = 5.0, time.monotonic()
        self.in_flight = 0
        self.refused: collections.Counter = collections.Counter()
        self.answered: collections.Counter = collections.Counter()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(5.0, self.tokens + (now - self.at) * 10.0)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


STATE = State()


def _response(status: int, is_head: bool, headers=(), body: bytes = BODY) -> bytes:
    lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Too Many Requests'}",
             "Content-Type: text/html", f"Content-Length: {len(body)}", *headers]
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
            head, self.buf = self.buf[:end], self.buf[end + 4:]
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
            body = json.dumps({"refused": {str(k): v for k, v in STATE.refused.items()},
                               "answered": {str(k): v for k, v in STATE.answered.items()}}).encode()
            return _response(200, False, body=body)
        if target == "/__reset":
            STATE.reset()
            return _response(200, is_head)
        if not target.startswith("/page/"):  # a path that does not exist, as on a real site
            return _response(404, is_head)
        if n == BUCKET:
            if not STATE.take():
                STATE.refused[n] += 1
                return _response(429, is_head, ["Retry-After: 1"])
            await asyncio.sleep(0.05)
        elif n == INFLIGHT:
            if STATE.in_flight >= 2:
                STATE.refused[n] += 1
                return _response(429, is_head)
            STATE.in_flight += 1
            try:
                await asyncio.sleep(0.05)
            finally:
                STATE.in_flight -= 1
        else:
            await asyncio.sleep(1.0 if n == SLOW else 0.05)
        STATE.answered[n] += 1
        return _response(200, is_head)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(lambda n=n: Host(n), f"127.0.1.{n}", port, backlog=1024,
                                        reuse_address=True) for n in range(1, HOSTS + 1)]
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
