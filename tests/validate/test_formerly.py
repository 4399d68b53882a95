"""`formerly` on a topic: old ids must be free and claimed once, and every
bad value is reported at its own file:line:col.

The family: topic trees drawn by hypothesis, each topic listing old ids drawn
from fresh ids, current topic ids and ids that another topic (or the same
one) already lists. The invariant: exactly the values that are a current id,
or that an earlier value already claimed, get an error, each at its position.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.loading import load

SLUG = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)


def _write(root: Path, topics: list[tuple[str, list[str]]]) -> tuple[str, dict[tuple[int, int], str]]:
    """topics.yaml for [(id, formerly)], flat; and the (line, col) of each old id."""
    lines: list[str] = []
    where: dict[tuple[int, int], str] = {}
    for topic_id, formerly in topics:
        lines += [f"- id: {topic_id}", f"  title: Topic {topic_id}"]
        if formerly:
            line = "  formerly: ["
            for n, old in enumerate(formerly):
                where[(len(lines) + 1, len(line) + 1)] = old
                line += old + (", " if n < len(formerly) - 1 else "]")
            lines.append(line)
    text = "\n".join(lines) + "\n"
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(text, encoding="utf-8")
    return text, where


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, list[str]]]:
    ids = draw(st.lists(SLUG, min_size=1, max_size=5, unique=True))
    fresh = draw(st.lists(SLUG.map(lambda s: "old-" + s), min_size=1, max_size=4, unique=True))
    pool = st.sampled_from(ids + fresh)
    return [(topic_id, draw(st.lists(pool, max_size=4))) for topic_id in ids]


@settings(max_examples=60, deadline=None)
@given(trees())
def test_exactly_the_taken_old_ids_are_errors_at_their_positions(topics):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _, where = _write(root, topics)
        current = {topic_id for topic_id, _ in topics}
        expected: dict[tuple[int, int], str] = {}
        claimed: set[str] = set()
        for (line, col), old in sorted(where.items()):
            if old in current:
                expected[(line, col)] = "is a current topic's id"
            elif old in claimed:
                expected[(line, col)] = "already claimed" if _owner(topics, old, line, where) else "listed twice"
            claimed.add(old)
        found = {
            (d.line, d.col): d.message
            for d in load(root).diagnostics
            if d.severity == "error" and d.path.name == "topics.yaml"
        }
        assert set(found) == set(expected), (found, expected)
        for pos, words in expected.items():
            assert words in found[pos] and f"'{where[pos]}'" in found[pos]


def _owner(topics: list[tuple[str, list[str]]], old: str, line: int, where: dict[tuple[int, int], str]) -> bool:
    """Whether the first claim on `old` is on another topic's line than `line`."""
    first = min(pos for pos, value in where.items() if value == old)
    return first[0] != line


@pytest.mark.parametrize("bad", ["Bad-Id", "old id", "-old", "old_id", "old--id", "x" * 81])
def test_an_old_id_that_is_no_slug_is_an_error_at_its_position(tmp_path, bad):
    _, where = _write(tmp_path, [("kept", ["fine-one", f'"{bad}"'])])
    (line, col) = max(where)
    errors = [d for d in load(tmp_path).diagnostics if d.severity == "error"]
    assert [(d.path.name, d.line, d.col) for d in errors] == [("topics.yaml", line, col)]
    assert "formerly[1]" in errors[0].message


def test_the_cli_names_file_line_and_column(tmp_path):
    import subprocess
    import sys

    _write(tmp_path, [("kept", ["kept"])])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from readlist.cli import main; sys.exit(main())",
            "validate",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"{tmp_path / 'topics.yaml'}:3:14: error: 'kept' is a current topic's id" in done.stdout + done.stderr
