"""The households and homes that could take a child: one statement with their occupancy, read as plain rows.

Ranking can cover a whole market (the spot escalation ranks every registered provider's households), so
candidates are read in one query and never become ORM objects: building model instances and parsing their
timestamps cost more than the query itself. The database narrows them with indexed filters; the pure
functions of server.domain.matching rank them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from itertools import repeat
from typing import Any

from tortoise import connections

from server import collector
from server.domain import vocabulary as v
from server.domain.geography import DistrictDirectory
from server.domain.matching import Candidate, ChildProfile, age_window
from server.domain.vocabulary import PlacementStatus, ResourceKind, VacancyStatus
from server.repositories.statements import Composer, Statement, as_date


@dataclass(frozen=True)
class CandidateQuery:
    """The one statement that reads a referral's candidates with their occupancy."""

    kind: ResourceKind
    statement: Statement
    params: tuple[Any, ...]
    dialect: str

    @property
    def sql(self) -> str:
        """Its text in the connection's dialect."""
        return self.statement.postgres if self.dialect == "postgres" else self.statement.sqlite


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
    statement = Composer(dialect)
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
    return CandidateQuery(kind, Statement(sql), tuple(statement.params), dialect)


def _hard_constraints(statement: Composer, profile: ChildProfile, directory: DistrictDirectory | None) -> str:
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


async def candidates(
    profile: ChildProfile,
    provider_ids: Iterable[int] | None = None,
    *,
    today: date,
    directory: DistrictDirectory | None = None,
    eligible_only: bool = False,
    lot_id: int | None = None,
) -> list[Candidate]:
    """The candidate query's rows (see candidate_query) as Candidates, free from today or their first vacancy."""
    connection = connections.get("default")
    query = candidate_query(
        profile,
        provider_ids,
        dialect=connection.capabilities.dialect,
        directory=directory,
        eligible_only=eligible_only,
        lot_id=lot_id,
    )
    rows = await query.statement.tuples(*query.params, connection=connection)
    if query.kind is ResourceKind.CHILDRENS_HOME:
        return [_home(row, today) for row in rows]
    # The driver's rows (an object or two each, which the garbage collector would go through again and again
    # while the ranking runs) are let go as soon as they are columns; the candidates, values without cycles,
    # are made in one step without collections (server.collector.paused).
    with collector.paused():
        columns = list(zip(*rows, strict=True))
        del rows
        return _households(columns, today)


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

_ALL_DURATIONS = frozenset(v.Duration)
_RESIDENTIAL = frozenset({v.PlacementKind.CHILDRENS_HOME})
_NOTHING: frozenset = frozenset()


_JUDGEMENTS = v.OfstedJudgement._value2member_map_
_NOT_YET_INSPECTED = v.OfstedJudgement.NOT_YET_INSPECTED
_HOUSEHOLD = ResourceKind.CARER_HOUSEHOLD
_HOME = ResourceKind.CHILDRENS_HOME


# Any judgement a household's provider may have, and none (not yet inspected), to its enum member.
_JUDGEMENT_OF = {**_JUDGEMENTS, None: _NOT_YET_INSPECTED, "": _NOT_YET_INSPECTED}


def _households(columns: Sequence[Sequence[Any]], today: date) -> list[Candidate]:
    """The rows, given as their columns, as Candidates, in Candidate's field order, a column at a time: an
    explained ranking reads every household whose ages fit, and a column's codes are looked up by map() without
    a Python call per value."""
    if not columns:
        return []
    (ids, providers, districts, min_ages, max_ages, placed, vacancies_from, references, places, kinds, durations,
     languages, communication, adaptations, has_pets, solo_only, risks_to_child, risks_to_others, specialisms,
     support, faiths, judgements) = columns  # fmt: skip
    free_from = [
        today if room > taken else as_date(first)
        for room, taken, first in zip(places, placed, vacancies_from, strict=True)
    ]
    new_candidate = tuple.__new__  # what Candidate(...) does, without its Python call per row
    return list(
        map(
            new_candidate,
            repeat(Candidate),
            zip(
                repeat(_HOUSEHOLD),
                ids,
                providers,
                references,
                districts,
                min_ages,
                max_ages,
                places,
                placed,
                free_from,
                map(_KINDS.__getitem__, kinds),
                map(_DURATIONS.__getitem__, durations),
                map(_WORDS.__getitem__, languages),
                map(_COMMUNICATION.__getitem__, communication),
                map(_ADAPTATIONS.__getitem__, adaptations),
                map(bool, has_pets),
                map(bool, solo_only),
                map(_RISKS_TO_CHILD.__getitem__, risks_to_child),
                map(_RISKS_TO_OTHERS.__getitem__, risks_to_others),
                map(_NEEDS.__getitem__, specialisms),
                map(_SUPPORT.__getitem__, support),
                map(_WORDS.__getitem__, faiths),
                map(_JUDGEMENT_OF.__getitem__, judgements),
                repeat(True),
                strict=False,
            ),
        )
    )


def _home(row: Sequence[Any], today: date) -> Candidate:
    (id_, provider_id, district, min_age, max_age, placed, vacancy_from, name, beds, solo_only, risks_to_child,
     risks_to_others, specialisms, judgement) = row  # fmt: skip
    return Candidate(
        _HOME,
        id_,
        provider_id,
        name,
        district,
        min_age,
        max_age,
        beds,
        placed,
        today if beds > placed else as_date(vacancy_from),
        _RESIDENTIAL,
        _ALL_DURATIONS,
        _NOTHING,
        _NOTHING,
        _NOTHING,
        False,
        bool(solo_only),
        _RISKS_TO_CHILD[risks_to_child],
        _RISKS_TO_OTHERS[risks_to_others],
        _NEEDS[specialisms],
        _NOTHING,
        _NOTHING,
        _JUDGEMENTS[judgement],
        True,
    )
