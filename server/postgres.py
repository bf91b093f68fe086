"""PostgreSQL through tortoise's asyncpg client, without a reset round trip after every query.

asyncpg's pool resets each connection given back to it with a query of its own (it releases session advisory
locks, closes cursors, stops listening and resets settings): one more round trip after every query made
outside a transaction, and after every transaction. The client sends no SQL of its own. This application
keeps no session state on a connection (its one advisory lock is transaction-scoped, and it never LISTENs,
SETs, DECLAREs a cursor or takes a session lock), so there is nothing for that query to undo. asyncpg still
does its own part: a transaction left open is rolled back and listeners are dropped before the connection
goes back to the pool.

Used in place of `tortoise.backends.asyncpg` for postgres:// URLs (server.database).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """See the module's docstring: no session state to undo."""


class PostgresClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await super().create_pool(reset=_nothing_to_reset, **kwargs)


client_class = PostgresClient
