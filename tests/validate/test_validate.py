"""`readlist validate` on real files: every bad case is one precise error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from readlist.loading import YamlProblem, load, read_yaml

HERE = Path(__file__).parent
BAD = HERE / "bad"

# file stem -> (severity, line, col, words the message must contain)
EXPECTED = {
    "Bad_File_Name": ("error", 1, 1, "not a valid id"),
    "anchors": ("error", 1, 8, "anchors and aliases are not allowed"),
    "bad-date": ("error", 5, 8, "added: input should be a valid date"),
    "bad-url-data": ("error", 2, 6, "must be an absolute http:// or https:// URL"),
    "bad-url-file": ("error", 2, 6, "must be an absolute http:// or https:// URL"),
    "bad-url-javascript": ("error", 2, 6, "must be an absolute http:// or https:// URL"),
    "bad-url-relative": ("error", 2, 6, "must be an absolute http:// or https:// URL"),
    "billion-laughs": ("error", 1, 4, "anchors and aliases are not allowed"),
    "duplicate-key": ("error", 2, 1, "duplicate key 'title' (first defined on line 1)"),
    "empty": ("error", 1, 1, "file is empty"),
    "good-blog": ("error", 2, 6, "same work as entry 'dup-www-http'"),
    "good-paper": ("error", 2, 6, "same work as entry 'dup-arxiv-pdf'"),
    "good-video": ("error", 2, 6, "same work as entry 'dup-youtu-be'"),
    "missing-summary": ("error", 1, 1, "missing required field 'summary'"),
    "not-utf8": ("error", 1, 11, "not UTF-8"),
    "other-tag": ("error", 1, 8, "tags such as '!custom' are not allowed"),
    "python-tag": ("error", 1, 8, "python/object/apply:os.system' are not allowed"),
    "short-summary": ("warning", 5, 10, "summary has 2 words"),
    "tab-indent": ("error", 6, 1, "tab character in indentation"),
    "tier-seven": ("error", 4, 7, "tier: input should be less than or equal to 4"),
    "tier-word": ("error", 4, 7, "tier: input should be a valid integer"),
    "top-level-list": ("error", 1, 1, "expected a mapping of fields, found a list"),
    "top-level-scalar": ("error", 1, 1, "expected a mapping of fields, found a single value"),
    "unclosed-quote": ("error", 6, 1, "while scanning a quoted scalar"),
    "unknown-field": ("error", 5, 1, "unknown field 'summery' (did you mean 'summary'?)"),
    "unknown-topic": ("error", 3, 8, "unknown topic 'atention' (did you mean 'attention'?)"),
    "yaml11-float": ("error", 5, 8, "tags[0]: string should match pattern"),
    "yaml11-no": ("error", 5, 7, "kind: input should be 'paper'"),
    "year-typo": ("error", 5, 7, "year: input should be a valid integer"),
}
CLEAN = {"dup-arxiv-pdf", "dup-www-http", "dup-youtu-be", "with-bom"}


@pytest.fixture(scope="module")
def loaded():
    return load(BAD)


def test_every_fixture_is_accounted_for():
    stems = {p.stem for p in (BAD / "entries").glob("*.yaml")}
    assert stems == set(EXPECTED) | CLEAN


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_bad_entry_gives_one_precise_diagnostic(loaded, stem):
    found = [d for d in loaded.diagnostics if d.path.stem == stem]
    severity, line, col, words = EXPECTED[stem]
    assert len(found) == 1, found
    (diagnostic,) = found
    assert (diagnostic.severity, diagnostic.line, diagnostic.col) == (severity, line, col)
    assert words in diagnostic.message


def test_good_files_load_with_their_values(loaded):
    catalog = loaded.catalog
    assert not [d for d in loaded.diagnostics if d.path.stem in CLEAN]
    assert catalog.entries["with-bom"].title == "BOM is fine"
    assert catalog.topic_path("attention")[0].id == "transformers"
    assert [lst.id for lst in catalog.lists_of("good-paper")] == ["course"]


def test_list_rules(loaded, monkeypatch):
    monkeypatch.chdir(HERE.parent.parent)
    found = [d.text() for d in loaded.diagnostics if d.path.parent.name == "lists"]
    assert found == [
        "tests/validate/bad/lists/course.yaml:5:27: error: unknown entry 'good-blogg' (did you mean 'good-blog'?)",
        "tests/validate/bad/lists/course.yaml:6:12: warning: section 'Nothing yet' has no entries",
    ]


def test_an_entry_with_a_bad_field_still_gets_its_topic_checked(tmp_path):
    root = tmp_path / "readings"
    (root / "entries").mkdir(parents=True)
    shutil.copy(BAD / "topics.yaml", root / "topics.yaml")
    (root / "entries" / "two-problems.yaml").write_text(
        "title: Two problems\nurl: https://example.org/two\ntopic: atention\ntier: high\n"
        "summary: A summary long enough to pass the thin summary rule, since it has more than twenty words in it for sure.\n"
    )
    (root / "entries" / "bad-slug.yaml").write_text(
        "title: Bad slug\nurl: https://example.org/slug\ntopic: Not A Slug\ntier: 1\n"
        "summary: A summary long enough to pass the thin summary rule, since it has more than twenty words in it for sure.\n"
    )
    found = [(d.path.stem, d.line, d.col, d.message) for d in load(root).errors]
    assert found == [
        ("bad-slug", 3, 8, "topic: string should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$' (got 'Not A Slug')"),
        ("two-problems", 3, 8, "unknown topic 'atention' (did you mean 'attention'?)"),
        (
            "two-problems",
            4,
            7,
            "tier: input should be a valid integer, unable to parse string as an integer (got 'high')",
        ),
    ]


def test_diagnostics_are_sorted(loaded):
    assert loaded.diagnostics == sorted(loaded.diagnostics)


def test_yaml_11_scalars_are_read_as_written(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("a: no\nb: on\nc: 1.10\nd: 0o17\ne: 2024-04-02\nf: ~\ng: 'null'\n")
    doc = read_yaml(path)
    assert doc.data == {
        "a": "no",
        "b": "on",
        "c": "1.10",
        "d": "0o17",
        "e": "2024-04-02",
        "f": None,
        "g": "null",
    }


def test_python_tag_constructs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "e.yaml"
    path.write_text(f'title: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(YamlProblem):
        read_yaml(path)
    assert not marker.exists()


def test_billion_laughs_fails_fast_with_bounded_memory():
    tracemalloc.start()
    with pytest.raises(YamlProblem, match="anchors"):
        read_yaml(BAD / "entries" / "billion-laughs.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000  # expanded, the document would hold 9**9 strings


def test_file_over_one_mebibyte_is_refused(tmp_path):
    root = tmp_path / "readings"
    shutil.copytree(BAD, root)
    (root / "entries" / "huge.yaml").write_text("title: x\n" + "# padding\n" * 110_000)
    found = [d for d in load(root).diagnostics if d.path.stem == "huge"]
    assert [d.message for d in found] == [
        f"file is {(root / 'entries' / 'huge.yaml').stat().st_size:,} bytes; the limit is 1,048,576 (1 MiB)"
    ]


def test_strict_turns_warnings_into_errors():
    strict = load(BAD, strict=True)
    assert not strict.warnings
    assert any("summary has 2 words" in d.message for d in strict.errors)


def run(*args: str, cwd: Path = HERE.parent.parent) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "readlist.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_text_output_and_exit_status():
    result = run("validate", "tests/validate/bad")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "tests/validate/bad/entries/tier-word.yaml:4:7: error: tier: input should be a valid integer, unable to parse string as an integer (got 'high')"
        in lines
    )
    # plus the list's unknown entry and empty section, and 'attention' (no tier-1 reading)
    assert len(lines) == len(EXPECTED) + 3
    assert "Traceback" not in result.stderr


def test_cli_github_annotations():
    result = run("validate", "tests/validate/bad", "--format", "github")
    assert (
        "::error file=tests/validate/bad/entries/unknown-topic.yaml,line=3,col=8::unknown topic 'atention' (did you mean 'attention'?)"
        in result.stdout.splitlines()
    )
    assert "::warning file=tests/validate/bad/entries/short-summary.yaml,line=5,col=10::" in result.stdout


def test_cli_json():
    result = run("validate", "tests/validate/bad", "--format", "json")
    report = json.loads(result.stdout)
    assert report["summary"] == {"errors": len(EXPECTED), "warnings": 3}
    assert {"path", "line", "col", "severity", "message"} <= set(report["diagnostics"][0])


def test_cli_bad_usage_exits_2_without_traceback(tmp_path):
    for args in (["validate", str(tmp_path / "missing")], ["validate", "--format", "xml"], ["nope"]):
        result = run(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr


def test_real_readings_are_valid():
    result = run("validate", "--strict", "readings")
    assert result.returncode == 0, result.stdout


def test_schema_is_json_schema_for_editors():
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"title", "url", "topic", "tier", "summary"}
    assert "id" not in schema["properties"]
    assert schema["properties"]["tier"]["maximum"] == 4


def test_committed_schema_is_current_and_accepts_every_real_entry():
    """Editors read readings/entry.schema.json (via a yaml-language-server
    comment); it must match the models and accept the real data."""
    import datetime as dt

    import jsonschema
    import yaml

    schema = json.loads(run("schema").stdout)
    root = HERE.parent.parent / "readings"
    assert json.loads((root / "entry.schema.json").read_text()) == schema, (
        "run `readlist schema > readings/entry.schema.json`"
    )
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((root / "entries").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if isinstance(data.get("added"), dt.date):
            data["added"] = data["added"].isoformat()  # JSON has no dates
        assert not list(validator.iter_errors(data)), path
    bad = {"title": "x", "url": "javascript:alert(1)", "topic": "t", "tier": 7, "summary": "s", "summery": "s"}
    assert len(list(validator.iter_errors(bad))) == 3
