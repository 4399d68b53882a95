"""The same site built two ways: `mkdocs build` through the readlist plugin vs
`readlist generate --config zensical.toml` followed by `zensical build`.

    python benchmarks/zensical.py [--entries N] [--runs 5] [--write]

Without --entries the real readings/ and the project's mkdocs.yml are used
(docs/ copied next to the generated pages, as the README says); with it, N
generated entries (benchmarks/build.py's generator). Runs alternate between
the two tools (MkDocs first, then Zensical, repeated), each a separate process
timed from start to exit; Zensical runs with --clean, so neither reuses a cache.
Reported: median and every run, the page count of each site and the pages
only one of them has. Load averages are recorded before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- zensical:start -->", "<!-- zensical:end -->"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return elapsed


def projects(work: Path, entries: int) -> tuple[Path, Path, Path]:
    """(MkDocs project, readings, Zensical project folder)."""
    if not entries:
        return REPO, REPO / "readings", work / "zensical"
    sys.path.insert(0, str(HERE))
    from build import make_readings, plugin_project

    readings = work / "readings"
    make_readings(readings, entries)
    return plugin_project(work / "plugin", readings), readings, work / "zensical"


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
        generate = [sys.executable, "-m", "readlist.cli", "generate", str(readings), "--out", str(docs),
                    "--config", str(zproject / "zensical.toml"), "--force", "--new", "60"]
        mk_site = work / "mkdocs-site"
        mkdocs_cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(mk_site)]
        zensical_cmd = [sys.executable, "-m", "zensical", "build", "--clean", "-f", "zensical.toml"]
        run(generate, REPO)  # warm the file cache and byte-compile, untimed
        run(mkdocs_cmd, plugin)
        run(zensical_cmd, zproject)
        before = load()
        t_mk, t_gen, t_zs, t_warm = [], [], [], []
        for _ in range(args.runs):
            t_mk.append(run(mkdocs_cmd, plugin))
            t_gen.append(run(generate, REPO))
            t_zs.append(run(zensical_cmd, zproject))
            t_warm.append(run(zensical_cmd[:4] + zensical_cmd[5:], zproject))  # its cache kept
        after = load()
        mk_pages, zs_pages = pages(mk_site), pages(zproject / "site")
        med = statistics.median
        both = [g + z for g, z in zip(t_gen, t_zs, strict=True)]
        what = f"{args.entries:,} generated entries" if args.entries else "the real readings/"
        lines = [
            f"{what}, {args.runs} alternating runs, median (every run):",
            f"- mkdocs build (plugin):         {med(t_mk):.2f} s ({', '.join(f'{t:.2f}' for t in t_mk)})",
            f"- readlist generate --config:    {med(t_gen):.2f} s ({', '.join(f'{t:.2f}' for t in t_gen)})",
            f"- zensical build --clean:        {med(t_zs):.2f} s ({', '.join(f'{t:.2f}' for t in t_zs)})",
            f"- generate + zensical:           {med(both):.2f} s",
            f"- zensical build, cache warm:    {med(t_warm):.2f} s ({', '.join(f'{t:.2f}' for t in t_warm)})",
            f"- pages: MkDocs {len(mk_pages)}, Zensical {len(zs_pages)}; only MkDocs: "
            f"{sorted(mk_pages - zs_pages) or 'none'}; only Zensical: {sorted(zs_pages - mk_pages) or 'none'}",
            f"- load average before {before}, after {after}",
        ]
        print("\n".join(lines))
        if args.write:
            from importlib.metadata import version

            machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            write_results(
                f"### {what}\n\n"
                f"{dt.date.today()}, {machine}, mkdocs {version('mkdocs')}, zensical "
                f"{version('zensical')}; load average {before} before, {after} after; "
                f"{args.runs} alternating runs, wall time of each process, median (runs).\n\n"
                "| | median | runs |\n|---|---:|---|\n"
                f"| `mkdocs build` (plugin) | {med(t_mk):.2f} s | {', '.join(f'{t:.2f}' for t in t_mk)} |\n"
                f"| `readlist generate --config` | {med(t_gen):.2f} s | {', '.join(f'{t:.2f}' for t in t_gen)} |\n"
                f"| `zensical build --clean` | {med(t_zs):.2f} s | {', '.join(f'{t:.2f}' for t in t_zs)} |\n"
                f"| generate + zensical | {med(both):.2f} s | |\n"
                f"| `zensical build`, its cache warm (nothing changed) | {med(t_warm):.2f} s | "
                f"{', '.join(f'{t:.2f}' for t in t_warm)} |\n\n"
                f"Pages: MkDocs {len(mk_pages)}, Zensical {len(zs_pages)}; only MkDocs: "
                f"{', '.join(sorted(mk_pages - zs_pages)) or 'none'}; only Zensical: "
                f"{', '.join(sorted(zs_pages - mk_pages)) or 'none'}.\n",
                key=what,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def write_results(section: str, key: str) -> None:
    """Keep one block per workload between the markers, replacing its older run."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    head = ("## MkDocs plugin vs Zensical (`benchmarks/zensical.py`)\n\n"
            "The same site from the same readings: `mkdocs build` through the plugin, and the "
            "pages of `readlist generate --config zensical.toml` built by `zensical build`.\n")
    blocks: dict[str, str] = {}
    if START in text and END in text:
        inner = text[text.index(START) + len(START): text.index(END)]
        for part in inner.split("\n### ")[1:]:
            title = part.split("\n", 1)[0]
            blocks[title] = "### " + part.strip() + "\n"
    blocks[key] = section
    block = f"{START}\n{head}\n" + "\n".join(blocks.values()) + f"{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
