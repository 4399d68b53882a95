"""`readlist import refs.bib|refs.json`: printing for the reference-manager import
(the work is in bibtex.py, csljson.py and references.py)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import Exit, ReadlistError
from ..roots import readings_root


def _rel(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def cmd_import_references(args: argparse.Namespace) -> int:
    from . import bibtex, csljson, references

    source, root = Path(args.file), readings_root(args.out)
    reader = csljson if source.suffix.lower() == ".json" else bibtex
    try:
        records, problems = reader.read(source)
    except references.ReadError as exc:
        raise ReadlistError(f"{exc}; nothing written", exit_code=exc.exit_code) from None
    plan = references.plan(records, problems, root, topic=args.topic, tier=args.tier)
    for problem in sorted(plan.problems, key=lambda p: p.line):
        where = f"{_rel(source)}:{problem.line}" if problem.line else _rel(source)
        print(f"{where}: {problem.severity}: {problem.message}", file=sys.stderr)
    skipped = sum(p.severity == "warning" for p in plan.problems)
    if not plan.files:
        raise ReadlistError(
            f"nothing to import from {_rel(source)} ({plan.records} record(s): "
            f"{len(plan.known)} already in the catalog, {skipped} not importable); "
            "nothing written"
        )
    if not args.dry_run:
        references.write(plan)
    verb = "would import" if args.dry_run else "imported"
    for record, entry_id in plan.imported:
        print(f"{verb} {_rel(root / 'entries' / (entry_id + '.yaml'))} ({_rel(source)}:{record.line})")
    print(
        f"{verb} {len(plan.imported)} of {plan.records} record(s) from {_rel(source)} into {_rel(root)}; "
        f"{len(plan.known)} already in the catalog, {skipped} not importable",
        file=sys.stderr,
    )
    if not args.dry_run:
        print(
            "  next: write the summaries (and any TODO topic/tier); `readlist validate` lists them until then",
            file=sys.stderr,
        )
    return Exit.OK
