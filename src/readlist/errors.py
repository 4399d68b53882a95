"""One exit-code rule and one exception base for every command.

A user who learns one command can predict the others: 0 when nothing was
found, 1 when problems were found in the data or the links, 2 for bad usage
or a bad setting, 3 for an internal error (a bug in readlist; the traceback
is printed so it can be reported). User mistakes are `ReadlistError`s, each
carrying the exit code it maps to; the CLI catches that base only, so any
other exception is a bug and ends with a traceback and `INTERNAL`.
"""

from __future__ import annotations

from enum import IntEnum


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
