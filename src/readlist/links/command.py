"""``readlist check-links`` and ``readlist merge-reports``: argument parsing
and the collect -> cache -> check -> report -> fix pipeline. cli.py only
registers these parsers; nothing heavy is imported until a command runs
(check-links forks its checker first thing, so every import before that
delays the first request)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

FORMATS = ["text", "json", "markdown", "github"]
DEFAULT_MAX_AGE = "3d"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _duration(text: str) -> float:
    from .policy import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("use I/N, e.g. 1/4") from None
    if count < 1 or not 1 <= index <= count:
        raise argparse.ArgumentTypeError("use I/N with 1 <= I <= N")
    return index, count


def _regex(text: str):
    import re

    try:
        return re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"bad regex: {exc}") from None


def _network(text: str) -> str:
    import ipaddress

    if text == "*":
        return text
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError("use an address or network, e.g. 127.0.0.1 or 10.0.0.0/8") from None
    return text


def add_parsers(commands) -> None:
    p = commands.add_parser(
        "check-links", help="check every URL under readings/ for link rot",
        description="Check every URL cited under readings/ once; report where each is cited.",
    )
    p.add_argument("root", nargs="?", help="readings directory (default: readings)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--concurrency", type=_positive_int, help="requests in flight at most (default 128)")
    p.add_argument("--per-host", type=_positive_int, help="requests in flight per host (default 10)")
    p.add_argument("--timeout", type=_seconds, help="seconds per attempt, body included (default 20)")
    p.add_argument("--retries", type=_non_negative_int, help="retries after the first attempt (default 2)")
    p.add_argument(
        "--allow-private", nargs="?", const="*", action="append", type=_network, metavar="NET",
        help="check private/loopback/link-local addresses too (all, or only NET; repeatable)",
    )
    cache = p.add_mutually_exclusive_group()
    cache.add_argument("--cache", metavar="FILE", help="cache file (default: .readlist-cache.json)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write a cache")
    p.add_argument("--max-age", type=_duration, metavar="DURATION",
                   help=f"reuse cached successes younger than this (default {DEFAULT_MAX_AGE})")
    p.add_argument("--changed", nargs="?", const="HEAD", metavar="GIT-REF",
                   help="only URLs in YAML files changed since GIT-REF (default HEAD)")
    p.add_argument("--shard", type=_shard, metavar="I/N", help="check only the I-th of N parts")
    p.add_argument("--exclude", type=_regex, action="append", default=[], metavar="REGEX",
                   help="skip URLs matching REGEX (repeatable)")
    p.add_argument("--fix", action="store_true", help="rewrite permanently redirected URLs in place")
    p.add_argument("--workers", type=_positive_int, help=argparse.SUPPRESS)  # 1: no fork (a thread)
    p.set_defaults(func=run_check_links)

    m = commands.add_parser(
        "merge-reports", help="join the JSON reports of check-links shards",
        description="Join JSON reports written by `check-links --shard I/N --format json`.",
    )
    m.add_argument("reports", nargs="+", metavar="REPORT")
    m.add_argument("--format", choices=FORMATS, default="text")
    m.add_argument("--output", "-o", metavar="FILE")
    m.set_defaults(func=run_merge_reports)


def _fail(message: str, code: int = 2) -> int:
    print(f"readlist: error: {message}", file=sys.stderr)
    return code


def _project_root(start: Path) -> Path:
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here.parent if here.name == "readings" else here


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Displayer:
    """`_display` for many files of few directories: each directory is
    resolved once (a full resolve per file is a realpath walk each, a
    noticeable tail on big runs); a symlinked file is still resolved itself."""

    def __init__(self) -> None:
        self.cwd = Path.cwd().resolve()
        self.dirs: dict[Path, Path] = {}

    def __call__(self, path) -> str:
        path = Path(path)
        if path.is_symlink():
            resolved = path.resolve()
        else:
            folder = self.dirs.get(path.parent)
            if folder is None:
                folder = self.dirs[path.parent] = path.parent.resolve()
            resolved = folder / path.name
        try:
            return str(resolved.relative_to(self.cwd))
        except ValueError:
            return str(path)


def changed_files(repo: Path, ref: str) -> set[Path]:
    def git(*args) -> str:
        import subprocess

        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
        if done.returncode:
            raise ValueError(done.stderr.strip() or f"git {' '.join(args)} failed")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip())
    try:
        base = git("merge-base", ref, "HEAD").strip()
    except ValueError:
        base = ref
    names = git("diff", "--name-only", "-z", base, "--").split("\0")
    names += git("ls-files", "--others", "--exclude-standard", "-z").split("\0")
    return {(top / n).resolve() for n in names if n}


def in_shard(url: str, index: int, count: int) -> bool:
    import hashlib

    digest = hashlib.sha1(url.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as f:  # no copy of a big report to add "\n"
            f.write(text)
            f.write("\n")
    else:
        print(text)


class _Progress:
    """A progress bar on a terminal; silent otherwise. The total is set once
    loading is done (checking starts before it)."""

    def __init__(self) -> None:
        self.bar = None
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "checking links", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.task = self.bar.add_task("links", total=None)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def total(self, count: int) -> None:
        if self.bar:
            self.bar.update(self.task, total=count)

    def advance(self, _result=None) -> None:
        if self.bar:
            self.bar.advance(self.task)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()


def run_check_links(args: argparse.Namespace) -> int:
    root = Path(args.root or "readings")
    if not root.is_dir():
        return _fail(f"{root} is not a directory")
    # The checker starts first (a forked process where possible): it imports
    # asyncio and the engine while this process works out the settings and
    # starts reading the readings; see background.py.
    from . import background

    progress = _Progress()
    checker = background.start(on_result=progress.advance, in_process=args.workers == 1)
    try:
        return _check_links(args, root, checker, progress)
    finally:
        checker.abandon()  # nothing left to stop after a normal finish


def _check_links(args, root: Path, checker, progress) -> int:
    from . import policy
    from .cache import Cache
    from .collect import citations, collect, first_urls, only_files
    from .report import json_piece, render
    from .results import Result

    project = _project_root(root)

    settings = policy.Settings()
    try:
        policy.apply_config(settings, policy.read_pyproject(project / "pyproject.toml"),
                            str(project / "pyproject.toml"))
    except (ValueError, TypeError) as exc:
        return _fail(str(exc))
    for name in ("concurrency", "per_host", "timeout", "retries"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    if args.allow_private:
        settings.allow_private = tuple(args.allow_private)
    settings.exclude = settings.exclude + tuple(args.exclude)

    changed = None
    if args.changed is not None:
        try:
            changed = changed_files(project, args.changed)
        except (ValueError, OSError) as exc:
            return _fail(f"--changed: {exc}")

    # Check while loading: each validated file's URLs go to the checker at
    # once (see background.py), started before anything heavy is imported.
    # What is reported is still decided below, from the loaded catalog
    # exactly as before; streaming only starts the work early.
    started = time.monotonic()
    checker.configure(settings)
    max_age = args.max_age
    if max_age is None:
        max_age = getattr(settings, "max_age_from_config", None) or policy.parse_duration(DEFAULT_MAX_AGE)
    cache_path = None if args.no_cache else Path(args.cache) if args.cache else project / ".readlist-cache.json"
    cache = Cache(cache_path, max_age)
    submitted: set[str] = set()

    def submit(url: str) -> None:
        if url not in submitted and (not args.shard or in_shard(url, *args.shard)) \
                and (cache.get(url) is None or settings.excluded(url)):
            submitted.add(url)
            checker.submit(url)

    def on_file(model, path) -> None:
        if changed is None or Path(path).resolve() in changed:
            for url, _ in citations(model):
                submit(url)

    if changed is None:  # the first round, before pydantic is even imported
        for url in first_urls(root, settings.concurrency):
            submit(url)

    from ..loading import load

    loaded = load(root, on_file=on_file)
    with progress:
        catalog = loaded.catalog
        if loaded.errors:
            print(f"readlist: warning: {len(loaded.errors)} validation error(s); "
                  "files that failed to load are not checked (run `readlist validate`)", file=sys.stderr)
        found = collect(catalog)
        if changed is not None:
            found = only_files(found, changed)
        if args.shard:
            index, count = args.shard
            found = {url: places for url, places in found.items() if in_shard(url, index, count)}

        results: dict[str, Result] = {}
        todo = []
        for url in found:
            hit = cache.get(url)
            if hit is not None and not settings.excluded(url):
                results[url] = hit
            else:
                todo.append(url)
        progress.total(len(todo))
        for url in todo:
            if url not in submitted:  # not expected; kept so nothing is ever missed
                submitted.add(url)
                checker.submit(url)
        display = _Displayer()  # while the last answers are still on their way
        places = {url: [{"path": display(p), "line": line} for p, line in cited]
                  for url, cited in found.items()}
        pieces: dict = {}
        if args.format == "json":
            def prepare(result) -> None:  # the JSON of each result, made as it comes
                if result.url in places:
                    result.files = places[result.url]
                    pieces[result.url] = (result, json_piece(result))

            checker.also(prepare)
        checked = checker.finish()
        results.update((url, checked[url]) for url in todo)
    elapsed = time.monotonic() - started

    for url in found:
        results[url].files = places[url]
        if cache_path is not None:
            cache.put(results[url])
    if cache_path is not None:
        try:
            cache.save()
        except OSError as exc:
            print(f"readlist: warning: cannot write cache {cache_path}: {exc}", file=sys.stderr)

    ordered = [results[url] for url in found]
    _write(render(ordered, args.format, elapsed, pieces), args.output)
    if args.fix:
        from .fix import apply_fixes

        fixed = apply_fixes(ordered)
        for path, count in fixed.items():
            print(f"fixed {count} URL(s) in {_display(path)}", file=sys.stderr)
    # This run's objects live until exit anyway: frozen, they are spared the
    # interpreter's final collection (~20 ms for 2,000 entries). Reference
    # counting still frees whatever is dropped, so an in-process caller loses
    # nothing but the cycle collection of what exists right now.
    import gc

    gc.freeze()
    return 1 if any(r.failed for r in ordered) else 0


def run_merge_reports(args: argparse.Namespace) -> int:
    from .report import render
    from .results import Result

    merged: dict[str, Result] = {}
    for name in args.reports:
        try:
            import json

            data = json.loads(Path(name).read_text(encoding="utf-8"))
            items = [Result.from_json(item) for item in data["results"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return _fail(f"{name}: not a check-links JSON report ({exc})")
        for result in items:
            seen = merged.get(result.url)
            if seen is None:
                merged[result.url] = result
            else:
                for place in result.files:
                    if place not in seen.files:
                        seen.files.append(place)
    results = list(merged.values())
    _write(render(results, args.format), args.output)
    return 1 if any(r.failed for r in results) else 0
