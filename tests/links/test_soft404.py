"""Soft 404s against real sites on loopback: each site is an HTTP server of
its own (one origin, so one probe of a path that cannot exist per run),
serving what the test puts in its table. Positives are drawn as families
(a catch-all page, a not-found title, redirects to the root, a collapse);
negatives too (articles about 404 pages, trailing-slash and locale
redirects, a move to another port, a JavaScript app's shell).

The invariants: a page is `broken` of kind `soft-404` only when the signals
named in its error agree (one strong, or two); a page that merely talks
about "not found" never is; a shell is `ok` with "could not verify"; the
probe is one HEAD per host per run, whatever the number of URLs (and a GET
after it when the host answers it 2xx, to read the page), and it
and the GETs it leads to are requests of the host like any other: never
more in flight than the host's cap, the host's interval kept, nothing sent
into a hold the host announced."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.links import LinkSettings, Outcome, check
from readlist.links.judge import says_not_found

from .helpers import make_project, run_cli
from .limiters import Limiter, TokenBucket

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str], Answer]

SETTINGS = LinkSettings(allow_private=("*",), retries=0, timeout=10)
READ = LinkSettings(allow_private=("*",), retries=0, timeout=10, hosts={"127.0.0.1": {"method": "GET"}})
WORDS = st.sampled_from(
    "the a page site link reader archive paper notes design error server search history web "
    "people write about code test results found lost missing moved index list".split()
)


def html(title: str, text: str, head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()


def article(title: str, words: int = 400) -> bytes:
    body = " ".join(f"word{i % 37}" for i in range(words))
    return html(title, body)


class _Quiet(ThreadingHTTPServer):
    """A server whose answer to a client that has gone (a probe held past
    the run's timeout, then released) is no error worth printing."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Site:
    """An HTTP/1.1 server on 127.0.0.1 answering from `route(path)`."""

    def __init__(self) -> None:
        self.route: Route = lambda path: (404, {}, b"")
        self.no_head: set[str] = set()  # paths that answer HEAD with 405 (GET from `route`)
        self.hits: Counter[str] = Counter()
        # What the pacing tests read: a limiter (limiters.py) in front of
        # every path, each answer held `latency` seconds, and the arrivals
        # and the most requests in flight at once.
        self.limiter: Limiter | None = None
        self.latency = 0.0
        self.arrivals: list[float] = []
        self.in_flight = self.peak = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, with_body: bool) -> None:
                with site.lock:
                    now = time.monotonic()
                    site.hits[self.path] += 1
                    site.arrivals.append(now)
                    site.in_flight += 1
                    site.peak = max(site.peak, site.in_flight)
                    refusal = site.limiter.arrive(now) if site.limiter else None
                try:
                    if refusal is None and not with_body and self.path in site.no_head:
                        status, headers, body = 405, {}, b""
                    elif refusal is None:
                        status, headers, body = site.route(self.path)
                        time.sleep(site.latency)  # the server's latency, not a test's wait
                    else:
                        (status, headers), body = refusal, b"slow down"
                finally:
                    with site.lock:
                        site.in_flight -= 1
                        if site.limiter and refusal is None:
                            site.limiter.leave(time.monotonic())
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
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

        self.server = _Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def probes(self) -> int:
        return sum(n for path, n in self.hits.items() if "no-such-page" in path)

    def reset(self, limiter: Limiter | None = None, latency: float = 0.0) -> None:
        self.hits.clear()
        self.arrivals.clear()
        self.peak, self.limiter, self.latency = 0, limiter, latency

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sites() -> Iterator[list[Site]]:
    made = [Site() for _ in range(3)]
    yield made
    for site in made:
        site.close()


def _judged(urls: list[str]) -> dict[str, object]:
    return {r.url: r for r in check(urls, SETTINGS)}


def _is_soft_404(result) -> bool:
    return result.outcome is Outcome.BROKEN and result.error_kind == "soft-404"


