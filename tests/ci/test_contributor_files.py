"""The issue form, the pre-commit hooks and CONTRIBUTING.md, checked against the
real schema and run the way a contributor runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from readlist.models import KINDS, TIERS, Entry

from .helpers import ROOT, readlist

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-reading.yml"


# --- the issue form ---------------------------------------------------------------


def _fields() -> dict[str, dict]:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    return {item["id"]: item for item in form["body"] if "id" in item}


def test_issue_form_fields_are_entry_fields():
    schema = Entry.model_json_schema()
    fields = _fields()
    assert set(fields) - {"checks"} <= set(schema["properties"])
    required_in_schema = set(schema["required"]) - {"id"}
    assert required_in_schema <= set(fields)
    for name in required_in_schema - {"topic"}:  # a topic may be left to the maintainer
        assert fields[name]["validations"]["required"] is True, name


def test_issue_form_choices_are_the_schema_choices():
    fields = _fields()
    assert tuple(fields["kind"]["attributes"]["options"]) == KINDS
    tiers = [int(o.rstrip("+")) for o in fields["tier"]["attributes"]["options"]]
    assert tuple(tiers) == TIERS


# --- pre-commit --------------------------------------------------------------------


def _pre_commit() -> str:
    path = shutil.which("pre-commit")
    if path is None:
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    return path


def test_pre_commit_files_are_valid():
    pc = _pre_commit()
    for args in (["validate-config", ".pre-commit-config.yaml"], ["validate-manifest", ".pre-commit-hooks.yaml"]):
        done = subprocess.run([pc, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_reusable_hooks_match_the_local_ones():
    local = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]}
    shared = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    for hook_id in ("readlist-validate", "readlist-fmt"):
        assert shared[hook_id]["entry"] == local[hook_id]["entry"]
        assert shared[hook_id]["language"] == "python"  # installs readlist for other repositories


def test_validate_hook_runs_and_stops_a_bad_commit(tmp_path, readings_copy):
    repo = readings_copy.parent
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    def run(*args):
        return subprocess.run(args, cwd=repo, capture_output=True, text=True, env=env, timeout=300)

    for args in (["init", "-q"], ["add", "-A"]):
        run("git", *args)
    hook = [_pre_commit(), "run", "readlist-validate", "--all-files"]
    done = run(*hook)
    assert done.returncode == 0, done.stdout
    assert "Passed" in done.stdout

    entry = sorted((readings_copy / "entries").glob("*.yaml"))[0]
    entry.write_text(entry.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    run("git", "add", "-A")
    done = run(*hook)
    assert done.returncode == 1
    assert re.search(rf"readings/entries/{re.escape(entry.name)}:\d+:\d+: error: .*titel", done.stdout)


# --- CONTRIBUTING.md ------------------------------------------------------------------


CONTRIBUTING = ROOT / "CONTRIBUTING.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", CONTRIBUTING.read_text(encoding="utf-8"), re.S)


def test_the_template_in_contributing_is_a_valid_entry(readings_copy):
    """Step 2 of CONTRIBUTING.md, done literally: copy the template into the named file."""
    template = _blocks("yaml")[0]
    first = template.splitlines()[0]
    assert first.startswith("# readings/entries/") and first.endswith(".yaml")
    target = readings_copy.parent / first.removeprefix("# ")
    entry_id = target.stem
    url = yaml.safe_load(template)["url"]
    # The example may be on the real list by now: take it out of the copy first.
    for existing in (readings_copy / "entries").glob("*.yaml"):
        if existing == target or url in existing.read_text(encoding="utf-8"):
            existing.unlink()
    target.write_text(template, encoding="utf-8")
    done = readlist("validate", str(readings_copy), "--strict", "--format", "json")
    mine = [d for d in json.loads(done.stdout)["diagnostics"] if Path(d["path"]).stem == entry_id]
    assert mine == []
    # ...and it is already in the layout `readlist fmt` writes (CI runs `fmt --check`)
    done = readlist("fmt", "--check", str(target))
    assert done.returncode == 0, done.stdout + done.stderr


def test_commands_in_contributing_exist():
    from readlist.cli import command_names

    choices = command_names()
    text = CONTRIBUTING.read_text(encoding="utf-8")
    used = set(re.findall(r"`readlist ([a-z-]+)", text)) | {
        m for block in _blocks("sh") for m in re.findall(r"^readlist ([a-z-]+)", block, re.M)
    }
    assert {"validate", "fmt"} <= used
    missing = used - set(choices)
    assert not missing, f"CONTRIBUTING.md names commands that do not exist: {sorted(missing)}"
