"""Tortoise ORM configuration and lifecycle for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from server.repositories.track_records import install_track_record_triggers
from server.settings import Settings

MODEL_MODULES = ["server.models"]


POOL_MAXSIZE = 16  # PostgreSQL connections per process: the reads that take turns, and the writes beside them


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "server.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite:"):
        # WAL lets readers carry on while the single writer commits. synchronous=NORMAL, SQLite's advice for
        # WAL: a commit no longer waits for an fsync of its own (the log is synced at checkpoints), so the
        # database cannot be corrupted and a crash of the process loses nothing; a power cut may undo the
        # last commits. Deployments that need more run on PostgreSQL.
        separator = "&" if "?" in database_url else "?"
        config = expand_db_url(f"{database_url}{separator}journal_mode=WAL&synchronous=NORMAL&foreign_keys=ON")
        config["engine"] = "server.sqlite"  # the same client, with reads on a connection of their own
        return config
    config = expand_db_url(database_url)
    if config["engine"] == "tortoise.backends.asyncpg":
        config["engine"] = "server.postgres"  # the same client, without a reset round trip per query
        # tortoise's default pool is 5 connections: with GRAPHQL_READ_CONCURRENCY's 8 reads worked out at once
        # after a broadcast, a council's publish and the providers' offers queued for a connection at every
        # statement (bench/mixed_bench.py: publish p99 290-400 ms with 5, 140 ms with 16). A URL's own maxsize wins.
        config["credentials"].setdefault("maxsize", POOL_MAXSIZE)
    return config


async def init_database(settings: Settings) -> None:
    # The app initialises Tortoise in its lifespan task; requests run in other tasks, so the
    # ORM state must be the process-wide fallback rather than the lifespan task's ContextVar.
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)


async def close_database() -> None:
    """Closes the connections and clears the process-wide fallback, so a later init can set it again."""
    await Tortoise.close_connections()


async def generate_schemas(*, safe: bool = False) -> None:
    """`Tortoise.generate_schemas()` and what it cannot make from the models: the triggers that keep each
    provider's track record (server.repositories.track_records). For scratch databases (tests, benchmarks);
    a deployment's database is made by its migrations, which make the same."""
    await Tortoise.generate_schemas(safe=safe)
    await install_track_record_triggers()


async def migrate(settings: Settings) -> None:
    """Apply every migration not yet applied."""
    await run_migrations(config=tortoise_config(settings.database_url))
    await connections.close_all()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await init_database(settings)
    try:
        yield
    finally:
        await close_database()
