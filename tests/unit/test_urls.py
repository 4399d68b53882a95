"""URL keys: the same work under different URLs gets the same key."""

import pytest

from readlist import urls

SAME = [
    ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762v7.pdf"),
    ("https://arxiv.org/abs/1706.03762", "http://export.arxiv.org/abs/1706.03762v2"),
    ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762"),
    ("https://arxiv.org/abs/cs/0112017", "https://arxiv.org/pdf/cs/0112017v1.pdf"),
    ("https://example.org/post/", "http://www.example.org/post"),
    ("https://example.org/post", "https://example.org/post#section-2"),
    ("https://example.org/post", "https://example.org/post?utm_source=x&utm_medium=y&fbclid=z"),
    ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
    ("https://www.youtube.com/watch?v=kCc8FmEb1nY", "https://youtu.be/kCc8FmEb1nY?si=abc"),
    ("https://www.youtube.com/watch?v=kCc8FmEb1nY", "https://m.youtube.com/watch?v=kCc8FmEb1nY&t=10s"),
    ("https://www.youtube.com/watch?v=kCc8FmEb1nY", "https://www.youtube.com/embed/kCc8FmEb1nY"),
    ("https://doi.org/10.1145/168304.168306", "https://dx.doi.org/10.1145/168304.168306"),
    ("https://openreview.net/forum?id=B1ckMDqlg", "https://openreview.net/pdf?id=B1ckMDqlg"),
    ("https://Example.ORG/docs/index.html", "https://example.org/docs/"),
]
DIFFERENT = [
    ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03763"),
    ("https://example.org/a?page=1", "https://example.org/a?page=2"),
    ("https://example.org/Post", "https://example.org/post"),
    ("https://www.youtube.com/watch?v=kCc8FmEb1nY", "https://www.youtube.com/watch?v=aircAruvnKk"),
    ("https://example.org:8080/a", "https://example.org/a"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_work_same_key(a, b):
    assert urls.normalize(a) == urls.normalize(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_works_different_keys(a, b):
    assert urls.normalize(a) != urls.normalize(b)


def test_canonical_forms():
    assert urls.canonical("https://arxiv.org/pdf/2005.14165v4.pdf") == "https://arxiv.org/abs/2005.14165"
    assert urls.canonical("https://youtu.be/kCc8FmEb1nY?t=3") == "https://www.youtube.com/watch?v=kCc8FmEb1nY"
    assert urls.canonical("https://example.org/x") == "https://example.org/x"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "/relative", "https://", "mailto:a@b.c"]
)
def test_only_absolute_web_urls(url):
    assert not urls.is_web_url(url)
