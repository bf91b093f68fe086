"""Who may open a live connection: a cap per user, said in the close reason, on both protocols."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import pytest
from httpx_ws import WebSocketDisconnect

from bench.harness.marketplace import Marketplace
from schema.live.sockets import MAX_SOCKETS_PER_USER


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_one_user_holds_at_most_the_cap_of_live_sockets_and_is_told_why(
    live: Any, market: Marketplace, protocol: str
) -> None:
    async with AsyncExitStack() as stack:
        for _ in range(MAX_SOCKETS_PER_USER):
            socket = await stack.enter_async_context(live("harbour", protocol))
            assert (await socket.receive())["type"] == "connection_ack"
        async with live("harbour", protocol) as extra:
            with pytest.raises(WebSocketDisconnect) as closed:
                await extra.receive()
        assert closed.value.code == 4429 and f"at most {MAX_SOCKETS_PER_USER}" in (closed.value.reason or "")
        async with live("kent_officer", protocol) as someone_else:  # the cap is per user
            assert (await someone_else.receive())["type"] == "connection_ack"
    async with live("harbour", protocol) as again:  # the closed ones no longer count
        assert (await again.receive())["type"] == "connection_ack"
    sockets = live.app.state.live_sockets
    for _ in range(100):  # the server notices each close in its own task
        if sockets.held_by(market.users["harbour"].id) == 0:
            break
        await asyncio.sleep(0.01)
    assert sockets.held_by(market.users["harbour"].id) == 0


async def test_a_query_over_legacy_graphql_ws_is_refused_with_the_protocols_error(live: Any) -> None:
    async with live("harbour", "graphql-ws") as socket:
        assert (await socket.receive())["type"] == "connection_ack"
        await socket.send({"id": "1", "type": "start", "payload": {"query": "{ me { email } }"}})
        refusal = await socket.receive()
    assert refusal == {
        "type": "error",
        "id": "1",
        "payload": {"message": "graphql-ws carries subscriptions only: send queries and mutations to POST /graphql."},
    }


async def test_closing_a_live_socket_leaves_no_task_pending(live: Any, caplog: pytest.LogCaptureFixture) -> None:
    import gc
    import logging

    caplog.set_level(logging.ERROR, logger="asyncio")
    for _ in range(3):
        async with live("harbour") as socket:
            assert (await socket.receive())["type"] == "connection_ack"
            await socket.subscribe("subscription { referralInbox { cursor } }")
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.2)  # the group ends when its last member leaves
    gc.collect()
    await asyncio.sleep(0)
    assert "Task was destroyed but it is pending" not in caplog.text
