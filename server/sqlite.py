"""SQLite through tortoise's aiosqlite client, with reads on a connection of their own.

tortoise's client has one connection and one lock: every statement waits for the lock, and a transaction holds
it from BEGIN to COMMIT. So a duty desk's inbox read waits behind a council's publish, and the publish waits
behind every read queued before it. In WAL mode (server.database sets it) SQLite lets readers go on while the
single writer writes, each reader seeing the last commit, so this client keeps a few more connections (READERS)
for plain reads (SELECT, or WITH ... SELECT) made outside a transaction: each is taken by one statement at a time,
and each runs on its own thread, so statements gathered together (the contract figures') run side by side, one
per core, while the writer writes. Everything else (transactions, and any statement that writes) keeps the
writer connection and its lock, as before, so writes are never interleaved. A read made inside a transaction
goes through the transaction's own connection, and sees its uncommitted writes, as before.

Every connection also knows `median(x)`, an aggregate SQLite lacks and PostgreSQL has (`percentile_cont(0.5)`),
and `median_high(x)`, the upper of the middle two (PostgreSQL's `percentile_disc(0.5)` in descending order):
the contract figures' and dashboards' medians are one GROUP BY, not a sort per window (server.repositories.statements
`Composer.median`).

Used in place of `tortoise.backends.sqlite` for sqlite:// URLs (server.database); an in-memory database has one
connection only, as before.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import statistics
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

BUSY_TIMEOUT_MS = 5000
# Reader connections: one per core (SQLite runs a statement on the calling thread, without the GIL), at least 2.
READERS = max(2, min(4, os.cpu_count() or 2))
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _reads_only(query: str) -> bool:
    head = query.lstrip()[:6].upper()
    return head == "SELECT" or (head[:4] == "WITH" and not _WRITES.search(query))


class Median:
    """The `median(x)` aggregate: the middle value of the non-null x, or the mean of the middle two (as
    PostgreSQL's `percentile_cont(0.5)`); null when there are none."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return float(statistics.median(self.values)) if self.values else None


class MedianHigh(Median):
    """The `median_high(x)` aggregate: the middle value of the non-null x, or the upper of the middle two (as
    PostgreSQL's `percentile_disc(0.5)` over x in descending order: a value that occurs, never a mean)."""

    def finalize(self) -> float | None:
        return statistics.median_high(self.values) if self.values else None


async def _with_functions(connection: aiosqlite.Connection) -> None:
    # On the connection's own thread: sqlite3 connections are used only from the thread that made them.
    await connection._execute(connection._conn.create_aggregate, "median", 1, Median)
    await connection._execute(connection._conn.create_aggregate, "median_high", 1, MedianHigh)


class _ReaderWrapper(ConnectionWrapper):
    """A reader connection from the pool, held for one statement (one at a time on an aiosqlite connection)."""

    def __init__(self, client: ReadApartClient) -> None:
        self.client = client
        self.connection = None

    async def __aenter__(self) -> aiosqlite.Connection:
        self.connection = await self.client._take_reader()
        return self.connection

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.client._give_back(self.connection)


class ReadApartClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.pragmas.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        self._readers: list[aiosqlite.Connection] = []
        self._idle_readers: deque[aiosqlite.Connection] = deque()
        self._waiting: deque[asyncio.Future[aiosqlite.Connection]] = deque()

    @property
    def _shared_file(self) -> bool:
        return self.filename not in ("", ":memory:") and "mode=memory" not in self.filename

    async def create_connection(self, with_db: bool) -> None:
        had_writer = self._connection is not None
        await super().create_connection(with_db)
        if not had_writer and self._connection is not None:
            await _with_functions(self._connection)
        if not self._readers and self._shared_file:
            self._idle_readers, self._waiting = deque(), deque()
            for _ in range(READERS):
                reader = await self._open_reader()
                self._readers.append(reader)
                self._give_back(reader)

    async def _open_reader(self) -> aiosqlite.Connection:
        reader = await aiosqlite.connect(self.filename, isolation_level=None)
        reader._conn.row_factory = sqlite3.Row
        for pragma in ("foreign_keys", "busy_timeout", "synchronous"):
            if pragma in self.pragmas:
                cursor = await reader.execute(f"PRAGMA {pragma}={self.pragmas[pragma]}")
                await cursor.close()
        cursor = await reader.execute("PRAGMA query_only=ON")  # a write sent here by mistake fails loudly
        await cursor.close()
        await _with_functions(reader)
        return reader

    async def _take_reader(self) -> aiosqlite.Connection:
        """A reader, in the order they were asked for: one given back goes to the longest waiting statement,
        never to one asked for since (as an `asyncio.Queue` would let a running task take it first, and the
        waiter lose its place), so a view's statements run in the order it asks for them."""
        if not self._readers:
            await self.create_connection(with_db=True)
        if self._idle_readers and not self._waiting:
            return self._idle_readers.popleft()
        waiter: asyncio.Future[aiosqlite.Connection] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give_back(waiter.result())  # handed over as the wait was cancelled: pass it on
            raise

    def _give_back(self, reader: aiosqlite.Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(reader)
                return
        self._idle_readers.append(reader)

    async def close(self) -> None:
        readers, self._readers = self._readers, []
        for reader in readers:
            await reader.close()
        await super().close()

    def _for(self, query: str) -> ConnectionWrapper:
        if self._shared_file and _reads_only(query):
            return _ReaderWrapper(self)
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
