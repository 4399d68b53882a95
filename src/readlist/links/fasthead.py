"""A lean HTTP/1.1 HEAD client on asyncio Protocols, for the common case.

Most checks are one HEAD answered by a status line and a few headers. Through
httpx each costs about half a millisecond of CPU, and answers from a fixed
latency arrive in bursts, so that cost delays every slot of the next round.
Here a HEAD is one ``transport.write`` of a prebuilt request and one split of
the response head: a few tens of microseconds.

Anything unusual is declined (``Declined``, the transports' one way to pass)
and the engine asks the full client instead: a method other than HEAD, a
proxy in the environment, non-ASCII or odd URLs, IPv6 literals, userinfo,
1xx answers, obsolete header folding, a head larger than 64 KiB, a reply
that is not HTTP/1.x or ends before its head is complete. A clear connection failure (refused or
unreachable on every address, a TLS handshake or certificate failure, a
reset or a close before any byte of an answer) raises ``Failed``
instead: it is the attempt's outcome, and the server is not asked a second
time through httpx (one attempt, one request). Addresses go through the same
guard as httpx, before any connection is made; with several addresses,
connections are raced Happy-Eyeballs style (the next address is tried when
the previous one has not connected within 250 ms, or has failed).
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import ssl
from collections.abc import Awaitable, Callable
from urllib.parse import SplitResult

from ..urls import DEFAULT_PORTS
from . import policy
from .guard import AddressGuard
from .policy import IPAddress
from .results import ErrorKind
from .settings import LinkSettings
from .transport import Declined, Failed, Proxies, Reply

# What httpx would send unchanged: unreserved and reserved characters and '%'.
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*\Z")
_PLAIN_HOST = re.compile(r"[a-z0-9.\-]+\Z")
_IDLE_REUSE = 4.0  # seconds; Apache closes idle keep-alive connections after 5
MAX_HEAD = 64 * 1024  # bytes; a longer response head goes to the full client
STAGGER = 0.25  # seconds before the next address is tried (RFC 8305)


def _reason(exc: BaseException) -> str:
    """'Connection refused' rather than asyncio's '[Errno 111] Connect call failed (...)'."""
    errno = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and errno and not isinstance(exc, ssl.SSLError):
        return os.strerror(errno)
    return str(exc) or type(exc).__name__


class _Connection(asyncio.Protocol):
    """One keep-alive connection; ``waiter`` resolves when a response head is in."""

    __slots__ = ("buffer", "first", "idle_since", "lost", "transport", "waiter")

    def __init__(self, first: bytes = b"") -> None:
        self.transport: asyncio.Transport = None  # type: ignore[assignment]  # set on connection_made
        self.buffer = b""
        self.waiter: asyncio.Future[None] | None = None
        self.lost = False
        self.first = first
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.first:
            # The first request leaves now, not when the connecting coroutine
            # resumes (after every other connection of the same burst).
            self.waiter = asyncio.get_running_loop().create_future()
            transport.write(self.first)
            self.first = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if b"\r\n\r\n" in self.buffer:
                waiter.set_result(None)
            elif len(self.buffer) > MAX_HEAD:
                waiter.set_exception(Declined("response head too large"))

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if self.buffer:  # part of a head, then nothing: httpx names the protocol error
                waiter.set_exception(Declined(f"connection lost: {exc or 'closed by the server'}"))
            elif exc is None:
                waiter.set_exception(Failed(ErrorKind.RESET, "the server closed the connection without answering"))
            else:
                waiter.set_exception(Failed(ErrorKind.RESET, _reason(exc)))


