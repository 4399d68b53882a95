"""Models of the rate limiters hosts put in front of their pages, on a clock
the caller passes in: the simulator (test_pace_sim.py) runs them in virtual
time, the loopback servers (servers.py) and the benchmark's server
(benchmarks/ratelimit_server.py) in real time.

A limiter decides at a request's arrival: ``arrive(now)`` returns None (serve
it; call ``leave(now)`` when its answer goes) or a refusal (status, headers).
``answer_headers(now)`` are the headers a served answer carries (a fixed
window tells the requests left). ``resets`` records each reset a refusal or a
``remaining: 0`` announced: (when announced, no request before) — what the
tests hold the checker to.
"""

from __future__ import annotations

import email.utils
import math
from collections import deque
from dataclasses import dataclass, field

EPOCH = 1_800_000_000.0  # the wall clock (Unix time) at the models' time 0, in the simulator


@dataclass
class Limiter:
    """The base: serves everything. `wall` maps the model's clock to Unix time."""

    wall: float = EPOCH
    resets: list[tuple[float, float]] = field(default_factory=list)
    refused: int = 0

    def arrive(self, now: float) -> tuple[int, dict[str, str]] | None:
        return None

    def leave(self, now: float) -> None:
        pass

    def answer_headers(self, now: float) -> dict[str, str]:
        return {}

    def _refuse(self, status: int, headers: dict[str, str], now: float, until: float | None):
        self.refused += 1
        if until is not None:
            self.resets.append((now, until))
        return status, headers

    def _after(self, style: str | None, now: float, wait: float) -> tuple[dict[str, str], float | None]:
        """Headers announcing a reset `wait` seconds from `now`, in `style`, and that reset's time."""
        if style is None:
            return {}, None
        seconds = max(1, math.ceil(wait - 1e-9))
        if style == "seconds":
            return {"Retry-After": str(seconds)}, now + seconds
        if style == "date":  # whole seconds of wall time, rounded up
            at = math.ceil(self.wall + now + wait - 1e-9)
            return {"Retry-After": email.utils.formatdate(at, usegmt=True)}, at - self.wall
        raise ValueError(style)


@dataclass
class TokenBucket(Limiter):
    """`rate` a second on average, `burst` at once; beyond: `status`, with
    Retry-After in `style` ("seconds", "date") or none. ``relax_at`` (model
    time) multiplies the rate by `relax` then: a limit that relaxes mid-run."""

    rate: float = 10.0
    burst: int = 5
    style: str | None = "seconds"
    status: int = 429
    relax_at: float = math.inf
    relax: float = 1.0
    tokens: float = -1.0
    at: float = 0.0

    def _rate(self, now: float) -> float:
        return self.rate * (self.relax if now >= self.relax_at else 1.0)

    def arrive(self, now):
        if self.tokens < 0:
            self.tokens, self.at = float(self.burst), now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self._rate(now))
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        headers, until = self._after(self.style, now, (1 - self.tokens) / self._rate(now))
        return self._refuse(self.status, headers, now, until)


@dataclass
class FixedWindow(Limiter):
    """`limit` requests per window of `window` seconds, counted from time 0;
    the reset announced as ``x-ratelimit-reset`` (Unix time, as GitHub) or
    ``RateLimit-Reset`` (seconds from now), with ``...-remaining`` on every
    answer when `every`, else only on the 429."""

    limit: int = 20
    window: float = 2.0
    style: str = "x-epoch"
    every: bool = True
    used: int = 0
    current: int = -1

    def _tick(self, now: float) -> float:
        """The end of the window `now` falls in."""
        index = math.floor(now / self.window)
        if index != self.current:
            self.current, self.used = index, 0
        return (index + 1) * self.window

    def _headers(self, now: float, end: float, left: int) -> tuple[dict[str, str], float]:
        if self.style == "x-epoch":
            at = math.ceil(self.wall + end - 1e-9)
            return (
                {
                    "x-ratelimit-limit": str(self.limit),
                    "x-ratelimit-remaining": str(left),
                    "x-ratelimit-reset": str(at),
                },
                at - self.wall,
            )
        seconds = max(1, math.ceil(end - now - 1e-9))
        return (
            {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(left), "RateLimit-Reset": str(seconds)},
            now + seconds,
        )

    def arrive(self, now):
        end = self._tick(now)
        if self.used < self.limit:
            self.used += 1
            return None
        headers, until = self._headers(now, end, 0)
        return self._refuse(429, headers, now, until)

    def answer_headers(self, now):
        if not self.every:
            return {}
        end = self._tick(now)
        left = self.limit - self.used
        headers, until = self._headers(now, end, left)
        if left == 0:
            self.resets.append((now, until))
        return headers


