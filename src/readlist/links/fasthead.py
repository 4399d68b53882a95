"""A lean HTTP/1.1 HEAD client on asyncio Protocols, for the common case.

Most checks are one HEAD answered by a status line and a few headers. Through
httpx each costs about half a millisecond of CPU, and answers from a fixed
latency arrive in bursts, so that cost delays every slot of the next round.
Here a HEAD is one ``transport.write`` of a prebuilt request and one split of
the response head: a few tens of microseconds.

Anything unusual is declined (``head`` returns None, or raises ``Declined``)
and the engine asks httpx instead: non-ASCII or odd URLs, IPv6 literals,
userinfo, 1xx answers, obsolete header folding, a reply that is not HTTP/1.x
or ends before its head is complete. A clear connection failure (refused or
unreachable on every address, a TLS handshake or certificate failure, a
reset or a close before any byte of an answer) raises ``ConnectionFailed``
instead: it is the attempt's outcome, and the server is not asked a second
time through httpx (one attempt, one request). Addresses go through the same
guard as httpx, before any connection is made.
"""

from __future__ import annotations

import asyncio
import os
import re
import ssl

from .guard import AddressGuard

# What httpx would send unchanged: unreserved and reserved characters and '%'.
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*\Z")
_PLAIN_HOST = re.compile(r"[a-z0-9.\-]+\Z")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_IDLE_REUSE = 4.0  # seconds; Apache closes idle keep-alive connections after 5


class Declined(Exception):
    """This request needs the full client."""


class ConnectionFailed(Exception):
    """The connection failed before any answer; ``kind`` is "connect",
    "tls" or "reset" (see ``Engine._failure``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _reason(exc: BaseException) -> str:
    """'Connection refused' rather than asyncio's '[Errno 111] Connect call failed (...)'."""
    errno = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and errno and not isinstance(exc, ssl.SSLError):
        return os.strerror(errno)
    return str(exc) or type(exc).__name__


class _Connection(asyncio.Protocol):
    """One keep-alive connection; ``waiter`` resolves when a response head is in."""

    __slots__ = ("transport", "buffer", "waiter", "lost", "first", "idle_since")

    def __init__(self, first: bytes = b"") -> None:
        self.transport = None
        self.buffer = b""
        self.waiter: asyncio.Future | None = None
        self.lost = False
        self.first = first
        self.idle_since = 0.0

    def connection_made(self, transport) -> None:
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
        if waiter is not None and b"\r\n\r\n" in self.buffer and not waiter.done():
            waiter.set_result(None)

    def eof_received(self):
        return False  # close our side too

    def connection_lost(self, exc) -> None:
        self.lost = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if self.buffer:  # part of a head, then nothing: httpx names the protocol error
                waiter.set_exception(Declined(f"connection lost: {exc or 'closed by the server'}"))
            elif exc is None:
                waiter.set_exception(ConnectionFailed("reset", "the server closed the connection without answering"))
            else:
                waiter.set_exception(ConnectionFailed("reset", _reason(exc)))


