"""`readlist import FILE.md`: a published Markdown reading list -> readlist data.

What is understood (everything else is reported with its line number):

* headings (`#`, `##`, ..., and underlined `===`/`---` ones) become topics,
  nested as the headings are; a first, lone H1 is the list's title; headings
  with no readings below them (Purpose, How to read...) become the list's
  description, as Markdown;
* "Tier N" lines (`**Tier 2**`, `### Tier 3`, `<summary>Tier 4+</summary>`)
  set the tier of the items that follow, until the next heading;
* short label lines (`**Lectures:**`, `LLMs:`) start a new list section under
  the current topic;
* `- [title](url) rest` items (also `*`, `+`, `1.`, checkboxes, bare URLs after
  a title) become entries, in order. In `rest`: `(GPT-2)` becomes `aka`,
  `(2017)` the year, `([video](url))` an extra link, `: text` or `- text` a
  note. Nested bullets and indented continuation lines become notes;
* markers like ✨ 🆕 ⭐ or "(new)" mark an entry as new: it gets an `added`
  date, taken from a legend line such as "✨ Added after 2024/4/1" when the
  list has one, else today;
* table-of-contents links (`[x](#anchor)`), `<details>` wrappers, `[TOC]` and
  rules are understood and skipped (and reported as skipped).

Items whose URL is already in the catalog (after normalization) are linked,
not duplicated; a URL that appears twice in the file is listed once. The list
file keeps the original order and sections. Summaries are left empty for a
person to write, so `readlist validate` flags every imported entry until then.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import urls
from ..errors import Exit, ReadlistError
from ..files import atomic_write_all
from ..models import ID_MAX
from . import common, roundtrip
from .fmt import format_text

NEW_MARKERS = ("✨", "🆕", "⭐", "🌟", "🔥")
_NEW_WORDS = re.compile(r"\(\s*new\s*\)|\[\s*new\s*\]|\*\*new\*\*|\bNEW\b|\bNew!", re.UNICODE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])(?:\s+(.*))?$")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))+)(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"<?(https?://[^\s<>]+[^\s<>.,;:!?)\]'\"])>?")
_TIER = re.compile(r"^tier\s*(\d{1,2})\s*\+?\s*:?$", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_DATE = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


class ImportFailed(ReadlistError):
    """The import cannot go ahead; nothing was written. Exit 1 when the
    file's content is the problem; 2 for a bad argument."""


@dataclass
class Note:
    line: int
    category: str  # "not understood" | "skipped" | "duplicate"
    message: str


@dataclass
class Heading:
    line: int
    level: int
    title: str
    parent: Heading | None
    description: list[str] = field(default_factory=list)
    has_items: bool = False
    topic_id: str | None = None

    def subtree_has_items(self, headings: list[Heading]) -> bool:
        return self.has_items or any(h.parent is self and h.subtree_has_items(headings) for h in headings)


@dataclass
class Item:
    line: int
    indent: int
    title: str
    url: str
    heading: Heading | None
    label: str | None
    tier: int | None
    new: bool
    aka: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    year: int | None = None
    entry_id: str | None = None
    linked: bool = False  # already in the catalog
    duplicate_of: Item | None = None


@dataclass
class Parsed:
    title: str | None
    headings: list[Heading]
    items: list[Item]
    preface: list[str]
    notes: list[Note]
    new_date: dt.date | None


# -- Markdown -> items --------------------------------------------------------------


def _strip_markup(text: str) -> str:
    text = _HTML_TAG.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    for marker in NEW_MARKERS:
        text = text.replace(marker, "")
    return " ".join(text.split()).strip()


def _tier_of(text: str) -> int | None:
    match = _TIER.match(_strip_markup(text))
    if not match:
        return None
    return min(max(int(match[1]), 1), 4)


def _has_new_marker(text: str) -> bool:
    return any(m in text for m in NEW_MARKERS) or bool(_NEW_WORDS.search(text))


def _remove_new_markers(text: str) -> str:
    for marker in NEW_MARKERS:
        text = text.replace(marker, "")
    return _NEW_WORDS.sub("", text).strip()


