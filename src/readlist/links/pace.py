"""A host's pace: when the next request to a host may leave, learned from
what the host answers, whatever limiter stands behind it (token bucket,
fixed or sliding window, a cap on requests in flight; 429 or 503).

The pace keeps these invariants (``tests/links/test_pace_sim.py`` checks
them against models of each limiter, ``test_pace.py`` on loopback hosts):

1. **Announced resets are honoured.** A ``Retry-After`` (seconds or an HTTP
   date) on a refusal, an ``x-ratelimit-reset`` / ``RateLimit-Reset`` (a Unix
   time or seconds) on a refusal or with ``remaining: 0``, holds the host: no
   request leaves before then. A ``remaining: k`` lets k more leave before
   the reset; an answer announcing a later reset is a new window, whose count
   replaces the old one's, and in the same window the answer to the request
   sent last is the newest count. Holds are the host's own; other hosts go on.
2. **Never below the served rate.** The pace is set from what the host
   served since the last estimate: after a refusal that holds the host, the
   geometric mean of that rate (holds included: what it surely allows) and
   a rate above what it allows: the rate served while the host was not
   held (a held bucket fills while it waits), or, with no hold since the
   last estimate, the rate sent (refusals included); so never below the
   rate served. After a streak of bare refusals, the rate it served up to
   when it served again. (The issue asks for at least half the served
   rate.) A refusal of a request sent before the last one counted came
   back says nothing new.
3. **Bounded recovery.** A bare refusal backs off (doubling, as lychee does)
   until the host serves again; the first success sent after the last
   refusal sets the pace back to the served rate at once (recovery takes
   that one success), and ends the
   backoff's wait (the next request still leaves the interval after the
   last one sent). Then the pace probes up:
   ``1 / SAFE`` faster over ``PROBES`` successes, or over ``2 * PROBES``
   when the estimate is within one such step of the last one (the limit
   found again: each probe past it costs a refusal). So the interval is
   down to 1/k of the estimate's within ``2 * PROBES * ln k / ln(1 / SAFE)``
   successes, however many estimates came before. The rate sent is also
   capped at ``limit / latency`` (requests in flight spread over the
   latency; see below): an estimate raises ``limit`` to its rate times the
   latency (rounded up, at most ``max_limit``), and probing raises it by
   one per ``cap_probes`` successes (``CAP_PROBES``, doubled by each
   refusal at a cap: 4). So a rate k times the estimate is reached within
   the larger of those successes and ``cap_probes`` times the requests in
   flight it needs (that rate times the latency, rounded up) beyond
   ``limit``; never when it needs more than ``max_limit``.
4. **A cap on requests in flight is kept under.** A refusal with more in
   flight than the host ever served is a cap: the pace keeps under it and
   leaves its rate alone, and tries one more in flight after ``CAP_PROBES``
   successes, twice as many after each refusal at the cap. Answers raise
   the limit in flight to one more than the most the host served at once,
   but never above the requests in flight the last cap refusal met (the
   client counts requests the host may have finished).
5. **Slow start.** A host gets ``START`` requests in flight before its
   first answer (its concurrency if lower), and one more per success until
   it first refuses (up to its concurrency): a limiter meets at most
   ``START`` requests blind, and a host that never refuses has its full
   concurrency after ``concurrency - START`` successes (the limit about
   doubles each round trip: two from 4 to the default 10).
6. **Caps.** No interval exceeds ``max_interval``, no hold ``hold_cap``.

Once a host has answered, its requests are spread over its latency (the
limit in flight per latency: the same throughput) rather than sent in
bunches as answers come back: a limiter's first refusal then stops the
bunch instead of refusing all of it.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

WINDOW = 10  # successes the latency is averaged over
SAFE = 0.9  # a probe step: the interval times this ...
PROBES = 10  # ... over this many successes
CAP_PROBES = 20  # successes before one more in flight is tried at a cap
FLOOR = 0.05  # seconds: the first step of a backoff
START = 4  # requests in flight to a host before its first answer (slow start)
EPOCH = 1e9  # a reset header above this is a Unix time, else seconds from now


@dataclass(frozen=True, slots=True)
class Announced:
    """What an answer's headers say about the host's limit."""

    retry_after: float | None = None  # seconds, from Retry-After
    reset: float | None = None  # seconds until the window resets, from *RateLimit-Reset
    remaining: int | None = None  # requests left before that reset


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def retry_after(value: str | None, cap: float, wall: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped;
    `wall` is the time now (time.time() unless given)."""
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
    return max(0.0, min(when.timestamp() - (time.time() if wall is None else wall), cap))


def announced(headers: Mapping[str, str], cap: float, wall: float | None = None) -> Announced:
    """The limit `headers` announce (keys in lower case), each wait capped at `cap`."""
    reset = _seconds(headers.get("ratelimit-reset") or headers.get("x-ratelimit-reset"))
    if reset is not None:
        if reset > EPOCH:
            reset -= time.time() if wall is None else wall
        reset = min(max(0.0, reset), cap)
    left = _seconds(headers.get("ratelimit-remaining") or headers.get("x-ratelimit-remaining"))
    return Announced(
        retry_after(headers.get("retry-after"), cap, wall), reset, None if left is None else max(0, int(left))
    )


