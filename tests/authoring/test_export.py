"""`readlist export` and the functions the site publishes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

from readlist.exporting import atom_feed, export_bibtex, export_csv, export_json
from readlist.loading import load

from .helpers import run_cli, run_console

ATOM = "{http://www.w3.org/2005/Atom}"


def test_json_csv_bibtex(readings):
    catalog = load(readings).catalog
    data = json.loads(export_json(catalog))
    assert [e["id"] for e in data["entries"]] == [
        "but-what-is-a-neural-network",
        "attention-is-all-you-need",
        "ml-technical-debt",
    ]
    first = data["entries"][1]
    assert first["topic_path"] == ["fundamentals", "transformers"] and first["year"] == 2017
    assert first["added"] == "2024-03-01" and first["words"] == 6000
    rows = list(csv.DictReader(io.StringIO(export_csv(catalog))))
    assert rows[1]["authors"] == "Ashish Vaswani; Noam Shazeer" and rows[1]["tier"] == "1"
    bib = export_bibtex(catalog)
    assert "@article{attention-is-all-you-need," in bib and "eprint        = {1706.03762}" in bib
    assert "author        = {Ashish Vaswani and Noam Shazeer}" in bib
    assert bib.count("{") == bib.count("}")
    assert "Technical Debt}}" in bib


def test_atom_feed_latest_additions_first(readings):
    feed = ET.fromstring(atom_feed(load(readings).catalog, "https://example.org/list/"))
    assert feed.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    # the earliest `added` (2024-03-01) is the list's first import: not news
    assert titles == ["But what is a neural network?"]
    since = ET.fromstring(atom_feed(load(readings).catalog, None, since=dt.date(2024, 2, 1)))
    titles = [e.findtext(f"{ATOM}title") for e in since.findall(f"{ATOM}entry")]
    assert titles == ["But what is a neural network?", "Attention Is All You Need"]  # no `added`: not in feed
    assert feed.findtext(f"{ATOM}updated") == "2024-04-02T00:00:00Z"
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == ["https://example.org/list/feed.xml"]
    first = feed.find(f"{ATOM}entry")
    assert first.findtext(f"{ATOM}id").startswith("tag:readlist,2024-04-02:")
    assert "<p>" in first.findtext(f"{ATOM}summary")
    assert ET.fromstring(atom_feed(load(readings).catalog, None)).findtext(f"{ATOM}id").startswith("urn:")


def test_summary_cannot_inject_script_into_the_feed(readings):
    path = readings / "entries" / "ml-technical-debt.yaml"
    path.write_text(
        path.read_text()
        .replace("tier: 1", "tier: 1\nadded: 2024-05-01")
        .replace('summary: "', 'summary: "<script>alert(1)</script> ')
    )
    feed = atom_feed(load(readings).catalog, None)
    assert "<script>" not in ET.fromstring(feed).find(f"{ATOM}entry").findtext(f"{ATOM}summary")


def test_cli_export_to_file_and_stdout(readings, tmp_path, capsys):
    out = tmp_path / "out" / "readings.bib"
    assert run_cli("export", readings, "--format", "bibtex", "--output", out) == 0
    assert out.read_text().startswith("@misc{but-what-is-a-neural-network,")
    capsys.readouterr()
    assert run_cli("export", readings, "--format", "csv") == 0
    assert capsys.readouterr().out.startswith("id,title,url,")
    assert run_cli("export", readings, "--format", "atom", "--site-url", "https://x.org/") == 0
    assert "<feed" in capsys.readouterr().out


def test_cli_export_refuses_invalid_data(readings, capsys):
    (readings / "entries" / "broken.yaml").write_text("title: Broken\n")
    assert run_cli("export", readings) == 1
    assert "validation error" in capsys.readouterr().err
    assert run_cli("export", readings, "--allow-errors") == 0


def test_console_script_end_to_end(readings, tmp_path):
    """The installed entry point, in a child process: fmt --check then export."""
    done = run_console("fmt", "--check", readings)
    assert done.returncode == 1 and "would reformat" in done.stdout  # fixtures are not canonical
    assert run_console("fmt", readings).returncode == 0
    assert run_console("fmt", "--check", readings).returncode == 0
    done = run_console("export", readings, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["entries"]) == 3
