"""``--fix``: rewrite permanently redirected URLs in the YAML files, in place,
and add ``archived:`` (the closest Wayback snapshot) to entries whose ``url``
is broken. ``url`` itself is never touched for a broken link.

ruamel.yaml finds the exact scalar (so a URL is only replaced where the YAML
really has that value, at the cited line), then the new URL is spliced into
the original text: comments, quoting and layout stay byte for byte. Each file
is written to a temporary file beside it and renamed over it (atomic).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..files import atomic_write
from .results import LinkResult

_PLAIN_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s#'\"]*$")


def _scalars(node: object, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """(line, col, value) of every string scalar, 0-based, from ruamel's lc info."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, str):
                line, col = node.lc.value(key)
                found.append((line, col, value))
            else:
                _scalars(value, found)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            if isinstance(value, str):
                line, col = node.lc.item(index)
                found.append((line, col, value))
            else:
                _scalars(value, found)
    return found


def _render(new: str, quote: str) -> str:
    if quote == "'":
        return "'" + new.replace("'", "''") + "'"
    if quote == '"':
        return '"' + new.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return new if _PLAIN_OK.match(new) and ": " not in new else '"' + new.replace('"', '\\"') + '"'


def rewrite_text(text: str, changes: dict[str, str], lines: set[int] | None = None) -> tuple[str, int]:
    """Replace scalars equal to a key of `changes`; returns (new text, count).

    `lines` (1-based) limits the rewrite to the cited lines."""
    yaml = YAML(typ="rt")
    data = yaml.load(io.StringIO(text))
    rows = text.splitlines(keepends=True)
    edits = []
    for line, col, value in _scalars(data, []):
        if value in changes and (lines is None or line + 1 in lines):
            edits.append((line, col, value))
    count = 0
    for line, col, old in sorted(edits, reverse=True):
        row = rows[line]
        quote = row[col] if row[col] in "'\"" else ""
        start = col
        if quote:
            end = row.index(quote, col + 1) + 1 if quote == "'" else _close_double(row, col)
            if end <= start:
                continue
        else:
            if not row.startswith(old, col):
                continue  # a folded or multi-line scalar: leave it alone
            end = col + len(old)
        rows[line] = row[:start] + _render(changes[old], quote) + row[end:]
        count += 1
    return "".join(rows), count


def _close_double(row: str, col: int) -> int:
    i = col + 1
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        if row[i] == '"':
            return i + 1
        i += 1
    return -1


def add_archived(text: str, url: str, snapshot: str, line: int) -> tuple[str, int]:
    """Insert ``archived: SNAPSHOT`` after the top-level ``url:`` at `line`
    (1-based) that equals `url`, unless the entry has an ``archived`` already.
    The line goes in as text right after the url's value: nothing else moves."""
    yaml = YAML(typ="rt")
    data = yaml.load(io.StringIO(text))
    if not isinstance(data, CommentedMap) or "archived" in data or data.get("url") != url:
        return text, 0
    key_line, key_col = data.lc.key("url")
    if key_line + 1 != line or key_col != 0:
        return text, 0
    rows = text.splitlines(keepends=True)
    keys = list(data.keys())
    after = keys[keys.index("url") + 1] if keys.index("url") + 1 < len(keys) else None
    # The url's value ends where the next key starts (or at its own line's end).
    insert_at = data.lc.key(after)[0] if after is not None else len(rows)
    while insert_at > key_line + 1 and rows[insert_at - 1].lstrip().startswith("#"):
        insert_at -= 1  # comments above the next key stay with it
    newline = "\r\n" if rows[key_line].endswith("\r\n") else "\n"
    if insert_at == len(rows) and rows and not rows[-1].endswith("\n"):
        rows[-1] += newline
    rows.insert(insert_at, f"archived: {_render(snapshot, '')}{newline}")
    return "".join(rows), 1


def apply_fixes(results: Iterable[LinkResult]) -> dict[Path, int]:
    """Rewrite every `redirected` URL at the places that cite it, and add
    the snapshot of every broken entry URL that has one as ``archived``."""
    per_file: dict[Path, tuple[dict[str, str], set[int]]] = {}
    archive: dict[Path, list[tuple[str, str, int]]] = {}
    for r in results:
        if r.failed and r.archived and r.checked:
            for place in r.files:
                archive.setdefault(Path(place["path"]), []).append((r.url, r.archived, int(place["line"])))
        if r.outcome != "redirected" or not r.suggestion:
            continue
        for place in r.files:
            changes, lines = per_file.setdefault(Path(place["path"]), ({}, set()))
            changes[r.url] = r.suggestion
            lines.add(int(place["line"]))
    done = {}
    for path in {**per_file, **archive}:
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        count = 0
        if path in per_file:
            changes, lines = per_file[path]
            text, count = rewrite_text(text, changes, lines)
        for url, snapshot, line in archive.get(path, ()):
            text, added = add_archived(text, url, snapshot, line)
            count += added
        new = text
        if count:
            atomic_write(path, ("\ufeff" if bom else "") + new, newline="")
            done[path] = count
    return done
