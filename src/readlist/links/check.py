"""The async httpx engine: each URL is checked once, under a global and a
per-host concurrency limit, HEAD first, redirects followed by hand (so every
hop passes the address guard and permanent moves are noticed), with retries,
a total deadline per attempt that covers a slow body, and a cap on bytes read.

CPU per request is the budget (see DESIGN.md, Performance): one
``httpx.AsyncClient`` per host (a shared pool is CPU-bound), one SSL context
for all of them, one small worker set per host instead of a task per URL, and
large runs are split by host across processes so both cores work.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import os
import pickle
import random
import socket
import ssl
import struct
import time
from collections import defaultdict, deque
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from . import policy
from .policy import (
    BLOCK_STATUSES, BLOCKED, BROKEN, ERROR, OK, PERMANENT_REDIRECTS, REDIRECTED,
    REDIRECTS, RETRY_STATUSES, SKIPPED, TIMEOUT, Settings,
)
from .results import Result


class UnsafeAddress(Exception):
    """A connection would reach a private, loopback, link-local or metadata address."""

    def __init__(self, host: str, address, reason: str) -> None:
        super().__init__(f"{host} resolves to {reason} address {address}")
        self.reason = reason


class NameNotResolved(Exception):
    pass


class AsyncioStream(httpcore.AsyncNetworkStream):
    """A plain asyncio stream for httpcore. The anyio backend costs a large
    share of the CPU per request (``is_readable`` alone walks anyio's typed
    attributes on every pool check); this one answers from the reader's state.
    Per-operation timeouts are left to the caller's total deadline."""

    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def read(self, max_bytes: int, timeout=None) -> bytes:
        try:
            return await self.reader.read(max_bytes)
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from None

    async def write(self, buffer: bytes, timeout=None) -> None:
        if not buffer:
            return
        try:
            self.writer.write(buffer)
            await self.writer.drain()
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from None

    async def aclose(self) -> None:
        self.writer.transport.abort()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        try:
            async with asyncio.timeout(timeout):
                await self.writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self.writer.transport.abort()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            self.writer.transport.abort()
            raise httpcore.ConnectError(f"SSL: {exc}") from None
        return self

    def get_extra_info(self, info: str):
        if info == "is_readable":
            reader = self.reader
            return bool(reader._buffer) or reader._eof or self.writer.transport.is_closing()
        if info == "ssl_object":
            return self.writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self.writer.get_extra_info("sockname")
        if info == "server_addr":
            return self.writer.get_extra_info("peername")
        if info == "socket":
            return self.writer.get_extra_info("socket")
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves the name itself, refuses unsafe
    addresses and then connects to the very address it checked (no second,
    possibly different, DNS answer)."""

    def __init__(self, settings: Settings) -> None:
        from httpcore._backends.auto import AutoBackend

        self.inner = AutoBackend()
        self.settings = settings
        self.resolved: dict[str, list] = {}

    async def resolve(self, host: str, port: int) -> list:
        if host in self.resolved:
            return self.resolved[host]
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise NameNotResolved(f"DNS: cannot resolve {host} ({exc.strerror})") from None
            addresses = []
            for info in infos:
                address = ipaddress.ip_address(info[4][0].split("%")[0])
                if address not in addresses:
                    addresses.append(address)
        self.resolved[host] = addresses
        return addresses

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = await self.resolve(host, port)
        for address in addresses:
            reason = policy.unsafe_address(address)
            if reason and not self.settings.private_allowed(address):
                raise UnsafeAddress(host, address, reason)
        error = None
        for address in addresses:
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(
                        str(address), port, limit=1 << 16,
                        local_addr=(local_address, 0) if local_address else None)
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    for option in socket_options or ():
                        sock.setsockopt(*option)
                return AsyncioStream(reader, writer)
            except TimeoutError:
                error = httpcore.ConnectTimeout(f"connecting to {host} ({address}) timed out")
            except OSError as exc:
                error = httpcore.ConnectError(f"{exc.strerror or exc} ({address}:{port})")
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not checked")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


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
    """Checks URLs in one event loop. ``on_result`` is called as each finishes."""

    def __init__(self, settings: Settings, on_result=None) -> None:
        self.settings = settings
        self.on_result = on_result
        self.backend = GuardedBackend(settings)
        self.ssl = ssl_context()
        self.clients: dict[tuple, httpx.AsyncClient] = {}
        self.next_slot: dict[str, float] = {}
        self.results: dict[str, Result] = {}

    # -- clients ----------------------------------------------------------------
    def client(self, scheme: str, host: str, port: int | None) -> httpx.AsyncClient:
        key = (scheme, host, port)
        client = self.clients.get(key)
        if client is None:
            rule = self.settings.rule(host)
            limit = (rule.concurrency if rule and rule.concurrency else self.settings.per_host)
            transport = httpx.AsyncHTTPTransport(
                verify=self.ssl, http2=scheme == "https", retries=0,
                limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            )
            transport._pool._network_backend = self.backend  # the address guard
            headers = dict(policy.DEFAULT_HEADERS)
            if rule:
                headers.update(rule.headers)
            client = httpx.AsyncClient(
                transport=transport, headers=headers, follow_redirects=False,
                timeout=httpx.Timeout(self.settings.timeout), trust_env=False,
            )
            self.clients[key] = client
        return client

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    # -- scheduling ----------------------------------------------------------------
    async def run(self, urls, concurrency: int | None = None) -> dict[str, Result]:
        settings = self.settings
        self.gate = asyncio.Semaphore(concurrency or settings.concurrency)
        from concurrent.futures import ThreadPoolExecutor

        # getaddrinfo runs in threads; the default pool (cores + 4) is too
        # small when many names are slow to resolve.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(32))
        queues: dict[str, deque] = defaultdict(deque)
        for url in urls:
            probe, kind = policy.probe_for(url, settings)
            parts = urlsplit(probe)
            host = (parts.hostname or "").lower()
            if parts.scheme not in ("http", "https") or not host:
                self._emit(Result(url, ERROR, error="not an http(s) URL"))
                continue
            rule = settings.rule(host)
            if settings.excluded(url) or (rule and rule.skip):
                self._emit(Result(url, SKIPPED, error="excluded"))
                continue
            queues[host].append((url, probe, kind, rule))
        workers = []
        for host, queue in queues.items():
            rule = queue[0][3]
            limit = rule.concurrency if rule and rule.concurrency else settings.per_host
            for _ in range(min(limit, len(queue))):
                workers.append(self._worker(host, queue))
        try:
            await asyncio.gather(*workers)
        finally:
            await self.aclose()
        return self.results

    async def _worker(self, host: str, queue: deque) -> None:
        while queue:
            url, probe, kind, rule = queue.popleft()
            self._emit(await self.check(url, probe, kind, rule, host))

    def _emit(self, result: Result) -> None:
        result.checked_at = time.time()
        self.results[result.url] = result
        if self.on_result:
            self.on_result(result)

    async def _pace(self, host: str, rule) -> None:
        interval = rule.interval if rule and rule.interval else self.settings.interval
        if not interval:
            return
        now = time.monotonic()
        slot = max(now, self.next_slot.get(host, 0.0))
        self.next_slot[host] = slot + interval
        if slot > now:
            await asyncio.sleep(slot - now)

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
            await asyncio.sleep(delay)
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
            client = self.client(parts.scheme, parts.hostname.lower(), parts.port)
            try:
                response = await client.send(
                    client.build_request(method, current), stream=method == "GET")
            except UnsafeAddress as exc:
                if hop == 0:
                    raise
                return _Answer(ERROR, final_url=current,
                               error=f"redirect into a {exc.reason} address refused: {exc}")
            except Exception as exc:  # noqa: BLE001 - every failure becomes an outcome
                return self._failure(exc, current)
            try:
                status = response.status_code
                location = response.headers.get("location")
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
                headers = response.headers
                head = b""
                if method == "GET":
                    chunks, size = [], 0
                    async for chunk in response.aiter_raw():
                        chunks.append(chunk)
                        size += len(chunk)
                        if size >= settings.body_cap:
                            break
                    head = b"".join(chunks)[: settings.body_cap]
                    if headers.get("content-encoding"):
                        head = b""  # compressed; a soft 404 needs a plain body
            except Exception as exc:  # noqa: BLE001
                return self._failure(exc, current)
            finally:
                await response.aclose()
            return self._judge(url, probe, kind, rule, status, current, suggestion, headers, head)
        return _Answer(ERROR, final_url=current,
                       error=f"too many redirects (more than {settings.max_redirects})")

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


# -- running, across processes when it pays -----------------------------------------
def plan_shards(urls, settings: Settings, workers: int) -> list[list[str]]:
    """Split URLs by host into at most `workers` groups of similar size."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        probe, _ = policy.probe_for(url, settings)
        by_host[(urlsplit(probe).hostname or "").lower()].append(url)
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(by_host))))]
    for host in sorted(by_host, key=lambda h: (-len(by_host[h]), h)):
        min(groups, key=len).extend(by_host[host])
    return [g for g in groups if g]


