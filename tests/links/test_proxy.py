"""HTTP(S)_PROXY and NO_PROXY through httpx, against a real forward proxy
on loopback (servers.Proxy): plain http in absolute form, https through a
CONNECT tunnel to a TLS origin whose certificate is still verified (the
test CA is trusted through SSL_CERT_FILE), an https:// proxy whose own
certificate is verified, a proxy that is down or refuses (kind `proxy`,
named, never its password, kept out of history), proxy credentials, and
the address guard, which looks at the target, never at the proxy the user
chose."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import trustme

from readlist.links.fasthead import FastHead
from readlist.links.guard import AddressGuard
from readlist.links.settings import LinkSettings
from readlist.links.transport import Declined, Proxies

from .helpers import PLAIN, TLS_BAD, TLS_GOOD, make_project, run_cli, run_json
from .servers import Proxy

A, B = PLAIN[0], PLAIN[1]


@pytest.fixture
def proxy():
    running = Proxy()
    yield running
    running.close()


def _tls_proxy(ca: trustme.CA) -> Proxy:
    """An https:// proxy on 127.0.0.1 whose certificate `ca` issued."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return Proxy(tls=context)


def _environment(monkeypatch, **names: str) -> None:
    """Exactly these proxy variables (urllib prefers the lower-case ones)."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in names.items():
        monkeypatch.setenv(name, value)


def _results(project, *args, hosts):
    done, _, by_url = run_json(project, "--no-cache", "--retries", "0", *args, hosts=hosts)
    assert "Traceback" not in done.stderr, done.stderr
    return done, by_url


def test_https_goes_through_a_connect_tunnel_and_the_origin_is_still_verified(hosts, tmp_path, proxy, monkeypatch):
    good = hosts.url(TLS_GOOD, "/ok?via-connect", "https")
    gone = hosts.url(TLS_GOOD, "/404?via-connect", "https")
    wrong_name = hosts.url(TLS_BAD, "/ok?via-connect", "https")
    make_project(tmp_path, {"good": good, "gone": gone, "wrong": wrong_name})
    _environment(monkeypatch, HTTPS_PROXY=proxy.url)
    # Only the targets are allowed: the proxy (127.0.0.1) is the user's own
    # choice and is connected to without the address guard.
    done, by_url = _results(tmp_path, "--allow-private", TLS_GOOD, "--allow-private", TLS_BAD, hosts=hosts)
    assert by_url[good]["outcome"] == "ok"
    assert by_url[gone]["outcome"] == "broken" and by_url[gone]["status"] == 404
    assert by_url[wrong_name]["outcome"] == "error" and by_url[wrong_name]["kind"] == "tls"
    good_origin, bad_origin = f"{TLS_GOOD}:{hosts.ports[TLS_GOOD]}", f"{TLS_BAD}:{hosts.ports[TLS_BAD]}"
    assert set(proxy.connects()) == {good_origin, bad_origin} and not proxy.targets()
    assert hosts.times(TLS_GOOD, "/ok?via-connect")  # the origin answered, through the tunnel
    assert done.returncode == 1  # the broken and the TLS error


def test_plain_http_goes_to_the_proxy_in_absolute_form_and_no_proxy_bypasses_it(hosts, tmp_path, proxy, monkeypatch):
    via, broken = hosts.url(A, "/ok?via-proxy"), hosts.url(A, "/404?via-proxy")
    direct, direct_tls = hosts.url(B, "/ok?no-proxy"), hosts.url(TLS_GOOD, "/ok?no-proxy", "https")
    make_project(tmp_path, {"via": via, "broken": broken, "direct": direct, "direct-tls": direct_tls})
    _environment(monkeypatch, HTTP_PROXY=proxy.url, HTTPS_PROXY=proxy.url, NO_PROXY=f"{B},{TLS_GOOD}")
    _, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
    assert {url: r["outcome"] for url, r in by_url.items()} == {
        via: "ok",
        broken: "broken",
        direct: "ok",
        direct_tls: "ok",
    }
    # HEAD (the lean client declines when a proxy applies) and the GET that
    # follows a 404, each as an absolute-form request line
    assert ("HEAD", via) in proxy.requests and ("HEAD", broken) in proxy.requests
    assert ("GET", broken) in proxy.requests
    assert not proxy.connects() and direct not in proxy.targets()  # NO_PROXY, http and https
    assert hosts.times(B, "/ok?no-proxy") and hosts.times(TLS_GOOD, "/ok?no-proxy")  # asked directly


# A proxy that is down: the discard port, which nothing on loopback listens
# on (a port just freed by closing a proxy may be taken by another xdist worker).
DOWN = "127.0.0.1:9"


def test_a_proxy_that_is_down_is_a_proxy_error_that_names_it(hosts, tmp_path, monkeypatch):
    url, tls = hosts.url(A, "/ok?proxy-down"), hosts.url(TLS_GOOD, "/ok?proxy-down", "https")
    make_project(tmp_path, {"plain": url, "tls": tls})
    # credentials in the variable, as they often are; never in a report
    _environment(monkeypatch, ALL_PROXY=f"http://someone:s3cret@{DOWN}")
    done, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
    for result in by_url.values():
        assert result["outcome"] == "error" and result["kind"] == "proxy", result
        assert result["error"].startswith(f"proxy: cannot connect to http://{DOWN}"), result
    assert done.returncode == 1 and "s3cret" not in done.stdout + done.stderr
    assert not hosts.times(A, "/ok?proxy-down") and not hosts.times(TLS_GOOD, "/ok?proxy-down")
    text = run_cli(tmp_path, "check-links", "--no-cache", "--retries", "0", "--allow-private", hosts=hosts)
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert f"error: {url} proxy: cannot connect to http://{DOWN}" in text.stdout


UNUSABLE = "not a usable proxy URL (expected http(s)://[user:password@]host[:port]"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("ALL_PROXY", "socks5://someone:s3cret@127.0.0.1:1080", "only http:// and https:// proxies are supported"),
        ("HTTP_PROXY", "http://127.0.0.1:notaport", UNUSABLE),
        # a '/', '#' or '?' in a password ends the host part early: httpx's own
        # message quoted part of it ("Invalid port: 's3cr'") in every link's error
        ("https_proxy", "http://someone:s3cr/et@127.0.0.1:3128", UNUSABLE),
        ("ALL_PROXY", "http://someone:s3cr#et@127.0.0.1:3128", UNUSABLE),
        ("http_proxy", "http://someone:s3cr?et@127.0.0.1:3128", UNUSABLE),
    ],
)
def test_a_proxy_setting_it_cannot_use_is_a_bad_setting_named_before_any_request(
    hosts, tmp_path, monkeypatch, name, value, message
):
    url, tls = hosts.url(A, "/ok?odd-proxy"), hosts.url(TLS_GOOD, "/ok?odd-proxy", "https")
    make_project(tmp_path, {"plain": url, "tls": tls})
    _environment(monkeypatch, **{name: value})
    done = run_cli(tmp_path, "check-links", "--no-cache", "--allow-private", hosts=hosts)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"readlist: error: {name}: {message}"), done.stderr
    assert "s3cr" not in done.stdout + done.stderr
    assert not hosts.times(A, "/ok?odd-proxy") and not hosts.times(TLS_GOOD, "/ok?odd-proxy")


@pytest.mark.parametrize("status", [407, 502])
def test_a_proxy_that_refuses_connect_is_a_proxy_error_not_a_broken_link(hosts, tmp_path, proxy, monkeypatch, status):
    proxy.connect_status = status
    url = hosts.url(TLS_GOOD, f"/ok?refused-{status}", "https")
    make_project(tmp_path, {"refused": url})
    _environment(monkeypatch, HTTPS_PROXY=proxy.url)
    done, by_url = _results(tmp_path, "--allow-private", TLS_GOOD, hosts=hosts)
    result = by_url[url]
    origin = f"{TLS_GOOD}:{hosts.ports[TLS_GOOD]}"
    assert result["outcome"] == "error" and result["kind"] == "proxy" and result["status"] is None
    assert result["error"] == f"proxy: {proxy.url} refused CONNECT {origin}: {status} Refused by the test"
    assert set(proxy.connects()) == {origin} and not hosts.times(TLS_GOOD, f"/ok?refused-{status}")
    assert done.returncode == 1


def test_proxy_credentials_from_the_url_are_sent_and_their_absence_is_named(hosts, tmp_path, proxy, monkeypatch):
    proxy.credentials = "reader:pa ss"
    url, tls = hosts.url(A, "/ok?proxy-auth"), hosts.url(TLS_GOOD, "/ok?proxy-auth", "https")
    make_project(tmp_path, {"plain": url, "tls": tls})
    _environment(monkeypatch, ALL_PROXY=f"http://reader:pa%20ss@127.0.0.1:{proxy.port}")
    _, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
    assert by_url[url]["outcome"] == "ok" and by_url[tls]["outcome"] == "ok"
    assert proxy.connects() and proxy.targets()

    _environment(monkeypatch, ALL_PROXY=proxy.url)  # no credentials: the proxy answers 407
    _, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
    assert by_url[url]["kind"] == "proxy" and by_url[tls]["kind"] == "proxy"
    assert by_url[url]["error"] == f"proxy: {proxy.url} answered 407 Proxy Authentication Required"
    assert "407" in by_url[tls]["error"] and "CONNECT" in by_url[tls]["error"]


def test_the_address_guard_looks_at_the_target_through_a_proxy(hosts, tmp_path, proxy, monkeypatch):
    """A private target is skipped and never reaches the proxy; a redirect
    into a private address is refused at that hop; a name only the proxy
    can resolve is left to the proxy (the user's own network)."""
    plain, tls = hosts.url(A, "/ok?guard"), hosts.url(TLS_GOOD, "/ok?guard", "https")
    named = f"http://localhost:{hosts.ports[A]}/ok?guard"  # a name that resolves to loopback here
    to_private = hosts.url(A, "/to-private")  # 302 to 127.0.0.3
    intranet = f"http://intranet.invalid:{hosts.ports[A]}/ok?intranet"
    proxy.names["intranet.invalid"] = A
    make_project(tmp_path, {"plain": plain, "tls": tls, "named": named, "redirect": to_private, "intranet": intranet})
    _environment(monkeypatch, ALL_PROXY=proxy.url)

    _, by_url = _results(tmp_path, hosts=hosts)  # nothing allowed
    for url in (plain, tls, named, to_private):
        assert by_url[url]["outcome"] == "skipped" and by_url[url]["kind"] == "unsafe-address", by_url[url]
    assert [(m, t) for m, t in proxy.requests if "no-such-page" not in t] == [("HEAD", intranet)]
    assert by_url[intranet]["outcome"] == "ok"

    _, by_url = _results(tmp_path, "--allow-private", A, hosts=hosts)  # the first hop only
    assert by_url[to_private]["outcome"] == "error" and by_url[to_private]["kind"] == "unsafe-address"
    assert "127.0.0.3" in by_url[to_private]["error"]
    assert not any("127.0.0.3" in target for target in proxy.targets())


def test_the_lean_head_client_declines_when_a_proxy_applies(monkeypatch):
    """One way to pass: the full client takes every request a proxy carries."""
    _environment(monkeypatch, HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="direct.example")
    settings = LinkSettings(allow_private=["*"])
    proxies = Proxies()
    client = FastHead(settings, AddressGuard(settings), lambda: None, proxies)

    async def main():
        with pytest.raises(Declined, match="a proxy applies"):
            await client.request("HEAD", "", urlsplit("http://proxied.example/x"))

    asyncio.run(main())
    assert proxies("http", "proxied.example") == "http://127.0.0.1:9"
    assert proxies("http", "direct.example") is None and proxies("https", "proxied.example") is None


def test_a_proxy_that_is_down_is_retried_and_a_refused_connect_is_not(hosts, tmp_path, proxy, monkeypatch):
    """A proxy that cannot be reached may be back in a moment: retried under
    `retries` like any connection failure, each attempt counted. A refused
    CONNECT is the proxy's policy: one attempt."""
    tls, plain = hosts.url(TLS_GOOD, "/ok?proxy-retry", "https"), hosts.url(A, "/ok?proxy-retry")
    make_project(tmp_path, {"tls": tls, "plain": plain}, "backoff = 0.05\n")
    _environment(monkeypatch, ALL_PROXY=f"http://{DOWN}")
    _, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "2", "--allow-private", "127.0.0.0/8", hosts=hosts)
    assert all(r["kind"] == "proxy" and r["attempts"] == 3 for r in by_url.values()), by_url

    proxy.connect_status = 502
    _environment(monkeypatch, ALL_PROXY=proxy.url)
    _, _, by_url = run_json(tmp_path, "--no-cache", "--retries", "2", "--allow-private", "127.0.0.0/8", hosts=hosts)
    assert (by_url[tls]["kind"], by_url[tls]["attempts"]) == ("proxy", 1)
    assert by_url[plain]["outcome"] == "ok"  # forwarded, not tunnelled: the site answered


