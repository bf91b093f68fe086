"""Matching against the database: narrow candidates in SQL, then rank them with the pure functions.

Ranking can cover a whole market (the spot escalation ranks every registered provider's
households), so candidates are read as plain rows in one query, with their occupancy, and
never become ORM objects: building model instances and parsing their timestamps cost more
than the query itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from tortoise import connections

from server.domain import vocabulary as v
from server.domain.geography import DistrictDirectory
from server.domain.matching import Candidate, ChildProfile, MatchResult, TrackRecord, age_window, rank
from server.domain.vocabulary import PlacementStatus, ResourceKind, VacancyStatus
from server.models import Referral
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


@dataclass(frozen=True)
class CandidateQuery:
    """The one statement that reads a referral's candidates with their occupancy, in the connection's dialect."""

    kind: ResourceKind
    sql: str
    params: tuple[Any, ...]


class _Statement:
    """Collects bind parameters and writes placeholders and JSON tests for SQLite or PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgres"
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else "?"

    def one_of(self, values: Iterable[Any]) -> str:
        return ", ".join(self.param(value) for value in values)

    def json_list_has(self, column: str, value: str) -> str:
        if self.postgres:
            return f"{column} @> {self.param(json.dumps([value]))}::jsonb"
        # Lists are stored as compact JSON; a quoted code matches only that whole code.
        return f"instr({column}, {self.param(json.dumps(value))}) > 0"


_HOUSEHOLD_COLUMNS = (
    "r.reference, r.approved_places, r.placement_kinds, r.durations, r.languages, r.communication, r.adaptations, "
    "r.has_pets, r.solo_only, r.manageable_risks_to_child, r.manageable_risks_to_others, r.specialisms, "
    "r.additional_support, r.faiths, o.ofsted_judgement"
)
_HOME_COLUMNS = (
    "r.name, r.beds, r.solo_only, r.manageable_risks_to_child, r.manageable_risks_to_others, r.specialisms, "
    "r.ofsted_judgement"
)


def candidate_query(
    profile: ChildProfile,
    provider_ids: Iterable[int] | None = None,
    *,
    dialect: str,
    directory: DistrictDirectory | None = None,
    eligible_only: bool = False,
    lot_id: int | None = None,
) -> CandidateQuery:
    """Active households or homes whose approvals cover the child's age, with places taken and vacancies.

    With `eligible_only`, the statement also leaves out what the hard constraints would exclude anyway
    (placement kind, duration, known districts beyond the child's distance limit), for ranking a whole
    market. Without it, every age-fitting resource comes back so that each can say why it does not fit.
    `lot_id` keeps providers on that framework lot (whether they may receive referrals is the caller's).
    """
    statement = _Statement(dialect)
    residential = profile.placement_kind.is_residential
    kind = ResourceKind.CHILDRENS_HOME if residential else ResourceKind.CARER_HOUSEHOLD
    table = kind.value
    low, high = age_window(profile)
    columns = _HOME_COLUMNS if residential else _HOUSEHOLD_COLUMNS
    sql = (
        f"SELECT r.id, r.provider_id, r.district, r.min_age, r.max_age, "
        f"(SELECT COUNT(*) FROM placement p WHERE p.{table}_id = r.id AND p.status = "
        f"{statement.param(PlacementStatus.ACTIVE.value)}) AS placed, "
        f"(SELECT MIN(w.available_from) FROM vacancy w WHERE w.{table}_id = r.id AND w.status = "
        f"{statement.param(VacancyStatus.OPEN.value)}) AS vacancy_from, "
        f"{columns} FROM {table} r JOIN provider o ON o.id = r.provider_id "
        f"WHERE r.is_active AND r.min_age <= {statement.param(high)} AND r.max_age >= {statement.param(low)}"
    )
    if provider_ids is not None:
        ids = sorted(set(provider_ids))
        if not ids:
            sql += " AND 1 = 0"
        else:
            sql += f" AND r.provider_id IN ({statement.one_of(ids)})"
    if lot_id is not None:
        on_lot = f"SELECT m.provider_id FROM lot_membership m WHERE m.lot_id = {statement.param(lot_id)}"
        sql += f" AND r.provider_id IN ({on_lot})"
    if eligible_only:
        sql += _hard_constraints(statement, profile, directory)
    return CandidateQuery(kind, sql, tuple(statement.params))


