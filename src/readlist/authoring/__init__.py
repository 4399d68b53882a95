"""Authoring: add entries (`new`), keep files tidy (`fmt`), import Markdown lists (`import`)."""

TIMEOUT = 15.0  # seconds a metadata look-up may take (`new` and `refresh`, --timeout)
