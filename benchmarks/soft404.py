"""Soft 404s: readlist check-links vs lychee on a set of loopback sites;
results to benchmarks/RESULTS.md (section "soft404").

    python benchmarks/soft404.py [--runs 3] [--lychee PATH]

Each site is an HTTP server of its own on 127.0.0.1 (one origin each). The
positives are URLs whose page is gone though the server answers 2xx; the
negatives are live pages that look like the positives in some way. A tool
"flags" a URL when it reports it as failing (readlist: broken/timeout/error;
lychee: any entry of its fail or error maps). Precision first: a flagged
negative is a false alarm that costs a contributor's trust.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from results import write_section

from links import conditions, load, lychee_cmd, make_project, ours, version

Answer = tuple[int, dict[str, str], bytes]


def page(title: str, text: str, head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()


def article(title: str, words: int = 400) -> bytes:
    return page(title, " ".join(f"word{i % 37}" for i in range(words)))


SHELL = (
    b'<!doctype html><html><head><title>Example App</title><script src="/static/app.js"></script>'
    b'</head><body><div id="root"></div><noscript>Enable JavaScript.</noscript></body></html>'
)
ARTICLE_404 = page(
    "How to design a good 404 page",
    " ".join(
        "a page not found error 404 should help the reader" if i % 40 == 0 else f"word{i % 41}" for i in range(600)
    ),
)
RETIRED = page("Archive", "This page has been retired. " * 5)
MENU = " ".join(f"Category{i} Subcategory{i} link" for i in range(60))  # 180 words on every page


def shop(text: str) -> bytes:
    """A page of a shop whose pages all have one title and a long menu."""
    return (
        f"<!doctype html><html><head><title>Example Shop</title></head><body><nav>{MENU}</nav>"
        f"<main><h1>Example Shop</h1><p>{text}</p></main><footer>Example Shop Ltd. All rights reserved.</footer>"
        "</body></html>"
    ).encode()


def product(path: str) -> bytes:
    n = path.rsplit("/", 1)[-1]
    return shop(f"Product {n}: a hand-made walnut chair, {n} cm tall, oiled finish, ships in two weeks.")


NOT_FOUND = page("404 Not Found", "Sorry, nothing here.")


# site name -> route(path) -> (status, headers, body)
SITES: dict[str, Callable[[str], Answer]] = {
    # every unknown path answers 200 with a not-found page; two real articles
    "catch-all-404": lambda p: (200, {}, article("A real article") if p.startswith("/real/") else NOT_FOUND),
    # every unknown path answers 200 with the shop's front page
    "catch-all-home": lambda p: (
        200,
        {},
        article("A product") if p == "/product/1" else page("Example Shop", "Welcome to the shop. " * 10),
    ),
    # the same, with one title and a 180-word menu on every page: its real
    # products must not read as its front page
    "catch-all-menu": lambda p: (
        200,
        {},
        product(p) if p in ("/product/1", "/product/2", "/product/3") else shop("Welcome to our shop."),
    ),
    # gone pages redirect to the root (or to /404, a 200 page)
    "to-root": lambda p: (
        (200, {}, article("Home"))
        if p == "/"
        else (200, {}, NOT_FOUND)
        if p == "/404"
        else (301, {"Location": "/404"}, b"")
        if p.startswith("/gone/")
        else (302, {"Location": "/"}, b"")
        if p.startswith("/old/")
        else (200, {}, article("Docs"))
        if p in ("/en/", "/en/docs/start")
        else (301, {"Location": "/en/"}, b"")
        if p == "/en"
        else (301, {"Location": "/en/docs/start"}, b"")
        if p == "/docs/start"
        else (302, {"Location": "/docs"}, b"")
        if p == "/docs/a/b/c"
        else (200, {}, article("Docs index"))
        if p == "/docs"
        else (404, {}, b"")
    ),
    # many old URLs moved onto one "retired" notice
    "collapse": lambda p: (
        (200, {}, RETIRED)
        if p == "/retired"
        else (301, {"Location": "/retired"}, b"")
        if p.startswith("/blog/20")
        else (200, {}, ARTICLE_404)
        if p == "/articles/designing-404-pages"
        else (200, {}, article("Post"))
        if p.startswith("/posts/")
        else (404, {}, b"")
    ),
    # a single-page app: the same shell for any path
    "spa": lambda p: (200, {}, SHELL),
    # an honest host with one 200 "not found" page (read only with GET)
    "honest": lambda p: (
        (200, {}, NOT_FOUND)
        if p == "/removed/page"
        else (200, {}, article("Fine"))
        if p.startswith("/fine/")
        else (404, {}, b"")
    ),
    # moved to the same path on another port (filled in once the ports are known)
    "moved-port": lambda p: (404, {}, b""),
}
# (site, path, gone?)
CASES = [
    ("catch-all-404", "/guides/old-tutorial", True),
    ("catch-all-404", "/2019/05/lost-post", True),
    ("catch-all-404", "/real/one", False),
    ("catch-all-404", "/real/two", False),
    ("catch-all-home", "/product/9/discontinued/item", True),
    ("catch-all-home", "/product/1", False),
    ("catch-all-menu", "/product/discontinued/9", True),
    ("catch-all-menu", "/product/1", False),
    ("catch-all-menu", "/product/2", False),
    ("catch-all-menu", "/product/3", False),
    ("to-root", "/old/section/page", True),
    ("to-root", "/old/another/deep/page", True),
    ("to-root", "/gone/thing", True),
    ("to-root", "/en", False),
    ("to-root", "/docs/start", False),
    ("to-root", "/docs/a/b/c", False),
    ("collapse", "/blog/2019/01/a", True),
    ("collapse", "/blog/2019/02/b", True),
    ("collapse", "/blog/2020/07/c", True),
    ("collapse", "/blog/2021/03/d", True),
    ("collapse", "/articles/designing-404-pages", False),
    ("collapse", "/posts/1", False),
    ("spa", "/app/settings", False),
    ("spa", "/docs/getting-started", False),
    ("honest", "/removed/page", True),
    ("honest", "/fine/1", False),
    ("honest", "/fine/2", False),
    ("moved-port", "/moved/page", False),
]


class Site:
    def __init__(self, route: Callable[[str], Answer]) -> None:
        self.route = route
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, with_body: bool) -> None:
                status, headers, body = site.route(self.path.split("?")[0])
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def flagged_by_readlist(root: Path) -> set[str]:
    report = json.loads((root / "out.json").read_text())
    return {r["url"] for r in report["results"] if r["outcome"] in ("broken", "timeout", "error")}


def flagged_by_lychee(stdout: str) -> set[str]:
    data = json.loads(stdout)
    found = set()
    for key in ("fail_map", "error_map"):
        for items in (data.get(key) or {}).values():
            found.update(item["url"] for item in items)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lychee", default=shutil.which("lychee"))
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    before = load()
    sites = {name: Site(route) for name, route in SITES.items()}
    target = sites["to-root"]
    sites["moved-port"].route = lambda p: (301, {"Location": target.url(p)}, b"")
    SITES["to-root"] = target.route
    base = target.route
    target.route = lambda p: (200, {}, article("Moved here")) if p == "/moved/page" else base(p)
    urls = {sites[name].url(path): gone for name, path, gone in CASES}
    positives, negatives = {u for u, g in urls.items() if g}, {u for u, g in urls.items() if not g}
    root = Path(tempfile.mkdtemp(prefix="readlist-soft404-"))
    rows: dict[str, list[tuple[float, set[str]]]] = {"readlist": [], "lychee": []}
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    try:
        make_project(root, list(urls))
        with (root / "pyproject.toml").open("a") as config:  # the archive's look-up is no part of this
            config.write("\n[tool.readlist.links]\narchive-lookup = false\n")
        for _ in range(a.runs):
            for tool in ("readlist", "lychee") if a.lychee else ("readlist",):
                started = time.perf_counter()
                if tool == "readlist":
                    done = subprocess.run(ours("--retries", "0"), cwd=root, env=env, capture_output=True, text=True)
                    assert done.returncode in (0, 1), done.stderr[-2000:]
                    flagged = flagged_by_readlist(root)
                else:
                    done = subprocess.run(lychee_cmd(a.lychee), cwd=root, capture_output=True, text=True)
                    assert done.returncode in (0, 2), done.stderr[-2000:]
                    flagged = flagged_by_lychee(done.stdout)
                wall = time.perf_counter() - started
                rows[tool].append((wall, flagged))
                print(
                    f"{tool}: {wall:.2f} s, {len(flagged & positives)}/{len(positives)} caught, "
                    f"{len(flagged & negatives)}/{len(negatives)} false alarms",
                    flush=True,
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = [
        "## Soft 404s: readlist vs lychee (`benchmarks/soft404.py`)",
        "",
        f"{len(positives)} gone pages answered 2xx and {len(negatives)} live look-alikes on {len(SITES)} loopback "
        "sites (`benchmarks/soft404.py`): catch-all sites answering any path with a not-found page or with their "
        "front page (one of them with one title and a 180-word menu on every page), deep pages redirected "
        'to the root or to a 200 `/404` page, old posts moved onto one "retired" notice, a 200 "404 Not Found" '
        "page on a host that answers other unknown paths with a real 404; live: real pages of the catch-all "
        "sites (the menu site's three products among them), an article about 404 pages, `/en` → `/en/`, "
        "`/docs/start` → `/en/docs/start`, a deep page redirected once to a shorter one, a JavaScript app's "
        "shell, a page moved to the same path on another port. Both tools with their defaults. Median of "
        f"{a.runs} alternating runs ({conditions()}; load average {before} before, {load()} after). Run: "
        "`python benchmarks/soft404.py`.",
        "",
        "| | gone pages caught | live pages flagged (false alarms) | wall (s) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for tool, runs in rows.items():
        if not runs:
            continue
        name = "readlist check-links" if tool == "readlist" else version(a.lychee or "lychee")
        caught = statistics.median(len(f & positives) for _, f in runs)
        alarms = statistics.median(len(f & negatives) for _, f in runs)
        wall = statistics.median(w for w, _ in runs)
        lines.append(f"| {name} | {caught:g} of {len(positives)} | {alarms:g} of {len(negatives)} | {wall:.2f} |")
    missed = sorted(positives - rows["readlist"][-1][1]) if rows["readlist"] else []
    if missed:
        lines += [
            "",
            "readlist misses (by design: the pages of a host that answers a path that cannot exist with "
            "a real 404 are asked with HEAD only, not read; reading them would cost a second request per link, "
            'see "what reading every page would cost" below. So a lone 200 "not found" page there passes '
            "unless it refuses HEAD or a host rule asks for GET): "
            + ", ".join(f"`{u.split('/', 3)[3]}`" for u in missed)
            + ".",
        ]
    print("\n".join(lines))
    if not a.no_write:
        write_section("soft404", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
