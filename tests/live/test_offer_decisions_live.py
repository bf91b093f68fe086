"""A declined offer's reason reaches the offering provider live, and the council's own feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import OfferDeclineReason
from server.services import offers
from server.services.offers import OfferDetails

INBOX = "subscription($after: String) { referralInbox(after: $after) { event declineReason referral { reference } } }"
OFFERS = """subscription($id: ID!, $after: String) { offerUpdates(referralId: $id, after: $after) {
  event offer { status declineReason declineNote } } }"""


async def acked(socket) -> None:
    assert (await socket.receive())["type"] == "connection_ack"


async def _next(socket, field: str, event: str) -> dict:
    while True:
        message = await socket.receive()
        assert message["type"] == "next", message
        data = message["payload"]["data"][field]
        if data["event"] == event:
            return data


async def test_the_provider_is_told_live_why_the_council_declined_its_offer(live, market: Marketplace) -> None:
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=(datetime.now(UTC) + timedelta(days=1)).date(),
            matching_statement="Experienced carers for teenagers.",
        ),
    )
    async with live("harbour") as harbour, live("kent_officer") as council:
        await acked(harbour)
        await acked(council)
        await harbour.subscribe(INBOX, {"after": "0"})
        await council.subscribe(OFFERS, {"id": to_global_id("Referral", referral.id), "after": "0"})
        await offers.decline_offer(
            market.actor("kent_officer"), offer.id, OfferDeclineReason.TOO_FAR_FROM_HOME, "Over an hour from school."
        )
        told = await _next(harbour, "referralInbox", "offer.declined")
        assert told == {
            "event": "offer.declined",
            "declineReason": "TOO_FAR_FROM_HOME",
            "referral": {"reference": referral.reference},
        }
        seen = await _next(council, "offerUpdates", "offer.declined")
        assert seen["offer"] == {
            "status": "DECLINED",
            "declineReason": "TOO_FAR_FROM_HOME",
            "declineNote": "Over an hour from school.",
        }
