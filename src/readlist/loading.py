"""YAML files -> position-carrying data -> validated models -> one Catalog.

PyYAML's C composer builds the node graph (with line and column of every
value); we then turn nodes into plain data ourselves instead of letting a
constructor do it. That is what makes the safety rules cheap and exact:

* no implicit resolvers, so every scalar is read as written (`no` stays
  "no", `1.10` stays "1.10"); pydantic does the typing, with our positions;
* a tag other than str/seq/map (e.g. `!!python/object`) is an error, nothing
  is ever constructed;
* anchors and aliases are refused before composing (a "billion laughs" file
  stops at its first anchor), duplicate keys are refused while walking.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from .diagnostics import Diagnostic, did_you_mean
from .models import (
    ID_MAX,
    ID_PATTERN,
    AuthorsConfig,
    Catalog,
    Entry,
    Loc,
    ReadingList,
    Spans,
    Topic,
    nearest_position,
)

MAX_BYTES = 1024 * 1024
KEY = "<key>"  # marks the position of a mapping key in a span table

if TYPE_CHECKING:  # the C loader has the same interface; the stubs know only one of them
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map"))
_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _Loader(_BaseLoader):
    """A safe loader with no implicit resolvers: every plain scalar is a str.

    The composer calls `resolve` only for untagged nodes; explicit tags keep
    their name, which is how we spot and refuse them.
    """

    def resolve(self, node_class: type[yaml.Node], value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[node_class]


_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)
_ID = re.compile(ID_PATTERN)
_TOPICS = TypeAdapter(list[Topic])

_Model = TypeVar("_Model", Entry, ReadingList)


class YamlProblem(Exception):
    """A file that is not acceptable YAML, or (from `fmt`) cannot be rewritten
    safely; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass
class Document:
    """One parsed file: its data and the position of each value and key."""

    path: Path
    data: Any
    spans: Spans = field(default_factory=dict)

    def at(self, loc: Loc) -> tuple[int, int]:
        return nearest_position(self.spans, loc)


@dataclass
class Loaded:
    """The result of loading a readings directory.

    `catalog` holds every file that passed validation; `diagnostics` everything
    that did not, plus the cross-entry rules.
    """

    catalog: Catalog
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


# -- one file ---------------------------------------------------------------


