"""Editorial rules of `validate`: one name per person, a tier-1 way into every
leaf topic, and a list's own "new" marks. Real files in a temporary tree."""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.authors import look_alikes, same_person
from readlist.loading import load

SUMMARY = (
    "A summary long enough to pass the thin summary rule, since it has more than twenty "
    "words in it for sure, and then some."
)
TOPICS = """\
- id: basics
  title: Basics
  children:
    - id: first
      title: First
    - id: deep
      title: Deep
"""


def entry(root: Path, stem: str, *, topic: str = "first", tier: int = 1, authors: str = "") -> Path:
    path = root / "entries" / f"{stem}.yaml"
    text = f"title: {stem}\nurl: https://example.org/{stem}\ntopic: {topic}\ntier: {tier}\n"
    if authors:
        text += f"authors: [{authors}]\n"
    path.write_text(text + f"summary: {SUMMARY}\n", encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "readings"
    (root / "entries").mkdir(parents=True)
    (root / "lists").mkdir()
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    entry(root, "a", tier=1)
    entry(root, "b", topic="deep", tier=1)
    return root


def messages(root: Path, **kwargs) -> list[tuple[str, int, int, str, str]]:
    return [(d.path.name, d.line, d.col, d.severity, d.message) for d in load(root, **kwargs).diagnostics]


@pytest.mark.parametrize(
    "a, b",
    [
        ("Chris Olah", "Christopher Olah"),
        ("Quoc Le", "Quoc V. Le"),
        ("Geoffrey Hinton", "Geoffrey E. Hinton"),
        ("Sasha Rush", "Alexander Rush"),
        ("Jeff Dean", "Jeffrey Dean"),
        ("Yura Burda", "Yuri Burda"),
        ("Harri Edwards", "Harrison Edwards"),
        ("J. Schmidhuber", "Jürgen Schmidhuber"),
        ("Aäron van den Oord", "Aaron van den Oord"),
        ("Noah D. Goodman", "Noah Goodman"),
    ],
)
def test_spellings_of_one_person(a, b):
    assert same_person(a, b) and same_person(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Jeff Wu", "Yi Wu"),
        ("Quoc V. Le", "Quoc T. Le"),
        ("Ian Goodfellow", "Noah Goodman"),
        ("Yi Tay", "Yi Wang"),
        ("Li Dong", "Lu Dong"),
        ("karpathy", "Andrej Karpathy"),
        ("Bo Chen", "Bob Chen"),  # 'Bo' is too short to be a prefix that means anything
    ],
)
def test_different_people(a, b):
    assert not same_person(a, b)


def test_look_alikes_pairs_each_once():
    names = ["Chris Olah", "Christopher Olah", "C. Olah", "Tom Brown", "Tom B. Brown", "Jan Leike"]
    assert look_alikes(names) == [
        ("C. Olah", "Chris Olah"),
        ("C. Olah", "Christopher Olah"),
        ("Chris Olah", "Christopher Olah"),
        ("Tom B. Brown", "Tom Brown"),
    ]


def test_look_alikes_finds_what_comparing_every_pair_finds():
    rng = random.Random(12)
    first = ["Wei", "Weiming", "W.", "Chris", "Christopher", "Sasha", "Alexander", "Alex", "Yi", "Yin"]
    last = ["Wang", "Li", "Olah", "Rush"]
    names = {f"{rng.choice(first)} {rng.choice(['', 'A. ', 'B. '])}{rng.choice(last)}" for _ in range(400)}
    every_pair = sorted(tuple(sorted((a, b))) for a in names for b in names if a < b and same_person(a, b))
    assert every_pair and look_alikes(names) == every_pair


def test_the_less_used_spelling_is_flagged_where_it_is_written(root):
    entry(root, "c", authors="Jan Leike, Christopher Olah")
    entry(root, "d", authors="Christopher Olah")
    entry(root, "e", authors="Chris Olah, Dario Amodei")
    assert messages(root) == [
        (
            "e.yaml",
            5,
            11,
            "warning",
            "author 'Chris Olah' looks like 'Christopher Olah' (2 times elsewhere); write one name "
            "per person, or list both under 'distinct' in readings/authors.yaml if they are different people",
        )
    ]
    strict = messages(root, strict=True)
    assert [m[3] for m in strict] == ["error"]


