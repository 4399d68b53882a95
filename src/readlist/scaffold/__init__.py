"""`readlist init`: write a new reading-list repository from the template files.

The files live in `template/` beside this module (package data, not strings in
Python), so what a newcomer gets can be read, linted and tested as files. Names
starting with a dot are stored as `dot-NAME` (`dot-github/`, `dot-gitignore`)
so that packaging tools and linters of *this* repository leave them alone.

Placeholders, replaced on write: `@@TITLE@@` (plain text), `@@TITLE_YAML@@`
(a quoted YAML scalar), `@@VERSION@@` (this readlist's version, the pin) and
`@@ACTION@@` (`owner/name` of readlist's repository, for `uses:` and
pre-commit; it comes from the Repository URL in the package metadata).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..errors import UsageError

DEFAULT_TITLE = "My reading list"
# The repository named by a Repository URL that the metadata lacks (a source
# tree that was never installed): the placeholder pyproject.toml also carries.
FALLBACK_REPOSITORY = "OWNER/readlist"


class InitError(UsageError):
    """A reason to write nothing: the title or the destination. Exit 2."""


@dataclass(frozen=True)
class ScaffoldFile:
    relpath: str  # where it goes in the new repository, "/"-separated
    text: str


def repository() -> str:
    """`owner/name` of readlist's GitHub repository, from the installed metadata."""
    try:
        urls: list[str] = metadata.metadata("readlist").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return FALLBACK_REPOSITORY
    for item in urls:
        label, _, url = item.partition(",")
        if label.strip().lower() in ("repository", "source"):
            parts = urlsplit(url.strip())
            if parts.hostname == "github.com":
                return parts.path.strip("/").removesuffix(".git")
    return FALLBACK_REPOSITORY


def _target_name(parts: tuple[str, ...]) -> str:
    return "/".join("." + p[len("dot-") :] if p.startswith("dot-") else p for p in parts)


def _walk(node: Traversable, parts: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        if child.is_dir():
            yield from _walk(child, (*parts, child.name))
        else:
            yield (*parts, child.name), child


def render(title: str = DEFAULT_TITLE) -> list[ScaffoldFile]:
    """Every file of a new repository, placeholders filled in."""
    title = " ".join(title.split())
    if not title:
        raise InitError("--title must not be empty")
    values = {
        "@@TITLE_YAML@@": json.dumps(title, ensure_ascii=False),  # JSON strings are YAML scalars
        "@@TITLE@@": title,
        "@@VERSION@@": __version__,
        "@@ACTION@@": repository(),
    }
    files = []
    for parts, node in _walk(resources.files(__package__).joinpath("template")):
        text = node.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        files.append(ScaffoldFile(_target_name(parts), text))
    files.append(ScaffoldFile("readings/entry.schema.json", _entry_schema()))
    return sorted(files, key=lambda f: f.relpath)


def _entry_schema() -> str:
    from ..models import Entry, file_schema

    return json.dumps(file_schema(Entry), indent=2) + "\n"  # as `readlist schema` prints it


def init(dest: Path, title: str = DEFAULT_TITLE) -> list[Path]:
    """Write the repository into `dest` (created if missing). Refuses, writing
    nothing, when any of the files already exists; returns the paths written."""
    files = render(title)
    if dest.exists() and not dest.is_dir():
        raise InitError(f"{dest} exists and is not a directory")
    existing = [dest / f.relpath for f in files if (dest / f.relpath).exists()]
    if existing:
        names = ", ".join(str(p) for p in existing[:5]) + (", ..." if len(existing) > 5 else "")
        raise InitError(f"{len(existing)} file(s) already exist: {names}")
    written = []
    for f in files:
        path = dest / f.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, f.text)
        written.append(path)
    return written


def _create(path: Path, text: str) -> None:
    """Write a new file atomically, never replacing one that appeared meanwhile:
    a temporary file is hard-linked to the name (which fails if it exists)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise InitError(f"{path} appeared while writing; stopped") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