# -- positives ---------------------------------------------------------------------------------
NOTICES = st.sampled_from(
    [
        "404 Not Found",
        "Page not found",
        "Not Found",
        "Error 404",
        "Oops! This page does not exist",
        "Sorry, the page you requested could not be found",
    ]
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    notice=NOTICES,
    site_name=st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
    paths=st.lists(st.lists(WORDS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=4, unique=True),
)
def test_a_catch_all_not_found_page_is_a_soft_404_and_real_pages_are_not(sites, notice, site_name, paths):
    """Every unknown path answers 200 with one thin not-found page (the title
    alone or with the site's name): those URLs are soft 404s, the site's
    real article is ok, and the host is probed once for all of them."""
    site = sites[0]
    page = html(f"{notice} | {site_name}", "Try the search box.")
    site.route = lambda path: (200, {"Content-Type": "text/html"}, article("Real article") if path == "/real" else page)
    site.hits.clear()
    urls = [site.url(f"/{path}") for path in paths]
    judged = _judged([*urls, site.url("/real")])
    for url in urls:
        assert _is_soft_404(judged[url]), judged[url]
        assert "same page as a path that cannot exist" in judged[url].error
    assert judged[site.url("/real")].outcome is Outcome.OK
    assert site.probes() == 2  # one probe: its HEAD, then its GET as the host answered 2xx


def test_a_catch_all_site_with_an_ordinary_title_is_caught_by_the_probe_alone(sites):
    site = sites[0]
    shop = html("Example Shop", "Welcome to the shop. " * 10)
    site.route = lambda path: (200, {}, article("The real product page") if path == "/product/1" else shop)
    judged = _judged([site.url("/product/2/old"), site.url("/product/1")])
    assert _is_soft_404(judged[site.url("/product/2/old")])
    assert judged[site.url("/product/1")].outcome is Outcome.OK


def test_a_not_found_title_on_a_thin_page_of_an_honest_host_read_with_get(sites):
    """A host that answers the probe with a real 404 but one page with a
    200 "not found": its title decides once the page is read (a host rule
    asks for GET)."""
    site = sites[1]
    site.route = lambda path: (
        (200, {}, html("404 Not Found", "Nothing here."))
        if path == "/gone/page"
        else (200, {}, article("Fine"))
        if path == "/fine"
        else (404, {}, b"")
    )
    judged = {r.url: r for r in check([site.url("/gone/page"), site.url("/fine")], READ)}
    assert _is_soft_404(judged[site.url("/gone/page")])
    assert "not-found title" in judged[site.url("/gone/page")].error
    assert judged[site.url("/fine")].outcome is Outcome.OK


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    paths=st.lists(st.lists(WORDS, min_size=2, max_size=5).map("/".join), min_size=1, max_size=4, unique=True),
    status=st.sampled_from([301, 302, 307, 308]),
)
def test_a_redirect_from_a_deep_page_to_the_root_is_a_soft_404(sites, paths, status):
    site = sites[1]
    site.route = lambda path: (200, {}, article("Home")) if path == "/" else (status, {"Location": "/"}, b"")
    urls = [site.url(f"/{path}") for path in paths]
    judged = _judged(urls)
    for url in urls:
        assert _is_soft_404(judged[url]) and "site's root" in judged[url].error, judged[url]


def test_many_old_urls_collapsing_onto_one_notice_are_soft_404s(sites):
    """Old URLs moved to one "this page was retired" notice: a much shorter
    path (weak) and the collapse (weak) agree. A single such move is not
    enough: one weak signal alone never decides."""
    site = sites[2]
    notice = html("Archive", "This page has been retired. " * 5)
    site.route = lambda path: (
        (200, {}, notice)
        if path == "/retired"
        else (301, {"Location": "/retired"}, b"")
        if path.startswith("/old/")
        else (404, {}, b"")
    )
    many = [site.url(f"/old/{year}/posts/{n}") for year, n in ((2019, 1), (2019, 2), (2020, 7), (2021, 3))]
    judged = _judged(many)
    for url in many:
        assert _is_soft_404(judged[url]), judged[url]
        assert "URLs of the host end at" in judged[url].error and "much shorter path" in judged[url].error
    alone = _judged([many[0]])[many[0]]
    assert alone.outcome is Outcome.REDIRECTED, alone


def test_urls_of_several_hosts_landing_on_one_page_are_no_collapse(sites):
    """A collapse is many URLs of one host: pages of several hosts that each
    send a deep path to one page elsewhere (a shared landing page, a group's
    new home) are each a single move with one weak signal, which never decides."""
    home = sites[2]
    page = html("Our new home", "The projects of the group now live here, under one roof. " * 10)

    def route(path: str) -> Answer:
        if path == "/home":
            return 200, {}, page
        if path.startswith("/team/"):
            return 302, {"Location": home.url("/home")}, b""
        return 404, {}, b""

    for site in sites:
        site.route = route
    urls = [site.url(f"/team/{n}/docs/guide/{n}") for n, site in enumerate(sites)]
    judged = _judged(urls)
    for url in urls:
        assert judged[url].outcome is Outcome.OK and judged[url].final_url == home.url("/home"), judged[url]