def test_authors_yaml_declares_different_people(root):
    entry(root, "c", authors="Jeff Wu")
    entry(root, "d", authors="Jeffrey Wu")
    assert len(messages(root)) == 1
    (root / "authors.yaml").write_text(
        "# Two people who share a surname and a given name's start.\n"
        "distinct:\n  - [Jeff Wu, Jeffrey Wu]\n  - [Yi Tay, Yi  Tay2]\n",
        encoding="utf-8",
    )
    assert messages(root) == [
        ("authors.yaml", 4, 6, "warning", "'Yi Tay' is not the name of any author"),
        ("authors.yaml", 4, 14, "warning", "'Yi  Tay2' is not the name of any author"),
    ]


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("distinct: [[Jeff Wu]]\n", (1, 12), "distinct[0]: list at least two different names"),
        ("distinct: [[Jeff Wu, Jeff Wu]]\n", (1, 12), "distinct[0]: list at least two different names"),
        ("distinkt: []\n", (1, 1), "unknown field 'distinkt' (did you mean 'distinct'?)"),
        ("distinct: Jeff Wu\n", (1, 11), "distinct: input should be a valid list"),
        ("- [a, b]\n", (1, 1), "expected a mapping such as 'distinct: [[A, B]]'"),
        ("distinct: &x [[a, b]]\n", (1, 11), "anchors and aliases are not allowed"),
    ],
)
def test_a_bad_authors_yaml_is_an_error_with_its_position(root, text, where, message):
    (root / "authors.yaml").write_text(text, encoding="utf-8")
    found = [m for m in messages(root) if m[0] == "authors.yaml"]
    assert len(found) == 1, found
    (_, line, col, severity, text_) = found[0]
    assert (line, col, severity) == (*where, "error") and message in text_, found


def test_a_leaf_topic_with_no_tier_1_reading_is_flagged(root):
    (root / "entries" / "b.yaml").unlink()
    entry(root, "b", topic="deep", tier=3)
    entry(root, "c", topic="deep", tier=2)
    assert messages(root) == [
        (
            "topics.yaml",
            6,
            11,
            "warning",
            "topic 'deep' has no tier-1 reading (it starts at tier 2); readers who read tier 1 of "
            "every topic first skip it",
        )
    ]
    # inner topics are judged by their leaves, empty ones by the empty-topic rule
    (root / "entries" / "b.yaml").unlink()
    (root / "entries" / "c.yaml").unlink()
    assert [m[4] for m in messages(root)] == ["topic 'deep' has no entries"]


LIST = """\
title: A list
source: {title: Somewhere, url: "https://example.org/list"}
sections:
  - title: All
    entries: [a, b]
new_in_source:
  label: Added after 2024/4/1
  entries: [b, %s]
"""


def test_a_lists_new_marks_load(root):
    (root / "lists" / "l.yaml").write_text(LIST % "a", encoding="utf-8")
    loaded = load(root)
    assert not loaded.diagnostics
    marks = loaded.catalog.lists["l"].new_in_source
    assert marks is not None and marks.label == "Added after 2024/4/1" and marks.entries == ["b", "a"]


@pytest.mark.parametrize(
    "mark, message",
    [
        ("aa", "unknown entry 'aa' (did you mean 'a'?)"),
        ("b", "entry 'b' is marked twice"),
        ("c", "entry 'c' is marked new in the source but is not in this list"),
    ],
)
def test_a_lists_new_marks_are_checked(root, mark, message):
    entry(root, "c")
    (root / "lists" / "l.yaml").write_text(LIST % mark, encoding="utf-8")
    assert messages(root) == [("l.yaml", 8, 16, "error", message)]


def test_real_elicit_list_keeps_its_sources_marks():
    repo = Path(__file__).resolve().parents[2]
    catalog = load(repo / "readings").catalog
    marks = catalog.lists["elicit-ml-reading-list"].new_in_source
    assert marks is not None and len(marks.entries) == 38
    assert set(marks.entries) <= set(catalog.lists["elicit-ml-reading-list"].entry_ids())


def test_fmt_keeps_new_marks_in_place(root):
    path = root / "lists" / "l.yaml"
    path.write_text(LIST % "a", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "readlist.cli", "fmt", "--check", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    shuffled = textwrap.dedent("""\
        new_in_source:
          entries: [b]
          label: Added
        title: A list
        sections:
          - title: All
            entries: [a, b]
        """)
    path.write_text(shuffled, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "readlist.cli", "fmt", str(path)], check=True, capture_output=True)
    assert path.read_text() == (
        "title: A list\nsections:\n  - title: All\n    entries: [a, b]\n"
        "new_in_source:\n  label: Added\n  entries: [b]\n"
    )


