"""Providers see their best matches and their framework fee; councils see offers ranked 60/40."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.services import offers
from server.services.offers import OfferDetails
from tests.api.conftest import Api


async def test_provider_sees_its_households_ranked_with_reasons_and_its_fee(api: Api, market: Marketplace) -> None:
    referral = await market.referral(age_years=13, urgency="today")
    rid = to_global_id("Referral", referral.id)
    body = await api(
        """query($id: ID!) { bestMatches(referralId: $id) { label eligible score distanceMiles
        reasons { met text hard } } feeQuote(referralId: $id) { weeklyFeePence lines { label amountPence } } }""",
        {"id": rid},
        as_="harbour",
    )
    matches = body["data"]["bestMatches"]
    assert [m["label"] for m in matches] == ["HARBOUR-H1"]  # only its own households
    assert matches[0]["eligible"] is True
    assert any("Approved for ages 8-17" in r["text"] for r in matches[0]["reasons"])
    quote = body["data"]["feeQuote"]
    assert quote["weeklyFeePence"] == 82_000 + 6_000 + 10_000
    assert [line["label"] for line in quote["lines"]] == [
        "Framework fee: age 11-15, standard need",
        "Emergency placement supplement",
    ]


async def test_council_sees_offers_ranked_by_quality_and_cost(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    start = datetime.now(UTC).date() + timedelta(days=1)
    for key in ("harbour", "oakleaf"):
        await offers.submit_offer(
            market.actor(key),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households[key],
                start_date=start,
                matching_statement="Experienced with this age; close to home.",
            ),
        )
    body = await api(
        "query($id: ID!) { offerRanking(referralId: $id) { rank cost total } }",
        {"id": to_global_id("Referral", referral.id)},
        as_="kent_officer",
    )
    ranking = body["data"]["offerRanking"]
    assert [r["rank"] for r in ranking] == [1, 2]
    assert max(r["cost"] for r in ranking) == 100.0
    hidden = await api(
        "query($id: ID!) { offerRanking(referralId: $id) { rank } }",
        {"id": to_global_id("Referral", referral.id)},
        as_="harbour",
    )
    assert hidden["data"]["offerRanking"] == []
