"""How a request reaches a server: one interface, two clients.

``Transport.request(method, url, parts)`` returns a ``Reply``, or raises
``Declined`` (the only way to pass: the next transport asks instead) or
``Failed`` (the attempt failed before any answer, with a typed error kind).
The engine asks the lean HEAD client (``fasthead.FastHead``) first, then the
full client (``fullclient.FullClient``, httpx). Only the interface lives
here, so that a run whose requests the lean client all takes never imports
httpx and httpcore (see ``Engine.full_client``).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import SplitResult, urlsplit

from .results import ErrorKind


class Declined(Exception):
    """This transport does not take the request; the next one does."""


class Failed(Exception):
    """The attempt failed before any answer: refused, unreachable, TLS, reset,
    proxy, protocol, bad URL... ``retry`` says whether another attempt may
    fare better (a TLS or URL problem will not)."""

    def __init__(self, error_kind: ErrorKind, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.error_kind = error_kind
        self.retry = retry


@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    head: bytes = b""  # the first bytes of a GET body (up to the cap)
    via: str | None = None  # the proxy that carried it (as ``fullclient.shown`` names it)


def via(proxy: str) -> str:
    """The one way a report says an answer or failure came through a proxy:
    at the end of its text."""
    return f" via proxy {proxy}"


def deadline_passed(timeout: float) -> Failed:
    """The attempt's deadline passed (through a proxy too: a stall there
    cannot be told from a slow site)."""
    return Failed(ErrorKind.TIMEOUT, f"no complete answer within {timeout:g}s")


class Transport(Protocol):
    async def request(
        self, method: str, url: str, parts: SplitResult, headers: dict[str, str] | None = None
    ) -> Reply: ...

    async def aclose(self) -> None: ...


class Proxies:
    """The proxies the environment sets (``HTTP_PROXY``/``HTTPS_PROXY``/
    ``ALL_PROXY``, minus ``NO_PROXY``), read once per run: reading them
    walks the whole environment, a cost per request otherwise."""

    def __init__(self) -> None:
        self.table = urllib.request.getproxies()
        self.known: dict[tuple[str, str], str | None] = {}

    def __call__(self, scheme: str, host: str) -> str | None:
        """The proxy URL for a request to `host`, or None."""
        if not self.table:
            return None
        key = (scheme, host)
        if key not in self.known:
            proxy = self.table.get(scheme) or self.table.get("all")
            if proxy and urllib.request.proxy_bypass(host):
                proxy = None
            self.known[key] = proxy if not proxy or "://" in proxy else f"http://{proxy}"
        return self.known[key]


def _variable(environ: Mapping[str, str], scheme: str) -> str | None:
    """The variable urllib takes `scheme`'s proxy from (the lower-case one
    first, as curl does), or None."""
    lower = f"{scheme}_proxy"
    names = [name for name in environ if name.lower() == lower and environ[name]]
    return lower if lower in names else (names[0] if names else None)


def proxy_setting_problem(environ: Mapping[str, str]) -> str | None:
    """What is wrong with the proxy variables check-links would use, naming
    the variable and never its value (it may hold a password); None when
    they are usable. Asked once before any request: a proxy URL that cannot
    be read is a bad setting, not a failure of every link. A '/', '#' or '?'
    in a password ends the URL's host part early, so the URL must have no
    path (other than "/"), query or fragment."""
    names = {scheme: _variable(environ, scheme) for scheme in ("http", "https", "all")}
    if names["http"] and names["https"]:
        names["all"] = None  # only for a scheme without a variable of its own
    for name in filter(None, names.values()):
        value = environ[name]
        parts = urlsplit(value if "://" in value else f"http://{value}")
        if parts.scheme not in ("http", "https"):
            return f"{name}: only http:// and https:// proxies are supported, not {parts.scheme}://"
        try:
            usable = (
                bool(parts.hostname)
                and parts.port != 0
                and parts.path in ("", "/")
                and not parts.query
                and not parts.fragment
            )  # .port raises for a port that is not a number
        except ValueError:
            usable = False
        if not usable:
            return (
                f"{name}: not a usable proxy URL (expected http(s)://[user:password@]host[:port]; "
                "percent-encode '/', '#', '?' and '@' in a user name or password)"
            )
    return None
