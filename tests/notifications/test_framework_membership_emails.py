"""Re-openings and mergers by email: the member councils' commissioners hear of a re-opening and a merger, the
lead council's of an application, the applying provider's admins of the decision; the emails never carry the
provider's statement or the commissioner's reason (those are read in the portal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import PASSWORD, Marketplace
from server.auth.actor import Actor
from server.domain.vocabulary import JoinDecision, MergedUsers, OutboxStatus, Role
from server.models import OutboxMessage
from server.services import accounts, mergers, reopenings
from tests.notifications.conftest import MailServer, drain

STATEMENT = "Twelve carer households near the Tunbridge Wells orchards."
REASON = "Capacity in the orchards area is already sufficient this year."


async def test_reopening_application_decision_and_merger_are_emailed_without_their_words(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    spot_admin = await accounts.create_user(
        None,
        email="manager@spot.test",
        password=PASSWORD,
        display_name="Spot manager",
        role=Role.PROVIDER_ADMIN,
        provider_id=market.providers["spot"].id,
    )
    today = datetime.now(UTC).date()
    commissioner = market.actor("kent_commissioner")
    await reopenings.open_reopening(
        commissioner,
        framework_id=market.framework.id,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        lot_ids=[market.core_lot.id],
    )
    application = await reopenings.apply_to_join_lot(
        Actor.of(spot_admin), lot_id=market.core_lot.id, statement=STATEMENT
    )
    await reopenings.decide_join_application(
        commissioner, application_id=application.id, decision=JoinDecision.REFUSE, reason=REASON
    )
    await mergers.merge_providers(
        market.actor("admin"),
        merged_provider_id=market.providers["northdowns"].id,
        into_provider_id=market.providers["oakleaf"].id,
        merged_on=today,
        users=MergedUsers.MOVE,
    )
    await drain(make_worker())

    by_subject: dict[str, list[str]] = {}
    for received in mail_server.received:
        by_subject.setdefault(received.message["Subject"], []).extend(received.rcpt_tos)
    framework = "[Kent & Medway IFP framework]"
    assert by_subject == {
        f"{framework} Re-opening of the framework": ["kent_commissioner@council.test"],
        f"{framework} A provider applies to join LOT1 Core fostering": ["kent_commissioner@council.test"],
        f"{framework} Application to join LOT1 Core fostering refused": ["manager@spot.test"],
        f"{framework} Northdowns Families (test) is now part of Oakleaf Care (test)": [
            "kent_commissioner@council.test"
        ],
    }
    assert all(
        row.status is OutboxStatus.SENT for row in await OutboxMessage.filter(notification="framework_membership")
    )
    for received in mail_server.received:
        text = f"{received.message['Subject']}\n{received.text}\n{received.html}".lower()
        for word in ("orchards", "tunbridge"):
            assert word not in text, f"{word!r} leaked into {received.message['Subject']!r}"
