"""The data model: what one reading, one topic and one curated list are.

The models are strict (unknown fields are errors) and know nothing of files,
MkDocs, the network or the terminal. The Catalog ties them together and offers
the derived views that every consumer needs (topic paths, list membership,
reading time), so that no consumer recomputes them its own way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    WithJsonSchema,
)

from . import urls

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX = 80

Slug = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX)]

Kind = Literal[
    "paper",
    "post",
    "video",
    "course",
    "book",
    "chapter",
    "thesis",
    "talk",
    "code",
    "thread",
    "notes",
]
KINDS: tuple[str, ...] = get_args(Kind)

TIERS = (1, 2, 3, 4)
MIN_YEAR = 1600

DEFAULT_WPM = 220  # words a minute, for reading times
NEW_DAYS = 30  # an entry added within this many days is shown as new
WORDS_PER_PAGE = 400

_LENGTH = re.compile(
    r"^(?P<approx>~\s*)?(?P<value>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>words?|min(?:utes?|s)?|h(?:ours?|rs?)?|pages?)$",
    re.IGNORECASE,
)
LengthUnit = Literal["words", "min", "h", "pages"]
_UNITS: dict[str, LengthUnit] = {"w": "words", "m": "min", "h": "h", "p": "pages"}

Loc = tuple[str | int, ...]
"""Where a value sits in a file: the keys and list indexes that lead to it."""
Spans = dict[Loc, tuple[int, int]]
"""(line, column), 1-based, of each value (and key) of one file."""


def nearest_position(spans: Spans, loc: Loc) -> tuple[int, int]:
    """(line, column) of the value at `loc`, or of its nearest parent that has
    one (a missing field has no position of its own); (1, 1) at worst."""
    while loc and loc not in spans:
        loc = loc[:-1]
    return spans.get(loc, (1, 1))


def _web_url(value: str) -> str:
    value = value.strip()
    if not urls.is_web_url(value):
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


WebUrl = Annotated[
    str,
    AfterValidator(_web_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
Text = Annotated[str, AfterValidator(_text)]


def _max_year() -> int:
    return dt.date.today().year + 1


def _year(value: int) -> int:
    if not MIN_YEAR <= value <= _max_year():
        raise ValueError(f"must be between {MIN_YEAR} and {_max_year()}")
    return value


@dataclass(frozen=True)
class Length:
    """A parsed `length`: an amount of words, pages or time, maybe approximate."""

    value: float
    unit: LengthUnit
    approximate: bool
    text: str

    @classmethod
    def parse(cls, text: str) -> Length:
        match = _LENGTH.match(text.strip())
        if not match:
            raise ValueError("must look like '~8,000 words', '45 min', '1.5 h' or '300 pages'")
        value = float(match["value"].replace(",", ""))
        if value <= 0:
            raise ValueError("must be more than zero")
        unit = _UNITS[match["unit"][0].lower()]
        return cls(value, unit, bool(match["approx"]), text.strip())

    def words(self) -> int | None:
        """Words to read; None for videos and talks measured in time."""
        if self.unit == "words":
            return int(self.value)
        if self.unit == "pages":
            return int(self.value * WORDS_PER_PAGE)
        return None

    def minutes(self, wpm: int = DEFAULT_WPM) -> float:
        """Reading (or watching) time in minutes at `wpm` words per minute."""
        if self.unit == "min":
            return self.value
        if self.unit == "h":
            return self.value * 60
        return (self.words() or 0) / wpm


def _length(value: str) -> str:
    Length.parse(value)
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Link(_Strict):
    title: Text
    url: WebUrl


class Entry(_Strict):
    """One reading. Its id is the file stem, set by the loader."""

    id: Slug = Field(exclude=True, description="The file stem; not written in the file.")
    title: Text
    url: WebUrl
    topic: Slug
    tier: int = Field(ge=1, le=4, description="1..4; 4 is shown as 'Tier 4+'.")
    kind: Kind | None = None
    length: Annotated[str, AfterValidator(_length)] | None = Field(
        default=None,
        description="'~8,000 words', '45 min', '1.5 h' or '300 pages'; '~' marks an estimate.",
        json_schema_extra={"pattern": _LENGTH.pattern},
    )
    summary: Text = Field(description="Markdown, in the project's own words.")
    authors: list[Text] = Field(
        default=[],
        description="Every author, in the work's order; never cut (the site shows three and "
        "'et al.', the exports carry everyone). One spelling per person across the list.",
    )
    year: Annotated[int, AfterValidator(_year)] | None = None
    added: dt.date | None = Field(
        default=None,
        description="The day the reading entered this catalog ('new' badges, feed).",
    )
    tags: list[Slug] = []
    notes: list[Text] = []
    links: list[Link] = []
    aka: list[Text] = []
    archived: WebUrl | None = None

    @cached_property
    def parsed_length(self) -> Length | None:
        return Length.parse(self.length) if self.length else None

    def words(self) -> int | None:
        return self.parsed_length.words() if self.parsed_length else None

    def minutes(self, wpm: int = DEFAULT_WPM) -> float:
        return self.parsed_length.minutes(wpm) if self.parsed_length else 0.0

    @cached_property
    def url_key(self) -> str:
        return urls.normalize(self.url)

    def summary_words(self) -> int:
        return len(self.summary.split())

    def cited_urls(self) -> list[tuple[str, Loc]]:
        """Every URL the entry cites, with where it sits in the file: `url`,
        each `links[].url`, `archived`. The link checker checks these."""
        found: list[tuple[str, Loc]] = [(self.url, ("url",))]
        found += [(link.url, ("links", index, "url")) for index, link in enumerate(self.links)]
        if self.archived:
            found.append((self.archived, ("archived",)))
        return found


class Topic(_Strict):
    id: Slug
    title: Text
    description: str | None = None
    formerly: list[Slug] = Field(
        default=[],
        description="Ids this topic was published under before (a rename or a split): "
        "the site keeps each old topic URL working as a redirect to this topic.",
    )
    children: list[Topic] = []

    def walk(self, depth: int = 0) -> Iterator[tuple[Topic, int]]:
        """Yield (topic, depth) for this topic and all below it, in order."""
        yield self, depth
        for child in self.children:
            yield from child.walk(depth + 1)


class Source(_Strict):
    title: Text
    url: WebUrl | None = None
    author: str | None = None


class Section(_Strict):
    title: Text
    description: str | None = None
    entries: list[Slug] = []


class SourceMarks(_Strict):
    """Entries the list's source itself marks as new (its "✨ added after
    2024/4/1"): a fact about the source, kept with the list, not our `added`."""

    label: Text = Field(description="The source's own words for the mark, e.g. 'Added after 2024/4/1'.")
    entries: list[Slug] = Field(description="Entry ids of this list that the source marks.")


