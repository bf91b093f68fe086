"""Contract-management figures through the API, on both databases, checked against a hand-counted quarter.

The quarter is 2025-Q3 (October to December 2025) on the Kent & Medway framework (Kent leads; Kent and Medway
are members; its predecessor is the 2018 framework). Every placement weekly fee is £700 (£100 a day) except
P7's £910 (£130 a day):

    P1 Kent/Harbour   1 Jun - 15 Nov, planned, notice 1 Oct (45 days)    inside, 12 mi   this framework
    P2 Kent/Harbour  10 Oct -  1 Dec, unplanned, notice 20 Nov (11 days) outside, 25 mi  spot (escalated)
    P3 Kent/Oakleaf   1 Aug - running                                    outside, 8 mi   the previous framework
    P4 Medway/Oakleaf 1 Nov - 20 Dec, unplanned, no notice, aged 16      inside, 30 mi   this framework
    P5 Kent/Harbour   1 Jan 2024 - 30 Sep 2025 (before the quarter)
    P6 Kent/Harbour   5 Jan 2026 - (after the quarter)
    P7 Kent/Oakleaf   1 May - running, solo, £910                        unknown         spot (no framework)

Referrals published in the quarter: P2's (8 Oct), P4's (28 Oct), G1 (Kent, unfilled, self-harm and going
missing, aged 14, ME14), G2 (Medway, escalated to spot, self-harm, aged 16, ME4). Offers: one each on P2's (10
hours after publishing) and P4's (30 hours); placements made 48 and 72 hours after publishing. Sent to
providers: P2's to Harbour (answered in 10 h) and Oakleaf (declined, no capacity, 4 h); P4's to Oakleaf (30 h)
and Harbour (no answer); G1 to Harbour (declined, needs not met, 2 h) and Oakleaf (no answer); G2 to Harbour (no
answer). Allegations in the quarter: Kent's on P1 substantiated, Harbour's on its household with no placement
unfounded, Kent's on P3 still open (and one in July, malicious, outside the quarter). Feedback in the quarter:
P1 (4, 3, 5) and P3 (2, 3, 3); one in July on P3 (1, 1, 1) outside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import (
    AllegationCategory,
    AllegationOutcome,
    AllegationReporter,
    DeclineReason,
    Duration,
    FeedbackGiver,
    PlacementKind,
    PlacementStatus,
    ReasonPlacementChanged,
    ReferralStatus,
)
from server.models import BroadcastRecipient, Framework, Offer, Placement, Referral
from server.services import contract_figures, contract_records, offers, placement_life, resources
from server.services.offers import OfferDetails
from server.services.offers import copied_from as offer_copies
from server.services.placements import copied_from
from tests.api.conftest import Api

QUARTER = "2025-Q3"
FEE = 70_000


def _at(day: date, hours: float = 9) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


class Quarter:
    """The fixture's handles: placements and referrals by name."""

    def __init__(self) -> None:
        self.placements: dict[str, Placement] = {}
        self.referrals: dict[str, Referral] = {}


async def _household(market: Marketplace, provider: str) -> int:
    household = await resources.create_carer_household(
        market.actor(provider),
        market.providers[provider].id,
        resources.HouseholdDetails(
            reference=f"{provider.upper()}-BIG",
            district=market.providers[provider].district,
            min_age=0,
            max_age=18,
            approved_places=6,
            placement_kinds=[PlacementKind.CORE_FOSTERING.value],
            durations=[d.value for d in Duration],
        ),
    )
    return household.id


async def _place(market: Marketplace, officer: str, provider: str, household: int, **referral) -> Placement:
    made = await market.referral(officer, **referral)
    offer = await offers.submit_offer(
        market.actor(provider),
        OfferDetails(
            referral_id=made.id,
            carer_household_id=household,
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced carers, settled household near school.",
        ),
    )
    return await offers.accept_offer(market.actor(officer), offer.id)


