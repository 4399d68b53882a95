"""Helpers shared by the authoring tests (fixtures are in conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from readlist.cli import main

SUMMARY = (
    "A summary written by a person, long enough for the validator: it says what the reading "
    "covers, why it matters and who should read it first, in twenty words or more."
)


def run_cli(*args: str) -> int:
    try:
        return main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        return int(exc.code or 0)


def run_console(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real console entry point, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "readlist.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def validate(root: Path, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = run_cli("validate", root, *extra)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def write_entry(root: Path, entry_id: str, **fields) -> Path:
    lines = []
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        else:
            lines.append(f"{key}: {value}")
    path = root / "entries" / f"{entry_id}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
