"""A/B of readlist source trees on the link-check workloads of links.py:
alternating runs of `check-links`, wall and CPU time (user + system of the
process) per run, medians at the end. For "does this complexity pay?"
questions: put each variant in a src tree of its own.

    python benchmarks/ab.py fixed 5 new=src old=/tmp/old/src
    python benchmarks/ab.py ratelimited 4 new=src old=/tmp/old/src
"""
import json, os, sys, tempfile, shutil, statistics, resource
from pathlib import Path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import links as B
workload, runs = sys.argv[1], int(sys.argv[2])
srcs = dict(arg.split("=", 1) for arg in sys.argv[3:])
if workload == "fixed":
    port = 18870
    urls = [f"http://127.0.0.{i % 20 + 1}:{port}/page/{i}" for i in range(2000)]
    proc = B.server("latency_server.py", "--hosts", "20", "--port", str(port), "--latency", "0.2")
    cmd = B.ours("--concurrency", "128", "--per-host", "10", "--retries", "0")
else:
    port = 18960
    urls = [f"http://127.0.1.{i % 13 + 1}:{port}/page/{i}" for i in range(1280)]
    proc = B.server("ratelimit_server.py", "--port", str(port))
    cmd = B.ours()
root = Path(tempfile.mkdtemp(prefix="ab-"))
rows = {k: [] for k in srcs}
cpus = {}
try:
    B.make_project(root, urls)
    for _ in range(runs):
        for name, src in srcs.items():
            if workload != "fixed":
                B._stats(port, "/__reset")
            env = dict(os.environ, PYTHONPATH=src)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, done = B.timed(cmd, root, env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            assert done.returncode in (0, 1), done.stderr[-2000:]
            ok = json.loads((root / "out.json").read_text())["summary"]["ok"]
            rows[name].append(wall)
            cpus.setdefault(name, []).append(cpu)
            print(f"{name}: {wall:.2f}s cpu={cpu:.2f}s ok={ok}/{len(urls)} load={B.load()}", flush=True)
finally:
    proc.terminate(); proc.wait(10); shutil.rmtree(root, ignore_errors=True)
for k, v in rows.items():
    print(k, "median", f"{statistics.median(v):.2f}", " ".join(f"{x:.2f}" for x in v))
for k, v in cpus.items():
    print(k, "cpu median", f"{statistics.median(v):.2f}")