async def _set(
    placement: Placement,
    *,
    start: date,
    end: date | None = None,
    planned: bool | None = None,
    notice: date | None = None,
    inside: bool | None = None,
    miles: float | None = None,
    fee: int = FEE,
    published: date,
    framework_id: int | str | None = "keep",
    spot: bool = False,
    kind: PlacementKind | None = None,
    age: int | None = None,
) -> None:
    await Placement.filter(id=placement.id).update(
        start_date=start,
        end_date=end,
        status=PlacementStatus.ENDED if end else PlacementStatus.ACTIVE,
        planned_ending=planned,
        end_reason=(ReasonPlacementChanged.CARPL if planned else ReasonPlacementChanged.CREQB) if end else None,
        notice_given_on=notice,
        inside_council_area=inside,
        distance_miles=miles,
        weekly_fee_pence=fee,
    )
    changes: dict = {"published_at": _at(published), "escalated_to_spot": spot}
    if framework_id != "keep":
        changes["framework_id"] = framework_id
    if kind is not None:
        changes["placement_kind"] = kind
    if age is not None:
        changes["age_years"] = age
    await Referral.filter(id=placement.referral_id).update(**changes)
    # The placement and the offers keep their referral's facts as it was placed: set here as if placed so.
    referral = await Referral.get(id=placement.referral_id)
    await Placement.filter(id=placement.id).update(**copied_from(referral))
    await Offer.filter(referral_id=referral.id).update(**offer_copies(referral))


async def _answers(market: Marketplace, referral_id: int, published: date, answers: dict) -> None:
    """Who the referral was sent to and how each answered: provider -> (hours to answer or None, decline)."""
    await BroadcastRecipient.filter(referral_id=referral_id).update(sent_at=None, responded_at=None)
    for provider, (hours, reason) in answers.items():
        await BroadcastRecipient.filter(referral_id=referral_id, provider_id=market.providers[provider].id).update(
            sent_at=_at(published),
            responded_at=_at(published, 9 + hours) if hours is not None else None,
            decline_reason=reason,
        )


