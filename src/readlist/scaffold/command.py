"""The `readlist init` subcommand: argument parsing and printing only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError


def cmd_init(args: argparse.Namespace) -> int:
    from . import InitError, init

    dest = Path(args.dir)
    try:
        written = init(dest, args.title)
    except InitError as exc:
        raise InitError(f"{exc}; nothing written") from None
    except OSError as exc:  # the destination cannot be written: the DIR given is at fault
        raise UsageError(str(exc)) from None
    for path in written:
        print(f"wrote {path}")
    print(
        f"\nnext: cd {args.dir} && pip install -r requirements.txt && readlist validate --strict "
        "&& mkdocs serve\n      then push to GitHub and set Settings -> Pages -> Source: GitHub Actions",
        file=sys.stderr,
    )
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from . import DEFAULT_TITLE

    p = commands.add_parser(
        "init",
        help="start a new reading-list repository (site, readings, workflows, hooks)",
        description="Write a complete reading-list repository into DIR: mkdocs.yml, readings/ "
        "with a topic, an entry and a list, docs/, GitHub workflows (checks, weekly links, "
        "Pages) pinned to this readlist, pre-commit hooks, CONTRIBUTING.md and an issue form. "
        "Nothing is overwritten: if any file exists, nothing is written.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--title", default=DEFAULT_TITLE, help=f"the site's title (default: {DEFAULT_TITLE!r})")
    p.set_defaults(func=cmd_init)
