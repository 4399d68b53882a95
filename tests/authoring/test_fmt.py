"""`readlist fmt` on real files: order, layout, comments, --check, idempotence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from readlist.loading import load

from .helpers import run_cli

REPO_READINGS = Path(__file__).resolve().parents[2] / "readings"

MESSY = """\
# yaml-language-server: $schema=../../schema.json
summary: A short summary on one line.
# where the title came from
title: "Deep Residual Learning"   # as printed
tier: 1
authors:
- Kaiming He
- Xiangyu Zhang

url: https://arxiv.org/abs/1512.03385
links:
    - url: https://github.com/KaimingHe/deep-residual-networks
      title: Code
topic: fundamentals
tags:
  - vision   # the main one
  - resnets
# keep this at the end
"""

CANONICAL = """\
# yaml-language-server: $schema=../../schema.json
# where the title came from
title: "Deep Residual Learning"   # as printed
url: https://arxiv.org/abs/1512.03385
topic: fundamentals
tier: 1
authors: [Kaiming He, Xiangyu Zhang]
tags:
  - vision   # the main one
  - resnets
summary: |
  A short summary on one line.
links:
  - {title: Code, url: "https://github.com/KaimingHe/deep-residual-networks"}
# keep this at the end
"""


@pytest.fixture
def messy(tmp_path) -> Path:
    path = tmp_path / "entries" / "deep-residual-learning.yaml"
    path.parent.mkdir()
    path.write_text(MESSY, encoding="utf-8")
    return path


def test_canonical_order_layout_and_comments(messy, capsys):
    assert run_cli("fmt", messy) == 0
    assert messy.read_text() == CANONICAL
    assert "reformatted" in capsys.readouterr().out


def test_check_lists_files_and_changes_nothing(messy, capsys):
    assert run_cli("fmt", "--check", messy.parent) == 1
    assert "would reformat" in capsys.readouterr().out
    assert messy.read_text() == MESSY
    assert run_cli("fmt", messy.parent) == 0
    assert run_cli("fmt", "--check", messy.parent) == 0  # idempotent


def test_atomic_write_keeps_mode_and_leaves_no_temp_files(messy):
    messy.chmod(0o640)
    run_cli("fmt", messy)
    assert messy.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in messy.parent.iterdir()] == [messy.name]


@pytest.mark.parametrize(
    "text, message",
    [
        ("title: A\ntitle: B\n", "duplicate key 'title'"),
        ("title: &x A\nurl: *x\n", "anchors and aliases"),
        ("title: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_yaml_is_reported_with_position_and_left_alone(tmp_path, capsys, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert run_cli("fmt", path) == 1
    err = capsys.readouterr().err
    assert message in err and "bad.yaml:" in err
    assert path.read_text() == text


def test_scalars_are_kept_as_written(tmp_path):
    path = tmp_path / "scalars.yaml"
    path.write_text("year: 2017\ntitle: no\nlength: 1.10\nadded: 2024-04-01\nurl: 'https://x.org'\n")
    run_cli("fmt", path)
    assert path.read_text() == "title: no\nurl: 'https://x.org'\nlength: 1.10\nyear: 2017\nadded: 2024-04-01\n"


def test_topics_and_lists(tmp_path):
    (tmp_path / "lists").mkdir()
    topics = tmp_path / "topics.yaml"
    topics.write_text("# tree\n-   title: A\n    id: a\n    children:\n    - title: B  # inner\n      id: b\n")
    lst = tmp_path / "lists" / "l.yaml"
    lst.write_text(
        "sections:\n- entries:\n  - x\n  - y\n  title: S\ntitle: L\nsource:\n  url: https://s.org\n  title: Src\n"
    )
    assert run_cli("fmt", tmp_path) == 0
    assert topics.read_text() == ("# tree\n- id: a\n  title: A\n  children:\n    - id: b\n      title: B # inner\n")
    assert lst.read_text() == (
        'title: L\nsource: {title: Src, url: "https://s.org"}\nsections:\n  - title: S\n    entries: [x, y]\n'
    )


def test_real_readings_keep_their_meaning(tmp_path):
    """The project's own data: same catalog after fmt, and a second fmt changes nothing."""
    root = tmp_path / "readings"
    shutil.copytree(REPO_READINGS, root)
    before = load(root)
    assert run_cli("fmt", root) == 0
    after = load(root)
    assert after.catalog.entries == before.catalog.entries
    assert after.catalog.lists == before.catalog.lists
    assert after.catalog.topics == before.catalog.topics
    assert [d.message for d in after.diagnostics] == [d.message for d in before.diagnostics]
    assert run_cli("fmt", "--check", root) == 0
