"""Where a command finds the readings: one convention for every command.

ROOT is the project root (the folder holding `readings/`) or `readings/`
itself, and the current folder when none is given. Kept apart from loading.py
so that building the argument parser imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import UsageError

ROOT_HELP = "the project root or its readings/ folder (default: the current folder)"
PATHS_HELP = "files or folders; a project root means its readings/ (default: the readings of the current folder)"


def readings_root(value: str | Path | None, *, new_ok: bool = False) -> Path:
    """The readings folder for a ROOT argument, the same for every command:
    the project root (with a readings/ folder) or readings/ itself; the
    current folder by default.

    UsageError (exit 2) when ROOT has no readings, as a check of nothing
    must not pass. With `new_ok` (for `import`, which can start a list),
    such a ROOT is where the readings will be written: ROOT itself when
    given, ./readings by default."""
    root = Path(value) if value else Path(".")
    if (root / "readings").is_dir():
        return root / "readings"
    if any((root / name).exists() for name in ("entries", "lists", "topics.yaml")):
        return root
    if new_ok and not root.is_file():
        return root if value else root / "readings"
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    raise UsageError(
        f"{root} has no readings (no entries/, lists/ or topics.yaml; give the project root or its readings/ folder)"
    )


def readings_paths(values: Sequence[str | Path]) -> list[Path]:
    """The files and folders for a command that takes several (`fmt`,
    `refresh`): none means the readings of the current folder, found as by
    `readings_root`; a project root means its readings/, so that the rest of
    the project (workflows, mkdocs.yml) is never touched."""
    if not values:
        return [readings_root(None)]
    paths = []
    for value in values:
        path = Path(value)
        if not path.exists():
            raise UsageError(f"no such file or directory: {path}")
        paths.append(path / "readings" if (path / "readings").is_dir() else path)
    return paths
