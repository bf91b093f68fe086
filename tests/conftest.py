"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL, Redis (tests/scale starts a private redis-server), Chromium and Node
tests skip on a newcomer's machine that lacks them, with a message saying what
to start or install; when CI is set they must run, so a missing service fails
the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bench.harness.marketplace import Marketplace, build_marketplace
from bench.harness.scratch_postgres import POSTGRES_ADMIN_URL, scratch_postgres_database
from server.database import generate_schemas, tortoise_config
from server.events.bus import InProcessBus, set_bus
from server.services import districts

IN_CI = bool(os.environ.get("CI"))


def _port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int, how_to_start: str) -> None:
    if _port_open(url, default_port):
        return
    message = f"{name} is not answering at {url}: {how_to_start}"
    if IN_CI:
        pytest.fail(f"CI must not skip {name} tests. {message}")
    pytest.skip(message)


def require_postgres() -> None:
    require_service(
        "PostgreSQL",
        POSTGRES_ADMIN_URL,
        5432,
        "start it (pg_ctlcluster 15 main start) or set POSTGRES_TEST_URL",
    )


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at its cheapest in tests (hundreds of sign-ups); production keeps the library's defaults."""
    from argon2 import PasswordHasher

    from server.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One scratch PostgreSQL database for the session, dropped at the end."""
    require_postgres()
    with scratch_postgres_database("pe_test") as url:
        yield url


_postgres_schema_ready: set[str] = set()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An empty, migrated-shape database with Tortoise initialised in this test's loop."""
    # Tortoise caches compiled INSERTs by connection name, not dialect: forget the other database's.
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    if database_url in _postgres_schema_ready:
        await _truncate_all()
    else:
        await generate_schemas()
        if not database_url.startswith("sqlite"):
            _postgres_schema_ready.add(database_url)
    set_bus(InProcessBus())
    districts.forget_directory()
    yield database_url
    await connections.close_all()


@pytest.fixture
async def market(db: str) -> Marketplace:
    """The benchmark harness's marketplace (councils, providers, framework, demo users) in this test's database."""
    return await build_marketplace()


async def _truncate_all() -> None:
    connection = connections.get("default")
    _, rows = await connection.execute_query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = ", ".join(f'"{row["tablename"]}"' for row in rows)
    if tables:
        await connection.execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
