"""The full client: every request the lean HEAD client declines (GET,
HTTP/2, proxies, odd URLs), through httpx's public API.

Direct requests go to the very addresses the guard checked (no second DNS
answer): the URL is sent to the address, with the name in ``Host`` and in
TLS (httpx's ``sni_hostname`` extension), so the certificate is still
verified against the name. One client per host (a pool shared by every host
costs CPU per request as it grows), HTTP/2 on https.

Proxied requests (``HTTP(S)_PROXY``/``ALL_PROXY`` minus ``NO_PROXY``) go
through httpx's own proxy support, one client per proxy. What fails before
a proxy carries the request (it cannot be reached, refuses ``CONNECT``,
asks for credentials) is a failure of kind ``proxy`` naming the proxy, never
its password (reports end up in public issues): the link was not checked.
Past that, a failure is the site's, "via proxy ...". The proxy is the user's
own choice and is connected to without the address guard; the guard looks
at the target's name where it resolves here.

httpx's exceptions become ``transport.Failed``, so the engine reads one
typed error kind whichever client failed; any other exception is a bug.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable
from urllib.parse import SplitResult

import h11
import httpx

from ..urls import DEFAULT_PORTS
from . import policy
from .guard import AddressGuard, NameNotResolved
from .results import ErrorKind
from .settings import LinkSettings
from .transport import Failed, Proxies, Reply, via


def shown(proxy: str) -> str:
    """A proxy URL fit for a report: scheme, host and port only."""
    try:
        url = httpx.URL(proxy)
    except httpx.InvalidURL:
        return "the proxy from the environment"
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}"


class FullClient:
    """The ``Transport`` for every request the lean client declines."""

    def __init__(
        self,
        settings: LinkSettings,
        guard: AddressGuard,
        ssl_context_factory: Callable[[], ssl.SSLContext],
        proxies: Proxies,
    ) -> None:
        self.settings = settings
        self.guard = guard
        self.ssl_factory = ssl_context_factory
        self.ssl_context: ssl.SSLContext | None = None  # made on first need (loading CAs takes ~50 ms)
        self.proxy_for = proxies
        self.clients: dict[str, httpx.AsyncClient] = {}  # per host, and per proxy ("proxy " + URL)

    def _client(self, key: str, limit: int, proxy: str | None = None) -> httpx.AsyncClient:
        client = self.clients.get(key)
        if client is None:
            if self.ssl_context is None:
                self.ssl_context = self.ssl_factory()
            client = self.clients[key] = httpx.AsyncClient(
                verify=self.ssl_context,
                http2=True,
                trust_env=False,
                timeout=None,
                limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
                # an https:// proxy gets a context of its own: httpx sets ALPN on it
                proxy=httpx.Proxy(proxy, ssl_context=self.ssl_factory() if proxy.startswith("https:") else None)
                if proxy
                else None,
            )
        return client

    async def request(self, method: str, url: str, parts: SplitResult, headers: dict[str, str] | None = None) -> Reply:
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise Failed(ErrorKind.BAD_URL, str(exc), retry=False) from None
        host, port = target.host, target.port or DEFAULT_PORTS.get(target.scheme, 0)
        sent = dict(policy.DEFAULT_HEADERS)
        if rule := self.settings.rule(host):
            sent.update(rule.headers)
        sent.update(headers or {})
        proxy = self.proxy_for(target.scheme, host)
        if proxy:
            with contextlib.suppress(NameNotResolved):  # a name only the proxy can resolve: its answer decides
                await self.guard.addresses(host, port)
            client = self._client(f"proxy {proxy}", self.settings.concurrency, proxy)
            try:
                reply = await self._exchange(client, method, target, sent, None)
            except httpx.HTTPError as exc:
                raise _through(exc, shown(proxy), target) from exc
            if reply.status == 407 and target.scheme == "http":  # the forward proxy's own answer
                raise Failed(ErrorKind.PROXY, f"{shown(proxy)} answered 407 Proxy Authentication Required", retry=False)
            reply.via = shown(proxy)
            return reply
        sent["Host"] = target.netloc.decode("ascii")
        client = self._client(host, self.settings.host_concurrency(host))
        addresses = await self.guard.addresses(host, port)
        for index, address in enumerate(addresses):
            try:
                return await self._exchange(
                    client, method, target.copy_with(host=str(address)), sent, {"sni_hostname": host}
                )
            except httpx.ConnectError as exc:
                if index == len(addresses) - 1 or _cause(exc, ssl.SSLError):
                    raise _failed(exc) from exc
            except httpx.HTTPError as exc:
                raise _failed(exc) from exc
        raise Failed(ErrorKind.CONNECT, f"no address for {host}")

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        extensions: dict[str, str] | None,
    ) -> Reply:
        async with client.stream(method, url, headers=headers, extensions=extensions) as response:
            names = {key.lower(): ", ".join(response.headers.get_list(key)) for key in response.headers}
            head = b""
            if method == "GET" and not (response.status_code in policy.REDIRECTS and names.get("location")):
                chunks, size, cap = [], 0, self.settings.body_cap
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= cap:
                        break
                head = b"".join(chunks)[:cap]
        return Reply(response.status_code, names, head)

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()


def _cause(exc: BaseException | None, exception_type: type[BaseException]) -> bool:
    """Whether `exc` or an exception it was raised from is an `exception_type`."""
    while exc is not None:
        if isinstance(exc, exception_type):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _failed(exc: httpx.HTTPError) -> Failed:
    """httpx's exception as a typed failure."""
    text = str(exc) or type(exc).__name__
    if _cause(exc, ssl.SSLError):
        return Failed(ErrorKind.TLS, text, retry=False)
    if isinstance(exc, httpx.TimeoutException):
        return Failed(ErrorKind.TIMEOUT, text)
    if isinstance(exc, httpx.ConnectError):
        return Failed(ErrorKind.CONNECT, text)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return Failed(ErrorKind.RESET, text)
    if isinstance(exc, httpx.RemoteProtocolError):
        # Not HTTP (h11 could not parse it) is final; a close mid-answer is retried.
        return Failed(ErrorKind.PROTOCOL, text, retry=not _cause(exc, h11.RemoteProtocolError))
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)):
        return Failed(ErrorKind.BAD_URL, text, retry=False)
    return Failed(ErrorKind.PROTOCOL, text)


def _through(exc: httpx.HTTPError, proxy: str, target: httpx.URL) -> Failed:
    """A failure through `proxy`: the proxy's own (it could not be reached,
    or refused the tunnel) or, once it carried the request, the site's."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ProxyError):  # CONNECT answered with an error status
        origin = f"{target.host}:{target.port or DEFAULT_PORTS[target.scheme]}"
        return Failed(ErrorKind.PROXY, f"{proxy} refused CONNECT {origin}: {text}", retry=False)
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)) and not _cause(exc, ssl.SSLError):
        return Failed(ErrorKind.PROXY, f"cannot connect to {proxy}: {text}")
    failure = _failed(exc)
    return Failed(failure.error_kind, f"{failure}{via(proxy)}", failure.retry)
