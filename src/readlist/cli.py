"""The `readlist` command: a thin shell over the pipeline stages.

Each subcommand parses its arguments here and calls one function elsewhere.
Every command follows one exit-status rule (errors.py): a user's mistake is
a `ReadlistError`, printed as one line; anything else is a bug, printed with
its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import EXIT_STATUS, Exit, ReadlistError, report
from .models import DEFAULT_WPM, NEW_DAYS
from .roots import ROOT_HELP, readings_root


def _iso_date(value: str) -> dt.date:
    """An argparse type: an ISO date (a bad one is a usage error naming the flag)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date such as 2025-01-31: {value!r}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    from .diagnostics import render
    from .loading import load

    loaded = load(readings_root(args.root), strict=args.strict)
    output = render(loaded.diagnostics, args.format)
    if output:
        print(output)
    if args.format == "text":
        catalog = loaded.catalog
        errors, warnings = len(loaded.errors), len(loaded.warnings)
        print(
            f"{len(catalog.entries)} entries, {len(catalog.lists)} lists, "
            f"{len(catalog.topic_index)} topics: {errors} error(s), {warnings} warning(s)",
            file=sys.stderr,
        )
    return Exit.FOUND if loaded.errors else Exit.OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .models import AuthorsConfig, Entry, ReadingList, file_schema

    models: dict[str, type[Entry] | type[ReadingList] | type[AuthorsConfig]] = {
        "entry": Entry,
        "list": ReadingList,
        "authors": AuthorsConfig,
    }
    print(json.dumps(file_schema(models[args.what]), indent=2))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .diagnostics import render
    from .loading import load
    from .site.buildconfig import check_target, write_build_config
    from .site.generator import SiteOptions, generate_site

    out, config = Path(args.out), Path(args.config) if args.config else None
    check_target(config, out, force=args.force)
    loaded = load(readings_root(args.root))
    if output := render(loaded.diagnostics, "text"):
        print(output, file=sys.stderr)
    if loaded.errors:
        return Exit.FOUND
    options = SiteOptions(
        words_per_minute=args.words_per_minute,
        new_since=SiteOptions.new_cutoff(args.new),
        since=args.since,
        url_style=args.urls or ("md" if config and config.suffix.lower() == ".toml" else "directory"),
        site_url=args.site_url,
        site_name=args.site_name,
    )
    site = generate_site(loaded.catalog, options)
    written = site.write(out)
    print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    for path in write_build_config(
        site, out, config, site_name=args.site_name, site_url=args.site_url, url_style=options.url_style
    ):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_search_index(args: argparse.Namespace) -> int:
    """Index a site built from `readlist generate` pages (by Zensical, ProperDocs
    or MkDocs without the plugin) as the plugin indexes its own builds."""
    from .diagnostics import render
    from .errors import Exit, UsageError
    from .loading import load
    from .site.searchindex import index_site

    if args.words_per_minute <= 0:
        raise UsageError("--words-per-minute must be more than zero")
    loaded = load(readings_root(args.root))
    if loaded.errors:
        print(render(loaded.errors, "text"), file=sys.stderr)
        return Exit.FOUND
    done = index_site(Path(args.site_dir), loaded.catalog, words_per_minute=args.words_per_minute, url_style=args.urls)
    print(
        f"indexed {done.readings} readings and {done.pages} pages into {Path(args.site_dir) / 'pagefind'}",
        file=sys.stderr,
    )
    return Exit.OK


