"""`readlist refresh`: re-read title, authors and year of existing entries.

An entry copied from a list by hand keeps what the copier kept: seven of
thirty authors, an old title. `refresh` asks the same services that
`readlist new` asks (and with the same code, `new.py`'s fetchers) and shows,
as a unified diff, what would change; `--write` applies it.

Which sources are trusted for what:

* arXiv (the arXiv API) and DOIs (the landing page's `citation_*` tags):
  title, authors, year. arXiv ids are asked in batches of `ARXIV_BATCH`,
  `pause` seconds apart, as arXiv's API terms ask of scripts;
* GitHub repositories (the REST API): the year the repository was created,
  and the owner's account as the author only when the entry names nobody (an
  account such as "google-research" is not the people who wrote a playbook),
  never the title (a repository name is not a reading's title). Links into a
  repository (`/blob/...`) are not the repository and are skipped.

Writing goes through the public YAML round trip (`roundtrip`, fmt's settings and styles)
(comments, quoting and layout kept; a new author list is a flow list, as `fmt`
writes it); the new text must hold the same data apart from the refreshed
fields, and replaces the file atomically.
"""

from __future__ import annotations

import difflib
import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from ruamel.yaml.comments import CommentedSeq

from .. import urls
from ..files import atomic_write
from ..loading import YamlProblem, parse_yaml, read_yaml
from . import TIMEOUT, new, roundtrip
from .fmt import yaml_files

FIELDS = ("title", "authors", "year")
ARXIV_BATCH = 20


@dataclass
class Refreshed:
    """One entry file: what its source says and what would change."""

    path: Path
    source: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)
    old_text: str = ""
    new_text: str = ""
    error: str | None = None
    position: tuple[int, int] | None = None  # where in the file, for a file that cannot be read

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=f"{self.path}",
                tofile=f"{self.path} (refreshed)",
            )
        )


@dataclass
class _Target:
    path: Path
    text: str
    data: dict[str, Any]
    source: str
    key: str  # arXiv id, DOI, or OWNER/REPO


def source_of(url: str) -> tuple[str, str] | None:
    """('arXiv'|'DOI'|'GitHub', key) for a URL `refresh` can re-read, else None."""
    if paper := urls.arxiv_id(url):
        return "arXiv", paper
    if name := urls.doi(url):
        return "DOI", name
    repo = new.github_repo(url)
    if repo and len([s for s in urlsplit(url).path.split("/") if s]) == 2:
        return "GitHub", "/".join(repo)
    return None


def _targets(paths: Iterable[Path], problems: list[Refreshed]) -> tuple[list[_Target], int]:
    """Entry files with a refreshable URL; (targets, number of other entries)."""
    targets, others = [], 0
    for path in yaml_files(paths):
        try:
            doc = read_yaml(path)
        except YamlProblem as exc:
            problems.append(Refreshed(path, "", error=exc.message, position=(exc.line, exc.col)))
            continue
        except OSError as exc:
            problems.append(Refreshed(path, "", error=f"cannot read: {exc.strerror or exc}"))
            continue
        url = doc.data.get("url") if isinstance(doc.data, dict) else None
        if not isinstance(url, str):
            continue  # topics.yaml, a list, authors.yaml: not an entry
        found = source_of(url.strip())
        if found is None:
            others += 1
            continue
        text = path.read_bytes().decode("utf-8-sig")
        targets.append(_Target(path, text, doc.data, *found))
    return targets, others


