"""A provider's record on the exchange: its placements and how many ended unplanned, and the median time it
took to answer the referrals it was sent.

Matching reads them from `provider_track_record` (one row per provider, server.models.ProviderTrackRecord),
which the database keeps itself: triggers on placement and broadcast_recipient change a provider's row in the
transaction of every write that changes what it counts, however the write is made (a service, a bulk insert,
a test's fixture, a merger moving rows between providers). Counts move by one per row written; the median is
worked out again from the provider's own answers when one of them is written (answers come one at a time; the
sends of a broadcast, unanswered, touch nothing). On PostgreSQL the provider's row is locked before its median
is read again, so two answers committed side by side both count.

`placement_tallies` and `median_response_hours` are the recount from the whole history, in two aggregates:
what the kept rows must always equal (tests/services/test_track_records.py), and what `recount_track_records`
fills the table from (the migration that brings it in)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from server.domain.vocabulary import PlacementStatus
from server.repositories.statements import Composer, Statement

_TABLE = "provider_track_record"
_ENDED = PlacementStatus.ENDED.value
assert _ENDED.isidentifier()  # written into the triggers' text as a literal


def _of_providers(statement: Composer, provider_ids: Sequence[int] | None) -> str:
    """The filter on provider_id: the given providers, or every provider when None."""
    return "" if provider_ids is None else f"provider_id IN ({statement.one_of(provider_ids)})"


async def stored_track_records(provider_ids: Sequence[int] | None) -> dict[int, tuple[int, int, float | None]]:
    """provider id -> (placements, of which ended unplanned, median response hours) as kept, for the providers
    (all when None) with a row: one indexed read of a row per provider."""
    if provider_ids is not None and not provider_ids:
        return {}
    connection = connections.get("default")
    sql = Composer(connection.capabilities.dialect)
    among = _of_providers(sql, provider_ids)
    statement = Statement(
        f"SELECT provider_id, placements, unplanned_endings, median_response_hours FROM {_TABLE}"
        + (f" WHERE {among}" if among else "")
    )
    rows = await statement.tuples(*sql.params, connection=connection)
    return {provider_id: (total, unplanned, median) for provider_id, total, unplanned, median in rows}


async def placement_tallies(provider_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
    """provider id -> (placements, of which ended unplanned), for the providers (all when None) with any,
    counted from every placement."""
    connection = connections.get("default")
    endings = Composer(connection.capabilities.dialect)
    tally = (
        f"SELECT provider_id, COUNT(*), SUM(CASE WHEN status = {endings.param(PlacementStatus.ENDED.value)} "
        f"AND planned_ending = {endings.param(False)} THEN 1 ELSE 0 END) FROM placement"
    )
    among = _of_providers(endings, provider_ids)
    statement = Statement(f"{tally}{f' WHERE {among}' if among else ''} GROUP BY provider_id")
    rows = await statement.tuples(*endings.params, connection=connection)
    return {provider_id: (total, unplanned or 0) for provider_id, total, unplanned in rows}


async def median_response_hours(provider_ids: Sequence[int] | None) -> dict[int, float]:
    """provider id -> the median (the upper of two middles) of the hours it took to answer each referral it was
    sent, for the providers (all when None) that answered any, worked out from every answer. One aggregate
    (Composer.median_high): one row per provider comes back."""
    connection = connections.get("default")
    waits = Composer(connection.capabilities.dialect)
    median = waits.median_high(waits.hours_between("sent_at", "responded_at"))
    among = _of_providers(waits, provider_ids)
    statement = Statement(
        f"SELECT provider_id, {median} FROM broadcast_recipient "
        f"WHERE {among + ' AND ' if among else ''}responded_at IS NOT NULL AND sent_at IS NOT NULL "
        "GROUP BY provider_id"
    )
    rows = await statement.tuples(*waits.params, connection=connection)
    return {provider_id: float(hours) for provider_id, hours in rows if hours is not None}


# --- the triggers that keep the rows -----------------------------------------------------------------------


def _unplanned(row: str, dialect: str) -> str:
    """1 when the placement `row` (NEW or OLD) ended unplanned, else 0: the recount's test, per row."""
    false = "false" if dialect == "postgres" else "0"
    return f"CASE WHEN {row}.status = '{_ENDED}' AND {row}.planned_ending = {false} THEN 1 ELSE 0 END"


def _answered(row: str) -> str:
    return f"{row}.responded_at IS NOT NULL AND {row}.sent_at IS NOT NULL"


def _sqlite_median(provider: str) -> str:
    """The upper median of the provider's answer hours in plain SQL (no function of ours, so any client may
    write the table): the value at 0-based position n // 2 in ascending order, as statistics.median_high.
    `provider` is an expression SQLite takes in OFFSET (a bound value or a trigger's NEW/OLD column)."""
    hours = (
        "SELECT (julianday(responded_at) - julianday(sent_at)) * 24.0 AS h FROM broadcast_recipient "
        f"WHERE provider_id = {provider} AND responded_at IS NOT NULL AND sent_at IS NOT NULL"
    )
    return (
        f"(SELECT h FROM ({hours}) WHERE h IS NOT NULL ORDER BY h LIMIT 1 "
        f"OFFSET (SELECT COUNT(*) FROM ({hours}) WHERE h IS NOT NULL) / 2)"
    )


