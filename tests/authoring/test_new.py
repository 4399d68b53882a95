"""`readlist new` end to end: real HTTP against local servers, real files."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from readlist.loading import load

from .helpers import SUMMARY, run_cli, validate

ARXIV_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title>arXiv Query: id_list=2005.14165</title>
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2005.14165v4</id>
    <published>2020-05-28T17:29:03Z</published>
    <title>Language Models are Few-Shot
      Learners</title>
    <summary>We demonstrate that scaling up language models greatly improves ...</summary>
    <author><name>Tom B. Brown</name></author>
    <author><name>Benjamin Mann</name></author>
    <author><name>Nick Ryder</name></author>
    <arxiv:comment>40+32 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/2005.14165v4" rel="alternate" type="text/html"/>
  </entry>
</feed>
"""

ARXIV_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_9999.99999</id>
  <title>Error</title><summary>incorrect id format for 9999.99999</summary></entry>
</feed>
"""


@pytest.fixture
def env(server, monkeypatch):
    monkeypatch.setenv("READLIST_ARXIV_API", server.base + "/api/query")
    monkeypatch.setenv("READLIST_YOUTUBE_OEMBED", server.base + "/oembed")
    monkeypatch.setenv("READLIST_YOUTUBE_WATCH", server.base + "/watch")
    monkeypatch.setenv("READLIST_GITHUB_API", server.base + "/gh")
    return server


def entry_files(root: Path) -> set[str]:
    return {p.name for p in (root / "entries").iterdir()}


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_arxiv_paper_from_the_api_then_validate_until_summary_written(env, readings, capsys):
    env.route("/api/query", ARXIV_FEED, content_type="application/atom+xml")
    code = run_cli(
        "new", "https://arxiv.org/pdf/2005.14165v4.pdf", "--topic", "fundamentals", "--tier", "1", "--root", readings
    )
    assert code == 0, capsys.readouterr().err
    assert any("id_list=2005.14165" in r for r in env.requests)
    path = readings / "entries" / "language-models-are-few-shot-learners.yaml"
    data = read(path)
    assert data["title"] == "Language Models are Few-Shot Learners"
    assert data["url"] == "https://arxiv.org/abs/2005.14165"
    assert data["authors"] == ["Tom B. Brown", "Benjamin Mann", "Nick Ryder"]
    assert data["year"] == 2020 and data["kind"] == "paper" and data["length"] == "40 pages"
    assert data["topic"] == "fundamentals" and data["tier"] == 1
    assert data["summary"] == ""
    text = path.read_text()
    assert list(data) == ["title", "url", "topic", "tier", "kind", "length", "authors", "year", "added", "summary"]
    assert "# TODO: write the summary" in text

    code, out = validate(readings, capsys)
    assert code == 1
    assert "language-models-are-few-shot-learners.yaml" in out and "summary: must not be empty" in out

    path.write_text(text.replace("summary: ''", f"summary: |\n  {SUMMARY}"), encoding="utf-8")
    code, out = validate(readings, capsys, "--strict")
    assert code == 0, out


def test_arxiv_error_entry_writes_nothing(env, readings, capsys):
    env.route("/api/query", ARXIV_ERROR, content_type="application/atom+xml")
    before = entry_files(readings)
    assert run_cli("new", "https://arxiv.org/abs/9999.99999", "--root", readings) == 1
    err = capsys.readouterr().err
    assert "arXiv has no paper 9999.99999" in err and "nothing written" in err
    assert entry_files(readings) == before


def test_arxiv_answers_garbage(env, readings, capsys):
    env.route("/api/query", "Rate exceeded.", content_type="text/plain")
    assert run_cli("new", "https://arxiv.org/abs/2106.09685", "--root", readings) == 1
    assert "not Atom XML" in capsys.readouterr().err


def test_youtube_oembed_and_duration(env, readings, capsys):
    env.route(
        "/oembed",
        '{"title": "Let\'s build the GPT Tokenizer", "author_name": "Andrej Karpathy",'
        ' "type": "video", "provider_name": "YouTube"}',
        content_type="application/json",
    )
    env.route(
        "/watch",
        '<html><head><meta itemprop="duration" content="PT2H13M35S">'
        '<meta itemprop="datePublished" content="2024-02-20"></head><body></body></html>',
    )
    code = run_cli("new", "https://youtu.be/zduSFxRajkE", "--topic", "transformers", "--tier", "2", "--root", readings)
    assert code == 0, capsys.readouterr().err
    oembed = next(r for r in env.requests if r.startswith("/oembed"))
    assert "zduSFxRajkE" in oembed and "format=json" in oembed
    data = read(readings / "entries" / "lets-build-the-gpt-tokenizer.yaml")
    assert data["url"] == "https://www.youtube.com/watch?v=zduSFxRajkE"
    assert data["authors"] == ["Andrej Karpathy"] and data["kind"] == "video"
    assert data["length"] == "2.2 h" and data["year"] == 2024


def test_youtube_video_unknown_gives_clear_message(env, readings, capsys):
    env.route("/oembed", "Not Found", status=404, content_type="text/plain")
    assert run_cli("new", "https://www.youtube.com/watch?v=AAAAAAAAAAA", "--root", readings) == 1
    err = capsys.readouterr().err
    assert "YouTube oEmbed" in err and "404" in err


def test_github_repository(env, readings, capsys):
    env.route(
        "/gh/repos/karpathy/nanoGPT",
        '{"name": "nanoGPT", "full_name": "karpathy/nanoGPT",'
        ' "html_url": "https://github.com/karpathy/nanoGPT", "owner": {"login": "karpathy"},'
        ' "description": "The simplest, fastest repository", "created_at": "2022-12-28T00:00:00Z"}',
        content_type="application/json",
    )
    code = run_cli(
        "new",
        "https://github.com/karpathy/nanoGPT/tree/master",
        "--topic",
        "transformers",
        "--tier",
        "3",
        "--root",
        readings,
    )
    assert code == 0, capsys.readouterr().err
    data = read(readings / "entries" / "nanogpt.yaml")
    assert data["title"] == "nanoGPT" and data["kind"] == "code"
    assert data["authors"] == ["karpathy"] and data["year"] == 2022
    assert data["url"] == "https://github.com/karpathy/nanoGPT/tree/master"


def test_github_missing_repository(env, readings, capsys):
    assert run_cli("new", "https://github.com/nobody/nothing", "--root", readings) == 1
    assert "GitHub has no public repository nobody/nothing" in capsys.readouterr().err


CITATION_PAGE = """<!doctype html><html><head>
<title>Deep Residual Learning | CVF Open Access</title>
<meta name="citation_title" content="Deep Residual Learning for Image Recognition">
<meta name="citation_author" content="He, Kaiming">
<meta name="citation_author" content="Zhang, Xiangyu">
<meta name="citation_publication_date" content="2016/06/27">
<meta name="citation_firstpage" content="770"><meta name="citation_lastpage" content="778">
</head><body><p>abstract</p></body></html>"""


def test_page_with_citation_tags(env, readings, capsys):
    url = env.route("/paper", CITATION_PAGE)
    code = run_cli("new", url, "--topic", "fundamentals", "--tier", "1", "--root", readings)
    assert code == 0, capsys.readouterr().err
    data = read(readings / "entries" / "deep-residual-learning-for-image-recognition.yaml")
    assert data["authors"] == ["Kaiming He", "Xiangyu Zhang"]
    assert data["year"] == 2016 and data["kind"] == "paper" and data["length"] == "9 pages"


def test_page_with_jsonld_and_opengraph(env, readings, capsys):
    words = " ".join(["word"] * 2345)
    page = f"""<html><head><title>ignored</title>
    <meta property="og:title" content="Attention? Attention!">
    <meta property="og:site_name" content="Lil'Log">
    <script type="application/ld+json">{{"@context": "https://schema.org", "@graph": [
      {{"@type": "WebSite", "name": "Lil'Log"}},
      {{"@type": "BlogPosting", "headline": "Attention? Attention!",
        "author": {{"@type": "Person", "name": "Lilian Weng"}}, "datePublished": "2018-06-24"}}]}}
    </script></head><body><nav>menu menu</nav><article><p>{words}</p></article></body></html>"""
    url = env.route("/posts/attention/", page)
    code = run_cli("new", url, "--topic", "transformers", "--tier", "1", "--root", readings)
    assert code == 0, capsys.readouterr().err
    data = read(readings / "entries" / "attention-attention.yaml")
    assert data["title"] == "Attention? Attention!" and data["authors"] == ["Lilian Weng"]
    assert data["year"] == 2018 and data["kind"] == "post" and data["length"] == "~2,300 words"


def test_malformed_html_still_yields_what_it_can(env, readings, capsys):
    page = (
        '<html><head><title>Broken &amp; <b>Bold</title><meta property="og:type" content="video.other">'
        '<script type="application/ld+json">{"@type": "VideoObject", "name": </script>'
        "<body><div><p>unclosed <span></div></p></i></html"
    )
    url = env.route("/broken", page)
    code = run_cli("new", url, "--topic", "practice", "--tier", "4", "--root", readings)
    assert code == 0, capsys.readouterr().err
    data = read(readings / "entries" / "broken-bold.yaml")
    assert data["title"] == "Broken & Bold" and data["kind"] == "video"


def test_page_without_any_title_writes_nothing(env, readings, capsys):
    url = env.route("/empty", "<<<>>> not html at all <")
    before = entry_files(readings)
    assert run_cli("new", url, "--root", readings) == 1
    assert "no title found" in capsys.readouterr().err
    assert entry_files(readings) == before


def test_404_writes_nothing(env, readings, capsys):
    before = entry_files(readings)
    assert run_cli("new", env.base + "/missing", "--root", readings) == 1
    err = capsys.readouterr().err
    assert "answered 404" in err and "nothing written" in err
    assert entry_files(readings) == before


def test_timeout_writes_nothing(env, readings, capsys):
    url = env.route("/slow", "<title>Too late</title>", delay=1.5)
    before = entry_files(readings)
    assert run_cli("new", url, "--timeout", "0.3", "--root", readings) == 1
    assert "timed out after 0.3 s" in capsys.readouterr().err
    assert entry_files(readings) == before
    assert not list((readings / "entries").glob(".*"))  # no temporary files left behind


def test_connection_refused(readings, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert run_cli("new", f"http://127.0.0.1:{port}/x", "--root", readings) == 1
    assert "could not connect" in capsys.readouterr().err


@pytest.mark.parametrize(
    "variant",
    [
        "http://arxiv.org/pdf/1706.03762v7",
        "https://www.youtube.com/watch?v=aircAruvnKk&t=42s",
        "https://youtu.be/aircAruvnKk",
        "https://research.google/pubs/pub43146?utm_source=x#top",
    ],
)
def test_refuses_a_url_already_in_the_catalog(env, readings, capsys, variant):
    before = entry_files(readings)
    assert run_cli("new", variant, "--root", readings) == 1
    err = capsys.readouterr().err
    assert "already in the list as entry" in err
    assert env.requests == []  # refused before any network traffic
    assert entry_files(readings) == before


def test_refuses_url_of_an_entry_that_does_not_validate_yet(env, readings, capsys):
    (readings / "entries" / "draft.yaml").write_text("title: Draft\nurl: https://example.org/draft\nsummary: ''\n")
    assert run_cli("new", "https://example.org/draft/", "--root", readings) == 1
    assert "entry 'draft'" in capsys.readouterr().err


def test_unknown_topic_has_did_you_mean(env, readings, capsys):
    assert run_cli("new", "https://example.org/x", "--topic", "transformer", "--root", readings) == 2
    assert "did you mean 'transformers'" in capsys.readouterr().err
    assert env.requests == []


def test_without_topic_and_tier_validation_names_them(env, readings, capsys):
    url = env.route("/post", "<title>A post about things</title><p>text</p>")
    assert run_cli("new", url, "--root", readings) == 0
    path = readings / "entries" / "a-post-about-things.yaml"
    assert "# TODO: add 'topic:'" in path.read_text()
    code, out = validate(readings, capsys)
    assert code == 1
    assert "missing required field 'topic'" in out and "missing required field 'tier'" in out


def test_dry_run_prints_and_writes_nothing(env, readings, capsys):
    url = env.route("/p", "<title>Dry</title>")
    before = entry_files(readings)
    assert run_cli("new", url, "--topic", "practice", "--tier", "2", "--dry-run", "--root", readings) == 0
    assert "title: Dry" in capsys.readouterr().out
    assert entry_files(readings) == before


def test_same_title_gets_a_distinct_id(env, readings, capsys):
    url = env.route(
        "/other",
        '<meta name="citation_title" content="Attention Is All You Need"><meta name="citation_date" content="2023">',
    )
    assert run_cli("new", url, "--topic", "transformers", "--tier", "4", "--root", readings) == 0
    assert (readings / "entries" / "attention-is-all-you-need-2023.yaml").exists()
    assert load(readings).catalog.entries["attention-is-all-you-need"].year == 2017
