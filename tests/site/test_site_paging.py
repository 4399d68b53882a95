"""`paging.split` over generated families of groups: nothing is cut or moved
out of order, no part is over its budget (unless one item alone is), a group
cut in two goes on "continued" in the next part, and the first part keeps the
family's page."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.site.paging import part_src, split

groups_strategy = st.lists(
    st.tuples(st.text(min_size=1, max_size=3), st.lists(st.integers(min_value=1, max_value=40), max_size=30)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    groups=groups_strategy,
    budget=st.integers(min_value=1, max_value=120),
    base=st.sampled_from(["tags.md", "topics/x/index.md", "lists/a.md"]),
)
def test_split_keeps_every_item_in_order_within_the_budget(groups, budget, base):
    # items are their own weights; tag each with its group and position so order is checkable
    tagged = [(key, [(g, i, w) for i, w in enumerate(items)]) for g, (key, items) in enumerate(groups)]
    parts = split(base, tagged, budget, weight=lambda item: item[2])
    assert parts and parts[0].src == base
    assert [p.number for p in parts] == list(range(1, len(parts) + 1))
    assert [p.src for p in parts] == [part_src(base, n) for n in range(1, len(parts) + 1)]
    assert len({p.src for p in parts}) == len(parts)
    # nothing cut, nothing out of order
    flat = [item for p in parts for item in p.items]
    assert flat == [item for _, items in tagged for item in items]
    # each part within the budget, unless one item alone is heavier
    for p in parts:
        weight = sum(item[2] for item in p.items)
        assert weight <= budget or len(p.items) == 1
        assert p.count == len(p.items)
    # positions and counts add up
    assert [p.first for p in parts] == [1 + sum(q.count for q in parts[:n]) for n in range(len(parts))]
    # every group heading appears once unless continued; "continued" only after it began
    started: set[int] = set()
    for p in parts:
        for group in p.groups:
            gid = group.items[0][0] if group.items else None
            if group.continued:
                assert gid in started
            elif gid is not None:
                assert gid not in started
                started.add(gid)
    assert started == {g for g, (_, items) in enumerate(tagged) if items}
    # no part is empty of items unless the whole family is
    assert all(p.items for p in parts) or len(parts) == 1


def test_part_paths():
    assert part_src("authors.md", 1) == "authors.md"
    assert part_src("authors.md", 3) == "authors/page-3.md"
    assert part_src("topics/x/index.md", 2) == "topics/x/page-2.md"
