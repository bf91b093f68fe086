"""Websocket clients in-process (httpx-ws over ASGI), sharing the test's database and event hub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from bench.harness.marketplace import Marketplace
from server.app import create_app
from server.services.accounts import issue_token
from tests.api.conftest import test_settings


class GraphQLSocket:
    """A graphql-transport-ws conversation, spoken by hand so the protocol itself is under test."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._next_id = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.receive_text(), timeout))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            if message["type"] not in ("pong", "ka"):  # keep-alives of both protocols
                return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        operation = str(self._next_id)
        await self.send(
            {"id": operation, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )
        return operation


@pytest.fixture
async def live(db: str, market: Marketplace) -> AsyncIterator[Any]:
    """connect(user_key) opens a websocket; the transport lives in the test's own task (anyio requires it)."""
    app = create_app(test_settings(db), manage_database=False)
    async with app.router.lifespan_context(app):

        @asynccontextmanager
        async def connect(user_key: str | None, protocol: str = "graphql-transport-ws") -> AsyncIterator[GraphQLSocket]:
            transport = ASGIWebSocketTransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                async with aconnect_ws("http://testserver/graphql", client, subprotocols=[protocol]) as ws:
                    socket = GraphQLSocket(ws)
                    payload = {}
                    if user_key is not None:
                        token, _ = await issue_token(market.users[user_key], "login")
                        payload = {"Authorization": f"Bearer {token}"}
                    await socket.send({"type": "connection_init", "payload": payload})
                    yield socket

        connect.app = app  # type: ignore[attr-defined]
        yield connect