def test_an_https_proxy_carries_https_and_http_with_its_own_certificate_verified(hosts, tmp_path, monkeypatch):
    """HTTPS over an https:// proxy (TLS inside TLS), plain HTTP forwarded
    over it; the origin's certificate is still verified inside the tunnel,
    and a proxy whose certificate is not trusted carries nothing."""
    good, wrong = hosts.url(TLS_GOOD, "/ok?over-tls-proxy", "https"), hosts.url(TLS_BAD, "/ok?over-tls-proxy", "https")
    plain = hosts.url(A, "/ok?over-tls-proxy")
    make_project(tmp_path, {"good": good, "wrong": wrong, "plain": plain})
    trusted, untrusted = _tls_proxy(hosts.ca), _tls_proxy(trustme.CA())
    try:
        _environment(monkeypatch, ALL_PROXY=trusted.url)
        _, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
        assert by_url[good]["outcome"] == "ok" and by_url[plain]["outcome"] == "ok"
        assert by_url[wrong]["outcome"] == "error" and by_url[wrong]["kind"] == "tls"
        assert set(trusted.connects()) == {f"{h}:{hosts.ports[h]}" for h in (TLS_GOOD, TLS_BAD)}
        assert trusted.targets() == [plain]
        assert hosts.times(TLS_GOOD, "/ok?over-tls-proxy") and hosts.times(A, "/ok?over-tls-proxy")

        _environment(monkeypatch, ALL_PROXY=untrusted.url)
        _, by_url = _results(tmp_path, "--allow-private", "127.0.0.0/8", hosts=hosts)
        for result in by_url.values():  # never ok: the proxy's certificate is verified
            assert result["outcome"] == "error" and "CERTIFICATE_VERIFY_FAILED" in result["error"], result
        assert not untrusted.requests
    finally:
        trusted.close()
        untrusted.close()