class ReadingList(_Strict):
    id: Slug = Field(exclude=True)
    title: Text
    source: Source | None = None
    description: str | None = None
    new_in_source: SourceMarks | None = None
    sections: list[Section]

    def entry_ids(self) -> list[str]:
        return [eid for section in self.sections for eid in section.entries]

    def cited_urls(self) -> list[tuple[str, Loc]]:
        """The URLs the list cites (its source's), with where each sits in the file."""
        if self.source is not None and self.source.url:
            return [(self.source.url, ("source", "url"))]
        return []


def _distinct_group(names: list[str]) -> list[str]:
    if len(set(names)) < 2:
        raise ValueError("list at least two different names")
    return names


class AuthorsConfig(_Strict):
    """`readings/authors.yaml`: decisions about author names."""

    distinct: list[Annotated[list[Text], AfterValidator(_distinct_group)]] = Field(
        default=[],
        description="Groups of names that look like one person but are different people.",
    )


class Catalog(BaseModel):
    """Everything under `readings/`, plus where each value came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    root: Path
    topics: list[Topic]
    entries: dict[str, Entry]
    lists: dict[str, ReadingList]
    topics_file: Path
    entry_files: dict[str, Path] = {}
    list_files: dict[str, Path] = {}
    authors_config: AuthorsConfig = AuthorsConfig()
    authors_file: Path | None = None  # readings/authors.yaml when it exists
    _positions: dict[Path, Spans] = PrivateAttr(default_factory=dict)

    # -- topics -----------------------------------------------------------
    @cached_property
    def topic_index(self) -> dict[str, Topic]:
        return {topic.id: topic for topic, _ in self.walk_topics()}

    @cached_property
    def _parents(self) -> dict[str, str | None]:
        parents: dict[str, str | None] = {}

        def visit(topic: Topic, parent: str | None) -> None:
            parents[topic.id] = parent
            for child in topic.children:
                visit(child, topic.id)

        for top in self.topics:
            visit(top, None)
        return parents

    def walk_topics(self) -> Iterator[tuple[Topic, int]]:
        """(topic, depth) for every topic, depth-first, in file order."""
        for top in self.topics:
            yield from top.walk()

    def topic_path(self, topic_id: str) -> list[Topic]:
        """The topics from the root down to `topic_id`."""
        path: list[Topic] = []
        current: str | None = topic_id
        while current is not None and current in self.topic_index:
            path.append(self.topic_index[current])
            current = self._parents[current]
        return path[::-1]

    def subtopic_ids(self, topic_id: str) -> list[str]:
        return [t.id for t, _ in self.topic_index[topic_id].walk()]

    # -- entries ----------------------------------------------------------
    @cached_property
    def _topic_order(self) -> dict[str, int]:
        return {topic.id: n for n, (topic, _) in enumerate(self.walk_topics())}

    def ordered_entries(self) -> list[Entry]:
        """All entries in reading order: topic order, then tier, then title."""
        order = self._topic_order
        return sorted(
            self.entries.values(),
            key=lambda e: (order.get(e.topic, len(order)), e.tier, e.title.lower()),
        )

    @cached_property
    def _membership(self) -> dict[str, list[str]]:
        member: dict[str, list[str]] = {}
        for list_id, reading_list in self.lists.items():
            for entry_id in dict.fromkeys(reading_list.entry_ids()):
                member.setdefault(entry_id, []).append(list_id)
        return member

    def lists_of(self, entry_id: str) -> list[ReadingList]:
        """The curated lists that include an entry."""
        return [self.lists[lid] for lid in self._membership.get(entry_id, [])]

    # -- source positions ---------------------------------------------------
    def remember_positions(self, positions: dict[Path, Spans]) -> None:
        """Keep where each value of each file sits, for `locate` (the loader
        calls this once; positions are not data, so they are not a field)."""
        self._positions.update(positions)

    def locate(self, path: Path, loc: Loc = ()) -> tuple[int, int]:
        """(line, column), 1-based, of a value in a file; the nearest known parent
        when the exact value has no position (e.g. a missing field)."""
        return nearest_position(self._positions.get(path, {}), loc)


def file_schema(model: type[Entry] | type[ReadingList] | type[AuthorsConfig]) -> dict[str, Any]:
    """The JSON Schema of one entry, list or authors.yaml file, for editors and other tools.

    The id is the file name, not a field, so the schema leaves it out."""
    schema = model.model_json_schema(mode="validation")
    schema["properties"].pop("id", None)
    if "id" in schema.get("required", []):
        schema["required"].remove("id")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
