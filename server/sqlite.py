"""SQLite through tortoise's aiosqlite client, with reads on a connection of their own.

tortoise's client has one connection and one lock: every statement waits for the lock, and a transaction holds
it from BEGIN to COMMIT. So a duty desk's inbox read waits behind a council's publish, and the publish waits
behind every read queued before it. In WAL mode (server.database sets it) SQLite lets readers go on while the
single writer writes, each reader seeing the last commit, so this client keeps a second connection for plain
SELECTs made outside a transaction. Everything else (transactions, and any statement that writes) keeps the
writer connection and its lock, as before, so writes are never interleaved. A read made inside a transaction
goes through the transaction's own connection, and sees its uncommitted writes, as before.

Used in place of `tortoise.backends.sqlite` for sqlite:// URLs (server.database); an in-memory database has one
connection only, as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

BUSY_TIMEOUT_MS = 5000


def _reads_only(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT"


class _ReaderWrapper(ConnectionWrapper):
    """The reader connection, under its own lock (one statement at a time on one aiosqlite connection)."""

    def __init__(self, lock: asyncio.Lock, client: ReadApartClient) -> None:
        self._lock = lock
        self.client = client
        self.connection = client._reader

    async def ensure_connection(self) -> None:
        if not self.connection:
            await self.client.create_connection(with_db=True)
            self.connection = self.client._reader


class ReadApartClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.pragmas.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        self._reader: aiosqlite.Connection | None = None
        self._read_lock = asyncio.Lock()

    @property
    def _shared_file(self) -> bool:
        return self.filename not in ("", ":memory:") and "mode=memory" not in self.filename

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._reader is None and self._shared_file:
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader._conn.row_factory = sqlite3.Row
            for pragma in ("foreign_keys", "busy_timeout", "synchronous"):
                if pragma in self.pragmas:
                    cursor = await reader.execute(f"PRAGMA {pragma}={self.pragmas[pragma]}")
                    await cursor.close()
            cursor = await reader.execute("PRAGMA query_only=ON")  # a write sent here by mistake fails loudly
            await cursor.close()
            self._reader = reader

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        await super().close()

    def _for(self, query: str) -> ConnectionWrapper:
        if self._shared_file and _reads_only(query):
            return _ReaderWrapper(self._read_lock, self)
        return self.acquire_connection()

    @translate_exceptions
    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, Sequence[dict]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        async with self._for(query) as connection:
            self.log.debug("%s: %s", query, values)
            start = connection.total_changes
            rows = await connection.execute_fetchall(query, values)
            return (connection.total_changes - start) or len(rows), rows

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        async with self._for(query) as connection:
            self.log.debug("%s: %s", query, values)
            return list(map(dict, await connection.execute_fetchall(query, values)))


client_class = ReadApartClient