def test_a_proxy_error_is_no_check_of_the_link_and_its_history_stands(hosts, tmp_path, monkeypatch):
    """A proxy outage must not cry wolf: the links it failed to carry keep
    the failure streak they had (a broken link stays at 1 check, a fine one
    at none), and the weekly issue shows them apart, neither opening an
    issue nor closing the open one (it is brought up to date)."""
    gone, fine = hosts.url(A, "/404?history"), hosts.url(A, "/ok?history")
    make_project(tmp_path, {"gone": gone, "fine": fine})
    cache = tmp_path / "history.json"

    def run(name: str) -> dict:
        done, _, by_url = run_json(
            tmp_path, "--cache", str(cache), "--max-age", "0s", "--retries", "0", "--allow-private", A, hosts=hosts
        )
        (tmp_path / name).write_text(done.stdout)
        return by_url

    _environment(monkeypatch)
    first = run("first.json")
    assert (first[gone]["outcome"], first[gone]["failures"], first[fine]["failures"]) == ("broken", 1, 0)

    _environment(monkeypatch, ALL_PROXY=f"http://{DOWN}")  # down
    second = run("second.json")
    assert {url: (r["kind"], r["failures"]) for url, r in second.items()} == {gone: ("proxy", 1), fine: ("proxy", 0)}
    assert second[gone]["failing_since"] == first[gone]["failing_since"]

    issues = tmp_path / "issues.json"
    for listed, action in (([], "none"), ([{"number": 7, "title": "t", "body": "b"}], "update")):
        issues.write_text(json.dumps(listed))
        done = run_cli(tmp_path, "ci", "link-issue", "--report", "second.json", "--issues", str(issues))
        assert done.returncode == 0, done.stderr
        decision = json.loads(done.stdout)
        assert decision["action"] == action, decision  # not opened for a proxy outage, nor closed
    assert "### Not checked (2): the proxy failed" in decision["body"]
    assert "found no broken links among 2" not in decision["body"]
    assert "First-time failures" not in decision["body"] and "### Unreachable" not in decision["body"]

    _environment(monkeypatch)
    third = run("third.json")
    assert (third[gone]["failures"], third[fine]["failures"]) == (2, 0)  # the proxy's run did not count


