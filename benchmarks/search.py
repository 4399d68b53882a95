"""The site's search (Pagefind) at 1,000 and 10,000 generated readings, as a
reader on a modest line meets it.

    python benchmarks/search.py [--sizes 1000 10000] [--titles 8] [--write]

Each size: `make_list` writes the readings (varied titles from a vocabulary of
6,000 words used with Zipf frequencies, 3,000 authors with 1-6 each, 40 leaf
topics under 8 parents, three lists of 300). benchmarks/build.py's generator
draws every title and summary from the same 36 words, so every word is in
every reading: a fine load for a build, not a reading list's index. `mkdocs
build` runs the readlist plugin (which writes the Pagefind index), and the site
is served by throttled_server.py: 40 ms before every answer and one 20 Mbit/s
link shared by every fetch (the search worker's included). For titles spread
over the list, each in a fresh browser context (cold cache), real Chromium:
opens the home page, presses `/`, types the reading's exact title at 15 ms a
key (a title pasted or typed fast: the hard case, the index has not arrived
before the last key), and waits for that reading to be the first result.

Measured per title:
* ms from the last key to the reading shown first (target <= 300 ms), timed in
  the page (keydown to the result list's change);
* KB fetched after typing begins, until the network is quiet (<= 300 KB);
* KB in all: home page, opening the search, the search (<= 1 MB).
Also the bytes of the home page alone (what every page loads besides search).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from build import BASE, ENV
from results import write_section
from throttled_server import ThrottledServer, wait_quiet

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
MBIT, LATENCY, KEY_DELAY = 20.0, 0.040, 15  # ms a key: a title pasted or typed fast

# In the page: the time of each keydown, and of the moment the results of the
# whole title are shown with the wanted reading first.
WATCH = """([wanted, title]) => { window.__rlShown = new Promise(resolve => {
  const keys = [];
  document.addEventListener('keydown', () => keys.push(performance.now()), true);
  const check = () => {
    const d = document.querySelector('.rl-search'), a = document.querySelector('.rl-search__link');
    if (d && d.getAttribute('data-query') === title && a && new URL(a.href).pathname.endsWith(wanted)) {
      resolve({shown: performance.now(), keys}); return true; }
    return false;
  };
  const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
  obs.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => { obs.disconnect(); resolve({shown: null, keys}); }, 20000);
}); }"""


SYLLABLES = (
    "ka ri to ne mo la su vi de par lin tor gen mar sel ton bri cal dra fen gul hes jor "
    "kel lum nor pes quin rov sta tel ur vor wen xen yal zor"
).split()
KINDS = ["paper", "post", "video", "course", "book", "talk", "notes"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def make_list(root: Path, n: int, seed: int = 21) -> None:
    """A big reading list of `n` readings (see the module's docstring)."""
    rng = random.Random(seed)
    vocabulary = list(dict.fromkeys(_word(rng) for _ in range(7000)))[:6000]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def words(count: int) -> list[str]:
        return rng.choices(vocabulary, weights, k=count)

    def sentence(count: int) -> str:
        return " ".join(words(count)).capitalize() + "."

    people = list(dict.fromkeys(f"{_word(rng).capitalize()} {_word(rng).capitalize()}" for _ in range(3300)))[:3000]
    topics, leaves = [], []
    for t in range(8):
        children = []
        for c in range(5):
            leaves.append(f"topic-{t}-{c}")
            children.append({"id": leaves[-1], "title": " ".join(words(2)).title(), "description": sentence(12)})
        topics.append(
            {
                "id": f"area-{t}",
                "title": f"{' '.join(words(2)).title()} {t}",
                "description": sentence(15),
                "children": children,
            }
        )
    (root / "entries").mkdir(parents=True)
    (root / "lists").mkdir()
    (root / "topics.yaml").write_text(yaml.safe_dump(topics, sort_keys=False))
    ids, titles = [], set()
    for i in range(n):
        title = ""
        while not title or title in titles:
            title = " ".join(words(rng.randint(3, 8))).capitalize()
            if rng.random() < 0.3:
                title += ": " + " ".join(words(rng.randint(2, 5)))
        titles.add(title)
        kind = rng.choice(KINDS)
        data = {
            "title": title,
            "url": f"https://host{i % 50}.example/r/{i}",
            "topic": leaves[i % len(leaves)],
            "tier": rng.choice([1, 2, 2, 3, 3, 4]),
            "kind": kind,
            "length": (
                f"{rng.randint(10, 120)} min" if kind in ("video", "talk") else f"~{rng.randint(1, 40) * 500:,} words"
            ),
            "summary": " ".join(sentence(rng.randint(12, 20)) for _ in range(3)),
            "authors": rng.sample(people, rng.randint(1, 6)),
            "year": rng.randint(1950, 2025),
        }
        ids.append(f"reading-{i:05d}")
        (root / "entries" / f"{ids[-1]}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    for k in range(3):
        members = rng.sample(ids, min(300, n))
        sections = [{"title": f"Part {s + 1}", "entries": members[s * 60 : (s + 1) * 60]} for s in range(5)]
        body = {
            "title": f"List {k}",
            "source": {"title": "Somewhere", "url": f"https://lists.example/{k}"},
            "description": sentence(20),
            "sections": sections,
        }
        (root / "lists" / f"list-{k}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))


def build_site(root: Path, n: int) -> Path:
    readings = root / "readings"
    make_list(readings, n)
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(BASE + f"plugins:\n  - readlist:\n      readings: {readings}\n")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(root / "site")],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    print(f"{n} readings: built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return root / "site"


def titles(readings: Path, count: int) -> list[tuple[str, str]]:
    files = sorted((readings / "entries").glob("*.yaml"))
    step = len(files) / count
    picked = [files[int(i * step + step / 2)] for i in range(count)]
    return [(f.stem, yaml.safe_load(f.read_text())["title"]) for f in picked]


def measure(browser, server: ThrottledServer, entry_id: str, title: str, key_delay: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    start = server.sent
    page.goto(server.url, wait_until="load")
    wait_quiet(server)
    home = server.sent - start
    page.evaluate(WATCH, [f"/readings/{entry_id}/", title])
    page.keyboard.press("/")
    page.wait_for_selector(".rl-search[open]")
    typing, asked = server.sent, len(server.sizes)
    page.keyboard.type(title, delay=key_delay)
    result = page.evaluate("() => window.__rlShown")  # resolves when the reading is first
    wait_quiet(server)
    context.close()
    if os.environ.get("SEARCH_BENCH_DEBUG"):
        for target, size in server.sizes[asked:]:
            print(f"   {size / 1000:7.1f} KB  {target}", file=sys.stderr)
    last_key = result["keys"][-1]
    shown = result["shown"] - last_key if result["shown"] is not None else float("inf")  # never first
    # What the query itself fetched: index chunks and result fragments (the
    # rest after typing began is Pagefind's own start).
    per_query = ("/pagefind/index/", "/pagefind/fragment/")
    query = sum(size for target, size in server.sizes[asked:] if target.startswith(per_query))
    return {
        "home_kb": home / 1000,
        "query_kb": query / 1000,
        "after_typing_kb": (server.sent - typing) / 1000,
        "total_kb": (server.sent - start) / 1000,
        "ms": shown,
    }


Row = dict[str, float]


def run(sizes: list[int], count: int, workdir: Path | None, key_delay: int) -> list[tuple[int, list[Row], Row]]:
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory(prefix="readlist-search-bench-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        for n in sizes:
            root = (workdir or Path(tmp)) / str(n)
            site = root / "site" if (root / "site" / "pagefind").is_dir() else build_site(root, n)
            index_kb = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file()) / 1000
            rows = []
            with ThrottledServer(site, mbit=MBIT, latency=LATENCY) as server:
                for entry_id, title in titles(root / "readings", count):
                    row = measure(browser, server, entry_id, title, key_delay)
                    print(f"  {n} {entry_id}: {row}", file=sys.stderr)
                    rows.append(row)
            out.append((n, rows, {"index_kb": index_kb}))
        browser.close()
    return out


def report(results, count: int, key_delay: int) -> str:
    load = os.getloadavg()
    lines = [
        f"`python benchmarks/search.py` on {dt.date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores (shared), load {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(1 / 5 / 15 min) at the end; Chromium headless; {MBIT:g} Mbit/s and {LATENCY * 1000:g} ms "
        f"per answer played by the server for every fetch; {count} titles spread over the list, each in a "
        f"fresh context (cold cache), typed at {key_delay} ms a key right after `/` opens the search.",
        "",
        "| readings | Pagefind bundle on disk | home page (KB) | last key -> reading first (ms): median / max "
        "| fetched after typing begins (KB): median / max | of which the query's chunks and fragments (KB) "
        "| home + search in all (KB): median / max |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, rows, extra in results:

        def col(key: str, rows=rows) -> str:
            values = [r[key] for r in rows]
            return f"{statistics.median(values):.0f} / {max(values):.0f}"

        home = statistics.median(r["home_kb"] for r in rows)
        lines.append(
            f"| {n:,} | {extra['index_kb'] / 1000:.1f} MB | {home:.0f} "
            f"| {col('ms')} | {col('after_typing_kb')} | {col('query_kb')} | {col('total_kb')} |"
        )
    lines += [
        "",
        "Targets: <= 300 ms, <= 300 KB after typing begins, <= 1 MB in all. The KB after typing "
        "include Pagefind's start (its script, worker, WebAssembly and the index's page list), fetched "
        "while the first keys are typed (the query's own part is its index chunks and result fragments); "
        'the filters\' values are fetched only when the reader opens "Filters and order".',
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--titles", type=int, default=8)
    parser.add_argument("--key-delay", type=int, default=KEY_DELAY, help="ms between keys (default: %(default)s)")
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    parser.add_argument("--workdir", type=Path, help="keep the built sites here, and measure them again next time")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent / "src"))
    results = run(args.sizes, args.titles, args.workdir, args.key_delay)
    text = report(results, args.titles, args.key_delay)
    print(text)
    if args.write:
        write_section("search", "## Search (Pagefind) over a throttled line\n\n" + text)


if __name__ == "__main__":
    main()
