"""check-links vs lychee: 2,000 URLs over 20 loopback hosts behind a server
with a fixed latency, same global and per-host concurrency, no retries.

    python benchmarks/links.py [--urls 2000] [--hosts 20] [--latency 0.2]
                               [--concurrency 128] [--per-host 10] [--runs 3]
    python benchmarks/links.py --memory [--sizes 2000,10000,20000] [--latency 0.02]

``--memory`` measures the peak RSS of ``readlist check-links`` (the command
process and its forked checker, each, from /proc while it runs, and the
largest of both from ``wait4``) for growing numbers of URLs, and writes it
under the wall times in the same section.

Both tools read the same generated readings/ (lychee reads the YAML files as
plain text). Wall times include process start. The readlist package is
byte-compiled first, as ``pip install`` does (with PYTHONDONTWRITEBYTECODE
set, as here, every run would otherwise compile it anew; ``--no-compile``
measures that case). The results go to the "Link checker" section of
benchmarks/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import datetime
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


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def measure_memory(cmd, cwd) -> dict:
    """Peak RSS (MiB) of the command process and of its forked checker,
    polled from /proc (VmHWM, read every 10 ms until each exits), and the
    largest of the two as the kernel reports it at the end (wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    while True:
        for pid in (proc.pid, *_children(proc.pid)):
            peaks[pid] = max(peaks.get(pid, 0), _peak_kib(pid))
        done, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.01)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    assert proc.returncode == 0, err[-2000:]
    checker = max((v for k, v in peaks.items() if k != proc.pid), default=0)
    return {"wall": wall, "command": peaks.get(proc.pid, 0) / 1024, "checker": checker / 1024,
            "max": usage.ru_maxrss / 1024}


def memory(a) -> list[str]:
    sizes = [int(x) for x in a.sizes.split(",")]
    server = subprocess.Popen(
        [sys.executable, str(HERE / "latency_server.py"), "--hosts", str(a.hosts),
         "--port", str(a.port), "--latency", str(a.latency)],
        stdout=subprocess.PIPE, text=True)
    rows = []
    load_before = os.getloadavg()
    try:
        assert server.stdout.readline().startswith("ready"), "latency server did not start"
        for n in sizes:
            root = Path(tempfile.mkdtemp(prefix="readlist-mem-"))
            try:
                make_project(root, [f"http://127.0.0.{i % a.hosts + 1}:{a.port}/page/{i}" for i in range(n)])
                cmd = [sys.executable, "-m", "readlist.cli", "check-links", "readings", "--no-cache",
                       "--concurrency", str(a.concurrency), "--per-host", str(a.per_host),
                       "--retries", "0", "--allow-private", "--format", "json", "--output", "out.json"]
                got = measure_memory(cmd, root)
                assert '"ok": %d' % n in (root / "out.json").read_text()
                got["validate"] = measure_memory(
                    [sys.executable, "-m", "readlist.cli", "validate", "readings"], root)["command"]
                rows.append((n, got))
                print(f"{n} URLs: command {got['command']:.1f} MiB (validate alone {got['validate']:.1f}), "
                      f"checker {got['checker']:.1f} MiB, "
                      f"max {got['max']:.1f} MiB, {got['wall']:.2f} s", flush=True)
            finally:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        server.terminate()
        server.wait(10)
    base_n, base = rows[0]
    lines = [
        "", "### Memory", "",
        f"Peak RSS of `check-links` by number of URLs ({a.hosts} loopback hosts, "
        f"{a.latency * 1000:.0f} ms latency, global {a.concurrency}, per host {a.per_host}, "
        f"`--format json`; load average {' / '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} after). The command process loads and "
        "validates the readings and writes the report; the checker is the process it forks; "
        "`readlist validate` on the same readings shows what loading alone takes (one entry "
        "file per URL here). Run: `python benchmarks/links.py --memory`.", "",
        "| URLs | command (MiB) | of which beyond `validate` (MiB) | checker (MiB) "
        "| growth per 1,000 URLs: command / beyond validate / checker (MiB) | wall (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, got in rows:
        if n == base_n:
            slope = "-"
        else:
            k = (n - base_n) / 1000
            extra = (got["command"] - got["validate"]) - (base["command"] - base["validate"])
            slope = (f"{(got['command'] - base['command']) / k:.2f} / {extra / k:.2f} / "
                     f"{(got['checker'] - base['checker']) / k:.2f}")
        lines.append(f"| {n:,} | {got['command']:.1f} | {got['command'] - got['validate']:.1f} "
                     f"| {got['checker']:.1f} | {slope} | {got['wall']:.2f} |")
    if len(rows) > 1:
        (n0, first), (n1, last) = rows[0], rows[-1]
        per = lambda key: (last[key] - first[key]) * 1024 / (n1 - n0)  # noqa: E731 - KiB per URL
        lines += ["", (
            f"- The checker is flat: {per('checker'):.2f} KiB more per URL (mostly its queue of URLs not yet "
            "checked; results go up to the command as they come and are not kept). The command grows "
            f"{per('command'):.1f} KiB per URL: {per('validate'):.1f} KiB of it is loading and validating "
            "the entries (`validate` alone grows as much), and "
            f"{per('command') - per('validate'):.1f} KiB is the report itself (each URL's result, its "
            "citations and its JSON text), which a report of every URL has to hold.")]
    return lines


def write_section(section: str) -> None:
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def current_part(heading: str) -> str:
    """The lines of the links section from `heading` on (kept when the other part is rerun)."""
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    match = re.search(re.escape(START) + "\n(.*?)" + re.escape(END), text, flags=re.S)
    if not match or heading not in match.group(1):
        return ""
    return match.group(1)[match.group(1).index(heading):].rstrip("\n")


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
    ap.add_argument("--memory", action="store_true", help="measure peak RSS by number of URLs instead")
    ap.add_argument("--sizes", default="2000,10000,20000", help="URL counts for --memory")
    a = ap.parse_args()
    if a.memory and a.latency == ap.get_default("latency"):
        a.latency = 0.02

    if not a.no_compile:
        import compileall

        import readlist

        compileall.compile_dir(str(Path(readlist.__file__).parent), quiet=1)

    if a.memory:
        lines = memory(a)
        section = "\n".join(lines)
        print(section)
        if not a.no_write:
            path = HERE / "RESULTS.md"
            text = path.read_text() if path.exists() else ""
            match = re.search(re.escape(START) + "\n(.*?)" + re.escape(END), text, flags=re.S)
            head = match.group(1).rstrip("\n") if match else "## Link checker (`check-links`)"
            if "\n### Memory" in head:
                head = head[:head.index("\n### Memory")].rstrip("\n")
            write_section(head + "\n\n" + section.lstrip("\n"))
        return 0

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
        f"process start, median of {a.runs} alternating runs ({datetime.date.today()}, "
        f"{platform.machine()}, {platform.python_implementation()} "
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
        kept = current_part("### Memory")  # the memory table of an earlier --memory run
        write_section(section + ("\n\n" + kept if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
