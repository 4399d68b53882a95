"""The lean HEAD client on its own: its response parser, split reads,
oversized heads, and the staggered race over several addresses."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from readlist.links import fasthead
from readlist.links.fasthead import FastHead
from readlist.links.guard import AddressGuard
from readlist.links.results import ErrorKind
from readlist.links.settings import LinkSettings
from readlist.links.transport import Declined, Failed

parse = FastHead.parse_head


def test_parser_reads_status_and_joins_repeated_headers():
    status, headers, http11 = parse(b"HTTP/1.1 301 Moved\r\nLocation: /x\r\nVary: a\r\nvary:  b \r\nX-Empty:")
    assert (status, http11) == (301, True)
    assert headers == {"location": "/x", "vary": "a, b", "x-empty": ""}
    assert parse(b"HTTP/1.0 200")[0::2] == (200, False)  # no reason phrase


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded",  # obsolete line folding
        b"HTTP/1.1 200 OK\r\nX-A : 1",  # space before the colon
        b"HTTP/1.1 200 OK\r\nno colon here",
        b"HTTP/2 200",  # not HTTP/1.x
        b"HTTP/1.1 2000 OK",  # four digits
        b"HTTP/1.1 OK 200",
        b"ICY 200 OK",
        b"HTTP/1.1 100 Continue",  # 1xx: the full client handles them
        b"",
    ],
)
def test_parser_declines_what_it_does_not_read(head):
    with pytest.raises(Declined):
        parse(head)


async def _serve(respond) -> tuple[asyncio.AbstractServer, int]:
    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        await respond(writer)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _client() -> FastHead:
    settings = LinkSettings(allow_private=["*"])
    return FastHead(settings, AddressGuard(settings), lambda: None)


def test_a_head_split_over_many_reads_is_put_together():
    async def main():
        async def respond(writer):
            for byte in b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-Split: yes\r\n\r\n":
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.001)

        server, port = await _serve(respond)
        async with server:
            client = _client()
            reply = await client.request("HEAD", "", urlsplit(f"http://127.0.0.1:{port}/x"))
            client.close()
            return reply

    reply = asyncio.run(main())
    assert reply.status == 404 and reply.headers["x-split"] == "yes"


def test_an_oversized_head_is_declined_not_read_on_and_on():
    """The server sends header lines without end: only a client that gives
    up at MAX_HEAD ever returns, and the server sees it hang up."""
    hung_up: list[bool] = []

    async def main():
        gone = asyncio.Event()

        async def respond(writer):
            writer.write(b"HTTP/1.1 200 OK\r\n")
            try:
                while True:  # never a blank line
                    writer.write(b"X-Pad: " + b"a" * 1010 + b"\r\n")
                    await writer.drain()
                    await asyncio.sleep(0)
            except ConnectionError:
                hung_up.append(True)
            finally:
                gone.set()

        server, port = await _serve(respond)
        async with server:
            client = _client()
            try:
                # wait_for only stops a hung test; reading on would never end
                await asyncio.wait_for(client.request("HEAD", "", urlsplit(f"http://127.0.0.1:{port}/big")), 60)
            finally:
                client.close()
                await asyncio.wait_for(gone.wait(), 60)  # the server's side of it

    with pytest.raises(Declined, match="too large"):
        asyncio.run(main())
    assert hung_up == [True]


def test_a_close_before_any_answer_is_a_reset_not_a_decline():
    async def main():
        async def respond(writer):
            writer.close()

        server, port = await _serve(respond)
        async with server:
            client = _client()
            try:
                await client.request("HEAD", "", urlsplit(f"http://127.0.0.1:{port}/x"))
            finally:
                client.close()

    with pytest.raises(Failed) as failed:
        asyncio.run(main())
    assert failed.value.error_kind is ErrorKind.RESET


def test_requests_it_does_not_take_are_declined():
    async def main():
        client = _client()
        for method, url, headers in (
            ("GET", "http://a.example/", None),
            ("HEAD", "http://user@a.example/", None),
            ("HEAD", "http://[::1]/", None),
            ("HEAD", "http://a.example/caf\u00e9", None),
            ("HEAD", "http://a.example/", {"Authorization": "x"}),
        ):
            with pytest.raises(Declined):
                await client.request(method, url, urlsplit(url), headers)

    asyncio.run(main())


def test_several_addresses_race_staggered_and_the_first_to_connect_wins():
    """The first address hangs; the second starts STAGGER later and wins;
    the hanging attempt is cancelled. All failing: one CONNECT failure."""
    started: list[float] = []
    cancelled: list[str] = []

    def starter(delay: float | None, name: str):
        async def connect():
            started.append(time.monotonic())
            try:
                await asyncio.sleep(3600 if delay is None else delay)
            except asyncio.CancelledError:
                cancelled.append(name)
                raise
            return SimpleNamespace(name=name, transport=SimpleNamespace(abort=lambda: None))

        return connect

    async def failing():
        raise OSError(111, "Connection refused")

    async def main():
        t0 = time.monotonic()
        won = await fasthead.race([starter(None, "hangs"), starter(0.01, "second")], 2)
        took = time.monotonic() - t0
        await asyncio.sleep(0)  # let the cancellation land (before asyncio.run cancels anything)
        hanging_cancelled = list(cancelled)
        with pytest.raises(Failed) as failed:
            await fasthead.race([failing, failing], 2)
        return won, took, hanging_cancelled, failed.value

    won, took, hanging_cancelled, failure = asyncio.run(main())
    # The race returned at all, so it did not wait for the hanging attempt
    # (an hour); that one was cancelled. Lower bounds show the stagger.
    assert won.name == "second" and hanging_cancelled == ["hangs"]
    assert took >= fasthead.STAGGER
    assert started[1] - started[0] >= fasthead.STAGGER - 0.01
    assert failure.error_kind is ErrorKind.CONNECT and "2 addresses tried" in str(failure)