def _proposed(target: _Target, meta: new.Metadata, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values the source vouches for, per the rules in the module docstring."""
    values: dict[str, Any] = {}
    if target.source == "GitHub":
        if "year" in fields and meta.year:
            values["year"] = meta.year
        if "authors" in fields and meta.authors and not target.data.get("authors"):
            values["authors"] = meta.authors
        return values
    if "title" in fields and meta.title:
        values["title"] = meta.title
    if "authors" in fields and meta.authors:
        values["authors"] = meta.authors
    if "year" in fields and meta.year:
        values["year"] = meta.year
    return values


def _current(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if key == "year" and isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if key == "title" and isinstance(value, str):
        return " ".join(value.split())
    return value


def _apply(target: _Target, result: Refreshed, values: dict[str, Any]) -> None:
    result.changes = {
        key: (_current(target.data, key), value) for key, value in values.items() if _current(target.data, key) != value
    }
    result.old_text = target.text
    if not result.changes:
        result.new_text = target.text
        return
    document = roundtrip.load(target.text)
    for key, (_, value) in result.changes.items():
        document[key] = roundtrip.style_value(key, CommentedSeq(value) if key == "authors" else value, "entry")
    text = roundtrip.dump(document)
    if not _same_otherwise(target, text, result):
        result.error = "rewriting would change more than the refreshed fields; file left alone (please report this)"
        return
    result.new_text = text


def _same_otherwise(target: _Target, text: str, result: Refreshed) -> bool:
    """The rewritten file must differ from the old one in the refreshed fields only."""
    after = parse_yaml(text).data
    expected = dict(target.data)
    for key, (_, value) in result.changes.items():
        expected[key] = str(value) if key == "year" else value

    def plain(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v.rstrip("\n") if isinstance(v, str) else v for k, v in data.items()}

    return plain(after) == plain(expected)


def refresh(
    paths: list[Path],
    *,
    fields: tuple[str, ...] = FIELDS,
    endpoints: new.Endpoints | None = None,
    timeout: float = TIMEOUT,
    pause: float = 3.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Refreshed], int]:
    """Fetch and compare every refreshable entry under `paths`; write nothing.

    Returns (one result per entry with an arXiv, DOI or GitHub URL, number of
    entries whose URL is none of those)."""
    endpoints = endpoints or new.Endpoints.from_env()
    results: list[Refreshed] = []
    targets, others = _targets(paths, results)
    metadata: dict[Path, new.Metadata | str] = {}
    with new.http_client(timeout) as client:
        papers = [t for t in targets if t.source == "arXiv"]
        for start in range(0, len(papers), ARXIV_BATCH):
            if start:
                sleep(pause)
            metadata.update(_arxiv_batch(client, papers[start : start + ARXIV_BATCH], endpoints, pause, sleep))
        for target in targets:
            if target.source == "DOI":
                metadata[target.path] = _fetch(
                    functools.partial(new.from_doi, client, target.key, target.data["url"], endpoints)
                )
            elif target.source == "GitHub":
                owner, repo = target.key.split("/", 1)
                metadata[target.path] = _fetch(functools.partial(new.from_github, client, owner, repo, endpoints))
    for target in targets:
        result = Refreshed(target.path, target.source)
        meta = metadata.get(target.path, f"{target.source}: no answer")
        if isinstance(meta, str):
            result.error = meta
        else:
            _apply(target, result, _proposed(target, meta, fields))
        results.append(result)
    return sorted(results, key=lambda r: str(r.path)), others


def _fetch(call: Callable[[], new.Metadata]) -> new.Metadata | str:
    try:
        return call()
    except new.NewError as exc:
        return str(exc)


def _arxiv_batch(
    client: httpx.Client,
    batch: list[_Target],
    endpoints: new.Endpoints,
    pause: float,
    sleep: Callable[[float], None],
) -> dict[Path, new.Metadata | str]:
    """One query for the batch; one query per paper when arXiv refuses the batch
    (a single malformed id makes it answer with one error entry)."""
    ids = list(dict.fromkeys(t.key for t in batch))
    found: dict[str, new.Metadata | str] = {}
    try:
        found.update(new.from_arxiv_many(client, ids, endpoints))
    except new.NewError as exc:
        if len(ids) == 1:
            found[ids[0]] = str(exc)
        else:
            for n, paper in enumerate(ids):
                if n:
                    sleep(pause)
                found[paper] = _fetch(functools.partial(new.from_arxiv, client, paper, endpoints))
    return {t.path: found.get(t.key, f"arXiv API: arXiv has no paper {t.key}") for t in batch}


def write(results: list[Refreshed]) -> list[Path]:
    """Replace every file that has changes (atomically); return them."""
    written = []
    for result in results:
        if result.changes and not result.error:
            atomic_write(result.path, result.new_text)
            written.append(result.path)
    return written
