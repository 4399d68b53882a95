"""A pace per host, learned during the run (AIMD, as TCP learns a window).

Each host starts at its configured concurrency and interval, which stay
upper bounds on speed. A refusal (429, or 503) cuts the host to one request
in flight; after a bare refusal successes grow it back fast (one more per
success) to half the old level, and from there on, as after a refusal with
``Retry-After``, gently (one per ``GENTLE`` x limit successes). One cut per
round: refusals of requests sent before the last cut say nothing new.

The interval between request starts widens too: twice as wide after a bare
refusal (mostly a limit on requests in flight); after one with
``Retry-After`` (a rate limit, such as a token bucket) to a little under
the rate the last window between holds showed, less the burst a window
starts with (a bucket refills during a hold; its size is what the host served
before the first refusal), or, before there is such a window, half as wide
again and at least to the rate seen outside holds. A ``Retry-After`` also
holds the whole host until then. Each success narrows the interval by 0.4%,
so a host that relaxes its limit is found out, slowly.
"""

from __future__ import annotations

GENTLE = 16          # successes per added request in flight above the threshold
MIN_INTERVAL = 0.02  # seconds: the narrowest interval a refusal sets
SHRINK = 0.996       # interval factor per success, down to the configured one


class HostPace:
    __slots__ = (
        "base_interval",
        "burst",
        "credit",
        "first_cut",
        "first_sent",
        "held",
        "hold_until",
        "interval",
        "last_cut",
        "limit",
        "max_limit",
        "next_slot",
        "refusals",
        "successes",
        "threshold",
        "window_start",
        "window_successes",
    )

    def __init__(self, limit: int, interval: float) -> None:
        self.max_limit = limit
        self.limit = limit            # requests in flight allowed now
        self.threshold = limit        # above it growth is gentle
        self.base_interval = interval
        self.interval = interval      # seconds between request starts, now
        self.hold_until = 0.0         # no request before this (monotonic)
        self.next_slot = 0.0          # the next start the interval allows
        self.last_cut = float("-inf")
        self.first_sent: float | None = None
        self.successes = 0
        self.refusals = 0
        self.credit = 0
        self.held = 0.0               # seconds the host was held so far
        self.burst = 0                # successes of requests sent before the first cut
        self.first_cut: float | None = None
        self.window_start = 0.0       # when the host could be asked again after a hold
        self.window_successes = 0     # successes of requests sent since then

    def sent(self, now: float) -> None:
        if self.first_sent is None:
            self.first_sent = now

    def slot(self, now: float) -> float:
        """When the next request may start (and reserve that moment)."""
        start = max(now, self.next_slot, self.hold_until)
        self.next_slot = start + self.interval
        return start

    def answered(self, sent_at: float | None = None) -> None:
        """A success (any answer that is not a refusal) to a request sent at
        `sent_at`: grow back."""
        self.successes += 1
        if sent_at is None or self.first_cut is None or sent_at < self.first_cut:
            self.burst += 1
        elif sent_at >= self.window_start:
            self.window_successes += 1
        if self.limit < self.threshold:
            self.limit += 1
        elif self.limit < self.max_limit:
            self.credit += 1
            if self.credit >= GENTLE * self.limit:
                self.credit = 0
                self.limit += 1
        if self.interval > self.base_interval:
            self.interval = max(self.base_interval, self.interval * SHRINK)

    def refused(self, sent_at: float, now: float, retry_after: float | None) -> None:
        """A 429 or 503 for a request sent at `sent_at`."""
        self.refusals += 1
        # time the host could be asked so far (holds already over excluded)
        active = now - (self.first_sent if self.first_sent is not None else now) \
            - self.held + max(0.0, self.hold_until - now)
        if retry_after is not None:
            until = now + retry_after
            if until > self.hold_until:
                self.held += until - max(now, self.hold_until)
                self.hold_until = until
            self.next_slot = max(self.next_slot, self.hold_until)
        if sent_at < self.last_cut:
            return  # sent before the last cut: already accounted for
        self.last_cut = now
        # A limit on requests in flight: fast regrowth to half the old level.
        # A rate limit (Retry-After): the interval paces it; one in flight is
        # enough, and more would only draw more 429s at once.
        self.threshold = max(1, self.limit // 2) if retry_after is None else 1
        self.limit = 1
        self.credit = 0
        if retry_after is None:  # a bare refusal (a limit on requests in flight, mostly)
            self.interval = max(self.interval * 2, MIN_INTERVAL)
        else:
            # A rate limit: keep a little under the rate the host has
            # sustained while not held (a token bucket's bursts make this an
            # overestimate early on; it settles as the run goes on).
            self.interval = max(self.interval * 1.5, MIN_INTERVAL)
            window = now - self.window_start
            if self.first_cut is not None and window >= 0.2 and self.window_successes > self.burst:
                # the rate this window showed, less the burst it began with
                rate = (self.window_successes - self.burst) / window
                self.interval = max(1.05 / rate, MIN_INTERVAL, self.base_interval)
            elif active > 0 and self.successes:
                self.interval = max(self.interval, 1.1 * active / self.successes)
            if self.first_cut is None:
                self.first_cut = now
            self.window_start, self.window_successes = self.hold_until, 0
