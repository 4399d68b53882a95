"""The site at 1,000 and 10,000 varied readings: page sizes and build time.

    python benchmarks/site_scale.py [--entries 1000 10000] [--runs 1] [--write]

For each size, `biglist.make_big_list` writes a list (8 areas of 5 topics,
about n/2 people, three curated lists, a few hundred tags); it is built once
through the readlist plugin and once from the same pages written as plain
Markdown (`readlist generate`, as benchmarks/build.py does), alternating
`--runs` times. Reported:
* the largest HTML page (the bound is 500 KB) and how many pages exceed it;
* what every page loads besides its HTML: the scripts and style sheets its
  head and body name, plus the data files readlist.js and the theme's search
  fetch on every page when they exist (entries.json, the lunr index), read
  from the built home page and a reading's page;
* the build time, plugin vs plain (the target is at most 1.2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from biglist import make_big_list
from build import alternate, plain_project, plugin_project
from results import write_section

# Data files a script fetches on every page (when the build has them).
FETCHED_ON_EVERY_PAGE = ("assets/readlist/entries.json", "search/search_index.json")
BOUND = 500 * 1024


def html_sizes(site: Path) -> list[tuple[int, str]]:
    return sorted(((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")), reverse=True)


def loaded_besides_html(site: Path, page: str) -> tuple[int, list[str]]:
    """Bytes of the scripts, style sheets and data files `page` loads."""
    html = (site / page).read_text(encoding="utf-8")
    base = (site / page).parent
    refs = re.findall(r'<script[^>]+src="([^"]+)"', html)
    refs += re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    paths = []
    for ref in refs:
        if "://" in ref:
            continue
        path = (base / ref.split("?")[0]).resolve()
        if path.is_file():
            paths.append(path)
    paths += [site / f for f in FETCHED_ON_EVERY_PAGE if (site / f).is_file()]
    unique = sorted(set(paths))
    return sum(p.stat().st_size for p in unique), [
        p.relative_to(site.resolve()).as_posix() if p.is_relative_to(site.resolve()) else str(p) for p in unique
    ]


def measure(n: int, runs: int, work: Path) -> dict:
    readings = make_big_list(work / f"readings-{n}", n)
    plugin = plugin_project(work / f"plugin-{n}", readings)
    plain = plain_project(work / f"plain-{n}", readings)
    load_before = os.getloadavg()
    plains, plugins, plain_cpu, plugin_cpu = alternate(plain, plugin, runs)
    load_after = os.getloadavg()
    site = plugin / "site"
    sizes = html_sizes(site)
    reading = next(p for _, p in sizes if p.startswith("readings/"))
    home_bytes, home_files = loaded_besides_html(site, "index.html")
    reading_bytes, _ = loaded_besides_html(site, reading)
    return {
        "n": n,
        "pages": len(sizes),
        "largest": sizes[0],
        "over": sum(1 for s, _ in sizes if s > BOUND),
        "top": sizes[:5],
        "home_bytes": home_bytes,
        "home_files": home_files,
        "reading_bytes": reading_bytes,
        "plain": statistics.median(plains),
        "plugin": statistics.median(plugins),
        "plain_cpu": statistics.median(plain_cpu),
        "plugin_cpu": statistics.median(plugin_cpu),
        "runs": f"plain {', '.join(f'{t:.1f}' for t in plains)} s; plugin {', '.join(f'{t:.1f}' for t in plugins)} s",
        "load": f"{load_before[0]:.1f} before, {load_after[0]:.1f} after",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=1, help="alternating runs of each build")
    parser.add_argument("--write", action="store_true", help="update RESULTS.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="readlist-scale-"))
    rows, details = [], []
    try:
        for n in args.entries:
            r = measure(n, args.runs, work)
            ratio, cpu_ratio = r["plugin"] / r["plain"], r["plugin_cpu"] / r["plain_cpu"]
            largest_kb = r["largest"][0] / 1024
            print(
                f"{n} readings, {r['pages']} HTML pages: largest {largest_kb:.0f} KB "
                f"({r['largest'][1]}), {r['over']} over 500 KB"
            )
            print("  largest five: " + ", ".join(f"{p} {s / 1024:.0f} KB" for s, p in r["top"]))
            print(
                f"  loaded besides HTML: home {r['home_bytes'] / 1024:.0f} KB, a reading's page "
                f"{r['reading_bytes'] / 1024:.0f} KB ({', '.join(r['home_files'])})"
            )
            print(
                f"  build: plain {r['plain']:.1f} s, plugin {r['plugin']:.1f} s, {ratio:.2f}x; "
                f"CPU {r['plain_cpu']:.1f} s vs {r['plugin_cpu']:.1f} s, {cpu_ratio:.2f}x "
                f"({r['runs']}; load {r['load']})"
            )
            rows.append(
                f"| {n:,} | {r['pages']:,} | {largest_kb:.0f} KB (`{r['largest'][1]}`) | {r['over']} | "
                f"{r['home_bytes'] / 1024:.0f} KB | {r['plain']:.1f} s | {r['plugin']:.1f} s | "
                f"{ratio:.2f}x | {r['plain_cpu']:.1f} s, {r['plugin_cpu']:.1f} s, {cpu_ratio:.2f}x |"
            )
            details.append(
                f"- {n:,}: {r['runs']}; load average {r['load']}; loaded besides HTML: "
                + ", ".join(f"`{f}`" for f in r["home_files"])
            )
        if args.write:
            machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            write_section(
                "site-scale",
                (
                    "## The site at scale (`benchmarks/site_scale.py`)\n\n"
                    f"`python benchmarks/site_scale.py --write` on {dt.date.today()}, {machine} "
                    "(shared with other work: see the load). Lists from `benchmarks/biglist.py` "
                    "(8 areas of 5 topics, about n/2 people, 3 lists of 300, a page per reading), built "
                    "by mkdocs-material through the plugin and from the same pages as plain Markdown; "
                    f"{args.runs} alternating run(s), median wall time and CPU time.\n\n"
                    "| readings | HTML pages | largest page | over 500 KB | loaded besides HTML (home) "
                    "| plain build | plugin build | ratio | CPU: plain, plugin, ratio |\n"
                    "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n" + "\n".join(details) + "\n"
                ),
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