def test_a_link_the_proxy_did_not_carry_gets_no_archive_look_up_and_no_archived(hosts, tmp_path, monkeypatch):
    """A proxy outage is no news of the link: no Wayback look-up per
    unchecked link, no `archived:` written by --fix, and the snapshot an
    earlier real check found stays in the cache."""
    gone = hosts.url(A, "/404?archive-proxy")
    readings = make_project(
        tmp_path, {"gone": gone}, f'wayback-api = "http://{B}:{hosts.ports[B]}/wayback/available"\n'
    )
    entry, cache = readings / "entries" / "gone.yaml", tmp_path / "cache.json"
    looked_up = lambda: len(hosts.times(B, "/wayback/available"))  # noqa: E731
    before = entry.read_text()

    def run(*args: str) -> dict:
        done, _, by_url = run_json(
            tmp_path,
            "--cache",
            str(cache),
            "--max-age",
            "0s",
            "--retries",
            "0",
            "--allow-private",
            A,
            *args,
            hosts=hosts,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return by_url[gone]

    # the archive (B) is reached directly: only the links go to the proxy
    _environment(monkeypatch, ALL_PROXY=f"http://{DOWN}", NO_PROXY=B)
    asked = looked_up()
    assert run("--fix")["kind"] == "proxy"
    assert looked_up() == asked and entry.read_text() == before  # not looked up, nothing written

    _environment(monkeypatch)  # checked for real: broken, and its snapshot found
    snapshot = run()["archived"]
    assert snapshot and looked_up() == asked + 1

    _environment(monkeypatch, ALL_PROXY=f"http://{DOWN}", NO_PROXY=B)
    result = run("--fix")
    assert result["kind"] == "proxy" and result["archived"] == snapshot  # kept from the real check
    assert looked_up() == asked + 1 and entry.read_text() == before


def test_importing_the_full_client_does_not_count_against_a_requests_timeout(hosts, tmp_path, proxy, monkeypatch):
    """On a loaded machine the first request through a proxy waits for
    httpx/httpcore/h2 to import: our start-up, not the site's or the proxy's
    slowness. Here the import is made to take longer than --timeout."""
    url = hosts.url(A, "/ok?slow-import")
    make_project(tmp_path, {"plain": url})
    _environment(monkeypatch, ALL_PROXY=proxy.url)
    slow_import = (
        "import sys, time\n"
        "class SlowImport:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'readlist.links.fullclient':\n"
        "            time.sleep(2)\n"
        "        return None\n"
        "sys.meta_path.insert(0, SlowImport())\n"
        "from readlist.cli import main\n"
        "sys.exit(main())\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(hosts.ca_file)}
    env.pop("CI", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            slow_import,
            "check-links",
            "readings",
            "--format",
            "json",
            "--no-cache",
            "--retries",
            "0",
            "--timeout",
            "1",
            "--allow-private",
            A,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert (result["url"], result["outcome"], result["attempts"]) == (url, "ok", 1)
    assert proxy.targets() == [url]


def test_a_site_that_stalls_behind_an_https_proxy_is_a_timeout(hosts, tmp_path, monkeypatch):
    """A forwarded request's silence cannot be told from a slow site's: a
    timeout, not the proxy's error."""
    hang = hosts.url(A, "/hang?behind-tls-proxy")
    make_project(tmp_path, {"hang": hang})
    trusted = _tls_proxy(hosts.ca)
    try:
        _environment(monkeypatch, ALL_PROXY=trusted.url)
        _, by_url = _results(tmp_path, "--allow-private", A, "--timeout", "1", hosts=hosts)
        assert (by_url[hang]["outcome"], by_url[hang]["kind"]) == ("timeout", "timeout")
        assert by_url[hang]["error"] == "timeout: no complete answer within 1s"
        assert trusted.targets() == [hang]
    finally:
        trusted.close()


def test_all_proxy_is_not_read_when_http_and_https_have_their_own():
    """ALL_PROXY serves only a scheme without a variable of its own: a SOCKS
    proxy set there for other tools is no bad setting of check-links."""
    from readlist.links.transport import proxy_setting_problem

    socks = {"ALL_PROXY": "socks5://127.0.0.1:1080"}
    assert proxy_setting_problem({**socks, "http_proxy": "http://p:3128", "HTTPS_PROXY": "p:3128"}) is None
    assert proxy_setting_problem({**socks, "http_proxy": "http://p:3128"}).startswith("ALL_PROXY: only http://")
    # the lower-case variable is the one read, and the one named
    assert proxy_setting_problem({"HTTP_PROXY": "http://p:3128", "http_proxy": "http://p:x"}).startswith(
        "http_proxy: not a usable proxy URL"
    )
