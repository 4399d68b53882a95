"""check-links vs lychee: 2,000 URLs over 20 loopback hosts behind a server
with a fixed latency, same global and per-host concurrency, no retries.

    python benchmarks/links.py [--urls 2000] [--hosts 20] [--latency 0.2]
                               [--concurrency 128] [--per-host 10] [--runs 3]

Both tools read the same generated readings/ (lychee reads the YAML files as
plain text). Wall times include process start. The readlist package is
byte-compiled first, as ``pip install`` does (with PYTHONDONTWRITEBYTECODE
set, as here, every run would otherwise compile it anew; ``--no-compile``
measures that case). The results go to the "Link checker" section of
benchmarks/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = "<!-- links:start -->", "<!-- links:end -->"


def make_project(root: Path, urls: list[str]) -> None:
    entries = root / "readings" / "entries"
    entries.mkdir(parents=True)
    (root / "readings" / "lists").mkdir()
    (root / "readings" / "topics.yaml").write_text("- id: bench\n  title: Bench\n")
    for i, url in enumerate(urls):
        (entries / f"entry-{i}.yaml").write_text(
            f"title: Entry {i}\nurl: {url}\ntopic: bench\ntier: 1\n"
            "summary: A generated entry for the link checker benchmark, long enough to pass.\n")
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n')


def timed(cmd, cwd) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=128)
    ap.add_argument("--per-host", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--port", type=int, default=18800)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--no-compile", action="store_true", help="do not byte-compile readlist first")
    a = ap.parse_args()

    if not a.no_compile:
        import compileall

        import readlist

        compileall.compile_dir(str(Path(readlist.__file__).parent), quiet=1)

    lychee = shutil.which("lychee")
    load_before = os.getloadavg()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "latency_server.py"), "--hosts", str(a.hosts),
         "--port", str(a.port), "--latency", str(a.latency)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().startswith("ready"), "latency server did not start"
        urls = [f"http://127.0.0.{i % a.hosts + 1}:{a.port}/page/{i}" for i in range(a.urls)]
        root = Path(tempfile.mkdtemp(prefix="readlist-bench-"))
        make_project(root, urls)
        ours = [sys.executable, "-m", "readlist.cli", "check-links", "readings", "--no-cache",
                "--concurrency", str(a.concurrency), "--per-host", str(a.per_host),
                "--retries", "0", "--allow-private", "--format", "json", "--output", "out.json"]
        theirs = [lychee or "lychee", "--no-progress", "--max-concurrency", str(a.concurrency),
                  "--host-concurrency", str(a.per_host), "--host-request-interval", "0ms",
                  "--max-retries", "0", "--extensions", "yaml", "--format", "json", "readings/entries/"]
        times = {"readlist": [], "lychee": []}
        for _ in range(a.runs):  # alternate, so drift hits both alike
            wall, done = timed(ours, root)
            assert done.returncode == 0, done.stderr[-2000:]
            assert '"ok": %d' % a.urls in (root / "out.json").read_text()
            times["readlist"].append(wall)
            if lychee:
                wall, done = timed(theirs, root)
                assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
                assert '"successful": %d' % a.urls in done.stdout, done.stdout[:500]
                times["lychee"].append(wall)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)

    limit = a.urls * a.latency / a.concurrency
    ours_t = statistics.median(times["readlist"])
    lychee_t = statistics.median(times["lychee"]) if times["lychee"] else None
    lines = [
        "## Link checker (`check-links`)", "",
        f"{a.urls} URLs over {a.hosts} loopback hosts, {a.latency * 1000:.0f} ms latency per request, "
        f"global concurrency {a.concurrency}, per host {a.per_host}, no retries; wall time including "
        f"process start, median of {a.runs} alternating runs ({platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{' / '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} after). Both tools read the same generated "
        "`readings/` (lychee reads the YAML as text); readlist "
        + ("not byte-compiled" if a.no_compile else "byte-compiled first, as `pip install` does")
        + ". Run: `python benchmarks/links.py`.", "",
        "| | wall (s) | runs (s) |", "| --- | ---: | --- |",
        f"| readlist check-links | {ours_t:.2f} | {', '.join(f'{t:.2f}' for t in times['readlist'])} |",
    ]
    if lychee_t:
        version = subprocess.run([lychee, "--version"], capture_output=True, text=True).stdout.strip()
        lines.append(f"| {version} | {lychee_t:.2f} | {', '.join(f'{t:.2f}' for t in times['lychee'])} |")
    lines += [
        "", f"- theoretical limit (URLs x latency / concurrency): {limit:.3f} s; "
        f"with whole rounds of {a.concurrency}: {-(-a.urls // a.concurrency) * a.latency:.3f} s",
        f"- readlist / limit: {ours_t / limit:.2f}x (target at most 1.3x)",
    ]
    if lychee_t:
        lines.append(f"- readlist / lychee: {ours_t / lychee_t:.3f} (target below 1)")
    section = "\n".join(lines)
    print(section)
    if not a.no_write:
        path = HERE / "RESULTS.md"
        text = path.read_text() if path.exists() else "# Benchmark results\n"
        block = f"{START}\n{section}\n{END}"
        if START in text and END in text:
            text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