def _sqlite_refresh(provider: str) -> str:
    """The statements that work out the provider's median again (its row made first if it has none)."""
    return (
        f"INSERT INTO {_TABLE} (provider_id, placements, unplanned_endings) VALUES ({provider}, 0, 0) "
        "ON CONFLICT (provider_id) DO NOTHING; "
        f"UPDATE {_TABLE} SET median_response_hours = {_sqlite_median(provider)} WHERE provider_id = {provider};"
    )


def _sqlite_triggers() -> list[str]:
    unplanned_new, unplanned_old = _unplanned("NEW", "sqlite"), _unplanned("OLD", "sqlite")
    add = (
        f"INSERT INTO {_TABLE} (provider_id, placements, unplanned_endings) VALUES (NEW.provider_id, 1, "
        f"{unplanned_new}) ON CONFLICT (provider_id) DO UPDATE SET placements = placements + 1, "
        "unplanned_endings = unplanned_endings + excluded.unplanned_endings;"
    )
    take = (
        f"UPDATE {_TABLE} SET placements = placements - 1, unplanned_endings = unplanned_endings - "
        f"{unplanned_old} WHERE provider_id = OLD.provider_id;"
    )
    answer_changed = (
        "OLD.provider_id IS NOT NEW.provider_id OR OLD.sent_at IS NOT NEW.sent_at "
        "OR OLD.responded_at IS NOT NEW.responded_at"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS track_record_placement_added AFTER INSERT ON placement BEGIN {add} END",
        "CREATE TRIGGER IF NOT EXISTS track_record_placement_changed "
        f"AFTER UPDATE OF provider_id, status, planned_ending ON placement BEGIN {take} {add} END",
        f"CREATE TRIGGER IF NOT EXISTS track_record_placement_removed AFTER DELETE ON placement BEGIN {take} END",
        "CREATE TRIGGER IF NOT EXISTS track_record_answer_added AFTER INSERT ON broadcast_recipient "
        f"WHEN {_answered('NEW')} BEGIN {_sqlite_refresh('NEW.provider_id')} END",
        # The old provider's median too when an answer moves (a merger), once when it stays.
        "CREATE TRIGGER IF NOT EXISTS track_record_answer_changed "
        "AFTER UPDATE OF provider_id, sent_at, responded_at ON broadcast_recipient "
        f"WHEN ({_answered('OLD')} OR {_answered('NEW')}) AND ({answer_changed}) BEGIN "
        f"{_sqlite_refresh('NEW.provider_id')} "
        f"UPDATE {_TABLE} SET median_response_hours = {_sqlite_median('OLD.provider_id')} "
        "WHERE provider_id = OLD.provider_id AND OLD.provider_id IS NOT NEW.provider_id; END",
        "CREATE TRIGGER IF NOT EXISTS track_record_answer_removed AFTER DELETE ON broadcast_recipient "
        f"WHEN {_answered('OLD')} BEGIN "
        f"UPDATE {_TABLE} SET median_response_hours = {_sqlite_median('OLD.provider_id')} "
        "WHERE provider_id = OLD.provider_id; END",
    ]


# Hours by `date_part`, a double: `EXTRACT` gives a numeric since PostgreSQL 14, and its arithmetic over a
# provider's thousands of answers took 25-90 ms of every answer (10,000-household bench data; migration 0022).
_POSTGRES_MEDIAN = (
    "(SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY date_part('epoch', responded_at - sent_at) / 3600.0 "
    "DESC) FROM broadcast_recipient WHERE provider_id = {provider} AND responded_at IS NOT NULL "
    "AND sent_at IS NOT NULL)"
)


