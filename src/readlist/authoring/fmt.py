"""`readlist fmt`: one canonical key order and layout for every YAML file.

The layout is the one the data already uses, written down:

* entries: keys in ENTRY_ORDER; `authors`, `tags` and `aka` as flow lists
  (`[a, b]`); `notes` and `links` as block lists, each link a flow mapping
  `{title: ..., url: ...}`; `summary` as a literal block (`|`);
* lists: keys in LIST_ORDER; `source` as a flow mapping; sections as a block
  list, each with `title, description, entries` and `entries` as a flow list;
* topics.yaml: `id, title, description, children` in every topic;
* two-space indentation, sequences indented under their key, no blank lines
  between top-level keys, one newline at the end, long lines never wrapped.

Comments are kept. A comment line above a top-level key moves with that key
when keys are reordered; comments above the first key stay at the top of the
file, comments at the end stay at the end. Quoting of scalars is kept as
written. Before a file is rewritten the new text is parsed again and must hold
exactly the same data (a summary may gain its final newline); otherwise the
file is left alone and the problem reported. Writes go to a temporary file in
the same directory that is then renamed over the original, so a reader never
sees half a file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)

from ..files import atomic_write
from ..loading import MAX_BYTES, YamlProblem, parse_yaml, read_yaml

ENTRY_ORDER = (
    "title", "url", "topic", "tier", "kind", "length", "authors", "year", "added",
    "tags", "aka", "summary", "notes", "links", "archived",
)
LIST_ORDER = ("title", "source", "description", "sections", "new_in_source")
MARKS_ORDER = ("label", "entries")
SECTION_ORDER = ("title", "description", "entries")
SOURCE_ORDER = ("title", "url", "author")
LINK_ORDER = ("title", "url")
TOPIC_ORDER = ("id", "title", "description", "children")

FLOW_LISTS = frozenset({"authors", "tags", "aka"})
LITERAL_ALWAYS = frozenset({"summary"})
LITERAL_WHEN_MULTILINE = frozenset({"description", "notes"})


class FormatError(Exception):
    """A file that cannot be formatted safely; carries a position."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1 << 16  # never re-wrap a long line
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


# -- styles ---------------------------------------------------------------------


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


def _style_value(key: str, value: Any, doc_kind: str) -> Any:
    if doc_kind == "entry":
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
    elif doc_kind == "list":
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


def _style_topics(topics: Any) -> None:
    if not isinstance(topics, CommentedSeq):
        return
    _flow(topics, False)
    for topic in topics:
        if isinstance(topic, CommentedMap):
            _reorder(topic, TOPIC_ORDER)
            _flow(topic, False)
            if "description" in topic:
                topic["description"] = _literal(topic["description"], False)
            _style_topics(topic.get("children"))


# -- documents ------------------------------------------------------------------


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.startswith("#")


def _top_level_keys(text: str) -> list[tuple[str, int]]:
    """(key, 0-based line) of each top-level key of a mapping document."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        raise FormatError("expected a mapping of fields")
    return [(str(k.value), k.start_mark.line) for k, _ in node.value]


def _format_mapping(text: str, doc_kind: str, order: tuple[str, ...]) -> str:
    lines = text.splitlines(keepends=True)
    keys = _top_level_keys(text)
    if any(lines[line][:1].isspace() for _, line in keys):
        raise FormatError("top-level keys must start in the first column")
    header = [line for line in lines[: keys[0][1]] if line.strip()]
    blocks: dict[str, tuple[list[str], list[str]]] = {}
    pending: list[str] = []
    for n, (key, start) in enumerate(keys):
        end = keys[n + 1][1] if n + 1 < len(keys) else len(lines)
        body = lines[start:end]
        trailing: list[str] = []
        while body and _is_comment_or_blank(body[-1]) and len(body) > 1:
            trailing.insert(0, body.pop())
        blocks[key] = ([line for line in pending if line.strip()], body)
        pending = trailing
    footer = [line for line in pending if line.strip()]

    ordered = [k for k in order if k in blocks] + [k for k, _ in keys if k not in order]
    out: list[str] = list(header)
    for key in ordered:
        comments, body = blocks[key]
        block = _yaml().load("".join(body))
        if not isinstance(block, CommentedMap) or list(block) != [key]:
            raise FormatError(f"cannot isolate the value of '{key}'")
        block[key] = _style_value(key, block[key], doc_kind)
        out += comments
        out.append(_dump(block))
    out += footer
    result = "".join(line if line.endswith("\n") else line + "\n" for line in out)
    return result


def _format_topics(text: str) -> str:
    data = _yaml().load(text)
    _style_topics(data)
    dumped = _dump(data)
    if isinstance(data, CommentedSeq) and not data.fa.flow_style():
        # a top-level list starts in the first column, nested ones are indented
        dumped = "".join(
            line[2:] if line.startswith("  ") else line for line in dumped.splitlines(keepends=True)
        )
    return dumped


def detect_kind(path: Path) -> str:
    """'entry', 'list' or 'topics', from where the file lives."""
    if path.name in ("topics.yaml", "topics.yml"):
        return "topics"
    if path.parent.name == "lists":
        return "list"
    return "entry"


def format_text(text: str, kind: str) -> str:
    """The canonical form of a file's text. Raises FormatError."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    try:
        if kind == "topics":
            result = _format_topics(text)
        else:
            order = LIST_ORDER if kind == "list" else ENTRY_ORDER
            result = _format_mapping(text, kind, order)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FormatError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
        ) from None
    except FormatError:
        raise
    except Exception as exc:  # ruamel errors: report, never crash the run
        raise FormatError(f"cannot format: {exc}") from None
    _same_data(text, result)
    return result


def _plain(node: Any) -> Any:
    """Data as the project's loader reads it, with block-scalar endings folded."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return node.rstrip("\n")
    return node


def _data(text: str) -> Any:
    return _plain(parse_yaml(text).data)


def _same_data(before: str, after: str) -> None:
    try:
        same = _data(before) == _data(after)
    except (yaml.YAMLError, YamlProblem) as exc:
        raise FormatError(f"formatting would produce unreadable YAML ({exc}); file left alone") from None
    if not same:
        raise FormatError("formatting would change the data; file left alone (please report this)")


# -- files ------------------------------------------------------------------------


@dataclass
class Result:
    path: Path
    changed: bool
    error: FormatError | None = None


def yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files named by `paths`, directories walked in sorted order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            yield path


def format_file(path: Path, *, check: bool = False) -> Result:
    """Format one file in place (or, with `check`, only say whether it would change)."""
    try:
        read_yaml(path)  # the project's safety rules first: no anchors, tabs, dup keys...
    except YamlProblem as exc:
        return Result(path, False, FormatError(exc.message, exc.line, exc.col))
    except OSError as exc:
        return Result(path, False, FormatError(f"cannot read: {exc.strerror or exc}"))
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:  # pragma: no cover - read_yaml refuses first
        return Result(path, False, FormatError("file too large"))
    text = raw.decode("utf-8")
    try:
        formatted = format_text(text, detect_kind(path))
    except FormatError as exc:
        return Result(path, False, exc)
    changed = formatted != text
    if changed and not check:
        atomic_write(path, formatted)
    return Result(path, changed)


def run(paths: list[Path], *, check: bool = False) -> list[Result]:
    return [format_file(path, check=check) for path in yaml_files(paths)]
