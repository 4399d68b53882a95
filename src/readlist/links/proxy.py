"""The full client's side of HTTP(S)_PROXY: how a proxy is connected to and
how its failures read.

The proxy is the user's own choice, so it is connected to without the
address guard (the guard looks at each URL's host instead, see
``FullClient.request``). A proxy that cannot be reached, refuses a CONNECT
or asks for credentials raises ``httpcore.ProxyError`` with a message that
names it, never with its user name or password (reports end up in public
issues), so the user learns it is the proxy and not the link.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpcore
import httpx


def shown(proxy: str) -> str:
    """A proxy URL fit for a report: scheme, host and port only."""
    try:
        url = httpx.URL(proxy)
    except httpx.InvalidURL:
        return "the proxy from the environment"
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}"


def httpcore_proxy(proxy: str, ssl_context) -> httpcore.Proxy:
    """httpcore's Proxy for an http(s) proxy URL; credentials in it
    (``http://user:pass@host:3128``) are sent as Proxy-Authorization, as
    httpx does (httpcore does not read them from the URL)."""
    try:
        url = httpx.URL(proxy)
    except httpx.InvalidURL as exc:
        raise httpcore.ProxyError(f"not a proxy URL (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY): {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise httpcore.ProxyError(f"{shown(proxy)}: only http:// and https:// proxies are supported")
    auth = (url.username, url.password) if url.username or url.password else None
    return httpcore.Proxy(shown(proxy), auth=auth, ssl_context=ssl_context)


class ProxyUnreachable(httpcore.ProxyError):
    """The proxy itself could not be connected to."""


class ProxyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend for the connections to a proxy: one that
    cannot be reached is a ``ProxyError`` naming it, not a failure of the URL."""

    def __init__(self, proxy: str) -> None:
        self.proxy = shown(proxy)
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
            raise ProxyUnreachable(f"cannot connect to {self.proxy}: {exc or type(exc).__name__}") from exc

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise ProxyUnreachable("unix socket proxies are not supported")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@contextlib.asynccontextmanager
async def naming_the_proxy(proxy: str, target: httpx.URL) -> AsyncIterator[None]:
    """Around one exchange through `proxy`: httpcore's own ProxyError (the
    answer to CONNECT, e.g. '407 Proxy Authentication Required') gets the
    proxy and the host:port it refused."""
    try:
        yield
    except ProxyUnreachable:
        raise
    except httpcore.ProxyError as exc:
        where = f"{target.host}:{target.port or 443}"
        raise httpcore.ProxyError(f"{shown(proxy)} refused CONNECT {where}: {exc}") from exc


def check_proxy_answer(proxy: str, status: int) -> None:
    """A forward proxy's 407 is the proxy's answer, never the page's."""
    if status == 407:
        raise httpcore.ProxyError(f"{shown(proxy)} answered 407 Proxy Authentication Required")
