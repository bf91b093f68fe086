"""Matching against the database: narrow candidates with indexed filters, then rank them with the pure functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from tortoise.expressions import Subquery

from server.domain import vocabulary as v
from server.domain.matching import Candidate, ChildProfile, MatchResult, TrackRecord, age_window, rank
from server.domain.vocabulary import PlacementStatus, ResourceKind, VacancyStatus
from server.models import BroadcastRecipient, CarerHousehold, ChildrensHome, Placement, Provider, Referral, Vacancy
from server.services.districts import district_directory


def profile_of(referral: Referral) -> ChildProfile:
    return ChildProfile(
        age_years=referral.age_years,
        placement_kind=v.PlacementKind(referral.placement_kind),
        duration=v.Duration(referral.duration),
        siblings_to_place_together=referral.siblings_to_place_together,
        home_district=referral.home_district,
        max_distance_miles=referral.max_distance_miles,
        needs=frozenset(v.Need(n) for n in referral.needs),
        risks_to_child=frozenset(v.RiskToChild(r) for r in referral.risks_to_child),
        risks_to_others=frozenset(v.RiskToOthers(r) for r in referral.risks_to_others),
        communication_needs=frozenset(v.CommunicationNeed(c) for c in referral.communication_needs),
        languages=frozenset(referral.languages),
        adaptations=frozenset(v.Adaptation(a) for a in referral.adaptations),
        faith=referral.faith,
        living_alongside=v.LivingAlongside(referral.living_alongside),
        pets=v.PetsPreference(referral.pets),
        additional_support=frozenset(v.AdditionalSupport(a) for a in referral.additional_support),
        required_by=referral.required_by.date(),
    )


async def candidates_for(
    referral: Referral, provider_ids: Iterable[int] | None = None, *, today: date | None = None
) -> list[Candidate]:
    """Active households or homes of the given providers whose approved ages fit (an indexed filter)."""
    today = today or datetime.now(UTC).date()
    low, high = age_window(profile_of(referral))
    residential = v.PlacementKind(referral.placement_kind).is_residential
    model = ChildrensHome if residential else CarerHousehold
    query = model.filter(is_active=True, min_age__lte=high, max_age__gte=low)
    if provider_ids is not None:
        query = query.filter(provider_id__in=list(provider_ids))
    rows = await query
    if not rows:
        return []
    kind = ResourceKind.CHILDRENS_HOME if residential else ResourceKind.CARER_HOUSEHOLD
    # The candidates' ids as a subquery, not a list: tens of thousands of ids overflow PostgreSQL's 32,767
    # bind parameters.
    placed, vacancy_from = await _occupancy(kind, Subquery(query.values("id")))
    judgements = await _provider_judgements({row.provider_id for row in rows}) if not residential else {}
    return [_candidate(kind, row, placed.get(row.id, 0), vacancy_from.get(row.id), judgements, today) for row in rows]


def _candidate(
    kind: ResourceKind,
    row: CarerHousehold | ChildrensHome,
    placed: int,
    vacancy_from: date | None,
    judgements: dict[int, v.OfstedJudgement],
    today: date,
) -> Candidate:
    places = row.approved_places if isinstance(row, CarerHousehold) else row.beds
    free_from = today if places > placed else vacancy_from
    if isinstance(row, CarerHousehold):
        return Candidate(
            kind=kind,
            id=row.id,
            provider_id=row.provider_id,
            label=row.reference,
            district=row.district,
            min_age=row.min_age,
            max_age=row.max_age,
            places=places,
            children_placed=placed,
            free_from=free_from,
            placement_kinds=frozenset(v.PlacementKind(k) for k in row.placement_kinds),
            durations=frozenset(v.Duration(d) for d in row.durations),
            languages=frozenset(row.languages),
            communication=frozenset(v.CommunicationNeed(c) for c in row.communication),
            adaptations=frozenset(v.Adaptation(a) for a in row.adaptations),
            has_pets=row.has_pets,
            solo_only=row.solo_only,
            manageable_risks_to_child=frozenset(v.RiskToChild(r) for r in row.manageable_risks_to_child),
            manageable_risks_to_others=frozenset(v.RiskToOthers(r) for r in row.manageable_risks_to_others),
            specialisms=frozenset(v.Need(n) for n in row.specialisms),
            additional_support=frozenset(v.AdditionalSupport(a) for a in row.additional_support),
            faiths=frozenset(row.faiths),
            ofsted_judgement=judgements.get(row.provider_id, v.OfstedJudgement.NOT_YET_INSPECTED),
        )
    return Candidate(
        kind=kind,
        id=row.id,
        provider_id=row.provider_id,
        label=row.name,
        district=row.district,
        min_age=row.min_age,
        max_age=row.max_age,
        places=places,
        children_placed=placed,
        free_from=free_from,
        placement_kinds=frozenset({v.PlacementKind.CHILDRENS_HOME}),
        durations=frozenset(v.Duration),
        languages=frozenset(),
        communication=frozenset(),
        adaptations=frozenset(),
        has_pets=False,
        solo_only=row.solo_only,
        manageable_risks_to_child=frozenset(v.RiskToChild(r) for r in row.manageable_risks_to_child),
        manageable_risks_to_others=frozenset(v.RiskToOthers(r) for r in row.manageable_risks_to_others),
        specialisms=frozenset(v.Need(n) for n in row.specialisms),
        additional_support=frozenset(),
        faiths=frozenset(),
        ofsted_judgement=v.OfstedJudgement(row.ofsted_judgement),
        registered=True,
    )


async def _occupancy(kind: ResourceKind, ids: Subquery) -> tuple[dict[int, int], dict[int, date]]:
    column = "carer_household_id" if kind is ResourceKind.CARER_HOUSEHOLD else "childrens_home_id"
    placed: dict[int, int] = defaultdict(int)
    for resource_id in await Placement.filter(**{f"{column}__in": ids}, status=PlacementStatus.ACTIVE).values_list(
        column, flat=True
    ):
        placed[resource_id] += 1
    vacancy_from: dict[int, date] = {}
    for resource_id, available in await Vacancy.filter(**{f"{column}__in": ids}, status=VacancyStatus.OPEN).values_list(
        column, "available_from"
    ):
        if resource_id not in vacancy_from or available < vacancy_from[resource_id]:
            vacancy_from[resource_id] = available
    return placed, vacancy_from


async def _provider_judgements(provider_ids: set[int]) -> dict[int, v.OfstedJudgement]:
    return {
        pid: v.OfstedJudgement(judgement)
        for pid, judgement in await Provider.filter(id__in=list(provider_ids)).values_list("id", "ofsted_judgement")
    }


async def track_records(provider_ids: Iterable[int]) -> dict[int, TrackRecord]:
    """Unplanned endings and response times: the provider's record on the exchange."""
    ids = list(set(provider_ids))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for provider_id, status, planned in await Placement.filter(provider_id__in=ids).values_list(
        "provider_id", "status", "planned_ending"
    ):
        counts[provider_id][0] += 1
        if status == PlacementStatus.ENDED and planned is False:
            counts[provider_id][1] += 1
    hours: dict[int, list[float]] = defaultdict(list)
    for provider_id, sent, responded in await BroadcastRecipient.filter(
        provider_id__in=ids, responded_at__isnull=False, sent_at__isnull=False
    ).values_list("provider_id", "sent_at", "responded_at"):
        hours[provider_id].append((responded - sent).total_seconds() / 3600)
    records = {}
    for provider_id in ids:
        placements, unplanned = counts.get(provider_id, [0, 0])
        waits = sorted(hours.get(provider_id, []))
        median = waits[len(waits) // 2] if waits else None
        records[provider_id] = TrackRecord(
            placements=placements, unplanned_endings=unplanned, median_response_hours=median
        )
    return records


async def best_matches(referral: Referral, provider_ids: Iterable[int] | None = None) -> list[MatchResult]:
    candidates = await candidates_for(referral, provider_ids)
    directory = await district_directory()
    distances = {c.district: directory.miles_between(c.district, referral.home_district) for c in candidates}
    tracks = await track_records(c.provider_id for c in candidates)
    return rank(profile_of(referral), candidates, distances, tracks)
