"""RESULTS.md is shared by every benchmark: each owns the text between its
`<!-- NAME:start -->` and `<!-- NAME:end -->` markers and rewrites only that."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_section(name: str) -> str:
    """The text between NAME's markers ("" when the section is not there yet)."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    start, end = _markers(name)
    if start in text and end in text:
        return text[text.index(start) + len(start) : text.index(end)].strip("\n")
    return ""


def write_section(name: str, body: str) -> None:
    """Put BODY between NAME's markers, appending the section when it is new."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start, end = _markers(name)
    block = f"{start}\n{body.strip(chr(10))}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
