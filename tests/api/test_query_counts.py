"""No N+1: the lists clients page through cost a number of queries that does not grow with their length.

Referrals with their offers and recipients, frameworks with their lots, members and prices, vacancies with
their households and homes, placements with their referrals.
"""

from __future__ import annotations

import itertools
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import ADMIN, SCHEDULE_START, Marketplace
from server.domain.vocabulary import (
    AgeBand,
    Duration,
    NeedLevel,
    OfstedJudgement,
    PlacementKind,
    SupplementKind,
    SupplementUnit,
)
from server.models import ChildrensHome, Framework, Lot
from server.services import administration, offers, resources, vacancies
from server.services.administration import PriceLine, SupplementLine
from server.services.offers import OfferDetails
from tests.api.conftest import Api, statements_run

_serial = itertools.count(1)

LIST = """{ referrals(first: 50) { edges { node {
  reference status council { name } framework { name } lot { code } liveOfferCount
  recipients { tier sentAt provider { name } }
  offers { weeklyFeePence status provider { name ofstedJudgement } carerHousehold { reference district } }
} } } }"""


def counting_queries() -> AbstractContextManager[list[str]]:
    # The event hub polls the log in the background; only this request's reads count.
    return statements_run(lambda query: 'FROM "event' not in query and 'UPDATE "access_token"' not in query)


async def _referrals_with_offers(market: Marketplace, count: int) -> None:
    start = datetime.now(UTC).date() + timedelta(days=2)
    for _ in range(count):
        referral = await market.referral()
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


async def test_fifty_referrals_with_offers_cost_the_same_queries_as_five(api: Api, market: Marketplace) -> None:
    await _referrals_with_offers(market, 5)
    with counting_queries() as few:
        body = await api(LIST, as_="kent_officer")
    assert len(body["data"]["referrals"]["edges"]) == 5
    await _referrals_with_offers(market, 45)
    with counting_queries() as many:
        body = await api(LIST, as_="kent_officer")
    edges = body["data"]["referrals"]["edges"]
    assert len(edges) == 50 and all(len(e["node"]["offers"]) == 2 for e in edges)
    # DataLoaders batch per resolution step, so one relation may take two batches; never one per row.
    assert len(many) <= len(few) + 1, "\n".join(many)
    assert len(many) <= 12, "\n".join(many)


def _queries_grow(few: list[str], many: list[str]) -> str:
    return f"{len(few)} queries for the short list, {len(many)} for the long one:\n" + "\n".join(many)


# --- frameworks: lots, members, their prices and supplements, and the member councils --------------------

FRAMEWORKS = """{ frameworks {
  name leadCouncil { name } memberCouncils { name }
  lots { code members { tier provider { name } priceSchedule { ageBand weeklyFeePence } supplements { kind amountPence } } }
} }"""


async def _frameworks(market: Marketplace, count: int) -> None:
    """Frameworks Kent leads and Medway is on, each with two lots and two priced members on each."""
    for _ in range(count):
        n = next(_serial)
        framework = await Framework.create(
            reference=f"KM-SPEC-{n:03d}",
            name=f"Kent specialist framework {n:03d}",
            lead_council=market.kent,
            starts_on=date(2024, 4, 1),
            ends_on=date(2028, 3, 31),
            minimum_ofsted_judgement=OfstedJudgement.GOOD,
        )
        await framework.member_councils.add(market.kent, market.medway)
        for code in ("A", "B"):
            lot = await Lot.create(
                framework=framework,
                code=code,
                name=f"Lot {code}",
                placement_kinds=[PlacementKind.CORE_FOSTERING.value],
                age_bands=[AgeBand.AGE_11_15.value],
                need_levels=[NeedLevel.STANDARD.value],
            )
            for key in ("harbour", "oakleaf"):
                membership = await administration.add_provider_to_lot(
                    ADMIN, lot_id=lot.id, provider_id=market.providers[key].id, tier=1, joined_on=date(2024, 4, 1)
                )
                await administration.set_price_schedule(
                    ADMIN,
                    membership_id=membership.id,
                    effective_from=SCHEDULE_START,
                    prices=[PriceLine(AgeBand.AGE_11_15, NeedLevel.STANDARD, 90_000)],
                    supplements=[SupplementLine(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 15_000)],
                )


async def test_ten_frameworks_with_priced_members_cost_the_same_queries_as_two(api: Api, market: Marketplace) -> None:
    await _frameworks(market, 1)
    with counting_queries() as few:
        body = await api(FRAMEWORKS, as_="kent_officer")
    assert len(body["data"]["frameworks"]) == 2, body
    await _frameworks(market, 8)
    with counting_queries() as many:
        body = await api(FRAMEWORKS, as_="kent_officer")
    frameworks = body["data"]["frameworks"]
    assert len(frameworks) == 10
    specialist = [f for f in frameworks if f["name"].startswith("Kent specialist")]
    assert all(
        len(f["memberCouncils"]) == 2
        and all(m["priceSchedule"] and m["supplements"] for lot in f["lots"] for m in lot["members"])
        for f in specialist
    ), frameworks
    assert len(many) <= len(few) + 1, _queries_grow(few, many)  # a relation may take two batches, never one a row


PROVIDERS = """{ providers { name status memberships { tier leftOn lot { code name framework { name } }
  priceSchedule { weeklyFeePence } } } }"""


