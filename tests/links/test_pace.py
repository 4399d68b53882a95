"""The pace per host against real rate-limited loopback hosts, one family of
limiters each (the models of limiters.py on the real clock, behind
``/limited/NAME/``): what the hosts saw is asserted — every URL answered,
few refusals, and nothing sent into a hold the host announced beyond what
was already on its way. How close each run comes to its bound is a timing:
``benchmarks/links.py --rate-limited`` measures it; the simulator
(test_pace_sim.py) checks it in virtual time."""

from __future__ import annotations

import itertools
import time

import pytest

from readlist.links import Outcome, check
from readlist.links.settings import LinkSettings

from .helpers import make_project, run_json
from .limiters import Both, FixedWindow, InFlight, Limiter, SlidingWindow, TokenBucket

C, D = "127.0.0.6", "127.0.0.7"
PER_HOST = 5

FAMILIES = {
    "bucket-retry-after-seconds": (lambda: TokenBucket(rate=10, burst=3, style="seconds"), 0.02),
    "bucket-retry-after-date-503": (lambda: TokenBucket(rate=10, burst=3, style="date", status=503), 0.02),
    "bucket-bare-429": (lambda: TokenBucket(rate=10, burst=3, style=None), 0.02),
    "fixed-window-x-ratelimit-reset": (lambda: FixedWindow(limit=8, window=1.0, style="x-epoch"), 0.02),
    "fixed-window-ratelimit-reset-on-429-only": (
        lambda: FixedWindow(limit=8, window=1.0, style="ratelimit-delta", every=False),
        0.02,
    ),
    "sliding-window-bare": (lambda: SlidingWindow(limit=20, window=2.0), 0.02),
    "in-flight-cap-429": (lambda: InFlight(cap=2), 0.05),
    "in-flight-cap-503-retry-after": (lambda: InFlight(cap=2, status=503, retry=1), 0.05),
    "cap-before-bucket": (
        lambda: Both(first=InFlight(cap=3, status=503, retry=1), second=TokenBucket(rate=15, burst=3)),
        0.05,
    ),
}


def _settings(**kw) -> LinkSettings:
    return LinkSettings(allow_private=["*"], per_host=PER_HOST, **kw)


def _resets(limiter: Limiter) -> list[tuple[float, float]]:
    return limiter.all_resets if isinstance(limiter, Both) else limiter.resets


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_every_url_ok_few_refused_no_request_into_a_hold(hosts, family):
    make, latency = FAMILIES[family]
    limiter = make()
    name = f"family-{family}"
    hosts.limit(name, limiter, latency)
    urls = [hosts.url(C, f"/limited/{name}/{i}") for i in range(40)]
    results = list(check(urls, _settings()))
    assert {r.outcome for r in results} == {Outcome.OK}, [(r.url, r.error) for r in results if r.outcome != "ok"]
    seen = hosts.limited[name]
    refused = sum(1 for _, no in seen if no)
    # The first round goes out blind (PER_HOST at once); after it, at most
    # 10% of the URLs are refused, whatever the limiter.
    assert refused <= PER_HOST + 4, (refused, len(seen))
    assert len(seen) == len(urls) + refused  # each refusal cost one request, nothing else was asked
    # No request into an announced hold but those already on their way when
    # it was announced (at most one per request the host may have in hand).
    arrivals = [t for t, _ in seen]
    for announced, until in _resets(limiter):
        inside = [t for t in arrivals if announced < t < until - 0.005]
        assert len(inside) <= PER_HOST, (announced, until, inside)


def test_a_hold_stops_the_held_host_and_only_it(hosts):
    """After a 429 with Retry-After: 1 nothing new reaches the held host for
    a second, while another host, busy for longer than that, goes on."""
    held, free = TokenBucket(rate=1, burst=2, style="seconds"), Limiter()
    hosts.limit("held", held, 0.02)
    hosts.limit("free", free, 0.1)
    urls = [hosts.url(C, f"/limited/held/{i}") for i in range(4)]
    urls += [hosts.url(D, f"/limited/free/{i}") for i in range(40)]  # 40 x 0.1 s / 5: 0.8 s at least
    results = list(check(urls, _settings()))
    assert {r.outcome for r in results} == {Outcome.OK}
    announced, until = held.resets[0]
    held_inside = [t for t, _ in hosts.limited["held"] if announced < t < until - 0.005]
    free_inside = [t for t, _ in hosts.limited["free"] if announced < t < until - 0.005]
    assert len(held_inside) <= PER_HOST  # only what was already on its way
    assert len(free_inside) >= 10, free_inside  # the free host kept its pace meanwhile
    # and after the reset the held host was asked again
    assert any(t >= until - 0.005 for t, _ in hosts.limited["held"])


def test_a_limit_that_relaxes_mid_run_is_found(hosts):
    """A bucket that triples its rate after 1.5 s: the run finishes much
    sooner than at the first rate (40 URLs at 5 a second take 7.4 s)."""
    limiter = TokenBucket(rate=5, burst=3, style="seconds", relax=4.0)
    hosts.limit("relaxes", limiter, 0.02)
    limiter.relax_at = time.monotonic() + 1.5
    urls = [hosts.url(C, f"/limited/relaxes/{i}") for i in range(40)]
    results = list(check(urls, _settings()))
    assert {r.outcome for r in results} == {Outcome.OK}
    after = [t for t, ok in hosts.limited["relaxes"] if t >= limiter.relax_at and not ok]
    served = sorted(t for t, no in hosts.limited["relaxes"] if not no)
    gaps = [b - a for a, b in itertools.pairwise(t for t in served if t >= limiter.relax_at + 1.0)]
    # served faster than the first rate allowed once the limit relaxed
    assert gaps and sum(gaps) / len(gaps) < 1 / 5, (gaps, after)


def test_still_refused_is_blocked_rate_limited_never_broken(hosts, tmp_path):
    url = hosts.url(C, "/always429?pace")
    make_project(tmp_path, {"limited": url})
    done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "1", "--allow-private", C)
    result = by_url[url]
    assert result["outcome"] == "blocked" and result["kind"] == "rate-limited"
    assert result["error"] == f"rate-limited by {C} (HTTP 429)" and done.returncode == 0
    asked = sum(1 for _, host, target in list(hosts.arrivals) if target == "/always429?pace")
    assert asked == 2 * 1 + 1  # a refusal gets twice the retries: the pace backs off between them
