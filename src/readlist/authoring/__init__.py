"""Authoring: add entries (`new`), keep files tidy (`fmt`), import Markdown lists (`import`)."""
