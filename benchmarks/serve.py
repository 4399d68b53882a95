"""`mkdocs serve` rebuilds of a generated list through the plugin: how long
until one reading's edit shows on its page and in the search, and what a save
that changes nothing costs. Source trees alternate, for an A/B of the plugin.

    python benchmarks/serve.py [--entries 1000] [--runs 2] [new=src old=/tmp/old/src]

Each run starts `mkdocs serve` (benchmarks/build.py's `serve_rebuild`), waits
for the first build and its search index, then rewrites one reading's file:
once with its title edited, once (a new server) with the same text; then
the file is put back. Reported: the build time MkDocs logs (index
included), the time from the write until that log line, the CPU time the
server used meanwhile (steadier on a busy machine), and whether the plugin
kept the served index or wrote it again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from biglist import make_big_list
from build import ENV, Rebuild, plain_project, plugin_project, serve_rebuild


def show(r: Rebuild) -> str:
    # Pagefind names its files differently from run to run, so an index written
    # again from the same pages is a "new" one too: `kept` tells the two apart.
    index = "kept" if r.kept else ("written" if r.new_index else "written, the same files")
    return f"MkDocs build {r.built:.1f} s ({r.seen:.1f} s after the write), CPU {r.cpu:.1f} s, index {index}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("trees", nargs="*", help="NAME=SRC: readlist source trees to compare (default: src)")
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.trees) or {"src": str(Path(__file__).parent.parent / "src")}
    work = Path(tempfile.mkdtemp(prefix="readlist-serve-"))
    try:
        readings = make_big_list(work / "readings", args.entries)
        plugin = plugin_project(work / "plugin", readings, plain_project(work / "plain", readings))
        results: dict[str, dict[bool, list[Rebuild]]] = {name: {True: [], False: []} for name in trees}
        for _ in range(args.runs):
            for name, src in trees.items():
                env = {**ENV, "PYTHONPATH": str(Path(src).resolve())}
                for edit in (True, False):
                    r = serve_rebuild(plugin, readings, edit=edit, env=env)
                    results[name][edit].append(r)
                    what = "title edited" if edit else "saved unchanged"
                    print(f"{name}, {what}: {show(r)}; load {os.getloadavg()[0]:.1f}", flush=True)
        for name, by_edit in results.items():
            for edit, rs in by_edit.items():
                what = "title edited" if edit else "saved unchanged"
                print(
                    f"{name}, {what}: median MkDocs build {statistics.median(r.built for r in rs):.1f} s, "
                    f"CPU {statistics.median(r.cpu for r in rs):.1f} s"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
