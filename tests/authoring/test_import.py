"""`readlist import` on the Elicit list and on lists written in other shapes,
then validate and build the result."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from readlist.loading import load

from .helpers import SUMMARY, run_cli, validate

ELICIT = Path(__file__).parent / "data" / "elicit-machine-learning-list.md"  # the published list, as a fixture
REPO_READINGS = Path(__file__).resolve().parents[2] / "readings"


def read(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill_summaries(root: Path) -> int:
    """What a person does after an import: write every empty summary."""
    count = 0
    for path in (root / "entries").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "summary: ''" in text:
            path.write_text(text.replace("summary: ''", f"summary: |\n  {SUMMARY}"), encoding="utf-8")
            count += 1
    return count


def elicit_copy(tmp_path: Path) -> Path:
    target = tmp_path / "elicit.md"
    shutil.copy(ELICIT, target)
    return target


def test_elicit_list_into_an_empty_folder(tmp_path, capsys):
    source, root = elicit_copy(tmp_path), tmp_path / "readings"
    assert (
        run_cli(
            "import",
            source,
            "--list",
            "elicit",
            "--out",
            root,
            "--source-url",
            "https://github.com/elicit/machine-learning-list",
        )
        == 0
    )
    err = capsys.readouterr().err
    # the OPT item points at the Gopher paper: reported, listed once
    assert re.search(r"elicit\.md:120: warning: duplicate: same work as line 117", err)
    assert "table-of-contents link" in err

    lst = read(root / "lists" / "elicit.yaml")
    assert lst["title"] == "Elicit Machine Learning Reading List"
    assert lst["source"]["url"] == "https://github.com/elicit/machine-learning-list"
    assert "**How to read**" in lst["description"] and "Read “Tier 1” for all topics" in lst["description"]
    assert [s["title"] for s in lst["sections"]] == [
        "Introduction to machine learning",
        "Transformers",
        "Key foundation model architectures",
        "Training and finetuning",
        "Production deployment",
    ]
    ids = [e for s in lst["sections"] for e in s["entries"]]
    assert len(ids) == len(set(ids)) == 87
    assert ids[:3] == [
        "a-short-introduction-to-machine-learning",
        "but-what-is-a-neural-network",
        "gradient-descent-how-neural-networks-learn",
    ]

    topics = read(root / "topics.yaml")
    assert [t["id"] for t in topics] == ["fundamentals", "ml-in-practice"]
    assert [c["id"] for c in topics[0]["children"]] == [
        "introduction-to-machine-learning",
        "transformers",
        "key-foundation-model-architectures",
        "training-and-finetuning",
    ]

    entries = root / "entries"
    aiayn = read(entries / "attention-is-all-you-need.yaml")
    assert aiayn["tier"] == 2 and aiayn["topic"] == "transformers" and aiayn["kind"] == "paper"
    assert "added" not in aiayn and aiayn["summary"] == ""
    memo = read(entries / "memorizing-transformers.yaml")
    assert memo["tier"] == 4  # inside <details><summary>Tier 4+</summary>
    s4 = read(entries / "efficiently-modeling-long-sequences-with-structured-state.yaml")
    assert s4["added"].isoformat() == "2024-04-01"  # ✨, date from the legend line
    assert s4["aka"] == ["S4"]
    assert s4["links"] == [{"title": "Video", "url": "https://www.youtube.com/watch?v=EvQ3ncuriCM"}]
    video = read(entries / "but-what-is-a-neural-network.yaml")
    assert video["url"] == "https://www.youtube.com/watch?v=aircAruvnKk" and video["kind"] == "video"
    nmt = read(entries / "neural-machine-translation-by-jointly-learning-to-align.yaml")
    assert nmt["url"] == "https://arxiv.org/abs/1409.0473"

    # validation: one clear error per entry, all about the missing summaries
    code, out = validate(root, capsys)
    assert code == 1
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert len(errors) == 87 and all("summary: must not be empty" in e for e in errors)
    assert fill_summaries(root) == 87
    code, out = validate(root, capsys)
    assert code == 0, out


def test_elicit_list_into_the_real_catalog_links_existing_entries(tmp_path, capsys):
    source, root = elicit_copy(tmp_path), tmp_path / "readings"
    shutil.copytree(REPO_READINGS, root)
    before = {p.name for p in (root / "entries").iterdir()}
    topics_before = (root / "topics.yaml").read_text()
    assert run_cli("import", source, "--list", "elicit-imported", "--out", root) == 0
    capsys.readouterr()
    new = {p.name for p in (root / "entries").iterdir()} - before
    lst = read(root / "lists" / "elicit-imported.yaml")
    ids = [e for s in lst["sections"] for e in s["entries"]]
    assert len(ids) == 87
    linked = [i for i in ids if f"{i}.yaml" in before]
    assert len(linked) + len(new) == 87 and len(linked) > len(new)
    # every new file is a URL the catalog did not have; topics were matched, not added
    catalog = load(root).catalog
    assert "attention-is-all-you-need" in ids
    assert (root / "topics.yaml").read_text() == topics_before
    for name in new:
        assert read(root / "entries" / name)["topic"] in catalog.topic_index


OTHER_SHAPE = """\
Study guide for systems people
==============================

Some words about this guide, which is not a reading.

Storage
-------

### Tier 1

