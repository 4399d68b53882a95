"""The async engine: each URL is checked once, under a global limit and a
pace per host learned during the run (``pace``), HEAD first, redirects
followed by hand (so every hop passes the address guard and permanent moves
are noticed), with retries, a total deadline per attempt that covers a slow
body, and a cap on bytes read.

A request goes through the transports in turn (see ``transport``): the lean
HEAD client (``fasthead``) for a plain HEAD, else the full client on httpx
(``fullclient``), imported the first time a request needs it.

Scheduling: up to `concurrency` slot tasks take URLs from per-host queues
(hosts in turn), each host under its current pace. A URL to retry goes back
to its host's queue after its delay instead of holding a slot or a host's
place, so a host cut to one request in flight really has one.

Soft 404s (``judge``): an origin's probe of a path that cannot exist is a
job of its host's queue like any URL (first in line), so it keeps the
host's limit, pace and holds: one HEAD per origin and run (or GET, as the
host's pages are asked), and a GET after it only when it answered 2xx or
refused HEAD, to read the page. It is retried only when refused (429/503,
whose holds are kept), never after a failure (a timeout, an error, a 5xx):
its pages are judged without it. A page waits for it only once its own
request is done, holding no slot, and a page a catch-all host must be read
for goes back to the queue for its GET.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import random
import secrets
import ssl
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import certifi

from . import judge, policy
from .fasthead import FastHead
from .guard import AddressGuard, NameNotResolved, UnsafeAddress
from .pace import NOTHING_SAID, Announced, HostPace, announced
from .results import ErrorKind, LinkResult, Outcome
from .settings import LinkSettings
from .transport import Declined, Failed, Proxies, Reply, Transport, deadline_passed, via

GITHUB_CONCURRENCY, GITHUB_INTERVAL = 2, 0.5  # github.com pages without the API


@dataclass(slots=True)
class _Answer:
    """What one attempt found."""

    outcome: Outcome
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    retry: bool = False
    delay: float | None = None
    suggestion: str | None = None
    refused: bool = False  # a 429/503: the host asks to slow down
    said: Announced = NOTHING_SAID  # what the answer's headers say of the host's limit
    body: bytes = b""  # the first bytes of a GET's body (up to the cap)


def _rate_limited(status: int, final: str, delay: float | None) -> _Answer:
    """A refusal to go slower (429, 503, GitHub's spent quota): retried after
    `delay`, or the pace's own wait when the host announced none."""
    return _Answer(
        Outcome.BROKEN,
        status=status,
        final_url=final,
        error=f"HTTP {status}",
        error_kind=ErrorKind.RATE_LIMITED,
        retry=True,
        delay=delay,
        refused=True,
    )


@dataclass(slots=True)
class _Job:
    """One URL on its way: its probe and the attempts made so far."""

    url: str
    probe: str
    service: policy.Service | None  # a canonical probe's service, else None
    host: str
    started: float = 0.0
    attempts: int = 0
    answer: _Answer | None = None
    deadline: asyncio.Timeout | None = None  # the current attempt's (see ``_send``)
    probing: asyncio.Future[_Answer] | None = None  # an origin's probe: its answer goes here, not to a result
    reread: bool = False  # asked again with GET: its body is compared with a catch-all host's probe


def ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client; honours SSL_CERT_FILE/DIR."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


# How each kind of failure reads in a report, before the client's own words.
LABELS = {
    ErrorKind.TLS: "TLS: ",
    ErrorKind.RESET: "connection reset: ",
    ErrorKind.CONNECT: "connection failed: ",
    ErrorKind.PROXY: "proxy: ",
    ErrorKind.TIMEOUT: "timeout: ",
    ErrorKind.PROTOCOL: "protocol: ",
    ErrorKind.BAD_URL: "bad URL: ",
}


class Engine:
    """Checks URLs in one event loop; ``on_result`` is called as each finishes.
    An exception no client knows (a bug) ends the run: ``wait`` raises it."""

    def __init__(self, settings: LinkSettings, on_result: Callable[[LinkResult], None] | None = None) -> None:
        self.settings = settings
        self.on_result = on_result
        self.guard = AddressGuard(settings)
        self.proxies = Proxies()
        self.lean = FastHead(settings, self.guard, ssl_context, self.proxies)
        self.full: Transport | None = None  # made by ``full_client`` on first need
        self.full_loading: asyncio.Future[ModuleType] | None = None
        self.paces: dict[str, HostPace] = {}
        self.results: dict[str, LinkResult] = {}
        self.probes: dict[str, asyncio.Future[_Answer]] = {}  # origin -> its answer to a path that cannot exist
        self.signals: dict[str, list[judge.Signal]] = {}  # URL -> soft-404 signals seen, for ``judge.collapse``

    async def aclose(self) -> None:
        await self.lean.aclose()
        if self.full is not None:
            await self.full.aclose()

    async def full_client(self) -> Transport:
        """The full client, made the first time a request needs it.

        Importing httpx, httpcore and h2 (with rich, which httpx pulls in)
        takes about 0.2 s, before the first request could leave, and a run
        whose links all answer a plain HEAD never needs them (measured in
        benchmarks/RESULTS.md). The import runs on a worker thread, so the
        loop keeps serving the requests in flight; requests that need the
        client meanwhile wait for the same import."""
        if self.full_loading is None:
            self.full_loading = asyncio.ensure_future(
                asyncio.to_thread(importlib.import_module, f"{__package__}.fullclient")
            )
        # shielded: a request's timeout must not cancel the others' wait
        module = await asyncio.shield(self.full_loading)
        if self.full is None:
            self.full = module.FullClient(self.settings, self.guard, ssl_context, self.proxies)
        return self.full

    # -- scheduling ----------------------------------------------------------------
    def start(self, concurrency: int | None = None) -> None:
        """Get ready to take URLs with ``add`` (inside the running loop)."""
        self.loop = asyncio.get_running_loop()
        self.concurrency = concurrency or self.settings.concurrency
        self.gate = asyncio.Semaphore(self.concurrency)  # requests in flight at most
        self.sleeping = 0
        # getaddrinfo runs in threads; the default pool (cores + 4) is too
        # small when many names are slow to resolve.
        self.loop.set_default_executor(ThreadPoolExecutor(32))
        self.queues: dict[str, deque[_Job]] = {}
        self.busy: dict[str, int] = defaultdict(int)  # jobs in hand per host
        self.ready: deque[str] = deque()  # hosts with work and room, in turn
        self.in_turn: set[str] = set()  # the hosts in `ready`
        self.pending = 0  # added, not yet emitted
        self.closed = False
        self.failure: Exception | None = None
        self.done = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.judging: set[asyncio.Task[None]] = set()  # pages waiting for their origin's probe

    def add(self, url: str) -> None:
        """Queue one URL; a slot starts for it when fewer than `concurrency` run."""
        settings = self.settings
        self.pending += 1
        probe, service = policy.probe_for(url, settings)
        parts = urlsplit(probe)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            self._emit(LinkResult(url, Outcome.ERROR, error="not an http(s) URL", error_kind=ErrorKind.BAD_URL))
            return
        rule = settings.rule(host)
        if settings.excluded(url) or (rule and rule.skip):
            self._emit(LinkResult(url, Outcome.SKIPPED, error="excluded", error_kind=ErrorKind.EXCLUDED))
            return
        self._host(host)
        self._queue(_Job(url, probe, service, host))

    def _host(self, host: str) -> None:
        """The pace and queue of `host`, made when it is first met."""
        if host in self.paces:
            return
        settings = self.settings
        limit, interval = settings.host_concurrency(host), settings.host_interval(host)
        if host == "github.com" and not settings.rule(host):
            # Unauthenticated, github.com answers 429 quickly: start slow.
            limit, interval = min(limit, GITHUB_CONCURRENCY), max(interval, GITHUB_INTERVAL)
        self.paces[host] = HostPace(limit, interval, settings.max_interval, settings.retry_after_cap)
        self.queues[host] = deque()

    def _queue(self, job: _Job, front: bool = False) -> None:
        if self.done.is_set():
            return  # the run is over: a probe's retry that no page waits for
        queue = self.queues[job.host]
        if front:
            queue.appendleft(job)
        else:
            queue.append(job)
        if len(queue) == 1:
            self._wake(job.host)
        else:
            self._spawn()  # a slot per URL up to `concurrency`, not one per host

    def _wake(self, host: str) -> None:
        """Put `host` in turn (once: hosts take turns fairly, so they finish
        together and the last round is full) if it has work and room."""
        if host not in self.in_turn and self.queues[host] and self.busy[host] < self.paces[host].limit:
            self.in_turn.add(host)
            self.ready.append(host)
            self._spawn()

    def _spawn(self) -> None:
        """One more slot when there is work and room: `concurrency` slots, plus
        one for each slot asleep (pacing), so sleepers do not cost the other
        hosts their share; the gate still caps requests."""
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

    def _take(self) -> _Job | None:
        """The next job of a host under its limit, or None."""
        ready, queues, busy, paces = self.ready, self.queues, self.busy, self.paces
        while ready:
            host = ready.popleft()
            queue = queues[host]
            if not queue or busy[host] >= paces[host].limit:
                self.in_turn.discard(host)
                continue  # stale: emptied or full since it was queued
            busy[host] += 1
            if len(queue) > 1 and busy[host] < paces[host].limit:
                ready.append(host)  # still in turn
            else:
                self.in_turn.discard(host)
            return queue.popleft()
        return None

    def close(self) -> None:
        """No more URLs will come; ``wait`` returns once the queued ones are done."""
        self.closed = True
        if not self.pending:
            self.done.set()

    async def wait(self) -> dict[str, LinkResult]:
        try:
            await self.done.wait()
        finally:
            pending: list[asyncio.Future[Any]] = [*self.tasks, *self.judging, *self.probes.values()]
            for task in pending:
                task.cancel()
            await self.aclose()
        if self.failure is not None:
            raise self.failure
        return self.results

    async def run(self, urls: Iterable[str], concurrency: int | None = None) -> dict[str, LinkResult]:
        """Check a known list of URLs."""
        self.start(concurrency)
        for url in urls:
            self.add(url)
        self.close()
        results = await self.wait()
        judge.collapse(results, self.signals)
        return results

    async def _slot(self) -> None:
        try:
            while (job := self._take()) is not None:
                try:
                    again = await self._attempt(job)
                finally:
                    self.busy[job.host] -= 1
                    self._wake(job.host)  # room again: back in turn
                if again is None:
                    self._done(job)
                else:  # a refused URL waits its turn behind the others; a failed one, or a probe, goes first
                    refused = job.answer is not None and job.answer.refused
                    self.loop.call_later(again, self._queue, job, not refused or job.probing is not None)
        except Exception as exc:  # a bug, not a link's failure: stop the run loudly
            self.failure = exc
            self.done.set()
            raise

    def _done(self, job: _Job) -> None:
        """A job's last attempt is in: a probe's answer goes to the pages
        waiting for it; a page with a 2xx is judged (``_judge_soft``) in a
        task of its own, holding no slot while it waits for the probe."""
        answer = job.answer
        assert answer is not None
        if job.probing is not None:
            status = answer.status or 0
            # A host that answers any path (2xx), or that refuses HEAD as a
            # page's check would find: its page is read, in a request of its own.
            refused = status >= 400 and status not in policy.GONE_STATUSES | policy.RETRY_STATUSES
            if not job.reread and not answer.body and (200 <= status < 300 or refused):
                job.reread = True
                self._queue(job, front=True)
            else:
                job.probing.set_result(answer)
        elif (
            job.service is None
            and answer.outcome in (Outcome.OK, Outcome.REDIRECTED)
            and urlsplit(job.url).path not in ("", "/")
        ):
            task = asyncio.create_task(self._judge_soft(job))
            self.judging.add(task)
            task.add_done_callback(self.judging.discard)
        else:
            self._emit(self._result(job))

    def _emit(self, result: LinkResult) -> None:
        result.checked_at = time.time()
        self.results[result.url] = result
        if self.on_result:
            self.on_result(result)
        self.pending -= 1
        if self.closed and not self.pending:
            self.done.set()

    # -- one attempt ---------------------------------------------------------------
    async def _attempt(self, job: _Job) -> float | None:
        """One attempt at `job`; the delay before the next one, or None when done."""
        settings, pace = self.settings, self.paces[job.host]
        while (wait := pace.delay(time.monotonic())) > 0:  # the host's pace, and any hold
            await self._sleep(wait)
        job.attempts += 1
        ticket = pace.send(time.monotonic(), counted=job.probing is None)
        if job.attempts == 1:
            job.started = ticket.at  # time in the host's queue is not the URL's
        async with self.gate:
            try:
                async with asyncio.timeout(settings.timeout) as deadline:
                    job.deadline = deadline
                    answer = await self.ask(job)
            except TimeoutError:
                answer = self._failure(deadline_passed(settings.timeout), job.url)
        job.answer = answer
        if answer.refused:
            pace.refused(ticket, time.monotonic(), answer.said)
        elif answer.status is not None:
            pace.served(ticket, time.monotonic(), answer.said)
        else:
            pace.failed(ticket)
        if not answer.retry:
            return None
        if answer.refused:
            # The host's pace is the wait, and backs off between refusals:
            # twice the retries let it find the host's rate.
            return 0.0 if job.attempts <= 2 * settings.retries else None
        if job.probing is not None:
            # A probe that failed is not retried: the pages waiting for it
            # are judged without it ("could not probe").
            return None
        if job.attempts > settings.retries:
            return None
        return settings.backoff * (2.0 ** (job.attempts - 1)) * random.uniform(0.8, 1.2)

    def _result(self, job: _Job) -> LinkResult:
        answer = job.answer
        assert answer is not None
        if answer.refused and (answer.status != 503 or answer.delay is not None):
            # Still refused after its budget: the host's limit, not the link.
            # (A 503 without Retry-After is a server that is down: broken.)
            answer.outcome, answer.error_kind = Outcome.BLOCKED, ErrorKind.RATE_LIMITED
            answer.error = f"rate-limited by {job.host} (HTTP {answer.status})"
        elif answer.refused:
            answer.error_kind = ErrorKind.HTTP
        return LinkResult(
            job.url,
            answer.outcome,
            status=answer.status,
            final_url=answer.final_url,
            error=answer.error,
            error_kind=answer.error_kind,
            attempts=job.attempts,
            elapsed_ms=round((time.monotonic() - job.started) * 1000),
            suggestion=answer.suggestion,
        )

    async def ask(self, job: _Job) -> _Answer:
        rule = self.settings.rule(job.host)
        method = "GET" if job.reread else rule.method if rule else "HEAD"
        try:
            if job.service is None and job.probing is None:
                self._probe(job.probe)  # queued now, first in its host's line: in by the time the page is
            answer = await self.fetch(job, method)
            if (
                job.probing is None
                and method == "HEAD"
                and answer.status is not None
                and answer.status >= 400
                and answer.status not in policy.RETRY_STATUSES
            ):
                # HEAD refused or unreliable (405, 403, 404, 501, ...): ask with GET.
                # Overload answers (429, 503, ...) are retried instead.
                answer = await self.fetch(job, "GET")
            return answer
        except UnsafeAddress as exc:
            return _Answer(
                Outcome.SKIPPED, error=f"{exc} (use --allow-private to check it)", error_kind=ErrorKind.UNSAFE_ADDRESS
            )

    # -- soft 404s (see ``judge``) -------------------------------------------------
    def _probe(self, url: str) -> asyncio.Future[_Answer]:
        """The answer of `url`'s origin to a path that cannot exist: one job
        per origin per run (shared by every URL of the origin), put first
        in its host's queue, so it waits for the host's limit, pace and
        holds like any request. Asked as the host's pages are (HEAD, which
        most hosts answer with a real 404, unless a host rule says GET);
        a 2xx without a body is asked again with GET (see ``_done``)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self.probes.get(origin)
        if known is None:
            target = f"{origin}/readlist-no-such-page-{secrets.token_hex(8)}"
            host = (parts.hostname or "").lower()
            known = self.probes[origin] = self.loop.create_future()
            self._host(host)
            self._queue(_Job(target, target, None, host, probing=known), front=True)
        return known

    async def _judge_soft(self, job: _Job) -> None:
        """Emit `job` (a 2xx), or a `broken` soft 404 when signals agree,
        once its origin's probe is in; a page a catch-all host must be read
        for, that HEAD did not read, goes back first in line for a GET."""
        try:
            answer = job.answer
            assert answer is not None
            final = answer.final_url or job.probe
            signals = [found] if (found := judge.redirect_signal(job.url, final)) else []
            probe = await asyncio.shield(self._probe(final))
            catch_all = probe.status is not None and 200 <= probe.status < 300
            if catch_all and probe.final_url == final != job.probe:
                signals.append(judge.LANDS_AS_PROBE)
            elif catch_all and not answer.body and not job.reread:
                job.reread = True  # a host that answers any path: the page must be read
                self._queue(job, front=True)
                return
            if answer.body:
                page = judge.Page.read(answer.body)
                signals += judge.page_signals(page)
                if catch_all and probe.body and judge.alike(page, judge.Page.read(probe.body)):
                    if page.opaque:
                        answer.error = judge.UNVERIFIED
                    else:
                        signals.append(judge.SAME_AS_PROBE)
            self.signals[job.url] = signals
            result = self._result(job)
            if judge.decided(signals):
                judge.soft_404(result, signals)
            self._emit(result)
        except Exception as exc:  # a bug, not a link's failure: stop the run loudly
            self.failure = exc
            self.done.set()
            raise

    def _extra_headers(self, parts: SplitResult) -> dict[str, str] | None:
        """The GitHub token, for the GitHub API's own host only (never sent
        on to wherever a redirect points)."""
        token = self.settings.github_token
        if token and parts.netloc == urlsplit(self.settings.github_api).netloc:
            return {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        return None

    async def _send(self, job: _Job, method: str, url: str, parts: SplitResult) -> Reply:
        headers = self._extra_headers(parts)
        try:
            return await self.lean.request(method, url, parts, headers)
        except Declined:
            pass  # the full client asks, and names any failure
        full = self.full
        if full is None:
            # Importing the full client is our own start-up, not the site's
            # or the proxy's slowness: the attempt's deadline is off while
            # it waits for the import, then moved on by the time waited.
            deadline = job.deadline
            when = deadline.when() if deadline is not None else None
            if deadline is not None:
                deadline.reschedule(None)
            began = self.loop.time()
            full = await self.full_client()
            if deadline is not None and when is not None:
                deadline.reschedule(when + self.loop.time() - began)
        return await full.request(method, url, parts, headers)

    async def fetch(self, job: _Job, method: str) -> _Answer:
        settings = self.settings
        current = job.probe
        seen = {current}
        suggestion = None
        permanent_so_far = job.service is None
        for hop in range(settings.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return _Answer(
                    Outcome.ERROR,
                    final_url=current,
                    error=f"redirect to a non-http(s) URL {current}",
                    error_kind=ErrorKind.BAD_URL,
                )
            try:
                reply = await self._send(job, method, current, parts)
            except UnsafeAddress as exc:
                if hop == 0:
                    raise
                return _Answer(
                    Outcome.ERROR,
                    final_url=current,
                    error_kind=ErrorKind.UNSAFE_ADDRESS,
                    error=f"redirect into a {exc.reason} address refused: {exc}",
                )
            except (Failed, NameNotResolved) as exc:
                # Failed before any answer: the cited URL is where it failed,
                # not the canonical probe standing in for it.
                return self._failure(exc, job.url if hop == 0 else current)
            location = reply.headers.get("location")
            if reply.status in policy.REDIRECTS and location:
                nxt = urljoin(current, location.strip())
                if reply.status in policy.PERMANENT_REDIRECTS and permanent_so_far:
                    suggestion = nxt
                else:
                    permanent_so_far = False
                if nxt in seen:
                    return _Answer(
                        Outcome.ERROR,
                        status=reply.status,
                        final_url=nxt,
                        error="redirect loop",
                        error_kind=ErrorKind.REDIRECT_LOOP,
                    )
                seen.add(nxt)
                current = nxt
                continue
            said = announced(reply.headers, settings.retry_after_cap)
            answer = self._judge(job, reply, current, suggestion, said)
            answer.said = said
            if reply.via and answer.error:  # through a proxy: whose answer it was cannot always be told
                answer.error = f"{answer.error}{via(reply.via)}"
            return answer
        return _Answer(
            Outcome.ERROR,
            final_url=current,
            error_kind=ErrorKind.TOO_MANY_REDIRECTS,
            error=f"too many redirects (more than {settings.max_redirects})",
        )

    def _judge(self, job: _Job, reply: Reply, final: str, suggestion: str | None, said: Announced) -> _Answer:
        status, headers, probe = reply.status, reply.headers, job.probe
        if job.service:
            judged = policy.judge_probe(job.service, status)
            if judged:
                error_kind = ErrorKind.HTTP if judged[0] is Outcome.BROKEN else None
                return _Answer(judged[0], status=status, final_url=final, error=judged[1], error_kind=error_kind)
        if (
            job.service is policy.Service.GITHUB
            and status in (403, 429)
            and headers.get("x-ratelimit-remaining") == "0"
        ):
            return _rate_limited(status, final, said.reset)
        rule = self.settings.rule(job.host)
        accept = rule.accept if rule else frozenset()
        if 200 <= status < 300 or status in accept:
            if final != probe and policy.is_wall(final):
                return _Answer(
                    Outcome.BLOCKED, status=status, final_url=final, error="login wall", error_kind=ErrorKind.REFUSED
                )
            if reply.head and policy.video_gone(reply.head):
                return _Answer(
                    Outcome.BROKEN,
                    status=status,
                    final_url=final,
                    error="video unavailable",
                    error_kind=ErrorKind.SOFT_404,
                )
            if suggestion and job.service is None:
                fragment = urlsplit(job.url).fragment
                if fragment and "#" not in suggestion:
                    suggestion = f"{suggestion}#{fragment}"
                if suggestion != job.url:
                    return _Answer(
                        Outcome.REDIRECTED, status=status, final_url=final, suggestion=suggestion, body=reply.head
                    )
            return _Answer(Outcome.OK, status=status, final_url=final, body=reply.head)
        if status in policy.REFUSAL_STATUSES and not (
            status == 503 and (headers.get("cf-mitigated") or "cloudflare" in headers.get("server", "").lower())
        ):
            return _rate_limited(status, final, said.retry_after)
        if status in policy.GONE_STATUSES:
            return _Answer(
                Outcome.BROKEN, status=status, final_url=final, error=f"HTTP {status}", error_kind=ErrorKind.HTTP
            )
        if status in policy.BLOCK_STATUSES:
            return _Answer(
                Outcome.BLOCKED,
                status=status,
                final_url=final,
                error_kind=ErrorKind.REFUSED,
                error=f"HTTP {status}: refuses automated clients",
            )
        if status == 503:
            return _Answer(
                Outcome.BLOCKED,
                status=status,
                final_url=final,
                error="HTTP 503: bot challenge",
                error_kind=ErrorKind.REFUSED,
            )
        if status >= 400:
            return _Answer(
                Outcome.BROKEN,
                status=status,
                final_url=final,
                error=f"HTTP {status}",
                error_kind=ErrorKind.HTTP,
                retry=status in policy.RETRY_STATUSES,
            )
        return _Answer(
            Outcome.ERROR,
            status=status,
            final_url=final,
            error=f"unexpected HTTP {status}",
            error_kind=ErrorKind.PROTOCOL,
        )

    def _failure(self, exc: Failed | NameNotResolved, url: str) -> _Answer:
        """An attempt that failed before any answer (anything else a client
        raises is a bug and ends the run)."""
        text = str(exc) or type(exc).__name__
        if isinstance(exc, NameNotResolved):
            error_kind, label, retry = ErrorKind.DNS, "", False
        else:
            error_kind, label, retry = exc.error_kind, LABELS.get(exc.error_kind, ""), exc.retry
        outcome = Outcome.TIMEOUT if error_kind is ErrorKind.TIMEOUT else Outcome.ERROR
        return _Answer(outcome, final_url=url, error=f"{label}{text}", error_kind=error_kind, retry=retry)
