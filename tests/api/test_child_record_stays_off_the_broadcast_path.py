"""After a whole story (the council keeps the child's record and documents, providers offer, the council
accepts, the chosen provider reads and downloads, the placement ends, access is revoked), not one identifying
value is anywhere it could travel: the event log and its topics, the outbox (every email rendered), the
process's logs at DEBUG, the response cache's memory, the live feeds replayed from the start; and the
database holds only sealed values, in every table."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from bench.harness.marketplace import Marketplace
from notifications.rendering import Renderer
from schema.ids import to_global_id
from server.models import Event, EventTopic, OutboxMessage
from tests.api.conftest import Api
from tests.api.conftest import test_settings as settings_for
from tests.api.test_child_record import ADD, AUDIT, CHILD, DOWNLOAD, RECORD, REVOKE, SAVE
from tests.api.test_permission_matrix import database_rows
from tests.api.test_response_cache import _cache
from tests.live.conftest import GraphQLSocket

CARE_PLAN_TEXT = "Care plan for Amelia Rose Thornbury: contact with her grandmother Edith Thornbury on Sundays.\n"
PLACEMENT_PLAN = b"%PDF-1.7\n(Placement plan: Amelia Rose Thornbury, Invicta Grammar School)\n%%EOF\n"
FILE_NAMES = ("Thornbury care plan.txt", "Thornbury placement plan.pdf")

SUBMIT = "mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { field message } } }"
ACCEPT = "mutation($input: OfferIdInput!) { acceptOffer(input: $input) { placement { id } errors { message } } }"
END = "mutation($input: EndPlacementInput!) { endPlacement(input: $input) { placement { id } errors { message } } }"
REFERRAL = "query($id: ID!) { referral(id: $id) { reference summary status offers { id status } } }"
FEEDS = {
    "harbour": 'subscription { referralInbox(after: "0") { event referral { id reference summary } } }',
    "oakleaf": 'subscription { referralInbox(after: "0") { event referral { id reference summary } } }',
}


def identifying_values() -> list[str]:
    values = [value for value in CHILD.values()]
    values += ["9434765919", "Thornbury", "Edith", "Larkfield", "KCC-CHILD-778812", *FILE_NAMES]
    values += [base64.b64encode(CARE_PLAN_TEXT.encode()).decode()[:40], base64.b64encode(PLACEMENT_PLAN).decode()[:40]]
    return values


def leaks(text: str) -> list[str]:
    return [value for value in identifying_values() if value in text]


async def _replayed(api: Api, who: str, document: str) -> str:
    """Every message a live feed replays from the start of the log, until it goes quiet."""
    transport = ASGIWebSocketTransport(app=api.app)
    seen: list[dict] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with aconnect_ws("http://testserver/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            socket = GraphQLSocket(ws)
            await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {api.tokens[who]}"}})
            assert (await socket.receive())["type"] == "connection_ack"
            await socket.subscribe(document)
            while True:
                try:
                    seen.append(await socket.receive(timeout=1.0))
                except TimeoutError:
                    break
    assert seen, f"{who}'s feed replayed nothing"
    return json.dumps(seen)


async def test_no_identifying_value_travels_after_a_whole_story(
    api: Api, market: Marketplace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    referral = await market.referral(max_distance_miles=60)
    rid = to_global_id("Referral", referral.id)
    officer = "kent_officer"

    saved = (await api(SAVE, {"input": {"referralId": rid, **CHILD}}, as_=officer))["data"]["saveChildRecord"]
    assert saved["errors"] == []
    documents = []
    for name, kind, content in (
        (FILE_NAMES[0], "CARE_PLAN", CARE_PLAN_TEXT.encode()),
        (FILE_NAMES[1], "PLACEMENT_PLAN", PLACEMENT_PLAN),
    ):
        document = {"referralId": rid, "kind": kind, "fileName": name,
                    "contentBase64": base64.b64encode(content).decode()}  # fmt: skip
        added = (await api(ADD, {"input": document}, as_=officer))["data"]["addReferralDocument"]
        assert added["errors"] == [], added
        documents.append(added["document"]["id"])

    offers = {}
    for provider in ("harbour", "oakleaf"):
        offer = {
            "referralId": rid,
            "carerHouseholdId": to_global_id("CarerHousehold", market.households[provider]),
            "startDate": (datetime.now(UTC).date() + timedelta(days=2)).isoformat(),
            "matchingStatement": "Experienced with teenagers; a settled household near good schools.",
        }
        submitted = (await api(SUBMIT, {"input": offer}, as_=provider))["data"]["submitOffer"]
        assert submitted["errors"] == [], submitted
        offers[provider] = submitted["offer"]["id"]
    accepted = (await api(ACCEPT, {"input": {"id": offers["harbour"]}}, as_=officer))["data"]["acceptOffer"]
    assert accepted["errors"] == [], accepted

    for _ in range(2):  # twice: a second read must not be answered (and kept) by the response cache
        record = (await api(RECORD, {"id": rid}, as_="harbour"))["data"]["childRecord"]
        assert record["fullName"] == CHILD["fullName"]
        for document_id in documents:
            assert (await api(DOWNLOAD, {"id": document_id}, as_="harbour"))["data"]["referralDocument"]
        assert (await api(RECORD, {"id": rid}, as_="oakleaf"))["data"]["childRecord"] is None
        assert (await api(AUDIT, {"id": rid}, as_=officer))["data"]["accessAudit"]
    ending = {
        "id": accepted["placement"]["id"],
        "endDate": (datetime.now(UTC).date() + timedelta(days=40)).isoformat(),
        "reason": "CARPL",
        "planned": False,
    }
    assert (await api(END, {"input": ending}, as_=officer))["data"]["endPlacement"]["errors"] == []
    assert (await api(REVOKE, {"input": {"referralId": rid}}, as_=officer))["data"]["revokeChildRecordAccess"][
        "errors"
    ] == []

    events = [(event.type, event.payload) for event in await Event.all()]
    assert {"childRecord.saved", "childRecord.documentAdded", "childRecord.accessRevoked"} <= {t for t, _ in events}
    assert leaks(json.dumps(events, default=str)) == []
    assert leaks(" ".join(await EventTopic.all().values_list("topic", flat=True))) == []

    outbox = await OutboxMessage.all()
    assert outbox, "the story sent email (broadcasts, offers, the ending)"
    renderer = Renderer(settings_for("sqlite://:memory:"))
    rendered = [renderer.render(row).as_bytes().decode(errors="replace") for row in outbox]
    assert leaks(json.dumps([row.context for row in outbox], default=str) + "".join(rendered)) == []

    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert "child_record" in logged  # the SQL was logged at DEBUG: with sealed values only
    assert leaks(logged) == []

    # Answers the cache does keep, about the same referral: the inbox, the referral and its offers.
    for who in ("harbour", officer):
        seen = await api(REFERRAL, {"id": rid}, as_=who)
        assert seen["data"]["referral"]["reference"] == referral.reference, seen
    kept = b"".join(answer.body for answer in _cache(api)._answers.values()).decode()
    assert kept, "the response cache kept other answers meanwhile"
    assert leaks(kept) == []

    for who, feed in FEEDS.items():
        assert leaks(await _replayed(api, who, feed)) == []
    offer_feed = f'subscription {{ offerUpdates(referralId: "{rid}", after: "0") {{ event offer {{ id }} }} }}'
    assert leaks(await _replayed(api, officer, offer_feed)) == []

    # And the database holds none of it in the clear, in any table (the record's columns are sealed).
    everything = json.dumps(await database_rows(), default=str)
    assert leaks(everything) == []
    assert everything.count("pe1:") >= len(CHILD) + 2 * len(documents)
