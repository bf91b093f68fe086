"""The outbox worker against a real SMTP server: outages, refusals, broken rows, crashes and two workers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.harness.marketplace import Marketplace
from notifications.sender import SmtpSender
from notifications.worker import OutboxWorker
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from tests.notifications.conftest import MailServer, drain, free_port, settings_for

BROADCAST_CONTEXT = {
    "reference": "KEN-2026-00042",
    "referral_id": 42,
    "placement_kind": "Core fostering",
    "urgency": "Within 5 days",
    "age_band": "11-15",
    "district": "ME14",
    "required_by": "2026-05-01T15:00:00+00:00",
    "spot": False,
    "recipient_name": "Duty desk",
}


async def queue(count: int, *, start: int = 0, **changes: Any) -> list[OutboxMessage]:
    rows = [
        OutboxMessage(
            notification="referral_broadcast",
            recipient=f"desk{number}@provider.test",
            context=dict(BROADCAST_CONTEXT),
            message_id=f"<referral_broadcast.test.{number}@placement-exchange>",
            **changes,
        )
        for number in range(start, start + count)
    ]
    await OutboxMessage.bulk_create(rows)
    return await OutboxMessage.all().order_by("id")


async def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in await OutboxMessage.all().values_list("status", flat=True):
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


async def test_nothing_is_lost_while_the_mail_server_is_down(db: str) -> None:
    server = MailServer(port=free_port())  # nothing listens there yet
    worker = OutboxWorker(settings_for(db, server.port), "w1", backoff_base=0.05, backoff_cap=0.2)
    await queue(30)
    try:
        for _ in range(3):
            assert await worker.run_once() in (0, 30)
            await asyncio.sleep(0.05)
        assert await statuses() == {"pending": 30}
        assert set(await OutboxMessage.all().values_list("attempts", flat=True)) == {0}  # an outage costs no tries

        server.start()
        await drain(worker)
    finally:
        await worker.close()
        server.stop()
    assert sorted(server.message_ids) == sorted(await OutboxMessage.all().values_list("message_id", flat=True))
    assert len(set(server.message_ids)) == 30
    assert await statuses() == {"sent": 30}


async def test_mail_server_restart_between_messages_is_survived(db: str, mail_server: MailServer) -> None:
    worker = OutboxWorker(settings_for(db, mail_server.port), "w1", backoff_base=0.01, backoff_cap=0.05)
    try:
        await queue(5)
        await drain(worker)
        mail_server.stop()  # drops the worker's open connection
        mail_server.start()
        await queue(5, start=5)
        await drain(worker)
    finally:
        await worker.close()
    assert len(set(mail_server.message_ids)) == len(mail_server.message_ids) == 10
    assert await statuses() == {"sent": 10}


async def test_temporary_refusal_is_retried_until_delivered(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    mail_server.refuse_once = "451 4.3.0 Mailbox busy, try again later"
    await market.referral()
    await drain(make_worker())

    assert sorted(mail_server.refused) == ["duty@harbour.test", "duty@oakleaf.test"]
    assert sorted(a for r in mail_server.received for a in r.rcpt_tos) == ["duty@harbour.test", "duty@oakleaf.test"]
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 2)}


async def test_temporary_refusals_back_off_and_park_after_the_last_try(db: str, mail_server: MailServer) -> None:
    mail_server.refuse = {"desk0@provider.test": "452 4.2.2 Mailbox full"}
    worker = OutboxWorker(settings_for(db, mail_server.port), "w1", max_attempts=3, backoff_base=0.2, backoff_cap=1)
    try:
        await queue(1)
        await worker.run_once()
        row = await OutboxMessage.get()
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
        assert row.next_attempt_at > datetime.now(UTC)  # backing off: not due yet
        assert await worker.run_once() == 0
        await drain(worker)
    finally:
        await worker.close()
    row = await OutboxMessage.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error.startswith("gave up after 3 tries: recipient refused: 452")
    assert mail_server.refused == ["desk0@provider.test"] * 3


async def test_permanent_refusal_is_parked_with_the_error_kept(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    mail_server.refuse = {"duty@oakleaf.test": "550 5.1.1 No such mailbox here"}
    await market.referral()
    await drain(make_worker())

    parked = await OutboxMessage.get(recipient="duty@oakleaf.test")
    assert (parked.status, parked.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in parked.last_error and "No such mailbox" in parked.last_error
    delivered = await OutboxMessage.get(recipient="duty@harbour.test")
    assert delivered.status is OutboxStatus.SENT and delivered.sent_at is not None
    assert mail_server.refused == ["duty@oakleaf.test"]


async def test_a_broken_message_does_not_stop_the_others(db: str, mail_server: MailServer, make_worker) -> None:
    await queue(2)
    missing_key = {key: value for key, value in BROADCAST_CONTEXT.items() if key != "district"}
    await OutboxMessage.create(
        notification="referral_broadcast",
        recipient="a@provider.test",
        context=missing_key,
        message_id="<broken.1@placement-exchange>",
    )
    await OutboxMessage.create(
        notification="carrier_pigeon",
        recipient="b@provider.test",
        context={},
        message_id="<broken.2@placement-exchange>",
    )
    await OutboxMessage.create(
        notification="referral_broadcast",
        recipient="not an address",
        context=dict(BROADCAST_CONTEXT),
        message_id="<broken.3@placement-exchange>",
    )
    await queue(2, start=2)
    await drain(make_worker())

    assert await statuses() == {"sent": 4, "failed": 3}
    errors = {row.message_id: row.last_error for row in await OutboxMessage.filter(status=OutboxStatus.FAILED)}
    assert "district" in errors["<broken.1@placement-exchange>"]
    assert "carrier_pigeon" in errors["<broken.2@placement-exchange>"]
    assert "not an address" in errors["<broken.3@placement-exchange>"]
    assert len(mail_server.received) == 4


async def test_a_message_whose_worker_died_mid_send_is_sent_again(
    db: str, mail_server: MailServer, make_worker
) -> None:
    await queue(3)
    # A worker claimed these and died: its lease has run out, so they must not be stuck in "sending".
    await OutboxMessage.all().update(
        status=OutboxStatus.SENDING, claimed_by="dead-worker", claimed_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    await queue(
        1,
        start=3,
        status=OutboxStatus.SENDING,
        claimed_by="busy-worker",
        claimed_until=datetime.now(UTC) + timedelta(minutes=2),
    )
    worker = make_worker()
    assert await worker.run_once() == 3  # the live lease is left alone

    assert len(mail_server.received) == 3
    sent = await OutboxMessage.filter(status=OutboxStatus.SENT)
    assert len(sent) == 3 and all(row.claimed_by is None for row in sent)
    assert (await OutboxMessage.get(claimed_by="busy-worker")).status is OutboxStatus.SENDING


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_workers_deliver_each_of_200_messages_exactly_once(
    db: str, mail_server: MailServer, make_worker
) -> None:
    await queue(200)
    counted: dict[str, int] = {}

    class CountingSender(SmtpSender):
        def __init__(self, name: str, port: int) -> None:
            super().__init__(SmtpSender.from_settings(settings_for(db, port)).server)
            self.name = name

        async def send(self, message) -> None:
            await super().send(message)
            counted[self.name] = counted.get(self.name, 0) + 1

    first = make_worker("w1", batch_size=20, sender=CountingSender("w1", mail_server.port))
    second = make_worker("w2", batch_size=20, sender=CountingSender("w2", mail_server.port))
    await drain(first, second)

    assert len(mail_server.message_ids) == 200
    assert len(set(mail_server.message_ids)) == 200
    assert await statuses() == {"sent": 200}
    assert counted["w1"] > 0 and counted["w2"] > 0 and counted["w1"] + counted["w2"] == 200
