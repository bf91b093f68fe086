"""A scratch PostgreSQL database: uniquely named, created on the admin server, dropped afterwards.

The drop is `WITH (FORCE)`, so connections a test or a server process left open do not keep it alive.
Use `async_scratch_postgres_database` inside an event loop, `scratch_postgres_database` where none is running
(pytest's session fixtures, a benchmark's main before it starts its own loops).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit

POSTGRES_ADMIN_URL = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def async_scratch_postgres_database(prefix: str, admin_url: str = POSTGRES_ADMIN_URL) -> AsyncIterator[str]:
    """Yields the URL of a new database named `<prefix>_<random>`; drops it however the block ends."""
    name = _unique_name(prefix)
    await _execute(admin_url, _create(name))
    try:
        yield database_url(admin_url, name)
    finally:
        await _execute(admin_url, _drop(name))


@contextmanager
def scratch_postgres_database(prefix: str, admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """`async_scratch_postgres_database` where no event loop is running: each statement runs in a loop of its own."""
    name = _unique_name(prefix)
    asyncio.run(_execute(admin_url, _create(name)))
    try:
        yield database_url(admin_url, name)
    finally:
        asyncio.run(_execute(admin_url, _drop(name)))


def database_url(admin_url: str, name: str) -> str:
    """The admin URL with its database swapped for `name` (user, host, port and options kept)."""
    return urlsplit(admin_url)._replace(path=f"/{name}").geturl()


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _create(name: str) -> str:
    return f'CREATE DATABASE "{name}"'


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


async def _execute(admin_url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1), timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