def _is_label(text: str) -> str | None:
    """'**Lectures:**' or 'LLMs:' -> 'Lectures' / 'LLMs'; None for prose."""
    stripped = text.strip()
    bold = re.fullmatch(r"(\*\*|__)(.+?)\1:?", stripped)
    plain = _strip_markup(stripped)
    if bold or (plain.endswith(":") and len(plain) <= 60 and not _LINK.search(stripped)):
        label = plain.rstrip(":").strip()
        return label or None
    return None


def _legend_date(text: str) -> dt.date | None:
    if match := _DATE.search(text):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def _link_title(text: str) -> str:
    text = _strip_markup(text)
    return text[:1].upper() + text[1:] if text else "Link"


def _parse_rest(item: Item, rest: str) -> None:
    """What follows the main link: extra links, (aka), (year), ': note'."""
    rest = _remove_new_markers(rest)
    for match in list(_LINK.finditer(rest)):
        url = match.group(2).strip("<>")
        if urls.is_web_url(url):
            item.links.append({"title": _link_title(match.group(1)), "url": url})
    rest = _LINK.sub("", rest)
    rest = re.sub(r"\(\s*[,;]?\s*\)", "", rest)  # the parentheses that held links
    while paren := re.search(r"\(([^()]{1,60})\)\s*$", rest):
        inner = paren.group(1).strip()
        if re.fullmatch(r"(1[6-9]|20)\d\d", inner):
            item.year = int(inner)
        elif inner:
            item.aka.insert(0, _strip_markup(inner))
        rest = rest[: paren.start()].rstrip()
    rest = rest.strip()
    rest = re.sub(r"^[\s:;,\-–—|]+", "", rest).strip()
    rest = rest.strip("*_ ").strip()
    if rest and re.search(r"\w", rest):
        item.notes.append(rest)