def auto_workers(count: int, settings: Settings) -> int:
    if settings.workers:
        return settings.workers
    if count < 300 or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def check_urls(urls, settings: Settings, on_result=None) -> dict[str, Result]:
    """Check each URL once; returns {url: Result}. Forks helpers for big runs."""
    urls = list(dict.fromkeys(urls))
    shards = plan_shards(urls, settings, auto_workers(len(urls), settings))
    total = len(urls) or 1
    shares = [max(1, round(settings.concurrency * len(s) / total)) for s in shards]
    if len(shards) == 1:
        return asyncio.run(Engine(settings, on_result).run(urls))
    children = []
    for shard, share in zip(shards[1:], shares[1:]):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read_fd)
            code = 0
            try:
                out = os.fdopen(write_fd, "wb", buffering=0)

                def send(result, out=out):
                    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(struct.pack("!I", len(data)) + data)

                asyncio.run(Engine(settings, send).run(shard, concurrency=share))
                out.close()
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd))
    return asyncio.run(_parent(shards[0], shares[0], children, settings, on_result))


async def _parent(shard, share, children, settings, on_result) -> dict[str, Result]:
    loop = asyncio.get_running_loop()
    engine = Engine(settings, on_result)
    done = []

    for pid, fd in children:
        os.set_blocking(fd, False)
        finished = loop.create_future()
        buffer = bytearray()

        def readable(fd=fd, buffer=buffer, finished=finished):
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            if data:
                buffer.extend(data)
                while len(buffer) >= 4:
                    (size,) = struct.unpack("!I", buffer[:4])
                    if len(buffer) < 4 + size:
                        break
                    result = pickle.loads(bytes(buffer[4:4 + size]))
                    del buffer[:4 + size]
                    engine._emit(result)
            else:
                loop.remove_reader(fd)
                os.close(fd)
                finished.set_result(None)

        loop.add_reader(fd, readable)
        done.append(finished)
    results = await engine.run(shard, concurrency=share)
    await asyncio.gather(*done)
    for pid, _ in children:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise RuntimeError("a link-checking worker process failed")
    return results
