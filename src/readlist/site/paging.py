"""Split what grows with the list into pages of bounded size.

A family of pages (a topic's cards by tier, a tier's rows by topic, a list's
cards by section, Authors by letter, Tags by tag) is a sequence of groups,
each a key and its items. `split` cuts it into parts of at most `budget`
weight, never inside an item, keeping the group order; a group cut in two
carries on in the next part, marked `continued`. The first part keeps the
family's page (its URL does not change while the list is small); the others
are `<page>/page-N`. Every part lists all parts, so nothing is out of reach.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")
T = TypeVar("T")
H = TypeVar("H", bound=Hashable)


@dataclass
class Group(Generic[K, T]):
    key: K
    items: list[T] = field(default_factory=list)
    continued: bool = False  # the group began on an earlier part


@dataclass
class Part(Generic[K, T]):
    src: str
    number: int  # 1-based
    groups: list[Group[K, T]]
    first: int = 0  # 1-based position of the part's first item in the family
    count: int = 0  # items on this part
    label: str = ""

    @property
    def items(self) -> list[T]:
        return [item for group in self.groups for item in group.items]


def part_src(base: str, number: int) -> str:
    """The source path of part `number` of the family whose first page is `base`."""
    if number == 1:
        return base
    stem = base[: -len("index.md")] if base.endswith("/index.md") else base[: -len(".md")] + "/"
    return f"{stem}page-{number}.md"


def split(
    base: str,
    groups: Sequence[tuple[K, Sequence[T]]],
    budget: int,
    weight: Callable[[T], int] = lambda _: 1,
    label: Callable[[K], str] = str,
) -> list[Part[K, T]]:
    """Cut `groups` into parts of at most `budget` weight (an item heavier than
    the budget gets a part of its own). Empty groups stay where they are."""
    parts: list[list[Group[K, T]]] = [[]]
    used = 0
    for key, items in groups:
        current: Group[K, T] = Group(key)
        parts[-1].append(current)
        for item in items:
            w = weight(item)
            if used and used + w > budget:
                parts.append([])
                if current.items:
                    current = Group(key, continued=True)
                    parts[-1].append(current)
                else:  # the group had not started: its heading moves along
                    parts[-1].append(parts[-2].pop())
                used = 0
            current.items.append(item)
            used += w
    out: list[Part[K, T]] = []
    first = 1
    for n, groups_here in enumerate(parts, 1):
        count = sum(len(g.items) for g in groups_here)
        keys = [g.key for g in groups_here]
        if not keys:
            text = ""
        elif len(keys) == 1 or label(keys[0]) == label(keys[-1]):
            text = label(keys[0])
        else:
            text = f"{label(keys[0])} – {label(keys[-1])}"
        out.append(Part(part_src(base, n), n, groups_here, first, count, text))
        first += count
    return out


def locate(parts: Sequence[Part[K, T]], key: Callable[[T], H]) -> dict[H, str]:
    """Item key -> the source path of the part that shows the item."""
    return {key(item): part.src for part in parts for item in part.items}
