"""The YAML round trip: read a file keeping comments and quoting, style its
values the project's way, write it back.

`readlist fmt` formats whole files with it; `new` and `import` build new
files with it, so a file they write is already in `fmt`'s layout. It is
ruamel.yaml in round-trip mode, set up once here; reading for validation
goes through `loading` instead (PyYAML, positions, safety rules).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)

FileType = Literal["entry", "list", "topics"]
"""Which of the three kinds of file under readings/ a text is."""

ENTRY_ORDER = (
    "title",
    "url",
    "topic",
    "tier",
    "kind",
    "length",
    "authors",
    "year",
    "added",
    "tags",
    "aka",
    "summary",
    "notes",
    "links",
    "archived",
)
LIST_ORDER = ("title", "source", "description", "sections", "new_in_source")
MARKS_ORDER = ("label", "entries")
SECTION_ORDER = ("title", "description", "entries")
SOURCE_ORDER = ("title", "url", "author")
LINK_ORDER = ("title", "url")
TOPIC_ORDER = ("id", "title", "description", "children")

FLOW_LISTS = frozenset({"authors", "tags", "aka"})
LITERAL_ALWAYS = frozenset({"summary"})


def _round_trip() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1 << 16  # never re-wrap a long line
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def load(text: str) -> Any:
    """Round-trip data (CommentedMap, CommentedSeq, ScalarString...) from YAML text.

    Raises ruamel.yaml's errors for text that is not YAML."""
    return _round_trip().load(text)


def dump(data: Any) -> str:
    """YAML text of round-trip data: two-space indentation, no re-wrapping."""
    out = io.StringIO()
    _round_trip().dump(data, out)
    return out.getvalue()


def _has_comments(node: Any) -> bool:
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if any(node.ca.items.values()) or any(node.ca.comment or []):
            return True
        children = node.values() if isinstance(node, CommentedMap) else node
        return any(_has_comments(child) for child in children)
    return False


def _reorder(mapping: CommentedMap, order: Iterable[str]) -> None:
    """Known keys first, in `order`; unknown keys after them, as they were."""
    order = list(order)
    known = [k for k in order if k in mapping]
    rest = [k for k in mapping if k not in order]
    for key in known + rest:
        mapping.move_to_end(key)


_FLOW_UNSAFE = re.compile(r"[:#,\[\]{}?&*!|>'\"%@`]|^\s|\s$|^-")


def _flow_safe(value: Any) -> Any:
    """Plain strings that PyYAML could misread inside [...] or {...} get quoted."""
    if isinstance(value, str) and not isinstance(value, ScalarString) and _FLOW_UNSAFE.search(value):
        return DoubleQuotedScalarString(value)
    return value


def _flow(node: Any, flow: bool) -> None:
    if isinstance(node, (CommentedMap, CommentedSeq)) and not _has_comments(node):
        if flow:
            node.fa.set_flow_style()
            if isinstance(node, CommentedMap):
                for key in list(node):
                    node[key] = _flow_safe(node[key])
            else:
                for i, item in enumerate(node):
                    node[i] = _flow_safe(item)
        else:
            node.fa.set_block_style()


def _literal(value: Any, always: bool) -> Any:
    if not isinstance(value, str) or isinstance(value, (LiteralScalarString, FoldedScalarString)):
        return value
    if not always and "\n" not in value.rstrip("\n"):
        return value
    if not value.strip() or re.search(r"[ \t]\n|[ \t]$", value) or "\t" in value:
        return value  # a literal block cannot hold trailing spaces; keep it quoted
    return LiteralScalarString(value if value.endswith("\n") else value + "\n")


def style_value(key: str, value: Any, file_type: FileType) -> Any:
    """`value` (of top-level `key`) styled the project's way: flow or block
    lists, literal blocks, keys of nested mappings in order. Mutates and
    returns it (a plain string comes back as a new ScalarString)."""
    if file_type == "entry":
        if key in FLOW_LISTS:
            _flow(value, True)
        elif key == "notes" and isinstance(value, CommentedSeq):
            _flow(value, False)
            for i, note in enumerate(value):
                value[i] = _literal(note, False)
        elif key == "links" and isinstance(value, CommentedSeq):
            _flow(value, False)
            for link in value:
                if isinstance(link, CommentedMap):
                    _reorder(link, LINK_ORDER)
                    _flow(link, True)
        elif key in LITERAL_ALWAYS:
            value = _literal(value, True)
    elif file_type == "list":
        if key == "source" and isinstance(value, CommentedMap):
            _reorder(value, SOURCE_ORDER)
            _flow(value, True)
        elif key == "description":
            value = _literal(value, False)
        elif key == "sections" and isinstance(value, CommentedSeq):
            _flow(value, False)
            for section in value:
                if isinstance(section, CommentedMap):
                    _reorder(section, SECTION_ORDER)
                    _flow(section, False)
                    if "description" in section:
                        section["description"] = _literal(section["description"], False)
                    _flow(section.get("entries"), True)
        elif key == "new_in_source" and isinstance(value, CommentedMap):
            _reorder(value, MARKS_ORDER)
            _flow(value, False)
            _flow(value.get("entries"), True)
    return value


def style_topics(topics: Any) -> None:
    """Style a topics.yaml tree in place: block lists, keys in TOPIC_ORDER."""
    if not isinstance(topics, CommentedSeq):
        return
    _flow(topics, False)
    for topic in topics:
        if isinstance(topic, CommentedMap):
            _reorder(topic, TOPIC_ORDER)
            _flow(topic, False)
            if "description" in topic:
                topic["description"] = _literal(topic["description"], False)
            style_topics(topic.get("children"))