class _Pool:
    """Idle connections to one (scheme, host, port), and a semaphore that
    keeps the host's concurrency limit for hops arriving from redirects."""

    __slots__ = ("host", "https", "idle", "limit", "port", "request_tail")

    def __init__(self, scheme: str, host: str, port: int, limit: int, headers: dict[str, str]) -> None:
        self.idle: list[_Connection] = []
        self.limit = asyncio.Semaphore(limit)
        self.https = scheme == "https"
        self.host, self.port = host, port
        host_header = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
        lines = [f"Host: {host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        # " HTTP/1.1\r\n" + headers + blank line: the request is b"HEAD " + target + this
        self.request_tail = (" HTTP/1.1\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class FastHead:
    """HEAD requests over pooled keep-alive connections."""

    def __init__(
        self,
        settings: LinkSettings,
        guard: AddressGuard,
        ssl_context_factory: Callable[[], ssl.SSLContext],
        proxies: Proxies | None = None,
    ) -> None:
        self.settings = settings
        self.guard = guard
        self.proxy_for = proxies or Proxies()
        self.pools: dict[tuple[str, str, int], _Pool | None] = {}
        self._ssl_factory = ssl_context_factory
        self._ssl: ssl.SSLContext | None = None

    def _pool(self, scheme: str, host: str, port: int) -> _Pool | None:
        key = (scheme, host, port)
        if key not in self.pools:
            rule = self.settings.rule(host)
            headers = dict(policy.DEFAULT_HEADERS)
            headers["Accept-Encoding"] = "gzip, deflate"
            headers["Connection"] = "keep-alive"
            if rule:
                headers.update(rule.headers)
            try:
                pool = _Pool(scheme, host, port, self.settings.host_concurrency(host), headers)
            except UnicodeEncodeError:
                pool = None  # a header the wire cannot carry as is: httpx decides
            self.pools[key] = pool
        return self.pools[key]

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            # Its own context: httpx offers h2 through ALPN on the shared one.
            context = self._ssl = self._ssl_factory()
            context.set_alpn_protocols(["http/1.1"])
            return context
        return self._ssl

    async def request(self, method: str, url: str, parts: SplitResult, headers: dict[str, str] | None = None) -> Reply:
        """The reply to a HEAD of the split URL `parts`; ``Declined`` when
        this is not a plain HEAD of a plain URL with the host's own headers."""
        if method != "HEAD" or headers:
            raise Declined("not a plain HEAD")
        scheme = parts.scheme
        netloc = parts.netloc
        if "@" in netloc or "[" in netloc:
            raise Declined("userinfo or an IPv6 literal")
        host = parts.hostname
        if not host or not _PLAIN_HOST.match(host):
            raise Declined("not a plain host name")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except (ValueError, KeyError):
            raise Declined("odd port or scheme") from None
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        if not _PLAIN_TARGET.match(target):
            raise Declined("a target httpx would encode")
        if self.proxy_for(scheme, host):
            raise Declined("a proxy applies")
        pool = self._pool(scheme, host, port)
        if pool is None:
            raise Declined("a header the wire cannot carry as is")
        async with pool.limit:
            return await self._exchange(pool, b"HEAD " + target.encode() + pool.request_tail)

    async def _exchange(self, pool: _Pool, request: bytes) -> Reply:
        # One attempt is one request: a failure on a kept-alive connection is
        # not retried here (the server may well have had the request; the
        # engine retries with backoff). Connections the server has closed are
        # known lost before reuse, and idle ones are not reused once older
        # than common keep-alive timeouts, so the close race stays rare.
        loop = asyncio.get_running_loop()
        conn = None
        now = loop.time()
        while pool.idle:
            conn = pool.idle.pop()
            if not conn.lost and not conn.buffer and now - conn.idle_since < _IDLE_REUSE:
                break
            conn.transport.abort()
            conn = None
        if conn is None:
            conn = await self._connect(pool, request)  # sends it (connection_made)
            assert conn.waiter is not None
            waiter = conn.waiter
        else:
            waiter = conn.waiter = loop.create_future()
            conn.transport.write(request)
        try:
            await waiter
        except BaseException:  # failed, or cancelled (the deadline): the connection is spoilt
            conn.transport.abort()
            raise
        finally:
            conn.waiter = None
        return self._parse(pool, conn)

    async def _connect(self, pool: _Pool, request: bytes) -> _Connection:
        addresses = await self.guard.addresses(pool.host, pool.port)
        if not addresses:
            raise Declined("no address")
        loop = asyncio.get_running_loop()

        async def one(address: IPAddress) -> _Connection:
            try:
                if pool.https:
                    _, conn = await loop.create_connection(
                        lambda: _Connection(request),
                        str(address),
                        pool.port,
                        ssl=self._tls(),
                        server_hostname=pool.host,
                    )
                else:
                    _, conn = await loop.create_connection(lambda: _Connection(request), str(address), pool.port)
                return conn
            except ssl.SSLError as exc:  # the server answered; its TLS is wrong
                raise Failed(ErrorKind.TLS, _reason(exc), retry=False) from None
            except ConnectionResetError as exc:  # during the handshake
                raise Failed(ErrorKind.RESET, _reason(exc)) from None

        if len(addresses) == 1:
            try:
                return await one(addresses[0])
            except OSError as exc:
                raise Failed(ErrorKind.CONNECT, _reason(exc)) from None
        return await race([functools.partial(one, a) for a in addresses], len(addresses))

    @staticmethod
    def parse_head(data: bytes) -> tuple[int, dict[str, str], bool]:
        """(status, headers, HTTP/1.1?) of a complete response head (up to the
        blank line); ``Declined`` for anything this client does not read."""
        lines = data.split(b"\r\n")
        version, _, tail = lines[0].partition(b" ")
        code = tail[:3]
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or not code.isdigit() or tail[3:4] not in (b"", b" "):
            raise Declined("not an HTTP/1.x status line")
        status = int(code)
        if status < 200:
            raise Declined("1xx answer")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name[-1:] in (b" ", b"\t") or line[:1] in (b" ", b"\t"):
                raise Declined("unusual header line")
            key = name.decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return status, headers, version == b"HTTP/1.1"

    @classmethod
    def _parse(cls, pool: _Pool, conn: _Connection) -> Reply:
        data = conn.buffer
        end = data.find(b"\r\n\r\n")
        rest = data[end + 4 :]
        conn.buffer = b""
        try:
            status, headers, http11 = cls.parse_head(data[:end])
        except Declined:
            conn.transport.abort()
            raise
        keep = http11 and not rest and not conn.lost and "close" not in headers.get("connection", "").lower()
        if keep:
            conn.idle_since = asyncio.get_running_loop().time()
            pool.idle.append(conn)
        else:
            conn.transport.close()
        return Reply(status, headers)

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        for pool in self.pools.values():
            while pool is not None and pool.idle:
                pool.idle.pop().transport.close()


async def race(starters: list[Callable[[], Awaitable[_Connection]]], count: int) -> _Connection:
    """The first of `count` connection attempts to succeed, each started
    STAGGER seconds after the previous one or as soon as all before it have
    failed; the others are cancelled, or closed if they connected too."""
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Future[_Connection]] = []
    failures: list[BaseException] = []
    winner = None
    try:
        for index, start in enumerate(starters):
            tasks.append(asyncio.ensure_future(start()))
            deadline = loop.time() + (STAGGER if index < count - 1 else float("inf"))
            while pending := [t for t in tasks if not t.done()]:
                left = deadline - loop.time()
                if left <= 0:
                    break
                done, _ = await asyncio.wait(
                    pending, timeout=None if left == float("inf") else left, return_when=asyncio.FIRST_COMPLETED
                )
                for task in done:
                    error = task.exception()
                    if error is None:
                        winner = task
                        return task.result()
                    if isinstance(error, Failed):  # TLS or reset: the server answered
                        raise error
                    failures.append(error)
        raise Failed(ErrorKind.CONNECT, _reason(failures[-1]) + f" ({count} addresses tried)")
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
            elif task is not winner and not task.cancelled() and task.exception() is None:
                task.result().transport.abort()
