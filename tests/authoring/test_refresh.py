"""`readlist refresh`: real HTTP against local stand-ins for arXiv, a DOI
resolver and GitHub; real files, rewritten atomically with comments kept."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from .helpers import SUMMARY, run_cli, validate, write_entry

AUTHORS = [
    "Ashish Vaswani",
    "Noam Shazeer",
    "Niki Parmar",
    "Jakob Uszkoreit",
    "Llion Jones",
    "Aidan N. Gomez",
    "Lukasz Kaiser",
    "Illia Polosukhin",
]


def arxiv_entry(paper: str, title: str, authors: list[str], published: str) -> str:
    names = "".join(f"<author><name>{name}</name></author>" for name in authors)
    return f"""<entry><id>http://arxiv.org/abs/{paper}v7</id><published>{published}</published>
      <title>{title}</title><summary>...</summary>{names}</entry>"""


def feed(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">' + "".join(entries) + "</feed>"
    )


ATTENTION = arxiv_entry("1706.03762", "Attention Is All\n  You Need", AUTHORS, "2017-06-12T17:57:34Z")
ADAM = arxiv_entry(
    "1412.6980",
    "Adam: A Method for Stochastic Optimization -- Revisited",
    ["Diederik P. Kingma", "Jimmy Ba"],
    "2014-12-22T13:54:29Z",
)
ARXIV_ERROR = feed(
    "<entry><id>http://arxiv.org/api/errors</id><title>Error</title>"
    "<summary>incorrect id format for 1412.69800</summary></entry>"
)


@pytest.fixture
def env(server, monkeypatch):
    monkeypatch.setenv("READLIST_ARXIV_API", server.base + "/api/query")
    monkeypatch.setenv("READLIST_GITHUB_API", server.base + "/gh")
    monkeypatch.setenv("READLIST_DOI_RESOLVER", server.base + "/doi")
    return server


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def refresh(readings: Path, *args: str) -> int:
    return run_cli("refresh", readings / "entries", "--pause", "0", *args)


def arxiv_queries(server) -> list[list[str]]:
    return [parse_qs(urlsplit(r).query)["id_list"][0].split(",") for r in server.requests if r.startswith("/api/query")]


def test_diff_first_then_write_keeps_comments_and_layout(env, readings, capsys):
    env.route("/api/query", feed(ATTENTION), content_type="application/atom+xml")
    path = readings / "entries" / "attention-is-all-you-need.yaml"
    path.write_text("# kept: a comment above the title\n" + path.read_text())
    before = path.read_text()

    assert refresh(readings) == 0
    out, err = capsys.readouterr()
    assert path.read_text() == before  # nothing written without --write
    assert "-authors: [Ashish Vaswani, Noam Shazeer]" in out
    assert "+authors: [" + ", ".join(AUTHORS) + "]" in out
    edits = [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert [line[:9] for line in edits] == ["-authors:", "+authors:"]  # only what changes
    assert "1 entries re-read (1 arXiv, 0 DOI, 0 GitHub), 2 from other sources skipped: 1 would change" in err

    assert refresh(readings, "--write") == 0
    assert "1 changed" in capsys.readouterr().err
    after = path.read_text()
    assert after.startswith("# kept: a comment above the title\n")
    assert read(path)["authors"] == AUTHORS
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["authors: [" + ", ".join(AUTHORS) + "]"]
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed away
    code, out = validate(readings, capsys)
    assert code == 0, out

    assert refresh(readings) == 0  # a second run finds nothing to do
    out, err = capsys.readouterr()
    assert out == "" and "0 would change" in err


def test_arxiv_papers_are_asked_in_one_query_and_tex_dashes_become_dashes(env, readings, capsys):
    write_entry(
        readings,
        "adam",
        title="Adam",
        url="https://arxiv.org/pdf/1412.6980v9.pdf",
        topic="fundamentals",
        tier="1",
        summary=f'"{SUMMARY}"',
    )
    env.route("/api/query", feed(ADAM, ATTENTION), content_type="application/atom+xml")
    assert refresh(readings, "--write") == 0
    assert arxiv_queries(env) == [["1412.6980", "1706.03762"]]
    adam = read(readings / "entries" / "adam.yaml")
    assert adam["title"] == "Adam: A Method for Stochastic Optimization \u2013 Revisited"
    assert adam["authors"] == ["Diederik P. Kingma", "Jimmy Ba"] and adam["year"] == 2014
    assert "2 changed" in capsys.readouterr().err


def test_fields_limit_what_is_refreshed(env, readings, capsys):
    write_entry(
        readings,
        "adam",
        title="Adam",
        url="https://arxiv.org/abs/1412.6980",
        topic="fundamentals",
        tier="1",
        summary=f'"{SUMMARY}"',
    )
    env.route("/api/query", feed(ADAM, ATTENTION), content_type="application/atom+xml")
    assert refresh(readings, "--fields", "year,authors", "--write") == 0
    adam = read(readings / "entries" / "adam.yaml")
    assert adam["title"] == "Adam" and adam["year"] == 2014
    assert run_cli("refresh", readings, "--fields", "titel") == 2
    assert "unknown field 'titel'" in capsys.readouterr().err
    assert run_cli("refresh", readings, "--pause", "-1") == 2


def test_a_refused_batch_is_asked_paper_by_paper(env, readings, capsys):
    write_entry(
        readings,
        "adam",
        title="Adam",
        url="https://arxiv.org/abs/1412.6980",
        topic="fundamentals",
        tier="1",
        summary=f'"{SUMMARY}"',
    )
    env.route("/api/query", ARXIV_ERROR, content_type="application/atom+xml")
    before = {p.name: p.read_text() for p in (readings / "entries").iterdir()}
    assert refresh(readings, "--write") == 1
    err = capsys.readouterr().err
    assert arxiv_queries(env) == [["1412.6980", "1706.03762"], ["1412.6980"], ["1706.03762"]]
    assert "adam.yaml: error: arXiv API: arXiv has no paper 1412.6980 (incorrect id format" in err
    assert "2 failed" in err
    assert {p.name: p.read_text() for p in (readings / "entries").iterdir()} == before


def test_a_file_that_is_not_safe_yaml_is_reported_with_its_position(env, readings, capsys):
    env.route("/api/query", feed(ATTENTION), content_type="application/atom+xml")
    (readings / "entries" / "tabbed.yaml").write_text("title: x\nurl: https://arxiv.org/abs/1\nnotes:\n\t- a\n")
    assert refresh(readings) == 1
    err = capsys.readouterr().err
    assert re.search(r"entries/tabbed\.yaml:4:1: error: tab character in indentation", err), err
    assert "1 would change, 1 failed" in err  # the other entries are still compared


def test_network_failure_writes_nothing(env, readings, capsys):
    env.route("/api/query", "busy", status=503, content_type="text/plain")
    path = readings / "entries" / "attention-is-all-you-need.yaml"
    before = path.read_text()
    assert refresh(readings, "--write") == 1
    assert "answered 503" in capsys.readouterr().err
    assert path.read_text() == before


DOI_PAGE = """<html><head><title>Spanner | ACM</title>
<meta name="citation_title" content="Spanner: Google's Globally Distributed Database">
<meta name="citation_author" content="Corbett, James C.">
<meta name="citation_author" content="Dean, Jeffrey">
<meta name="citation_author" content="Epstein, Michael">
<meta name="citation_publication_date" content="2013/08/01">
</head><body><p>Abstract.</p></body></html>"""


def test_doi_entries_are_read_from_the_landing_page_through_the_resolver(env, readings, capsys):
    write_entry(
        readings,
        "spanner",
        title='"Spanner: Google\'s Globally-Distributed Database"',
        url="https://doi.org/10.1145/2491245",
        topic="practice",
        tier="2",
        authors=["James C. Corbett"],
        year="2012",
        summary=f'"{SUMMARY}"',
    )
    env.route("/doi/10.1145/2491245", DOI_PAGE)
    env.route("/api/query", feed(ATTENTION), content_type="application/atom+xml")
    assert refresh(readings, "--write") == 0
    spanner = read(readings / "entries" / "spanner.yaml")
    assert spanner["title"] == "Spanner: Google's Globally Distributed Database"
    assert spanner["authors"] == ["James C. Corbett", "Jeffrey Dean", "Michael Epstein"]
    assert spanner["year"] == 2013
    assert spanner["url"] == "https://doi.org/10.1145/2491245"  # the URL is never touched


def test_github_gives_the_year_and_never_replaces_people_with_an_account(env, readings, capsys):
    repo = '{"name": "tuning_playbook", "owner": {"login": "google-research"}, "created_at": "2023-01-18T00:00:00Z", "html_url": "https://github.com/google-research/tuning_playbook"}'
    env.route("/gh/repos/google-research/tuning_playbook", repo, content_type="application/json")
    env.route(
        "/gh/repos/srush/GPU-Puzzles",
        '{"name": "GPU-Puzzles", "owner": {"login": "srush"}, "created_at": "2022-06-01T00:00:00Z"}',
        content_type="application/json",
    )
    env.route("/api/query", feed(ATTENTION), content_type="application/atom+xml")
    write_entry(
        readings,
        "deep-learning-tuning-playbook",
        title="Deep Learning Tuning Playbook",
        url="https://github.com/google-research/tuning_playbook",
        topic="practice",
        tier="2",
        authors=["Varun Godbole", "George E. Dahl"],
        year="2022",
        summary=f'"{SUMMARY}"',
    )
    write_entry(
        readings,
        "gpu-puzzles",
        title="GPU Puzzles",
        url="https://github.com/srush/GPU-Puzzles",
        topic="practice",
        tier="2",
        summary=f'"{SUMMARY}"',
    )
    write_entry(
        readings,
        "a-file-in-a-repo",
        title="Optimizers",
        url="https://github.com/tinygrad/tinygrad/blob/abc/tinygrad/nn/optim.py",
        topic="practice",
        tier="2",
        summary=f'"{SUMMARY}"',
    )
    assert refresh(readings, "--write") == 0
    playbook = read(readings / "entries" / "deep-learning-tuning-playbook.yaml")
    assert playbook["title"] == "Deep Learning Tuning Playbook"
    assert playbook["authors"] == ["Varun Godbole", "George E. Dahl"] and playbook["year"] == 2023
    puzzles = read(readings / "entries" / "gpu-puzzles.yaml")
    assert puzzles["authors"] == ["srush"] and puzzles["year"] == 2022  # nobody named: the account
    assert not any("tinygrad" in r for r in env.requests)  # a file is not the repository
    assert "3 entries re-read (1 arXiv, 0 DOI, 2 GitHub), 3 from other sources skipped" in capsys.readouterr().err


def test_new_reads_a_doi_through_the_same_resolver(env, readings, capsys):
    env.route("/doi/10.1145/2491245", DOI_PAGE)
    code = run_cli("new", "https://doi.org/10.1145/2491245", "--topic", "practice", "--tier", "2", "--root", readings)
    assert code == 0, capsys.readouterr().err
    data = read(readings / "entries" / "spanner-googles-globally-distributed-database.yaml")
    assert data["url"] == "https://doi.org/10.1145/2491245"
    assert data["authors"] == ["James C. Corbett", "Jeffrey Dean", "Michael Epstein"] and data["year"] == 2013
    assert env.requests == ["/doi/10.1145/2491245"]
