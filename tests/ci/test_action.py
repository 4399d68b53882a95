"""action.yml, the composite action: linted like the workflows, every use of it
passes only inputs it declares, and its command step (scripts/action-run.sh) is
run here as the action runs it, with the inputs as environment variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import REPORTS, ROOT, WORKFLOWS
from .test_workflow_commands import server, small_readings, write_entry  # noqa: F401 (fixture)
from .test_workflows import _tool, zizmor

ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "action-run.sh"
COMMANDS = {"validate", "check-links", "link-issue"}
# the command step is bash on the runner; the stand-in readlist below is a shebang script
posix_only = pytest.mark.skipif(os.name == "nt", reason="runs the action's bash step; POSIX only")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def action_steps(paths: list[Path], uses: str):
    for path in paths:
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "") == uses or step.get("uses", "").startswith(uses + "@"):
                    yield path.name, step


def test_action_passes_zizmor_and_the_actions_schema():
    done = zizmor(ACTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_is_composite_and_runs_the_tested_script():
    data = action()
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) >= {"command", "readings", "args", "version"}
    runs = [step.get("run", "") for step in data["runs"]["steps"]]
    assert any('"$GITHUB_ACTION_PATH/scripts/action-run.sh"' in run for run in runs)
    assert any('"$GITHUB_ACTION_PATH/scripts/action-install.sh"' in run for run in runs)


def check_uses(steps) -> int:
    inputs = action()["inputs"]
    required = {name for name, spec in inputs.items() if spec.get("required")}
    count = 0
    for name, step in steps:
        given = set(step.get("with", {}))
        assert given <= set(inputs), f"{name}: {given - set(inputs)} are not inputs of action.yml"
        assert required <= given, f"{name}: missing {required - given}"
        assert step["with"]["command"] in COMMANDS, f"{name}: {step['with']['command']}"
        count += 1
    return count


def test_this_repository_uses_its_action_with_declared_inputs():
    assert check_uses(action_steps(sorted(WORKFLOWS.glob("*.yml")), "./")) >= 4


# --- the command step, run as the action runs it --------------------------------------


def run_action(
    command: str, cwd: Path, *, readings: str = "readings", args: str = "", fail: str = "true"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_") and k != "GH_TOKEN"}
    env |= {
        "COMMAND": command,
        "READINGS": readings,
        "ARGS": args,
        "FAIL": fail,
        "GITHUB_ACTION_PATH": str(ROOT),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + env["PATH"],
    }
    return subprocess.run(["bash", str(SCRIPT)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@posix_only
def test_validate_annotates_the_yaml_line(tmp_path, server):  # noqa: F811
    readings = small_readings(tmp_path, server)
    entry = readings / "entries" / "fine-0.yaml"
    entry.write_text(entry.read_text().replace("tier: 1", "teir: 1"))
    done = run_action("validate", tmp_path)
    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "teir" in line)
    assert line.startswith("::error file=") and "fine-0.yaml" in line and ",line=4," in line


@posix_only
def test_validate_passes_extra_args(tmp_path, server):  # noqa: F811
    small_readings(tmp_path, server)
    (tmp_path / "readings" / "topics.yaml").write_text("- id: basics\n  title: Basics\n- id: empty\n  title: Empty\n")
    assert run_action("validate", tmp_path).returncode == 0  # an empty topic is a warning...
    assert run_action("validate", tmp_path, args="--strict").returncode == 1  # ...and an error with --strict


@posix_only
def test_check_links_report_only_and_failing(tmp_path, server):  # noqa: F811
    small_readings(tmp_path, server)
    args = "--allow-private --no-cache --retries 0 --format json --output report.json"
    done = run_action("check-links", tmp_path, args=args, fail="false")
    assert done.returncode == 0, done.stdout + done.stderr  # broken links: a report, not a failure
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["broken"] == 1
    done = run_action("check-links", tmp_path, args="--allow-private --no-cache --retries 0")
    assert done.returncode == 1
    assert any(line.startswith("::error file=") and "gone-paper.yaml" in line for line in done.stdout.splitlines())
    done = run_action("check-links", tmp_path, args="--retries nope", fail="false")
    assert done.returncode == 2  # bad usage fails even when problems do not


@posix_only
def test_link_issue_gets_its_arguments(tmp_path):
    issues = tmp_path / "issues.json"
    issues.write_text("[]")
    done = run_action("link-issue", tmp_path, args=f"--report {REPORTS / 'rot.json'} --issues {issues}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["action"] == "open"


@posix_only
def test_args_are_split_on_whitespace_but_never_globbed(tmp_path):
    """A stand-in `readlist` first on PATH prints the argv the action gives it, and
    whether it sees the token (only link-issue does)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "readlist"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\nprint(json.dumps(sys.argv[1:] + [os.environ.get('GH_TOKEN')]))\n"
    )
    fake.chmod(0o755)
    (tmp_path / "x-would-match").write_text("")
    env = {k: v for k, v in os.environ.items() if k != "GH_TOKEN"}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "READINGS": "my readings", "GH_TOKEN": "t0ken"}

    def argv(command: str, args: str) -> list[str]:
        done = subprocess.run(
            ["bash", str(SCRIPT)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env | {"COMMAND": command, "ARGS": args},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert argv("check-links", "  --exclude x-*   --changed origin/main ") == [
        "check-links",
        "my readings",
        "--format",
        "github",
        "--exclude",
        "x-*",
        "--changed",
        "origin/main",
        None,
    ]
    assert argv("validate", "") == ["validate", "my readings", "--format", "github", None]
    assert argv("link-issue", "--report r.json --apply") == [
        "ci",
        "link-issue",
        "--report",
        "r.json",
        "--apply",
        "t0ken",
    ]


@posix_only
def test_unknown_command_is_bad_usage(tmp_path):
    done = run_action("publish", tmp_path)
    assert done.returncode == 2 and "unknown command 'publish'" in done.stdout