class _Pool:
    """Idle connections to one (scheme, host, port), and a semaphore that
    keeps the host's concurrency limit for hops arriving from redirects."""

    __slots__ = ("idle", "limit", "request_tail", "https", "host", "port")

    def __init__(self, scheme: str, host: str, port: int, limit: int, headers: dict) -> None:
        self.idle: list[_Connection] = []
        self.limit = asyncio.Semaphore(limit)
        self.https = scheme == "https"
        self.host, self.port = host, port
        host_header = host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
        lines = [f"Host: {host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        # " HTTP/1.1\r\n" + headers + blank line: the request is b"HEAD " + target + this
        self.request_tail = (" HTTP/1.1\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class FastHead:
    """HEAD requests over pooled keep-alive connections."""

    def __init__(self, settings, guard: AddressGuard, ssl_context_factory) -> None:
        self.settings = settings
        self.guard = guard
        self.pools: dict[tuple, _Pool | None] = {}
        self._ssl_factory = ssl_context_factory
        self._ssl = None

    def _pool(self, scheme: str, host: str, port: int) -> _Pool | None:
        key = (scheme, host, port)
        pool = self.pools.get(key, False)
        if pool is False:
            from . import policy

            rule = self.settings.rule(host)
            headers = dict(policy.DEFAULT_HEADERS)
            headers["Accept-Encoding"] = "gzip, deflate"
            headers["Connection"] = "keep-alive"
            if rule:
                headers.update(rule.headers)
            try:
                pool = _Pool(scheme, host, port,
                             rule.concurrency if rule and rule.concurrency else self.settings.per_host,
                             headers)
            except UnicodeEncodeError:
                pool = None  # a header the wire cannot carry as is: httpx decides
            self.pools[key] = pool
        return pool

    def _tls(self):
        if self._ssl is None:
            # Its own context: httpx offers h2 through ALPN on the shared one.
            self._ssl = self._ssl_factory()
            self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl

    async def head(self, parts) -> tuple[int, dict, bytes] | None:
        """(status, headers, b"") for a HEAD of the split URL `parts`, or None
        when the URL is not plain enough for this path."""
        scheme = parts.scheme
        netloc = parts.netloc
        if "@" in netloc or "[" in netloc:
            return None
        host = parts.hostname
        if not host or not _PLAIN_HOST.match(host):
            return None
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except (ValueError, KeyError):
            return None
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        if not _PLAIN_TARGET.match(target):
            return None
        pool = self._pool(scheme, host, port)
        if pool is None:
            return None
        async with pool.limit:
            return await self._exchange(pool, b"HEAD " + target.encode() + pool.request_tail)

    async def _exchange(self, pool: _Pool, request: bytes):
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
        failure = None
        for address in addresses:  # in turn, as httpx does
            try:
                if pool.https:
                    _, conn = await loop.create_connection(
                        lambda: _Connection(request), str(address), pool.port,
                        ssl=self._tls(), server_hostname=pool.host)
                else:
                    _, conn = await loop.create_connection(lambda: _Connection(request), str(address), pool.port)
                return conn
            except ssl.SSLError as exc:  # the server answered; its TLS is wrong
                raise ConnectionFailed("tls", _reason(exc)) from None
            except ConnectionResetError as exc:  # during the handshake
                raise ConnectionFailed("reset", _reason(exc)) from None
            except OSError as exc:  # refused, unreachable: the next address, if any
                failure = exc
        raise ConnectionFailed("connect", _reason(failure)
                               + (f" ({len(addresses)} addresses tried)" if len(addresses) > 1 else ""))

    @staticmethod
    def _parse(pool: _Pool, conn: _Connection) -> tuple[int, dict, bytes]:
        data = conn.buffer
        end = data.find(b"\r\n\r\n")
        lines = data[:end].split(b"\r\n")
        rest = data[end + 4:]
        conn.buffer = b""
        version, _, tail = lines[0].partition(b" ")
        code = tail[:3]
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or not code.isdigit() or tail[3:4] not in (b"", b" "):
            conn.transport.abort()
            raise Declined("not an HTTP/1.x status line")
        status = int(code)
        if status < 200:
            conn.transport.abort()
            raise Declined("1xx answer")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name[-1:] in (b" ", b"\t") or line[:1] in (b" ", b"\t"):
                conn.transport.abort()
                raise Declined("unusual header line")
            key = name.decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        keep = (version == b"HTTP/1.1" and not rest and not conn.lost
                and "close" not in headers.get("connection", "").lower())
        if keep:
            conn.idle_since = asyncio.get_running_loop().time()
            pool.idle.append(conn)
        else:
            conn.transport.close()
        return status, headers, b""

    def close(self) -> None:
        for pool in self.pools.values():
            while pool is not None and pool.idle:
                pool.idle.pop().transport.close()
