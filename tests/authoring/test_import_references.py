"""`readlist import refs.bib|refs.json` on exports written the way Zotero (with and
without Better BibTeX), Mendeley and JabRef write them, into a small real
catalog; then `validate` on the result once a person has written the summaries."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from .helpers import run_cli, validate
from .test_import import fill_summaries

REFS = Path(__file__).parent / "data" / "refs"


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle` (the test's own lookup)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def entry(root: Path, entry_id: str) -> dict:
    return yaml.safe_load((root / "entries" / f"{entry_id}.yaml").read_text(encoding="utf-8"))


def run_import(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run_cli("import", *args)
    out = capsys.readouterr()
    return code, out.out, out.err


def entry_files(root: Path) -> set[str]:
    return {p.name for p in (root / "entries").glob("*.yaml")}


def test_zotero_better_bibtex(readings, capsys, tmp_path):
    source = shutil.copy(REFS / "zotero-betterbibtex.bib", tmp_path / "refs.bib")
    before = entry_files(readings)
    code, _, err = run_import(capsys, source, "--out", readings)
    assert code == 0, err
    new = entry_files(readings) - before
    assert new == {
        "deep-learning.yaml",
        "optimization-methods-for-large-scale-machine-learning.yaml",
        "deep-learning-2016.yaml",
        "training-recurrent-neural-networks.yaml",
        "the-unreasonable-effectiveness-of-recurrent-neural-networks.yaml",
    }
    nature = entry(readings, "deep-learning")
    assert nature["url"] == "https://doi.org/10.1038/nature14539"  # the DOI wins over url
    assert nature["authors"] == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert (nature["year"], nature["kind"], nature["topic"], nature["tier"]) == (2015, "paper", "fundamentals", 1)
    assert nature["added"] == dt.date.today()
    bottou = entry(readings, "optimization-methods-for-large-scale-machine-learning")
    assert bottou["title"] == "Optimization Methods for Large-Scale Machine Learning"  # {{...}} gone
    assert bottou["url"] == "https://arxiv.org/abs/1606.04838"  # eprint -> abs page
    assert bottou["authors"][0] == "Léon Bottou"  # L{\'e}on
    assert (bottou["topic"], bottou["tier"]) == ("practice", 3)  # keywords: the topic's title, "tier: 3"
    assert entry(readings, "deep-learning-2016")["kind"] == "book"
    assert entry(readings, "training-recurrent-neural-networks")["kind"] == "thesis"
    blog = entry(readings, "the-unreasonable-effectiveness-of-recurrent-neural-networks")
    assert blog["kind"] == "post" and blog["url"] == "https://karpathy.github.io/2015/05/21/rnn-effectiveness/"
    assert "topic" not in blog and "tier" not in blog  # no keyword, no option: left for a person
    text = (readings / "entries" / "the-unreasonable-effectiveness-of-recurrent-neural-networks.yaml").read_text()
    assert "# TODO: topic" in text and "# TODO: tier" in text and text.endswith("\n")
    # the arXiv record is already in the catalog (its DOI is the arXiv DOI): reported, skipped
    vaswani = line_of(source, "@online{vaswaniAttentionAllYou2017")
    assert (
        f"refs.bib:{vaswani}: note: 'vaswaniAttentionAllYou2017': https://arxiv.org/abs/1706.03762 "
        "is already in the catalog as 'attention-is-all-you-need'" in err
    )
    assert f"refs.bib:{line_of(source, '@article{noLinkAtAll2020')}: warning: 'noLinkAtAll2020': no DOI" in err
    assert "imported 5 of 7 record(s)" in err


def test_imported_entries_validate_once_summaries_are_written(readings, capsys):
    for name in ("zotero-betterbibtex.bib", "jabref.bib", "mendeley.bib", "zotero-csl.json"):
        code, _, err = run_import(capsys, REFS / name, "--out", readings, "--topic", "practice", "--tier", "2")
        assert code == 0, err
    code, output = validate(readings, capsys)
    assert code == 1 and "summary" in output  # a person writes them first
    assert fill_summaries(readings) == 15
    code, output = validate(readings, capsys)
    assert code == 0, output


def test_jabref_string_macros_groups_accents_and_duplicate_keys(readings, capsys):
    source = REFS / "jabref.bib"
    code, _, err = run_import(capsys, source, "--out", readings)
    assert code == 0, err
    turing = entry(readings, "computing-machinery-and-intelligence")
    assert turing["authors"] == ["Alan M. Turing"]  # author = turing (an @String macro)
    assert turing["url"] == "https://doi.org/10.1093/mind/LIX.236.433"
    assert turing["topic"] == "fundamentals"  # JabRef group naming a topic
    assert entry(readings, "on-the-evolution-of-random-graphs")["authors"] == ["Paul Erdős", "Alfréd Rényi"]
    alexnet = entry(readings, "imagenet-classification-with-deep-convolutional-neural")
    assert alexnet["title"] == "ImageNet Classification with Deep Convolutional Neural Networks"
    second = line_of(source, "a second copy under the same key") - 2
    assert f"jabref.bib:{second}: warning: Duplicate entry key 'Turing1950'" in err
    assert not any("second copy" in p.read_text() for p in (readings / "entries").glob("*.yaml"))


def test_mendeley_arxiv_id_groups_missing_fields(readings, capsys):
    source = REFS / "mendeley.bib"
    code, _, err = run_import(capsys, source, "--out", readings)
    assert code == 0, err
    overview = entry(readings, "deep-learning-in-neural-networks-an-overview")
    assert overview["authors"] == ["Jürgen Schmidhuber"]
    assert overview["url"] == "https://doi.org/10.1016/j.neunet.2014.09.003"  # DOI before eprint
    assert overview["topic"] == "transformers"  # mendeley-groups
    assert "year" not in entry(readings, "a-record-whose-year-is-not-a-year")
    assert f"mendeley.bib:{line_of(source, '@misc{Missing2019')}: warning: 'Missing2019': no title" in err
    assert f"mendeley.bib:{line_of(source, '@misc{NotWeb')}: warning: 'NotWeb': url 'file:///" in err
    assert f"mendeley.bib:{line_of(source, '@article{BadYear')}: note: 'BadYear': year 'forthcoming' dropped" in err


def test_malformed_bibtex_reports_the_block_and_imports_the_rest(readings, capsys):
    source = REFS / "malformed.bib"
    code, _, err = run_import(capsys, source, "--out", readings)
    assert code == 0, err
    assert f"malformed.bib:{line_of(source, '@article{broken2002')}: warning: could not parse" in err
    assert {"a-fine-record-before-the-damage.yaml", "a-fine-record-after-the-damage.yaml"} <= entry_files(readings)
    assert not any("Never Closes" in p.read_text() for p in (readings / "entries").glob("*.yaml"))


def test_csl_json_date_parts_particles_literal_names_and_keywords(readings, capsys):
    source = REFS / "zotero-csl.json"
    code, _, err = run_import(capsys, source, "--out", readings)
    assert code == 0, err
    shannon = entry(readings, "a-mathematical-theory-of-communication")
    assert (shannon["year"], shannon["topic"], shannon["kind"]) == (1948, "fundamentals", "paper")
    assert shannon["url"] == "https://doi.org/10.1002/j.1538-7305.1948.tb01338.x"
    gpt3 = entry(readings, "language-models-are-few-shot-learners")
    assert gpt3["url"] == "https://arxiv.org/abs/2005.14165"  # number: arXiv:...
    assert (gpt3["topic"], gpt3["tier"], gpt3["year"]) == ("transformers", 2, 2020)
    assert gpt3["authors"] == ["Tom B. Brown", "Benjamin Mann", "Nick Ryder", "Melanie Subbiah"]
    tsne = entry(readings, "visualizing-data-using-t-sne")
    assert tsne["title"] == "Visualizing Data using t-SNE"  # CSL's <i> markup dropped
    assert tsne["authors"] == ["Laurens van der Maaten", "Geoffrey Hinton"]
    gemini = entry(readings, "gemini-a-family-of-highly-capable-multimodal-models")
    assert gemini["authors"] == ["Gemini Team, Google"] and gemini["year"] == 2023 and gemini["kind"] == "post"
    attention = line_of(source, '"id": "attention"') - 1  # the line of the item's "{"
    untitled = line_of(source, '"id": "untitled"') - 1
    assert (
        f"zotero-csl.json:{attention}: note: 'attention': "
        "https://arxiv.org/abs/1706.03762 is already in the catalog" in err
    )
    assert f"zotero-csl.json:{untitled}: warning: 'untitled': no title" in err


def test_malformed_json_writes_nothing_and_points_at_the_error(readings, capsys):
    before = entry_files(readings)
    code, _, err = run_import(capsys, REFS / "malformed.json", "--out", readings)
    assert code == 1
    assert re.search(r"malformed\.json:3:\d+: not valid JSON: Expecting ',' delimiter; nothing written", err)
    assert entry_files(readings) == before


def test_nothing_importable_writes_nothing(readings, capsys, tmp_path):
    bib = tmp_path / "known.bib"
    bib.write_text(
        "@article{a, title={Attention Is All You Need}, eprint={1706.03762}, archiveprefix={arXiv}}\n"
        "@misc{b, title={No link}}\n",
        encoding="utf-8",
    )
    before = entry_files(readings)
    code, _, err = run_import(capsys, bib, "--out", readings)
    assert code == 1
    assert "known.bib:1: note: 'a': https://arxiv.org/abs/1706.03762 is already in the catalog" in err
    assert "known.bib:2: warning: 'b': no DOI, arXiv eprint or url" in err
    assert "nothing to import" in err and "nothing written" in err
    assert entry_files(readings) == before


def test_dry_run_reports_only(readings, capsys):
    before = {p: p.read_text() for p in readings.rglob("*") if p.is_file()}
    code, out, err = run_import(capsys, REFS / "jabref.bib", "--out", readings, "--dry-run")
    assert code == 0, err
    assert "would import" in out and "computing-machinery-and-intelligence.yaml" in out
    assert {p: p.read_text() for p in readings.rglob("*") if p.is_file()} == before


def test_the_same_url_twice_in_one_file_is_imported_once(readings, capsys, tmp_path):
    bib = tmp_path / "twice.bib"
    bib.write_text(
        "@article{one, title={Deep Learning}, doi={10.1038/nature14539}}\n"
        "@article{two, title={Deep learning (again)}, url={https://doi.org/10.1038/nature14539}}\n",
        encoding="utf-8",
    )
    code, _, err = run_import(capsys, bib, "--out", readings, "--topic", "practice", "--tier", "1")
    assert code == 0, err
    assert "twice.bib:2: warning: 'two': https://doi.org/10.1038/nature14539 is also record 'one' (line 1)" in err
    assert entry(readings, "deep-learning")["title"] == "Deep Learning"
    assert not (readings / "entries" / "deep-learning-again.yaml").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe@article{x, title={T}}", "is not UTF-8 text"),
        (b"just some notes, no entries\n", "no @entry found"),
    ],
)
def test_unreadable_bibtex_files(readings, capsys, tmp_path, content, message):
    bib = tmp_path / "bad.bib"
    bib.write_bytes(content)
    code, _, err = run_import(capsys, bib, "--out", readings)
    assert code == 1 and message in err and "nothing written" in err


def test_string_macros_and_concatenation_in_title_and_url(readings, capsys, tmp_path):
    bib = tmp_path / "macros.bib"
    bib.write_text(
        '@string{site = "https://example.org/papers/"}\n'
        '@string{series = {Notes on {\\"U}bersetzung}}\n'
        "@misc{m1,\n  title = series # {, Part One},\n  url = site # {one.html},\n  year = 2021\n}\n",
        encoding="utf-8",
    )
    code, _, err = run_import(capsys, bib, "--out", readings, "--topic", "practice", "--tier", "3")
    assert code == 0, err
    found = entry(readings, "notes-on-ubersetzung-part-one")
    assert found["title"] == "Notes on Übersetzung, Part One"
    assert found["url"] == "https://example.org/papers/one.html"
    assert (found["kind"], found["year"]) == ("post", 2021)


def test_a_hash_inside_a_value_is_not_a_concatenation(readings, capsys, tmp_path):
    bib = tmp_path / "hash.bib"
    bib.write_text(
        "@misc{h, title = {Notes on C# and F#}, url = {https://example.org/page#section-2}}\n", encoding="utf-8"
    )
    code, _, err = run_import(capsys, bib, "--out", readings, "--topic", "practice", "--tier", "1")
    assert code == 0, err
    found = entry(readings, "notes-on-c-and-f")
    assert (found["title"], found["url"]) == ("Notes on C# and F#", "https://example.org/page#section-2")


def test_out_must_be_a_readings_directory(capsys, tmp_path):
    code, _, err = run_import(capsys, REFS / "jabref.bib", "--out", tmp_path / "nowhere")
    assert code == 2 and "is not a directory" in err
    assert not (tmp_path / "nowhere").exists()
