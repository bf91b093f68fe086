"""server.repositories' plain statements and the PostgreSQL client, on both databases.

`row_by_id` must give the very model tortoise's own `get_or_none` gives (JSON lists, enums, timestamps,
nullable keys), and a Statement must bind and read the same values on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OfstedJudgement, OutboxStatus, ReferralStatus
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Council,
    Framework,
    Lot,
    OutboxMessage,
    Provider,
    Referral,
)
from server.postgres import PostgresClient
from server.repositories.referrals import open_draft
from server.repositories.statements import Statement, as_datetime, insert_rows, row_by_id, rows_by_ids


async def test_row_by_id_gives_what_the_orm_gives(market: Marketplace) -> None:
    referral = await market.referral()  # published: timestamps, tier, JSON lists, enums all set
    mine, theirs = await row_by_id(Referral, referral.id), await Referral.get(id=referral.id)
    assert mine is not None
    for name in Referral._meta.db_fields:
        assert getattr(mine, name) == getattr(theirs, name), name
    assert mine.published_at is not None and mine.published_at.tzinfo is not None
    framework = await row_by_id(Framework, market.framework.id)
    assert framework is not None and framework.reference == "KM-IFP-2022"
    assert await row_by_id(Referral, referral.id + 1000) is None
    # It is a stored row: it can be saved like any other.
    mine.summary = "Settled at school; enjoys football."
    await mine.save(update_fields=["summary"])
    assert (await Referral.get(id=referral.id)).summary == "Settled at school; enjoys football."


@pytest.mark.parametrize("model", [Council, Provider, Framework, Lot, CarerHousehold, ChildrensHome, Referral])
async def test_rows_by_ids_give_what_the_orm_gives(market: Marketplace, model: type) -> None:
    await market.referral()
    harbour = market.providers["harbour"]
    await ChildrensHome.create(provider=harbour, name="Harbour House", ofsted_urn="SC800001", beds=3, min_age=10,
                               max_age=17, district=harbour.district, ofsted_judgement=OfstedJudgement.GOOD)  # fmt: skip
    theirs = {row.id: row for row in await model.all()}
    assert theirs, f"the marketplace has no {model.__name__}"
    asked = [*sorted(theirs), max(theirs) + 1000]  # and one id that is not there
    mine = {row.id: row for row in await rows_by_ids(model, asked)}
    assert set(mine) == set(theirs)
    for pk, row in mine.items():
        assert type(row) is model
        for name in model._meta.db_fields:
            assert getattr(row, name) == getattr(theirs[pk], name), (model.__name__, name)
    assert [row.id for row in await rows_by_ids(model, asked[:1])] == asked[:1]
    assert await rows_by_ids(model, []) == []


async def test_opening_a_draft_gives_back_the_row_as_stored(market: Marketplace) -> None:
    draft = await market.referral(publish=False)
    now = datetime(2026, 12, 1, 9, 15, 0, 250000, tzinfo=UTC)
    opened = await open_draft(draft, now=now, tier=1, tier_deadline=now + timedelta(hours=4))
    stored = await Referral.get(id=draft.id)
    assert opened is not None and opened is not draft
    for name in Referral._meta.db_fields:
        assert getattr(opened, name) == getattr(stored, name), name
    assert (opened.status, opened.published_at, opened.current_tier) == (ReferralStatus.OPEN, now, 1)
    assert opened.tier_deadline == now + timedelta(hours=4)
    assert await open_draft(draft, now=now, tier=1, tier_deadline=None) is None  # no longer a draft

    edited = await market.referral(publish=False)
    await Referral.filter(id=edited.id).update(updated_at=edited.updated_at + timedelta(seconds=1))
    assert await open_draft(edited, now=now, tier=1, tier_deadline=None) is None  # changed since it was read
    assert (await Referral.get(id=edited.id)).status is ReferralStatus.DRAFT


async def test_timestamps_a_statement_writes_are_what_the_orm_reads_and_compares(market: Marketplace) -> None:
    referral = await market.referral(publish=False)
    moment = datetime(2026, 12, 1, 17, 30, 5, 123456, tzinfo=UTC)
    changed = await Statement("UPDATE referral SET published_at = ? WHERE id = ?").execute(moment, referral.id)
    assert changed == 1
    assert (await Referral.get(id=referral.id)).published_at == moment
    around = {"published_at__gte": moment - timedelta(seconds=1), "published_at__lte": moment + timedelta(seconds=1)}
    assert await Referral.filter(id=referral.id, **around).exists(), "compared like the ORM's own values"
    (row,) = await Statement("SELECT published_at FROM referral WHERE id = ?").rows(referral.id)
    assert as_datetime(row["published_at"]) == moment


async def test_postgres_runs_on_the_client_without_a_reset_per_query(db: str) -> None:
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        assert not isinstance(client, PostgresClient)
        return
    assert isinstance(client, PostgresClient)
    # A transaction left open is still rolled back when its connection goes back to the pool.
    async with client.acquire_connection() as connection:
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMPORARY TABLE IF NOT EXISTS left_open (x int)")
    async with client.acquire_connection() as connection:
        assert not connection.is_in_transaction()


async def test_insert_rows_stores_what_bulk_create_stores(market: Marketplace) -> None:
    user = market.users["harbour"]
    common = {"notification": "referral_broadcast", "user_id": user.id, "recipient": user.email,
              "context": {"reference": "KEN-1", "spot": False, "tiers": [1, 2]}, "digest": True}  # fmt: skip
    await OutboxMessage.bulk_create([OutboxMessage(**common, message_id="<orm@x>")])
    await insert_rows(OutboxMessage, [{**common, "message_id": "<plain@x>"}])
    theirs, mine = await OutboxMessage.get(message_id="<orm@x>"), await OutboxMessage.get(message_id="<plain@x>")
    for name in OutboxMessage._meta.db_fields - {"id", "message_id", "created_at"}:
        assert getattr(mine, name) == getattr(theirs, name), name
    assert abs((mine.created_at - theirs.created_at).total_seconds()) < 5  # now, as auto_now_add gives
    assert mine.status is OutboxStatus.PENDING and mine.attempts == 0 and mine.last_error == ""


async def test_insert_rows_fills_defaults_and_splits_what_one_statement_cannot_bind(market: Marketplace) -> None:
    referral = await market.referral(publish=False)
    await insert_rows(BroadcastRecipient, [{"referral_id": referral.id, "provider_id": market.providers["harbour"].id}])
    many = [{"notification": "digest", "recipient": f"r{n}@x", "message_id": f"<{n}@many>"} for n in range(3_500)]
    await insert_rows(OutboxMessage, many)  # 3,500 rows x 14 columns: more than one statement may bind
    assert await OutboxMessage.filter(message_id__endswith="@many>").count() == 3_500
    (recipient,) = await BroadcastRecipient.filter(referral_id=referral.id)
    assert (recipient.is_spot, recipient.decline_note, recipient.sent_at) == (False, "", None)


async def test_insert_rows_refuses_a_name_the_model_has_no_column_for(market: Marketplace) -> None:
    referral = await market.referral(publish=False)
    with pytest.raises(ValueError, match="referral"):
        await insert_rows(BroadcastRecipient, [{"referral": referral, "provider_id": market.providers["harbour"].id}])
    assert not await BroadcastRecipient.filter(referral_id=referral.id).exists()


async def test_insert_rows_refuses_a_value_too_long_for_its_column(market: Marketplace) -> None:
    """As tortoise's own inserts do (the field checks it); never cut short to fit."""
    referral = await market.referral(publish=False)
    reason = "no household or home that could match " * 6  # longer than the column's 200 characters
    row = {"referral_id": referral.id, "provider_id": market.providers["harbour"].id, "excluded_reason": reason}
    with pytest.raises(Exception, match="200"):
        await insert_rows(BroadcastRecipient, [row])
    assert not await BroadcastRecipient.filter(referral_id=referral.id).exists()


def test_a_postgresql_pool_has_room_for_the_reads_worked_out_and_the_writes_beside_them() -> None:
    from server.database import POOL_MAXSIZE, _connection
    from server.settings import Settings

    settings = Settings.from_env({"DATABASE_URL": "sqlite://:memory:", "APP_ENV": "development"})
    assert POOL_MAXSIZE > settings.graphql_read_concurrency  # tortoise's own default, 5, was below it
    assert _connection("postgres://postgres@127.0.0.1:5432/test")["credentials"]["maxsize"] == POOL_MAXSIZE
    assert _connection("postgres://postgres@127.0.0.1:5432/test?maxsize=3")["credentials"]["maxsize"] == "3"
    assert "maxsize" not in _connection("sqlite:///tmp/x.sqlite3")["credentials"]
