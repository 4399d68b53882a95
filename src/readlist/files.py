"""Writing files so that a failure never leaves a half-written one behind.

Every command that changes a user's files (fmt, new, import, export,
check-links --fix, the link cache) goes through `atomic_write` or
`atomic_write_all`: the text goes to a temporary file in the same folder, is
flushed to disk, and only then renamed over the target, which is atomic on
POSIX and Windows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: Path | str, text: str, *, newline: str = "\n") -> None:
    """Replace `path` with `text`, keeping an existing file's permissions."""
    atomic_write_all({Path(path): text}, newline=newline)


def atomic_write_all(files: Mapping[Path, str], *, newline: str = "\n") -> list[Path]:
    """Write several files as one step: every text is staged in a temporary file
    (flushed to disk) before the first rename, so an error while staging (a full
    disk, a folder without write access) leaves every target as it was."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text, newline), path))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    return [path for _, path in staged]


def _stage(path: Path, text: str, newline: str) -> str:
    """A temporary file beside `path` holding `text`, with the mode the target
    has (or a new file would get)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
