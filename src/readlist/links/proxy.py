"""The full client's side of HTTP(S)_PROXY: how a proxy is connected to and
whose failure a failure through it is.

The proxy is the user's own choice, so it is connected to without the
address guard (the guard looks at each URL's host instead, see
``FullClient.request``). What the proxy itself must do (accept the
connection, complete an https:// proxy's TLS handshake, answer CONNECT) is
followed through httpcore's public ``trace`` extension (``ProxyTrace``):
a failure or a stall there is an ``error`` of kind ``proxy`` naming the
proxy, never its user name or password (reports end up in public issues),
so the user learns it is the proxy and not the link. Past that point the
site answers through the proxy, and a failure ends "via proxy X". A refused
CONNECT is worth another attempt when the same status from a site would be
(``policy.RETRY_STATUSES``); a 407 is not.
"""

from __future__ import annotations

import httpcore
import httpx

from . import policy
from .proxystatus import generated
from .results import ErrorKind
from .transport import WAITING, Failed, ProxyWait, via


def shown(proxy: str) -> str:
    """A proxy URL fit for a report: scheme, host and port only."""
    try:
        url = httpx.URL(proxy)
    except httpx.InvalidURL:
        return "the proxy from the environment"
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}"


def httpcore_proxy(proxy: str, ssl_factory) -> httpcore.Proxy:
    """httpcore's Proxy for an http(s) proxy URL; credentials in it
    (``http://user:pass@host:3128``) are sent as Proxy-Authorization, as
    httpx does (httpcore does not read them from the URL). An https://
    proxy gets its own verifying SSL context from `ssl_factory`: httpcore
    sets ALPN on the context it is given, and the sites' shared one offers h2.
    (check-links refuses a proxy setting it cannot use before any request,
    see ``transport.proxy_setting_problem``; these errors are for other callers.)"""
    try:
        url = httpx.URL(proxy)
    except httpx.InvalidURL:  # its text may quote part of the password
        raise httpcore.ProxyError("not a proxy URL (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY)") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise httpcore.ProxyError(f"{shown(proxy)}: only http:// and https:// proxies are supported")
    auth = (url.username, url.password) if url.username or url.password else None
    return httpcore.Proxy(shown(proxy), auth=auth, ssl_context=ssl_factory() if url.scheme == "https" else None)


class ProxyUnreachable(httpcore.ProxyError):
    """The proxy itself could not be connected to (worth another attempt)."""


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


class ProxyTrace:
    """httpcore's ``trace`` extension for one request through a proxy.

    Every connection of a pool with a proxy is a connection to the proxy
    (``connection.*`` events; the tunnelled TLS to the site is
    ``proxy.start_tls``), so the events say when the proxy owes something.
    ``transport.WAITING`` carries that to the engine, whose deadline may end
    the attempt mid-await. `read_headers` turns httpcore's header pairs into
    lower-case names (the full client's ``header_names``).

    The event names are httpcore's; should a release rename them, tests in
    tests/links/test_proxy.py fail: connection.start_tls.started (a stalled
    TLS handshake of an https:// proxy), http11.send_request_headers.started
    (a stalled CONNECT), connection.connect_tcp.complete (a stalled forwarded
    request, no longer the proxy's to answer once connected),
    http11.receive_response_headers.complete (a refused CONNECT and its
    Proxy-Status), connection.start_tls.complete (a site that stalls behind an
    https:// proxy). Not covered: connection.connect_tcp.started (a proxy
    that never accepts a connection cannot be made on loopback)."""

    def __init__(self, proxy: str, target: httpx.URL, read_headers) -> None:
        self.wait = ProxyWait(shown(proxy))
        self.read_headers = read_headers
        self.target = f"{target.host}:{target.port or (443 if target.scheme == 'https' else 80)}"
        self.connecting = False                                   # a CONNECT is out, its answer not in
        self.refusal: tuple[int, dict[str, str]] | None = None    # a CONNECT answered non-2xx
        WAITING.set(self.wait)

    async def __call__(self, event: str, info: dict) -> None:
        request = info.get("request")
        if event == "connection.connect_tcp.started":
            self.wait.owes = "accept the connection"
        elif event == "connection.start_tls.started":
            self.wait.owes = "complete the TLS handshake"
        elif event == "http11.send_request_headers.started" and request is not None \
                and request.method == b"CONNECT":
            self.wait.owes, self.connecting = f"answer CONNECT {self.target}", True
        elif event == "http11.receive_response_headers.complete" and self.connecting:
            self.connecting = False
            _, status, _, headers = info["return_value"]
            if 200 <= status < 300:
                self.wait.owes = None
            else:
                self.refusal = (status, self.read_headers(headers))
        elif event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.wait.owes = None

    def blame(self, failure: Failed) -> Failed:
        """`failure` of an exchange through the proxy, as the proxy's own
        or, past what the proxy owed, as the site's via the proxy."""
        proxy = self.wait.proxy
        if self.refusal is not None:  # httpcore's ProxyError: 'STATUS REASON'
            status, headers = self.refusal
            text = f"{proxy} refused CONNECT {self.target}: {failure}"
            made = generated(status, headers, connect=True)
            if made:
                kind, what, retry = made
                return Failed(kind, f"{text}; made by {what}", retry)
            return Failed(ErrorKind.PROXY, text, retry=status in policy.RETRY_STATUSES)
        if failure.error_kind is ErrorKind.PROXY:
            return failure
        if self.wait.owes:
            return Failed(ErrorKind.PROXY, f"{proxy} did not {self.wait.owes}: {failure}", failure.retry)
        return Failed(failure.error_kind, f"{failure}{via(proxy)}", failure.retry)


def check_forwarded(proxy: str, status: int, headers: dict[str, str]) -> None:
    """A forward proxy's answer to a plain-http request that is not the
    site's: its 407, or an error answer it says it made (``proxystatus``),
    raises ``Failed``."""
    if status == 407:
        raise Failed(ErrorKind.PROXY, f"{shown(proxy)} answered 407 Proxy Authentication Required", retry=False)
    made = generated(status, headers)
    if made:
        kind, what, retry = made
        raise Failed(kind, f"HTTP {status} made by {what}{via(shown(proxy))}", retry)
