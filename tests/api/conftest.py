"""An in-loop GraphQL client sharing the test's database (httpx over ASGI, lifespan run by hand)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tortoise import connections

from bench.harness.marketplace import PASSWORD, Marketplace
from server.app import create_app
from server.settings import Settings


@dataclass
class Api:
    client: httpx.AsyncClient
    tokens: dict[str, str]
    app: Any = None

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        as_: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if as_ is not None:
            all_headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        return response.json()

    async def sign_in(self, key: str, email: str) -> str:
        body = await self(
            "mutation($input: LoginInput!) { login(input: $input) { token errors { code message } } }",
            {"input": {"email": email, "password": PASSWORD}},
        )
        token = body["data"]["login"]["token"]
        assert token, body
        self.tokens[key] = token
        return token


def test_settings(database_url: str) -> Settings:
    return Settings.from_env({"DATABASE_URL": database_url, "APP_ENV": "development"})


@pytest.fixture
async def api(db: str, market: Marketplace) -> AsyncIterator[Api]:
    app = create_app(test_settings(db), manage_database=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            api = Api(client, {}, app)
            for key, user in market.users.items():
                await api.sign_in(key, user.email)
            yield api


@contextmanager
def statements_run(keep: Callable[[str], bool]) -> Iterator[list[str]]:
    """The SQL of every statement the default connection runs meanwhile that `keep` says to count."""
    connection = connections.get("default")
    seen: list[str] = []
    originals = {name: getattr(connection, name) for name in ("execute_query", "execute_query_dict")}

    def wrap(name: str):
        async def spy(query: str, values: list | None = None):
            if keep(query):
                seen.append(query)
            return await originals[name](query, values)

        return spy

    for name in originals:
        setattr(connection, name, wrap(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(connection, name, original)


def token_lookups() -> AbstractContextManager[list[str]]:
    """Every statement that reads the access_token table meanwhile (not the note of its last use)."""
    return statements_run(lambda query: "access_token" in query and not query.lstrip().upper().startswith("UPDATE"))
