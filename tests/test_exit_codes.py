"""One exit-status rule for every command (readlist.errors): 0 nothing found,
1 problems found in the data or the links, 2 bad usage, a bad setting or a
folder with no readings, 3 a bug (with its traceback).

The invariants, over every command that reads the list:
* a root with no readings (missing, a file, an empty folder, an unrelated
  folder, or the current folder when no root is given) is 2, one line, no
  traceback;
* an unknown flag is 2;
* a real user mistake (a broken readings file, a bad argument) gives its own
  code with one `readlist: error:` line or a file:line:col diagnostic;
* an exception that is not a ReadlistError is a bug: 3, its traceback and a
  request to report it. The bug is injected into a child process by a `-c`
  wrapper that replaces `readings_root`, the seam every such command goes
  through, with a function that raises.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from readlist.cli import command_names, main
from readlist.errors import EXIT_STATUS, Exit

SUMMARY = (
    "A summary written by a person, long enough for the validator: it says what the reading "
    "covers, why it matters and who should read it first, in twenty words or more."
)
ENTRY = f"""\
title: Attention Is All You Need
url: https://arxiv.org/abs/1706.03762
topic: transformers
tier: 1
kind: paper
summary: "{SUMMARY}"
"""


def make_project(where: Path) -> Path:
    """A project root holding a small valid readings/ folder."""
    readings = where / "readings"
    (readings / "entries").mkdir(parents=True)
    (readings / "lists").mkdir()
    (readings / "topics.yaml").write_text("- id: transformers\n  title: Transformers\n", encoding="utf-8")
    (readings / "entries" / "attention.yaml").write_text(ENTRY, encoding="utf-8")
    return where


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`readlist ARGV` in this process: its status and everything it printed."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# Every command that reads the list, with ROOT where its root goes; {out} is
# a fresh output folder, {bib} and {md} a BibTeX file and a Markdown list to import.
READING_COMMANDS = {
    "validate": ["validate", "ROOT"],
    "generate": ["generate", "ROOT", "--out", "{out}"],
    "export": ["export", "ROOT"],
    "check-links": ["check-links", "ROOT"],
    "ci shards": ["ci", "shards", "ROOT"],
    "search-index": ["search-index", "{out}", "ROOT"],
    "new": ["new", "https://example.org/new", "--root", "ROOT"],
    "import .bib": ["import", "{bib}", "--out", "ROOT"],
}
# These take files or folders to rewrite: a missing one is the bad root.
PATH_COMMANDS = {
    "fmt": ["fmt", "ROOT"],
    "refresh": ["refresh", "ROOT"],
}


def _argv(template: list[str], root: str | None, tmp_path: Path) -> list[str]:
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, title={A}, url={https://example.org/a}}\n", encoding="utf-8")
    md = tmp_path / "list.md"
    md.write_text("# A list\n\n- [One](https://one.example/)\n", encoding="utf-8")
    filled = [a.format(out=tmp_path / "out", bib=bib, md=md) for a in template]
    if root is None:  # the default: the current folder
        at = filled.index("ROOT")
        return (
            filled[: at - 1] + filled[at + 1 :] if filled[at - 1].startswith("--") else filled[:at] + filled[at + 1 :]
        )
    return [root if a == "ROOT" else a for a in filled]


def _bad_root(kind: str, tmp_path: Path) -> Path:
    if kind == "missing":
        return tmp_path / "no-such-folder"
    if kind == "a file":
        path = tmp_path / "notes.txt"
        path.write_text("not a folder\n")
        return path
    folder = tmp_path / kind.replace(" ", "-")
    folder.mkdir()
    if kind == "an unrelated folder":
        (folder / "docs").mkdir()
        (folder / "docs" / "index.md").write_text("# Docs\n")
        (folder / "mkdocs.yml").write_text("site_name: x\n")
    return folder


BAD_ROOTS = ["missing", "a file", "an empty folder", "an unrelated folder"]


@pytest.mark.parametrize(("command", "kind"), list(itertools.product(READING_COMMANDS, BAD_ROOTS)))
def test_a_root_with_no_readings_is_a_usage_error(command, kind, tmp_path, capsys):
    root = _bad_root(kind, tmp_path)
    code, output = run(_argv(READING_COMMANDS[command], str(root), tmp_path), capsys)
    assert code == Exit.USAGE, output
    assert output.startswith("readlist: error: ") and str(root) in output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", [*READING_COMMANDS, *PATH_COMMANDS])
def test_the_default_root_is_the_current_folder(command, tmp_path, capsys, monkeypatch):
    """No root given, in a folder with no readings: 2; in a project root: not 2."""
    templates = {**READING_COMMANDS, **PATH_COMMANDS}
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    code, output = run(_argv(templates[command], None, tmp_path), capsys)
    assert code == Exit.USAGE, output
    assert "has no readings" in output and "Traceback" not in output


@pytest.mark.parametrize("form", ["project root", "readings folder"])
@pytest.mark.parametrize("command", ["validate", "export", "ci shards", "generate"])
def test_the_project_root_and_its_readings_folder_are_the_same_root(command, form, tmp_path, capsys):
    project = make_project(tmp_path / "project")
    root = project if form == "project root" else project / "readings"
    code, output = run(_argv(READING_COMMANDS[command], str(root), tmp_path), capsys)
    assert code == Exit.OK, output


@pytest.mark.parametrize("command", sorted({**READING_COMMANDS, **PATH_COMMANDS}))
def test_a_missing_path_or_unknown_flag_is_a_usage_error(command, tmp_path, capsys):
    templates = {**READING_COMMANDS, **PATH_COMMANDS}
    code, output = run(_argv(templates[command], str(tmp_path / "gone"), tmp_path), capsys)
    assert code == Exit.USAGE and "Traceback" not in output, output
    project = make_project(tmp_path / "project")
    code, output = run([*_argv(templates[command], str(project), tmp_path), "--no-such-flag"], capsys)
    assert code == Exit.USAGE and "unrecognized arguments: --no-such-flag" in output


def _break_an_entry(project: Path) -> str:
    """A real mistake in the data: a tier that is not a number (line 4, column 7)."""
    path = project / "readings" / "entries" / "attention.yaml"
    path.write_text(ENTRY.replace("tier: 1", "tier: one"), encoding="utf-8")
    return "attention.yaml:4:7: error: tier"


@pytest.mark.parametrize("command", ["validate", "generate", "export"])
def test_problems_in_the_data_are_1_with_their_position(command, tmp_path, capsys):
    project = make_project(tmp_path / "project")
    where = _break_an_entry(project)
    code, output = run(_argv(READING_COMMANDS[command], str(project), tmp_path), capsys)
    assert code == Exit.FOUND, output
    assert where in output and "Traceback" not in output


def test_fmt_check_of_a_broken_file_is_1(tmp_path, capsys):
    project = make_project(tmp_path / "project")
    (project / "readings" / "entries" / "attention.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    code, output = run(["fmt", "--check", str(project)], capsys)
    assert code == Exit.FOUND and re.search(r"attention\.yaml:\d+:\d+: error: ", output), output


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["new", "https://arxiv.org/abs/1706.03762/", "--root", "{project}"], Exit.FOUND, "already in the list"),
        (["new", "ftp://example.org/x", "--root", "{project}"], Exit.USAGE, "not an http(s) URL"),
        (
            ["new", "https://example.org/x", "--topic", "transformer", "--root", "{project}"],
            Exit.USAGE,
            "did you mean 'transformers'",
        ),
        (["import", "{tmp}/missing.bib", "--out", "{project}"], Exit.USAGE, "cannot read"),
        (
            ["generate", "{project}", "--out", "{tmp}/out", "--config", "{tmp}/site.json"],
            Exit.USAGE,
            "must end in .toml",
        ),
        (["init", "{project}/readings/topics.yaml"], Exit.USAGE, "is not a directory"),
        (["ci", "link-issue", "--report", "{project}/readings/topics.yaml"], Exit.USAGE, "not JSON"),
    ],
    ids=[
        "duplicate URL",
        "not a web URL",
        "unknown topic",
        "missing file",
        "bad --config",
        "init into a file",
        "not a report",
    ],
)
def test_each_user_error_has_its_code_and_one_line(argv, code, message, tmp_path, capsys):
    project = make_project(tmp_path / "project")
    argv = [a.format(project=project, tmp=tmp_path) for a in argv]
    got, output = run(argv, capsys)
    assert got == code, output
    errors = [line for line in output.splitlines() if line.startswith("readlist: error: ")]
    assert len(errors) == 1 and message in errors[0], output
    assert "Traceback" not in output


# -- a bug is 3, with its traceback ------------------------------------------------

INJECT = """\
import sys
import readlist.roots

