"""Shared live messages framed by hand and written straight to uvicorn's transport (schema/live/frames.py).

These run the app under a real uvicorn server (in this process, on a loopback port, sharing the test's
database) and real `websockets` clients, since the fast path exists only there; the in-process ASGI
transport of the other live tests always takes the ordinary path. A client that negotiated compression
must get the ordinary (compressed) frames, and both must read the same messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from bench.harness.marketplace import Marketplace
from schema.live.frames import _header
from schema.live.groups import LiveGroups
from server.app import create_app
from server.services.accounts import issue_token
from tests.api.conftest import test_settings as settings_for
from tests.live.test_subscriptions import INBOX


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def served(db: str, market: Marketplace) -> AsyncIterator[tuple[str, LiveGroups]]:
    """The app under uvicorn (websockets-sansio, its default), as the Procfile runs it."""
    app = create_app(settings_for(db), manage_database=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.025)
    assert server.started, "uvicorn did not start"
    try:
        yield f"ws://127.0.0.1:{port}/graphql", app.state.live
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def inbox(url: str, token: str, *, compressed: bool) -> ClientConnection:
    connection = await connect(
        url, subprotocols=["graphql-transport-ws"], compression="deflate" if compressed else None
    )
    await connection.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await connection.recv())["type"] == "connection_ack"
    await connection.send(json.dumps({"id": "7", "type": "subscribe", "payload": {"query": INBOX}}))
    return connection


async def next_message(connection: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(connection.recv(), 5))
        if message["type"] != "ping":
            return message


async def test_members_get_hand_framed_messages_and_compressing_clients_the_ordinary_ones(
    served, market: Marketplace
) -> None:
    url, groups = served
    token, _ = await issue_token(market.users["harbour"], "login")
    plain = [await inbox(url, token, compressed=False) for _ in range(3)]
    deflating = await inbox(url, token, compressed=True)
    try:
        for _ in range(200):
            if groups.member_count == 4:
                break
            await asyncio.sleep(0.01)
        assert groups.member_count == 4 and len(groups) == 1
        referrals = [await market.referral(), await market.referral()]
        for referral in referrals:
            received = [await next_message(connection) for connection in [*plain, deflating]]
            assert all(message == received[0] for message in received)
            assert received[0]["id"] == "7" and received[0]["type"] == "next"
            inbox_message = received[0]["payload"]["data"]["referralInbox"]
            assert inbox_message["referral"] == {"reference": referral.reference, "status": "OPEN"}
        assert groups.framed == 2 * len(plain), "the compressing client's messages went the ordinary way"
    finally:
        for connection in [*plain, deflating]:
            with contextlib.suppress(Exception):
                await connection.close()


def test_frame_headers_follow_rfc_6455_lengths() -> None:
    assert _header(125) == bytes((0x81, 125))
    assert _header(126) == bytes((0x81, 126, 0, 126))
    assert _header(65_535) == bytes((0x81, 126, 255, 255))
    assert _header(65_536) == bytes((0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0))


class _Transport(asyncio.Transport):
    """What uvicorn's protocol writes, kept."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)


async def test_uvicorn_still_has_the_private_protocol_state_the_frame_writer_reads() -> None:
    """schema/live/frames.py reads uvicorn's websockets-sansio protocol object, which is not public API.

    If an upgrade of uvicorn (pinned in pyproject.toml) renames or drops what it reads, this fails and says
    what is missing, rather than every shared message quietly taking the slower ordinary path.
    """
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from uvicorn.server import ServerState
    from websockets.protocol import State

    from schema.live import frames

    assert frames.WebSocketsSansIOProtocol is WebSocketsSansIOProtocol, "schema.live.frames cannot import it"
    config = uvicorn.Config(create_app, factory=True, ws="websockets-sansio", ws_per_message_deflate=False)
    config.load()
    protocol = WebSocketsSansIOProtocol(config, ServerState(), {})
    transport = _Transport()
    protocol.connection_made(transport)
    missing = [
        name
        for name in ("conn", "transport", "handshake_complete", "close_sent", "writable", "send")
        if not hasattr(protocol, name)
    ]
    missing += [
        f"conn.{name}"
        for name in ("state", "extensions", "expect_continuation_frame")
        if not hasattr(protocol.conn, name)
    ]
    assert not missing, f"uvicorn's WebSocketsSansIOProtocol no longer has {missing}: see schema/live/frames.py"
    assert protocol.transport is transport and isinstance(protocol.writable, asyncio.Event)
    assert protocol.send.__self__ is protocol, "uvicorn's ASGI send is no longer the protocol's own method"

    write = frames.frame_writer({frames.SCOPE_KEY: protocol.send})
    assert write is not None
    assert write(b"{", b"}") is False, "before the handshake nothing is framed by hand"
    protocol.handshake_complete = True
    protocol.conn.state = State.OPEN
    assert write(b'{"id":"1",', b'"type":"next"}') is True
    assert transport.written == _header(24) + b'{"id":"1","type":"next"}'
    protocol.writable.clear()  # paused by flow control
    assert write(b"{", b"}") is False
    protocol.writable.set()
    protocol.close_sent = True
    assert write(b"{", b"}") is False
