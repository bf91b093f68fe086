"""UnitOfWork.insert: rows queued to ride with the next event's statement, or written before the commit.

On PostgreSQL every statement of a use case is a round trip (and, on a quiet machine, a wake-up of the
database's process), so the queued rows go inside the event's own statement; on SQLite they are written
just before it. Either way they are part of the unit: a row the database refuses rolls it all back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError

from bench.harness.marketplace import Marketplace
from server.models import Event, OutboxMessage
from server.repositories.statements import MAX_BOUND_VALUES, Statement
from server.services.unit_of_work import unit_of_work


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL of every plain statement (server.repositories.statements.Statement) run meanwhile."""
    sent: list[str] = []
    rows, execute = Statement.rows, Statement.execute

    async def spy_rows(self: Statement, *params, connection=None):
        sent.append(self.sqlite)
        return await rows(self, *params, connection=connection)

    async def spy_execute(self: Statement, *params, connection=None):
        sent.append(self.sqlite)
        return await execute(self, *params, connection=connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Statement, "rows", spy_rows)
        patch.setattr(Statement, "execute", spy_execute)
        yield sent


def outbox_rows(market: Marketplace, count: int, key: str = "uow") -> list[dict]:
    user = market.users["harbour"]
    return [
        {"notification": "referral_broadcast", "user_id": user.id, "recipient": user.email,
         "context": {"reference": f"R-{number}"}, "message_id": f"<test.{key}.{number}@placement-exchange>"}
        for number in range(count)
    ]  # fmt: skip


def postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def test_queued_rows_are_written_with_the_next_event(market: Marketplace) -> None:
    with statements_sent() as sent:
        async with unit_of_work() as work:
            work.insert(OutboxMessage, outbox_rows(market, 3))
            event = await work.record("referral.published", ["provider:1"], {"referralId": 1})
    if postgres():
        assert len(sent) == 1, "rows, event and topics in one statement"
        assert sent[0].startswith('WITH queued0 AS (INSERT INTO "outbox_message"')
    else:
        assert [sql.split(" (")[0] for sql in sent] == [
            'INSERT INTO "outbox_message"', "INSERT INTO event", "INSERT INTO event_topic"
        ]  # fmt: skip
    stored = await OutboxMessage.filter(message_id__startswith="<test.uow.").order_by("message_id")
    assert [row.context for row in stored] == [{"reference": f"R-{n}"} for n in range(3)]
    assert await Event.filter(id=event.id).exists()


async def test_rows_queued_after_the_last_event_are_written_before_the_commit(market: Marketplace) -> None:
    async with unit_of_work() as work:
        await work.record("referral.published", ["provider:1"], {"referralId": 1})
        work.insert(OutboxMessage, outbox_rows(market, 2, key="late"))
    assert await OutboxMessage.filter(message_id__startswith="<test.late.").count() == 2


async def test_a_queued_row_the_database_refuses_rolls_the_whole_unit_back(market: Marketplace) -> None:
    before = await Event.all().count()
    clash = outbox_rows(market, 1, key="clash")
    async with unit_of_work() as work:
        work.insert(OutboxMessage, clash)
    with pytest.raises(IntegrityError):
        async with unit_of_work() as work:
            work.insert(OutboxMessage, outbox_rows(market, 2, key="fresh"))
            work.insert(OutboxMessage, clash)  # the same message id again
            await work.record("referral.published", ["provider:1"], {"referralId": 1})
    assert await Event.all().count() == before
    assert await OutboxMessage.filter(message_id__startswith="<test.fresh.").count() == 0


async def test_any_number_of_rows_on_postgresql_and_chunks_of_them_on_sqlite(market: Marketplace) -> None:
    columns = len(OutboxMessage._meta.db_fields) - 1  # all but the generated id
    count = MAX_BOUND_VALUES // columns + 10  # more values than one SQLite statement binds
    with statements_sent() as sent:
        async with unit_of_work() as work:
            work.insert(OutboxMessage, outbox_rows(market, count, key="many"))
            await work.record("referral.published", ["provider:1"], {"referralId": 1})
    assert await OutboxMessage.filter(message_id__startswith="<test.many.").count() == count
    if postgres():
        assert len(sent) == 1, "an array per column: one statement, and one text whatever the count"
    else:
        assert [sql[:28] for sql in sent] == ['INSERT INTO "outbox_message"'] * 2 + [
            "INSERT INTO event (type, pay", "INSERT INTO event_topic (eve"
        ]  # fmt: skip