1. [The Google File System](https://research.google/pubs/pub51/) - the paper that started it
   read sections 1-3 first
2. 🆕 Bigtable: A Distributed Storage System https://research.google/pubs/pub27898/

### Tier 2

* [Dynamo: Amazon's Highly Available Key-value Store](https://www.allthingsdistributed.com/files/amazon-dynamo-sosp2007.pdf) (Dynamo) (2007)
    * Eventual consistency, explained by the people who shipped it.
    * See also [the blog post](https://www.allthingsdistributed.com/2007/10/amazons_dynamo.html)
* this line has no link and cannot be imported

Coordination
------------

Papers:

+ [Paxos Made Simple](https://lamport.azurewebsites.net/pubs/paxos-simple.pdf)
+ https://raft.github.io/
+ [ ] [In Search of an Understandable Consensus Algorithm](https://raft.github.io/raft.pdf) ([talk](https://www.youtube.com/watch?v=YbZ3zDzDnrw))

Talks:

- [Designing Data-Intensive Applications](https://dataintensive.net/): the book, chapters 5-9

A stray paragraph after the items that belongs to nothing.

```
code blocks are not readings
```
"""


def test_a_list_in_another_shape_round_trips_to_a_site(tmp_path, capsys):
    source, root = tmp_path / "guide.md", tmp_path / "readings"
    source.write_text(OTHER_SHAPE, encoding="utf-8")
    assert run_cli("import", source, "--out", root, "--tier", "3") == 0
    err = capsys.readouterr().err
    # every line it could not understand, with its line number
    for line, text in [
        (20, "list item without a link"),
        (28, "a URL without a title"),
        (35, "text between items"),
        (37, "code block"),
    ]:
        assert re.search(rf"guide\.md:{line}: warning: not understood: {text}", err), (line, err)
    assert "4 line(s) not understood" in err

    lst = read(root / "lists" / "study-guide-for-systems-people.yaml")
    assert lst["title"] == "Study guide for systems people"
    assert "Some words about this guide" in lst["description"]
    assert [s["title"] for s in lst["sections"]] == ["Storage", "Coordination / Papers", "Coordination / Talks"]
    assert lst["sections"][0]["entries"] == [
        "the-google-file-system",
        "bigtable-a-distributed-storage-system",
        "dynamo-amazons-highly-available-key-value-store",
    ]
    entries = root / "entries"
    gfs = read(entries / "the-google-file-system.yaml")
    assert gfs["tier"] == 1 and gfs["notes"] == ["the paper that started it read sections 1-3 first"]
    bigtable = read(entries / "bigtable-a-distributed-storage-system.yaml")
    assert "added" in bigtable and bigtable["tier"] == 1
    dynamo = read(entries / "dynamo-amazons-highly-available-key-value-store.yaml")
    assert dynamo["tier"] == 2 and dynamo["aka"] == ["Dynamo"] and dynamo["year"] == 2007
    assert dynamo["notes"][0] == "Eventual consistency, explained by the people who shipped it."
    assert "[the blog post]" in dynamo["notes"][1]
    raft = read(entries / "in-search-of-an-understandable-consensus-algorithm.yaml")
    assert raft["tier"] == 3  # no tier line under this heading: --tier
    assert raft["links"] == [{"title": "Talk", "url": "https://www.youtube.com/watch?v=YbZ3zDzDnrw"}]
    ddia = read(entries / "designing-data-intensive-applications.yaml")
    assert ddia["notes"] == ["the book, chapters 5-9"]

    code, out = validate(root, capsys)
    assert code == 1 and "summary: must not be empty" in out
    fill_summaries(root)
    code, out = validate(root, capsys, "--strict")
    # the one editorial finding: Coordination's readings all came in at --tier 3
    assert code == 1 and out.count(": error: ") == 1, out
    assert "topic 'coordination' has no tier-1 reading (it starts at tier 3)" in out

    site = tmp_path / "site"
    capsys.readouterr()
    code = run_cli("generate", root, "--out", site)
    assert code == 0, capsys.readouterr().err
    pages = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*.md"))
    assert "Dynamo: Amazon" in pages and "Paxos Made Simple" in pages


def test_reimport_refuses_to_overwrite_the_list(tmp_path, capsys):
    source, root = tmp_path / "a.md", tmp_path / "readings"
    source.write_text("# A\n\n- [One](https://one.example/)\n")
    assert run_cli("import", source, "--out", root) == 0
    assert run_cli("import", source, "--out", root) == 2  # a usage error: pass --list
    assert "already exists" in capsys.readouterr().err
    # a second list with the same item links the existing entry
    assert run_cli("import", source, "--out", root, "--list", "again") == 0
    assert len(list((root / "entries").glob("*.yaml"))) == 1
    assert read(root / "lists" / "again.yaml")["sections"][0]["entries"] == ["one"]


def test_nothing_to_import_writes_nothing(tmp_path, capsys):
    source, root = tmp_path / "empty.md", tmp_path / "readings"
    source.write_text("# Just a title\n\nSome prose and no links at all.\n")
    assert run_cli("import", source, "--out", root) == 1
    assert "nothing to import" in capsys.readouterr().err
    assert not root.exists()


def test_dry_run(tmp_path, capsys):
    source, root = tmp_path / "a.md", tmp_path / "readings"
    source.write_text("## Topic\n\n- [One](https://one.example/)\n- [Two](https://two.example/)\n")
    assert run_cli("import", source, "--out", root, "--dry-run") == 0
    err = capsys.readouterr().err
    assert "would import" in err and "2 new entries" in err
    assert not root.exists()
