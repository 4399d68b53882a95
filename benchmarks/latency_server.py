"""A cheap HTTP/1.1 keep-alive server that answers every request after a
fixed latency, listening on several loopback addresses (one "host" each).

Used by ``benchmarks/links.py``; run standalone for experiments:
``python benchmarks/latency_server.py --hosts 20 --port 8800 --latency 0.2``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

BODY = b"<html><body>ok</body></html>"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
# Paths outside /page/ do not exist, as on a real site: a checker's probe of
# a path that cannot exist (soft-404 detection) gets a real 404.
MISSING = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class LatencyProtocol(asyncio.Protocol):
    latency = 0.2

    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""
        self.loop = asyncio.get_running_loop()

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end]
            self.buf = self.buf[end + 4 :]
            is_head = head.startswith(b"HEAD ")
            found = head.split(b" ", 2)[1].startswith(b"/page/")
            self.loop.call_later(self.latency, self._respond, is_head, found)

    def _respond(self, is_head, found=True):
        if not self.transport.is_closing():
            self.transport.write(MISSING if not found else RESPONSE if is_head else RESPONSE + BODY)


async def serve(hosts: int, port: int, latency: float, ready=None):
    LatencyProtocol.latency = latency
    loop = asyncio.get_running_loop()
    servers = []
    for i in range(1, hosts + 1):
        servers.append(
            await loop.create_server(LatencyProtocol, f"127.0.0.{i}", port, backlog=1024, reuse_address=True)
        )
    if ready is not None:
        ready()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--latency", type=float, default=0.2)
    a = ap.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(a.hosts, a.port, a.latency, ready=lambda: print("ready", os.getpid(), flush=True)))


if __name__ == "__main__":
    main()
