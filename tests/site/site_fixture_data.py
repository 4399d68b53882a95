"""A small readings/ tree for the site tests: every field, every tier, a list,
and one entry written by an attacker."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

FILLER = (
    "This summary is long enough to satisfy the validator, which asks for at least "
    "twenty words so that every entry says what it is and why it matters to readers."
)

TOPICS = """\
- id: basics
  title: Basics
  description: The *first* things to read.
  children:
    - id: alpha
      title: Alpha topic
    - id: beta
      title: Beta topic
- id: gamma
  title: Gamma topic
"""

# A paper by a large team: cards show three names and "et al.", exports all twelve.
MANY_AUTHORS = [
    "Ines Alvarez",
    "Bo Chen",
    "Chidi Okafor",
    "Dana Kim",
    "Emil Novak",
    "Farah Haddad",
    "Goran Petrov",
    "Hana Sato",
    "Ivo Lind",
    "Jana Horak",
    "Kofi Mensah",
    "Lena Vogel",
]

EVIL_SUMMARY = (
    'Looks harmless. <script>alert("pwned")</script> <img src=x onerror="alert(2)"> '
    '[click me](javascript:alert(3)) <a href="javascript:alert(4)">x</a> '
    '<iframe src="https://evil.example/"></iframe> ' + FILLER
)


def entries(today: dt.date) -> dict[str, str]:
    recent = (today - dt.timedelta(days=3)).isoformat()
    return {
        "compilers-for-everyone": f"""\
            title: Compilers for Everyone
            url: https://example.org/compilers
            topic: alpha
            tier: 1
            kind: paper
            length: ~8,800 words
            authors: [Grace Hopper, Ada Lovelace]
            year: 1952
            added: {recent}
            tags: [compilers, history]
            aka: [The A-0 paper]
            notes: ["A *classic* note with a [link](https://example.org/note)."]
            links: [{{title: Slides, url: "https://example.org/slides"}}]
            archived: https://web.archive.org/web/2020/https://example.org/compilers
            summary: |
              How the first compiler came about and why writing programs in words rather than
              numbers changed computing. {FILLER}
            """,
        "watching-machines-think": f"""\
            title: Watching Machines Think
            url: https://www.youtube.com/watch?v=abc123
            topic: alpha
            tier: 2
            kind: video
            length: 45 min
            authors: [Alan Turing]
            year: 2020
            added: 2020-01-01
            tags: [history]
            summary: |
              A lecture about imitation games and thinking machines. {FILLER}
            """,
        "linkers-at-length": f"""\
            title: Linkers and Loaders at Length
            url: https://example.org/linkers
            topic: alpha
            tier: 4
            kind: book
            length: 250 pages
            authors: [Mary Kenneth Keller]
            year: 1999
            summary: |
              Everything between the compiler and a running program, for readers who want
              the whole story. Collapsed under tier 4+ and still a search target. {FILLER}
            """,
        "the-big-book": f"""\
            title: The Big Book
            url: https://example.org/big-book
            topic: beta
            tier: 4
            kind: book
            length: 300 pages
            authors: [Ronald Graham, Donald Knuth, Oren Patashnik, Tracy Larrabee, Andrei Broder]
            summary: |
              A very long book for when the topic becomes your own. {FILLER}
            """,
        "beta-primer": f"""\
            title: A Beta Primer
            url: https://example.org/beta-primer
            topic: beta
            tier: 1
            kind: paper
            authors: [{", ".join(MANY_AUTHORS)}]
            summary: |
              The way into the beta topic, written by a large team whose every member is
              credited. {FILLER}
            """,
        "gamma-notes": f"""\
            title: Gamma Notes
            url: https://example.org/gamma
            topic: gamma
            tier: 3
            kind: notes
            length: 2 h
            summary: |
              Notes on the third topic, with `code` and **bold** words. {FILLER}
            """,
        "evil-entry": f"""\
            title: "<b>Bold</b> *stars* [brackets] {{#hijack}} & <script>alert(9)</script>"
            url: https://example.org/evil?q=(1)&r="2"
            topic: gamma
            tier: 1
            kind: post
            length: 1,200 words
            summary: |
              {EVIL_SUMMARY}
            notes: ["<script>alert('note')</script> a note"]
            """,
    }


LIST = """\
title: A friend's list
source: {title: Friend's blog, url: "https://friend.example/list"}
description: Read these *in order*.
sections:
  - title: Start here
    entries: [watching-machines-think, compilers-for-everyone]
  - title: Then
    entries: [gamma-notes]
new_in_source: {label: Added after 2024/4/1, entries: [compilers-for-everyone]}
"""


def write_readings(root: Path, today: dt.date | None = None) -> Path:
    """Write the fixture tree under `root` (the readings directory)."""
    today = today or dt.date.today()
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "lists").mkdir(exist_ok=True)
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    for stem, body in entries(today).items():
        text = textwrap.dedent(body)
        # Keep the summary block indented under "summary: |" after dedent.
        (root / "entries" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    (root / "lists" / "friends-list.yaml").write_text(LIST, encoding="utf-8")
    return root


MKDOCS_YML = """\
site_name: Fixture reading list
site_url: https://fixture.example/
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - readlist:
      readings: {readings}
      new: 30
"""


def write_project(root: Path) -> Path:
    """A whole MkDocs project: mkdocs.yml, an empty docs/ and readings/."""
    write_readings(root / "readings")
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(readings="readings"), encoding="utf-8")
    return root
