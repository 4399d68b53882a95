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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..files import atomic_write
from ..loading import YamlProblem, parse_yaml, read_yaml
from . import roundtrip
from .roundtrip import ENTRY_ORDER, LIST_ORDER, FileType

# -- documents ------------------------------------------------------------------


def _is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.startswith("#")


def _top_level_keys(text: str) -> list[tuple[str, int]]:
    """(key, 0-based line) of each top-level key of a mapping document."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        raise YamlProblem("expected a mapping of fields")
    return [(str(k.value), k.start_mark.line) for k, _ in node.value]


def _format_mapping(text: str, file_type: FileType, order: tuple[str, ...]) -> str:
    lines = text.splitlines(keepends=True)
    keys = _top_level_keys(text)
    if any(lines[line][:1].isspace() for _, line in keys):
        raise YamlProblem("top-level keys must start in the first column")
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
        block = roundtrip.load("".join(body))
        if not isinstance(block, CommentedMap) or list(block) != [key]:
            raise YamlProblem(f"cannot isolate the value of '{key}'")
        block[key] = roundtrip.style_value(key, block[key], file_type)
        out += comments
        out.append(roundtrip.dump(block))
    out += footer
    result = "".join(line if line.endswith("\n") else line + "\n" for line in out)
    return result


def _format_topics(text: str) -> str:
    data = roundtrip.load(text)
    roundtrip.style_topics(data)
    dumped = roundtrip.dump(data)
    if isinstance(data, CommentedSeq) and not data.fa.flow_style():
        # a top-level list starts in the first column, nested ones are indented
        dumped = "".join(line[2:] if line.startswith("  ") else line for line in dumped.splitlines(keepends=True))
    return dumped


def file_type_of(path: Path) -> FileType:
    """'entry', 'list' or 'topics', from where the file lives."""
    if path.name in ("topics.yaml", "topics.yml"):
        return "topics"
    if path.parent.name == "lists":
        return "list"
    return "entry"


def format_text(text: str, file_type: FileType) -> str:
    """The canonical form of a file's text. Raises YamlProblem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    try:
        if file_type == "topics":
            result = _format_topics(text)
        else:
            order = LIST_ORDER if file_type == "list" else ENTRY_ORDER
            result = _format_mapping(text, file_type, order)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlProblem(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
        ) from None
    except YamlProblem:
        raise
    except Exception as exc:  # ruamel errors: report, never crash the run
        raise YamlProblem(f"cannot format: {exc}") from None
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
        raise YamlProblem(f"formatting would produce unreadable YAML ({exc}); file left alone") from None
    if not same:
        raise YamlProblem("formatting would change the data; file left alone (please report this)")


# -- files ------------------------------------------------------------------------


@dataclass
class FormatResult:
    """What `fmt` did with one file: changed it (or would), or why not."""

    path: Path
    changed: bool
    error: YamlProblem | None = None


def yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files named by `paths`, directories walked in sorted order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            yield path


def format_file(path: Path, *, check: bool = False) -> FormatResult:
    """Format one file in place (or, with `check`, only say whether it would change)."""
    try:
        read_yaml(path)  # the project's safety rules first: no anchors, tabs, dup keys...
    except YamlProblem as exc:
        return FormatResult(path, False, exc)
    except OSError as exc:
        return FormatResult(path, False, YamlProblem(f"cannot read: {exc.strerror or exc}"))
    text = path.read_bytes().decode("utf-8")
    try:
        formatted = format_text(text, file_type_of(path))
    except YamlProblem as exc:
        return FormatResult(path, False, exc)
    changed = formatted != text
    if changed and not check:
        atomic_write(path, formatted)
    return FormatResult(path, changed)


def run(paths: list[Path], *, check: bool = False) -> list[FormatResult]:
    return [format_file(path, check=check) for path in yaml_files(paths)]
