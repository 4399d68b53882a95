"""``readlist check-links`` and ``readlist merge-reports``: argument parsing
and the pipeline load -> collect -> filter -> check -> report -> fix, read
top to bottom in ``run_check_links``. Defaults live in the settings model."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..diagnostics import display_path
from ..files import atomic_write
from ..loading import load, readings_root
from . import Checker
from .cache import Cache
from .collect import collect, only_files
from .policy import format_duration
from .report import render
from .results import ErrorKind, LinkResult
from .settings import LinkSettings, SettingsError, read_table
from .settings import build as build_settings
from .transport import proxy_setting_problem

FORMATS = ["text", "json", "markdown", "github"]
_DEFAULTS = LinkSettings()


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("use I/N, e.g. 1/4") from None
    if count < 1 or not 1 <= index <= count:
        raise argparse.ArgumentTypeError("use I/N with 1 <= I <= N")
    return index, count


def _help(name: str, text: str | None = None) -> str:
    field = LinkSettings.model_fields[name]
    return f"{text or field.description} (default {getattr(_DEFAULTS, name):g})"


def add_parsers(commands) -> None:
    p = commands.add_parser(
        "check-links", help="check every URL under readings/ for link rot",
        description="Check every URL cited under readings/ once; report where each is cited.",
        epilog="Exit status: 0 when nothing is broken, timed out or in error (blocked and skipped "
               "do not fail), 1 otherwise, 2 on bad usage or a bad setting. Settings: "
               "[tool.readlist.links] in pyproject.toml. Proxies: HTTP_PROXY, HTTPS_PROXY, "
               "ALL_PROXY, NO_PROXY.",
    )
    p.add_argument("root", nargs="?", help="the project root or its readings/ folder (default: .)")
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    # Typed loosely here: the settings model checks every value and names it.
    p.add_argument("--concurrency", type=int, metavar="N", help=_help("concurrency"))
    p.add_argument("--per-host", type=int, metavar="N", help=_help("per_host"))
    p.add_argument("--timeout", type=float, metavar="S", help=_help("timeout"))
    p.add_argument("--retries", type=int, metavar="N", help=_help("retries"))
    p.add_argument(
        "--allow-private", nargs="?", const="*", action="append", metavar="NET",
        help="check private/loopback/link-local addresses too (all, or only NET; repeatable)",
    )
    cache = p.add_mutually_exclusive_group()
    cache.add_argument("--cache", metavar="FILE", help="cache file (default: .readlist-cache.json)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write a cache (nor history)")
    p.add_argument("--max-age", metavar="DURATION",
                   help=f"reuse cached successes younger than this, e.g. 12h "
                        f"(default {format_duration(_DEFAULTS.max_age)})")
    p.add_argument("--changed", nargs="?", const="HEAD", metavar="GIT-REF",
                   help="only URLs in YAML files changed since GIT-REF (default HEAD)")
    p.add_argument("--shard", type=_shard, metavar="I/N", help="check only the I-th of N parts")
    p.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                   help="skip URLs matching REGEX (repeatable)")
    p.add_argument("--fix", action="store_true",
                   help="rewrite permanently redirected URLs in place; add `archived:` to broken entries")
    p.set_defaults(func=run_check_links)

    m = commands.add_parser(
        "merge-reports", help="join the JSON reports of check-links shards",
        description="Join JSON reports written by `check-links --shard I/N --format json`.",
    )
    m.add_argument("reports", nargs="+", metavar="REPORT")
    m.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    m.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    m.add_argument("--cache", metavar="FILE",
                   help="also keep the merged results (and each URL's failure history) in this cache")
    m.set_defaults(func=run_merge_reports)


def _fail(message: str, code: int = 2) -> int:
    print(f"readlist: error: {message}", file=sys.stderr)
    return code


def changed_files(repo: Path, ref: str) -> set[Path]:
    def git(*args) -> str:
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
    digest = hashlib.sha1(url.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def _write(text: str, output: str | None) -> None:
    if output:
        atomic_write(Path(output), text + "\n")
    else:
        print(text)


def _output_problem(output: str | None) -> str | None:
    """Why the report cannot be written to `output`, asked before any
    request rather than found out after the whole check."""
    if output and Path(output).is_dir():
        return f"--output: {output} is a directory"
    if output and not Path(output).resolve().parent.is_dir():
        return f"--output: {Path(output).parent} is not a directory"
    return None


class _Progress:
    """A progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.bar = None
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console  # only on a terminal: rich takes ~40 ms to import
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "checking links", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.task = self.bar.add_task("links", total=total)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def advance(self) -> None:
        if self.bar:
            self.bar.advance(self.task)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()