def _postgres_triggers() -> list[str]:
    unplanned_new, unplanned_old = _unplanned("NEW", "postgres"), _unplanned("OLD", "postgres")
    return [
        f"""CREATE OR REPLACE FUNCTION track_record_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE {_TABLE} SET placements = placements - 1, unplanned_endings = unplanned_endings - {unplanned_old}
        WHERE provider_id = OLD.provider_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {_TABLE} AS t (provider_id, placements, unplanned_endings)
        VALUES (NEW.provider_id, 1, {unplanned_new})
        ON CONFLICT (provider_id) DO UPDATE
        SET placements = t.placements + 1, unplanned_endings = t.unplanned_endings + excluded.unplanned_endings;
    END IF;
    RETURN NULL;
END $$""",
        # The row is locked first (an upsert that changes nothing), and the median read by the next statement,
        # with a snapshot of its own: an answer committed meanwhile by another transaction is counted.
        f"""CREATE OR REPLACE FUNCTION track_record_refresh(provider integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {_TABLE} AS t (provider_id, placements, unplanned_endings) VALUES (provider, 0, 0)
    ON CONFLICT (provider_id) DO UPDATE SET placements = t.placements;
    UPDATE {_TABLE} SET median_response_hours = {_POSTGRES_MEDIAN.format(provider="provider")}
    WHERE provider_id = provider;
END $$""",
        """CREATE OR REPLACE FUNCTION track_record_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.responded_at IS NOT NULL AND OLD.sent_at IS NOT NULL
       AND (TG_OP = 'DELETE' OR OLD.provider_id <> NEW.provider_id) THEN
        PERFORM track_record_refresh(OLD.provider_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM track_record_refresh(NEW.provider_id);
    END IF;
    RETURN NULL;
END $$""",
        "CREATE OR REPLACE TRIGGER track_record_placement AFTER INSERT OR DELETE OR UPDATE OF provider_id, status, "
        "planned_ending ON placement FOR EACH ROW EXECUTE FUNCTION track_record_placement()",
        "CREATE OR REPLACE TRIGGER track_record_answer_added AFTER INSERT ON broadcast_recipient FOR EACH ROW "
        f"WHEN ({_answered('NEW')}) EXECUTE FUNCTION track_record_answer()",
        "CREATE OR REPLACE TRIGGER track_record_answer_changed AFTER UPDATE OF provider_id, sent_at, responded_at "
        f"ON broadcast_recipient FOR EACH ROW WHEN (({_answered('OLD')} OR {_answered('NEW')}) AND "
        "(OLD.provider_id IS DISTINCT FROM NEW.provider_id OR OLD.sent_at IS DISTINCT FROM NEW.sent_at "
        "OR OLD.responded_at IS DISTINCT FROM NEW.responded_at)) EXECUTE FUNCTION track_record_answer()",
        "CREATE OR REPLACE TRIGGER track_record_answer_removed AFTER DELETE ON broadcast_recipient FOR EACH ROW "
        f"WHEN ({_answered('OLD')}) EXECUTE FUNCTION track_record_answer()",
    ]


def track_record_triggers(dialect: str) -> list[str]:
    """The statements that (re)create the triggers keeping provider_track_record, in the dialect."""
    return _postgres_triggers() if dialect == "postgres" else _sqlite_triggers()


async def install_track_record_triggers(connection: BaseDBAsyncClient | None = None) -> None:
    """Creates the triggers (again: each statement replaces or keeps what is there). After the tables exist:
    the migration that brings the table in, and server.database.generate_schemas."""
    connection = connection or connections.get("default")
    for statement in track_record_triggers(connection.capabilities.dialect):
        await connection.execute_script(statement)


async def recount_track_records(connection: BaseDBAsyncClient | None = None) -> None:
    """Fills provider_track_record afresh from the whole history (as the recount reads it): for a database
    whose placements and answers were written before the triggers were there."""
    connection = connection or connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    false = "false" if postgres else "0"
    await connection.execute_script(f"DELETE FROM {_TABLE}")
    await connection.execute_script(
        f"INSERT INTO {_TABLE} (provider_id, placements, unplanned_endings) SELECT provider_id, COUNT(*), "
        f"SUM(CASE WHEN status = '{_ENDED}' AND planned_ending = {false} THEN 1 ELSE 0 END) FROM placement "
        "GROUP BY provider_id"
    )
    _, rows = await connection.execute_query(
        f"SELECT DISTINCT provider_id FROM broadcast_recipient WHERE {_answered('broadcast_recipient')}"
    )
    for row in rows:
        provider_id = row["provider_id"]
        if postgres:
            await connection.execute_query("SELECT track_record_refresh($1)", [provider_id])
        else:
            for statement in _sqlite_refresh("?").split("; "):
                await connection.execute_query(statement.rstrip(";"), [provider_id] * statement.count("?"))


# The triggers by name, with their tables (PostgreSQL names a trigger on its table).
_TRIGGERS = {
    "sqlite": [
        (name, "")
        for name in (
            "track_record_placement_added",
            "track_record_placement_changed",
            "track_record_placement_removed",
            "track_record_answer_added",
            "track_record_answer_changed",
            "track_record_answer_removed",
        )
    ],
    "postgres": [
        ("track_record_placement", " ON placement"),
        ("track_record_answer_added", " ON broadcast_recipient"),
        ("track_record_answer_changed", " ON broadcast_recipient"),
        ("track_record_answer_removed", " ON broadcast_recipient"),
    ],
}


@asynccontextmanager
async def bulk_load(connection: BaseDBAsyncClient | None = None) -> AsyncIterator[None]:
    """For loading history in bulk (the demo's, a benchmark's): the triggers are off while the rows go in, and
    the table is counted afresh once after, then the triggers put back. Row by row, each answer loaded would
    work out its provider's median again over every answer before it."""
    connection = connection or connections.get("default")
    for name, table in _TRIGGERS[connection.capabilities.dialect]:
        await connection.execute_script(f"DROP TRIGGER IF EXISTS {name}{table}")
    try:
        yield
    finally:
        await install_track_record_triggers(connection)
        await recount_track_records(connection)
