"""A/B of readlist source trees on the link-check workloads of links.py:
alternating runs of `check-links`, wall and CPU time (user + system of the
process) per run, medians at the end. For "does this complexity pay?"
questions: put each variant in a src tree of its own.

    python benchmarks/ab.py fixed 5 new=src old=/tmp/old/src
    python benchmarks/ab.py ratelimited 4 new=src old=/tmp/old/src
    python benchmarks/ab.py pr 15 new=src old=/tmp/old/src   # a pull request's check: 5 URLs

CPU time varies less with the machine's load than wall time does: on the
pull request's check (mostly start-up) compare both.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import links as bench


def main() -> int:
    workload, runs = sys.argv[1], int(sys.argv[2])
    srcs = dict(arg.split("=", 1) for arg in sys.argv[3:])
    if workload == "fixed":
        port = 18870
        urls = [f"http://127.0.0.{i % 20 + 1}:{port}/page/{i}" for i in range(2000)]
        proc = bench.server("latency_server.py", "--hosts", "20", "--port", str(port), "--latency", "0.2")
        cmd = bench.ours("--concurrency", "128", "--per-host", "10", "--retries", "0")
    elif workload == "pr":
        port = 18880
        urls = [f"http://127.0.0.{i % 3 + 1}:{port}/page/{i}" for i in range(5)]
        proc = bench.server("latency_server.py", "--hosts", "3", "--port", str(port), "--latency", "0.05")
        cmd = bench.ours()
    else:
        port = 18960
        urls = [f"http://127.0.1.{i % 13 + 1}:{port}/page/{i}" for i in range(1280)]
        proc = bench.server("ratelimit_server.py", "--port", str(port))
        cmd = bench.ours()
    root = Path(tempfile.mkdtemp(prefix="readlist-ab-"))
    walls: dict[str, list[float]] = {name: [] for name in srcs}
    cpus: dict[str, list[float]] = {name: [] for name in srcs}
    try:
        bench.make_project(root, urls)
        for _ in range(runs):
            for name, src in srcs.items():
                if workload == "ratelimited":
                    bench._stats(port, "/__reset")
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall, done = bench.timed(cmd, root, {**os.environ, "PYTHONPATH": src})
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                assert done.returncode in (0, 1), done.stderr[-2000:]
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                ok = json.loads((root / "out.json").read_text())["summary"]["ok"]
                walls[name].append(wall)
                cpus[name].append(cpu)
                print(f"{name}: {wall:.2f}s cpu={cpu:.2f}s ok={ok}/{len(urls)} load={bench.load()}", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)
    for name in srcs:
        print(
            f"{name}: median wall {statistics.median(walls[name]):.3f} s "
            f"({', '.join(f'{w:.2f}' for w in walls[name])}), median CPU {statistics.median(cpus[name]):.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
