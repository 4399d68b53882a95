"""The `new`, `fmt` and `import` subcommands: argument parsing and printing
only; the work is in new.py, fmt.py and importing.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..diagnostics import display_path
from ..errors import Exit, ReadlistError
from ..roots import PATHS_HELP, ROOT_HELP, readings_paths, readings_root
from . import TIMEOUT


def cmd_new(args: argparse.Namespace) -> int:
    from .new import Endpoints, NewError, create_entry

    endpoints = Endpoints.from_env()
    if args.arxiv_api or args.oembed_api or args.github_api:
        endpoints = Endpoints(
            arxiv_api=args.arxiv_api or endpoints.arxiv_api,
            youtube_oembed=args.oembed_api or endpoints.youtube_oembed,
            youtube_watch=endpoints.youtube_watch,
            github_api=(args.github_api or endpoints.github_api).rstrip("/"),
            doi_resolver=endpoints.doi_resolver,
        )
    try:
        created = create_entry(
            args.url,
            readings_root(args.root),
            topic=args.topic,
            tier=args.tier,
            entry_id=args.id,
            title=args.title,
            kind=args.kind,
            timeout=args.timeout,
            endpoints=endpoints,
            dry_run=args.dry_run,
        )
    except NewError as exc:
        raise ReadlistError(f"{exc}; nothing written", exit_code=exc.exit_code) from None
    if args.dry_run:
        sys.stdout.write(created.text)
        return 0
    print(f"wrote {display_path(created.path)} (from {created.metadata.source})", file=sys.stderr)
    for note in created.metadata.notes:
        print(f"  note: {note}", file=sys.stderr)
    print(
        f"  next: write {', '.join(created.missing)} in {display_path(created.path)}; "
        "`readlist validate` reports it until then",
        file=sys.stderr,
    )
    return 0


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of seconds") from None
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"'{value}' must be zero or more seconds")
    return seconds


def _fields(value: str) -> tuple[str, ...]:
    from .refresh import FIELDS

    fields = tuple(dict.fromkeys(f.strip() for f in value.split(",") if f.strip()))
    unknown = [f for f in fields if f not in FIELDS]
    if unknown or not fields:
        raise argparse.ArgumentTypeError(
            f"unknown field '{unknown[0] if unknown else value}'; choose from {', '.join(FIELDS)}"
        )
    return fields


def cmd_refresh(args: argparse.Namespace) -> int:
    from .new import Endpoints
    from .refresh import refresh, write

    results, others = refresh(
        readings_paths(args.paths),
        fields=args.fields,
        endpoints=Endpoints.from_env(),
        timeout=args.timeout,
        pause=args.pause,
    )
    failed = [r for r in results if r.error]
    changed = [r for r in results if r.changes and not r.error]
    for result in changed:
        sys.stdout.write(result.diff())
    for result in failed:
        where = "".join(f":{n}" for n in result.position or ())
        print(f"{display_path(result.path)}{where}: error: {result.error}", file=sys.stderr)
    if args.write:
        write(changed)
    by_source = {s: sum(r.source == s for r in results) for s in ("arXiv", "DOI", "GitHub")}
    print(
        f"{len(results)} entries re-read ({', '.join(f'{n} {s}' for s, n in by_source.items())}), "
        f"{others} from other sources skipped: {len(changed)} "
        f"{'changed' if args.write else 'would change'}"
        + (f", {len(failed)} failed" if failed else "")
        + ("" if args.write or not changed else "; run with --write to apply"),
        file=sys.stderr,
    )
    return Exit.FOUND if failed else Exit.OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from .fmt import run

    results = run(readings_paths(args.paths), check=args.check)
    failed = [r for r in results if r.error]
    changed = [r for r in results if r.changed]
    for result in failed:
        error = result.error
        assert error is not None
        print(f"{display_path(result.path)}:{error.line}:{error.col}: error: {error.message}", file=sys.stderr)
    for result in changed:
        print(("would reformat " if args.check else "reformatted ") + display_path(result.path))
    summary = (
        f"{len(changed)} file(s) {'would be ' if args.check else ''}reformatted, "
        f"{len(results) - len(changed) - len(failed)} unchanged" + (f", {len(failed)} with errors" if failed else "")
    )
    print(summary, file=sys.stderr)
    if failed or (args.check and changed):
        return Exit.FOUND
    return Exit.OK


def cmd_import(args: argparse.Namespace) -> int:
    if Path(args.file).suffix.lower() in (".bib", ".bibtex", ".json"):
        from .refcommand import cmd_import_references

        return cmd_import_references(args)
    from .importing import ImportFailed, plan_import, write

    source, root = Path(args.file), readings_root(args.out, new_ok=True)
    try:
        plan = plan_import(
            source,
            root,
            list_id=args.list,
            source_url=args.source_url,
            default_tier=args.tier or 1,
            force=args.force,
        )
    except ImportFailed as exc:
        raise ReadlistError(f"{exc}; nothing written", exit_code=exc.exit_code) from None
    for note in sorted(plan.notes, key=lambda n: n.line):
        severity = "warning" if note.category in ("not understood", "duplicate") else "note"
        print(f"{display_path(source)}:{note.line}: {severity}: {note.category}: {note.message}", file=sys.stderr)
    if not args.dry_run:
        write(plan)
    verb = "would import" if args.dry_run else "imported"
    not_understood = sum(n.category == "not understood" for n in plan.notes)
    print(
        f"{verb} {display_path(source)} into {display_path(root)}: {len(plan.new_entries)} new entries, "
        f"{len(plan.linked)} already in the catalog (linked), {len(plan.new_topics)} new topics, "
        f"list '{plan.list_id}' with {plan.sections} sections; "
        f"{not_understood} line(s) not understood",
        file=sys.stderr,
    )
    if plan.new_entries and not args.dry_run:
        print(
            f"  next: write the summaries of the {len(plan.new_entries)} new entries; "
            "`readlist validate` lists them until then",
            file=sys.stderr,
        )
    return 0


def _tier(value: str) -> int:
    if value not in ("1", "2", "3", "4"):
        raise argparse.ArgumentTypeError("tier must be 1, 2, 3 or 4")
    return int(value)


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser(
        "new",
        help="add a reading: fetch its metadata and write readings/entries/<id>.yaml",
        description="Fetch title, authors, year, kind and length for URL (arXiv API, YouTube "
        "oEmbed, GitHub API, or the page's citation_/OpenGraph/JSON-LD tags) and write a new "
        "entry with the summary left for you. Service base URLs: READLIST_ARXIV_API, "
        "READLIST_YOUTUBE_OEMBED, READLIST_YOUTUBE_WATCH, READLIST_GITHUB_API, READLIST_DOI_RESOLVER.",
    )
    new.add_argument("url")
    new.add_argument("--topic", help="topic id")
    new.add_argument("--tier", type=_tier, help="1 (read first) .. 4")
    new.add_argument("--root", metavar="ROOT", help=ROOT_HELP)
    new.add_argument("--id", help="entry id (default: from the title)")
    new.add_argument("--title", help="use this title instead of the fetched one")
    new.add_argument("--kind", help="paper, post, video, ... (default: guessed)")
    new.add_argument("--timeout", type=float, default=TIMEOUT, metavar="S", help=f"seconds (default: {TIMEOUT:g})")
    new.add_argument("--dry-run", action="store_true", help="print the entry, write nothing")
    new.add_argument("--arxiv-api", help=argparse.SUPPRESS)
    new.add_argument("--oembed-api", help=argparse.SUPPRESS)
    new.add_argument("--github-api", help=argparse.SUPPRESS)
    new.set_defaults(func=cmd_new)

    refresh = commands.add_parser(
        "refresh",
        help="re-read title, authors and year of arXiv, DOI and GitHub entries",
        description="Ask the services `readlist new` uses (arXiv API, the DOI's landing page, "
        "GitHub API) for each entry's title, authors and year and print a diff of what would "
        "change; --write applies it (atomically, comments kept). GitHub gives only the year, "
        "and the owner account when an entry names no author. Service base URLs: "
        "READLIST_ARXIV_API, READLIST_GITHUB_API, READLIST_DOI_RESOLVER.",
    )
    refresh.add_argument("paths", nargs="*", help=PATHS_HELP)
    refresh.add_argument("--write", action="store_true", help="apply the changes (default: only show them)")
    refresh.add_argument(
        "--fields",
        type=_fields,
        default=("title", "authors", "year"),
        metavar="LIST",
        help="comma-separated subset of title,authors,year (default: all three)",
    )
    refresh.add_argument(
        "--timeout", type=_seconds, default=TIMEOUT, metavar="S", help=f"seconds (default: {TIMEOUT:g})"
    )
    refresh.add_argument(
        "--pause",
        type=_seconds,
        default=3.0,
        metavar="S",
        help="seconds between arXiv API requests, as arXiv asks (default: 3)",
    )
    refresh.set_defaults(func=cmd_refresh)

    fmt = commands.add_parser("fmt", help="rewrite YAML files in canonical key order and layout, keeping comments")
    fmt.add_argument("paths", nargs="*", help=PATHS_HELP)
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    fmt.set_defaults(func=cmd_fmt)

    imp = commands.add_parser(
        "import",
        help="import a Markdown reading list, a BibTeX (.bib) or a CSL-JSON (.json) export",
        description="FILE.md: a Markdown reading list (headings, tiers, [title](url) items) -> topics, "
        "entries and a list. FILE.bib / FILE.json: a reference manager's BibTeX or CSL-JSON export "
        "(Zotero, Better BibTeX, Mendeley, JabRef) -> one entry per record.",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--topic", metavar="ID", help=".bib/.json: topic of records whose keywords name none")
    imp.add_argument("--list", metavar="ID", help="list id (default: from the list's title)")
    imp.add_argument("--out", metavar="ROOT", help=ROOT_HELP + "; a Markdown list may start a new one there")
    imp.add_argument("--source-url", help="where the list was published (for attribution)")
    imp.add_argument(
        "--tier",
        type=_tier,
        help="tier of items before any 'Tier N' line (default: 1); "
        ".bib/.json: tier of records without a 'tierN' keyword",
    )
    imp.add_argument("--force", action="store_true", help="overwrite an existing list file")
    imp.add_argument("--dry-run", action="store_true", help="report what would be imported, write nothing")
    imp.set_defaults(func=cmd_import)