@pytest.fixture
async def quarter(api: Api, market: Marketplace) -> Quarter:
    q = Quarter()
    framework = market.framework
    previous = await Framework.create(
        reference="KM-IFP-2018",
        name="Kent & Medway IFP 2018",
        lead_council=market.kent,
        starts_on=date(2018, 2, 1),
        ends_on=date(2022, 3, 31),
    )
    await Framework.filter(id=framework.id).update(predecessor_id=previous.id)
    harbour, oakleaf = await _household(market, "harbour"), await _household(market, "oakleaf")
    plan = {
        "P1": ("kent_officer", "harbour", harbour),
        "P2": ("kent_officer", "harbour", harbour),
        "P3": ("kent_officer", "oakleaf", oakleaf),
        "P4": ("medway_officer", "oakleaf", oakleaf),
        "P5": ("kent_officer", "harbour", harbour),
        "P6": ("kent_officer", "harbour", harbour),
        "P7": ("kent_officer", "oakleaf", oakleaf),
    }
    for name, (officer, provider, household) in plan.items():
        q.placements[name] = await _place(market, officer, provider, household)
    p = q.placements
    await _set(p["P1"], start=date(2025, 6, 1), end=date(2025, 11, 15), planned=True, notice=date(2025, 10, 1),
               inside=True, miles=12, published=date(2025, 5, 20))  # fmt: skip
    await _set(p["P2"], start=date(2025, 10, 10), end=date(2025, 12, 1), planned=False, notice=date(2025, 11, 20),
               inside=False, miles=25, published=date(2025, 10, 8), spot=True)  # fmt: skip
    await _set(p["P3"], start=date(2025, 8, 1), inside=False, miles=8, published=date(2025, 7, 20),
               framework_id=previous.id)  # fmt: skip
    await _set(p["P4"], start=date(2025, 11, 1), end=date(2025, 12, 20), planned=False, inside=True, miles=30,
               published=date(2025, 10, 28), age=16)  # fmt: skip
    await _set(p["P5"], start=date(2024, 1, 1), end=date(2025, 9, 30), planned=False, inside=True, miles=3,
               published=date(2023, 12, 1))  # fmt: skip
    await _set(p["P6"], start=date(2026, 1, 5), inside=True, miles=3, published=date(2026, 1, 2))
    await _set(p["P7"], start=date(2025, 5, 1), fee=91_000, published=date(2025, 4, 20), framework_id=None,
               kind=PlacementKind.SOLO)  # fmt: skip

    for name, published, offer_hours, placed_hours in (
        ("P2", date(2025, 10, 8), 10, 48),
        ("P4", date(2025, 10, 28), 30, 72),
    ):
        placement = p[name]
        await Offer.filter(id=placement.offer_id).update(submitted_at=_at(published, 9 + offer_hours))
        await Placement.filter(id=placement.id).update(created_at=_at(published, 9 + placed_hours))
    g1 = await market.referral("kent_officer")
    await Referral.filter(id=g1.id).update(
        published_at=_at(date(2025, 11, 12)),
        status=ReferralStatus.UNFILLED,
        needs=["self_harm", "going_missing"],
        age_years=14,
    )
    g2 = await market.referral("medway_officer", home_district="ME4")
    await Referral.filter(id=g2.id).update(
        published_at=_at(date(2025, 12, 3)), escalated_to_spot=True, needs=["self_harm"], age_years=16
    )
    q.referrals = {"G1": g1, "G2": g2}
    await _answers(market, p["P2"].referral_id, date(2025, 10, 8),
                   {"harbour": (10, None), "oakleaf": (4, DeclineReason.NO_CAPACITY)})  # fmt: skip
    await _answers(market, p["P4"].referral_id, date(2025, 10, 28), {"oakleaf": (30, None), "harbour": (None, None)})
    await _answers(market, g1.id, date(2025, 11, 12),
                   {"harbour": (2, DeclineReason.NEEDS_NOT_MET), "oakleaf": (None, None)})  # fmt: skip
    await _answers(market, g2.id, date(2025, 12, 3), {"harbour": (None, None)})
    # The referrals of the placements outside the quarter were sent long before it.
    for name in ("P1", "P3", "P5", "P6", "P7"):
        await BroadcastRecipient.filter(referral_id=p[name].referral_id).update(sent_at=_at(date(2024, 1, 1)))

    kent, harbour_staff = market.actor("kent_officer"), market.actor("harbour")
    for actor, details in (
        (kent, contract_records.AllegationDetails(
            reported_on=date(2025, 10, 5), category=AllegationCategory.PHYSICAL_ABUSE,
            reported_by=AllegationReporter.CHILD, placement_id=p["P1"].id,
            outcome=AllegationOutcome.SUBSTANTIATED, concluded_on=date(2025, 11, 1),
            summary="Reported a carer grabbed an arm during an argument.")),
        (harbour_staff, contract_records.AllegationDetails(
            reported_on=date(2025, 11, 10), category=AllegationCategory.INAPPROPRIATE_CONDUCT,
            reported_by=AllegationReporter.PROVIDER_STAFF, carer_household_id=harbour,
            outcome=AllegationOutcome.UNFOUNDED, concluded_on=date(2025, 12, 1))),
        (kent, contract_records.AllegationDetails(
            reported_on=date(2025, 12, 1), category=AllegationCategory.NEGLECT,
            reported_by=AllegationReporter.SOCIAL_WORKER, placement_id=p["P3"].id)),
        (kent, contract_records.AllegationDetails(
            reported_on=date(2025, 7, 1), category=AllegationCategory.OTHER,
            reported_by=AllegationReporter.FAMILY, placement_id=p["P1"].id,
            outcome=AllegationOutcome.MALICIOUS, concluded_on=date(2025, 8, 1))),
    ):  # fmt: skip
        await contract_records.record_allegation(actor, details)
    for name, given, scores in (
        ("P1", date(2025, 10, 20), (4, 3, 5)),
        ("P3", date(2025, 11, 5), (2, 3, 3)),
        ("P3", date(2025, 8, 5), (1, 1, 1)),
    ):
        await contract_records.record_placement_feedback(
            kent,
            p[name].id,
            contract_records.FeedbackDetails(
                given_on=given,
                given_by=FeedbackGiver.SOCIAL_WORKER,
                needs_met=scores[0],
                communication=scores[1],
                stability=scores[2],
            ),
        )
    return q


