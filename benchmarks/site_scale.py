"""The site at 1,000 and 10,000 varied readings: page sizes and build time.

    python benchmarks/site_scale.py [--entries 1000 10000] [--runs 1] [--write]

For each size, `biglist.make_big_list` writes a list (8 areas of 5 topics,
about n/2 people, three curated lists, a few hundred tags); it is built once
through the readlist plugin and once plain, as benchmarks/build.py does (the
pages of `readlist generate --config mkdocs.yml` built by MkDocs without the
plugin, then `readlist search-index`: the same searchable site), alternating
`--runs` times. Reported:
* the largest HTML page (the bound is 500 KB) and how many pages exceed it;
* what every page loads besides its HTML: the scripts and style sheets its
  head and body name, read from the built home page and a reading's page.
  No script fetches a data file on every page: the Pagefind bundle is
  fetched when the reader opens the search (benchmarks/search.py measures
  that);
* that both builds made the same pages and indexed as many records;
* the build time, plugin vs plain (the target is at most 1.2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

BOUND = 500 * 1024


def html_sizes(site: Path) -> list[tuple[int, str]]:
    return sorted(((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")), reverse=True)


def loaded_besides_html(site: Path, page: str) -> tuple[int, list[str]]:
    """Bytes of the scripts and style sheets `page` loads."""
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
    unique = sorted(set(paths))
    return sum(p.stat().st_size for p in unique), [
        p.relative_to(site.resolve()).as_posix() if p.is_relative_to(site.resolve()) else str(p) for p in unique
    ]


def indexed_pages(site: Path) -> int:
    """How many records Pagefind indexed (from its bundle's entry file)."""
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    return sum(lang["page_count"] for lang in entry["languages"].values())


def measure(n: int, runs: int, work: Path) -> dict:
    readings = make_big_list(work / f"readings-{n}", n)
    plain = plain_project(work / f"plain-{n}", readings)
    plugin = plugin_project(work / f"plugin-{n}", readings, plain)
    load_before = os.getloadavg()
    plains, plugins, plain_cpu, plugin_cpu = alternate(plain, plugin, runs)
    load_after = os.getloadavg()
    site = plugin.site
    sizes = html_sizes(site)
    plain_pages = {p for _, p in html_sizes(plain.site)}
    if plain_pages != {p for _, p in sizes}:
        raise SystemExit(f"the two builds made different pages: {sorted(plain_pages ^ {p for _, p in sizes})[:10]}")
    records = indexed_pages(site)
    if records != indexed_pages(plain.site):
        raise SystemExit(f"the plugin indexed {records} records, search-index {indexed_pages(plain.site)}")
    reading = next(p for _, p in sizes if p.startswith("readings/"))
    home_bytes, home_files = loaded_besides_html(site, "index.html")
    reading_bytes, _ = loaded_besides_html(site, reading)
    return {
        "n": n,
        "pages": len(sizes),
        "records": records,
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
                f"{n} readings, {r['pages']} HTML pages, {r['records']} search records: largest {largest_kb:.0f} KB "
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
                    "by mkdocs-material through the plugin (which writes the Pagefind index) and plain: "
                    "the pages of `readlist generate --config mkdocs.yml` built by MkDocs without the "
                    "plugin, then `readlist search-index` (same pages, same number of search records; "
                    "no `search` plugin in either). "
                    f"{args.runs} alternating run(s), median wall time and CPU time of the whole build "
                    "(every process, Pagefind's binary included).\n\n"
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