def broken(*args, **kwargs):
    raise {exception}("injected by the test")

readlist.roots.readings_root = broken  # before the commands bind it
from readlist.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_with(exception: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", INJECT.format(exception=exception), *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", [*READING_COMMANDS, *PATH_COMMANDS, "import .md"])
def test_a_bug_is_3_with_its_traceback(command, tmp_path):
    project = make_project(tmp_path / "project")
    templates = {**READING_COMMANDS, **PATH_COMMANDS, "import .md": ["import", "{md}", "--out", "ROOT"]}
    argv = _argv(templates[command], None, tmp_path)
    done = run_with("RuntimeError", argv, project)
    assert done.returncode == Exit.INTERNAL, done.stderr
    assert "Traceback (most recent call last)" in done.stderr
    assert "RuntimeError: injected by the test" in done.stderr
    assert "this is a bug in readlist" in done.stderr and "please report it" in done.stderr


def test_an_interrupt_is_130_without_a_bug_report(tmp_path):
    project = make_project(tmp_path / "project")
    done = run_with("KeyboardInterrupt", ["validate"], project)
    assert done.returncode == 130
    assert "bug" not in done.stderr


def test_a_reader_that_leaves_the_pipe_is_not_a_bug(tmp_path):
    """`readlist export | head`, with `head` gone before the export is written:
    the write fails with EPIPE, which is the reader's doing, not a bug."""
    project = make_project(tmp_path / "project")
    child = subprocess.Popen(
        [sys.executable, "-m", "readlist.cli", "export"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the only reading end: every write of the child now fails
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr and "bug" not in stderr


# -- every --help states the rule ---------------------------------------------------


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, output = run([*argv, "--help"], capsys)
    assert code == 0
    return " ".join(output.split())


@pytest.mark.parametrize(
    "argv",
    [[], *([name] for name in command_names()), ["ci", "shards"], ["ci", "link-issue"]],
    ids=lambda argv: " ".join(argv) or "readlist",
)
def test_every_help_ends_with_the_rule(argv, capsys):
    assert _help(argv, capsys).endswith(" ".join(EXIT_STATUS.split()))


def test_every_root_help_says_the_same(capsys):
    """The root argument is described once, the same way, by every command that takes it."""
    wanted = "the project root or its readings/ folder (default: the current folder)"
    for command in ("validate", "generate", "export", "new", "import"):
        assert wanted in _help([command], capsys), command
    assert wanted in _help(["ci", "shards"], capsys)
