"""The same searchable site built two ways: `mkdocs build` through the
readlist plugin (which writes the Pagefind index) vs `readlist generate
--config zensical.toml`, `zensical build`, then `readlist search-index`.

    python benchmarks/zensical.py [--entries N] [--runs 5] [--write]

Without --entries the real readings/ and the project's mkdocs.yml are used
(docs/ copied next to the generated pages, as docs/reference/builders.md
says); with it, N generated readings (benchmarks/biglist.py, as
site_scale.py). Runs alternate between the steps (MkDocs, generate, Zensical
with --clean, the search index of Zensical's site, Zensical again with its
cache warm; repeated), each a separate process timed from start to exit,
with the CPU time it and its children used (less sensitive to a busy machine
than wall time). Reported: medians and every run, the page count of each
site and the pages only one of them has. Load averages are recorded before
and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import RESULTS, read_section, write_section

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def projects(work: Path, entries: int) -> tuple[Path, Path, Path]:
    """(MkDocs project, readings, Zensical project folder)."""
    if not entries:
        return REPO, REPO / "readings", work / "zensical"
    sys.path.insert(0, str(HERE))
    from biglist import make_big_list
    from build import plain_project, plugin_project

    readings = make_big_list(work / "readings", entries)
    plain = plain_project(work / "plain", readings)  # the config the plugin's project copies
    return plugin_project(work / "plugin", readings, plain).root, readings, work / "zensical"


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=0, help="generated entries (default: the real list)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"update {RESULTS.name}")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="readlist-zensical-"))
    try:
        plugin, readings, zproject = projects(work, args.entries)
        docs = zproject / "docs"
        if not args.entries and (REPO / "docs").is_dir():
            shutil.copytree(REPO / "docs", docs)
        generate = [
            sys.executable,
            "-m",
            "readlist.cli",
            "generate",
            str(readings),
            "--out",
            str(docs),
            "--config",
            str(zproject / "zensical.toml"),
            "--force",
            "--new",
            "60",
        ]
        mk_site = work / "mkdocs-site"
        mkdocs_cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(mk_site)]
        zensical_cmd = [sys.executable, "-m", "zensical", "build", "--clean", "-f", "zensical.toml"]
        index_cmd = [sys.executable, "-m", "readlist.cli", "search-index", str(zproject / "site"), str(readings)]
        run(generate, REPO)  # warm the file cache and byte-compile, untimed (MkDocs: installed, compiled)
        run(zensical_cmd, zproject)
        before = load()
        steps = {
            "`mkdocs build` (plugin, index included)": (mkdocs_cmd, plugin),
            "`readlist generate --config`": (generate, REPO),
            "`zensical build --clean`": (zensical_cmd, zproject),
            "`readlist search-index` (Zensical's site)": (index_cmd, REPO),
            "`zensical build`, its cache warm": ([c for c in zensical_cmd if c != "--clean"], zproject),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
        for _ in range(args.runs):  # alternating: one of each per round
            for name, (cmd, cwd) in steps.items():
                times[name].append(run(cmd, cwd))
        after = load()
        names = list(steps)
        times["generate + zensical (clean) + search-index"] = [
            (g[0] + z[0] + i[0], g[1] + z[1] + i[1])
            for g, z, i in zip(times[names[1]], times[names[2]], times[names[3]], strict=True)
        ]
        mk_pages, zs_pages = pages(mk_site), pages(zproject / "site")
        med = statistics.median
        what = f"{args.entries:,} generated readings (biglist)" if args.entries else "the real readings/"
        rows = [
            f"| {name} | {med(w for w, _ in t):.2f} s | {med(c for _, c in t):.2f} s | "
            f"{', '.join(f'{w:.2f}' for w, _ in t)} |"
            for name, t in times.items()
        ]
        table = "| | wall, median | CPU, median | wall, every run |\n|---|---:|---:|---|\n" + "\n".join(rows)
        only = (
            f"Pages: MkDocs {len(mk_pages)}, Zensical {len(zs_pages)}; only MkDocs: "
            f"{', '.join(sorted(mk_pages - zs_pages)) or 'none'}; only Zensical: "
            f"{', '.join(sorted(zs_pages - mk_pages)) or 'none'}."
        )
        print(f"{what}, {args.runs} alternating runs; load average {before} before, {after} after\n{table}\n{only}")
        if args.write:
            from importlib.metadata import version

            machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            write_results(
                f"### {what}\n\n"
                f"{dt.date.today()}, {machine}, mkdocs {version('mkdocs')}, zensical "
                f"{version('zensical')}; load average {before} before, {after} after; "
                f"{args.runs} alternating runs, wall time of each process and the CPU time it and "
                "its children used.\n\n"
                f"{table}\n\n{only}\n",
                key=what,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def write_results(section: str, key: str) -> None:
    """Keep one block per workload between the markers, replacing its older run."""
    head = (
        "## MkDocs plugin vs Zensical (`benchmarks/zensical.py`)\n\n"
        "The same searchable site from the same readings: `mkdocs build` through the plugin "
        "(which writes the Pagefind index), and the pages of `readlist generate --config "
        "zensical.toml` built by `zensical build`, then indexed by `readlist search-index`.\n"
    )
    blocks: dict[str, str] = {}
    for part in read_section("zensical").split("\n### ")[1:]:
        title = part.split("\n", 1)[0]
        blocks[title] = "### " + part.strip() + "\n"
    blocks[key] = section
    write_section("zensical", f"{head}\n" + "\n".join(blocks.values()))


if __name__ == "__main__":
    sys.exit(main())
