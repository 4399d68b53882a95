"""A pace per host, learned during the run (AIMD, as TCP learns a window).

Each host starts at its configured concurrency and interval, which stay
upper bounds on speed. A refusal (429, or 503) cuts the host to one request
in flight; after a bare refusal successes grow it back fast (one more per
success) to half the old level, and from there on, as after a refusal with
``Retry-After``, gently (one per ``GENTLE`` x limit successes). One cut per
round: refusals of requests sent before the last cut say nothing new.

The interval between request starts widens too: twice as wide after a bare
refusal (mostly a limit on requests in flight). A ``Retry-After`` (a rate
limit, such as a token bucket) holds the whole host until then, and sets
the interval from the rate the host showed in the last window between
holds: its bucket is full when a hold ends (its size is what the host served
before its first refusal: the requests sent before the refused one) and
empty at the next refusal, so if it served ``S`` requests in that window, the
last of them sent ``t`` seconds after the hold, it refills at least
``(S - burst) / t`` a second. The pace keeps to that rate; the host's burst,
which the pace does not spend, is the margin (keeping 5% under the rate
instead costs about 0.5 s in 10 s). Before there is such a window the
interval widens by half, and at least to the rate seen outside holds.

Each success narrows the interval, so a host that relaxes its limit is
found out, slowly: by 0.4% after bare refusals, by 0.1% once a host has
answered with ``Retry-After`` (another refusal costs a whole hold, and 0.4%
a success spends a burst of 5 as margin within about 50 successes).
"""

from __future__ import annotations

GENTLE = 16          # successes per added request in flight above the threshold
MIN_INTERVAL = 0.02  # seconds: the narrowest interval a refusal sets
SHRINK = 0.996       # interval factor per success, down to the configured one
GENTLE_SHRINK = 0.999  # the same once the host has answered with Retry-After


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
        "window_last",
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
        self.window_last = 0.0        # when the last of them was sent

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
        if sent_at is None or self.first_cut is None or sent_at <= self.first_cut:
            self.burst += 1
        elif sent_at >= self.window_start:
            self.window_successes += 1
            self.window_last = max(self.window_last, sent_at)
        if self.limit < self.threshold:
            self.limit += 1
        elif self.limit < self.max_limit:
            self.credit += 1
            if self.credit >= GENTLE * self.limit:
                self.credit = 0
                self.limit += 1
        if self.interval > self.base_interval:
            shrink = GENTLE_SHRINK if self.first_cut is not None else SHRINK
            self.interval = max(self.base_interval, self.interval * shrink)

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
            # A rate limit: keep to the rate the host has sustained while
            # not held (see the module's docstring).
            self.interval = max(self.interval * 1.5, MIN_INTERVAL)
            window = self.window_last - self.window_start
            if self.first_cut is not None and window >= 0.2 and self.window_successes > self.burst:
                # the rate this window showed, less the burst it began with,
                # up to its last success (the refusal came after it)
                rate = (self.window_successes - self.burst) / window
                self.interval = max(1 / rate, MIN_INTERVAL, self.base_interval)
            elif active > 0 and self.successes:
                self.interval = max(self.interval, 1.1 * active / self.successes)
            if self.first_cut is None:
                self.first_cut = sent_at  # what was sent before the refused one is the burst
            self.window_start, self.window_successes, self.window_last = self.hold_until, 0, self.hold_until
