"""One exit-code rule and one exception base for every command.

A user who learns one command can predict the others: 0 when nothing was
found, 1 when problems were found in the data or the links, 2 for bad usage
or a bad setting, 3 for an internal error (a bug in readlist; the traceback
is printed so it can be reported). User mistakes are `ReadlistError`s, each
carrying the exit code it maps to; the CLI catches that base only, so any
other exception is a bug and ends with a traceback and `INTERNAL`.
"""

from __future__ import annotations

import sys
import traceback
from enum import IntEnum
from importlib import metadata


class Exit(IntEnum):
    """Exit statuses of every `readlist` command."""

    OK = 0
    FOUND = 1  # problems found in the data or the links
    USAGE = 2  # bad usage, bad settings, a root with no readings
    INTERNAL = 3  # a bug in readlist


class ReadlistError(Exception):
    """A user-facing error: its message is printed as `readlist: error: ...`
    and the command exits with `exit_code`. Raise a subclass, or this with
    `exit_code=`."""

    exit_code: Exit = Exit.FOUND

    def __init__(self, message: str, *, exit_code: Exit | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(ReadlistError):
    """Bad usage: a bad argument, setting or root. Exit 2."""

    exit_code = Exit.USAGE


EXIT_STATUS = (
    "exit status: 0 nothing found; 1 problems found in the data or the links; "
    "2 bad usage, a bad setting or a folder with no readings; 3 an internal error "
    "(a bug in readlist: the traceback is printed, please report it)"
)
"""The rule above, as every `--help` ends with it."""


def report(error: BaseException) -> Exit:
    """Print what went wrong on standard error and return the exit status.

    A `ReadlistError` is the user's to fix: one line, its own status. Any
    other exception is a bug: its traceback, a request to report it, 3."""
    if isinstance(error, ReadlistError):
        print(f"readlist: error: {error}", file=sys.stderr)
        return error.exit_code
    from . import __version__

    traceback.print_exception(error)
    print(
        f"readlist: internal error: this is a bug in readlist {__version__}; please report it, "
        f"with the traceback above, at {_issues_url()}",
        file=sys.stderr,
    )
    return Exit.INTERNAL


def _issues_url() -> str:
    """Where to report a bug: the Issues URL of the installed metadata."""
    try:
        urls: list[str] = metadata.metadata("readlist").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for item in urls:
        label, _, url = item.partition(",")
        if label.strip().lower() == "issues":
            return url.strip()
    return "readlist's issue tracker"