COUNT = "{ value referralReferences placementReferences }"
FIGURES = f"""{{
  placementsStarted {COUNT} placementsActive {COUNT} placementsEnded {COUNT} plannedEndings {COUNT}
  unplannedEndings {COUNT} unplannedRate endingsWithoutNotice {COUNT}
  allegations {{ key count {COUNT} }} allegationsTotal
  feedback {{ responses needsMet communication stability overall }}
  distance {{ key count {COUNT} }} insideCouncilArea within20Miles
  routes {{ route placements {COUNT} spendPence }} spendPence
  feeByKind {{ key placements {{ value }} averageWeeklyFeePence }}
  feeByAgeBand {{ key placements {{ value }} averageWeeklyFeePence }}
  referralsPublished {COUNT} referralsPlaced {{ value }} medianHoursToFirstOffer medianHoursToPlacement
  offers offersPerReferral referralsSentToProviders referralsAnswered responseRate medianResponseHours
  declinesByReason {{ key count {COUNT} }}
  sufficiencyGaps {COUNT} gapsUnfilled {{ value }} gapsEscalatedToSpot {{ value }}
  gapsByNeed {{ key count {COUNT} }} gapsByAgeBand {{ key count {{ value }} }} gapsByDistrict {{ key count {{ value }} }}
}}"""
TREND = "trend { quarter placementsStarted placementsActive placementsEnded unplannedEndings endingsWithoutNotice allegations spendPence }"
FRAMEWORK_QUARTER = f"""query($f: ID!, $q: String!) {{ frameworkQuarter(frameworkId: $f, quarter: $q) {{
  quarter label startsOn endsOn figures {FIGURES}
  councils {{ name placementsActive {COUNT} unplannedEndings {{ value }} spendPence }}
  providers {{ name placementsActive {{ value }} referralsSent responseRate medianResponseHours }}
  {TREND}
  tables {{ key title columns rows {{ label cells referralReferences placementReferences }} }} }} }}"""
COUNCIL_QUARTER = f"""query($c: ID!, $q: String!) {{ councilQuarter(councilId: $c, quarter: $q) {{
  quarter council {{ name }} framework {{ reference }} figures {FIGURES} consortium {FIGURES} {TREND} }} }}"""
SCORECARD = f"""query($p: ID!, $f: ID!, $q: String!) {{ providerScorecard(providerId: $p, frameworkId: $f, quarter: $q) {{
  quarter providersCompared figures {FIGURES} lines {{ key own consortiumAverage }} {TREND}
  tables {{ key rows {{ label cells }} }} }} }}"""


def _ipa(q: Quarter, *names: str) -> set[str]:
    return {q.placements[n].ipa_reference for n in names}


def _by_key(items: list[dict]) -> dict[str, dict]:
    return {item["key"]: item for item in items}


async def _framework_quarter(api: Api, market: Marketplace, who: str = "kent_commissioner", quarter: str = QUARTER):
    body = await api(FRAMEWORK_QUARTER, {"f": to_global_id("Framework", market.framework.id), "q": quarter}, as_=who)
    assert not body.get("errors"), body
    return body["data"]["frameworkQuarter"]


async def test_framework_quarter_counts_the_hand_counted_quarter(api: Api, market: Marketplace, quarter: Quarter):
    view = await _framework_quarter(api, market)
    assert (view["quarter"], view["startsOn"], view["endsOn"]) == (QUARTER, "2025-10-01", "2025-12-31")
    f = view["figures"]
    assert f["placementsActive"]["value"] == 5
    assert set(f["placementsActive"]["placementReferences"]) == _ipa(quarter, "P1", "P2", "P3", "P4", "P7")
    assert set(f["placementsStarted"]["placementReferences"]) == _ipa(quarter, "P2", "P4")
    assert set(f["placementsEnded"]["placementReferences"]) == _ipa(quarter, "P1", "P2", "P4")
    assert set(f["plannedEndings"]["placementReferences"]) == _ipa(quarter, "P1")
    assert f["unplannedEndings"]["value"] == 2 and f["unplannedRate"] == pytest.approx(0.6667)
    assert set(f["endingsWithoutNotice"]["placementReferences"]) == _ipa(quarter, "P2", "P4")
    referral = await Referral.get(id=quarter.placements["P2"].referral_id)
    assert referral.reference in f["endingsWithoutNotice"]["referralReferences"]


async def test_allegations_feedback_and_distance(api: Api, market: Marketplace, quarter: Quarter):
    f = (await _framework_quarter(api, market))["figures"]
    outcomes = {k: v["count"]["value"] for k, v in _by_key(f["allegations"]).items()}
    assert outcomes == {
        "substantiated": 1,
        "unsubstantiated": 0,
        "unfounded": 1,
        "false": 0,
        "malicious": 0,
        "open": 1,
    }
    assert f["allegationsTotal"] == 3
    assert set(_by_key(f["allegations"])["substantiated"]["count"]["placementReferences"]) == _ipa(quarter, "P1")
    assert f["feedback"] == {"responses": 2, "needsMet": 3.0, "communication": 3.0, "stability": 4.0, "overall": 3.33}
    distance = {k: set(v["count"]["placementReferences"]) for k, v in _by_key(f["distance"]).items()}
    assert distance == {
        "inside_within": _ipa(quarter, "P1"),
        "inside_over": _ipa(quarter, "P4"),
        "outside_within": _ipa(quarter, "P3"),
        "outside_over": _ipa(quarter, "P2"),
        "unknown_any": _ipa(quarter, "P7"),
    }
    assert (f["insideCouncilArea"], f["within20Miles"]) == (2, 2)