def _hard_constraints(statement: _Statement, profile: ChildProfile, directory: DistrictDirectory | None) -> str:
    """The hard constraints that a row's own columns decide, as SQL (the rest need occupancy or words)."""
    has = statement.json_list_has
    tests = []
    if profile.placement_kind.is_residential:
        tests.append(f"r.ofsted_judgement <> {statement.param(v.OfstedJudgement.INADEQUATE.value)}")
    else:
        tests.append(has("r.placement_kinds", profile.placement_kind.value))
        tests.append(has("r.durations", profile.duration.value))
        tests.extend(has("r.adaptations", adaptation.value) for adaptation in sorted(profile.adaptations))
        if profile.pets is v.PetsPreference.NO:
            tests.append("NOT r.has_pets")
        elif profile.pets is v.PetsPreference.MUST:
            tests.append("r.has_pets")
    tests.extend(has("r.manageable_risks_to_child", risk.value) for risk in sorted(profile.risks_to_child))
    tests.extend(has("r.manageable_risks_to_others", risk.value) for risk in sorted(profile.risks_to_others))
    if profile.children > 1:
        tests.append("NOT r.solo_only")
    if directory is not None:
        far = directory.beyond(profile.home_district, profile.max_distance_miles)
        if far:
            tests.append(f"r.district NOT IN ({statement.one_of(far)})")
    return "".join(f" AND {test}" for test in tests)


class _StoredLists(dict):
    """Stored JSON lists as frozensets of codes, by their exact stored text: `lists[text]`.

    Decoding is a pure function of the text, households are ranked again for every referral, and they
    share lists, so what is decoded is remembered for the process (bounded: forgotten at once when full).
    A hit is a plain dict look-up, which matters at a few thousand rows a ranking.
    """

    LIMIT = 20_000

    def __init__(self, code: type[Enum] | None = None) -> None:
        super().__init__()
        # The enum's own value table: one look-up per code instead of a call to the enum.
        self._codes = code._value2member_map_ if code is not None else None

    def __missing__(self, text: str) -> frozenset:
        values = json.loads(text)
        found = frozenset(values if self._codes is None else map(self._codes.__getitem__, values))
        if len(self) >= self.LIMIT:
            self.clear()
        self[text] = found
        return found


_KINDS = _StoredLists(v.PlacementKind)
_DURATIONS = _StoredLists(v.Duration)
_WORDS = _StoredLists()
_COMMUNICATION = _StoredLists(v.CommunicationNeed)
_ADAPTATIONS = _StoredLists(v.Adaptation)
_RISKS_TO_CHILD = _StoredLists(v.RiskToChild)
_RISKS_TO_OTHERS = _StoredLists(v.RiskToOthers)
_NEEDS = _StoredLists(v.Need)
_SUPPORT = _StoredLists(v.AdditionalSupport)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


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
    connection = connections.get("default")
    directory = await district_directory() if eligible_only else None
    query = candidate_query(
        profile_of(referral),
        provider_ids,
        dialect=connection.capabilities.dialect,
        directory=directory,
        eligible_only=eligible_only,
        lot_id=lot_id,
    )
    _, rows = await connection.execute_query(query.sql, list(query.params))
    if query.kind is ResourceKind.CHILDRENS_HOME:
        return [_home(row, today) for row in rows]
    return [_household(row, today) for row in rows]


_ALL_DURATIONS = frozenset(v.Duration)
_RESIDENTIAL = frozenset({v.PlacementKind.CHILDRENS_HOME})
_NOTHING: frozenset = frozenset()


def _household(row: Any, today: date) -> Candidate:
    (id_, provider_id, district, min_age, max_age, placed, vacancy_from, reference, places, kinds, durations,
     languages, communication, adaptations, has_pets, solo_only, risks_to_child, risks_to_others, specialisms,
     support, faiths, judgement) = row  # fmt: skip
    return Candidate(
        kind=ResourceKind.CARER_HOUSEHOLD,
        id=id_,
        provider_id=provider_id,
        label=reference,
        district=district,
        min_age=min_age,
        max_age=max_age,
        places=places,
        children_placed=placed,
        free_from=today if places > placed else _day(vacancy_from),
        placement_kinds=_KINDS[kinds],
        durations=_DURATIONS[durations],
        languages=_WORDS[languages],
        communication=_COMMUNICATION[communication],
        adaptations=_ADAPTATIONS[adaptations],
        has_pets=bool(has_pets),
        solo_only=bool(solo_only),
        manageable_risks_to_child=_RISKS_TO_CHILD[risks_to_child],
        manageable_risks_to_others=_RISKS_TO_OTHERS[risks_to_others],
        specialisms=_NEEDS[specialisms],
        additional_support=_SUPPORT[support],
        faiths=_WORDS[faiths],
        ofsted_judgement=v.OfstedJudgement(judgement) if judgement else v.OfstedJudgement.NOT_YET_INSPECTED,
    )


