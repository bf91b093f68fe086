"""Block contracts through the API, on both databases: a commissioner makes one with a ramp of place starts, a term
over ten years is refused naming endsOn with nothing stored, the provider and the council see its occupancy and
voids, another council sees nothing, and a fitting referral is offered to the block provider alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import Marketplace, add_residential_lot
from schema.ids import to_global_id
from server.domain.vocabulary import OfstedJudgement, PlacementKind
from server.models import BlockContract, BroadcastRecipient, ChildrensHome, FrameworkChange
from tests.api.conftest import Api

CREATE = """mutation($input: CreateBlockContractInput!) { createBlockContract(input: $input) {
  blockContract { id reference partyCouncils voidWeeklyCostPence places { id startsOn resourceName } }
  errors { field code message } } }"""
UPDATE = """mutation($input: UpdateBlockContractInput!) { updateBlockContract(input: $input) {
  blockContract { id endsOn places { startsOn } } errors { field code message } } }"""
READ = """query($id: ID, $from: Date, $to: Date) { blockContracts(id: $id) {
  id providerName weeklyPricePence occupancy(fromDate: $from, toDate: $to) {
    openDays occupiedDays voidDays voidCostPence utilisationPercent }
  places { occupiedToday occupancy(fromDate: $from, toDate: $to) { openDays voidDays } } } }"""


async def oakleaf_lodge(market: Marketplace) -> ChildrensHome:
    return await ChildrensHome.create(
        provider=market.providers["oakleaf"],
        name="Oakleaf Lodge",
        ofsted_urn="SC981001",
        beds=3,
        min_age=10,
        max_age=17,
        district="ME15",
        ofsted_judgement=OfstedJudgement.GOOD,
    )


def contract_input(market: Marketplace, home: ChildrensHome, **changes) -> dict:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=60)
    home_id = to_global_id("ChildrensHome", home.id)
    values = {
        "reference": "KCC-BLOCK-API",
        "name": "Kent children's home beds",
        "providerId": to_global_id("Provider", home.provider_id),
        "councilId": to_global_id("Council", market.kent.id),
        "startsOn": start.isoformat(),
        "endsOn": (start + timedelta(days=365 * 5)).isoformat(),
        "weeklyPricePence": 700_000,
        "voidBasis": "WEEKLY_AMOUNT",
        "voidWeeklyPence": 420_000,
        "callOffWindowHours": 6,
        "places": [
            {"startsOn": start.isoformat(), "childrensHomeId": home_id},
            {"startsOn": (today - timedelta(days=30)).isoformat(), "childrensHomeId": home_id},
        ],
    }
    values.update(changes)
    return values


async def test_a_commissioner_makes_a_block_contract_and_both_sides_see_its_voids(
    api: Api, market: Marketplace
) -> None:
    home = await oakleaf_lodge(market)
    body = await api(CREATE, {"input": contract_input(market, home)}, as_="kent_commissioner")
    made = body["data"]["createBlockContract"]
    assert made["errors"] == []
    contract = made["blockContract"]
    assert contract["partyCouncils"] == ["Kent County Council"] and contract["voidWeeklyCostPence"] == 420_000
    assert [p["resourceName"] for p in contract["places"]] == ["Oakleaf Lodge", "Oakleaf Lodge"]
    assert await FrameworkChange.filter(action="block_contract.created").count() == 1

    today = datetime.now(UTC).date()
    period = {"id": contract["id"], "from": (today - timedelta(days=59)).isoformat(), "to": today.isoformat()}
    for who in ("kent_commissioner", "kent_officer", "oakleaf"):
        [seen] = (await api(READ, period, as_=who))["data"]["blockContracts"]
        figures = seen["occupancy"]
        # Two empty places: one for the 60 days asked, the other from 30 days ago (both ends counted).
        assert (figures["openDays"], figures["occupiedDays"], figures["voidDays"]) == (60 + 31, 0, 91), who
        assert figures["voidCostPence"] == 91 * 60_000 and figures["utilisationPercent"] == 0.0
    for who in ("medway_officer", "harbour"):
        assert (await api(READ, period, as_=who))["data"]["blockContracts"] == [], who


async def test_a_term_over_ten_years_is_refused_naming_the_field(api: Api, market: Marketplace) -> None:
    home = await oakleaf_lodge(market)
    start = date(2026, 4, 1)
    too_long = contract_input(market, home, startsOn=start.isoformat(), endsOn="2036-04-01")
    too_long["places"] = [{"startsOn": start.isoformat(), "childrensHomeId": to_global_id("ChildrensHome", home.id)}]
    body = await api(CREATE, {"input": too_long}, as_="kent_commissioner")
    assert body["data"]["createBlockContract"] == {
        "blockContract": None,
        "errors": [{"field": "endsOn", "code": "INVALID", "message": "A block contract's term is at most 10 years."}],
    }
    assert await BlockContract.all().count() == 0


async def test_a_place_starting_outside_the_term_is_refused_and_a_ramp_is_moved(api: Api, market: Marketplace) -> None:
    home = await oakleaf_lodge(market)
    body = await api(CREATE, {"input": contract_input(market, home)}, as_="kent_commissioner")
    contract = body["data"]["createBlockContract"]["blockContract"]
    late = (datetime.now(UTC).date() + timedelta(days=366 * 6)).isoformat()
    moved = (datetime.now(UTC).date() + timedelta(days=90)).isoformat()
    refused = await api(
        UPDATE,
        {"input": {"id": contract["id"], "placeStarts": [{"placeId": contract["places"][1]["id"], "startsOn": late}]}},
        as_="kent_commissioner",
    )
    assert [e["field"] for e in refused["data"]["updateBlockContract"]["errors"]] == ["placeStarts.0.startsOn"]
    changed = await api(
        UPDATE,
        {"input": {"id": contract["id"], "placeStarts": [{"placeId": contract["places"][1]["id"], "startsOn": moved}]}},
        as_="kent_commissioner",
    )
    assert moved in [p["startsOn"] for p in changed["data"]["updateBlockContract"]["blockContract"]["places"]]
    assert await FrameworkChange.filter(action="block_contract.updated").count() == 1


async def test_a_fitting_referral_reaches_only_the_block_provider(api: Api, market: Marketplace) -> None:
    lot = await add_residential_lot(market, "harbour")
    home = await oakleaf_lodge(market)
    await api(CREATE, {"input": contract_input(market, home)}, as_="kent_commissioner")
    referral = await market.referral(lot_id=lot.id, placement_kind=PlacementKind.CHILDRENS_HOME, age_years=14)
    sent = await BroadcastRecipient.filter(referral_id=referral.id, sent_at__isnull=False).values_list(
        "provider_id", flat=True
    )
    assert sent == [market.providers["oakleaf"].id]
    inbox = "{ referrals(first: 10) { edges { node { id } } } }"
    oakleaf = (await api(inbox, as_="oakleaf"))["data"]["referrals"]["edges"]
    harbour = (await api(inbox, as_="harbour"))["data"]["referrals"]["edges"]
    assert [edge["node"]["id"] for edge in oakleaf] == [to_global_id("Referral", referral.id)]
    assert harbour == []
    # The block provider's quote is the block price.
    quote = "query($r: ID!) { feeQuote(referralId: $r) { weeklyFeePence lines { label } } }"
    body = await api(quote, {"r": to_global_id("Referral", referral.id)}, as_="oakleaf")
    assert body["data"]["feeQuote"] == {
        "weeklyFeePence": 700_000,
        "lines": [{"label": "Block contract KCC-BLOCK-API weekly price"}],
    }
