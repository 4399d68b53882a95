"""The async httpx engine: each URL is checked once, under a global and a
per-host concurrency limit, HEAD first, redirects followed by hand (so every
hop passes the address guard and permanent moves are noticed), with retries,
a total deadline per attempt that covers a slow body, and a cap on bytes read.

CPU per request is the budget (see DESIGN.md, Performance): a HEAD goes
through the lean path in ``fasthead`` when the URL and the answer are plain;
everything else through one ``httpx.AsyncClient`` per host (a shared pool is
CPU-bound, see ``transport``), imported only when first needed. Up to
`concurrency` slot tasks take URLs from per-host queues (see "scheduling").
The command runs the engine in a forked process fed while it loads the
readings (``background``), so loading and checking use both cores.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import defaultdict, deque
from urllib.parse import urljoin, urlsplit

from . import policy
from .fasthead import ConnectionFailed, Declined, FastHead
from .guard import AddressGuard, NameNotResolved, UnsafeAddress
from .policy import (
    BLOCK_STATUSES, BLOCKED, BROKEN, ERROR, OK, PERMANENT_REDIRECTS, REDIRECTED,
    REDIRECTS, RETRY_STATUSES, SKIPPED, TIMEOUT, Settings,
)
from .results import Result


class _Answer:
    """What one attempt found."""

    __slots__ = ("outcome", "status", "final_url", "error", "retry", "delay", "suggestion")

    def __init__(self, outcome, status=None, final_url=None, error=None, retry=False,
                 delay=None, suggestion=None):
        self.outcome, self.status, self.final_url, self.error = outcome, status, final_url, error
        self.retry, self.delay, self.suggestion = retry, delay, suggestion


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


def ssl_context():
    """One verifying SSL context for every client; honours SSL_CERT_FILE/DIR."""
    import ssl

    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class Engine:
    """Checks URLs in one event loop. ``on_result`` is called as each finishes;
    with ``keep=False`` that is all (``results`` stays empty: the forked
    checker sends each result up and need not hold them all a second time)."""

    def __init__(self, settings: Settings, on_result=None, keep: bool = True) -> None:
        self.settings = settings
        self.on_result = on_result
        self.keep = keep
        self.guard = AddressGuard(settings)
        self.fast = FastHead(settings, self.guard, ssl_context)
        self._ssl = None
        self.clients: dict[tuple, object] = {}
        self.next_slot: dict[str, float] = {}
        self.results: dict[str, Result] = {}

    # -- clients ----------------------------------------------------------------
    def client(self, scheme: str, host: str, port: int | None):
        """The httpx client for a host, made (and httpx imported) on first use."""
        key = (scheme, host, port)
        client = self.clients.get(key)
        if client is None:
            from .transport import make_client

            if self._ssl is None:
                self._ssl = ssl_context()
            client = self.clients[key] = make_client(self.settings, self.guard, self._ssl, scheme, host)
        return client

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        self.fast.close()

    # -- scheduling ----------------------------------------------------------------
    # Slots, not workers per host: up to `concurrency` slot tasks, each taking
    # the next URL of any host under its own limit (hosts in turn). A slot
    # that finishes a request starts the next one at once; with a worker per
    # host behind a global semaphore, every finished request instead handed
    # its permit to another task that ran only after the whole burst of
    # answers, and the rounds drifted apart by a burst's CPU each time.
    def start(self, concurrency: int | None = None) -> None:
        """Get ready to take URLs with ``add`` (inside the running loop)."""
        from concurrent.futures import ThreadPoolExecutor

        self.concurrency = concurrency or self.settings.concurrency
        # Requests in flight at most. With no slot asleep there are no more
        # slots than permits, so it never makes a slot wait (a hand-off to a
        # waiting task would cost a loop turn after each burst of answers).
        self.gate = asyncio.Semaphore(self.concurrency)
        self.sleeping = 0
        # getaddrinfo runs in threads; the default pool (cores + 4) is too
        # small when many names are slow to resolve.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(32))
        self.queues: dict[str, deque] = {}
        self.limits: dict[str, int] = {}
        self.busy: dict[str, int] = defaultdict(int)      # URLs in hand per host
        self.ready: deque[str] = deque()                   # hosts with work and room, in turn
        self.pending = 0                                   # added, not yet emitted
        self.closed = False
        self.failure: Exception | None = None
        self.done = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    def add(self, url: str) -> None:
        """Queue one URL; a slot starts for it when fewer than `concurrency` run."""
        settings = self.settings
        self.pending += 1
        probe, kind = policy.probe_for(url, settings)
        parts = urlsplit(probe)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            self._emit(Result(url, ERROR, error="not an http(s) URL"))
            return
        rule = settings.rule(host)
        if settings.excluded(url) or (rule and rule.skip):
            self._emit(Result(url, SKIPPED, error="excluded"))
            return
        queue = self.queues.get(host)
        if queue is None:
            queue = self.queues[host] = deque()
            self.limits[host] = rule.concurrency if rule and rule.concurrency else settings.per_host
        queue.append((url, probe, kind, rule))
        if len(queue) == 1 and self.busy[host] < self.limits[host]:
            self.ready.append(host)
        self._spawn()

    def _spawn(self) -> None:
        """One more slot when there is work and room: `concurrency` slots, plus
        one for each slot asleep (pacing or backing off), so sleepers do not
        cost the other hosts their share; the gate still caps requests."""
        if self.ready and len(self.tasks) < self.concurrency + self.sleeping:
            task = asyncio.create_task(self._slot())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _sleep(self, seconds: float) -> None:
        self.sleeping += 1
        self._spawn()
        try:
            await asyncio.sleep(seconds)
        finally:
            self.sleeping -= 1

    def _take(self):
        """The next (host, item) of a host under its limit, or None."""
        ready, queues, busy, limits = self.ready, self.queues, self.busy, self.limits
        while ready:
            host = ready.popleft()
            queue = queues[host]
            if not queue or busy[host] >= limits[host]:
                continue  # stale: emptied or full since it was queued
            item = queue.popleft()
            busy[host] += 1
            if queue and busy[host] < limits[host]:
                ready.append(host)
            return host, item
        return None

    def close(self) -> None:
        """No more URLs will come; ``wait`` returns once the queued ones are done."""
        self.closed = True
        if not self.pending:
            self.done.set()

    async def wait(self) -> dict[str, Result]:
        try:
            await self.done.wait()
        finally:
            for task in list(self.tasks):
                task.cancel()
            await self.aclose()
        if self.failure is not None:
            raise self.failure
        return self.results

    async def run(self, urls, concurrency: int | None = None) -> dict[str, Result]:
        """Check a known list of URLs."""
        self.start(concurrency)
        for url in urls:
            self.add(url)
        self.close()
        return await self.wait()

    async def _slot(self) -> None:
        try:
            while (taken := self._take()) is not None:
                host, (url, probe, kind, rule) = taken
                try:
                    result = await self.check(url, probe, kind, rule, host)
                finally:
                    busy = self.busy[host] = self.busy[host] - 1
                    if busy == self.limits[host] - 1 and self.queues[host]:
                        self.ready.append(host)  # room again: back in turn
                self._emit(result)
        except Exception as exc:  # a bug, not a link's failure: stop the run loudly
            self.failure = exc
            self.done.set()
            raise

    def _record(self, result: Result) -> None:
        if self.keep:
            self.results[result.url] = result
        if self.on_result:
            self.on_result(result)

    def _emit(self, result: Result) -> None:
        result.checked_at = time.time()
        self._record(result)
        self.pending -= 1
        if self.closed and not self.pending:
            self.done.set()

    async def _pace(self, host: str, rule) -> None:
        interval = rule.interval if rule and rule.interval else self.settings.interval
        if not interval:
            return
        now = time.monotonic()
        slot = max(now, self.next_slot.get(host, 0.0))
        self.next_slot[host] = slot + interval
        if slot > now:
            await self._sleep(slot - now)

    # -- one URL ----------------------------------------------------------------------
    async def check(self, url, probe, kind, rule, host) -> Result:
        settings = self.settings
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            await self._pace(host, rule)
            async with self.gate:
                try:
                    async with asyncio.timeout(settings.timeout):
                        answer = await self.attempt(url, probe, kind, rule)
                except TimeoutError:
                    answer = _Answer(TIMEOUT, error=f"no complete answer within {settings.timeout:g}s",
                                     retry=True)
            if not answer.retry or attempts > settings.retries:
                break
            delay = answer.delay
            if delay is None:
                delay = settings.backoff * (2 ** (attempts - 1)) * random.uniform(0.8, 1.2)
            await self._sleep(delay)
        if answer.outcome == BROKEN and answer.status == 429:
            answer.outcome = BLOCKED
        return Result(
            url, answer.outcome, status=answer.status, final_url=answer.final_url,
            error=answer.error, attempts=attempts,
            elapsed_ms=round((time.monotonic() - started) * 1000),
            suggestion=answer.suggestion,
        )

    async def attempt(self, url, probe, kind, rule) -> _Answer:
        method = rule.method if rule else "HEAD"
        try:
            answer = await self.fetch(url, probe, kind, rule, method)
            if method == "HEAD" and answer.status is not None and answer.status >= 400 \
                    and answer.status not in RETRY_STATUSES:
                # HEAD refused or unreliable (405, 403, 404, 501, ...): ask with GET.
                # Overload answers (429, 503, ...) are retried instead.
                answer = await self.fetch(url, probe, kind, rule, "GET")
            return answer
        except UnsafeAddress as exc:
            return _Answer(SKIPPED, error=f"{exc} (use --allow-private to check it)")

    async def fetch(self, url, probe, kind, rule, method) -> _Answer:
        settings = self.settings
        current = probe
        seen = {current}
        suggestion = None
        permanent_so_far = kind is None
        headers = None
        for hop in range(settings.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return _Answer(ERROR, final_url=current, error=f"redirect to a non-http(s) URL {current}")
            try:
                got = None
                if method == "HEAD":
                    try:
                        got = await self.fast.head(parts)
                    except Declined:
                        got = None  # httpx asks again and names the failure
                if got is None:
                    got = await self._via_httpx(method, current, parts)
            except UnsafeAddress as exc:
                if hop == 0:
                    raise
                return _Answer(ERROR, final_url=current,
                               error=f"redirect into a {exc.reason} address refused: {exc}")
            except Exception as exc:  # noqa: BLE001 - every failure becomes an outcome
                # Failed before any answer: the cited URL is where it failed,
                # not the canonical probe standing in for it (an oEmbed URL in
                # the report only puzzles; the error names the host asked).
                return self._failure(exc, url if hop == 0 else current)
            status, headers, head = got
            location = headers.get("location")
            if status in REDIRECTS and location:
                nxt = urljoin(current, location.strip())
                if status in PERMANENT_REDIRECTS and permanent_so_far:
                    suggestion = nxt
                else:
                    permanent_so_far = False
                if nxt in seen:
                    return _Answer(ERROR, status=status, final_url=nxt, error="redirect loop")
                seen.add(nxt)
                current = nxt
                continue
            return self._judge(url, probe, kind, rule, status, current, suggestion, headers, head)
        return _Answer(ERROR, final_url=current,
                       error=f"too many redirects (more than {settings.max_redirects})")

    async def _via_httpx(self, method, current, parts) -> tuple[int, dict, bytes]:
        """(status, headers, first bytes of the body) through httpx; a GET body
        is read only up to the cap, and not at all for a redirect."""
        client = self.client(parts.scheme, parts.hostname.lower(), parts.port)
        response = await client.send(client.build_request(method, current), stream=method == "GET")
        try:
            status = response.status_code
            headers = response.headers
            head = b""
            if method == "GET" and not (status in REDIRECTS and headers.get("location")):
                chunks, size, cap = [], 0, self.settings.body_cap
                async for chunk in response.aiter_raw():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= cap:
                        break
                head = b"".join(chunks)[:cap]
                if headers.get("content-encoding"):
                    head = b""  # compressed; a soft 404 needs a plain body
        finally:
            await response.aclose()
        return status, headers, head

    def _judge(self, url, probe, kind, rule, status, final, suggestion, headers, head) -> _Answer:
        if kind:
            judged = policy.judge_probe(kind, status)
            if judged:
                return _Answer(judged[0], status=status, final_url=final, error=judged[1])
        accept = rule.accept if rule else frozenset()
        if 200 <= status < 300 or status in accept:
            if final != probe and policy.is_wall(final):
                return _Answer(BLOCKED, status=status, final_url=final, error="login wall")
            if policy.soft_404_url(probe, final) or (head and policy.soft_404_body(head)):
                return _Answer(BROKEN, status=status, final_url=final, error="soft 404: a not-found page")
            if suggestion and kind is None:
                fragment = urlsplit(url).fragment
                if fragment and "#" not in suggestion:
                    suggestion = f"{suggestion}#{fragment}"
                if suggestion != url:
                    return _Answer(REDIRECTED, status=status, final_url=final, suggestion=suggestion)
            return _Answer(OK, status=status, final_url=final)
        delay = None
        if status in (429, 503):
            delay = retry_after(headers.get("retry-after"), self.settings.retry_after_cap)
        if status in (404, 410):
            return _Answer(BROKEN, status=status, final_url=final, error=f"HTTP {status}")
        if status in BLOCK_STATUSES:
            return _Answer(BLOCKED, status=status, final_url=final, error=f"HTTP {status}: refuses automated clients",
                           retry=status == 429, delay=delay)
        if status == 503 and (headers.get("cf-mitigated") or "cloudflare" in headers.get("server", "").lower()):
            return _Answer(BLOCKED, status=status, final_url=final, error="HTTP 503: bot challenge")
        if status >= 400:
            return _Answer(BROKEN, status=status, final_url=final, error=f"HTTP {status}",
                           retry=status in RETRY_STATUSES, delay=delay)
        return _Answer(ERROR, status=status, final_url=final, error=f"unexpected HTTP {status}")

    def _failure(self, exc: Exception, url: str) -> _Answer:
        text = str(exc) or type(exc).__name__
        if isinstance(exc, NameNotResolved):
            return _Answer(ERROR, final_url=url, error=text)
        if isinstance(exc, ConnectionFailed):  # from the lean client, worded as below
            if exc.kind == "tls":
                return _Answer(ERROR, final_url=url, error=f"TLS: {text}")
            if exc.kind == "reset":
                return _Answer(ERROR, final_url=url, error=f"connection reset: {text}", retry=True)
            return _Answer(ERROR, final_url=url, error=f"connection failed: {text}", retry=True)
        import httpx  # failures other than DNS come from httpx, already imported

        if isinstance(exc, httpx.TimeoutException):
            return _Answer(TIMEOUT, final_url=url, error=f"timeout: {text}", retry=True)
        if isinstance(exc, httpx.ConnectError):
            if "SSL" in text or "certificate" in text.lower():
                return _Answer(ERROR, final_url=url, error=f"TLS: {text}")
            return _Answer(ERROR, final_url=url, error=f"connection failed: {text}", retry=True)
        if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
            return _Answer(ERROR, final_url=url, error=f"connection reset: {text}", retry=True)
        if isinstance(exc, httpx.RemoteProtocolError):
            retry = "disconnected" in text or "reset" in text.lower()
            return _Answer(ERROR, final_url=url, error=f"protocol: {text}", retry=retry)
        if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError)):
            return _Answer(ERROR, final_url=url, error=f"bad URL: {text}")
        return _Answer(ERROR, final_url=url, error=f"{type(exc).__name__}: {text}")


# -- a known list of URLs ------------------------------------------------------------
def check_urls(urls, settings: Settings, on_result=None) -> dict[str, Result]:
    """Check each URL once; returns {url: Result}. The command streams URLs to
    an engine while it loads instead (see background.py); this is the plain way."""
    return asyncio.run(Engine(settings, on_result).run(list(dict.fromkeys(urls))))