# -- words broken across the lines of a `|` block -----------------------------
#
# Markdown joins the lines of a block with a space, so a line that ends inside a
# hyphenated word ("chain-" / "of-thought") shows "chain- of-thought". The rule's
# promise: it warns exactly when the site would show something other than what
# the writer typed on one line, and it points at the line that ends in the hyphen.
# The writer's own words end in a hyphen only as suspended hyphens ("pre- and"),
# which is what makes "shown != written" the oracle.

VOCABULARY = [
    "the",
    "model",
    "reads",
    "a",
    "summary",
    "of",
    "results",
    "and",
    "to",
    "or",
    "with",
    "chain-of-thought",
    "3.9-billion-parameter",
    "free-text",
    "end-to-end",
    "state-of-the-art",
    "low-rank",
    "well-known",
    "pre- and post-training",
    "first- to third-order",
    "zero- or few-shot",
    "(self-attention),",
    "GPT-3",
    "--",
    "—",
    "e.g.",
]


def block_entry(root: Path, field: str, lines: list[str]) -> Path:
    """An entry whose summary, or else its one note, is a `|` block of `lines`."""
    text = "title: t\nurl: https://example.org/t\ntopic: first\ntier: 1\n"
    if field == "summary":
        text += "summary: |\n" + "".join(f"  {line}\n" for line in lines)
    else:
        text += f"summary: {SUMMARY}\nnotes:\n  - |\n" + "".join(f"    {line}\n" for line in lines)
    path = root / "entries" / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(root: Path) -> list:
    return [d for d in load(root).diagnostics if "breaks a word" in d.message]


@settings(max_examples=120, deadline=None)
@given(
    words=st.lists(st.sampled_from(VOCABULARY), min_size=25, max_size=60),
    width=st.integers(min_value=8, max_value=70),
    field=st.sampled_from(["summary", "note"]),
)
def test_a_warning_exactly_when_the_site_would_show_a_broken_word(words, width, field):
    written = " ".join(words)
    lines = textwrap.wrap(written, width, break_on_hyphens=True, break_long_words=False)
    shown = " ".join(lines)  # what Markdown makes of the block
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "entries").mkdir()
        (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
        entry(root, "b", topic="deep")
        path = block_entry(root, field, lines)
        found = broken(root)
        assert bool(found) == (shown != written), (lines, found)
        file_lines = path.read_text(encoding="utf-8").splitlines()
        for d in found:
            # each warning sits on the hyphen that ends a line inside the block
            assert d.path == path and d.severity == "warning"
            assert file_lines[d.line - 1][d.col - 1 :] == "-", (d, file_lines[d.line - 1])
            assert (field == "summary") == d.message.startswith("summary ")
        # joining each broken word back onto one line silences the rule
        if found:
            block_entry(root, field, [written])
            assert broken(root) == []


@pytest.mark.parametrize(
    "lines, shown",
    [
        (["a 3.9-billion-", "parameter model"], "3.9-billion- parameter"),
        (["uses chain-", "of-thought data"], "chain- of-thought"),
        (["free-", "text feedback"], "free- text"),
        (["an end-", "to-end system"], "end- to-end"),  # "to" only excuses a whole word
        (["both pre-", "and post-training", "then re-", "ranking"], "re- ranking"),
    ],
)
def test_named_broken_words(root, lines, shown):
    path = block_entry(root, "summary", lines)
    (d,) = broken(root)
    assert f"the site shows '{shown}'" in d.message and d.path == path


@pytest.mark.parametrize(
    "lines",
    [
        ["both pre-", "and post-training"],
        ["first-", "to third-order"],
        ["zero-", "or few-shot"],
        ["a dash --", "then text"],
        ["a word -", "then text"],
        ["ends in a hyphen-"],
        ["a paragraph that ends-", "", "and another"],
        ["GPT-3 and", "low-rank"],
    ],
)
def test_suspended_hyphens_and_dashes_are_fine(root, lines):
    block_entry(root, "summary", lines)
    assert broken(root) == []


def test_strict_makes_a_broken_word_an_error(root):
    block_entry(root, "note", ["uses chain-", "of-thought data"])
    assert [(d.line, d.severity) for d in load(root, strict=True).diagnostics] == [(8, "error")]
