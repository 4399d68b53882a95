"""Writing files so that a failure never leaves a half-written one behind.

Every command that changes a user's files (fmt, new, export, check-links
--fix, the link cache) goes through `atomic_write`: the text goes to a
temporary file in the same folder, is flushed to disk, and only then renamed
over the target, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path | str, text: str, *, newline: str = "\n") -> None:
    """Replace `path` with `text`, keeping an existing file's permissions."""
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
