"""Fixtures for the CI tests: a private copy of readings/, an environment without GitHub tokens."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .helpers import ROOT


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