async def test_routes_spend_and_fees(api: Api, market: Marketplace, quarter: Quarter):
    f = (await _framework_quarter(api, market))["figures"]
    routes = {r["route"]: (set(r["placements"]["placementReferences"]), r["spendPence"]) for r in f["routes"]}
    assert routes == {
        "THIS_FRAMEWORK": (_ipa(quarter, "P1", "P4"), 46 * 10_000 + 50 * 10_000),
        "PREVIOUS_FRAMEWORK": (_ipa(quarter, "P3"), 92 * 10_000),
        "SPOT": (_ipa(quarter, "P2", "P7"), 53 * 10_000 + 92 * 13_000),
    }
    assert f["spendPence"] == 3_606_000
    kinds = {k: (v["placements"]["value"], v["averageWeeklyFeePence"]) for k, v in _by_key(f["feeByKind"]).items()}
    assert kinds == {"core_fostering": (4, 70_000), "solo": (1, 91_000)}
    bands = {k: (v["placements"]["value"], v["averageWeeklyFeePence"]) for k, v in _by_key(f["feeByAgeBand"]).items()}
    assert bands == {"11-15": (4, 75_250), "16-18": (1, 70_000)}


async def test_referrals_responses_declines_and_gaps(api: Api, market: Marketplace, quarter: Quarter):
    f = (await _framework_quarter(api, market))["figures"]
    assert f["referralsPublished"]["value"] == 4 and f["referralsPlaced"]["value"] == 2
    assert (f["offers"], f["offersPerReferral"]) == (2, 0.5)
    assert (f["medianHoursToFirstOffer"], f["medianHoursToPlacement"]) == (20.0, 60.0)
    assert (f["referralsSentToProviders"], f["referralsAnswered"]) == (7, 4)
    assert f["responseRate"] == pytest.approx(0.5714) and f["medianResponseHours"] == 7.0
    declines = {k: v["count"]["value"] for k, v in _by_key(f["declinesByReason"]).items()}
    assert declines == {"no_capacity": 1, "needs_not_met": 1}
    g1, g2 = quarter.referrals["G1"].reference, quarter.referrals["G2"].reference
    p2 = (await Referral.get(id=quarter.placements["P2"].referral_id)).reference
    assert set(f["sufficiencyGaps"]["referralReferences"]) == {p2, g1, g2}
    assert (f["gapsUnfilled"]["value"], f["gapsEscalatedToSpot"]["value"]) == (1, 2)
    needs = _by_key(f["gapsByNeed"])
    assert {k: v["count"]["value"] for k, v in needs.items()} == {"self_harm": 2, "going_missing": 1}
    assert set(needs["self_harm"]["count"]["referralReferences"]) == {g1, g2}
    assert {k: v["count"]["value"] for k, v in _by_key(f["gapsByAgeBand"]).items()} == {"11-15": 2, "16-18": 1}
    assert {k: v["count"]["value"] for k, v in _by_key(f["gapsByDistrict"]).items()} == {"ME14": 2, "ME4": 1}


async def test_councils_providers_trend_and_tables(api: Api, market: Marketplace, quarter: Quarter):
    view = await _framework_quarter(api, market)
    councils = {c["name"]: c for c in view["councils"]}
    assert councils["Kent County Council"]["placementsActive"]["value"] == 4
    assert set(councils["Medway Council"]["placementsActive"]["placementReferences"]) == _ipa(quarter, "P4")
    providers = {p["name"]: p for p in view["providers"]}
    harbour = next(p for name, p in providers.items() if name.startswith("Harbour"))
    assert (harbour["placementsActive"]["value"], harbour["referralsSent"], harbour["responseRate"]) == (2, 4, 0.5)
    assert harbour["medianResponseHours"] == 6.0
    trend = {t["quarter"]: t for t in view["trend"]}
    assert list(trend) == ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]
    assert trend["2025-Q3"]["placementsActive"] == 5 and trend["2025-Q3"]["spendPence"] == 3_606_000
    assert trend["2025-Q2"]["placementsActive"] == 4  # July to September: P1, P3 (from August), P5, P7
    assert trend["2025-Q2"]["allegations"] == 1
    assert trend["2023-Q4"]["placementsActive"] == 1  # January to March 2024: P5
    tables = {t["key"]: t for t in view["tables"]}
    endings = {row["label"]: row for row in tables["endings"]["rows"]}
    assert endings["Without 28 days' notice"]["cells"] == ["2", "66.7%"]
    assert set(endings["Without 28 days' notice"]["placementReferences"]) == _ipa(quarter, "P2", "P4")
    routes = {row["label"]: row["cells"] for row in tables["routes"]["rows"]}
    assert routes["Spot purchase"] == ["2", "£17,260.00"]


