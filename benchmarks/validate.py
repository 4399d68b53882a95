"""Benchmark: `readlist validate` vs merely parsing the same files with PyYAML's C loader.

Generates N entries (default 10,000) in a temp dir, then times, in one run and
in alternating order to share cache effects fairly:

* baseline: read every entry file and `yaml.load(..., Loader=yaml.CSafeLoader)`;
* readlist: `readlist.loading.load(root)` — parse, position tracking, pydantic
  validation and every cross-entry rule.

Prints the times and the ratio (target: at most 2x) and, with --write, records
them in benchmarks/RESULTS.md.

usage: python benchmarks/validate.py [--entries N] [--repeat K] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from results import write_section

from readlist.loading import load

WORDS = (
    "model attention training data scaling network layer token gradient loss "
    "memory inference parallel compute paper result method learning language"
).split()
KINDS = ["paper", "post", "video", "course", "book"]


def generate(root: Path, count: int) -> None:
    rng = random.Random(7)
    topics = [f"topic-{n}" for n in range(20)]
    (root / "entries").mkdir(parents=True)
    (root / "lists").mkdir()
    (root / "topics.yaml").write_text("".join(f"- id: {t}\n  title: Topic {t}\n" for t in topics))
    for n in range(count):
        summary = " ".join(rng.choice(WORDS) for _ in range(60))
        (root / "entries" / f"entry-{n}.yaml").write_text(
            f"title: A study of {rng.choice(WORDS)} number {n}\n"
            f"url: https://example{n % 50}.org/papers/{n}\n"
            f"topic: {topics[n % len(topics)]}\n"
            f"tier: {1 + n % 4}\n"
            f"kind: {KINDS[n % len(KINDS)]}\n"
            f"length: ~{1000 + n % 9000:,} words\n"
            f"authors: [Ada Lovelace, Alan Turing]\n"
            f"year: {1990 + n % 30}\n"
            f"added: 2024-0{1 + n % 9}-1{n % 10}\n"
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"summary: |\n  {summary}\n"
            f"notes:\n  - A remark on {rng.choice(WORDS)}.\n"
        )
    ids = [f"entry-{n}" for n in range(0, count, 10)]
    (root / "lists" / "big.yaml").write_text(
        "title: Big list\nsections:\n  - title: All\n    entries:\n" + "".join(f"      - {i}\n" for i in ids)
    )


def parse_only(root: Path) -> None:
    for path in sorted((root / "entries").glob("*.yaml")):
        with open(path, "rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)


def validate(root: Path) -> None:
    loaded = load(root)
    assert not loaded.errors, loaded.errors[:3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="record in benchmarks/RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "readings"
        generate(root, args.entries)
        parse_only(root)  # warm the page cache for both
        timings: dict[str, list[float]] = {"parse": [], "validate": []}
        for _ in range(args.repeat):
            for name, func in (("parse", parse_only), ("validate", validate)):
                start = time.perf_counter()
                func(root)
                timings[name].append(time.perf_counter() - start)

    parse, check = min(timings["parse"]), min(timings["validate"])
    ratio = check / parse
    line = (
        f"| {dt.date.today()} | {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} | {args.entries:,} | {parse:.2f} s | "
        f"{check:.2f} s | {ratio:.2f}x |"
    )
    print(
        f"parse only (CSafeLoader): {parse:.2f} s   readlist validate: {check:.2f} s   "
        f"ratio {ratio:.2f}x (target <= 2x)  [best of {args.repeat}; all: "
        f"{statistics.mean(timings['parse']):.2f} / {statistics.mean(timings['validate']):.2f} s mean]"
    )
    if args.write:
        write_result(line)


def write_result(row: str) -> None:
    """Replace the validate section of RESULTS.md, keeping the others."""
    write_section(
        "validate",
        "## validate\n"
        "\n`python benchmarks/validate.py --write`: `readlist validate` (load, positions, "
        "pydantic, cross-entry rules) vs `yaml.load(Loader=CSafeLoader)` of the same files, "
        "best of 3, one process. Target: at most 2x.\n\n"
        "| date | machine | entries | parse only | validate | ratio |\n"
        "|---|---|---|---|---|---|\n" + row,
    )


if __name__ == "__main__":
    main()
