"""The link-checking reference (docs/reference/link-checking.md) says what the code does: every
setting with its default, every host-table key, the command's options, the
JSON report's keys and the error kinds. A setting added to the model without
a row there (or a default changed on one side only) fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from readlist.cli import build_parser
from readlist.links.results import ErrorKind, LinkResult, Outcome, summarize
from readlist.links.settings import HostRule, LinkSettings, build

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "link-checking.md"
SECTION = REFERENCE.read_text(encoding="utf-8")
NOT_IN_FILE = {"hosts", "github-token"}  # a table of its own; the environment's only


def _table(header: str) -> dict[str, str]:
    """{key: default cell} of the Markdown table whose first header cell is `header`."""
    lines = SECTION.split(f"| {header} |", 1)[1].splitlines()[2:]
    rows = {}
    for line in lines:
        if not line.startswith("|"):
            break
        key, default = (cell.strip() for cell in line.strip("|").split("|")[:2])
        rows[key.strip("`")] = default.strip("`")
    return rows


def _toml(cell: str):
    return tomllib.loads(f"v = {cell}")["v"]


def test_every_setting_is_in_the_readme_with_its_default():
    rows = _table("`[tool.readlist.links]` key")
    keys = {field.alias or name for name, field in LinkSettings.model_fields.items()} - NOT_IN_FILE
    assert set(rows) == keys
    defaults = LinkSettings()
    for key, cell in rows.items():
        name = key.replace("-", "_")
        # the README's default, read as a setting, is the model's default
        assert getattr(build({key: _toml(cell)}), name) == getattr(defaults, name), key


def test_every_host_key_is_in_the_readme_with_its_default():
    rows = _table("host key")
    assert set(rows) == {field.alias or name for name, field in HostRule.model_fields.items()}
    for key, cell in rows.items():
        if cell in ("per-host", "interval"):  # unset: the global setting of that name applies
            settings = build({cell: 3, "hosts": {"x.org": {}}})
            assert (settings.host_concurrency if key == "concurrency" else settings.host_interval)("x.org") == 3
        else:
            assert HostRule.model_validate({key: _toml(cell)}) == HostRule(), key


def test_the_readme_synopsis_has_every_option_of_the_command(capsys):
    synopsis = SECTION.split("```sh\n", 1)[1].split("```", 1)[0]
    for command in ("check-links", "merge-reports"):
        line = synopsis.split(f"readlist {command}", 1)[1].split("\nreadlist ", 1)[0]
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        usage = capsys.readouterr().out.split("\n\n", 1)[0]  # the usage lines
        options = set(re.findall(r"--[a-z][a-z-]*", usage)) - {"--help"}
        assert set(re.findall(r"--[a-z][a-z-]*", line)) == options, command


def test_the_readme_names_every_json_key_and_error_kind():
    paragraph = SECTION.split("`--format json` writes", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z0-9_-]+)`", paragraph))
    result_keys = set(LinkResult("https://example.org/", Outcome.OK).to_json())
    summary_keys = set(summarize([])) - {str(o) for o in Outcome}
    kinds = {str(kind) for kind in ErrorKind}
    assert result_keys <= named and "path" in paragraph and "line" in paragraph
    assert summary_keys | {"elapsed_s"} <= named
    assert kinds <= named
    assert named <= result_keys | summary_keys | {"elapsed_s"} | kinds  # nothing that is not there


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_readme_names_every_outcome(outcome):
    assert f"`{outcome}`" in SECTION
