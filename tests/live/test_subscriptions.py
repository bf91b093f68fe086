"""Live feeds: delivery, permissions per event, replay by cursor with no gap and no duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from httpx_ws import WebSocketDisconnect

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.services import offers
from server.services.offers import OfferDetails

INBOX = "subscription($after: String) { referralInbox(after: $after) { cursor event referral { reference status } } }"
OFFERS = """subscription($id: ID!, $after: String) { offerUpdates(referralId: $id, after: $after) {
  cursor event providerName offer { weeklyFeePence status } } }"""


async def acked(socket) -> None:
    assert (await socket.receive())["type"] == "connection_ack"


async def test_duty_desk_sees_a_referral_the_moment_it_is_broadcast(live, market: Marketplace) -> None:
    async with live("harbour") as harbour, live("northdowns") as northdowns:
        await acked(harbour)
        await acked(northdowns)
        await harbour.subscribe(INBOX)
        await northdowns.subscribe(INBOX)
        referral = await market.referral()
        message = await harbour.receive()
        assert message["type"] == "next"
        data = message["payload"]["data"]["referralInbox"]
        assert data["event"] == "referral.published" and data["referral"]["reference"] == referral.reference
        assert int(data["cursor"]) > 0
        with pytest.raises(TimeoutError):
            await northdowns.receive(timeout=0.5)  # tier 2: not sent yet


async def test_reconnecting_with_a_cursor_replays_what_was_missed_without_duplicates(live, market: Marketplace) -> None:
    first = await market.referral()
    async with live("harbour") as socket:
        await acked(socket)
        await socket.subscribe(INBOX, {"after": "0"})
        replayed = (await socket.receive())["payload"]["data"]["referralInbox"]
        assert replayed["referral"]["reference"] == first.reference
        cursor = replayed["cursor"]
    second = await market.referral()  # while disconnected
    third_pending = market.referral()
    async with live("harbour") as socket:
        await acked(socket)
        await socket.subscribe(INBOX, {"after": cursor})
        third = await third_pending
        seen = [(await socket.receive())["payload"]["data"]["referralInbox"]["referral"]["reference"] for _ in range(2)]
        assert seen == [second.reference, third.reference]
        with pytest.raises(TimeoutError):
            await socket.receive(timeout=0.5)


async def test_council_sees_offers_arrive_but_providers_cannot_watch_them(live, market: Marketplace) -> None:
    referral = await market.referral()
    referral_id = to_global_id("Referral", referral.id)
    async with live("kent_officer") as officer, live("oakleaf") as competitor:
        await acked(officer)
        await acked(competitor)
        await officer.subscribe(OFFERS, {"id": referral_id})
        await competitor.subscribe(OFFERS, {"id": referral_id})
        refused = await competitor.receive()
        assert refused["type"] == "error" or refused["payload"].get("errors")
        await offers.submit_offer(
            market.actor("harbour"),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households["harbour"],
                start_date=datetime.now(UTC).date() + timedelta(days=1),
                matching_statement="Experienced with this age; close to home.",
            ),
        )
        update = (await officer.receive())["payload"]["data"]["offerUpdates"]
        assert update["event"] == "offer.submitted"
        assert (
            update["providerName"] == "Harbour Fostering (test)" and update["offer"]["weeklyFeePence"] == 82_000 + 6_000
        )


async def test_unauthenticated_websocket_is_closed_with_the_protocol_code(live) -> None:
    async with live(None) as socket:
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()
    assert closed.value.code == 4403


async def test_legacy_graphql_ws_clients_authenticate_the_same_way(live, market: Marketplace) -> None:
    async with live("harbour", protocol="graphql-ws") as socket:
        assert (await socket.receive())["type"] == "connection_ack"
        await socket.send({"id": "1", "type": "start", "payload": {"query": INBOX}})
        referral = await market.referral()
        message = await socket.receive()
        assert message["type"] == "data"
        assert message["payload"]["data"]["referralInbox"]["referral"]["reference"] == referral.reference
    async with live(None, protocol="graphql-ws") as socket:
        refused = await socket.receive()
        assert refused["type"] == "connection_error" and "Sign in" in refused["payload"]["message"]
        with pytest.raises(WebSocketDisconnect):
            await socket.receive()
