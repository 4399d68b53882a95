"""Rules that span files: ids, references, duplicate works, thin content.

Field-level checks live in the models; these need the whole Catalog. Every
finding points at the value it is about.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

from . import authors
from .diagnostics import Diagnostic, Severity, did_you_mean
from .models import Catalog, Loc, Topic

MIN_SUMMARY_WORDS = 20

# A line that ends in a hyphen glued to a word ("chain-"). Markdown joins the
# lines of a `|` block with a space, so the word renders broken ("chain- of").
_BROKEN_WORD = re.compile(r"(\S*\w-)$")
# ...unless the hyphen is suspended: "pre-" / "and post-training" reads right
# with the space, and so does "first-" / "to third-order".
_SUSPENDED = re.compile(r"and|or|nor|to", re.IGNORECASE)


def check(catalog: Catalog, entry_stems: set[str], *, topics_ok: bool = True) -> list[Diagnostic]:
    """Every cross-file finding. `entry_stems` names every entry file, valid or
    not, so that a list citing a broken entry is not also told it is unknown."""
    found = [*_duplicate_topics(catalog), *_former_ids(catalog), *_duplicate_urls(catalog), *_thin_summaries(catalog)]
    found += [*_words_broken_across_lines(catalog)]
    if topics_ok:
        found += [*_unknown_topics(catalog), *_empty_topics(catalog), *_no_way_in(catalog)]
    found += [*_list_references(catalog, entry_stems), *_source_marks(catalog, entry_stems)]
    found += [*_look_alike_authors(catalog)]
    return found


def _error(catalog: Catalog, path: Path, loc: Loc, message: str, severity: Severity = "error") -> Diagnostic:
    line, col = catalog.locate(path, loc)
    return Diagnostic(path, line, col, severity, message)


def _duplicate_topics(catalog: Catalog) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for topic, loc in _topic_locs(catalog.topics, ()):
        if topic.id in seen:
            yield _error(catalog, catalog.topics_file, (*loc, "id"), f"duplicate topic id '{topic.id}'")
        seen.add(topic.id)


def _former_ids(catalog: Catalog) -> Iterator[Diagnostic]:
    """An old id (`formerly`) redirects its URL to one topic: it must not be a
    current topic's id (that page exists) nor be claimed by two topics."""
    current = {topic.id for topic, _ in _topic_locs(catalog.topics, ())}
    claimed: dict[str, str] = {}
    for topic, loc in _topic_locs(catalog.topics, ()):
        for n, old in enumerate(topic.formerly):
            where = (*loc, "formerly", n)
            if old in current:
                message = f"'{old}' is a current topic's id, so its page is not free for a redirect"
                yield _error(catalog, catalog.topics_file, where, message)
            elif (other := claimed.setdefault(old, topic.id)) != topic.id:
                yield _error(catalog, catalog.topics_file, where, f"'{old}' is already claimed by topic '{other}'")
            elif topic.formerly.index(old) != n:
                yield _error(catalog, catalog.topics_file, where, f"'{old}' is listed twice")


def _topic_locs(topics: list[Topic], loc: Loc) -> Iterator[tuple[Topic, Loc]]:
    for index, topic in enumerate(topics):
        yield topic, (*loc, index)
        yield from _topic_locs(topic.children, (*loc, index, "children"))


def unknown_topic(catalog: Catalog, topic: str) -> str | None:
    """The message for a topic id that the topic tree lacks, else None."""
    known = catalog.topic_index
    if topic in known:
        return None
    return f"unknown topic '{topic}'{did_you_mean(topic, known)}"


def _unknown_topics(catalog: Catalog) -> Iterator[Diagnostic]:
    for entry_id, entry in catalog.entries.items():
        if message := unknown_topic(catalog, entry.topic):
            yield _error(catalog, catalog.entry_files[entry_id], ("topic",), message)


def _duplicate_urls(catalog: Catalog) -> Iterator[Diagnostic]:
    first: dict[str, str] = {}
    for entry_id in sorted(catalog.entries):
        entry = catalog.entries[entry_id]
        other = first.setdefault(entry.url_key, entry_id)
        if other != entry_id:
            yield _error(
                catalog,
                catalog.entry_files[entry_id],
                ("url",),
                f"same work as entry '{other}' ({catalog.entries[other].url}); merge the two entries",
            )


def _thin_summaries(catalog: Catalog) -> Iterator[Diagnostic]:
    for entry_id, entry in catalog.entries.items():
        if (count := entry.summary_words()) < MIN_SUMMARY_WORDS:
            yield _error(
                catalog,
                catalog.entry_files[entry_id],
                ("summary",),
                f"summary has {count} words; write at least {MIN_SUMMARY_WORDS}",
                "warning",
            )


def broken_words(text: str) -> Iterator[tuple[int, str]]:
    """(0-based line, how it renders) for each line of `text` that ends in a
    word broken at a hyphen: the next line goes on with text that is not a
    conjunction. A last line has nothing glued to it, so it is left alone."""
    lines = text.split("\n")
    for number, (line, after) in enumerate(pairwise(lines)):
        found = _BROKEN_WORD.search(line.rstrip())
        rest = after.split()
        if found and rest and not _SUSPENDED.fullmatch(rest[0]):
            yield number, f"{found.group(1)} {rest[0]}"


def _words_broken_across_lines(catalog: Catalog) -> Iterator[Diagnostic]:
    for entry_id, entry in catalog.entries.items():
        path = catalog.entry_files[entry_id]
        texts: list[tuple[Loc, str, str]] = [(("summary",), "summary", entry.summary)]
        texts += [(("notes", n), f"note {n + 1}", note) for n, note in enumerate(entry.notes)]
        for loc, field, text in texts:
            for number, rendered in broken_words(text):
                line, col = _line_in_block(catalog, path, loc, number, text)
                yield Diagnostic(
                    path,
                    line,
                    col,
                    "warning",
                    f"{field} breaks a word at a line's end, so the site shows '{rendered}'; "
                    "keep the word on one line (a suspended hyphen such as 'pre- and post-' is fine)",
                )