async def test_the_register_of_providers_with_their_places_costs_the_same_queries_for_ten_frameworks_as_two(
    api: Api, market: Marketplace
) -> None:
    await _frameworks(market, 1)
    with counting_queries() as few:
        body = await api(PROVIDERS, as_="kent_commissioner")
    assert len(body["data"]["providers"]) == 5, body
    await _frameworks(market, 8)
    with counting_queries() as many:
        body = await api(PROVIDERS, as_="kent_commissioner")
    harbour = next(p for p in body["data"]["providers"] if p["name"] == "Harbour Fostering (test)")
    assert len(harbour["memberships"]) == 1 + 9 * 2 and all(
        m["lot"]["framework"]["name"] for m in harbour["memberships"]
    )
    assert len(many) <= len(few) + 1, _queries_grow(few, many)  # a relation may take two batches, never one a row


# --- vacancies: their provider, household or home, and what each is approved for -------------------------

VACANCIES = """{ vacancies(first: 50) { edges { node {
  places status provider { name } carerHousehold { reference } childrensHome { name }
  placementKinds minAge maxAge district
} } } }"""


async def _vacancies(market: Marketplace, count: int) -> None:
    """Harbour's and Oakleaf's, half in new carer households and half in new children's homes."""
    for i in range(count):
        key = ("harbour", "oakleaf")[i % 2]
        provider = market.providers[key]
        n = next(_serial)
        household = home = None
        if i % 4 < 2:
            household = (
                await resources.create_carer_household(
                    market.actor(key),
                    provider.id,
                    resources.HouseholdDetails(
                        reference=f"{key.upper()}-V{n:03d}",
                        district=provider.district,
                        min_age=8,
                        max_age=17,
                        approved_places=1,
                        placement_kinds=[PlacementKind.CORE_FOSTERING.value],
                        durations=[Duration.LONG_TERM.value],
                    ),
                )
            ).id
        else:
            home = (
                await ChildrensHome.create(
                    provider=provider,
                    name=f"{key.title()} House {n:03d}",
                    ofsted_urn=f"SC8{n:05d}",
                    beds=3,
                    min_age=10,
                    max_age=17,
                    district=provider.district,
                    ofsted_judgement=OfstedJudgement.GOOD,
                )
            ).id
        await vacancies.post_vacancy(
            market.actor(key), vacancies.VacancyDetails(places=1, carer_household_id=household, childrens_home_id=home)
        )


async def test_fifty_vacancies_cost_the_same_queries_as_five(api: Api, market: Marketplace) -> None:
    await _vacancies(market, 5)
    with counting_queries() as few:
        body = await api(VACANCIES, as_="kent_officer")
    assert len(body["data"]["vacancies"]["edges"]) == 5, body
    await _vacancies(market, 45)
    with counting_queries() as many:
        body = await api(VACANCIES, as_="kent_officer")
    nodes = [edge["node"] for edge in body["data"]["vacancies"]["edges"]]
    assert len(nodes) == 50
    assert {bool(n["carerHousehold"]) for n in nodes} == {True, False} and all(n["district"] for n in nodes)
    assert len(many) <= len(few) + 1, _queries_grow(few, many)  # a relation may take two batches, never one a row


# --- placements: the council, the provider, the household, and the referral with its offers ----------------

PLACEMENTS = """{ placements(first: 50) { edges { node {
  ipaReference weeklyFeePence council { name } provider { name } carerHousehold { reference }
  referral { reference status offers { weeklyFeePence status } placement { ipaReference } }
} } } }"""


async def _placements(market: Marketplace, count: int) -> None:
    """Kent places each referral with Harbour, in a household of its own."""
    start = datetime.now(UTC).date() + timedelta(days=2)
    harbour = market.providers["harbour"]
    for _ in range(count):
        household = await resources.create_carer_household(
            market.actor("harbour"),
            harbour.id,
            resources.HouseholdDetails(
                reference=f"HARBOUR-P{next(_serial):03d}",
                district=harbour.district,
                min_age=8,
                max_age=17,
                approved_places=1,
                placement_kinds=[PlacementKind.CORE_FOSTERING.value],
                durations=[Duration.LONG_TERM.value],
            ),
        )
        referral = await market.referral()
        offer = await offers.submit_offer(
            market.actor("harbour"),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=household.id,
                start_date=start,
                matching_statement="Experienced with this age; close to home.",
            ),
        )
        await offers.accept_offer(market.actor("kent_officer"), offer.id)


async def test_fifty_placements_cost_the_same_queries_as_five(api: Api, market: Marketplace) -> None:
    await _placements(market, 5)
    with counting_queries() as few:
        body = await api(PLACEMENTS, as_="kent_officer")
    assert len(body["data"]["placements"]["edges"]) == 5, body
    await _placements(market, 45)
    with counting_queries() as many:
        body = await api(PLACEMENTS, as_="kent_officer")
    nodes = [edge["node"] for edge in body["data"]["placements"]["edges"]]
    assert len(nodes) == 50
    assert all(n["referral"]["placement"]["ipaReference"] == n["ipaReference"] for n in nodes)
    assert len(many) <= len(few) + 1, _queries_grow(few, many)  # a relation may take two batches, never one a row
