"""`markdown_html` skips Python-Markdown for text that has no Markdown syntax.

The check is split into a character class, substring tests and two small
patterns (see text.py for why); it must say "syntax" exactly when the single
pattern it replaced does, or a summary could lose its emphasis or gain one."""

from __future__ import annotations

import random
import re

import pytest

from readlist.text import _has_markdown_syntax, markdown_html

# The one-pattern form, kept here as the definition.
SPEC = re.compile(r"[\\`*_\[\]<>&!#|~]|^\s*(?:[-+=>]|\d+[.)])|\n\s*\n| {2}\n|https?://|\t", re.M)


def test_agrees_with_the_single_pattern_on_random_text():
    rng = random.Random(20261202)
    alphabet = "ab 1.)-+=>\n\t*_:/hstp[]<&#|~`!\\"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(100_000)]
    disagree = [s for s in samples if _has_markdown_syntax(s) != bool(SPEC.search(s))]
    assert not disagree, disagree[:10]
    assert any(_has_markdown_syntax(s) for s in samples) and not all(_has_markdown_syntax(s) for s in samples)


@pytest.mark.parametrize(("text", "syntax"), [
    ("Plain words, a comma; a period.", False),
    ("Plain words that end in a newline.\n", False),
    ("Line one\nline two\n", False),
    ("  12) numbered", True),
    ("text\n - a list item", True),
    ("one\n\n  two", True),
    ("hard  \nbreak", True),
    ("see https://example.org", True),
    ("> a quote", True),
    ("a *b*", True),
])
def test_examples(text, syntax):
    assert _has_markdown_syntax(text) is syntax
    assert _has_markdown_syntax(text) is bool(SPEC.search(text))


def test_plain_text_is_one_paragraph():
    assert markdown_html("Plain words.\n") == "<p>Plain words.</p>"
    assert "<em>b</em>" in markdown_html("a *b* c")
