"""Archived copies of failing links: the closest snapshot the Wayback
Machine's availability API knows (``GET {api}?url=URL``, answered with
``{"archived_snapshots": {"closest": {"available": true, "url": ...}}}``).

Asked only for broken links, a few at a time, after the check; the base URL
is a setting, so tests point it at a local stand-in. A failed look-up is
only a missing suggestion, never an error of the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpx

from ..useragent import USER_AGENT

CONCURRENCY = 4


async def _closest(client: httpx.AsyncClient, api: str, url: str) -> str | None:
    try:
        response = await client.get(api, params={"url": url})
        if response.status_code != 200:
            return None
        closest = (response.json().get("archived_snapshots") or {}).get("closest") or {}
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    snapshot = closest.get("url") if closest.get("available") else None
    return snapshot if isinstance(snapshot, str) and snapshot.startswith(("http://", "https://")) else None


async def _all(urls: list[str], api: str, timeout: float) -> dict[str, str]:
    gate = asyncio.Semaphore(CONCURRENCY)
    try:  # httpx reads HTTP(S)_PROXY/NO_PROXY itself
        client = httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True)
    except (ImportError, ValueError, httpx.InvalidURL):
        return {}  # a proxy it cannot use (socks without socksio, a bad URL): each link's error says so
    async with client:

        async def one(url: str) -> tuple[str, str | None]:
            async with gate:
                return url, await _closest(client, api, url)

        found = await asyncio.gather(*(one(url) for url in urls))
    return {url: snapshot for url, snapshot in found if snapshot}


def snapshots(urls: Iterable[str], api: str, timeout: float) -> dict[str, str]:
    """{url: snapshot URL} for the URLs the archive has a copy of."""
    distinct = list(dict.fromkeys(urls))
    return asyncio.run(_all(distinct, api, timeout)) if distinct else {}