async def test_tables_for_is_the_export_shape(api: Api, market: Marketplace, quarter: Quarter):
    view = await contract_figures.framework_quarter(market.actor("kent_commissioner"), market.framework.id, QUARTER)
    tables = await contract_figures.tables_for(view, with_references=True)
    placements = next(t for t in tables if t.key == "placements")
    assert placements.columns == ["Figure", "Placements"]
    started = next(r for r in placements.rows if r.label == "Started")
    assert started.cells == ["2"] and set(started.placement_references) == _ipa(quarter, "P2", "P4")


async def test_council_quarter_is_its_own_beside_the_consortium(api: Api, market: Marketplace, quarter: Quarter):
    body = await api(
        COUNCIL_QUARTER, {"c": to_global_id("Council", market.medway.id), "q": QUARTER}, as_="medway_officer"
    )
    assert not body.get("errors"), body
    view = body["data"]["councilQuarter"]
    assert view["council"]["name"] == "Medway Council"
    own, consortium = view["figures"], view["consortium"]
    assert set(own["placementsActive"]["placementReferences"]) == _ipa(quarter, "P4")
    assert own["endingsWithoutNotice"]["value"] == 1 and own["allegationsTotal"] == 0
    assert own["referralsPublished"]["value"] == 2  # P4's and G2
    assert consortium["placementsActive"]["value"] == 5 and consortium["allegationsTotal"] == 3
    # The consortium's totals are not drillable for a member council: other councils' references stay theirs.
    assert consortium["placementsActive"]["placementReferences"] == []


async def test_provider_scorecard_is_its_own_beside_the_average(api: Api, market: Marketplace, quarter: Quarter):
    variables = {
        "p": to_global_id("Provider", market.providers["harbour"].id),
        "f": to_global_id("Framework", market.framework.id),
        "q": QUARTER,
    }
    body = await api(SCORECARD, variables, as_="harbour")
    assert not body.get("errors"), body
    card = body["data"]["providerScorecard"]
    own = card["figures"]
    assert set(own["placementsActive"]["placementReferences"]) == _ipa(quarter, "P1", "P2")
    assert own["unplannedEndings"]["value"] == 1 and own["endingsWithoutNotice"]["value"] == 1
    assert own["allegationsTotal"] == 2  # Kent's on P1 and its own on its household
    assert (own["referralsSentToProviders"], own["referralsAnswered"], own["medianResponseHours"]) == (4, 2, 6.0)
    providers = card["providersCompared"]
    assert providers == 4  # Harbour, Oakleaf, Northdowns and Weald on the core lot
    lines = {line["key"]: line for line in card["lines"]}
    assert lines["placementsActive"] == {"key": "placementsActive", "own": 2.0, "consortiumAverage": 1.25}
    assert lines["unplannedRate"]["consortiumAverage"] == pytest.approx(0.6667)
    # Oakleaf's scorecard is not Harbour's to see.
    variables["p"] = to_global_id("Provider", market.providers["oakleaf"].id)
    assert (await api(SCORECARD, variables, as_="harbour"))["data"]["providerScorecard"] is None


async def test_who_sees_the_framework_quarter(api: Api, market: Marketplace, quarter: Quarter):
    variables = {"f": to_global_id("Framework", market.framework.id), "q": QUARTER}
    for who in ("kent_officer", "medway_officer", "harbour", "admin"):
        body = await api(FRAMEWORK_QUARTER, variables, as_=who)
        assert body["data"]["frameworkQuarter"] is None, who
    council = {"c": to_global_id("Council", market.kent.id), "q": QUARTER}
    assert (await api(COUNCIL_QUARTER, council, as_="medway_officer"))["data"]["councilQuarter"] is None
    assert (await api(COUNCIL_QUARTER, council, as_="kent_commissioner"))["data"]["councilQuarter"] is not None


