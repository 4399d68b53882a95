"""Paths and the `readlist` runner shared by the CI tests (fixtures are in conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).parent / "reports"
WORKFLOWS = ROOT / ".github" / "workflows"


def readlist(
    *args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run the real `readlist` console entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "readlist.cli", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        env=env,
        input=input,
        timeout=300,
    )