def read_yaml(path: Path) -> Document:
    """Parse one file safely, keeping positions. Raises YamlProblem."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlProblem(f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (1 MiB)")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        raise YamlProblem(f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)", line, col) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path = Path("<text>")) -> Document:
    """Parse YAML text safely, keeping positions. Raises YamlProblem.

    `read_yaml` reads a file into this; `fmt` uses it to compare a file's
    data before and after formatting, read exactly as `validate` reads it.
    """
    if "\t" in text and (tab := _TAB_INDENT.search(text)):
        offset = tab.end() - 1
        line = text.count("\n", 0, offset) + 1
        col = offset - text.rfind("\n", 0, offset)
        raise YamlProblem("tab character in indentation; indent with spaces", line, col)
    if "&" in text or "*" in text:
        _refuse_anchors(text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" (the construct began on line {exc.context_mark.line + 1})"
        raise YamlProblem(
            f"invalid YAML: {message}",
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}") from None
    if node is None:
        raise YamlProblem("file is empty")
    doc = Document(path, None)
    doc.data = _to_data(node, (), doc.spans)
    return doc


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[line_start:offset].decode("utf-8", "replace")) + 1


def _refuse_anchors(text: str) -> None:
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise YamlProblem(
                    "YAML anchors and aliases are not allowed; write the value out",
                    mark.line + 1 if mark else 1,
                    mark.column + 1 if mark else 1,
                )
    except yaml.YAMLError:
        return  # a syntax error: composing reports it with its position


def _to_data(node: yaml.Node, loc: Loc, spans: Spans) -> Any:
    """Plain data from a node tree, recording where each value and key is.

    Aliases need no check here: a file can only hold them if it contains '&'
    or '*', and such files went through `_refuse_anchors` first.
    """
    mark = node.start_mark
    spans[loc] = (mark.line + 1, mark.column + 1)
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        if node.style == "" and node.value in ("", "~", "null"):
            return None
        return node.value
    if isinstance(node, yaml.ScalarNode):
        raise YamlProblem(f"YAML tags such as '{node.tag}' are not allowed", *spans[loc])
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise YamlProblem(f"YAML tags such as '{node.tag}' are not allowed", *spans[loc])
        return [_to_data(item, (*loc, i), spans) for i, item in enumerate(node.value)]
    if node.tag != _MAP:
        raise YamlProblem(f"YAML tags such as '{node.tag}' are not allowed", *spans[loc])
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_mark = key_node.start_mark
        key_pos = (key_mark.line + 1, key_mark.column + 1)
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise YamlProblem("mapping keys must be plain strings", *key_pos)
        key = key_node.value
        if key in result:
            first = spans[(*loc, key, KEY)]
            raise YamlProblem(f"duplicate key '{key}' (first defined on line {first[0]})", *key_pos)
        spans[(*loc, key, KEY)] = key_pos
        result[key] = _to_data(value_node, (*loc, key), spans)
    return result


# -- files into models --------------------------------------------------------


def _validation_diagnostics(doc: Document, exc: ValidationError, fields: set[str]) -> list[Diagnostic]:
    found = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        error_type = err["type"]
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        name = name.lstrip(".")
        if error_type == "extra_forbidden":
            last = str(loc[-1])
            known = fields if len(loc) == 1 else ()
            message = f"unknown field '{last}'{did_you_mean(last, known)}"
            line, col = doc.spans.get((*loc, KEY), doc.at(loc))
        elif error_type == "missing":
            message = f"missing required field '{name}'"
            line, col = doc.at(loc[:-1])
        else:
            text = err["msg"].removeprefix("Value error, ")
            text = text[0].lower() + text[1:]
            value = err.get("input")
            shown = f" (got {value!r})" if isinstance(value, str) and len(value) < 60 else ""
            message = f"{name}: {text}{shown}"
            line, col = doc.at(loc)
        found.append(Diagnostic(doc.path, line, col, "error", message))
    return found


def _check_stem(path: Path) -> Diagnostic | None:
    stem = path.stem
    if _ID.match(stem) and len(stem) <= ID_MAX:
        return None
    return Diagnostic(
        path,
        1,
        1,
        "error",
        f"file name '{path.name}' is not a valid id: use lowercase letters, digits and "
        f"single hyphens, at most {ID_MAX} characters",
    )


def _mapping_model(
    path: Path, model: type[_Model], problems: list[Diagnostic], unvalidated: list[Document]
) -> tuple[_Model, Document] | None:
    """Read one entry or list file into `model`, collecting problems.

    A mapping that fails validation goes to `unvalidated`, so that its
    references can still be checked in the same run."""
    try:
        doc = read_yaml(path)
    except YamlProblem as exc:
        problems.append(Diagnostic(path, exc.line, exc.col, "error", exc.message))
        return None
    if bad_stem := _check_stem(path):
        problems.append(bad_stem)
        return None
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        problems.append(Diagnostic(path, 1, 1, "error", f"expected a mapping of fields, found {what}"))
        return None
    if "id" in doc.data:
        line, col = doc.spans[("id", KEY)]
        problems.append(Diagnostic(path, line, col, "error", "unknown field 'id' (the id is the file name)"))
        return None
    try:
        return model.model_validate({**doc.data, "id": path.stem}), doc
    except ValidationError as exc:
        problems.extend(_validation_diagnostics(doc, exc, set(model.model_fields) - {"id"}))
        unvalidated.append(doc)
        return None


def _load_folder(
    folder: Path,
    model: type[_Model],
    problems: list[Diagnostic],
    positions: dict[Path, Spans],
    unvalidated: list[Document],
) -> tuple[dict[str, _Model], dict[str, Path]]:
    """Every `*.yaml` in `folder` as `model`: ({id: model}, {id: path})."""
    loaded: dict[str, _Model] = {}
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        if result := _mapping_model(path, model, problems, unvalidated):
            item, doc = result
            loaded[item.id], files[item.id] = item, path
            positions[path] = doc.spans
    return loaded, files


AUTHORS_FILE = "authors.yaml"


def _load_authors(path: Path, problems: list[Diagnostic], positions: dict[Path, Spans]) -> AuthorsConfig:
    """`readings/authors.yaml`, optional: names declared to be different people."""
    if not path.is_file():
        return AuthorsConfig()
    try:
        doc = read_yaml(path)
    except YamlProblem as exc:
        problems.append(Diagnostic(path, exc.line, exc.col, "error", exc.message))
        return AuthorsConfig()
    if not isinstance(doc.data, dict):
        problems.append(Diagnostic(path, 1, 1, "error", "expected a mapping such as 'distinct: [[A, B]]'"))
        return AuthorsConfig()
    try:
        config = AuthorsConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_validation_diagnostics(doc, exc, set(AuthorsConfig.model_fields)))
        return AuthorsConfig()
    positions[path] = doc.spans
    return config


def load(root: Path | str, *, strict: bool = False) -> Loaded:
    """Load `root` (a readings directory) into a Catalog and run every rule."""
    with _no_cyclic_gc():
        return _load(Path(root), strict)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a catalog is built.

    Loading creates many small objects that stay alive (models, position
    tables) and no reference cycles; each collection pass would walk all of
    them again, for nothing. Reference counting still frees everything
    temporary. It stays while it earns 10% on `benchmarks/validate.py` (the
    alternating runs are in benchmarks/RESULTS.md).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(root: Path, strict: bool) -> Loaded:
    from . import rules  # rules need the catalog type; imported late to keep layers clear

    problems: list[Diagnostic] = []
    positions: dict[Path, Spans] = {}

    topics_file = root / "topics.yaml"
    topics: list[Topic] = []
    if not topics_file.is_file():
        problems.append(Diagnostic(topics_file, 1, 1, "error", "topics.yaml is missing"))
    else:
        try:
            doc = read_yaml(topics_file)
            if not isinstance(doc.data, list):
                raise YamlProblem("topics.yaml must be a list of topics")
            topics = _TOPICS.validate_python(doc.data)
            positions[topics_file] = doc.spans
        except YamlProblem as exc:
            problems.append(Diagnostic(topics_file, exc.line, exc.col, "error", exc.message))
        except ValidationError as exc:
            problems.extend(_validation_diagnostics(doc, exc, set(Topic.model_fields)))

    broken_entries: list[Document] = []
    entries, entry_files = _load_folder(root / "entries", Entry, problems, positions, broken_entries)
    lists, list_files = _load_folder(root / "lists", ReadingList, problems, positions, [])
    authors_file = root / AUTHORS_FILE
    authors_config = _load_authors(authors_file, problems, positions)

    catalog = Catalog(
        root=root,
        topics=topics,
        entries=entries,
        lists=lists,
        topics_file=topics_file,
        entry_files=entry_files,
        list_files=list_files,
        authors_config=authors_config,
        authors_file=authors_file if authors_file.is_file() else None,
    )
    catalog.remember_positions(positions)
    entry_stems = {p.stem for p in (root / "entries").glob("*.yaml")}
    problems.extend(rules.check(catalog, entry_stems, topics_ok=bool(topics)))
    if topics:  # an entry with a bad field still gets its topic checked in this run
        for doc in broken_entries:
            topic = doc.data.get("topic")
            if isinstance(topic, str) and _ID.match(topic) and (message := rules.unknown_topic(catalog, topic)):
                problems.append(Diagnostic(doc.path, *doc.at(("topic",)), "error", message))
    if strict:
        problems = [
            Diagnostic(d.path, d.line, d.col, "error", d.message) if d.severity == "warning" else d for d in problems
        ]
    return Loaded(catalog, sorted(problems))
