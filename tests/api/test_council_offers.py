"""The council's decisions through the API: declining an offer with a reason the provider is told, emergency
timing, why an offer fits and ranks, and the council's placements found by status and reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

from bench.harness.marketplace import Marketplace
from notifications.rendering import Renderer
from schema.ids import to_global_id
from server.models import Event, OutboxMessage, User
from tests.api.conftest import Api
from tests.api.conftest import test_settings as settings_for
from tests.api.test_api_basics import CREATE, PUBLISH, referral_input

SUBMIT = "mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { field message } } }"
DECLINE = """mutation($input: DeclineOfferInput!) { declineOffer(input: $input) {
  offer { id status declineReason declineNote } errors { field code message } } }"""
ACCEPT = """mutation($input: OfferIdInput!) { acceptOffer(input: $input) {
  placement { id ipaReference } errors { field code message } } }"""
DECISION = "query($id: ID!) { offers(referralId: $id) { id status declineReason declineNote } }"
MY_OFFERS = "{ myOffers(first: 20) { edges { node { id status declineReason declineNote } } } }"


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def _open_referral(api: Api, market: Marketplace, **changes: object) -> str:
    # Within 60 miles of ME14, so that Oakleaf (CT1) is sent it as well as Harbour (ME16).
    values = referral_input(market, maxDistanceMiles=60, **changes)
    created = await api(CREATE, {"input": values}, as_="kent_officer")
    referral_id = created["data"]["createReferral"]["referral"]["id"]
    published = await api(PUBLISH, {"input": {"id": referral_id}}, as_="kent_officer")
    assert published["data"]["publishReferral"]["errors"] == []
    return referral_id


async def _offer(api: Api, market: Marketplace, referral_id: str, provider: str, start_in_days: int = 1) -> str:
    offer = {
        "referralId": referral_id,
        "carerHouseholdId": to_global_id("CarerHousehold", market.households[provider]),
        "startDate": _day(start_in_days),
        "matchingStatement": "Experienced with teenagers; close to the child's school.",
    }
    body = (await api(SUBMIT, {"input": offer}, as_=provider))["data"]["submitOffer"]
    assert body["errors"] == [], body
    return body["offer"]["id"]


def _mine(body: dict, offer_id: str) -> dict:
    return next(edge["node"] for edge in body["data"]["myOffers"]["edges"] if edge["node"]["id"] == offer_id)


async def test_council_declines_an_offer_with_a_reason_and_the_provider_is_told(api: Api, market: Marketplace) -> None:
    referral_id = await _open_referral(api, market)
    offer_id = await _offer(api, market, referral_id, "harbour")
    note = "The weekly fee is above what the panel agreed for this child."
    body = await api(DECLINE, {"input": {"offerId": offer_id, "reason": "COST", "note": note}}, as_="kent_officer")
    declined = body["data"]["declineOffer"]
    assert declined["errors"] == []
    assert declined["offer"] == {"id": offer_id, "status": "DECLINED", "declineReason": "COST", "declineNote": note}

    # The council (its commissioner too) and the offering provider see why; the platform admin does not.
    for who in ("kent_officer", "kent_commissioner"):
        [seen] = (await api(DECISION, {"id": referral_id}, as_=who))["data"]["offers"]
        assert (seen["declineReason"], seen["declineNote"]) == ("COST", note), who
    assert _mine(await api(MY_OFFERS, as_="harbour"), offer_id)["declineReason"] == "COST"
    [admin_view] = (await api(DECISION, {"id": referral_id}, as_="admin"))["data"]["offers"]
    assert admin_view["status"] == "DECLINED"
    assert (admin_view["declineReason"], admin_view["declineNote"]) == (None, None)

    # The event carries the reason, and the provider's email says it.
    event = await Event.filter(type="offer.declined").order_by("-id").first()
    assert event.payload["declineReason"] == "cost"
    harbour = await User.get(email="duty@harbour.test")
    row = await OutboxMessage.filter(notification="offer_decision", user_id=harbour.id).order_by("-id").first()
    email = message_from_bytes(Renderer(settings_for("sqlite://:memory:")).render(row).as_bytes())
    text = next(part for part in email.walk() if part.get_content_type() == "text/plain")
    body_text = text.get_payload(decode=True).decode()
    assert "Why: The cost." in body_text
    assert note in body_text


async def test_a_decline_needs_a_chosen_reason_and_other_needs_a_note(api: Api, market: Marketplace) -> None:
    referral_id = await _open_referral(api, market)
    offer_id = await _offer(api, market, referral_id, "harbour")
    cases = [
        ({"reason": "OTHER"}, "note", "REQUIRED"),
        ({"reason": "OTHER", "note": "   "}, "note", "REQUIRED"),
        ({"reason": "ANOTHER_OFFER_ACCEPTED"}, "reason", "INVALID"),
        ({"reason": "COST", "note": "x" * 2001}, "note", "INVALID"),
        ({"reason": "COST", "note": "Her mother Kerry Jones asked us"}, "note", "IDENTIFYING_DETAILS"),
    ]
    for given, field, code in cases:
        body = await api(DECLINE, {"input": {"offerId": offer_id, **given}}, as_="kent_officer")
        errors = body["data"]["declineOffer"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (given, errors)
    [offer] = (await api(DECISION, {"id": referral_id}, as_="kent_officer"))["data"]["offers"]
    assert (offer["status"], offer["declineReason"]) == ("SUBMITTED", None)  # nothing changed

    body = await api(
        DECLINE,
        {"input": {"offerId": offer_id, "reason": "OTHER", "note": "The child's social worker found a relative."}},
        as_="kent_officer",
    )
    assert body["data"]["declineOffer"]["offer"]["declineReason"] == "OTHER"
    # Declined is final.
    again = await api(DECLINE, {"input": {"offerId": offer_id, "reason": "COST"}}, as_="kent_officer")
    assert again["data"]["declineOffer"]["errors"][0]["code"] == "WRONG_STATE"


async def test_accepting_one_offer_declines_the_others_as_another_offer_accepted(api: Api, market: Marketplace) -> None:
    referral_id = await _open_referral(api, market)
    chosen = await _offer(api, market, referral_id, "harbour")
    other = await _offer(api, market, referral_id, "oakleaf")
    accepted = (await api(ACCEPT, {"input": {"id": chosen}}, as_="kent_officer"))["data"]["acceptOffer"]
    assert accepted["errors"] == []
    seen = _mine(await api(MY_OFFERS, as_="oakleaf"), other)
    assert seen == {"id": other, "status": "DECLINED", "declineReason": "ANOTHER_OFFER_ACCEPTED", "declineNote": ""}
    assert _mine(await api(MY_OFFERS, as_="harbour"), chosen)["declineReason"] is None
    oakleaf = await User.get(email="duty@oakleaf.test")
    row = await OutboxMessage.filter(notification="offer_decision", user_id=oakleaf.id).order_by("-id").first()
    assert row.context["decline_reason"] == "Another offer was accepted"


async def test_an_offer_starting_after_the_required_by_says_so(api: Api, market: Marketplace) -> None:
    referral_id = await _open_referral(api, market, requiredBy=(datetime.now(UTC) + timedelta(days=3)).isoformat())
    late = await _offer(api, market, referral_id, "harbour", start_in_days=6)
    in_time = await _offer(api, market, referral_id, "oakleaf", start_in_days=2)
    body = await api(
        "query($id: ID!) { offers(referralId: $id) { id startDate startsAfterRequiredBy } }",
        {"id": referral_id},
        as_="kent_officer",
    )
    flags = {offer["id"]: offer["startsAfterRequiredBy"] for offer in body["data"]["offers"]}
    assert flags == {late: True, in_time: False}


async def test_the_council_sees_why_each_offer_fits_and_why_it_ranks_where_it_does(
    api: Api, market: Marketplace
) -> None:
    referral_id = await _open_referral(api, market)
    harbour = await _offer(api, market, referral_id, "harbour")
    oakleaf = await _offer(api, market, referral_id, "oakleaf")
    body = await api(
        """query($id: ID!) {
          referral(id: $id) { offers { id matchReasons { met hard text }
            carerHousehold { minAge maxAge approvedPlaces placementKinds languages } } }
          offerRanking(referralId: $id) { offerId rank quality cost total qualityWeightPercent costWeightPercent
            explanation } }""",
        {"id": referral_id},
        as_="kent_officer",
    )
    offers = {offer["id"]: offer for offer in body["data"]["referral"]["offers"]}
    for offer in offers.values():
        texts = [reason["text"] for reason in offer["matchReasons"]]
        assert any("miles" in text for text in texts), texts
        assert all(reason["met"] for reason in offer["matchReasons"] if reason["hard"])
        assert offer["carerHousehold"]["placementKinds"] == ["CORE_FOSTERING"]
    ranking = {row["offerId"]: row for row in body["data"]["offerRanking"]}
    assert set(ranking) == {harbour, oakleaf}
    first, second = sorted(ranking.values(), key=lambda row: row["rank"])
    weights = (first["qualityWeightPercent"], first["costWeightPercent"])
    assert sum(weights) == 100
    assert first["explanation"].startswith(
        f"Score {first['total']:.1f} = fit {first['quality']:.1f} × {weights[0]}% + cost {first['cost']:.1f} × "
        f"{weights[1]}%"
    )
    assert "Above rank 2" in first["explanation"] and "Below rank 1" in second["explanation"]
    # Harbour's fee is lower than Oakleaf's: it scores 100 on cost.
    assert ranking[harbour]["cost"] == 100.0

    # The provider sees its own offer's reasons, never the ranking.
    mine = await api(
        "query($id: ID!) { offers(referralId: $id) { id matchReasons { text } } offerRanking(referralId: $id) { rank } }",
        {"id": referral_id},
        as_="oakleaf",
    )
    assert [offer["id"] for offer in mine["data"]["offers"]] == [oakleaf]
    assert mine["data"]["offerRanking"] == []


async def test_the_council_finds_its_placements_by_status_and_reference(api: Api, market: Marketplace) -> None:
    placed = []
    for _ in range(2):
        referral_id = await _open_referral(api, market)
        offer_id = await _offer(api, market, referral_id, "harbour")
        accepted = (await api(ACCEPT, {"input": {"id": offer_id}}, as_="kent_officer"))["data"]["acceptOffer"]
        placed.append(accepted["placement"])
    ending = await api(
        """mutation($input: EndPlacementInput!) { endPlacement(input: $input) {
          placement { status endReason noticeGivenOn } errors { field message } } }""",
        {
            "input": {
                "id": placed[0]["id"],
                "endDate": _day(30),
                "reason": "CARPL",
                "planned": True,
                "noticeGivenOn": _day(0),
            }
        },
        as_="kent_officer",
    )
    assert ending["data"]["endPlacement"]["placement"] == {
        "status": "ENDED",
        "endReason": "CARPL",
        "noticeGivenOn": _day(0),
    }
    query = """query($status: PlacementStatus, $search: String) {
      placements(first: 20, status: $status, search: $search) { edges { node { ipaReference status } } } }"""

    async def found(as_: str = "kent_officer", **variables: object) -> list[str]:
        body = await api(query, variables, as_=as_)
        return [edge["node"]["ipaReference"] for edge in body["data"]["placements"]["edges"]]

    references = [p["ipaReference"] for p in placed]
    assert sorted(await found()) == sorted(references)
    assert await found(status="ENDED") == [references[0]]
    assert await found(status="ACTIVE") == [references[1]]
    assert await found(search=references[1].removeprefix("IPA-").lower()) == [references[1]]
    assert await found(search="NOPE-0000") == []
    assert await found(as_="medway_officer", search=references[0]) == []  # another council's: absent
    too_long = await api(query, {"search": "x" * 41}, as_="kent_officer")
    assert too_long["errors"][0]["extensions"]["field"] == "search"


async def test_a_withdrawn_referral_tells_its_providers_why(api: Api, market: Marketplace) -> None:
    referral_id = await _open_referral(api, market)
    withdraw = """mutation($input: WithdrawReferralInput!) { withdrawReferral(input: $input) {
      referral { status withdrawalReason } errors { field message } } }"""
    reason = "The family found a kinship carer overnight."
    body = await api(withdraw, {"input": {"id": referral_id, "reason": f"  {reason} "}}, as_="kent_officer")
    assert body["data"]["withdrawReferral"] == {
        "referral": {"status": "WITHDRAWN", "withdrawalReason": reason},
        "errors": [],
    }
    read = "query($id: ID!) { referral(id: $id) { status withdrawalReason } }"
    for who in ("harbour", "oakleaf"):  # both were sent it
        assert (await api(read, {"id": referral_id}, as_=who))["data"]["referral"]["withdrawalReason"] == reason
    assert (await api(read, {"id": referral_id}, as_="medway_officer"))["data"]["referral"] is None