async def test_a_quarter_written_wrongly_is_an_error_naming_it(api: Api, market: Marketplace, quarter: Quarter):
    for written in ("2025-Q5", "Q3 2025", "2025-3"):
        body = await api(
            FRAMEWORK_QUARTER,
            {"f": to_global_id("Framework", market.framework.id), "q": written},
            as_="kent_commissioner",
        )
        assert body["data"]["frameworkQuarter"] is None
        assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "quarter"}, body


async def test_each_trend_point_equals_its_own_quarters_figures(api: Api, market: Marketplace, quarter: Quarter):
    """The trend is worked out from the quarters placements start and end in; each point must equal the figures
    the quarter's own page counts, for the consortium and for one council (spend to the penny)."""
    view = await _framework_quarter(api, market)
    council = await api(
        COUNCIL_QUARTER, {"c": to_global_id("Council", market.kent.id), "q": QUARTER}, as_="kent_commissioner"
    )
    assert not council.get("errors"), council
    for trend, own in ((view["trend"], "frameworkQuarter"), (council["data"]["councilQuarter"]["trend"], "council")):
        assert any(point["placementsActive"] for point in trend)
        for point in trend:
            if own == "frameworkQuarter":
                figures = (await _framework_quarter(api, market, quarter=point["quarter"]))["figures"]
            else:
                body = await api(
                    COUNCIL_QUARTER,
                    {"c": to_global_id("Council", market.kent.id), "q": point["quarter"]},
                    as_="kent_commissioner",
                )
                figures = body["data"]["councilQuarter"]["figures"]
            assert point == {
                "quarter": point["quarter"],
                "placementsStarted": figures["placementsStarted"]["value"],
                "placementsActive": figures["placementsActive"]["value"],
                "placementsEnded": figures["placementsEnded"]["value"],
                "unplannedEndings": figures["unplannedEndings"]["value"],
                "endingsWithoutNotice": figures["endingsWithoutNotice"]["value"],
                "allegations": figures["allegationsTotal"],
                "spendPence": figures["spendPence"],
            }, point["quarter"]


async def test_spend_follows_agreed_fee_changes_day_by_day(api: Api, market: Marketplace, quarter: Quarter):
    """P3 (previous framework, £700) agrees £840 from 1 December: 31 days at £20 a day more, 62,000 pence; then a
    change to £1,000 from 15 December still awaits agreement (nothing). P7 (spot, £910) agreed £980 from
    1 September: 92 days of the quarter at £10 a day more, 92,000 pence, and 30 days of the quarter before."""
    before = await _framework_quarter(api, market)
    for name, fee, day, proposer, agreer in (
        ("P3", 84_000, date(2025, 12, 1), "kent_officer", "oakleaf"),
        ("P7", 98_000, date(2025, 9, 1), "oakleaf", "kent_officer"),
    ):
        placement_id = quarter.placements[name].id
        await placement_life.change_fee(
            market.actor(proposer), placement_id, weekly_fee_pence=fee, effective_from=day, reason="Agreed uplift"
        )
        await placement_life.agree_fee_change(market.actor(agreer), placement_id)
    await placement_life.change_fee(
        market.actor("kent_officer"),
        quarter.placements["P3"].id,
        weekly_fee_pence=100_000,
        effective_from=date(2025, 12, 15),
        reason="Proposed uplift",
    )
    after = await _framework_quarter(api, market)

    def spend(view: dict) -> dict[str, int]:
        figures = view["figures"]
        found = {"whole": figures["spendPence"], **{r["route"]: r["spendPence"] for r in figures["routes"]}}
        found |= {c["name"]: c["spendPence"] for c in view["councils"]}
        found |= {t["quarter"]: t["spendPence"] for t in view["trend"]}
        return found

    was, now = spend(before), spend(after)
    moved = {key: now[key] - was[key] for key in was if now[key] != was[key]}
    assert moved == {
        "whole": 154_000,
        "PREVIOUS_FRAMEWORK": 62_000,
        "SPOT": 92_000,
        "Kent County Council": 154_000,
        "2025-Q3": 154_000,
        "2025-Q2": 30_000,
    }
