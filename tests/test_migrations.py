"""Migrations from empty on SQLite and PostgreSQL, and no model change left without a migration."""

from __future__ import annotations

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.autodetector import MigrationAutodetector

from bench.harness.marketplace import build_marketplace
from bench.harness.scratch_postgres import async_scratch_postgres_database
from server.database import close_database, init_database, migrate, tortoise_config
from server.settings import Settings
from tests.conftest import require_postgres


async def _migrate_and_use(database_url: str) -> None:
    settings = Settings.from_env({"DATABASE_URL": database_url})
    EXECUTOR_CACHE.clear()  # compiled queries of the other database (a test-process artefact)
    await migrate(settings)
    await migrate(settings)  # applying again is a no-op
    await init_database(settings)
    try:
        market = await build_marketplace()
        referral = await market.referral()
        assert referral.status.value == "open"
    finally:
        await close_database()


async def test_migrations_apply_from_empty_on_sqlite(tmp_path) -> None:
    await _migrate_and_use(f"sqlite://{tmp_path / 'fresh.sqlite3'}")


async def test_migrations_apply_from_empty_on_postgresql() -> None:
    require_postgres()
    async with async_scratch_postgres_database("pe_migrate") as database_url:
        await _migrate_and_use(database_url)


async def test_every_model_change_has_a_migration(tmp_path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'detect.sqlite3'}")
    await Tortoise.init(config=config, init_connections=False)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        pending = await detector.changes()
    finally:
        await connections.close_all()
    assert not pending, "models changed without a migration: run `tortoise makemigrations`"


@pytest.mark.parametrize("value", ["mysql://x", "not a url"])
def test_bad_database_url_is_refused_with_the_variable_named(value: str) -> None:
    from server.settings import SettingsError

    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env({"DATABASE_URL": value})
