"""The httpx side of the engine: an asyncio network stream for httpcore and a
network backend that connects only through the address guard. Imported only
when a request needs the full client (GET, HTTP/2, anything the lean HEAD
path declines), so a run of plain HEAD checks never pays for importing httpx.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpcore
import httpx

from . import policy
from .guard import AddressGuard


class AsyncioStream(httpcore.AsyncNetworkStream):
    """A plain asyncio stream for httpcore. The anyio backend costs a large
    share of the CPU per request (``is_readable`` alone walks anyio's typed
    attributes on every pool check); this one answers from the reader's state.
    Per-operation timeouts are left to the caller's total deadline."""

    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def read(self, max_bytes: int, timeout=None) -> bytes:
        try:
            return await self.reader.read(max_bytes)
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from None

    async def write(self, buffer: bytes, timeout=None) -> None:
        if not buffer:
            return
        try:
            self.writer.write(buffer)
            await self.writer.drain()
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from None

    async def aclose(self) -> None:
        self.writer.transport.abort()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        try:
            async with asyncio.timeout(timeout):
                await self.writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self.writer.transport.abort()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            self.writer.transport.abort()
            raise httpcore.ConnectError(f"SSL: {exc}") from None
        return self

    def get_extra_info(self, info: str):
        if info == "is_readable":
            reader = self.reader
            return bool(reader._buffer) or reader._eof or self.writer.transport.is_closing()
        if info == "ssl_object":
            return self.writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self.writer.get_extra_info("sockname")
        if info == "server_addr":
            return self.writer.get_extra_info("peername")
        if info == "socket":
            return self.writer.get_extra_info("socket")
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves the name itself, refuses unsafe
    addresses and then connects to the very address it checked (no second,
    possibly different, DNS answer)."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = await self.guard.addresses(host, port)
        error = None
        for address in addresses:
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(
                        str(address), port, limit=1 << 16,
                        local_addr=(local_address, 0) if local_address else None)
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    for option in socket_options or ():
                        sock.setsockopt(*option)
                return AsyncioStream(reader, writer)
            except TimeoutError:
                error = httpcore.ConnectTimeout(f"connecting to {host} ({address}) timed out")
            except OSError as exc:
                error = httpcore.ConnectError(f"{exc.strerror or exc} ({address}:{port})")
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not checked")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def make_client(settings, guard: AddressGuard, context, scheme: str, host: str) -> httpx.AsyncClient:
    """One client per host (a shared pool is CPU-bound), guarded, no redirects."""
    rule = settings.rule(host)
    limit = rule.concurrency if rule and rule.concurrency else settings.per_host
    transport = httpx.AsyncHTTPTransport(
        verify=context, http2=scheme == "https", retries=0,
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
    )
    transport._pool._network_backend = GuardedBackend(guard)  # the address guard
    headers = dict(policy.DEFAULT_HEADERS)
    if rule:
        headers.update(rule.headers)
    return httpx.AsyncClient(
        transport=transport, headers=headers, follow_redirects=False,
        timeout=httpx.Timeout(settings.timeout), trust_env=False,
    )
