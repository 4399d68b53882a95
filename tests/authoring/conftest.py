"""Fixtures for the authoring tests: a real HTTP server on 127.0.0.1 and a
small, valid readings directory written to a temporary folder."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .helpers import SUMMARY, write_entry


@dataclass
class Route:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def route(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        self.routes[path] = Route(body=body, **kwargs)
        return self.base + path


@pytest.fixture
def server():
    state = Server(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append(self.path)
            route = state.routes.get(urlsplit(self.path).path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            if route.delay:
                time.sleep(route.delay)
            body = route.body.encode() if isinstance(route.body, str) else route.body
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


TOPICS = """\
# The topic tree
- id: fundamentals
  title: Fundamentals
  children:
    - id: transformers
      title: Transformers
- id: practice
  title: ML in practice
"""


@pytest.fixture
def readings(tmp_path) -> Path:
    root = tmp_path / "readings"
    (root / "entries").mkdir(parents=True)
    (root / "lists").mkdir()
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    write_entry(
        root,
        "attention-is-all-you-need",
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762",
        topic="transformers",
        tier="1",
        kind="paper",
        length='"15 pages"',
        authors=["Ashish Vaswani", "Noam Shazeer"],
        year="2017",
        added="2024-03-01",
        summary=f'"{SUMMARY}"',
    )
    write_entry(
        root,
        "but-what-is-a-neural-network",
        title='"But what is a neural network?"',
        url="https://www.youtube.com/watch?v=aircAruvnKk",
        topic="fundamentals",
        tier="1",
        kind="video",
        length='"19 min"',
        added="2024-04-02",
        summary=f'"{SUMMARY}"',
    )
    write_entry(
        root,
        "ml-technical-debt",
        title='"Machine Learning: The High Interest Credit Card of Technical Debt"',
        url="https://research.google/pubs/pub43146/",
        topic="practice",
        tier="1",
        kind="paper",
        summary=f'"{SUMMARY}"',
    )
    return root
