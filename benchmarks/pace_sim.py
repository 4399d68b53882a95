"""The pace in the simulator (tests/links/test_pace_sim.py), swept over each
limiter family: how often the issue's bar (within 1.5x the bound, at most
10% refused, every URL ok) is met, and the median and worst of each measure.

    python benchmarks/pace_sim.py [--draws 200] [--no-write]

Virtual time: the numbers do not depend on the machine. Parameters are drawn
from the same ranges as the simulator's hypothesis strategies.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.links.limiters import Both, FixedWindow, InFlight, SlidingWindow, TokenBucket, bound  # noqa: E402
from tests.links.test_pace_sim import PER_HOST, simulate  # noqa: E402

from links import PARTS, write_part  # noqa: E402

HEADING = PARTS[4]


def families(rng: random.Random):
    """name -> a function drawing (limiter, latency range) as the simulator's strategies do."""

    def latency(low=0.01, high=0.3):
        mean, jitter = rng.uniform(low, high), rng.uniform(0, 0.5)
        return mean * (1 - jitter), mean * (1 + jitter)

    def bucket(style, status):
        return TokenBucket(rate=rng.uniform(2, 30), burst=rng.randint(1, 10), style=style, status=status), latency()

    def relaxes():
        rate, burst = rng.uniform(2, 10), rng.randint(1, 10)
        halfway = (225 - burst) / rate / 2
        return TokenBucket(
            rate=rate, burst=burst, style=rng.choice(["seconds", None]), relax_at=halfway, relax=rng.uniform(2, 4)
        ), latency()

    return {
        "token bucket, Retry-After seconds": lambda: bucket("seconds", 429),
        "token bucket, Retry-After date (503)": lambda: bucket("date", 503),
        "token bucket, bare 429": lambda: bucket(None, 429),
        "fixed window, reset headers": lambda: (
            FixedWindow(
                limit=rng.randint(5, 60),
                window=rng.uniform(1, 5),
                style=rng.choice(["x-epoch", "ratelimit-delta"]),
                every=rng.random() < 0.5,
            ),
            latency(),
        ),
        "sliding window, no headers": lambda: (
            SlidingWindow(limit=rng.randint(5, 40), window=rng.uniform(1, 5)),
            latency(),
        ),
        "cap in flight, 429, Retry-After none, 1 or 2 s": lambda: (
            InFlight(cap=rng.randint(1, 6), status=429, retry=rng.choice([None, 1, 2])),
            latency(0.05, 0.5),
        ),
        "cap before a bucket": lambda: (
            Both(
                first=InFlight(cap=rng.randint(2, 6), status=503, retry=1),
                second=TokenBucket(rate=rng.uniform(3, 20), burst=rng.randint(1, 10)),
            ),
            latency(0.05, 0.3),
        ),
        "a limit that relaxes mid-run": relaxes,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    rng = random.Random(20261207)
    lines = [
        HEADING,
        "",
        f"{a.draws} draws per family, 225 URLs on one host (the simulator's middle), {PER_HOST} in flight at "
        "first, 2 retries; parameters from the simulator's ranges; virtual time. Run: "
        "`python benchmarks/pace_sim.py`.",
        "",
        "| family | bar met | median / bound | worst / bound | median refused | worst refused | false alarms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, draw in families(rng).items():
        ratios, refused, alarms, met = [], [], 0, 0
        for seed in range(a.draws):
            limiter, latency = draw()
            run = simulate(limiter, 225, latency, seed)
            ratio = run.elapsed / bound(limiter, 225, sum(latency) / 2, PER_HOST)
            share = run.refused / 225
            ratios.append(ratio)
            refused.append(share)
            alarms += run.blocked
            met += ratio <= 1.5 and share <= 0.1 and not run.blocked
        lines.append(
            f"| {name} | {met / a.draws:.0%} | {statistics.median(ratios):.2f}x | {max(ratios):.2f}x "
            f"| {statistics.median(refused):.1%} | {max(refused):.1%} | {alarms} |"
        )
        print(lines[-1], flush=True)
    if not a.no_write:
        write_part(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
