"""Problems found in the data, and the three ways we print them.

Every problem carries the file, line and column it is about, so that a
contributor (or GitHub's annotations) can jump straight to the YAML that is
wrong.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


def display_path(path: Path | str) -> str:
    """`path` as shown to a user: relative to the working directory when it is
    inside it (what they would type), else as given. Every command that names a
    file in its output goes through here, so one file is always spelled one way."""
    if not os.path.isabs(path):
        # Already relative to the working directory (how loading names files
        # given as relative paths): normalising is all, and it is about 20 times
        # cheaper than the round trip through abspath and relpath below
        # (a report names thousands of files).
        relative = os.path.normpath(path)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return relative
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if os.path.normcase(absolute).startswith(os.path.normcase(cwd) + os.sep):
        return os.path.relpath(absolute, cwd)
    return str(path)


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: Path
    line: int
    col: int
    severity: Severity
    message: str

    def display_path(self) -> str:
        return display_path(self.path)

    def text(self) -> str:
        return f"{self.display_path()}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={self.display_path()},line={self.line},col={self.col}::{message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def render(diagnostics: list[Diagnostic], fmt: str) -> str:
    """Diagnostics as text lines, GitHub annotations or a JSON document."""
    ordered = sorted(diagnostics)
    if fmt == "json":
        items = [asdict(d) | {"path": d.display_path()} for d in ordered]
        counts = {
            "errors": sum(d.severity == "error" for d in ordered),
            "warnings": sum(d.severity == "warning" for d in ordered),
        }
        return json.dumps({"summary": counts, "diagnostics": items}, indent=2)
    line = Diagnostic.github if fmt == "github" else Diagnostic.text
    return "\n".join(line(d) for d in ordered)