def cmd_export(args: argparse.Namespace) -> int:
    from .diagnostics import render
    from .exporting import atom_feed, export
    from .loading import load

    loaded = load(readings_root(args.root))
    if loaded.errors:
        print(render(loaded.errors, "text"), file=sys.stderr)
        if not args.allow_errors:
            raise ReadlistError(f"{len(loaded.errors)} validation error(s); fix them or pass --allow-errors")
    if args.format == "atom":
        text = atom_feed(loaded.catalog, args.site_url, since=args.since)
    else:
        text = export(loaded.catalog, args.format)
    if args.output and args.output != "-":
        from .files import atomic_write

        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(Path(args.output), text)
        print(f"wrote {args.output} ({len(loaded.catalog.entries)} entries)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    return _parser_and_commands()[0]


def command_names() -> list[str]:
    """Every subcommand, for the checks that docs and workflows name real ones."""
    return sorted(_parser_and_commands()[1].choices)


def _parser_and_commands() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="readlist", description="Keep a curated reading list as data.", epilog=EXIT_STATUS
    )
    parser.add_argument("--version", action="version", version=f"readlist {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every YAML file under readings/")
    validate.add_argument("root", nargs="?", help=ROOT_HELP)
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.set_defaults(func=cmd_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of an entry (or a list, or authors.yaml)")
    schema.add_argument("what", nargs="?", choices=["entry", "list", "authors"], default="entry")
    schema.set_defaults(func=cmd_schema)

    generate = commands.add_parser("generate", help="write the site's Markdown pages, downloads and assets to a folder")
    generate.add_argument("root", nargs="?", help=ROOT_HELP)
    generate.add_argument("--out", required=True, help="folder to write (a docs_dir)")
    generate.add_argument("--words-per-minute", type=int, default=DEFAULT_WPM, metavar="N")
    generate.add_argument(
        "--new",
        type=lambda v: int(v) if v.isdigit() else v,
        default=NEW_DAYS,
        help=f"days (or an ISO date) within which an entry counts as new (default: {NEW_DAYS})",
    )
    generate.add_argument(
        "--since",
        type=_iso_date,
        metavar="DATE",
        help="the day the list began (its first import): readings added then or before are "
        "never new (default: the earliest `added` date)",
    )
    generate.add_argument(
        "--urls",
        choices=["directory", "html", "md"],
        default=None,
        help="links between pages: to page/ (MkDocs' default), page.html, or page.md for a "
        "generator that resolves .md links itself (Zensical); default: md with a --config "
        "zensical.toml, else directory",
    )
    generate.add_argument("--site-url", help="absolute site URL, for the feed")
    generate.add_argument("--site-name", default="Reading list", help="the site's name")
    generate.add_argument(
        "--config",
        metavar="FILE",
        help="also write a complete config for these pages: zensical.toml or mkdocs.yml "
        "(by suffix); its folder must hold --out",
    )
    generate.add_argument("--force", action="store_true", help="replace an existing --config FILE")
    generate.set_defaults(func=cmd_generate)

    search_index = commands.add_parser(
        "search-index",
        help="write the search index (Pagefind) into a site built from `generate`'s pages",
    )
    search_index.add_argument("site_dir", metavar="SITE_DIR", help="the built site (holds index.html)")
    search_index.add_argument("root", nargs="?", help=ROOT_HELP)
    search_index.add_argument(
        "--urls",
        choices=["directory", "html"],
        default="directory",
        help="the built site's URLs: page/ (default) or page.html (use_directory_urls: false)",
    )
    search_index.add_argument("--words-per-minute", type=int, default=DEFAULT_WPM, metavar="N")
    search_index.set_defaults(func=cmd_search_index)

    export = commands.add_parser("export", help="write the catalog as JSON, CSV, BibTeX or Atom")
    export.add_argument("root", nargs="?", help=ROOT_HELP)
    export.add_argument("--format", choices=["json", "csv", "bibtex", "atom"], default="json")
    export.add_argument("--output", "-o", metavar="FILE", help="file to write (default: standard output)")
    export.add_argument("--site-url", help="absolute site URL (Atom only)")
    export.add_argument(
        "--since",
        type=_iso_date,
        metavar="DATE",
        help="the day the list began (Atom only): the feed lists readings added after it "
        "(default: the earliest `added` date)",
    )
    export.add_argument(
        "--allow-errors", action="store_true", help="export the valid entries even if some files have errors"
    )
    export.set_defaults(func=cmd_export)

    from .links.command import add_parsers as add_link_parsers

    add_link_parsers(commands)

    from .ci.cli import add_parser as add_ci_parser

    add_ci_parser(commands)

    from .authoring.command import add_parsers as add_authoring_parsers

    add_authoring_parsers(commands)

    from .scaffold.command import add_parser as add_init_parser

    add_init_parser(commands)

    for command in commands.choices.values():  # wherever it was defined (`ci` does its own subcommands)
        command.epilog = EXIT_STATUS
    return parser, commands


def main(argv: list[str] | None = None) -> int:
    """Run one command; its status follows the one rule in errors.py."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `readlist export | head`: the reader left; neither a bug nor a finding
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141  # 128 + SIGPIPE, as the shell reports a command the pipe ended
    except Exception as error:
        return report(error)


if __name__ == "__main__":
    sys.exit(main())
