"""The pace per host, learned during the run, against real rate-limited
loopback hosts: a token bucket that answers 429 with Retry-After, and a host
that refuses more than 2 requests in flight with a bare 429."""

from __future__ import annotations

import itertools

from readlist.links import Outcome, check
from readlist.links.pace import HostPace
from readlist.links.settings import LinkSettings

from .helpers import make_project, run_json

C, D = "127.0.0.6", "127.0.0.7"
IN_FLIGHT = 0.15  # seconds a request already sent may still take to arrive (a busy machine)


def _settings(**kw) -> LinkSettings:
    return LinkSettings(allow_private=["*"], **kw)


def test_token_bucket_host_every_url_ok_few_429s(hosts):
    urls = [hosts.url(C, f"/bucket/tb1/{i}") for i in range(100)]
    results = list(check(urls, _settings()))
    assert len(results) == 100 and {r.outcome for r in results} == {Outcome.OK}
    # The bar: at most 10% of a limited host's URLs answered 429. The
    # first round (10 at once against a burst of 5) costs 5 of them.
    refusals = hosts.refused["/bucket/tb1"]
    assert refusals <= 10, refusals
    # No request reaches the host during the second that follows a 429
    # (Retry-After: 1), bar those already on their way when it was sent.
    arrivals = hosts.times(C, "/bucket/tb1/")
    for refused_at in hosts.refusal_times["/bucket/tb1"]:
        early = [t - refused_at for t in arrivals if refused_at + IN_FLIGHT < t < refused_at + 1 - IN_FLIGHT]
        assert not early, early
    # What the host saw: each URL asked once with HEAD, plus one request
    # again per 429 and nothing else (no GET fallback, no duplicate), so
    # every refusal cost exactly one request. How close the run comes to
    # the bucket's own pace is a timing: benchmarks/links.py measures it.
    assert len(arrivals) == 100 + refusals, (len(arrivals), refusals)
    assert {method for (host, method, path) in hosts.hits if path.startswith("/bucket/tb1/")} == {"HEAD"}


def test_retry_after_holds_the_whole_host_but_not_others(hosts):
    """After a 429 with Retry-After: 1, the held host sees nothing for a
    second (bar requests already in flight), while another host goes on."""
    held = [hosts.url(C, f"/bucket/tb2/{i}") for i in range(12)]
    free = [hosts.url(D, f"/ok?free-while-held={i}") for i in range(30)]
    results = {r.url: r for r in check(held + free, _settings())}
    assert all(r.outcome is Outcome.OK for r in results.values())
    times = hosts.times(C, "/bucket/tb2/")
    # the first refusal came in the first burst; find the gap that followed
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) >= 0.9, gaps  # a hold of about one second
    hold_start = times[gaps.index(max(gaps))]
    free_times = hosts.times(D, "/ok?free-while-held=")
    assert any(hold_start < t < hold_start + 0.9 for t in free_times) or free_times[-1] < hold_start


def test_concurrency_limited_host_without_retry_after(hosts):
    urls = [hosts.url(D, f"/inflight/cl1/{i}") for i in range(40)]
    results = list(check(urls, _settings()))
    assert {r.outcome for r in results} == {Outcome.OK}, [r.error for r in results if r.outcome != "ok"]
    refusals = hosts.refused["/inflight/cl1"]
    assert refusals <= 8 + 4, refusals  # 8 in the first round of 10, few after


def test_still_refused_is_blocked_rate_limited_never_broken(hosts, tmp_path):
    url = hosts.url(C, "/always429?pace")
    make_project(tmp_path, {"limited": url})
    done, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "1", "--allow-private", C)
    result = by_url[url]
    assert result["outcome"] == "blocked" and result["kind"] == "rate-limited"
    assert result["error"] == f"rate-limited by {C} (HTTP 429)" and done.returncode == 0


def test_pace_cuts_once_per_round_and_grows_back_gently():
    # a limit on requests in flight (a bare 429): fast back to half, then gently
    pace = HostPace(limit=10, interval=0.0)
    pace.sent(0.0)
    pace.refused(sent_at=0.0, now=0.5, retry_after=None)
    assert (pace.limit, pace.threshold, pace.hold_until) == (1, 5, 0.0) and pace.interval > 0
    pace.refused(sent_at=0.1, now=0.6, retry_after=None)  # sent before the cut: no second cut
    assert pace.threshold == 5
    for _ in range(4):
        pace.answered(1.0)
    assert pace.limit == 5
    for _ in range(5 * 16):
        pace.answered(2.0)
    assert pace.limit == 6  # one more per 16 x limit successes

    # a rate limit (429 with Retry-After): the host is held, one in flight,
    # and the interval is set from the rate served between holds
    pace = HostPace(limit=10, interval=0.0)
    pace.sent(0.0)
    pace.refused(sent_at=0.0, now=0.05, retry_after=1.0)
    assert pace.limit == 1 and pace.threshold == 1 and pace.hold_until == 1.05
    assert pace.slot(0.5) == 1.05  # nothing before the Retry-After
    for _ in range(5):
        pace.answered(0.0)  # the first round's burst, answered after the cut
    for _ in range(10):
        pace.answered(1.2)  # the second window: 10 in 0.5 s, 5 of them its burst
    pace.refused(sent_at=1.5, now=1.55, retry_after=1.0)
    assert pace.hold_until == 2.55
    assert abs(pace.interval - 1.05 / 10) < 1e-9  # 5 beyond the burst in 0.5 s: 10 a second