def _line_in_block(catalog: Catalog, path: Path, loc: Loc, number: int, text: str) -> tuple[int, int]:
    """Where line `number` of a text value ends, in the file. In a `|` block the
    value's lines are the file's lines after the indicator, one for one; for any
    other style (a quoted string with "\\n"), the value's own position."""
    line, col = catalog.locate(path, loc)
    wanted = text.split("\n")[number].rstrip()
    try:
        file_lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return line, col
    candidate = line + 1 + number
    if candidate <= len(file_lines) and file_lines[candidate - 1].rstrip().endswith(wanted):
        return candidate, len(file_lines[candidate - 1].rstrip())
    return line, col


def _empty_topics(catalog: Catalog) -> Iterator[Diagnostic]:
    used = {entry.topic for entry in catalog.entries.values()}
    for topic, loc in _topic_locs(catalog.topics, ()):
        if not used.intersection(catalog.subtopic_ids(topic.id)):
            yield _error(
                catalog,
                catalog.topics_file,
                (*loc, "id"),
                f"topic '{topic.id}' has no entries",
                "warning",
            )


def _list_references(catalog: Catalog, entry_stems: set[str]) -> Iterator[Diagnostic]:
    for list_id, reading_list in catalog.lists.items():
        path = catalog.list_files[list_id]
        seen: set[str] = set()
        for s, section in enumerate(reading_list.sections):
            if not section.entries:
                yield _error(
                    catalog,
                    path,
                    ("sections", s, "title"),
                    f"section '{section.title}' has no entries",
                    "warning",
                )
            for i, entry_id in enumerate(section.entries):
                loc = ("sections", s, "entries", i)
                if entry_id not in entry_stems:
                    yield _error(
                        catalog,
                        path,
                        loc,
                        f"unknown entry '{entry_id}'{did_you_mean(entry_id, entry_stems)}",
                    )
                elif entry_id in seen:
                    yield _error(catalog, path, loc, f"entry '{entry_id}' appears twice in this list")
                seen.add(entry_id)


def _no_way_in(catalog: Catalog) -> Iterator[Diagnostic]:
    """A leaf topic whose readings all start at tier 2 or later is skipped by
    the advice "read tier 1 of every topic first"."""
    tiers: dict[str, set[int]] = {}
    for entry in catalog.entries.values():
        tiers.setdefault(entry.topic, set()).add(entry.tier)
    for topic, loc in _topic_locs(catalog.topics, ()):
        if topic.children or topic.id not in tiers or 1 in tiers[topic.id]:
            continue  # inner topics, and empty ones (reported as empty)
        yield _error(
            catalog,
            catalog.topics_file,
            (*loc, "id"),
            f"topic '{topic.id}' has no tier-1 reading (it starts at tier "
            f"{min(tiers[topic.id])}); readers who read tier 1 of every topic first skip it",
            "warning",
        )


def _source_marks(catalog: Catalog, entry_stems: set[str]) -> Iterator[Diagnostic]:
    for list_id, reading_list in catalog.lists.items():
        marks = reading_list.new_in_source
        if marks is None:
            continue
        path = catalog.list_files[list_id]
        listed = set(reading_list.entry_ids())
        seen: set[str] = set()
        for i, entry_id in enumerate(marks.entries):
            loc = ("new_in_source", "entries", i)
            if entry_id not in entry_stems:
                yield _error(
                    catalog,
                    path,
                    loc,
                    f"unknown entry '{entry_id}'{did_you_mean(entry_id, entry_stems)}",
                )
            elif entry_id not in listed:
                yield _error(
                    catalog,
                    path,
                    loc,
                    f"entry '{entry_id}' is marked new in the source but is not in this list",
                )
            elif entry_id in seen:
                yield _error(catalog, path, loc, f"entry '{entry_id}' is marked twice")
            seen.add(entry_id)


def _look_alike_authors(catalog: Catalog) -> Iterator[Diagnostic]:
    """One warning per place that spells a person the less common way."""
    uses: Counter[str] = Counter()
    places: dict[str, list[tuple[str, int]]] = {}
    for entry_id in sorted(catalog.entries):
        for index, name in enumerate(catalog.entries[entry_id].authors):
            uses[name] += 1
            places.setdefault(name, []).append((entry_id, index))
    declared = [set(group) for group in catalog.authors_config.distinct]
    config = catalog.authors_file
    if config is not None:
        for g, group in enumerate(catalog.authors_config.distinct):
            for n, name in enumerate(group):
                if name not in uses:
                    yield _error(
                        catalog,
                        config,
                        ("distinct", g, n),
                        f"'{name}' is not the name of any author{did_you_mean(name, uses)}",
                        "warning",
                    )
    where = config.name if config is not None else "authors.yaml"
    for a, b in authors.look_alikes(uses):
        if any(a in group and b in group for group in declared):
            continue
        # keep the spelling used more often; on a tie, the fuller one
        keep, other = sorted((a, b), key=lambda n: (-uses[n], -len(n), n))
        for entry_id, index in places[other]:
            yield _error(
                catalog,
                catalog.entry_files[entry_id],
                ("authors", index),
                f"author '{other}' looks like '{keep}' ({_times(uses[keep])} elsewhere); "
                f"write one name per person, or list both under 'distinct' in "
                f"readings/{where} if they are different people",
                "warning",
            )


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"
