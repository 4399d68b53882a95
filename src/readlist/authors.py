"""Author names: when two spellings look like one person, and a stable anchor.

A list copied from many sources spells one person several ways ("Chris Olah"
and "Christopher Olah", "Quoc Le" and "Quoc V. Le"); a reader following a
person on the Authors page then sees two people. `validate` uses
`same_person` to warn about such pairs, and `readings/authors.yaml` can
declare that two look-alike names are really different people.

The test is deliberately simple and explainable: the surnames must be equal
(ignoring case and accents), and the given names compatible one by one: equal,
an initial of the other ("J." and "Jeffrey"), a prefix of at least three
letters ("Chris" and "Christopher", "Harri" and "Harrison"), or the same
name by the small nickname table below ("Sasha" and "Alexander"). A missing
middle name is compatible with any ("Geoffrey Hinton", "Geoffrey E. Hinton").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# nickname -> formal name; only names whose short form is not a prefix of the
# long one (prefixes such as Chris/Christopher need no entry).
NICKNAMES = {
    "sasha": "alexander",
    "sacha": "alexander",
    "sandy": "alexander",
    "alex": "alexander",
    "yura": "yuri",
    "yury": "yuri",
    "iurii": "yuri",
    "bill": "william",
    "will": "william",
    "liam": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "tom": "thomas",
    "tommy": "thomas",
    "dan": "daniel",
    "danny": "daniel",
    "dave": "david",
    "sam": "samuel",
    "nick": "nicholas",
    "nico": "nicholas",
    "kate": "katherine",
    "katie": "katherine",
    "kathy": "katherine",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "peggy": "margaret",
    "meg": "margaret",
    "jack": "john",
    "johnny": "john",
    "ted": "edward",
    "ed": "edward",
    "eddie": "edward",
    "tony": "anthony",
    "andy": "andrew",
    "drew": "andrew",
    "greg": "gregory",
    "misha": "mikhail",
    "dima": "dmitry",
    "kolya": "nikolai",
    "volodya": "vladimir",
}
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PREFIX_MIN = 3


def fold(text: str) -> str:
    """Lowercase ASCII-ish form: accents dropped, so 'Aäron' and 'Aaron' agree."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def parts(name: str) -> tuple[str, tuple[str, ...]] | None:
    """(surname, given names) of a name as written, folded; None for one-word
    names (an account name or a team), which are never compared."""
    tokens = [t.strip(".,") for t in re.split(r"[\s.]+", fold(name)) if t.strip(".,")]
    while len(tokens) > 2 and tokens[-1] in _SUFFIXES:
        tokens.pop()
    if len(tokens) < 2:
        return None
    return tokens[-1], tuple(tokens[:-1])


def _formal(given: str) -> str:
    return NICKNAMES.get(given, given)


def _compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial
        return a[0] == b[0]
    short, long = sorted((a, b), key=len)
    if len(short) >= _PREFIX_MIN and long.startswith(short):
        return True
    return _formal(a) == _formal(b)


def same_person(a: str, b: str) -> bool:
    """Whether two different spellings plausibly name one person."""
    pa, pb = parts(a), parts(b)
    if pa is None or pb is None or pa[0] != pb[0]:
        return False
    ga, gb = pa[1], pb[1]
    if not _compatible(ga[0], gb[0]):
        return False
    # middle names: compare those both sides have; a missing one is fine
    return all(_compatible(x, y) for x, y in zip(ga[1:], gb[1:], strict=False))


def look_alikes(names: Iterable[str]) -> list[tuple[str, str]]:
    """Every pair (a, b), a < b, of different spellings that `same_person` joins.

    Comparing every two names with one surname is quadratic, and ML author
    lists hold hundreds of Wangs and Lis; so each name is compared only with
    the names whose first given name could match it: the same one, its
    initial, its prefixes of three letters or more, or the same formal name.
    `benchmarks/authors.py` compares this with comparing every two names
    (the same pairs; the numbers are in benchmarks/RESULTS.md)."""
    by_surname: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for name in set(names):
        if (p := parts(name)) is not None:
            by_surname[p[0]].append((name, p[1]))
    pairs: set[tuple[str, str]] = set()
    for group in by_surname.values():
        by_first: dict[str, list[str]] = defaultdict(list)
        by_formal: dict[str, list[str]] = defaultdict(list)
        for name, given in group:
            by_first[given[0]].append(name)
            by_formal[_formal(given[0])].append(name)
        for name, given in group:
            first = given[0]
            keys = {first, first[:1], *(first[:k] for k in range(_PREFIX_MIN, len(first)))}
            candidates = set(by_formal[_formal(first)])
            for key in keys:
                candidates.update(by_first.get(key, ()))
            for other in candidates:
                if other != name and same_person(name, other):
                    pairs.add((name, other) if name < other else (other, name))
    return sorted(pairs)


def sort_key(name: str) -> tuple[str, str]:
    """Surname first, for an index of people."""
    p = parts(name)
    return (p[0], " ".join(p[1])) if p else (fold(name), "")


def anchor(name: str) -> str:
    """A stable HTML id for a person on the Authors page."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return "author-" + (slug or "x")
