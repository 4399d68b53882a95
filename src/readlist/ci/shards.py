"""How to split a full link check over a CI matrix.

One shard per `per_shard` distinct URLs, at least one and at most `max_shards`.
The workflow feeds the list to `strategy.matrix` and runs
`readlist check-links --shard I/N` in each job.
"""

from __future__ import annotations

import math
from pathlib import Path


def distinct_urls(root: Path) -> int:
    """How many different URLs (after normalization) the catalog cites."""
    from ..loading import load
    from ..urls import normalize

    catalog = load(root).catalog
    cited = [url for entry in catalog.entries.values() for url, _ in entry.cited_urls()]
    cited += [url for reading_list in catalog.lists.values() for url, _ in reading_list.cited_urls()]
    return len({normalize(url) for url in cited})


def plan(url_count: int, per_shard: int = 400, max_shards: int = 8) -> list[str]:
    """Shard labels `I/N` for `readlist check-links --shard`."""
    if per_shard < 1 or max_shards < 1:
        raise ValueError("per-shard and max-shards must be at least 1")
    n = min(max_shards, max(1, math.ceil(url_count / per_shard)))
    return [f"{i}/{n}" for i in range(1, n + 1)]
