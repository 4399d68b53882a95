"""A host's pace: when the next request to a host may leave, learned from
what the host answers, whatever limiter stands behind it (token bucket,
fixed or sliding window, a cap on requests in flight; 429 or 503).

The pace keeps these invariants (``tests/links/test_pace_sim.py`` checks
them against models of each limiter, ``test_pace.py`` on loopback hosts):

1. **Announced resets are honoured.** A ``Retry-After`` (seconds or an HTTP
   date) on a refusal, an ``x-ratelimit-reset`` / ``RateLimit-Reset`` (a Unix
   time or seconds) on a refusal or with ``remaining: 0``, holds the host: no
   request leaves before then. A ``remaining: k`` lets k more leave before
   the reset. Holds are the host's own; other hosts go on.
2. **Never below half the served rate.** A refusal with more requests in
   flight than the host ever served is a cap on requests in flight: the pace
   keeps under it and leaves its rate alone. Any other refusal sets the rate
   to the geometric mean of the rate the host served since the last estimate
   (holds included: what it surely allows) and the rate sent meanwhile (more
   than it allows): never below the served rate. Refused again before two
   more requests were sent, the pace backs off instead (doubling, as lychee
   does) and measures over the whole streak. One cut per round of requests.
3. **Bounded recovery.** After a backoff the pace is back at its estimate
   within a few successes (halving, then by ``FAST``). Above it the pace
   probes: ``1 / SAFE`` faster and one more in flight each period, each
   period half the last, the first ``PROBES`` successes after a bare refusal
   and ``CALM`` holds' worth after a hold (a refusal then costs a hold), so the
   pace is back above the served rate within three periods.
4. **Caps.** No interval exceeds ``max_interval``, no hold ``hold_cap``.

Once a host has refused, its requests are spread over its latency rather
than sent in bunches as answers come back.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

WINDOW = 10     # successes the latency is averaged over
SAFE = 0.9      # a probe step: the interval times this
FAST = 0.85     # interval factor per success back to the estimate, once within twice it
CALM = 3        # a refusal that held the host H seconds: the first probe after CALM x H of serving
PROBES = 20     # ... or after this many successes following a bare refusal
CAPPED = 4      # ... and this many times later after finding a cap on requests in flight
FLOOR = 0.05    # seconds: the first step of a backoff
EPOCH = 1e9     # a reset header above this is a Unix time, else seconds from now


@dataclass(frozen=True, slots=True)
class Announced:
    """What an answer's headers say about the host's limit."""

    retry_after: float | None = None  # seconds, from Retry-After
    reset: float | None = None        # seconds until the window resets, from *RateLimit-Reset
    remaining: int | None = None      # requests left before that reset


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
    return Announced(retry_after(headers.get("retry-after"), cap, wall), reset,
                     None if left is None else max(0, int(left)))


NOTHING_SAID = Announced()


class Ticket(NamedTuple):
    """One request sent: its number, when it left, how many were in flight before it."""

    number: int
    at: float
    ahead: int


class HostPace:
    """The pace of one host: `limit` requests in flight, `delay` before the next."""

    __slots__ = ("base", "credit", "estimated", "hold_cap", "hold_until", "in_flight",
                 "interval", "last_cut", "latency", "limit", "max_interval", "max_limit", "most_ahead", "next_at",
                 "ok_since", "period", "probe", "quota", "safe", "sent", "since", "starting")

    def __init__(self, limit: int, interval: float, max_interval: float, hold_cap: float) -> None:
        self.max_limit = self.limit = limit
        self.base = self.interval = self.safe = min(interval, max_interval)
        self.max_interval, self.hold_cap = max_interval, hold_cap
        self.next_at = self.hold_until = 0.0
        self.last_cut = float("-inf")
        self.quota: tuple[int, float] | None = None  # (last request number allowed, until when)
        self.sent = self.in_flight = 0
        self.latency = 0.0       # seconds a success takes, a moving average
        self.most_ahead = -1     # the most requests in flight ahead of one the host served
        self.since: Ticket | None = None  # the first request sent since the last cut (and its hold)
        self.ok_since = 0        # successes of requests sent since then
        self.estimated = math.inf  # when the rate was last estimated
        self.starting = False    # the first refusal is a guess: regrow fast until the next
        self.credit = 0          # successes probed in this period
        self.period = PROBES     # successes over which the probe climbs 1 / SAFE
        self.probe = SAFE ** (1 / PROBES)  # interval factor per success while probing

    # -- when ----------------------------------------------------------------------
    def delay(self, now: float) -> float:
        """Seconds before a request may leave; 0: it may leave now (then call `send`)."""
        start = max(self.next_at, self.hold_until)
        if self.quota is not None:
            allowed, until = self.quota
            if now >= until:
                self.quota = None
            elif self.sent >= allowed:
                start = max(start, until)
        return max(0.0, start - now)

    def send(self, now: float) -> Ticket:
        ticket = Ticket(self.sent + 1, now, self.in_flight)
        self.sent += 1
        self.in_flight += 1
        # Once the host has refused, requests are spread over its latency
        # rather than sent in bunches as answers come back.
        spread = self.latency / self.limit if self.last_cut > float("-inf") else 0.0
        self.next_at = now + max(self.interval, spread)
        if self.since is None:
            self.since = ticket
        return ticket

    # -- what came back ------------------------------------------------------------
    def served(self, ticket: Ticket, now: float, said: Announced = NOTHING_SAID) -> None:
        """An answer that is not a refusal."""
        self.in_flight -= 1
        took = now - ticket.at
        self.latency = took if not self.latency else self.latency + (took - self.latency) / WINDOW
        self.most_ahead = max(self.most_ahead, ticket.ahead)
        if self.since is not None and ticket.number >= self.since.number:
            self.ok_since += 1
        if said.remaining is not None and said.reset is not None:
            self._allow(ticket, said.remaining, now + said.reset)
        if self.starting:
            self.limit = min(self.max_limit, self.limit + 1)
        if self.interval > self.safe:  # recovering: back to the served rate in a few successes
            # far above (after backing off): halve, as lychee resets on success
            self.interval *= 0.5 if self.interval > 2 * self.safe else FAST
            if self.interval < self.safe + 0.001:
                self.interval = self.safe
            return
        # Probing: 1 / SAFE faster (and one more in flight) each `period`
        # successes, twice as fast each period that passes without a refusal.
        self.interval = max(self.base, self.interval * self.probe)
        self.credit += 1
        if self.credit >= self.period:
            self.credit = 0
            self.period = max(1, self.period // 2)
            self.probe = SAFE ** (1 / self.period)
            self.limit = min(self.max_limit, self.limit + 1)

    def failed(self, ticket: Ticket) -> None:
        """No answer (a timeout, a connection error): says nothing of the limit."""
        self.in_flight -= 1

    def refused(self, ticket: Ticket, now: float, said: Announced = NOTHING_SAID) -> None:
        """A 429 or 503: hold for any announced reset, and cut once per round."""
        self.in_flight -= 1
        wait = said.retry_after if said.retry_after is not None else said.reset
        hold = 0.0
        if wait is not None:
            hold = min(wait, self.hold_cap)
            self.hold_until = max(self.hold_until, now + hold)
            if said.remaining is not None:
                self._allow(ticket, said.remaining, now + hold)
        if ticket.at < self.last_cut:
            return  # sent before the last cut: nothing new
        first_cut = self.last_cut == float("-inf")
        self.last_cut = now
        self.credit = 0
        self._calm(hold)
        if ticket.ahead > self.most_ahead:
            # Refused with more in flight than the host ever served: a cap on
            # requests in flight. Keep under it; the interval is not at fault.
            # The first refusal comes from a burst sent blind: regrow fast
            # after it, until the next refusal says more.
            self.limit = max(1, ticket.ahead if self.most_ahead < 0 else self.most_ahead + 1)
            self.starting = first_cut
            self.period *= CAPPED  # a cap, once found, seldom moves: probe it seldom
            self.since, self.ok_since, self.estimated = None, 0, now
            return
        # Served with as many in flight before: a limit on the rate.
        self.starting = False
        since, ok = self.since, self.ok_since
        sends = ticket.number - since.number if since is not None else 0
        span = ticket.at - since.at if since is not None else 0.0
        if since is None or sends < 2 or span <= 0 or ok < 1:
            # Refused again at once: the same streak of refusals. Back off (as
            # lychee does), and measure the rate over the whole streak.
            self.interval = min(self.max_interval, max(FLOOR, 2 * self.interval))
            self.next_at = max(self.next_at, now + self.interval)
            return
        # Between the rate it served since the last estimate, holds and
        # backoffs included (what it surely allows), and the rate sent
        # meanwhile (more than it allows): their geometric mean, which
        # halves the distance each time on a logarithmic scale.
        elapsed = ticket.at - min(self.estimated, since.at)
        served, sent = ok / elapsed, sends / span
        self.safe = min(self.max_interval, max(self.base, 1 / math.sqrt(served * sent)))
        self.interval = self.safe
        self.since, self.ok_since, self.estimated = None, 0, now
        self.next_at = max(self.next_at, now + self.interval)
        if self.interval > 0:  # enough in flight to keep to that rate
            self.limit = min(self.max_limit, max(self.limit, math.ceil(self.latency / self.interval)))
        self._calm(hold)

    # -- inside --------------------------------------------------------------------
    def _calm(self, hold: float) -> None:
        """Probe again only after serving CALM holds' worth at the pace now
        (a refusal costs a hold), or PROBES successes after a bare refusal."""
        rate = self.limit / max(self.latency, FLOOR)  # what the host serves now, at most
        if self.interval > 0:
            rate = min(rate, 1 / self.interval)
        self.period = max(PROBES // 2, math.ceil(CALM * hold * rate)) if hold else PROBES
        self.probe = SAFE ** (1 / self.period)

    def _allow(self, ticket: Ticket, remaining: int, until: float) -> None:
        """`remaining` more requests after `ticket` until `until`: a later reset
        is a new window; the same one keeps the tighter count."""
        allowed = ticket.number + remaining
        if self.quota is None or until > self.quota[1] + 0.5:
            self.quota = (allowed, until)
        else:
            self.quota = (min(allowed, self.quota[0]), max(until, self.quota[1]))
