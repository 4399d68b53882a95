"""Real HTTP(S) servers on loopback addresses for the link-checker tests.

One asyncio loop in a background thread serves several "hosts"
(127.0.0.x addresses, one port each); every case of the issue is a path.
Hits and bytes sent are recorded so tests can assert what the checker did.
``Proxy`` is a forward proxy (absolute-form and CONNECT) on its own loop.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import json
import socket
import ssl
import struct
import threading
import time
from urllib.parse import parse_qs, urlsplit

from .limiters import Limiter

OK_PAGE = b"<!doctype html><html><head><title>A fine page</title></head><body>Hello</body></html>"
NOT_FOUND_PAGE = b"<!doctype html><html><head><title>Page not found</title></head><body>Sorry</body></html>"
HUGE = 100 * 1024 * 1024


def shut_down(loop: asyncio.AbstractEventLoop, thread: threading.Thread, servers) -> None:
    """Stop listening, cancel every handler still running on `loop` (a hanging
    or tunnelling connection included), then stop the loop and its thread."""

    async def close():
        for server in servers:
            server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


class Hosts:
    def __init__(self) -> None:
        self.hits: collections.Counter = collections.Counter()  # (host, method, path)
        self.targets: collections.Counter = collections.Counter()  # (host, method, path?query)
        self.sent: collections.Counter = collections.Counter()  # path -> body bytes written
        self.arrivals: list[tuple[float, str, str]] = []  # (monotonic, host, target)
        self.connections: collections.Counter = collections.Counter()  # host -> accepted
        self.ports: dict[str, int] = {}
        self.refused: collections.Counter = collections.Counter()  # path prefix -> 429s sent
        self.buckets: dict[str, TokenBucket] = {}
        self.in_flight: collections.Counter = collections.Counter()
        self.flaps: dict[str, int] = {}  # path -> status to answer now
        self.refusal_times: dict[str, list[float]] = {}  # path prefix -> when 429s were sent
        self.github_auth: list = []  # Authorization headers the API got
        self.last_headers: dict[str, str] = {}
        self.together: dict[str, list] = {}  # group -> [in now, peak, Event]
        self.limiters: dict[str, tuple[Limiter, float]] = {}  # name -> (limiter, latency)
        self.limited: dict[str, list[tuple[float, bool]]] = {}  # name -> (arrival, refused)
        self.loop = asyncio.new_event_loop()
        self.servers = []

    # -- life cycle ----------------------------------------------------------------
    def start(self, plain: list[str], tls: dict[str, ssl.SSLContext]) -> None:
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)

            async def boot():
                for host in plain:
                    await self._listen(host, None)
                for host, context in tls.items():
                    await self._listen(host, context)
                ready.set()

            self.loop.run_until_complete(boot())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10), "test servers did not start"

    async def _listen(self, host, context):
        server = await asyncio.start_server(lambda r, w, host=host: self._serve(host, r, w), host, 0, ssl=context)
        self.servers.append(server)
        self.ports[host] = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        shut_down(self.loop, self.thread, self.servers)

    def url(self, host: str, path: str, scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.ports[host]}{path}"

    def count(self, path: str, method: str | None = None) -> int:
        return sum(n for (h, m, p), n in self.hits.items() if p == path and (method is None or m == method))

    # -- the cases ---------------------------------------------------------------------
    def times(self, host: str, prefix: str) -> list[float]:
        """Arrival times (time.monotonic) of the requests to `host` whose target starts with `prefix`."""
        return sorted(t for t, h, target in list(self.arrivals) if h == host and target.startswith(prefix))

    async def _serve(self, host, reader, writer):
        self.connections[host] += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                first, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = first.split(" ", 2)
                self.last_headers = {
                    k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if ":" in line)
                }
                self.arrivals.append((time.monotonic(), host, target))
                parts = urlsplit(target)
                path = parts.path
                self.hits[(host, method, path)] += 1
                self.targets[(host, method, target)] += 1
                keep = await self._case(host, method, path, parse_qs(parts.query), writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _nth(self, host, method, path):
        return self.hits[(host, method, path)]

    async def _respond(self, writer, method, status, body=b"", headers=()):
        lines = [f"HTTP/1.1 {status} X"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else body))
        await writer.drain()
        return True

    async def _case(self, host, method, path, query, writer):
        R = lambda status, body=b"", headers=(): self._respond(writer, method, status, body, headers)  # noqa: E731
        port = self.ports[host]
        if path.startswith("/bucket/"):  # /bucket/NAME/...: 10 a second, burst 5, else 429 + Retry-After: 1
            name = path.split("/")[2]
            bucket = self.buckets.setdefault(name, TokenBucket(rate=10, burst=5))
            if not bucket.take(time.monotonic()):
                self.refused[f"/bucket/{name}"] += 1
                self.refusal_times.setdefault(f"/bucket/{name}", []).append(time.monotonic())
                return await R(429, b"slow down", [("Retry-After", "1")])
            await asyncio.sleep(0.02)
            return await R(200, OK_PAGE)
        if path.startswith("/limited/"):  # /limited/NAME/...: behind the limiter a test set up as NAME
            return await self._limited(path.split("/")[2], R)
        if path.startswith("/inflight/"):  # /inflight/NAME/...: 2 in flight at most, else 429 (no Retry-After)
            name = path.split("/")[2]
            if self.in_flight[name] >= 2:
                self.refused[f"/inflight/{name}"] += 1
                return await R(429, b"too many")
            self.in_flight[name] += 1
            try:
                await asyncio.sleep(0.05)
            finally:
                self.in_flight[name] -= 1
            return await R(200, OK_PAGE)
        if path.startswith("/ghapi/"):  # the GitHub REST API stand-in: checks the token
            self.github_auth.append(self.last_headers.get("authorization"))
            if self.last_headers.get("authorization") != "Bearer test-token":
                return await R(401, b'{"message": "Bad credentials"}')
            known = (
                "/ghapi/repos/octo/readlist",
                "/ghapi/repos/octo/readlist/issues/1",
                "/ghapi/repos/octo/readlist/pulls/2",
                "/ghapi/repos/octo/readlist/contents/docs/a.md",
            )
            return await R(200 if path in known else 404, b"{}", [("Content-Type", "application/json")])
        if path == "/wayback/available":  # the Wayback availability API stand-in
            wanted = query.get("url", [""])[0]
            snapshot = {}
            if "/404" in wanted or "/flap" in wanted:
                snapshot = {
                    "closest": {
                        "available": True,
                        "status": "200",
                        "timestamp": "20200101000000",
                        "url": f"http://web.archive.org/web/20200101000000/{wanted}",
                    }
                }
            return await R(
                200,
                json.dumps({"url": wanted, "archived_snapshots": snapshot}).encode(),
                [("Content-Type", "application/json")],
            )
        if path == "/together":  # ?group=G&n=N: held until N of group G are in at once (or 10 s)
            return await self._together(query["group"][0], int(query["n"][0]), R)
        if path in self.flaps:  # a status the test sets between runs
            return await R(self.flaps[path], OK_PAGE)
        if path in ("/ok", "/final", "/not-found", "/login"):
            body = NOT_FOUND_PAGE if path == "/not-found" else OK_PAGE
            return await R(200, body, [("Content-Type", "text/html")])
        if path.startswith("/arxiv/"):
            return await R(200 if path == "/arxiv/1706.03762" else 404, OK_PAGE)
        if path in ("/401", "/403", "/404", "/410", "/500", "/502", "/999"):
            return await R(int(path[1:]), b"no")
        if path == "/flaky503":  # 503 once, then 200
            if sum(self.hits[(host, m, path)] for m in ("HEAD", "GET")) == 1:
                return await R(503, b"busy")
            return await R(200, OK_PAGE)
        if path == "/ratelimited":  # 429 with Retry-After: 1 once, then 200
            if sum(self.hits[(host, m, path)] for m in ("HEAD", "GET")) == 1:
                return await R(429, b"slow down", [("Retry-After", "1")])
            return await R(200, OK_PAGE)
        if path == "/always429":
            return await R(429, b"slow down", [("Retry-After", "0")])
        if path in ("/head405", "/head403"):
            if method == "HEAD":
                return await R(int(path[-3:]))
            return await R(200, OK_PAGE)
        redirects = {
            "/moved301": (301, "/ok"),
            "/moved308": (308, "/ok"),
            "/temp302": (302, "/ok"),
            "/chain1": (301, "/chain2"),
            "/chain2": (308, "/final"),
            "/mixed1": (302, "/mixed2"),
            "/mixed2": (301, "/ok"),
            "/loop-a": (302, "/loop-b"),
            "/loop-b": (302, "/loop-a"),
            "/to-broken": (301, "/404"),
            "/to-private": (302, f"http://127.0.0.3:{port}/ok"),
            "/to-login": (302, "/login?next=/private"),
            "/soft404": (302, "/not-found"),
        }
        if path in redirects:
            status, location = redirects[path]
            return await R(status, b"", [("Location", location)])
        if path.startswith("/many/"):  # an endless chain of temporary redirects
            n = int(path.rsplit("/", 1)[1])
            return await R(302, b"", [("Location", f"/many/{n + 1}")])
        if path == "/soft404-body":
            return await R(200, NOT_FOUND_PAGE, [("Content-Type", "text/html")])
        if path == "/reset":  # abort the connection: RST, no answer
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if path == "/close":  # the request read, then a close without a word
            return False
        if path == "/garbage":
            writer.write(b"THIS IS NOT HTTP AT ALL\r\n\r\n")
            await writer.drain()
            return False
        if path == "/hang":
            await asyncio.sleep(3600)
            return False
        if path == "/trickle":  # HEAD refused; GET sends one byte every 0.2 s
            if method == "HEAD":
                return await R(405)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(1000):
                writer.write(b"x")
                await writer.drain()
                self.sent[path] += 1
                await asyncio.sleep(0.2)
            return False
        if path == "/huge":  # HEAD refused; GET offers 100 MiB
            if method == "HEAD":
                return await R(405)
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {HUGE}\r\n\r\n".encode())
            chunk = b"y" * 16384
            try:
                for _ in range(HUGE // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
                    self.sent[path] += len(chunk)
            except ConnectionError:
                pass
            return False
        if path == "/oembed":
            video = query.get("url", [""])[0].rsplit("=", 1)[-1]
            if video == "dQw4w9WgXcQ":
                return await R(200, b'{"title": "a video"}', [("Content-Type", "application/json")])
            return await R(404, b"Not Found")
        if path.startswith("/handles/"):
            if path == "/handles/10.1234/real":
                return await R(200, b'{"responseCode": 1}')
            return await R(404, b'{"responseCode": 100}')
        return await R(404, b"unknown test path")

    def limit(self, name: str, limiter: Limiter, latency: float = 0.02) -> None:
        """Put `limiter` (on the real clock) in front of /limited/NAME/, each
        answer served after `latency` seconds."""
        limiter.wall = time.time() - time.monotonic()
        self.limiters[name] = (limiter, latency)
        self.limited[name] = []

    async def _limited(self, name, respond):
        limiter, latency = self.limiters[name]
        now = time.monotonic()
        refusal = limiter.arrive(now)
        self.limited[name].append((now, refusal is not None))
        if refusal is not None:
            status, headers = refusal
            return await respond(status, b"slow down", list(headers.items()))
        headers = limiter.answer_headers(now)
        try:
            await asyncio.sleep(latency)
        finally:
            limiter.leave(time.monotonic())
        return await respond(200, OK_PAGE, list(headers.items()))

    async def _together(self, group, n, respond):
        """A barrier: the peak of requests held at once says how concurrent
        the client is, whatever the machine's load (no clock involved)."""
        state = self.together.setdefault(group, [0, 0, asyncio.Event()])
        state[0] += 1
        state[1] = max(state[1], state[0])
        if state[0] >= n:
            state[2].set()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state[2].wait(), 10)
        finally:
            state[0] -= 1
        return await respond(200, OK_PAGE)

    def peak(self, group: str) -> int:
        """How many requests of a /together group were held at once, at most."""
        return self.together[group][1] if group in self.together else 0


