"""The full client: every request the lean HEAD client declines (GET,
HTTP/2, proxies, odd URLs), through httpcore's public API.

One connection pool per host (a shared pool is CPU-bound), with a network
backend that connects only through the address guard, HTTP/2 on https, and a
proxy from ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` when one applies (see
``proxy`` for how a proxy is reached and whose failure a failure through it
is). httpx.URL
normalises URLs (IDNA, percent-encoding) as httpx itself would. httpcore's
exceptions become ``transport.Failed`` here, so the engine reads one typed
error kind whichever client failed.
"""

from __future__ import annotations

import contextlib
import ssl

import h11
import httpcore
import httpx

from . import policy
from .guard import AddressGuard, NameNotResolved, UnsafeAddress
from .proxy import ProxyBackend, ProxyTrace, ProxyUnreachable, check_forwarded, httpcore_proxy, shown
from .results import ErrorKind
from .transport import Failed, Proxies, Reply


def header_names(headers) -> dict[str, str]:
    """httpcore's header pairs as lower-case names (repeats joined by ", ")."""
    names: dict[str, str] = {}
    for name, value in headers:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        names[key] = f"{names[key]}, {text}" if key in names else text
    return names


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own asyncio/anyio backend behind the address guard: the
    name is resolved once, refused if unsafe, and the very addresses checked
    are connected to (no second, possibly different, DNS answer)."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure: Exception | None = None
        for address in await self.guard.addresses(host, port):
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not checked")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class FullClient:
    """The ``Transport`` for every request the lean client declines."""

    def __init__(self, settings, guard: AddressGuard, ssl_context_factory, proxies: Proxies) -> None:
        self.settings = settings
        self.guard = guard
        self.ssl_factory = ssl_context_factory
        self.ssl_context = None  # made with the first pool (loading CA certificates takes ~50 ms)
        self.proxy_for = proxies
        self.pools: dict[tuple, httpcore.AsyncConnectionPool] = {}
        # one per proxy URL, shared by its pools: an https:// proxy's SSL
        # context costs ~26 ms to make (its CA certificates are loaded)
        self.proxy_configs: dict[str, httpcore.Proxy] = {}

    def _pool(self, scheme: str, host: str, port: int | None, proxy: str | None) -> httpcore.AsyncConnectionPool:
        key = (scheme, host, port, proxy)
        pool = self.pools.get(key)
        if pool is None:
            if self.ssl_context is None:
                self.ssl_context = self.ssl_factory()
            limit = self.settings.host_concurrency(host)
            pool = self.pools[key] = httpcore.AsyncConnectionPool(
                ssl_context=self.ssl_context, max_connections=limit, max_keepalive_connections=limit,
                http1=True, http2=scheme == "https", retries=0,
                proxy=self._proxy_config(proxy) if proxy else None,
                # Through a proxy the proxy is connected to (the user chose
                # it); the target's address is checked in ``request``.
                network_backend=ProxyBackend(proxy) if proxy else GuardedBackend(self.guard),
            )
        return pool

    def _proxy_config(self, proxy: str) -> httpcore.Proxy:
        config = self.proxy_configs.get(proxy)
        if config is None:
            config = self.proxy_configs[proxy] = httpcore_proxy(proxy, self.ssl_factory)
        return config

    async def request(self, method: str, url: str, parts, headers: dict | None = None) -> Reply:
        trace = None
        try:
            target = httpx.URL(url)
            proxy = self.proxy_for(target.scheme, target.host)
            if proxy:
                trace = ProxyTrace(proxy, target, header_names)
            return await self._request(method, target, proxy, trace, headers)
        except (UnsafeAddress, NameNotResolved, Failed):
            raise  # the guard's own answers, and failures already typed: the engine reads them as they are
        except Exception as exc:
            failure = _failed(exc)
            if failure is None:
                raise  # not a failure of the request: a bug, reported as one
            raise (trace.blame(failure) if trace else failure) from exc

    async def _request(self, method: str, target: httpx.URL, proxy: str | None, trace: ProxyTrace | None,
                       extra: dict | None) -> Reply:
        host = target.host
        if proxy:  # a name only the proxy can resolve: its answer decides
            with contextlib.suppress(NameNotResolved):
                await self.guard.addresses(host, target.port or (443 if target.scheme == "https" else 80))
        headers = dict(policy.DEFAULT_HEADERS)
        rule = self.settings.rule(host)
        if rule:
            headers.update(rule.headers)
        headers.update(extra or {})
        headers["Host"] = target.netloc.decode("ascii")
        pool = self._pool(target.scheme, host, target.port, proxy)
        core_url = httpcore.URL(scheme=target.raw_scheme, host=target.raw_host, port=target.port,
                                target=target.raw_path)
        extensions = {"trace": trace} if trace else None
        async with pool.stream(method, core_url, headers=list(headers.items()), extensions=extensions) as response:
            status = response.status
            names = header_names(response.headers)
            if proxy and target.scheme == "http":  # forwarded: the answer may be the proxy's own
                check_forwarded(proxy, status, names)
            head = b""
            if method == "GET" and not (status in policy.REDIRECTS and names.get("location")):
                chunks, size, cap = [], 0, self.settings.body_cap
                async for chunk in response.aiter_stream():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= cap:
                        break
                head = b"".join(chunks)[:cap]
                if names.get("content-encoding"):
                    head = b""  # compressed; a soft 404 needs a plain body
        return Reply(status, names, head, shown(proxy) if proxy else None)

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()


def _cause(exc: BaseException | None, exception_type: type) -> bool:
    """Whether `exc` or an exception it was raised from is an `exception_type`."""
    while exc is not None:
        if isinstance(exc, exception_type):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _failed(exc: Exception) -> Failed | None:
    """httpcore's (and httpx.URL's) exception as a typed failure, or None."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpcore.ProxyError):  # unreachable now may answer later; a bad setting will not
        return Failed(ErrorKind.PROXY, text, retry=isinstance(exc, ProxyUnreachable))
    if _cause(exc, ssl.SSLError):
        return Failed(ErrorKind.TLS, text, retry=False)
    if isinstance(exc, httpcore.TimeoutException):
        return Failed(ErrorKind.TIMEOUT, text)
    if isinstance(exc, httpcore.ConnectError):
        return Failed(ErrorKind.CONNECT, text)
    if isinstance(exc, (httpcore.ReadError, httpcore.WriteError)):
        return Failed(ErrorKind.RESET, text)
    if isinstance(exc, httpcore.RemoteProtocolError):
        # Not HTTP (h11 could not parse it) is final; a close mid-answer is retried.
        return Failed(ErrorKind.PROTOCOL, text, retry=not _cause(exc, h11.RemoteProtocolError))
    if isinstance(exc, (httpcore.UnsupportedProtocol, httpcore.LocalProtocolError, httpx.InvalidURL, ValueError)):
        return Failed(ErrorKind.BAD_URL, text, retry=False)
    return None
