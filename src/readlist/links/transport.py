"""How a request reaches a server: one interface, two clients.

``Transport.request(method, url, parts)`` returns a ``Reply`` or raises
``Declined`` (the only way to pass: the next transport asks instead) or a
failure. The engine asks the lean HEAD client (``fasthead.FastHead``) first
for a plain HEAD, then ``fullclient.FullClient`` (httpcore), which it makes
on first need: a run whose every URL answers a plain HEAD never imports
httpx or httpcore.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Protocol


class Declined(Exception):
    """This transport does not take the request; the next one does."""


@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]        # lower-case names; repeated headers joined with ", "
    head: bytes = b""              # the first bytes of a GET body (up to the cap)


class Transport(Protocol):
    async def request(self, method: str, url: str, parts, headers: dict | None = None) -> Reply: ...

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
