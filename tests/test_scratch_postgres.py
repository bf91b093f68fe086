"""The scratch PostgreSQL helper the tests and the benchmarks share: a fresh database, always dropped."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bench.harness.scratch_postgres import (
    POSTGRES_ADMIN_URL,
    async_scratch_postgres_database,
    database_url,
    scratch_postgres_database,
)
from tests.conftest import require_postgres


async def _database_exists(name: str) -> bool:
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await admin.close()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def test_scratch_database_is_dropped_even_with_a_connection_left_open() -> None:
    require_postgres()
    async with async_scratch_postgres_database("pe_scratch") as url:
        name = _name(url)
        assert name.startswith("pe_scratch_")
        left_open = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        assert await left_open.fetchval("SELECT current_database()") == name
    assert not await _database_exists(name)
    assert left_open.is_closed() or await _query_fails(left_open)


async def _query_fails(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
        return True
    finally:
        await connection.close()
    return False


def test_scratch_database_without_an_event_loop_is_unique_and_dropped_when_the_block_fails() -> None:
    require_postgres()
    with pytest.raises(RuntimeError, match="the test failed"), scratch_postgres_database("pe_scratch") as url:
        with scratch_postgres_database("pe_scratch") as other:
            assert other != url
            names = (_name(url), _name(other))
            assert all(asyncio.run(_database_exists(name)) for name in names)
        raise RuntimeError("the test failed")
    assert not any(asyncio.run(_database_exists(name)) for name in names)


def test_database_url_swaps_only_the_database_name() -> None:
    assert (
        database_url("postgres://app:secret@db.internal:6543/postgres?sslmode=require", "pe_test_1")
        == "postgres://app:secret@db.internal:6543/pe_test_1?sslmode=require"
    )
