"""What "new" means: added to the list recently, *after* the list began.

A list imported in one go carries one `added` date on every reading; counting
those as new would badge every card for a month and fill the feed with the
whole list. So a reading is new only when it was added after the list's first
import (the earliest `added` date in the catalog, or a `since` date the
maintainer gives) and, for the site's badge, within the configured window.
The site and the Atom feed both ask this module, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import Catalog, Entry


def first_import(catalog: Catalog, since: dt.date | None = None) -> dt.date | None:
    """The day the list began: `since` when given, else the earliest `added`
    date of any reading (None when no reading has one)."""
    if since is not None:
        return since
    return earliest(e.added for e in catalog.entries.values())


def earliest(days: Iterable[dt.date | None]) -> dt.date | None:
    dated = [d for d in days if d is not None]
    return min(dated) if dated else None


def added_after_import(entry: Entry, start: dt.date | None) -> bool:
    """Whether `entry` was added after the list's first import (`start`)."""
    return entry.added is not None and (start is None or entry.added > start)


def is_new(entry: Entry, *, start: dt.date | None, cutoff: dt.date | None) -> bool:
    """New to the list: added on or after `cutoff` (no cutoff: nothing is new)
    and after the first import `start`."""
    if cutoff is None or entry.added is None:
        return False
    return entry.added >= cutoff and added_after_import(entry, start)