# -- a catch-all site's own pages, whatever their boilerplate ------------------------------------
@st.composite
def catch_all_sites(draw):
    """A site that answers any unknown path with its front page (200), in
    the shapes sites come in: a shared navigation of 0 to 800 words (in
    <nav>, <header> or <aside>), a footer, one title for every page or a
    title each, the content in <main>, <article> or a bare <div>, scripts
    or none. Every page's article is its own: at least one word in five
    (a product's name, a number) is on no other page, at any length."""
    nav = " ".join(f"Category{i} link" for i in range(draw(st.integers(0, 400))))
    wrap = draw(
        st.sampled_from(
            [
                "<nav>{}</nav>",
                "<header><nav>{}</nav></header>",
                "<header>{}</header>",
                "<aside>{}</aside>",
                '<nav class="menu"><ul><li>{}</li></ul></nav>',
            ]
        )
    )
    footer = " ".join(f"Legal{i % 9} notice" for i in range(draw(st.integers(0, 60))))
    content = draw(st.sampled_from(["<main>{}</main>", "<article>{}</article>", '<div class="content">{}</div>']))
    one_title = draw(st.booleans())
    scripts = draw(st.booleans())
    names = ["front", *(f"item{n}" for n in range(draw(st.integers(1, 4))))]
    lengths = draw(st.lists(st.integers(1, 400), min_size=len(names), max_size=len(names)))
    texts = draw(st.lists(st.lists(WORDS, min_size=400, max_size=400), min_size=len(names), max_size=len(names)))

    def page(name: str, length: int, words: list[str]) -> bytes:
        own = " ".join(f"{name}x{i}" if i % 5 == 0 else words[i] for i in range(length))
        title = "Example Shop" if one_title or name == "front" else f"{name} | Example Shop"
        script = '<script src="/static/site.js"></script>' if scripts else ""
        return (
            f"<!doctype html><html><head><title>{title}</title>{script}</head><body>"
            f"{wrap.format(nav) if nav else ''}{content.format(f'<h1>{name}</h1><p>{own}</p>')}"
            f"<footer>{footer}</footer></body></html>"
        ).encode()

    pages = {name: page(name, length, words) for name, length, words in zip(names, lengths, texts, strict=True)}
    # The front page with next to no text of its own, behind scripts, could be an app's shell.
    opaque = scripts and lengths[0] + 1 < 30
    return pages, opaque


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=catch_all_sites(), gone=st.lists(WORDS, min_size=1, max_size=3).map("/".join))
def test_boilerplate_never_makes_a_catch_all_sites_own_pages_soft_404s(sites, shape, gone):
    """On a site that answers any path with its front page, whatever the
    navigation, header and footer every page shares and however alike the
    titles: each live page with an article of its own is ok, and a path
    that is gone (the front page again) is a soft 404, the same page as a
    path that cannot exist; or, when that front page has next to no text
    of its own behind scripts, ok with "could not verify"."""
    pages, opaque = shape
    site = sites[0]
    routes = {f"/shop/{name}": body for name, body in pages.items() if name != "front"}
    site.route = lambda path: (200, {"Content-Type": "text/html"}, routes.get(path, pages["front"]))
    lost = site.url(f"/gone/{gone}")
    judged = _judged([*map(site.url, routes), lost])
    for path in routes:
        assert judged[site.url(path)].outcome is Outcome.OK, judged[site.url(path)]
    if opaque:
        assert judged[lost].outcome is Outcome.OK and "could not verify" in judged[lost].error, judged[lost]
    else:
        assert _is_soft_404(judged[lost]) and "same page as a path that cannot exist" in judged[lost].error


