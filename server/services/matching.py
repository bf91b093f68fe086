"""Matching against the database: narrow candidates in SQL (server.repositories.candidates), then rank them
with the pure functions (server.domain.matching)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, date, datetime

from server import collector
from server.domain import vocabulary as v
from server.domain.framework_terms import score_weights
from server.domain.matching import Candidate, ChildProfile, MatchResult, ScoreWeights, TrackRecord, rank
from server.models import Referral
from server.repositories.candidates import candidates
from server.repositories.frameworks import framework_by_id
from server.repositories.track_records import stored_track_records
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
    referral: Referral,
    provider_ids: Iterable[int] | None = None,
    *,
    today: date | None = None,
    eligible_only: bool = False,
    lot_id: int | None = None,
) -> list[Candidate]:
    """Active households or homes of the given providers (all when None) whose approved ages fit."""
    today = today or datetime.now(UTC).date()
    directory = await district_directory() if eligible_only else None
    return await candidates(
        profile_of(referral), provider_ids, today=today, directory=directory, eligible_only=eligible_only, lot_id=lot_id
    )


async def track_records(provider_ids: Iterable[int]) -> dict[int, TrackRecord]:
    """Unplanned endings and response times: the provider's record on the exchange (the kept rows)."""
    ids = sorted(set(provider_ids))
    if not ids:
        return {}
    return _records_of(ids, await stored_track_records(ids))


def _records_of(
    provider_ids: Iterable[int], stored: dict[int, tuple[int, int, float | None]]
) -> dict[int, TrackRecord]:
    records = {}
    for provider_id in provider_ids:
        total, unplanned, median = stored.get(provider_id, _NO_RECORD)
        records[provider_id] = TrackRecord(
            placements=total,
            unplanned_endings=unplanned,
            # To the second or so: SQLite's julianday() carries float noise below that.
            median_response_hours=round(median, 4) if median is not None else None,
        )
    return records


_NO_RECORD = (0, 0, None)


async def best_matches(
    referral: Referral,
    provider_ids: Iterable[int] | None = None,
    *,
    eligible_only: bool = False,
    track_records_count: bool = True,
    lot_id: int | None = None,
    weights: ScoreWeights | None = None,
) -> list[MatchResult]:
    """Ranked: eligible first, best first. `eligible_only` leaves out what cannot fit (for a whole market).

    Track records only move scores, never eligibility: `track_records_count=False` skips reading them
    when all that matters is who could take the child (targeted broadcast, spot escalation). Scores are
    weighted as the referral's framework says (`weights`, when the caller has them already).
    """
    among = None if provider_ids is None else sorted(set(provider_ids))
    found = candidates_for(referral, among, eligible_only=eligible_only, lot_id=lot_id)
    if track_records_count and (among is not None or lot_id is None):
        # The providers are known before their candidates are: their records are read alongside them
        # (at once on PostgreSQL's pool; one after the other on SQLite's one connection, or in a transaction).
        # With no providers given, every provider's are: those without a candidate are not looked at.
        candidates, stored = await asyncio.gather(found, stored_track_records(among))
        tracks = _records_of({c.provider_id for c in candidates}, stored)
    else:
        candidates = await found
        tracks = await track_records({c.provider_id for c in candidates}) if track_records_count else None
    directory = await district_directory()
    home = referral.home_district
    distances = {district: directory.miles_between(district, home) for district in {c.district for c in candidates}}
    if weights is None:
        weights = await framework_weights(referral)
    profile = profile_of(referral)
    with collector.paused():  # a result for each candidate, none with a cycle: made without collections
        results = rank(profile, candidates, distances, tracks, weights)
    if eligible_only:
        return [result for result in results if result.eligible]
    return results


async def framework_weights(referral: Referral) -> ScoreWeights:
    """The matching weights of the referral's framework (DEFAULT_WEIGHTS off a framework)."""
    framework = await framework_by_id(referral.framework_id) if referral.framework_id else None
    return score_weights(framework.matching_weights if framework else None)