NOTHING_SAID = Announced()


class Ticket(NamedTuple):
    """One request sent: its number, when it left, how many were in flight
    before it (counted ones), and whether it counts (see ``HostPace.send``)."""

    number: int
    at: float
    ahead: int
    counted: bool = True


class HostPace:
    """The pace of one host: `limit` requests in flight, `delay` before the next."""

    __slots__ = (
        "base",
        "cap_bound",
        "cap_probes",
        "credit",
        "found",
        "hold_cap",
        "hold_until",
        "holds",
        "in_flight",
        "interval",
        "last_cut",
        "last_sent",
        "latency",
        "limit",
        "mark",
        "max_interval",
        "max_limit",
        "most_ahead",
        "next_at",
        "ok",
        "probes",
        "quota",
        "sent",
        "streak",
        "uncounted",
    )

    def __init__(self, limit: int, interval: float, max_interval: float, hold_cap: float) -> None:
        self.max_limit, self.limit = limit, min(limit, START)
        self.base = self.interval = min(interval, max_interval)
        self.max_interval, self.hold_cap = max_interval, hold_cap
        self.next_at = self.hold_until = self.last_sent = 0.0
        self.last_cut = float("-inf")  # when the last refusal that counted came back
        # (last request number allowed, until when, the request whose answer said so)
        self.quota: tuple[int, float, int] | None = None
        self.sent = self.in_flight = 0
        self.uncounted = 0  # requests in flight that are no measure of the limit
        self.latency = 0.0  # seconds a success takes, a moving average
        self.most_ahead = -1  # the most requests in flight ahead of one the host served
        self.mark: tuple[float, int] | None = None  # (when, requests sent then): the last estimate
        self.ok = 0  # successes of requests sent since the mark
        self.holds: list[tuple[float, float]] = []  # the holds since the mark: (from, until)
        self.streak: float | None = None  # bare refusals going on: when the last refused one left
        self.credit = 0  # successes since the last probe step
        self.cap_probes = CAP_PROBES
        self.cap_bound = limit  # the most in flight a refusal read as a cap allows (its ahead)
        self.probes = PROBES  # successes over which the probe climbs 1 / SAFE
        self.found = math.inf  # the interval last estimated

    # -- when ----------------------------------------------------------------------
    def delay(self, now: float) -> float:
        """Seconds before a request may leave; 0: it may leave now (then call `send`)."""
        start = max(self.next_at, self.hold_until)
        if self.quota is not None:
            allowed, until, _ = self.quota
            if now >= until:
                self.quota = None
            elif self.sent >= allowed:
                start = max(start, until)
        return max(0.0, start - now)

    def send(self, now: float, counted: bool = True) -> Ticket:
        """A request leaves. One that is not `counted` (a path that cannot
        exist, which a host may answer before its limiter) takes its place
        in flight and in a window's count, but is no measure of the limit:
        it is not ahead of the others, and its answer only tells a count."""
        ticket = Ticket(self.sent + 1, now, self.in_flight - self.uncounted, counted)
        self.sent += 1
        self.in_flight += 1
        self.uncounted += not counted
        self.last_sent = now
        self.next_at = now + self._gap()
        if self.mark is None:
            self.mark = (now, ticket.number - 1)
        return ticket

    # -- what came back ------------------------------------------------------------
    def served(self, ticket: Ticket, now: float, said: Announced = NOTHING_SAID) -> None:
        """An answer that is not a refusal."""
        self._landed(ticket)
        if not ticket.counted:
            if said.remaining is not None and said.reset is not None:
                self._allow(ticket, said.remaining, now + said.reset)
            return
        took = now - ticket.at
        self.latency = took if not self.latency else self.latency + (took - self.latency) / WINDOW
        self.most_ahead = max(self.most_ahead, ticket.ahead)
        # Never fewer in flight than the host served at once, nor more than it last refused at.
        self.limit = max(self.limit, min(self.max_limit, self.cap_bound, self.most_ahead + 1))
        if said.remaining is not None and said.reset is not None:
            self._allow(ticket, said.remaining, now + said.reset)
        if self.mark is not None and ticket.at >= self.mark[0]:
            self.ok += 1
        if self.streak is not None:
            if ticket.at < self.streak:
                return  # sent before the last refusal: says nothing of when the host freed
            # Served again: the rate served since the mark, up to when the
            # host freed (between the last refused send and this one).
            free = (self.streak + ticket.at) / 2
            if self.mark is not None and self.ok > 1 and free > self.mark[0]:
                self._pace((free - self.mark[0]) / (self.ok - 1))
            else:
                self._pace(self.interval / 2)
            self.streak = None
            self._remark(ticket.at, ticket.number - 1, ok=1)
            # The backoff's wait ends with it; requests sent after it, while
            # its answer was on the way, still have their gap kept.
            self.next_at = self.last_sent + self._gap()
            return
        if self.last_cut == float("-inf") and self.limit < self.max_limit:
            self.limit += 1  # slow start: one more in flight per success until the first refusal
            return
        self.interval = max(self.base, self.interval * SAFE ** (1 / self.probes))  # probing up
        self.credit += 1
        if self.credit >= self.cap_probes and self.limit < self.max_limit:
            self.credit = 0
            self.limit += 1

    def failed(self, ticket: Ticket) -> None:
        """No answer (a timeout, a connection error): says nothing of the limit."""
        self._landed(ticket)

    def refused(self, ticket: Ticket, now: float, said: Announced = NOTHING_SAID) -> None:
        """A 429 or 503: hold for any announced reset; then one cut per round
        (a request not counted was, if the host refused it)."""
        self._landed(ticket)
        wait = said.retry_after if said.retry_after is not None else said.reset
        hold = 0.0
        if wait is not None:
            hold = min(wait, self.hold_cap)
            if now + hold > max(now, self.hold_until):
                self.holds.append((max(now, self.hold_until), now + hold))
            self.hold_until = max(self.hold_until, now + hold)
            if said.remaining is not None:
                self._allow(ticket, said.remaining, now + hold)
        if ticket.at < self.last_cut:
            return  # sent before the last cut: nothing new
        self.last_cut = now
        if ticket.ahead > self.most_ahead:
            # More in flight than the host ever served: a cap on requests in
            # flight. Keep under it; the rate is not at fault.
            self.limit = max(1, ticket.ahead if self.most_ahead < 0 else self.most_ahead + 1)
            self.cap_bound = max(1, ticket.ahead)
            self.cap_probes *= 2
            self.credit = 0
            return
        if wait is not None:
            # Held: between the rate served since the mark, holds included
            # (what it surely allows), and a rate above what it allows, on a
            # logarithmic scale: the rate served while not held (a held bucket
            # fills meanwhile), or, with no hold since the mark, the rate sent.
            mark = self.mark
            if mark is None or self.ok < 1 or ticket.number - mark[1] < 2 or ticket.at <= mark[0]:
                return
            span = ticket.at - mark[0]
            held = sum(max(0.0, min(end, ticket.at) - max(start, mark[0])) for start, end in self.holds)
            free = span - held
            above = self.ok / free if held and free > 0 else (ticket.number - mark[1]) / span
            self._pace(1 / math.sqrt(self.ok / span * above))
            self._remark(now, self.sent, ok=0)
            return
        # A bare refusal: back off (as lychee does) until the host serves again.
        self.streak = ticket.at if self.streak is None else max(self.streak, ticket.at)
        self.interval = min(self.max_interval, max(FLOOR, 2 * self.interval))
        self.next_at = max(self.next_at, now + self.interval)

    # -- inside --------------------------------------------------------------------
    def _landed(self, ticket: Ticket) -> None:
        self.in_flight -= 1
        self.uncounted -= not ticket.counted

    def _gap(self) -> float:
        """The time between two requests: the interval, or the latency spread
        over the requests allowed in flight if that is longer; never more than
        ``max_interval`` (the limit in flight still bounds a slow host)."""
        return min(self.max_interval, max(self.interval, self.latency / self.limit))

    def _remark(self, at: float, sent: int, ok: int) -> None:
        """The mark of a new estimate: successes counted from `at` (`sent`
        requests had left), holds kept only where they run past it."""
        self.mark, self.ok = (at, sent), ok
        self.holds = [h for h in self.holds if h[1] > at]

    def _pace(self, interval: float) -> None:
        """An estimate: the interval, and enough in flight to keep to it."""
        interval = min(self.max_interval, max(self.base, interval))
        # A limit found again where it was (within a probe step) is probed
        # half as fast: each probe past it costs a refusal. One that moved,
        # or a first estimate the burst inflated, is probed as at first.
        self.probes = 2 * PROBES if SAFE * self.found <= interval <= self.found / SAFE else PROBES
        self.found = self.interval = interval
        self.credit = 0
        if self.interval > 0:
            self.limit = min(self.max_limit, max(self.limit, math.ceil(self.latency / self.interval)))

    def _allow(self, ticket: Ticket, remaining: int, until: float) -> None:
        """`remaining` more requests after `ticket` until `until`: a later reset
        is a new window; in the same one, the answer to the request sent last
        is the host's newest count. (A host counts a request when it arrives,
        so that count already has every request sent before it, and any other
        client's; taking the tightest of all answers instead undercounts by
        the requests the host did not count, such as a 404 it answers first.)"""
        allowed = ticket.number + remaining
        if self.quota is None or until > self.quota[1] + 0.5:
            self.quota = (allowed, until, ticket.number)
        elif ticket.number > self.quota[2]:
            self.quota = (allowed, max(until, self.quota[1]), ticket.number)
