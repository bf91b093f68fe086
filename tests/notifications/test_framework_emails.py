"""A framework's changes by email: an extension reaches the member councils' commissioners with a link to the
framework's page; a termination reaches the provider too, saying which of its offers were withdrawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OutboxStatus
from server.models import LotMembership, OutboxMessage
from server.services import framework_life, offers
from server.services.offers import OfferDetails
from tests.notifications.conftest import BASE_URL, MailServer, drain


async def test_an_extension_and_a_termination_are_emailed_to_whom_they_concern(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    referral = await market.referral()
    await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="A settled household near the child's school.",
        ),
    )
    await drain(make_worker())
    mail_server.received.clear()
    today = datetime.now(UTC).date()
    commissioner = market.actor("kent_commissioner")

    await framework_life.extend_framework(
        commissioner,
        market.framework.id,
        ends_on=today + timedelta(days=400),
        decision_reference="ICD-2026-117",
        decision_date=today,
    )
    await drain(make_worker())
    assert [address for r in mail_server.received for address in r.rcpt_tos] == ["kent_commissioner@council.test"]
    email = mail_server.received[0]
    assert email.message["Subject"] == (f"[KM-IFP-2022] Framework extended to {today + timedelta(days=400):%d %B %Y}")
    assert f"{BASE_URL}/frameworks" in email.text and f'href="{BASE_URL}/frameworks"' in email.html
    assert "ICD-2026-117" in email.text and "kent_commissioner@council.test" in email.text

    mail_server.received.clear()
    membership = await LotMembership.get(lot_id=market.core_lot.id, provider_id=market.providers["harbour"].id)
    await framework_life.terminate_membership(commissioner, membership.id, left_on=today)
    await drain(make_worker())
    told = {address: r for r in mail_server.received for address in r.rcpt_tos if "leaves lot" in r.message["Subject"]}
    assert set(told) == {"kent_commissioner@council.test", "duty@harbour.test"}
    assert f"withdrawn on referrals {referral.reference}" in told["duty@harbour.test"].text
    assert await OutboxMessage.filter(notification="framework_changed").exclude(status=OutboxStatus.SENT).count() == 0
