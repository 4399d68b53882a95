"""Lint and type checks run as part of the suite, so CI and `pytest` agree.

The configuration lives in pyproject.toml ([tool.ruff], [tool.mypy]); these
tests only run the tools the way a contributor would and show their output
when they find something.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .helpers import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_ruff_format_changes_nothing():
    result = _run("ruff", "format", "--check", "--no-cache")
    assert result.returncode == 0, f"ruff format would change:\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing():
    result = _run("mypy")
    assert result.returncode == 0, f"mypy found problems:\n{result.stdout}{result.stderr}"


def _test_folders() -> list[Path]:
    tests = ROOT / "tests"
    folders = {p.parent for p in tests.rglob("test_*.py")}
    return [tests, *sorted(folders)]


def test_every_test_folder_is_a_package():
    missing = {str(d.relative_to(ROOT)) for d in _test_folders() if not (d / "__init__.py").is_file()}
    assert not missing, f"add __init__.py to {sorted(missing)} (tests/ is one package tree)"


def test_no_test_imports_conftest_by_name():
    """conftest.py is pytest's: fixtures only. Shared helpers live in helpers.py."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in _test_folders()
        for path in folder.glob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from\s+\.?conftest\s+import|import\s+conftest\b)", line)
    ]
    assert not offenders, offenders
