"""The URLs an entry or list cites are listed in one place: the model.

`ci/shards.py` counts them through `cited_urls()`; the link checker's
`links/collect.citations` lists them too until issue 16's rewrite uses the
model's method. Until then this keeps the two from drifting apart.
"""

from pathlib import Path

from readlist.links.collect import citations
from readlist.loading import load
from readlist.models import Entry, ReadingList, Source

ROOT = Path(__file__).resolve().parents[2]


def test_an_entry_cites_its_url_links_and_snapshot_with_their_places():
    entry = Entry(
        id="e", title="T", url="https://example.org/a", topic="t", tier=1, summary="S",
        links=[{"title": "Code", "url": "https://example.org/code"}],
        archived="https://web.archive.org/web/2020/https://example.org/a",
    )
    assert entry.cited_urls() == [
        ("https://example.org/a", ("url",)),
        ("https://example.org/code", ("links", 0, "url")),
        ("https://web.archive.org/web/2020/https://example.org/a", ("archived",)),
    ]


def test_a_list_cites_its_source_url_only():
    with_url = ReadingList(id="l", title="L", sections=[], source=Source(title="S", url="https://example.org/s"))
    without = ReadingList(id="m", title="M", sections=[], source=Source(title="S"))
    assert with_url.cited_urls() == [("https://example.org/s", ("source", "url"))]
    assert without.cited_urls() == []


def test_the_link_checker_collects_the_same_urls_as_the_model_lists():
    catalog = load(ROOT / "readings").catalog
    models = [*catalog.entries.values(), *catalog.lists.values()]
    assert any(len(m.cited_urls()) > 1 for m in models)
    for model in models:
        assert [(url, tuple(loc)) for url, loc in citations(model)] == model.cited_urls(), model.id
