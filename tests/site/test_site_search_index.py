"""The search index a build writes (Pagefind's bundle in the site), read back
from its files: `readlist search-index` for sites built without the plugin,
the URL shapes, the result line's rule for any author list, the common
words and the summaries' words."""

from __future__ import annotations

import json
import random
import re
import shutil
import string
import subprocess
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from readlist.cli import main
from readlist.loading import load
from readlist.site.searchindex import (
    COMMON_MAX,
    COMMON_SHARE,
    Record,
    authors_short,
    common_words,
    distinct_words,
    reading_records,
    words_of,
)

from .helpers import mkdocs, pagefind_records


def test_the_result_line_names_three_authors_at_most():
    """Any author list, none to hundreds of names of any length: three names,
    then "et al." exactly when there are more."""
    rng = random.Random(21)
    letters = string.ascii_letters + "éøß -.'"
    for _ in range(500):
        count = rng.choice([0, 1, 2, 3, 4, 5, rng.randint(6, 300)])
        names = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 20))).strip() or "X" for _ in range(count)]
        line = authors_short(names)
        shown = line.removesuffix(" et al.").split(", ") if names else []
        assert shown == names[:3]
        assert line.endswith(" et al.") == (len(names) > 3)


@given(
    st.lists(
        st.frozensets(st.sampled_from([f"w{i}" for i in range(300)]) | st.text("abz09", min_size=1, max_size=3)),
        max_size=60,
    )
)
def test_common_words_are_those_in_more_than_a_fifth_of_the_readings(texts):
    """Any list: the common words are the ones in more than a fifth of the
    readings, commonest first, at most COMMON_MAX (the file stays small at
    any size), and when the list is full no word left out is commoner."""
    records = [Record(f"/readings/{i}/", "", words) for i, words in enumerate(texts)]
    counts = Counter(w for r in records for w in r.words)
    listed = common_words(records)
    assert len(listed) <= COMMON_MAX and len(set(listed)) == len(listed)
    assert all(counts[w] > len(records) * COMMON_SHARE for w in listed)
    assert [counts[w] for w in listed] == sorted((counts[w] for w in listed), reverse=True)
    left = [w for w in counts if w not in listed and counts[w] > len(records) * COMMON_SHARE]
    assert not left or (len(listed) == COMMON_MAX and max(counts[w] for w in left) <= counts[listed[-1]])


@given(st.text(st.characters(categories=("L", "N", "P", "Zs", "Mn")), max_size=200))
def test_a_summary_is_indexed_as_each_of_its_words_once(summary):
    """Any summary, in any script: every word a reader could search for is
    still in what is indexed, and no word is there twice."""
    kept = distinct_words(summary).split()
    assert words_of(" ".join(kept)) == words_of(summary)
    assert len({w.lower().strip(".,;:!?()\"'") for w in kept}) == len(kept)


SEARCH_JS = Path(__file__).resolve().parents[2] / "src" / "readlist" / "site" / "assets" / "search.js"


def _norm_in_the_browser_script(texts: list[str]) -> list[str]:
    """search.js's own `norm`, run by node on `texts`."""
    source = SEARCH_JS.read_text(encoding="utf-8")
    found = re.search(r"^  function norm\(text\) \{\n.*?^  \}$", source, re.S | re.M)
    assert found, "norm() not found in search.js"
    script = found.group(0) + (
        "\nconst texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "\nprocess.stdout.write(JSON.stringify(texts.map(norm)));"
    )
    node = shutil.which("node")
    assert node, "node is needed (scripts/install-test-tools.sh)"
    done = subprocess.run([node, "-e", script], input=json.dumps(texts), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_search_box_and_the_index_agree_on_what_a_word_is():
    """Text in many scripts, with accents, marks, digits, underscores and
    punctuation: the search box (norm in search.js) and the build (words_of)
    find the same words, so a word the build lists as common is the word the
    box leaves out."""
    rng = random.Random(14)
    samples = "ガイドكَتَبَשָׁלוֹםहिन्दीÉtéſﬁ①₂_-'’. Ǆ Straße İstanbul ΣΊΣΥΦΟΣ 한국어 ไทย 中文 ١٢٣ x²"
    alphabet = sorted(set(samples)) + [chr(c) for c in range(0x20, 0x250)]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    texts += samples.split()
    for text_, normed in zip(texts, _norm_in_the_browser_script(texts), strict=True):
        assert frozenset(normed.split()) == words_of(text_), text_


def test_the_common_words_stop_at_their_cap():
    """A list where many words are in every reading: the commonest
    COMMON_MAX are listed, no more (the file stays small at any size)."""
    shared = frozenset(f"w{i}" for i in range(COMMON_MAX + 50))
    records = [Record(f"/readings/{i}/", "", shared | {f"only{i}"}) for i in range(20)]
    listed = common_words(records)
    assert len(listed) == COMMON_MAX and set(listed) <= shared


def test_search_index_for_a_site_built_without_the_plugin(fixture_project, tmp_path, capsys):
    """`readlist generate` pages built by plain MkDocs, then `readlist
    search-index`: the same records as the plugin writes."""
    docs = tmp_path / "docs"
    assert (
        main(
            [
                "generate",
                str(fixture_project / "readings"),
                "--out",
                str(docs),
                "--config",
                str(tmp_path / "mkdocs.yml"),
            ]
        )
        == 0
    )
    mkdocs("build", "--strict", "-f", "mkdocs.yml", cwd=tmp_path)
    site = tmp_path / "site"
    assert not (site / "pagefind").exists()  # the build alone writes no index
    assert main(["search-index", str(site), str(fixture_project / "readings")]) == 0
    catalog = load(fixture_project / "readings").catalog
    urls = [r["url"] for r in pagefind_records(site)]
    assert sorted(u for u in urls if u.startswith("/readings/")) == sorted(f"/readings/{e}/" for e in catalog.entries)
    assert "/" in urls and "/topics/alpha/" in urls
    assert "readlist search-index site" in (tmp_path / "mkdocs.yml").read_text()
    # Beside the bundle, the words the search box leaves out when it can.
    listed = json.loads((site / "pagefind" / "readlist.json").read_text())["common"]
    assert listed == common_words(reading_records(catalog)) and "the" in listed


def test_html_urls_keep_their_file_names(fixture_project, tmp_path):
    """With use_directory_urls: false (a site opened from files), the records
    point at page.html, as the pages' own links do."""
    project = tmp_path / "project"
    shutil.copytree(fixture_project, project)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    mkdocs("build", "--strict", cwd=project)
    urls = {r["url"] for r in pagefind_records(project / "site")}
    assert "/readings/compilers-for-everyone.html" in urls
    assert {"/index.html", "/topics/alpha.html"} <= urls


def test_search_index_refuses_a_folder_without_a_site(tmp_path, fixture_project, capsys):
    assert main(["search-index", str(tmp_path), str(fixture_project / "readings")]) == 2
    assert "holds no built site" in capsys.readouterr().err
    assert main(["search-index", str(tmp_path), str(fixture_project / "readings"), "--words-per-minute", "0"]) == 2
