"""Benchmark: `validate`'s look-alike author rule, indexed vs comparing all pairs.

`readlist.authors.look_alikes` compares a name only with the names whose
first given name could match it (same, initial, prefix, nickname). This
script checks that the extra code earns its keep against the plain version
(every pair of names with one surname) on many names over few surnames, the
shape of ML author lists (hundreds of Wangs and Lis), and that both find the
same pairs. CPU time (`time.process_time`), best of K, alternating order.

usage: python benchmarks/authors.py [--names N] [--repeat K] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from results import write_section

from readlist.authors import look_alikes, parts, same_person

FIRST = [
    "Wei",
    "Yi",
    "Jian",
    "Xin",
    "Li",
    "Chris",
    "Christopher",
    "Anna",
    "Maria",
    "John",
    "Jon",
    "Alex",
    "Alexander",
    "Sasha",
    "Tom",
    "Thomas",
    "Ming",
    "Hao",
    "Jun",
    "Yu",
]
LAST = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Smith",
    "Brown",
    "Lee",
    "Kim",
    "Park",
    "Nguyen",
    "Garcia",
    "Müller",
    "Schmidt",
    "Rossi",
]


def names(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if rng.random() < 0.3:
            out.append(f"{rng.choice(FIRST)} {chr(65 + rng.randrange(26))}. {rng.choice(LAST)}")
        else:
            suffix = rng.choice(["", "g", "n", "xi"])
            out.append(f"{rng.choice(FIRST)}{suffix} {rng.choice(LAST)}{rng.choice(['', 's'])}")
    return out


def all_pairs(found: Iterable[str]) -> list[tuple[str, str]]:
    """The plain version: every two names with one surname."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(found)):
        if (p := parts(name)) is not None:
            by_surname[p[0]].append(name)
    return sorted(
        (a, b)
        for group in by_surname.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
        if same_person(a, b)
    )


def best(func: Callable[[list[str]], list[tuple[str, str]]], data: list[str]) -> tuple[float, int]:
    start = time.process_time()
    pairs = func(data)
    return time.process_time() - start, len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=80_000, help="author names before dedup")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="record in benchmarks/RESULTS.md")
    args = parser.parse_args()
    data = names(args.names)
    assert look_alikes(data) == all_pairs(data), "the index must find exactly the same pairs"
    timings: dict[str, list[float]] = {"all pairs": [], "indexed": []}
    count = 0
    for n in range(args.repeat):
        order = [("all pairs", all_pairs), ("indexed", look_alikes)]
        for name, func in order if n % 2 == 0 else order[::-1]:
            seconds, count = best(func, data)
            timings[name].append(seconds)
    plain, indexed = min(timings["all pairs"]), min(timings["indexed"])
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{len(set(data)):,} names, {count:,} look-alike pairs: all pairs {plain:.2f} s, "
        f"indexed {indexed:.2f} s ({plain / indexed:.1f}x faster), load average {load}"
    )
    if args.write:
        row = (
            f"| {dt.date.today()} | {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, load {load} | {len(set(data)):,} | {count:,} | "
            f"{plain:.2f} s | {indexed:.2f} s | {plain / indexed:.1f}x |"
        )
        write_result(row)


def write_result(row: str) -> None:
    """Replace the authors section of RESULTS.md, keeping the others."""
    write_section(
        "authors",
        "## validate: look-alike author names\n"
        "\n`python benchmarks/authors.py --write`: the rule that warns about two spellings of "
        "one person, on synthetic names (20 given names with suffixes and middle initials over "
        "20 surnames), indexed by first given name vs comparing every pair with one surname; "
        "both must find the same pairs. CPU time, best of 3, alternating.\n\n"
        "| date | machine | names | pairs | all pairs | indexed | speed-up |\n"
        "|---|---|---|---|---|---|---|\n" + row,
    )


if __name__ == "__main__":
    main()