def run_check_links(args: argparse.Namespace) -> int:
    """load -> collect -> filter (cache, --changed, --shard) -> check -> report -> fix.

    Checking starts while loading: each file's URLs go to the checker (a
    worker thread) once the file has validated, filtered as below; what is
    reported is decided from the validated catalog all the same."""
    try:
        root = readings_root(args.root)
    except ValueError as exc:
        return _fail(str(exc))
    if problem := _output_problem(args.output):
        return _fail(problem)
    project = next((d for d in (root.resolve(), *root.resolve().parents) if (d / "pyproject.toml").is_file()),
                   root.resolve().parent)
    try:
        settings = build_settings(read_table(project / "pyproject.toml"), {
            "concurrency": args.concurrency, "per-host": args.per_host, "timeout": args.timeout,
            "retries": args.retries, "max-age": args.max_age, "allow-private": args.allow_private,
            "exclude": args.exclude or None,
        })
    except SettingsError as exc:
        return _fail(str(exc))
    settings.github_token = os.environ.get("GITHUB_TOKEN") or None
    if problem := proxy_setting_problem(os.environ):
        return _fail(problem)
    changed = None
    if args.changed is not None:
        try:
            changed = changed_files(project, args.changed)
        except (ValueError, OSError) as exc:
            return _fail(f"--changed: {exc}")

    cache_path = None if args.no_cache else Path(args.cache) if args.cache else project / ".readlist-cache.json"
    cache = Cache(cache_path, settings.max_age)

    def wanted(url: str) -> bool:  # the filter: this shard, and not fresh in the cache
        return (not args.shard or in_shard(url, *args.shard)) and (
            settings.excluded(url) or cache.get(url) is None)

    started = time.monotonic()
    with Checker(settings) as checker:
        # load; each file's URLs go to the checker as soon as the file has
        # validated (only entries and lists that validate are ever contacted)
        def on_file(model, path) -> None:
            if changed is None or Path(path).resolve() in changed:
                checker.submit(url for url, _ in model.cited_urls() if wanted(url))

        loaded = load(root, on_file=on_file)
        if loaded.errors:
            print(f"readlist: warning: {len(loaded.errors)} validation error(s); "
                  "files that failed to load are not checked (run `readlist validate`)", file=sys.stderr)
        # collect, filter: what is reported, from the validated catalog
        found = collect(loaded.catalog)
        if changed is not None:
            found = only_files(found, changed)
        found = {url: places for url, places in found.items() if not args.shard or in_shard(url, *args.shard)}
        results: dict[str, LinkResult] = {}
        for url in found:
            hit = cache.get(url)
            if hit is not None and not settings.excluded(url):
                results[url] = hit
        todo = [url for url in found if url not in results]
        checker.submit(todo)  # each is in already; kept so that nothing is ever missed

        # check
        with _Progress(len(todo)) as progress:
            for result in checker.results():
                if result.url in found:
                    results[result.url] = result
                    progress.advance()
    for url in todo:
        cache.record(results[url])  # history first: archive look-ups only for lasting failures' news
    if settings.archive_lookup and (args.fix or args.format != "github"):
        # not the links a proxy failed to carry: they were not checked
        broken = [url for url in todo if results[url].failed and not results[url].archived
                  and results[url].error_kind is not ErrorKind.PROXY]
        if broken:
            # Imported here, like the full client and --fix's YAML writer:
            # a run with nothing broken never pays for httpx and ruamel.yaml.
            from .archive import snapshots

            for url, snapshot in snapshots(broken, settings.wayback_api, settings.timeout).items():
                results[url].archived = snapshot
                cache.entries[url]["archived"] = snapshot
    elapsed = time.monotonic() - started
    if cache_path is not None:
        try:
            cache.save()
        except OSError as exc:
            print(f"readlist: warning: cannot write cache {cache_path}: {exc}", file=sys.stderr)

    # report
    ordered = []
    for url, cited in found.items():
        result = results[url]
        result.files = [{"path": display_path(path), "line": line} for path, line in cited]
        ordered.append(result)
    try:
        _write(render(ordered, args.format, elapsed), args.output)
    except OSError as exc:
        return _fail(f"cannot write the report to {args.output}: {exc.strerror or exc}")
    # fix
    if args.fix:
        from .fix import apply_fixes

        for path, count in apply_fixes(ordered).items():
            print(f"fixed {count} URL(s) in {display_path(path)}", file=sys.stderr)
    return 1 if any(r.failed for r in ordered) else 0


def run_merge_reports(args: argparse.Namespace) -> int:
    if problem := _output_problem(args.output):
        return _fail(problem)
    merged: dict[str, LinkResult] = {}
    for name in args.reports:
        try:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
            items = [LinkResult.from_json(item) for item in data["results"]]
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
    if args.cache:
        cache = Cache(Path(args.cache), _DEFAULTS.max_age)
        for result in results:
            cache.keep(result)
        try:
            cache.save()
        except OSError as exc:
            return _fail(f"cannot write cache {args.cache}: {exc}")
    try:
        _write(render(results, args.format), args.output)
    except OSError as exc:
        return _fail(f"cannot write the report to {args.output}: {exc.strerror or exc}")
    return 1 if any(r.failed for r in results) else 0
