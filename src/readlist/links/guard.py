"""The address guard shared by both HTTP paths (the lean HEAD path and httpx):
resolve a name once, refuse private, loopback, link-local and metadata
addresses unless allowed, and hand back the very addresses that were checked,
so the connection goes where the check looked (no second DNS answer)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from . import policy
from .policy import IPAddress
from .settings import LinkSettings


class UnsafeAddress(Exception):
    """A connection would reach a private, loopback, link-local or metadata address."""

    def __init__(self, host: str, address: IPAddress, reason: str) -> None:
        super().__init__(f"{host} resolves to {reason} address {address}")
        self.reason = reason


class NameNotResolved(Exception):
    pass


Lookup = list[IPAddress] | NameNotResolved  # what a name resolved to


class AddressGuard:
    """Per-run cache of name -> checked addresses (a run is minutes long, so
    caching a DNS answer for its length is what a browser would do too)."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        # addresses, a NameNotResolved, or a Future of either
        self.resolved: dict[str, Lookup | asyncio.Future[Lookup]] = {}
        self.verdicts: dict[str, list[IPAddress] | tuple[IPAddress, str]] = {}  # addresses, or (address, reason)

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses of `host`, looked up once per run: concurrent
        requests for one name share one lookup (a task of its own, so a
        request that times out does not cancel it for the others), and a name
        that does not resolve is not asked again. Without a network each
        lookup can wait out the resolver's timeout; a lookup per URL made
        that a long run."""
        known = self.resolved.get(host)
        if known is None:
            try:
                known = self.resolved[host] = [ipaddress.ip_address(host.strip("[]"))]
            except ValueError:
                known = self.resolved[host] = asyncio.ensure_future(self._lookup(host, port))
        if isinstance(known, asyncio.Future):
            known = await asyncio.shield(known)
        if isinstance(known, NameNotResolved):
            raise NameNotResolved(str(known))
        assert isinstance(known, list)
        return known

    async def _lookup(self, host: str, port: int) -> Lookup:
        loop = asyncio.get_running_loop()
        answer: Lookup
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            answer = NameNotResolved(f"DNS: cannot resolve {host} ({exc.strerror})")
        except BaseException:
            del self.resolved[host]  # the next asker tries anew
            raise
        else:
            found: list[IPAddress] = []
            for info in infos:
                address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
                if address not in found:
                    found.append(address)
            answer = found
        self.resolved[host] = answer
        return answer

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses to connect to; raises UnsafeAddress when any is refused."""
        verdict = self.verdicts.get(host)
        if verdict is None:
            verdict = found = await self.resolve(host, port)
            for address in found:
                reason = policy.unsafe_address(address)
                if reason and not self.settings.private_allowed(address):
                    verdict = (address, reason)
                    break
            self.verdicts[host] = verdict
        if isinstance(verdict, tuple):
            raise UnsafeAddress(host, *verdict)
        return verdict
