"""``readlist check-links`` and ``readlist merge-reports``: arguments ->
``readlist.links.run`` -> render -> fix. Defaults live in the settings
model; exit statuses follow ``readlist.errors.Exit``."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import display_path
from ..errors import Exit, UsageError
from ..files import atomic_write
from ..loading import load
from ..roots import ROOT_HELP, readings_root
from .cache import Cache
from .pipeline import run
from .policy import format_duration
from .report import load_report, render
from .results import LinkResult
from .settings import LinkSettings, read_table
from .settings import build as build_settings
from .transport import proxy_setting_problem

if TYPE_CHECKING:
    from rich.progress import Progress

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


def add_parsers(commands: Any) -> None:
    p = commands.add_parser(
        "check-links",
        help="check every URL under readings/ for link rot",
        description="Check every URL cited under readings/ once; report where each is cited. "
        "A link found broken, timed out or in error is a problem found (exit 1); blocked "
        "and skipped ones are not. Settings: [tool.readlist.links] in pyproject.toml. "
        "Proxies: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY.",
    )
    p.add_argument("root", nargs="?", help=ROOT_HELP)
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    # Typed loosely here: the settings model checks every value and names it.
    p.add_argument("--concurrency", type=int, metavar="N", help=_help("concurrency"))
    p.add_argument("--per-host", type=int, metavar="N", help=_help("per_host"))
    p.add_argument("--timeout", type=float, metavar="S", help=_help("timeout"))
    p.add_argument("--retries", type=int, metavar="N", help=_help("retries"))
    p.add_argument(
        "--allow-private",
        nargs="?",
        const="*",
        action="append",
        metavar="NET",
        help="check private/loopback/link-local addresses too (all, or only NET; repeatable)",
    )
    cache = p.add_mutually_exclusive_group()
    cache.add_argument("--cache", metavar="FILE", help="cache file (default: .readlist-cache.json)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write a cache (nor history)")
    p.add_argument(
        "--max-age",
        metavar="DURATION",
        help=f"reuse cached successes younger than this, e.g. 12h (default {format_duration(_DEFAULTS.max_age)})",
    )
    p.add_argument(
        "--changed",
        nargs="?",
        const="HEAD",
        metavar="GIT-REF",
        help="only URLs in YAML files changed since GIT-REF (default HEAD)",
    )
    p.add_argument("--shard", type=_shard, metavar="I/N", help="check only the I-th of N parts")
    p.add_argument(
        "--exclude", action="append", default=[], metavar="REGEX", help="skip URLs matching REGEX (repeatable)"
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="rewrite permanently redirected URLs in place; add `archived:` to broken entries",
    )
    p.set_defaults(func=run_check_links)

    m = commands.add_parser(
        "merge-reports",
        help="join the JSON reports of check-links shards",
        description="Join JSON reports written by `check-links --shard I/N --format json`.",
    )
    m.add_argument("reports", nargs="+", metavar="REPORT")
    m.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    m.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    m.add_argument(
        "--cache", metavar="FILE", help="also keep the merged results (and each URL's failure history) in this cache"
    )
    m.set_defaults(func=run_merge_reports)


def changed_files(repo: Path, ref: str) -> set[Path]:
    def git(*args: str) -> str:
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


def _write(text: str, output: str | None) -> None:
    if not output:
        print(text)
        return
    try:
        atomic_write(Path(output), text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from None


def _check_output(output: str | None) -> None:
    """Refuse an `output` the report cannot be written to, before any
    request rather than after the whole check."""
    if output and Path(output).is_dir():
        raise UsageError(f"--output: {output} is a directory")
    if output and not Path(output).resolve().parent.is_dir():
        raise UsageError(f"--output: {Path(output).parent} is not a directory")


class _Progress:
    """A progress bar on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar: Progress | None = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console  # only on a terminal: rich takes ~40 ms to import
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "checking links",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("links", total=total)
            self.bar.start()

    def __enter__(self) -> _Progress:
        return self

    def advance(self, result: LinkResult) -> None:
        if self.bar:
            self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()


def _settings(args: argparse.Namespace, project: Path) -> LinkSettings:
    """pyproject.toml's table with the command line on top; a bad value of
    either (or of a proxy variable) is a ``UsageError`` naming it."""
    settings = build_settings(
        read_table(project / "pyproject.toml"),
        {
            "concurrency": args.concurrency,
            "per-host": args.per_host,
            "timeout": args.timeout,
            "retries": args.retries,
            "max-age": args.max_age,
            "allow-private": args.allow_private,
            "exclude": args.exclude or None,
        },
    )
    settings.github_token = os.environ.get("GITHUB_TOKEN") or None
    if problem := proxy_setting_problem(os.environ):
        raise UsageError(problem)
    return settings


def run_check_links(args: argparse.Namespace) -> int:
    """arguments -> load -> ``run`` (collect, filter, check, history, archive) -> report -> fix."""
    root = readings_root(args.root)
    _check_output(args.output)
    project = next(
        (d for d in (root.resolve(), *root.resolve().parents) if (d / "pyproject.toml").is_file()),
        root.resolve().parent,
    )
    settings = _settings(args, project)
    changed = None
    if args.changed is not None:
        try:
            changed = changed_files(project, args.changed)
        except (ValueError, OSError) as exc:
            raise UsageError(f"--changed: {exc}") from None
    cache_path = None if args.no_cache else Path(args.cache) if args.cache else project / ".readlist-cache.json"
    cache = Cache(cache_path, settings.max_age)

    loaded = load(root)  # only entries and lists that validate are ever contacted
    # The catalog and the modules live until the process ends: frozen, the
    # collections the check's and the report's allocations set off no longer
    # walk them, nor does the one at exit.
    gc.freeze()
    if loaded.errors:
        print(
            f"readlist: warning: {len(loaded.errors)} validation error(s); "
            "files that failed to load are not checked (run `readlist validate`)",
            file=sys.stderr,
        )
    with _Progress() as progress:
        report = run(
            loaded.catalog,
            settings,
            cache,
            changed=changed,
            shard=args.shard,
            archive=args.fix or args.format != "github",
            on_todo=progress.start,
            on_result=progress.advance,
        )
    if cache_path is not None:
        try:
            cache.save()
        except OSError as exc:
            print(f"readlist: warning: cannot write cache {cache_path}: {exc}", file=sys.stderr)
    _write(render(report.results, args.format, report.elapsed), args.output)
    if args.fix:
        from .fix import apply_fixes

        for path, count in apply_fixes(report.results).items():
            print(f"fixed {count} URL(s) in {display_path(path)}", file=sys.stderr)
    return Exit.FOUND if report.failed else Exit.OK


def run_merge_reports(args: argparse.Namespace) -> int:
    """Join shard reports, read by the same reader as the weekly issue's."""
    _check_output(args.output)
    merged: dict[str, LinkResult] = {}
    for name in args.reports:
        for result in load_report(Path(name)).results:  # a ReportError names the file: exit 2
            seen = merged.get(result.url)
            if seen is None:
                merged[result.url] = result
            else:
                seen.files += [place for place in result.files if place not in seen.files]
    results = list(merged.values())
    if args.cache:
        cache = Cache(Path(args.cache), LinkSettings().max_age)
        for result in results:
            cache.keep(result)
        try:
            cache.save()
        except OSError as exc:
            raise UsageError(f"cannot write cache {args.cache}: {exc}") from None
    _write(render(results, args.format), args.output)
    return Exit.FOUND if any(r.failed for r in results) else Exit.OK
