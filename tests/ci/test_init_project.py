"""`readlist init` as a newcomer uses it: a fresh folder -> `validate --strict` ->
`mkdocs build --strict`, the written workflows linted like this repository's, and
a second init that refuses to overwrite anything."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from readlist import __version__
from readlist.scaffold import repository

from .helpers import WORKFLOWS
from .test_action import action_steps, check_uses
from .test_workflows import SHA_PIN, _tool, actionlint, load, zizmor

ROOT = Path(__file__).resolve().parents[2]


def readlist(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "readlist.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """One fresh `readlist init` shared by the read-only tests of this module."""
    dest = tmp_path_factory.mktemp("init") / "my-list"
    done = readlist("init", str(dest), "--title", 'Ada\'s "quoted" reading list: ML & more', cwd=dest.parent)
    assert done.returncode == 0, done.stderr
    return dest


EXPECTED = {
    "mkdocs.yml",
    "README.md",
    "CONTRIBUTING.md",
    "requirements.txt",
    ".gitignore",
    ".pre-commit-config.yaml",
    "docs/contributing.md",
    "readings/topics.yaml",
    "readings/entry.schema.json",
    "readings/entries/how-to-read-a-paper.yaml",
    "readings/lists/start-here.yaml",
    ".github/workflows/checks.yml",
    ".github/workflows/links.yml",
    ".github/workflows/pages.yml",
    ".github/ISSUE_TEMPLATE/suggest-reading.yml",
    ".github/ISSUE_TEMPLATE/config.yml",
    ".github/dependabot.yml",
    ".github/zizmor.yml",
}


def test_init_writes_a_complete_repository(project):
    written = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert written == EXPECTED
    assert not any("@@" in (project / name).read_text(encoding="utf-8") for name in written)


def test_the_title_reaches_the_site_and_readme(project):
    config = yaml.safe_load((project / "mkdocs.yml").read_text().replace("!ENV", ""))
    assert config["site_name"] == 'Ada\'s "quoted" reading list: ML & more'
    assert (project / "README.md").read_text().startswith('# Ada\'s "quoted" reading list: ML & more\n')


def test_validate_strict_then_mkdocs_build_strict(project, tmp_path):
    done = readlist("validate", "--strict", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 entries, 1 lists, 1 topics: 0 error(s), 0 warning(s)" in done.stderr
    assert readlist("fmt", "--check", cwd=project).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    topic = (tmp_path / "site" / "topics" / "getting-started" / "index.html").read_text()
    assert 'id="how-to-read-a-paper"' in topic
    assert (tmp_path / "site" / "lists" / "start-here" / "index.html").is_file()
    assert (tmp_path / "site" / "contributing" / "index.html").is_file()


def test_the_schema_file_is_the_one_readlist_prints(project):
    done = readlist("schema", cwd=project)
    assert (project / "readings" / "entry.schema.json").read_text() == done.stdout


# --- the written workflows, linted as ours are ---------------------------------------------


def generated_workflows(project: Path) -> list[Path]:
    return sorted((project / ".github" / "workflows").glob("*.yml"))


def test_actionlint(project):
    done = actionlint(*generated_workflows(project))
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_pedantic(project):
    done = zizmor(project)  # the repository: workflows, dependabot, its zizmor.yml
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


@pytest.mark.parametrize(
    "schema, files",
    [
        ("vendor.github-workflows", ".github/workflows/*.yml"),
        ("custom.github-workflows-require-timeout", ".github/workflows/*.yml"),
        ("vendor.dependabot", ".github/dependabot.yml"),
        ("vendor.github-issue-forms", ".github/ISSUE_TEMPLATE/suggest-reading.yml"),
        ("vendor.github-issue-config", ".github/ISSUE_TEMPLATE/config.yml"),
    ],
)
def test_check_jsonschema(project, schema, files):
    paths = sorted(project.glob(files))
    assert paths
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_config_is_valid_and_pinned(project):
    done = subprocess.run(
        [_tool("pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    repo = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"][0]
    assert (repo["repo"], repo["rev"]) == (f"https://github.com/{repository()}", f"v{__version__}")
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hooks  # hooks this repository offers


def test_workflows_use_the_action_pinned_to_this_version(project):
    workflows = generated_workflows(project)
    steps = list(action_steps(workflows, repository()))
    assert {step["with"]["command"] for _, step in steps} == {"validate", "check-links", "link-issue"}
    assert all(step["uses"] == f"{repository()}@v{__version__}" for _, step in steps)
    assert check_uses(steps) == len(steps)
    assert (
        f"readlist @ git+https://github.com/{repository()}@v{__version__}" in (project / "requirements.txt").read_text()
    )


def test_workflows_keep_this_repositorys_rules(project):
    ours = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for action, sha in re.findall(r"uses:\s*([\w.-]+/[\w.-]+)[\w./-]*@([0-9a-f]{40})", path.read_text()):
            ours[action] = sha  # by repository: actions/cache/restore pins actions/cache
    for path in generated_workflows(project):
        workflow = load(path)
        assert workflow["permissions"] == {} and "group" in workflow["concurrency"]
        for job_id, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 30 and isinstance(job["permissions"], dict), job_id
            for step in job["steps"]:
                uses = step.get("uses", "")
                if uses.startswith("actions/"):
                    assert SHA_PIN.match(uses), uses
                    action, sha = uses.split("@")
                    action = "/".join(action.split("/")[:2])
                    assert ours.get(action) == sha, f"{path.name}: {uses} differs from this repository's pin"
                if uses.startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
    checks = load(project / ".github" / "workflows" / "checks.yml")
    assert {"pull_request", "push"} <= set(checks["on"])
    assert "schedule" in load(project / ".github" / "workflows" / "links.yml")["on"]
    assert load(project / ".github" / "workflows" / "pages.yml")["on"]["push"]["branches"] == ["main"]


# --- never overwrites ------------------------------------------------------------------------


def test_an_existing_file_is_named_and_nothing_is_written(tmp_path):
    dest = tmp_path / "list"
    (dest / "readings").mkdir(parents=True)
    (dest / "readings" / "topics.yaml").write_text("- id: mine\n  title: Mine\n")
    (dest / "notes.txt").write_text("kept")
    done = readlist("init", str(dest), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{dest / 'readings' / 'topics.yaml'}" in done.stderr and "nothing written" in done.stderr
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        "notes.txt",
        "readings",
        "readings/topics.yaml",
    ]
    assert (dest / "readings" / "topics.yaml").read_text() == "- id: mine\n  title: Mine\n"


def test_init_into_an_unrelated_existing_folder_and_twice(tmp_path):
    dest = tmp_path / "repo"
    dest.mkdir()
    (dest / "LICENSE").write_text("mine")
    assert readlist("init", str(dest), cwd=tmp_path).returncode == 0
    assert (dest / "LICENSE").read_text() == "mine"
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    again = readlist("init", str(dest), "--title", "Other", cwd=tmp_path)
    assert again.returncode == 2 and "18 file(s) already exist" in again.stderr
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before


def test_bad_title_and_a_file_in_the_way(tmp_path):
    done = readlist("init", str(tmp_path / "x"), "--title", "   ", cwd=tmp_path)
    assert done.returncode == 2 and "--title must not be empty" in done.stderr
    (tmp_path / "file").write_text("")
    done = readlist("init", str(tmp_path / "file"), cwd=tmp_path)
    assert done.returncode == 2 and "is not a directory" in done.stderr and "Traceback" not in done.stderr


# --- the docs page and the README say commands readlist accepts ------------------------------


@pytest.mark.parametrize("doc", ["docs/start-your-own.md", "README.md"])
def test_documented_init_and_import_commands_parse(doc):
    import shlex

    from readlist.cli import build_parser

    text = (ROOT / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            for part in re.split(r"\s*(?:&&|;)\s*", line.split(" #")[0]):
                if part.startswith(
                    ("readlist init", "readlist import refs", "readlist import my-", "readlist import ~")
                ):
                    commands.append(part)
    assert commands
    parser = build_parser()
    for command in commands:
        argv = [a.replace("|refs.json", "") for a in shlex.split(command)[1:] if "[" not in a and "]" not in a]
        parser.parse_args(argv)  # SystemExit fails the test
