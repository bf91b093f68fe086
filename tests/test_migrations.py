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


async def test_migration_0022_gives_a_migrated_postgresql_database_the_double_hours() -> None:
    """A database migrated before 0022 has track-record functions working out hours by EXTRACT (a numeric); 0022
    replaces them with the ones `date_part` (a double) works out, as a database migrated from empty has."""
    import importlib
    from types import SimpleNamespace

    from server.repositories import track_records

    require_postgres()
    async with async_scratch_postgres_database("pe_migrate") as database_url:
        settings = Settings.from_env({"DATABASE_URL": database_url})
        EXECUTOR_CACHE.clear()
        await migrate(settings)
        await init_database(settings)
        try:
            client = connections.get("default")
            source = "SELECT prosrc FROM pg_proc WHERE proname = 'track_record_refresh'"
            (before,) = (await client.execute_query_dict(source))[0].values()
            assert "date_part('epoch'" in before and "EXTRACT" not in before
            for statement in track_records.track_record_triggers("postgres"):  # as 0020 made them before 0022
                old = statement.replace(
                    "date_part('epoch', responded_at - sent_at)", "EXTRACT(EPOCH FROM (responded_at - sent_at))"
                )
                await client.execute_script(old)
            (old_source,) = (await client.execute_query_dict(source))[0].values()
            assert "EXTRACT(EPOCH" in old_source
            migration = importlib.import_module("server.migrations.0022_track_record_hours_as_doubles")
            await migration.replace_track_record_functions(None, SimpleNamespace(client=client))
            assert (await client.execute_query_dict(source))[0]["prosrc"] == before
        finally:
            await close_database()