def parse(text: str, *, default_tier: int | None = None) -> Parsed:
    lines = text.replace("\r\n", "\n").replace("\t", "    ").split("\n")
    notes: list[Note] = []
    headings: list[Heading] = []
    items: list[Item] = []
    preface_lines: list[tuple[Heading | None, int, str]] = []
    title: str | None = None
    new_date: dt.date | None = None

    current: Heading | None = None
    tier: int | None = default_tier
    label: str | None = None
    last_item: Item | None = None
    in_fence = False
    in_comment = False
    blank_since_item = False

    setext_titles = {
        n - 1
        for n, line in enumerate(lines)
        if n > 0
        and _SETEXT.match(line)
        and lines[n - 1].strip()
        and not _ITEM.match(lines[n - 1])
        and not _HEADING.match(lines[n - 1])
        and not (line.startswith("-") and not lines[n - 1].strip())
    }

    def add_heading(level: int, heading_title: str, number: int) -> None:
        nonlocal current, tier, label, last_item
        parent = current
        while parent and parent.level >= level:
            parent = parent.parent
        heading = Heading(number, level, heading_title, parent)
        headings.append(heading)
        current, tier, label, last_item = heading, default_tier, None, None

    skip_next = False
    for index, raw in enumerate(lines):
        number = index + 1
        line = raw.rstrip()
        stripped = line.strip()
        if skip_next:
            skip_next = False
            continue
        # fenced code and HTML comments -------------------------------------------
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            notes.append(Note(number, "not understood", "code block (not imported)")) if in_fence else None
            continue
        if in_fence:
            continue
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if not stripped:
            blank_since_item = True
            if preface_lines and preface_lines[-1][0] is current and preface_lines[-1][2]:
                preface_lines.append((current, number, ""))
                if current is not None and current.description:
                    current.description.append("")
            continue
        # headings ---------------------------------------------------------------
        heading = _HEADING.match(line)
        if heading or index in setext_titles:
            if heading:
                level, heading_title = len(heading[1]), _strip_markup(heading[2])
            else:
                level, heading_title = (1 if lines[index + 1].lstrip().startswith("=") else 2), _strip_markup(line)
                skip_next = True
            if (found := _tier_of(heading_title)) is not None:
                tier, last_item = found, None
                continue
            if not heading_title:
                notes.append(Note(number, "not understood", "empty heading"))
                continue
            if title is None and level == 1 and not headings and not items:
                title = heading_title
                current = None
                continue
            add_heading(level, heading_title, number)
            continue
        # tiers, wrappers, rules, legends ---------------------------------------------
        if (found := _tier_of(stripped)) is not None:
            tier, last_item = found, None
            continue
        toc = stripped in ("[TOC]", "[[_TOC_]]", "[toc]")
        if toc or (_RULE.match(stripped) and not _ITEM.match(line)):
            if toc:
                notes.append(Note(number, "skipped", "table-of-contents marker"))
            continue
        if _HTML_TAG.fullmatch(stripped) or re.fullmatch(r"(\s*</?[a-zA-Z][^>]*>\s*)+", stripped):
            continue  # <details>, </details>, <br> ...
        if (
            _has_new_marker(stripped)
            and not _LINK.search(stripped)
            and not _BARE_URL.search(stripped)
            and re.search(r"\b(added|new)\b", stripped, re.IGNORECASE)
        ):
            new_date = _legend_date(stripped) or new_date
            when = new_date.isoformat() if new_date else "today"
            notes.append(Note(number, "skipped", f"legend: marked items become new (added: {when})"))
            continue
        # list items --------------------------------------------------------------
        match = _ITEM.match(line)
        if match and not _RULE.match(stripped):
            indent, content = len(match[1]), (match[3] or "").strip()
            if last_item and indent > last_item.indent:
                if content:
                    last_item.notes.append(content)
                blank_since_item = False
                continue
            item = _parse_item(number, indent, content, current, label, tier, notes)
            if item is None:
                last = notes[-1] if notes and notes[-1].line == number else None
                prose = last is not None and last.message.startswith("list item without a link")
                if prose and (current is None or not current.has_items):
                    notes.pop()  # a bullet in an introduction: keep it as description
                    if current is not None:
                        current.description.append(line.strip())
                    preface_lines.append((current, number, line.rstrip()))
                last_item = None
                continue
            items.append(item)
            if current:
                current.has_items = True
            last_item, blank_since_item = item, False
            continue
        # continuation lines ---------------------------------------------------------
        if last_item and (raw[:1].isspace() or not blank_since_item):
            if last_item.notes and raw[:1].isspace() and not blank_since_item:
                last_item.notes[-1] += " " + stripped
            else:
                last_item.notes.append(stripped)
            continue
        # labels and prose -----------------------------------------------------------
        if (found_label := _is_label(stripped)) is not None:
            label, last_item = found_label, None
            continue
        if current is None or not current.has_items:
            if current is not None:
                current.description.append(stripped)
            preface_lines.append((current, number, stripped))
            continue
        notes.append(Note(number, "not understood", f"text between items: {_short(stripped)}"))
        last_item = None
    if in_fence:
        notes.append(Note(len(lines), "not understood", "unclosed code block"))
    preface = _preface(preface_lines, headings, items)
    return Parsed(title, headings, items, preface, notes, new_date)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_item(
    number: int,
    indent: int,
    content: str,
    heading: Heading | None,
    label: str | None,
    tier: int | None,
    notes: list[Note],
) -> Item | None:
    new = _has_new_marker(content)
    body = _CHECKBOX.sub("", _remove_new_markers(content)).strip()
    match = _LINK.search(body)
    if match:
        url = match.group(2).strip("<>")
        if url.startswith("#"):
            notes.append(Note(number, "skipped", "table-of-contents link"))
            return None
        prefix = _strip_markup(body[: match.start()]).strip(" :-–—|")
        title = _strip_markup(match.group(1))
        if not urls.is_web_url(url):
            notes.append(Note(number, "not understood", f"link is not an http(s) URL: {_short(url)}"))
            return None
        if not title:
            notes.append(Note(number, "not understood", "link without a title"))
            return None
        item = Item(number, indent, title, url, heading, label, tier, new)
        if prefix and re.search(r"\w", prefix):
            item.notes.append(prefix)
        _parse_rest(item, body[match.end() :])
        return item
    bare = _BARE_URL.search(body)
    if bare:
        before = _strip_markup(body[: bare.start()]).strip(" :-–—|(")
        if not before:
            notes.append(Note(number, "not understood", "a URL without a title; write it as [title](url)"))
            return None
        item = Item(number, indent, before, bare.group(1), heading, label, tier, new)
        _parse_rest(item, body[bare.end() :])
        return item
    if content:
        notes.append(Note(number, "not understood", f"list item without a link: {_short(content)}"))
    return None


