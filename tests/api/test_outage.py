"""A database that stops answering: API clients get a 503 they can retry, websockets a close code, and the
health checks say so. A real outage: PostgreSQL refuses the database's connections and drops the open ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from bench.harness.marketplace import Marketplace
from bench.harness.scratch_postgres import POSTGRES_ADMIN_URL
from server.services.accounts import issue_token
from tests.api.conftest import Api
from tests.live.conftest import GraphQLSocket

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@asynccontextmanager
async def database_down(url: str) -> AsyncIterator[None]:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_a_signed_in_request_during_an_outage_is_a_json_503_with_a_request_id(
    api: Api, market: Marketplace, database_url: str
) -> None:
    token, _ = await issue_token(market.users["harbour"], "api")  # not yet remembered: its check needs the database
    async with database_down(database_url):
        response = await api.client.post(
            "/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        health = await api.client.get("/healthz")
        ready = await api.client.get("/readyz")
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert response.headers["x-request-id"]
    assert (health.status_code, health.json()["database"]) == (503, "unavailable")
    assert ready.status_code == 503
    assert (await api.client.get("/healthz")).json() == {"status": "ok", "database": "ok", "bus": "in-process"}


async def test_a_websocket_during_an_outage_is_closed_with_try_again_later(
    api: Api, market: Marketplace, database_url: str
) -> None:
    token, _ = await issue_token(market.users["harbour"], "login")
    transport = ASGIWebSocketTransport(app=api.app)
    async with database_down(database_url):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            async with aconnect_ws("http://testserver/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
                socket: Any = GraphQLSocket(ws)
                await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
                with pytest.raises(WebSocketDisconnect) as closed:
                    await socket.receive()
    assert closed.value.code == 1013


async def test_a_caller_whose_token_is_remembered_is_still_told_service_unavailable(
    api: Api, market: Marketplace, database_url: str
) -> None:
    token, _ = await issue_token(market.users["harbour"], "api")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.client.post("/graphql", json={"query": "{ me { email } }"}, headers=headers)).status_code == 200
    async with database_down(database_url):  # the token is remembered: no token check meets the outage
        response = await api.client.post(
            "/graphql", json={"query": "{ referrals(first: 5) { edges { node { id } } } }"}, headers=headers
        )
    codes = [error.get("extensions", {}).get("code") for error in response.json()["errors"]]
    assert codes == ["SERVICE_UNAVAILABLE"]
