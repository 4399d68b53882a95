"""Lint and type checks run as part of the suite, so CI and `pytest` agree.

The configuration lives in pyproject.toml ([tool.ruff], [tool.mypy]); these
tests only run the tools the way a contributor would and show their output
when they find something.
"""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing():
    result = _run("mypy")
    assert result.returncode == 0, f"mypy found problems:\n{result.stdout}{result.stderr}"