def _preface(lines: list[tuple[Heading | None, int, str]], headings: list[Heading], items: list[Item]) -> list[str]:
    """Markdown for the list description, from sections that hold no readings."""
    with_items = {id(h) for h in headings if h.subtree_has_items(headings)}
    out: list[str] = []
    shown: set[int] = set()
    lines = [entry for entry in lines if entry[0] is None or id(entry[0]) not in with_items]
    for heading, _number, text in lines:
        if heading is not None and id(heading) in with_items:
            continue
        if heading is not None and id(heading) not in shown:
            shown.add(id(heading))
            if out and out[-1]:
                out.append("")
            out.append(f"**{heading.title}**")
            out.append("")
        if text or (out and out[-1]):
            out.append(text.rstrip())
    return out


# -- plan ---------------------------------------------------------------------------------


@dataclass
class Plan:
    root: Path
    list_id: str
    list_path: Path
    entries: dict[str, str] = field(default_factory=dict)  # path -> text
    topics_text: str | None = None
    list_text: str = ""
    new_entries: list[Item] = field(default_factory=list)
    linked: list[Item] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    sections: int = 0
    notes: list[Note] = field(default_factory=list)


def _topic_index(data: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(items: Any) -> None:
        for topic in items if isinstance(items, list) else []:
            if isinstance(topic, dict) and isinstance(topic.get("id"), str):
                found[topic["id"]] = topic
                walk(topic.get("children"))

    walk(data)
    return found


def plan_import(
    source: Path,
    root: Path,
    *,
    list_id: str | None = None,
    source_url: str | None = None,
    default_tier: int = 1,
    today: dt.date | None = None,
    force: bool = False,
) -> Plan:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{source} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ImportFailed(f"cannot read {source}: {exc.strerror or exc}", exit_code=Exit.USAGE) from None
    parsed = parse(text, default_tier=None)
    if not parsed.items:
        raise ImportFailed(f"{source}: no `- [title](url)` items found; nothing to import")

    title = parsed.title or source.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    list_id = list_id or common.slugify(title) or "imported"
    if list_id != common.slugify(list_id, ID_MAX):
        raise ImportFailed(f"'{list_id}' is not a valid list id", exit_code=Exit.USAGE)
    list_path = root / "lists" / f"{list_id}.yaml"
    if list_path.exists() and not force:
        raise ImportFailed(
            f"list '{list_id}' already exists ({list_path}); pass --list ID to choose another id", exit_code=Exit.USAGE
        )
    plan = Plan(root, list_id, list_path, notes=list(parsed.notes))

    # topics ---------------------------------------------------------------------------
    topics_path = root / "topics.yaml"
    topics_data = roundtrip.load(topics_path.read_text(encoding="utf-8")) if topics_path.is_file() else None
    if topics_data is None:
        topics_data = CommentedSeq()
    if not isinstance(topics_data, list):
        raise ImportFailed(f"{topics_path} is not a list of topics")
    index = _topic_index(topics_data)
    by_title = {str(t.get("title", "")).casefold(): tid for tid, t in index.items()}
    for heading in parsed.headings:
        if not heading.subtree_has_items(parsed.headings):
            continue
        slug = common.slugify(heading.title) or "topic"
        existing = by_title.get(heading.title.casefold()) or (slug if slug in index else None)
        if existing:
            heading.topic_id = existing
            if heading.description and not heading.has_items:
                plan.notes.append(
                    Note(
                        heading.line,
                        "skipped",
                        f"text under '{heading.title}' not imported: topic '{existing}' already has a description",
                    )
                )
            continue
        parent_id = heading.parent.topic_id if heading.parent else None
        topic_id = common.unique_id(slug if slug not in index else f"{parent_id}-{slug}", set(index))
        node = CommentedMap([("id", topic_id), ("title", heading.title)])
        if "\n".join(heading.description).strip():
            node["description"] = "\n".join(heading.description).strip()
        if parent_id:
            parent = index[parent_id]
            if not isinstance(parent.get("children"), list):
                parent["children"] = CommentedSeq()
            parent["children"].append(node)
        else:
            topics_data.append(node)
        index[topic_id] = node
        by_title[heading.title.casefold()] = topic_id
        heading.topic_id = topic_id
        plan.new_topics.append(topic_id)
    fallback_topic = None
    if any(item.heading is None for item in parsed.items):
        slug = common.slugify(title) or "imported"
        fallback_topic = by_title.get(title.casefold()) or (slug if slug in index else None)
        if not fallback_topic:
            fallback_topic = common.unique_id(slug, set(index))
            topics_data.append(CommentedMap([("id", fallback_topic), ("title", title)]))
            plan.new_topics.append(fallback_topic)
    if plan.new_topics:
        plan.topics_text = format_text(roundtrip.dump(topics_data), "topics")

    # entries --------------------------------------------------------------------------
    known = common.known_urls(root)
    taken = {p.stem for p in (root / "entries").glob("*.yaml")}
    seen: dict[str, Item] = {}
    added_day = parsed.new_date or today or dt.date.today()
    for item in parsed.items:
        key = urls.normalize(item.url)
        if key in seen:
            first = seen[key]
            item.duplicate_of, item.entry_id = first, first.entry_id
            plan.notes.append(
                Note(
                    item.line,
                    "duplicate",
                    f"same work as line {first.line} ('{first.title}'); listed once",
                )
            )
            continue
        seen[key] = item
        if key in known:
            item.entry_id, item.linked = known[key].id, True
            plan.linked.append(item)
            continue
        entry_id = common.unique_id(common.slugify(item.title), taken, item.year)
        taken.add(entry_id)
        item.entry_id = entry_id
        topic = item.heading.topic_id if item.heading else fallback_topic
        fields = {
            "title": item.title,
            "url": urls.canonical(item.url),
            "topic": topic,
            "tier": item.tier or default_tier,
            "kind": common.guess_kind(item.url),
            "year": item.year,
            "added": added_day if item.new else None,
            "aka": item.aka,
            "summary": "",
            "notes": item.notes,
            "links": item.links,
        }
        path = root / "entries" / f"{entry_id}.yaml"
        plan.entries[str(path)] = common.entry_yaml(fields, todo={"summary": common.SUMMARY_TODO})
        plan.new_entries.append(item)

    # the list ---------------------------------------------------------------------------
    sections: list[tuple[str, list[str], str | None]] = []
    described: set[int] = set()
    for item in parsed.items:
        if item.duplicate_of is not None or not item.entry_id:
            continue
        name = _section_title(item, title)
        if not sections or sections[-1][0] != name:
            about: str | None = None
            if item.heading is not None and id(item.heading) not in described:
                described.add(id(item.heading))
                about = "\n".join(item.heading.description).strip() or None
            sections.append((name, [], about))
        sections[-1][1].append(item.entry_id)
    reading_list = CommentedMap([("title", title)])
    source_map = CommentedMap([("title", title)])
    if source_url:
        source_map["url"] = source_url
    reading_list["source"] = source_map
    description = "\n".join(parsed.preface).strip()
    if description:
        reading_list["description"] = description
    reading_list["sections"] = CommentedSeq(
        CommentedMap([("title", name)] + ([("description", about)] if about else []) + [("entries", CommentedSeq(ids))])
        for name, ids, about in sections
    )
    plan.sections = len(sections)
    for key in list(reading_list):
        reading_list[key] = roundtrip.style_value(key, reading_list[key], "list")
    plan.list_text = format_text(roundtrip.dump(reading_list), "list")
    return plan


def _section_title(item: Item, list_title: str) -> str:
    parts = []
    if item.heading:
        parts.append(item.heading.title)
    if item.label:
        parts.append(item.label)
    return " / ".join(parts) or list_title


def write(plan: Plan) -> list[Path]:
    """Write every file of the plan: all to temporary files first, then renamed."""
    files = {Path(name): text for name, text in plan.entries.items()}
    if plan.topics_text is not None:
        files[plan.root / "topics.yaml"] = plan.topics_text
    files[plan.list_path] = plan.list_text
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_all(files)