def test_pages_whose_content_the_body_cap_cuts_off_are_not_called_the_same_page(sites):
    """A site whose pages all start with more navigation than the body cap
    reads: what was read of any two pages is alike, but none of it is the
    page's own; so no page is a soft 404 (could not verify), whatever the
    host answers for a path that cannot exist."""
    site = sites[0]
    menu = "<nav>" + " ".join(f"Category{i} link" for i in range(20_000)) + "</nav>"

    def page(text: str) -> bytes:
        return f"<html><head><title>Shop</title></head><body>{menu}<main>{text}</main></body></html>".encode()

    site.route = lambda path: (200, {}, page(f"The page at {path}: " + "words of its own " * 50))
    urls = [site.url("/product/1"), site.url("/product/2")]
    for result in check(urls, SETTINGS):
        assert result.outcome is Outcome.OK and "could not verify" in result.error, result


# -- negatives ---------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.lists(WORDS | st.sampled_from(["404", "not", "found", "pages"]), min_size=2, max_size=8).map(" ".join),
    mentions=st.integers(1, 20),
    words=st.integers(200, 1200),
)
def test_an_article_about_404_pages_is_never_a_soft_404(sites, title, mentions, words):
    """Long pages that talk about "404" and "not found" (in the title among
    other words, and in the text), on a catch-all site and on an honest one
    read with GET: never broken."""
    site = sites[2]
    text = " ".join(
        ("page not found 404" if i % max(1, words // mentions) == 0 else f"word{i % 41}") for i in range(words)
    )
    page = html(f"How to write a {title}", text)
    site.route = lambda path: (200, {}, page) if path == "/blog/404-pages" else (404, {}, b"")
    result = check([site.url("/blog/404-pages")], READ)[0]
    assert result.outcome is Outcome.OK, result


LOCALES = st.sampled_from(["en", "de", "fr", "pt-BR", "zh-hans"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.lists(WORDS, min_size=0, max_size=4).map("/".join),
    locale=LOCALES,
    move=st.sampled_from(["slash", "locale", "locale-slash"]),
)
def test_trailing_slash_and_locale_redirects_are_not_soft_404s(sites, path, locale, move):
    site = sites[1]
    cited = f"/{locale}" if not path else f"/{path}"
    target = {"slash": cited + "/", "locale": f"/{locale}{cited}", "locale-slash": f"/{locale}{cited}/"}[move]
    if target == cited:
        return
    site.route = lambda p: (
        (200, {}, article("Docs"))
        if p == target
        else (301, {"Location": target}, b"")
        if p == cited
        else (404, {}, b"")
    )
    result = check([site.url(cited)], SETTINGS)[0]
    assert result.outcome in (Outcome.OK, Outcome.REDIRECTED), (cited, target, result)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(WORDS, min_size=1, max_size=4).map("/".join))
def test_an_http_page_moved_to_the_same_path_on_another_port_is_not_a_soft_404(sites, path):
    old, new = sites[0], sites[1]
    old.route = lambda p: (301, {"Location": new.url(p)}, b"")
    new.route = lambda p: (200, {}, article("Moved here")) if p == f"/{path}" else (404, {}, b"")
    result = check([old.url(f"/{path}")], SETTINGS)[0]
    assert result.outcome is Outcome.REDIRECTED and result.suggestion == new.url(f"/{path}"), result


SHELL = html("Example App", "", '<script src="/static/app.js"></script>').replace(
    b"<h1>Example App</h1><p></p>", b'<div id="root"></div><noscript>Enable JavaScript.</noscript>'
)


def test_a_javascript_app_shell_is_ok_and_says_it_could_not_be_verified(sites):
    """Every path of a single-page app answers the same shell: the probe
    cannot tell a route from a missing one, so nothing is called broken."""
    site = sites[2]
    site.route = lambda path: (200, {"Content-Type": "text/html"}, SHELL)
    urls = [site.url("/app/settings"), site.url("/docs/getting-started/install")]
    for result in check(urls, SETTINGS):
        assert result.outcome is Outcome.OK and result.error and "could not verify" in result.error, result


def test_the_probe_is_one_head_per_host_per_run_on_an_honest_host(sites):
    site = sites[0]
    site.route = lambda path: (404, {}, b"") if "no-such-page" in path else (200, {}, article("Page"))
    site.hits.clear()
    results = check([site.url(f"/docs/page/{n}") for n in range(12)], SETTINGS)
    assert all(r.outcome is Outcome.OK for r in results)
    assert site.probes() == 1
    assert not any("no-such-page" in path for path in site.hits if site.hits[path] > 1)
    assert all(site.hits[f"/docs/page/{n}"] == 1 for n in range(12)), site.hits  # a HEAD each: no page is read


def test_a_not_found_title_on_an_honest_host_is_seen_when_the_page_refuses_head(sites):
    """By default the pages of a host that answers the probe with a real 404
    are not read; one that refuses HEAD is asked with GET, and read: its
    not-found title on a thin page decides."""
    site = sites[1]
    site.route = lambda path: (
        (200, {}, html("404 Not Found", "No such record."))
        if path == "/record/17"
        else (200, {}, article("Fine"))
        if path == "/fine"
        else (404, {}, b"")
    )
    site.no_head = {"/record/17"}
    try:
        judged = _judged([site.url("/record/17"), site.url("/fine")])
    finally:
        site.no_head = set()
    assert _is_soft_404(judged[site.url("/record/17")]) and "not-found title" in judged[site.url("/record/17")].error
    assert judged[site.url("/fine")].outcome is Outcome.OK


# -- the probe keeps the host's limits ----------------------------------------------------------
def _limited(concurrency: int, interval: float = 0.0, method: str = "HEAD", retries: int = 0) -> LinkSettings:
    rule = {"concurrency": concurrency, "interval": interval, "method": method}
    return LinkSettings(allow_private=("*",), retries=retries, timeout=10, hosts={"127.0.0.1": rule})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    concurrency=st.integers(1, 2),
    pages=st.integers(1, 5),
    catch_all=st.booleans(),
    method=st.sampled_from(["HEAD", "GET"]),
)
def test_the_probe_and_its_gets_keep_the_hosts_cap_on_requests_in_flight(sites, concurrency, pages, catch_all, method):
    """The probe (its HEAD, and its GET on a catch-all host) and the GETs a
    catch-all host's pages are read with are requests to the host like any
    other: never more in flight at the host than its cap, and one probe for
    the run."""
    site = sites[0]
    shop = html("Example Shop", "Welcome to the shop. " * 10)
    real = {f"/shop/item/{n}" for n in range(pages)}
    site.route = lambda path: (
        (200, {}, article(f"Item {path}")) if path in real else (200, {}, shop) if catch_all else (404, {}, b"")
    )
    site.reset(latency=0.02)
    gone = site.url("/shop/old/thing")
    urls = [site.url(path) for path in sorted(real)] + ([gone] if catch_all else [])
    judged = {r.url: r for r in check(urls, _limited(concurrency, method=method))}
    assert site.peak <= concurrency, (site.peak, concurrency)
    assert len([path for path in site.hits if "no-such-page" in path]) == 1
    # asked as the pages are; a HEAD answered 2xx is asked again with GET, to compare
    assert site.probes() == (2 if catch_all and method == "HEAD" else 1)
    assert all(judged[site.url(path)].outcome is Outcome.OK for path in real), judged
    if catch_all:
        assert _is_soft_404(judged[gone]), judged[gone]


def test_the_probe_keeps_the_hosts_interval(sites):
    """A host with an interval between requests: the probe and the reads
    keep it too. Each request leaves at least `interval` after the one
    before, so N requests span (N - 1) intervals at least; a stall of the
    client (the machine's load) can only bunch arrivals after it, not
    shorten the span, but for the first request's own delay in arriving
    (its connection made, the server's thread started): half an interval,
    200 ms, is left for it. A probe past the pace (its two requests free)
    would span two intervals less."""
    site = sites[1]
    shop = html("Example Shop", "Welcome to the shop. " * 10)
    site.route = lambda path: (200, {}, article("Item") if path.startswith("/item/") else shop)
    site.reset()
    interval = 0.4
    urls = [site.url("/item/1"), site.url("/item/2"), site.url("/old/gone/page")]
    judged = {r.url: r for r in check(urls, _limited(2, interval=interval))}
    assert _is_soft_404(judged[site.url("/old/gone/page")])
    assert len(site.arrivals) == 8, site.hits  # the probe and each page: HEAD, then GET to compare
    span = site.arrivals[-1] - site.arrivals[0]
    assert span >= (len(site.arrivals) - 1.5) * interval, (span, site.arrivals)


def test_no_probe_goes_into_a_hold_the_host_announced(sites):
    """Behind a token bucket that answers 429 with Retry-After, the probe
    waits out every hold like the pages: nothing reaches the host between a
    refusal and the reset it announced (one request in flight at a time)."""
    site = sites[2]
    shop = html("Example Shop", "Welcome to the shop. " * 10)
    site.route = lambda path: (200, {}, article("Item") if path.startswith("/item/") else shop)
    # One token a second: only a client stalled a second before each of its
    # four requests would meet no refusal (a loaded machine's stalls, up to
    # ~0.8 s seen, refilled a bucket of 4 a second: no hold was tested).
    bucket = TokenBucket(rate=1, burst=1, style="seconds")
    site.reset(limiter=bucket, latency=0.01)
    urls = [site.url("/item/1"), site.url("/item/2"), site.url("/old/gone/page")]
    judged = {r.url: r for r in check(urls, _limited(1, method="GET", retries=2))}
    assert _is_soft_404(judged[site.url("/old/gone/page")]), judged
    assert judged[site.url("/item/1")].outcome is Outcome.OK and judged[site.url("/item/2")].outcome is Outcome.OK
    assert bucket.resets, "the bucket never refused: the test did not test a hold"
    for announced, until in bucket.resets:
        inside = [t for t in site.arrivals if announced < t < until - 0.005]
        assert not inside, (announced, until, inside)
    assert len([path for path in site.hits if "no-such-page" in path]) == 1


def test_a_probe_no_page_needs_does_not_hold_the_run(sites):
    """Pages that answer 404 need no comparison: the run ends while the
    host still holds the probe (it is a request of the host's queue, not a
    result the run waits for)."""
    site = sites[0]
    release, answered = threading.Event(), threading.Event()

    def route(path: str) -> Answer:
        if "no-such-page" in path:
            release.wait(10)
            answered.set()
            return 200, {}, html("Shop", "Welcome.")
        return 404, {}, b""

    site.route = route
    site.reset()
    try:
        results = check([site.url(f"/gone/{n}") for n in range(3)], SETTINGS)
        assert not answered.is_set()  # the run did not wait for the probe
        assert all(r.outcome is Outcome.BROKEN and r.status == 404 for r in results), results
    finally:
        release.set()


# -- a probe that fails is asked once ------------------------------------------------------------
NOTICE_PAGE = html("404 Not Found", "Nothing here.")


def _failing_probe_site(site: Site, probe: Callable[[], Answer]) -> list[str]:
    """Pages of a host whose path that cannot exist answers `probe()`: a
    real article and a page titled "404 Not Found" (read with GET)."""
    site.route = lambda path: (
        probe() if "no-such-page" in path else (200, {}, NOTICE_PAGE if path == "/gone" else article("Fine"))
    )
    site.reset()
    return [site.url("/gone"), site.url("/fine/1"), site.url("/fine/2")]


def _judged_without_the_probe(site: Site, urls: list[str], results) -> None:
    judged = {r.url: r for r in results}
    assert _is_soft_404(judged[urls[0]]) and "not-found title" in judged[urls[0]].error, judged[urls[0]]
    assert all(judged[url].outcome is Outcome.OK for url in urls[1:]), judged
    assert site.probes() == 1, site.hits  # one probe request, though retries are allowed


@pytest.mark.parametrize("status", [500, 502, 504, 408])
def test_a_probe_answered_with_a_server_error_is_asked_once(sites, status):
    """A host whose unknown paths answer 5xx (or 408): the probe is one
    request, not retried like a page; its pages are judged without it."""
    site = sites[1]
    urls = _failing_probe_site(site, lambda: (status, {}, b"server error"))
    rule = {"127.0.0.1": {"method": "GET"}}
    results = check(urls, LinkSettings(allow_private=("*",), retries=2, backoff=0.01, timeout=10, hosts=rule))
    _judged_without_the_probe(site, urls, results)


def test_a_probe_that_hangs_is_asked_once_and_holds_pages_one_timeout(sites):
    """A host whose unknown paths never answer: the probe times out once and
    is not retried; the pages waiting for it are judged without it, held by
    that one timeout, not by the retries' (which the run would wait through:
    three timeouts and two backoffs)."""
    site = sites[1]
    release = threading.Event()

    def hang() -> Answer:
        release.wait(30)
        return 200, {}, b""

    timeout, retries = 1.0, 2
    urls = _failing_probe_site(site, hang)
    rule = {"127.0.0.1": {"method": "GET"}}
    try:
        results = check(urls, LinkSettings(allow_private=("*",), retries=retries, timeout=timeout, hosts=rule))
    finally:
        release.set()
    _judged_without_the_probe(site, urls, results)
    assert all(r.elapsed_ms < (retries + 1) * timeout * 1000 for r in results), [r.elapsed_ms for r in results]


# -- the title rule, over families of titles -----------------------------------------------------
SEPARATORS = st.sampled_from([" | ", " – ", " - ", " · ", " : "])


@given(notice=NOTICES, site=st.lists(WORDS, min_size=1, max_size=4).map(" ".join), sep=SEPARATORS, first=st.booleans())
def test_a_not_found_notice_beside_the_sites_name_is_a_notice(notice, site, sep, first):
    assert says_not_found(f"{notice}{sep}{site}" if first else f"{site}{sep}{notice}")


# The words a notice itself is made of ("Error 404", "The page was not found"):
# a title of nothing but these ("Error 404 error") is a notice, not a mention.
NOTICE_WORDS = {"error", "http", "the", "this", "page", "file", "not", "found", "was"}
OWN_WORDS = WORDS.filter(lambda word: word not in NOTICE_WORDS)


@given(
    before=st.tuples(OWN_WORDS, st.lists(WORDS, max_size=4)).map(lambda t: " ".join([t[0], *t[1]])),
    after=st.tuples(st.lists(WORDS, max_size=4), OWN_WORDS).map(lambda t: " ".join([*t[0], t[1]])),
    phrase=st.sampled_from(["404", "not found", "page not found", "404 not found", "does not exist"]),
)
def test_a_title_that_only_mentions_not_found_is_no_notice(before, after, phrase):
    """ "How to design a 404 page", "Lost and not found stories": the phrase
    inside a longer title with words of its own on both sides (no separator
    setting it apart) is no notice. The words next to the phrase may be a
    notice's own ("design error 404 page"); the title's ends are not."""
    assert not says_not_found(f"{before} {phrase} {after}")


@pytest.mark.parametrize("title", ["Error 404 error", "error 404", "404 error", "The page was not found"])
def test_a_title_made_only_of_a_notices_words_is_a_notice(title):
    """The other side of the rule above: nothing but a notice's words is a
    notice, even when a word repeats."""
    assert says_not_found(title)


# -- history ------------------------------------------------------------------------------------
def test_a_soft_404_goes_through_the_history_and_flap_damping_like_any_failure(sites, tmp_path):
    """`check-links` run twice with its cache on a catch-all site: the gone
    URL's streak counts 1, then 2, since the first run's time; the weekly
    issue (`ci link-issue --after 2`) opens nothing after the first run
    and lists it as broken after the second. The live
    page is a success the second run takes from the cache."""
    site = sites[1]
    shop = html("Example Shop", "Welcome to the shop. " * 10)
    site.route = lambda path: (200, {}, article("A product") if path == "/product/1" else shop)
    live, gone = site.url("/product/1"), site.url("/product/9/discontinued")
    make_project(tmp_path, {"live": live, "gone": gone})
    (tmp_path / "issues.json").write_text("[]")
    seen = []
    for run in (1, 2):
        report = tmp_path / f"run{run}.json"
        done = run_cli(tmp_path, "check-links", "readings", "--allow-private", "127.0.0.0/8", "--retries", "0",
                       "--format", "json", "--output", str(report))  # fmt: skip
        assert done.returncode == 1, done.stderr
        by_url = {r["url"]: r for r in json.loads(report.read_text())["results"]}
        assert by_url[gone]["outcome"] == "broken" and by_url[gone]["kind"] == "soft-404", by_url[gone]
        assert by_url[live]["outcome"] == "ok" and by_url[live]["cached"] == (run == 2)
        seen.append(by_url[gone])
        issue = run_cli(tmp_path, "ci", "link-issue", "--report", str(report), "--issues", "issues.json",
                        "--after", "2")  # fmt: skip
        assert issue.returncode == 0, issue.stderr
        decision = json.loads(issue.stdout)
        if run == 1:
            assert decision["action"] == "none", decision
        else:
            assert decision["action"] == "open" and gone in decision["body"] and live not in decision["body"]
    assert [r["failures"] for r in seen] == [1, 2]
    assert seen[0]["failing_since"] == seen[1]["failing_since"] == seen[0]["checked_at"]
