"""The daily digest (sent by the outbox worker at its hour) and the warning that a referral's deadline nears
with no offers (a job: server.jobs.deadlines), as the emails they end in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OutboxStatus, Urgency
from server.jobs.deadlines import warn_deadlines
from server.jobs.runner import JobRunner
from server.models import OutboxMessage
from server.outbox.kinds import Delivery, Notification
from server.outbox.messages import digest_due_at
from server.services import offers
from server.services.notification_preferences import set_preference
from server.services.offers import OfferDetails
from tests.notifications.conftest import BASE_URL, MailServer, drain


async def test_daily_digest_combines_a_users_pending_updates_into_one_email(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await set_preference(market.actor("harbour"), Notification.REFERRAL_BROADCAST, Delivery.DIGEST)
    referrals = [await market.referral() for _ in range(3)]
    worker = make_worker()
    await drain(worker)
    assert mail_server.to("duty@harbour.test") == []  # held for the digest
    assert len(mail_server.to("duty@oakleaf.test")) == 3

    assert await worker.send_digests(force=True) == 1
    (digest,) = mail_server.to("duty@harbour.test")
    assert digest.message["Subject"] == "Your Placement Exchange digest: 3 updates"
    for referral in referrals:
        assert referral.reference in digest.text and f"{BASE_URL}/referrals/{referral.id}" in digest.html
    assert digest.message["List-Unsubscribe"]
    rows = await OutboxMessage.filter(recipient="duty@harbour.test")
    assert len(rows) == 3 and all(row.status is OutboxStatus.SENT and row.digest for row in rows)
    assert await worker.send_digests(force=True) == 0


async def test_digest_waits_for_the_morning_after_an_update_is_queued(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await set_preference(market.actor("harbour"), Notification.REFERRAL_BROADCAST, Delivery.DIGEST)
    await market.referral()
    worker = make_worker()
    queued_at = (await OutboxMessage.get(recipient="duty@harbour.test")).created_at

    # Five minutes later, or just before 07:00 when it was queued in the five minutes before it.
    soon = min(queued_at + timedelta(minutes=5), digest_due_at(queued_at) - timedelta(seconds=1))
    assert await worker.send_digests(now=soon) == 0
    assert await worker.send_digests(now=queued_at + timedelta(hours=25)) == 1
    assert len(mail_server.to("duty@harbour.test")) == 1


async def test_deadline_warning_is_sent_once_to_the_councils_placement_officers(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    soon = await market.referral(urgency=Urgency.TODAY, required_by=datetime.now(UTC) + timedelta(hours=3))
    offered = await market.referral(urgency=Urgency.TODAY, required_by=datetime.now(UTC) + timedelta(hours=3))
    await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=offered.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date(),
            matching_statement="Carers available tonight; ten miles away.",
        ),
    )
    await market.referral()  # needed in three days: no warning yet
    worker, jobs = make_worker(), JobRunner()

    for _ in range(3):
        await jobs.run_cycle()
    await drain(worker)

    warnings = [r for r in mail_server.received if "No offers yet" in r.message["Subject"]]
    assert [w.rcpt_tos for w in warnings] == [["kent_officer@council.test"]]
    assert warnings[0].message["Subject"].startswith(f"[{soon.reference}] No offers yet, needed by ")
    assert (
        warnings[0].message["Message-ID"]
        == f"<deadline_near.{soon.id}.{market.users['kent_officer'].id}@placement-exchange>"
    )
    assert await OutboxMessage.filter(notification="deadline_near").count() == 1


async def test_officer_who_switched_deadline_warnings_off_gets_none(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await set_preference(market.actor("kent_officer"), Notification.DEADLINE_NEAR, Delivery.OFF)
    await market.referral(urgency=Urgency.TODAY, required_by=datetime.now(UTC) + timedelta(hours=2))
    worker = make_worker()
    assert await warn_deadlines() == 0
    await drain(worker)
    assert mail_server.to("kent_officer@council.test") == []
