"""The URLs an entry or list cites are listed in one place: the model.
`ci/shards.py` counts them and `links/collect.py` checks them through
`cited_urls()`, so this pins down what that one list holds."""

from readlist.models import Entry, ReadingList, Source


def test_an_entry_cites_its_url_links_and_snapshot_with_their_places():
    entry = Entry(
        id="e",
        title="T",
        url="https://example.org/a",
        topic="t",
        tier=1,
        summary="S",
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
