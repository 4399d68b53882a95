"""A real `mkdocs serve` process: editing YAML under readings/ rebuilds the
page; a validation error is reported with file:line:col, the server lives on
and serves the valid files until the error is fixed."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .helpers import ENV, free_port


class Server:
    def __init__(self, project: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{self.port}", "--livereload"],
            cwd=project,
            env=ENV,
            preexec_fn=_interruptible,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def log(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return response.read().decode()

    def wait_for(self, path: str, predicate, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"server died:\n{self.log()}"
            try:
                last = self.get(path)
                if predicate(last):
                    return last
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {path}\n{self.log()}")

    def wait_log(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not in the server log:\n{self.log()}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs shuts down and removes its temporary folders
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def server(fixture_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(fixture_project, project, ignore=shutil.ignore_patterns("site"))
    srv = Server(project)
    srv.project = project
    yield srv
    srv.stop()


def test_editing_yaml_rebuilds_and_errors_do_not_kill_the_server(server):
    page = "topics/gamma/"
    server.wait_for(page, lambda html: "Gamma Notes" in html)
    entry = server.project / "readings" / "entries" / "gamma-notes.yaml"
    original = entry.read_text()

    entry.write_text(original.replace("title: Gamma Notes", "title: Gamma Notes Revised"))
    server.wait_for(page, lambda html: "Gamma Notes Revised" in html)

    entry.write_text(original.replace("tier: 3", "tier: seven"))
    server.wait_log("gamma-notes.yaml:4:7: error: tier")
    # the rebuild goes on with the valid files: the topic page, without the broken entry
    html = server.wait_for(page, lambda html: "Gamma Notes" not in html)
    assert "Gamma topic" in html
    assert server.proc.poll() is None

    entry.write_text(original.replace("title: Gamma Notes", "title: Gamma Notes Fixed"))
    server.wait_for(page, lambda html: "Gamma Notes Fixed" in html)


def _interruptible() -> None:
    """In the child: Ctrl-C's default back (a shell starts background jobs
    with SIGINT ignored, and so would MkDocs be, which then never shuts down)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