class TokenBucket:
    """`rate` requests a second on average, `burst` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.at: float | None = None

    def take(self, now: float) -> bool:
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Proxy:
    """A forward proxy on loopback, as HTTP(S)_PROXY names one: absolute-form
    requests (plain http) are passed on with Connection: close, CONNECT
    opens a tunnel and copies bytes both ways (https; the TLS inside is
    between the checker and the origin). Every request line is recorded.
    With `tls` (a server SSL context) it listens as an https:// proxy.

    ``connect_status`` answers every CONNECT with that status instead (407,
    502: a proxy that refuses); ``credentials`` ("user:password") makes it
    answer 407 without the matching Proxy-Authorization; ``names`` maps host
    names only the proxy can resolve to addresses."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, str]] = []  # (method, target) as received
        self.authorizations: list[str | None] = []  # Proxy-Authorization of each request
        self.connect_status: int | None = None
        self.credentials: str | None = None
        self.names: dict[str, str] = {}
        self.tls = tls
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(5), "the proxy did not start"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def connects(self) -> list[str]:
        """The host:port targets of the CONNECT requests received."""
        return [target for method, target in self.requests if method == "CONNECT"]

    def targets(self) -> list[str]:
        """The absolute-form targets of the plain (forwarded) requests, the
        checker's probe of each host for soft 404s aside."""
        return [target for method, target in self.requests if method != "CONNECT" and "no-such-page" not in target]

    async def _serve(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            first, *lines = head.decode("latin-1").split("\r\n")
            method, target, version = first.split(" ")
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
            self.requests.append((method, target))
            self.authorizations.append(fields.get("proxy-authorization"))
            if self.credentials is not None:
                expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
                if fields.get("proxy-authorization") != expected:
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                    )
                    await writer.drain()
                    return
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, version, lines, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _address(self, hostport: str) -> tuple[str, int]:
        host, _, port = hostport.rpartition(":")
        return self.names.get(host, host), int(port)

    async def _tunnel(self, target, reader, writer):
        if self.connect_status is not None:
            writer.write(f"HTTP/1.1 {self.connect_status} Refused by the test\r\nContent-Length: 0\r\n\r\n".encode())
            await writer.drain()
            return
        up_reader, up_writer = await asyncio.open_connection(*self._address(target))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                with contextlib.suppress(Exception):
                    sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def _forward(self, method, target, version, lines, writer):
        parts = urlsplit(target)
        if parts.scheme != "http":
            raise ValueError(f"not an absolute-form http target: {target}")
        host, port = self._address(f"{parts.hostname}:{parts.port or 80}")
        up_reader, up_writer = await asyncio.open_connection(host, port)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = [h for h in lines if h and not h.lower().startswith(("connection:", "proxy-"))]
        up_writer.write(
            (f"{method} {path} {version}\r\n" + "\r\n".join(headers) + "\r\nConnection: close\r\n\r\n").encode(
                "latin-1"
            )
        )
        while data := await up_reader.read(65536):
            writer.write(data)
        up_writer.close()

    def close(self) -> None:
        """Stop listening and end every tunnel (again: nothing)."""
        if not self.thread.is_alive():
            return

        shut_down(self.loop, self.thread, [self.server])
