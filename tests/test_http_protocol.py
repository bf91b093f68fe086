"""The header deadline: a client that trickles its headers, or sends nothing, is closed; a normal request is
answered, and so is the next request on the same keep-alive connection. Against a real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import uvicorn

from bench.harness.servers import free_port
from server.http_protocol import HeaderTimeoutProtocol


class QuickDeadline(HeaderTimeoutProtocol):
    header_timeout = 0.5


async def hello(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
async def port() -> AsyncIterator[int]:
    chosen = free_port()
    server = uvicorn.Server(
        uvicorn.Config(hello, host="127.0.0.1", port=chosen, http=QuickDeadline, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield chosen
    server.should_exit = True
    await task


async def _closed_after(reader: asyncio.StreamReader) -> float:
    started = time.monotonic()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # the server closed the connection
    return time.monotonic() - started


async def test_headers_sent_a_byte_at_a_time_are_cut_off_at_the_deadline(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
    with pytest.raises((ConnectionError, AssertionError)):
        for _ in range(30):  # 3 s of trickling, far past the 0.5 s deadline
            writer.write(b"X-Slow: 1\r\n")
            await writer.drain()
            await asyncio.sleep(0.1)
            assert not reader.at_eof()
    await asyncio.wait_for(reader.read(), 5)
    assert time.monotonic() - started < 2
    writer.close()


async def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert 0.3 < await _closed_after(reader) < 2
    writer.close()


async def test_prompt_requests_are_answered_and_keep_alive_still_works(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(2):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200") and await reader.readexactly(2) == b"ok"
        await asyncio.sleep(0.8)  # idle past the header deadline between requests: not a slow header
    writer.close()
