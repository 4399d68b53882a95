"""The commands the workflows run, run here the way the workflows run them.

ci.yml: `readlist validate --format github`, `readlist fmt --check`,
`mkdocs build --strict`, `readlist check-links --changed origin/<base> --format github`.
links.yml: `readlist ci shards`, `readlist check-links --shard I/N --cache ... --format json
--output ...` per shard, `readlist merge-reports`, `readlist ci link-issue` (real
reports from a real check against a loopback server).
pages.yml: `mkdocs build --strict --site-dir site`.
ci.yml's macOS/Windows job: its import, export and generate steps, run here
with bash exactly as written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from .helpers import ROOT, WORKFLOWS, readlist

# --- ci.yml: validate, fmt, mkdocs -----------------------------------------------------


def test_validate_as_ci_runs_it():
    done = readlist("validate", "--format", "github")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "::error" not in done.stdout


def test_validate_annotations_point_at_the_line(readings_copy):
    entry = next((readings_copy / "entries").glob("*.yaml"))
    entry.write_text(entry.read_text().replace("summary:", "summery:", 1))
    done = readlist("validate", str(readings_copy), "--format", "github")
    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if "summery" in line)
    assert line.startswith("::error file=") and entry.name in line and ",line=" in line


def test_fmt_check_as_ci_runs_it():
    done = readlist("fmt", "--check")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_mkdocs_build_strict_as_pages_runs_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "index.html").exists()


# --- ci.yml's platforms job: import, export, generate ---------------------------------


def _platform_steps() -> dict[str, str]:
    job = yaml.safe_load((WORKFLOWS / "ci.yml").read_text(encoding="utf-8"))["jobs"]["platforms"]
    assert job["defaults"]["run"]["shell"] == "bash"
    return {step["name"].split(" (")[0].split(",")[0]: step["run"] for step in job["steps"] if "name" in step}


def test_the_platform_job_steps_work_as_written(tmp_path):
    steps = _platform_steps()
    bin_dir = os.path.dirname(sys.executable)  # `readlist` and `mkdocs` of this environment
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    for name in ("readlist import", "readlist export", "readlist generate"):
        done = subprocess.run(
            [shutil.which("bash") or "bash", "-e", "-c", steps[name]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{name}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    # import wrote a list (and entries) that fmt --check accepted in the same step
    assert (tmp_path / "readings" / "lists" / "imported.yaml").is_file()
    entry_files = len(list((ROOT / "readings" / "entries").glob("*.yaml")))
    exported = json.loads((tmp_path / "export" / "readings.json").read_text(encoding="utf-8"))
    records = exported["entries"] if isinstance(exported, dict) else exported
    assert len(records) == entry_files
    assert (tmp_path / "export" / "readings.bib").read_text(encoding="utf-8").count("\n@") + 1 == entry_files
    feed = ET.parse(tmp_path / "export" / "feed.xml").getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert (tmp_path / "docs" / "index.md").is_file()


# --- a small reading list whose links point at a loopback server ------------------------


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/ok"):
            self.send_response(200)
        elif path.startswith("/moved"):
            self.send_response(301)
            self.send_header("Location", "/ok/new-home")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


SUMMARY = (
    "A reading made up for the tests of the link workflow. It exists only so that a "
    "link checker has something to look at, and it says nothing else of interest to anyone."
)


def write_entry(readings: Path, entry_id: str, url: str) -> Path:
    path = readings / "entries" / f"{entry_id}.yaml"
    path.write_text(
        f"title: {entry_id.replace('-', ' ').title()}\nurl: {url}\ntopic: basics\ntier: 1\n"
        f"kind: post\nsummary: >-\n  {SUMMARY}\n",
        encoding="utf-8",
    )
    return path


def small_readings(root: Path, base: str) -> Path:
    readings = root / "readings"
    (readings / "entries").mkdir(parents=True)
    (readings / "topics.yaml").write_text("- id: basics\n  title: Basics\n", encoding="utf-8")
    for i in range(6):
        write_entry(readings, f"fine-{i}", f"{base}/ok/{i}")
    write_entry(readings, "gone-paper", f"{base}/gone")
    write_entry(readings, "moved-post", f"{base}/moved")
    return readings


# --- links.yml: shards, check per shard, merge, the issue ----------------------------------


def weekly_run(tmp_path: Path, readings: Path, env: dict, run: int) -> Path:
    """One run of links.yml: plan shards; per shard restore the history and
    check; merge the reports and save the merged history for the next run."""
    done = readlist("ci", "shards", str(readings), "--per-shard", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shards = json.loads(done.stdout)
    assert shards == ["1/3", "2/3", "3/3"]
    history = tmp_path / ".cache" / "links.json"  # what actions/cache restores and saves
    reports = tmp_path / f"reports-{run}"
    reports.mkdir()
    for shard in shards:
        slug = shard.replace("/", "-of-")
        job = tmp_path / f"job-{run}-{slug}"  # each shard job is a fresh machine
        (job / ".cache").mkdir(parents=True)
        if history.exists():
            shutil.copy(history, job / ".cache" / "links.json")
        done = readlist(
            "check-links",
            str(readings),
            "--allow-private",
            "--shard",
            shard,
            "--cache",
            str(job / ".cache" / "links.json"),
            "--format",
            "json",
            "--output",
            str(reports / f"links-{slug}.json"),
            "--retries",
            "0",
            "--timeout",
            "5",
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode in (0, 1), done.stderr  # 1 = broken links, a report all the same
    merged = tmp_path / f"report-{run}.json"
    history.parent.mkdir(exist_ok=True)
    done = readlist(
        "merge-reports",
        *map(str, sorted(reports.glob("*.json"))),
        "--format",
        "json",
        "--output",
        str(merged),
        "--cache",
        str(history),
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode in (0, 1), done.stderr
    assert len(json.loads(merged.read_text())["results"]) == 8
    return merged


def link_issue(tmp_path: Path, report: Path, env: dict, issues: list) -> dict:
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues))
    done = readlist(
        "ci",
        "link-issue",
        "--report",
        str(report),
        "--issues",
        str(path),
        "--after",
        "2",
        "--date",
        "2026-11-02",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_weekly_link_check_two_runs_in_a_row(tmp_path, server, clean_env):
    """First failing run: shown apart, no issue. Second: listed as broken with
    its history, the issue opens. Fixed: the issue closes, naming the link
    as working again once."""
    readings = small_readings(tmp_path, server)
    # no look-ups in the real Wayback Machine from a test
    (tmp_path / "pyproject.toml").write_text("[tool.readlist.links]\narchive-lookup = false\n")
    env = clean_env
    first = weekly_run(tmp_path, readings, env, 1)
    body = readlist(
        "ci", "link-issue", "--report", str(first), "--body-only", "--date", "2026-11-02", cwd=tmp_path, env=env
    ).stdout
    assert "found no broken links among 8" in body
    assert "### First-time failures (1): will recheck" in body
    row = next(line for line in body.splitlines() if f"<{server}/gone>" in line)
    assert "HTTP 404" in row and "gone-paper.yaml:2" in row and "(1 check)" in row
    assert "Moved permanently (1)" in body and f"<{server}/ok/new-home>" in body
    decision = link_issue(tmp_path, first, env, [])
    assert decision["action"] == "none"  # a first failure opens nothing

    second = weekly_run(tmp_path, readings, env, 2)
    decision = link_issue(tmp_path, second, env, [])
    assert decision["action"] == "open" and decision["title"] == "Link rot: 1 link needs fixing"
    body = decision["body"]
    assert "found **1 of 8 links** that no longer work" in body and "will recheck" not in body
    row = next(line for line in body.splitlines() if f"<{server}/gone>" in line)
    assert "failing since" in row and "(2 checks)" in row

    # fixed: the same issue is closed on the next run, the link named as working again
    write_entry(readings, "gone-paper", f"{server}/ok/found-again")
    git_url_gone = f"{server}/gone"
    opened = [{"number": 7, "title": decision["title"], "body": decision["body"]}]
    third = weekly_run(tmp_path, readings, env, 3)
    decision = link_issue(tmp_path, third, env, opened)
    assert (decision["action"], decision["issue"]) == ("close", 7)
    assert decision["recovered"] == [git_url_gone]
    # and only once: a body without it lists nothing as working again
    later = link_issue(tmp_path, third, env, [{"number": 7, "title": "x", "body": decision["body"]}])
    assert later["recovered"] == []


# --- ci.yml: links of the changed entries, against the base branch ------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_changed_links_of_a_pull_request_are_annotated(tmp_path, server, clean_env):
    upstream = tmp_path / "upstream"
    small_readings(upstream, server)
    write_entry(upstream / "readings", "already-broken", f"{server}/gone-long-ago")
    git(upstream, "init", "-q")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "base")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "switch", "-qc", "add-a-reading")
    added = write_entry(clone / "readings", "new-but-broken", f"{server}/gone-too")
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "Add a reading")

    # what ci.yml runs, with BASE_REF=main (plus --allow-private: the server is on loopback)
    done = readlist(
        "check-links",
        "--changed",
        "origin/main",
        "--format",
        "github",
        "--no-cache",
        "--allow-private",
        "--retries",
        "0",
        cwd=clone,
        env=clean_env,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, done.stdout  # only the changed entry, not the old broken one
    assert f"file=readings/entries/{added.name}" in errors[0] and "line=2" in errors[0]