@dataclass
class SlidingWindow(Limiter):
    """At most `limit` requests in any `window` seconds; beyond: a bare 429."""

    limit: int = 10
    window: float = 2.0
    times: deque = field(default_factory=deque)

    def arrive(self, now):
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        if len(self.times) < self.limit:
            self.times.append(now)
            return None
        return self._refuse(429, {}, now, None)


@dataclass
class InFlight(Limiter):
    """At most `cap` requests in flight; beyond: `status`, with a Retry-After
    of `retry` seconds or none."""

    cap: int = 2
    status: int = 429
    retry: int | None = None
    now_in: int = 0

    def arrive(self, now):
        if self.now_in < self.cap:
            self.now_in += 1
            return None
        if self.retry is None:
            return self._refuse(self.status, {}, now, None)
        return self._refuse(self.status, {"Retry-After": str(self.retry)}, now, now + self.retry)

    def leave(self, now):
        self.now_in -= 1


@dataclass
class Both(Limiter):
    """Two limiters in a row (a CDN's cap on requests in flight before an
    application's token bucket): refused by either."""

    first: Limiter = field(default_factory=InFlight)
    second: Limiter = field(default_factory=TokenBucket)

    def arrive(self, now):
        refusal = self.first.arrive(now)
        if refusal is None:
            refusal = self.second.arrive(now)
            if refusal is not None:
                self.first.leave(now)
        if refusal is not None:
            self.refused += 1
        return refusal

    def leave(self, now):
        self.first.leave(now)
        self.second.leave(now)

    def answer_headers(self, now):
        return {**self.first.answer_headers(now), **self.second.answer_headers(now)}

    @property
    def all_resets(self) -> list[tuple[float, float]]:
        return self.first.resets + self.second.resets


def resets_of(limiter: Limiter) -> list[tuple[float, float]]:
    return limiter.all_resets if isinstance(limiter, Both) else limiter.resets


def bound(limiter: Limiter, urls: int, latency: float, per_host: int) -> float:
    """The least time `urls` requests can take through `limiter` (each taking
    `latency` on average, `per_host` in flight at most), for a client that
    does not know the limit beforehand: the limit's own time, plus the hold
    the first refusal announces where no client can avoid it (`learning`)."""
    floor = urls * latency / per_host
    if isinstance(limiter, Both):
        return max(bound(limiter.first, urls, latency, per_host), bound(limiter.second, urls, latency, per_host))
    if isinstance(limiter, TokenBucket):
        after = max(0, urls - limiter.burst)
        if limiter.relax_at < after / limiter.rate:
            after -= limiter.relax_at * limiter.rate
            least = limiter.relax_at + after / (limiter.rate * limiter.relax)
        else:
            least = after / limiter.rate
        return max(floor, least + learning(limiter, per_host, latency))
    if isinstance(limiter, FixedWindow | SlidingWindow):
        return max(floor, (math.ceil(urls / limiter.limit) - 1) * limiter.window)
    if isinstance(limiter, InFlight):
        return max(floor, urls * latency / min(limiter.cap, per_host) + learning(limiter, per_host, latency))
    return floor


def learning(limiter: Limiter, per_host: int, latency: float) -> float:
    """The least hold a client pays to learn `limiter`'s limit: it cannot know
    the limit without exceeding it once (when `per_host` requests in flight
    exceed it), and a refusal that announces a reset holds it that long. A
    cap on requests in flight holds for its Retry-After; a token bucket for
    a whole second at least (Retry-After in seconds; as a date it can be
    less: counted as none), less the burst it refills meanwhile; a window
    costs nothing beyond its own time (its reset is the window's)."""
    if isinstance(limiter, InFlight):
        return float(limiter.retry or 0) if limiter.cap < per_host else 0.0
    if isinstance(limiter, TokenBucket) and limiter.style == "seconds" and per_host / latency > limiter.rate:
        return max(0.0, 1.0 - limiter.burst / limiter.rate)
    return 0.0
