from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).parent / "reports"
WORKFLOWS = ROOT / ".github" / "workflows"


def readlist(*args: str, cwd: Path | None = None, env: dict | None = None,
             input: str | None = None) -> subprocess.CompletedProcess:
    """Run the real `readlist` console entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "readlist.cli", *args],
        cwd=cwd or ROOT, capture_output=True, text=True, env=env, input=input, timeout=300,
    )


@pytest.fixture
def readings_copy(tmp_path: Path) -> Path:
    """A private copy of the real readings/ (the real one is never written)."""
    dest = tmp_path / "readings"
    shutil.copytree(ROOT / "readings", dest)
    return dest


@pytest.fixture
def clean_env() -> dict:
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("GITHUB_") or key in {"GH_TOKEN", "GITHUB_TOKEN"}:
            env.pop(key)
    return env
