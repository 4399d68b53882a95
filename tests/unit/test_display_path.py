"""How a file is named in output: relative to the working directory when it
is inside it, as given otherwise, however the path was spelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.diagnostics import display_path


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("readings/entries/a.yaml", "readings/entries/a.yaml"),
        ("./readings//entries/a.yaml", "readings/entries/a.yaml"),
        ("readings/../readings/a.yaml", "readings/a.yaml"),
        ("..", ".."),
        (".", "."),
    ],
)
def test_a_relative_path_is_shown_normalised(given, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(given) == shown
    assert display_path(Path(given)) == shown


def test_an_absolute_path_inside_the_working_directory_is_shown_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "readings" / "a.yaml") == str(Path("readings", "a.yaml"))


def test_a_path_outside_the_working_directory_is_shown_as_given(tmp_path, monkeypatch):
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    assert display_path(tmp_path / "other.yaml") == str(tmp_path / "other.yaml")
    assert display_path("../other.yaml") == "../other.yaml"
    assert display_path(Path("../work/../other.yaml")) == "../work/../other.yaml"