def _home(row: Any, today: date) -> Candidate:
    (id_, provider_id, district, min_age, max_age, placed, vacancy_from, name, beds, solo_only, risks_to_child,
     risks_to_others, specialisms, judgement) = row  # fmt: skip
    return Candidate(
        kind=ResourceKind.CHILDRENS_HOME,
        id=id_,
        provider_id=provider_id,
        label=name,
        district=district,
        min_age=min_age,
        max_age=max_age,
        places=beds,
        children_placed=placed,
        free_from=today if beds > placed else _day(vacancy_from),
        placement_kinds=_RESIDENTIAL,
        durations=_ALL_DURATIONS,
        languages=_NOTHING,
        communication=_NOTHING,
        adaptations=_NOTHING,
        has_pets=False,
        solo_only=bool(solo_only),
        manageable_risks_to_child=_RISKS_TO_CHILD[risks_to_child],
        manageable_risks_to_others=_RISKS_TO_OTHERS[risks_to_others],
        specialisms=_NEEDS[specialisms],
        additional_support=_NOTHING,
        faiths=_NOTHING,
        ofsted_judgement=v.OfstedJudgement(judgement),
        registered=True,
    )


async def track_records(provider_ids: Iterable[int]) -> dict[int, TrackRecord]:
    """Unplanned endings and response times: the provider's record on the exchange (two aggregate reads)."""
    ids = sorted(set(provider_ids))
    if not ids:
        return {}
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    endings = _Statement(dialect)
    _, counted = await connection.execute_query(
        f"SELECT provider_id, COUNT(*), SUM(CASE WHEN status = {endings.param(PlacementStatus.ENDED.value)} "
        f"AND planned_ending = {endings.param(False)} THEN 1 ELSE 0 END) FROM placement "
        f"WHERE provider_id IN ({endings.one_of(ids)}) GROUP BY provider_id",
        endings.params,
    )
    waits = _Statement(dialect)
    hours = (
        "EXTRACT(EPOCH FROM (responded_at - sent_at)) / 3600.0"
        if waits.postgres
        else "(julianday(responded_at) - julianday(sent_at)) * 24.0"
    )
    _, answered = await connection.execute_query(
        f"SELECT provider_id, {hours} FROM broadcast_recipient WHERE provider_id IN ({waits.one_of(ids)}) "
        f"AND responded_at IS NOT NULL AND sent_at IS NOT NULL",
        waits.params,
    )
    placements = {provider_id: (total, unplanned or 0) for provider_id, total, unplanned in counted}
    response_hours: dict[int, list[float]] = defaultdict(list)
    for provider_id, waited in answered:
        # To the second or so: SQLite's julianday() carries float noise below that.
        response_hours[provider_id].append(round(float(waited), 4))
    records = {}
    for provider_id in ids:
        total, unplanned = placements.get(provider_id, (0, 0))
        waited = sorted(response_hours.get(provider_id, ()))
        records[provider_id] = TrackRecord(
            placements=total,
            unplanned_endings=unplanned,
            median_response_hours=waited[len(waited) // 2] if waited else None,
        )
    return records


async def best_matches(
    referral: Referral,
    provider_ids: Iterable[int] | None = None,
    *,
    eligible_only: bool = False,
    track_records_count: bool = True,
    lot_id: int | None = None,
) -> list[MatchResult]:
    """Ranked: eligible first, best first. `eligible_only` leaves out what cannot fit (for a whole market).

    Track records only move scores, never eligibility: `track_records_count=False` skips reading them
    when all that matters is who could take the child (targeted broadcast, spot escalation).
    """
    candidates = await candidates_for(referral, provider_ids, eligible_only=eligible_only, lot_id=lot_id)
    directory = await district_directory()
    home = referral.home_district
    distances = {district: directory.miles_between(district, home) for district in {c.district for c in candidates}}
    tracks = await track_records({c.provider_id for c in candidates}) if track_records_count else None
    results = rank(profile_of(referral), candidates, distances, tracks)
    if eligible_only:
        return [result for result in results if result.eligible]
    return results
