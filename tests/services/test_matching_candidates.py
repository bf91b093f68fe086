"""Candidates read from the database: the SQL narrowing never drops a household the rules would accept.

`eligible_only` moves placement kind, duration and distance into the query so that a whole market can be
ranked quickly; these tests build households that differ in one respect at a time and check, on SQLite and
PostgreSQL, that the narrowed ranking is exactly the eligible part of the full one.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace
from server.domain import vocabulary as v
from server.domain.matching import Candidate, TrackRecord, rank
from server.models import BroadcastRecipient, CarerHousehold, ChildrensHome, Placement, Vacancy
from server.services import offers
from server.services.districts import district_directory
from server.services.matching import (
    best_matches,
    candidates_for,
    framework_weights,
    profile_of,
    track_records,
)
from server.services.offers import OfferDetails

# Near ME14 (Maidstone), far from it (Bournemouth, Nottingham), and districts the directory does not know.
DISTRICTS = ["ME14", "ME16", "ME4", "CT1", "TN23", "BH1", "NG1", "ZZ9", "me15"]


async def _population(market: Marketplace, count: int = 240, seed: int = 7) -> None:
    rng = random.Random(seed)
    providers = list(market.providers.values())
    kinds = [kind.value for kind in v.PlacementKind if not kind.is_residential]
    rows = []
    for i in range(count):
        low = rng.randint(0, 14)
        rows.append(
            CarerHousehold(
                provider_id=rng.choice(providers).id,
                reference=f"POP-{i:04d}",
                district=rng.choice(DISTRICTS),
                min_age=low,
                max_age=min(18, low + rng.randint(0, 8)),
                approved_places=rng.randint(1, 3),
                placement_kinds=rng.sample(kinds, rng.randint(0, 3)),
                durations=[d.value for d in rng.sample(list(v.Duration), rng.randint(0, 3))],
                has_pets=rng.random() < 0.3,
                solo_only=rng.random() < 0.1,
                is_active=rng.random() < 0.9,
                manageable_risks_to_child=[r.value for r in rng.sample(list(v.RiskToChild), rng.randint(0, 4))],
                specialisms=[n.value for n in rng.sample(list(v.Need), rng.randint(0, 4))],
            )
        )
    await CarerHousehold.bulk_create(rows)


async def _referral(market: Marketplace, **profile):
    """A referral as matching reads it; the profile is set in memory so any combination can be tried."""
    referral = await market.referral(publish=False, risks_to_child=[])
    for name, value in profile.items():
        setattr(referral, name, value)
    return referral


def _keys(results) -> list[tuple[int, bool, float]]:
    return [(r.candidate.id, r.eligible, r.score) for r in results]


@pytest.mark.parametrize(
    "kind, duration, distance",
    [
        (v.PlacementKind.CORE_FOSTERING, v.Duration.LONG_TERM, 40),
        (v.PlacementKind.SOLO, v.Duration.EMERGENCY, 20),
        (v.PlacementKind.SIBLING_GROUP, v.Duration.SHORT_TERM, 250),
    ],
)
async def test_narrowed_ranking_is_the_eligible_part_of_the_full_ranking(
    market: Marketplace, kind: v.PlacementKind, duration: v.Duration, distance: int
) -> None:
    await _population(market)
    referral = await _referral(
        market,
        placement_kind=kind.value,
        duration=duration.value,
        age_years=12,
        home_district="ME14",
        max_distance_miles=distance,
    )
    full = await best_matches(referral)
    narrowed = await best_matches(referral, eligible_only=True)
    eligible = [r for r in full if r.eligible]
    assert eligible, "the population should hold some eligible households"
    assert len(full) > len(eligible)
    assert _keys(narrowed) == _keys(eligible)


async def test_a_lots_candidates_are_those_of_its_members_with_the_same_ranking(market: Marketplace) -> None:
    await _population(market, count=120)
    referral = await _referral(market)
    on_lot = [market.providers[key].id for key in ("harbour", "oakleaf", "northdowns", "weald")]
    by_lot = await best_matches(referral, lot_id=market.core_lot.id, track_records_count=False)
    by_ids = await best_matches(referral, on_lot, track_records_count=False)
    assert by_lot and _keys(by_lot) == _keys(by_ids)
    assert market.providers["spot"].id not in {r.candidate.provider_id for r in by_lot}, "spot is on no lot"
    assert await candidates_for(referral, lot_id=market.enhanced_lot.id) == []  # nobody is on lot 2


async def test_unknown_home_district_is_not_narrowed_by_distance(market: Marketplace) -> None:
    await _population(market)
    referral = await _referral(market, age_years=10, home_district="ZZ9", max_distance_miles=5)
    full = await best_matches(referral)
    assert _keys(await best_matches(referral, eligible_only=True)) == _keys([r for r in full if r.eligible])
    assert any(r.candidate.district == "BH1" for r in full if r.eligible)  # distance unknown: not excluded


async def test_occupancy_and_vacancies_come_with_the_candidates(market: Marketplace) -> None:
    referral = await market.referral(age_years=13)
    household = await CarerHousehold.get(id=market.households["harbour"])
    today = datetime.now(UTC).date()
    placed = await candidates_for(referral, [household.provider_id], today=today)
    (before,) = [c for c in placed if c.id == household.id]
    assert before.children_placed == 0 and before.free_from == today

    other = await market.referral(age_years=12)
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=other.id,
            carer_household_id=household.id,
            start_date=today + timedelta(days=1),
            matching_statement="Experienced with this age; close to home.",
        ),
    )
    await offers.accept_offer(market.actor("kent_officer"), offer.id)
    await CarerHousehold.filter(id=household.id).update(approved_places=1)
    later = today + timedelta(days=9)
    await Vacancy.create(provider_id=household.provider_id, carer_household=household, places=1, available_from=later)
    await Vacancy.create(
        provider_id=household.provider_id, carer_household=household, places=1, available_from=later + timedelta(days=5)
    )
    (after,) = [c for c in await candidates_for(referral, [household.provider_id], today=today) if c.id == household.id]
    assert after.children_placed == 1
    assert after.free_from == later  # the earliest open vacancy


async def test_childrens_home_beds_for_a_residential_referral(market: Marketplace) -> None:
    provider = market.providers["harbour"]
    await ChildrensHome.create(
        provider=provider,
        name="Harbour House",
        ofsted_urn="SC777001",
        beds=3,
        min_age=11,
        max_age=17,
        district="ME16",
        ofsted_judgement=v.OfstedJudgement.GOOD,
        specialisms=[v.Need.TRAUMA.value],
    )
    await ChildrensHome.create(
        provider=provider,
        name="Far House",
        ofsted_urn="SC777002",
        beds=2,
        min_age=11,
        max_age=17,
        district="NG1",
        ofsted_judgement=v.OfstedJudgement.GOOD,
    )
    referral = await _referral(
        market,
        placement_kind=v.PlacementKind.CHILDRENS_HOME.value,
        age_years=14,
        home_district="ME14",
        max_distance_miles=30,
    )
    full = await best_matches(referral, [provider.id])
    assert [r.candidate.label for r in full] == ["Harbour House", "Far House"]
    assert [r.eligible for r in full] == [True, False]
    narrowed = await best_matches(referral, [provider.id], eligible_only=True)
    assert [r.candidate.label for r in narrowed] == ["Harbour House"]
    assert narrowed[0].candidate.specialisms == frozenset({v.Need.TRAUMA})


async def test_track_records_count_unplanned_endings_and_take_the_median_response(market: Marketplace) -> None:
    harbour, oakleaf = market.providers["harbour"], market.providers["oakleaf"]
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for waited_hours in (1, 30, 3):
        referral = await market.referral(publish=False)
        await BroadcastRecipient.create(
            referral=referral,
            provider=oakleaf,
            tier=1,
            sent_at=sent,
            responded_at=sent + timedelta(hours=waited_hours, minutes=30),
        )
    unanswered = await market.referral(publish=False)
    await BroadcastRecipient.create(referral=unanswered, provider=oakleaf, tier=1, sent_at=sent)
    today = datetime.now(UTC).date()
    for planned in (True, False, None):
        referral = await market.referral(age_years=12)
        offer = await offers.submit_offer(
            market.actor("harbour"),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households["harbour"],
                start_date=today + timedelta(days=1),
                matching_statement="Experienced with this age; close to home.",
            ),
        )
        placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
        if planned is not None:
            await Placement.filter(id=placement.id).update(status=v.PlacementStatus.ENDED, planned_ending=planned)

    records = await track_records([harbour.id, oakleaf.id, harbour.id])
    assert records[oakleaf.id] == TrackRecord(placements=0, unplanned_endings=0, median_response_hours=3.5)
    # Harbour answered its three referrals (by offering) moments after they were sent.
    assert (records[harbour.id].placements, records[harbour.id].unplanned_endings) == (3, 1)
    assert 0 <= records[harbour.id].median_response_hours < 0.1
    assert await track_records([]) == {}


async def test_a_median_response_of_an_even_count_is_the_upper_middle_read_as_one_row_per_provider(
    market: Marketplace,
) -> None:
    northdowns = market.providers["northdowns"]
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for waited_hours in (9, 1, 8, 2):
        referral = await market.referral(publish=False)
        await BroadcastRecipient.create(
            referral=referral,
            provider=northdowns,
            tier=2,
            sent_at=sent,
            responded_at=sent + timedelta(hours=waited_hours),
        )
    records = await track_records([northdowns.id])
    assert records[northdowns.id].median_response_hours == 8.0


def _sample(rng: random.Random, values) -> list[str]:
    values = [value.value if hasattr(value, "value") else value for value in values]
    return rng.sample(values, rng.randint(0, min(3, len(values))))


async def _reference_candidates(referral, today) -> list[Candidate]:
    """The candidates as the ORM reads them, field by field (named, enum by enum): what the plain rows must equal."""
    found = []
    active = v.PlacementStatus.ACTIVE
    for household in await CarerHousehold.filter(is_active=True).prefetch_related("provider").order_by("id"):
        if not household.min_age <= referral.age_years <= household.max_age:
            continue
        placed = await Placement.filter(carer_household_id=household.id, status=active).count()
        opens = await Vacancy.filter(carer_household_id=household.id, status=v.VacancyStatus.OPEN).values_list(
            "available_from", flat=True
        )
        judgement = household.provider.ofsted_judgement
        found.append(
            Candidate(
                kind=v.ResourceKind.CARER_HOUSEHOLD,
                id=household.id,
                provider_id=household.provider_id,
                label=household.reference,
                district=household.district,
                min_age=household.min_age,
                max_age=household.max_age,
                places=household.approved_places,
                children_placed=placed,
                free_from=today if household.approved_places > placed else min(opens, default=None),
                placement_kinds=frozenset(v.PlacementKind(k) for k in household.placement_kinds),
                durations=frozenset(v.Duration(d) for d in household.durations),
                languages=frozenset(household.languages),
                communication=frozenset(v.CommunicationNeed(c) for c in household.communication),
                adaptations=frozenset(v.Adaptation(a) for a in household.adaptations),
                has_pets=household.has_pets,
                solo_only=household.solo_only,
                manageable_risks_to_child=frozenset(v.RiskToChild(r) for r in household.manageable_risks_to_child),
                manageable_risks_to_others=frozenset(v.RiskToOthers(r) for r in household.manageable_risks_to_others),
                specialisms=frozenset(v.Need(n) for n in household.specialisms),
                additional_support=frozenset(v.AdditionalSupport(a) for a in household.additional_support),
                faiths=frozenset(household.faiths),
                ofsted_judgement=v.OfstedJudgement(judgement) if judgement else v.OfstedJudgement.NOT_YET_INSPECTED,
            )
        )
    return found


async def test_candidates_and_their_explanations_equal_a_field_by_field_reading_of_the_households(
    market: Marketplace,
) -> None:
    """Every column of a candidate row lands in its own field (they are decoded by position), and the explained
    ranking says, for each household, what a ranking of the ORM's own reading of them says."""
    rng = random.Random(21)
    providers = list(market.providers.values())
    for provider, judgement in zip(providers, v.OfstedJudgement, strict=False):
        await type(provider).filter(id=provider.id).update(ofsted_judgement=judgement)
    referral = await _referral(
        market,
        age_years=12,
        home_district="ME14",
        max_distance_miles=30,
        needs=[v.Need.TRAUMA.value, v.Need.GOING_MISSING.value],
        risks_to_child=[v.RiskToChild.GOING_MISSING.value],
        communication_needs=[v.CommunicationNeed.BSL.value],
        languages=["Polish"],
        faith="Sikh",
        additional_support=[v.AdditionalSupport.THERAPEUTIC_SUPPORT.value],
        siblings_to_place_together=0,
    )

    kinds = [kind for kind in v.PlacementKind if not kind.is_residential]
    rows = [
        CarerHousehold(
            provider_id=rng.choice(providers).id,
            reference=f"REF-{i:03d}",
            district=rng.choice(DISTRICTS),
            min_age=rng.randint(0, 12),
            max_age=rng.randint(12, 18),
            approved_places=rng.randint(1, 3),
            placement_kinds=_sample(rng, kinds),
            durations=_sample(rng, v.Duration),
            languages=_sample(rng, ["Arabic", "polish", "Urdu "]),
            communication=_sample(rng, v.CommunicationNeed),
            adaptations=_sample(rng, v.Adaptation),
            has_pets=rng.random() < 0.5,
            solo_only=rng.random() < 0.2,
            manageable_risks_to_child=_sample(rng, v.RiskToChild),
            manageable_risks_to_others=_sample(rng, v.RiskToOthers),
            specialisms=_sample(rng, v.Need),
            additional_support=_sample(rng, v.AdditionalSupport),
            faiths=_sample(rng, ["Muslim", "Christian", "Sikh"]),
        )
        for i in range(80)
    ]
    for row in rows[:24]:  # these fit but for their occupancy, district or Ofsted
        row.placement_kinds = sorted({*row.placement_kinds, referral.placement_kind})
        row.durations = sorted({*row.durations, referral.duration})
        row.manageable_risks_to_child = sorted({*row.manageable_risks_to_child, *referral.risks_to_child})
        row.adaptations, row.has_pets, row.solo_only = [], False, False
    await CarerHousehold.bulk_create(rows)
    households = await CarerHousehold.filter(reference__startswith="REF-").order_by("id")
    today = datetime.now(UTC).date()
    for household in households[::4]:  # some with a child placed, so free only from a vacancy, if any
        referral = await market.referral(age_years=12)
        offer = await offers.submit_offer(
            market.actor("harbour"),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households["harbour"],
                start_date=today + timedelta(days=1),
                matching_statement="Experienced with this age; close to home.",
            ),
        )
        placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
        await Placement.filter(id=placement.id).update(
            carer_household_id=household.id, provider_id=household.provider_id
        )
    for household in households[::3]:
        await Vacancy.create(
            provider_id=household.provider_id,
            carer_household=household,
            places=1,
            available_from=today + timedelta(days=rng.randint(-5, 20)),
            status=rng.choice([v.VacancyStatus.OPEN, v.VacancyStatus.CLOSED]),
        )
    reference = await _reference_candidates(referral, today)
    read = sorted(await candidates_for(referral, today=today), key=lambda c: c.id)
    assert len(read) > 40 and read == reference

    explained = await best_matches(referral)
    directory = await district_directory()
    distances = {c.district: directory.miles_between(c.district, referral.home_district) for c in reference}
    tracks = await track_records({c.provider_id for c in reference})
    expected = rank(profile_of(referral), reference, distances, tracks, await framework_weights(referral))
    assert [(r.candidate, r.eligible, r.score, r.distance_miles, r.reasons) for r in explained] == [
        (r.candidate, r.eligible, r.score, r.distance_miles, r.reasons) for r in expected
    ]
    assert any(r.eligible for r in explained) and not all(r.eligible for r in explained)
