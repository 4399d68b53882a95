"""A static file server that plays a reader's network: every answer waits a
fixed latency, then its bytes share one link of a fixed bandwidth (a token
bucket across all connections), for every fetch the browser makes, a Web
Worker's included (throttling in the browser does not reach workers).

    with ThrottledServer(site_dir, mbit=20, latency=0.040) as server:
        server.url, server.sent  # bytes written so far (headers and bodies)

Text (HTML, CSS, JavaScript, JSON, SVG, XML) is sent gzipped when the
browser asks for it, as static hosts (GitHub Pages, Netlify) send it;
Pagefind's index files are gzipped already and go as they are.

Used by ``benchmarks/search.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import mimetypes
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

CHUNK = 16 * 1024
TEXT = ("text/", "application/json", "image/svg+xml", "application/xml")
TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
}


class ThrottledServer:
    def __init__(self, root: Path, *, mbit: float = 20.0, latency: float = 0.040) -> None:
        self.root = root.resolve()
        self.rate = mbit * 1_000_000 / 8  # bytes a second
        self.latency = latency
        self.sent = 0
        self.sizes: list[tuple[str, int]] = []  # (target, bytes sent for it)
        self._link_free = 0.0  # when the shared link has sent what is queued
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self.url = ""

    # -- files ----------------------------------------------------------------
    def _resolve(self, target: str) -> Path | None:
        path = unquote(urlparse(target).path)
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.root):
            return None
        if file.is_dir():
            file = file / "index.html"
        return file if file.is_file() else None

    # -- the link -----------------------------------------------------------------
    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        """Write `data` no faster than the shared link allows."""
        loop = asyncio.get_running_loop()
        for at in range(0, len(data), CHUNK):
            chunk = data[at : at + CHUNK]
            now = loop.time()
            start = max(now, self._link_free)
            self._link_free = start + len(chunk) / self.rate
            if self._link_free > now:
                await asyncio.sleep(self._link_free - now)
            writer.write(chunk)
            self.sent += len(chunk)
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line, *fields = head.decode("latin-1").split("\r\n")
                asked = dict(f.lower().split(":", 1) for f in fields if ":" in f)
                gzip_ok = "gzip" in asked.get("accept-encoding", "")
                method, target, _ = line.split(" ", 2)
                await asyncio.sleep(self.latency)
                file = self._resolve(target)
                if file is None:
                    body, status, kind = b"not found", "404 Not Found", "text/plain"
                else:
                    body, status = file.read_bytes(), "200 OK"
                    kind = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                encoding = ""
                if gzip_ok and kind.startswith(TEXT):
                    body, encoding = gzip.compress(body, 6), "Content-Encoding: gzip\r\n"
                headers = (
                    f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                    f"{encoding}Cache-Control: no-cache\r\n\r\n"
                ).encode()
                answer = headers + (b"" if method == "HEAD" else body)
                self.sizes.append((target, len(answer)))
                await self._send(writer, answer)
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    # -- lifetime -------------------------------------------------------------------
    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
            self._ready.set()
            async with server:
                await self._stop.wait()

        asyncio.run(main())

    def __enter__(self) -> ThrottledServer:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def wait_quiet(server: ThrottledServer, quiet: float = 0.5, limit: float = 30.0) -> None:
    """Until no byte has been sent for `quiet` seconds (trailing fetches done)."""
    end = time.monotonic() + limit
    last, since = server.sent, time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        if server.sent != last:
            last, since = server.sent, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
