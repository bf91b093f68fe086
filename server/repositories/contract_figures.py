"""The contract-management figures' statements: SQL aggregates over a population of placements, referrals,
broadcasts, allegations and feedback, for one quarter (and for the trend, eight quarters in one scan).

Every counted figure has a named condition (CONDITIONS); the aggregate counts rows meeting it and the drill-down
(`references`) lists the referral and IPA references of the same rows, so a figure and its drill-down cannot
disagree. Dates are bound as values (SQLite keeps them as ISO text, which compares in order).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from tortoise import connections

from server.domain.quarters import Quarter
from server.models.offers import OFFER_QUARTER_INDEX, PLACEMENT_FIGURES_INDEX, PLACEMENT_PUBLISHED_INDEX
from server.models.referrals import BROADCAST_FIGURES_INDEX
from server.repositories.statements import Composer, Statement, as_date

_T = TypeVar("_T")

NOTICE_DAYS = 28
WITHIN_MILES = 20
DRILL_LIMIT = 200


@dataclass(frozen=True)
class Population:
    """Whose work is counted: the placing councils, perhaps one provider, and the framework seen from."""

    framework_id: int
    council_ids: tuple[int, ...]
    provider_id: int | None = None
    # A provider's allegation with no placing council counts for the frameworks it is on.
    framework_provider_ids: tuple[int, ...] = field(default=())


class Sql(Composer):
    """The Composer, with the date arithmetic the figures need."""

    def days_between(self, start: str, end: str) -> str:
        if self.postgres:
            return f"({end} - {start})"
        return f"(julianday({end}) - julianday({start}))"

    def least(self, *parts: str) -> str:
        return f"LEAST({', '.join(parts)})" if self.postgres else f"MIN({', '.join(parts)})"

    def greatest(self, *parts: str) -> str:
        return f"GREATEST({', '.join(parts)})" if self.postgres else f"MAX({', '.join(parts)})"

    def not_indexed(self) -> str:
        """SQLite: read the table itself, in rowid order (the order its rows were written)."""
        return "" if self.postgres else " NOT INDEXED"

    def indexed_by(self, index: str) -> str:
        """SQLite: read the table through this (covering) index, which its planner would pass over for the rowid."""
        return "" if self.postgres else f" INDEXED BY {index}"

    def not_sought(self, column: str) -> str:
        """SQLite: the column, as a value to check rather than an index to seek by (its unary `+`)."""
        return column if self.postgres else f"+{column}"

    def json_elements(self, column: str) -> str:
        """A FROM item giving one row (column `value`) per element of a JSON list column."""
        if self.postgres:
            return f"jsonb_array_elements_text({column}) AS need(value)"
        return f"json_each({column}) AS need"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


STARTED_ON = "COALESCE(p.actual_start_date, p.start_date)"


# The age bands (server.domain.vocabulary.AgeBand): the oldest age in each, and the band above the last.
_AGE_BAND_TOPS = ((4, "0-4"), (10, "5-10"), (15, "11-15"))
_OLDEST_BAND = "16-18"


def _age_band(alias: str) -> str:
    steps = " ".join(f"WHEN {alias}.age_years <= {top} THEN '{band}'" for top, band in _AGE_BAND_TOPS)
    return f"CASE {steps} ELSE '{_OLDEST_BAND}' END"


def age_band_of(age_years: int | None) -> str:
    """The age band of an age, as the statements' CASE (`_age_band`) gives it (no age falls to its ELSE)."""
    if age_years is None:
        return _OLDEST_BAND
    return next((band for top, band in _AGE_BAND_TOPS if age_years <= top), _OLDEST_BAND)


# A referral's age band, and a placement's (the child's age on its referral, kept on the placement).
AGE_BAND = _age_band("r")
PLACED_AGE_BAND = _age_band("p")


def _route(s: Sql, pop: Population, route: str) -> str:
    """A placement's purchase route, from the framework it was called off under (kept on the placement: none
    for spot purchase)."""
    if route == "spot":
        return "p.framework_id IS NULL"
    same = "=" if route == "this_framework" else "<>"
    return f"p.framework_id {same} {s.param(pop.framework_id)}"


def _distance(s: Sql, key: str) -> str:
    inside, within = key.split("_", 1)
    if inside == "unknown":
        area = "p.inside_council_area IS NULL"
    else:
        area = f"p.inside_council_area = {s.param(inside == 'inside')}"
    miles = {
        "within": f"p.distance_miles <= {WITHIN_MILES}",
        "over": f"p.distance_miles > {WITHIN_MILES}",
        "unknown": "p.distance_miles IS NULL",
        "any": "1 = 1",
    }[within]
    return f"({area} AND {miles})"


def _ended(s: Sql, q: Quarter) -> str:
    return f"(p.end_date IS NOT NULL AND p.end_date <= {s.param(q.ends_on)})"


# Conditions on placements `p` joined to their referral `r`, within the placements active in the quarter.
PlacementCondition = Callable[[Sql, Population, Quarter, str], str]
PLACEMENT_CONDITIONS: dict[str, PlacementCondition] = {
    "active": lambda s, pop, q, arg: "1 = 1",
    "started": lambda s, pop, q, arg: f"{STARTED_ON} >= {s.param(q.starts_on)}",
    "ended": lambda s, pop, q, arg: _ended(s, q),
    "planned": lambda s, pop, q, arg: f"({_ended(s, q)} AND p.planned_ending = {s.param(True)})",
    "unplanned": lambda s, pop, q, arg: f"({_ended(s, q)} AND p.planned_ending = {s.param(False)})",
    "without_notice": lambda s, pop, q, arg: (
        f"({_ended(s, q)} AND (p.notice_given_on IS NULL OR "
        f"{s.days_between('p.notice_given_on', 'p.end_date')} < {NOTICE_DAYS}))"
    ),
    "distance": lambda s, pop, q, arg: _distance(s, arg),
    "route": lambda s, pop, q, arg: _route(s, pop, arg),
    "kind": lambda s, pop, q, arg: f"p.placement_kind = {s.param(arg)}",
    "age_band": lambda s, pop, q, arg: f"{PLACED_AGE_BAND} = {s.param(arg)}",
    "council": lambda s, pop, q, arg: f"p.council_id = {s.param(int(arg))}",
    "provider": lambda s, pop, q, arg: f"p.provider_id = {s.param(int(arg))}",
}
DISTANCES = ("inside_within", "inside_over", "outside_within", "outside_over", "unknown_any")
ROUTES = ("this_framework", "previous_framework", "spot")
PLACEMENT_COUNTS = ("active", "started", "ended", "planned", "unplanned", "without_notice")


def _placements_where(s: Sql, pop: Population, q: Quarter) -> str:
    where = (
        f"p.council_id IN ({s.one_of(pop.council_ids)}) AND {STARTED_ON} <= {s.param(q.ends_on)} "
        f"AND (p.end_date IS NULL OR p.end_date >= {s.param(q.starts_on)})"
    )
    if pop.provider_id is not None:
        where += f" AND p.provider_id = {s.param(pop.provider_id)}"
    return where


def _spend(s: Sql, q: Quarter) -> str:
    """Pence spent in the quarter: the weekly fee for each day of the quarter the placement ran (the whole
    quarter's days, without date arithmetic, for the most, which ran all through it)."""
    whole = (q.ends_on - q.starts_on).days + 1
    # Parameters are numbered in the order they are written: each part is built in the statement's order.
    throughout = (
        f"{STARTED_ON} <= {s.param(q.starts_on)} AND (p.end_date IS NULL OR p.end_date >= {s.param(q.ends_on)})"
    )
    last = s.least(f"COALESCE(p.end_date, {s.param(q.ends_on)})", s.param(q.ends_on))
    first = s.greatest(STARTED_ON, s.param(q.starts_on))
    days = f"CASE WHEN {throughout} THEN {whole} ELSE {s.days_between(first, last)} + 1 END"
    return f"p.weekly_fee_pence * ({days}) / 7.0"


def _connection() -> tuple[Any, Sql]:
    connection = connections.get("default")
    return connection, Sql(connection.capabilities.dialect)


async def _rows(connection: Any, s: Sql, sql: str) -> list[dict[str, Any]]:
    return await Statement(sql).rows(*s.params, connection=connection)


PlacementGroups = dict[tuple[str, str], dict[str, float]]
# Sums of the placements' own columns: what the whole and each council's and provider's line show.
ORGANISATION_SUMS = (*PLACEMENT_COUNTS[1:], *(f"distance_{key}" for key in DISTANCES), "inside", "within")


def placement_groups(
    pop: Population, q: Quarter, dimensions: Sequence[str], *, routes: bool = True
) -> Awaitable[PlacementGroups]:
    """The placements active in the quarter, summed whole (`all`) and, as asked in `dimensions`, per placing
    council, provider, placement kind and age band: (dimension, key) -> figures.

    The whole and the councils' and providers' rows carry each named count (PLACEMENT_COUNTS), distance band,
    `inside`, `within`, `spend`, and `n` and `fee` (the average weekly fee); the whole also each route's
    placements and spend (`route_*`, `spend_*`), unless `routes` is false; a kind's or age band's row, `n`, `fee`
    and `spend`.

    Two statements, run side by side: the placements grouped by kind, age band and route (a few dozen rows),
    and grouped by provider and council (their lines add up to the whole). SQLite has no hash aggregation: each
    GROUP BY sorts, so fewer, narrower groupings are what make it fast. Both are asked for as this is called,
    before the caller's later statements (each its own task), not when the awaitable is first awaited."""
    if not pop.council_ids:
        return _already({})
    by_organisation = "council" in dimensions or "provider" in dimensions
    by_kind = routes or "kind" in dimensions or "age_band" in dimensions
    kinds = asyncio.ensure_future(_kind_rows(pop, q) if by_kind else _already([]))
    organisations = asyncio.ensure_future(_organisation_rows(pop, q, by_organisation))
    steps = asyncio.ensure_future(fee_steps(pop, q.starts_on, q.ends_on))
    return _placement_groups(dimensions, routes, q, organisations, kinds, steps)


async def _placement_groups(
    dimensions: Sequence[str],
    routes: bool,
    q: Quarter,
    reading_organisations: Awaitable[list[dict[str, Any]]],
    reading_kinds: Awaitable[list[dict[str, Any]]],
    reading_steps: Awaitable[list[FeeStep]],
) -> PlacementGroups:
    organisations, kinds, steps = await asyncio.gather(reading_organisations, reading_kinds, reading_steps)
    groups: PlacementGroups = {}
    for dimension in ("council", "provider"):
        if dimension in dimensions:
            for key, rows in _by(organisations, f"{dimension}_id").items():
                groups[(dimension, key)] = _added_up(rows)
    whole = _added_up(organisations)
    for route in ROUTES if routes else ():
        on_route = [row for row in kinds if row["route"] == route]
        whole[f"route_{route}"] = float(sum(row["n"] for row in on_route))
        whole[f"spend_{route}"] = float(sum(row["spend"] or 0 for row in on_route))
    groups[("all", "all")] = whole
    for dimension in ("kind", "age_band"):
        if dimension in dimensions:
            for key, rows in _by(kinds, "placement_kind" if dimension == "kind" else "age_band").items():
                groups[(dimension, key)] = _added_up(rows, ("n", "fee_sum", "spend"))
    # Agreed fee changes: each one's difference for the days of the quarter it was in force.
    for step in steps:
        more = step.spend_in(q.starts_on, q.ends_on)
        if not more:
            continue
        whole["spend"] += more
        if f"spend_{step.route}" in whole:
            whole[f"spend_{step.route}"] += more
        for key in (("council", str(step.council_id)), ("provider", str(step.provider_id))):
            if key in groups:
                groups[key]["spend"] += more
        for key in (("kind", step.placement_kind), ("age_band", step.age_band)):
            if key in groups:
                groups[key]["spend"] += more
    return groups


@dataclass(frozen=True)
class FeeStep:
    """An agreed change of a placement's weekly fee: from `from_day`, `delta` pence a week more (or less) than the
    fee in force before it, until the placement ends or the next agreed change (which carries its own step)."""

    council_id: int
    provider_id: int
    route: str
    placement_kind: str
    age_band: str
    started_on: date
    ended_on: date | None
    from_day: date
    delta: int

    def spend_in(self, first: date, last: date) -> float:
        """The pence the change adds to the spend from `first` to `last` (inclusive)."""
        begins = max(self.from_day, self.started_on, first)
        ends = min(self.ended_on or last, last)
        return self.delta * ((ends - begins).days + 1) / 7.0 if ends >= begins else 0.0


async def fee_steps(pop: Population, first: date, last: date) -> list[FeeStep]:
    """The agreed fee changes of the population's placements running at some time from `first` to `last`, each
    as the difference from the fee in force before it (the agreement's, or the change before), as
    `placement_life.fee_in_force` reads them: the last agreed change effective on a day is the fee that day."""
    if not pop.council_ids:
        return []
    connection, s = _connection()
    routes = " ".join(f"WHEN {_route(s, pop, route)} THEN '{route}'" for route in ROUTES)
    # From the agreed changes (a few) to their placements: SQLite's CROSS JOIN keeps that order, where its planner
    # (no statistics for a table still empty) would scan every placement in the quarter looking for changes.
    where = (
        "p.id = c.placement_id AND "
        f"c.agreed_at IS NOT NULL AND p.council_id IN ({s.one_of(pop.council_ids)}) "
        f"AND {STARTED_ON} <= {s.param(last)} AND (p.end_date IS NULL OR p.end_date >= {s.param(first)})"
    )
    if pop.provider_id is not None:
        where += f" AND p.provider_id = {s.param(pop.provider_id)}"
    previous = "LAG(c.weekly_fee_pence) OVER (PARTITION BY c.placement_id ORDER BY c.effective_from, c.id)"
    sql = (
        f"SELECT p.council_id AS council_id, p.provider_id AS provider_id, CASE {routes} END AS route, "
        f"p.placement_kind AS placement_kind, {PLACED_AGE_BAND} AS age_band, {STARTED_ON} AS started_on, "
        "p.end_date AS ended_on, c.effective_from AS from_day, "
        f"c.weekly_fee_pence - COALESCE({previous}, p.weekly_fee_pence) AS delta "
        f"FROM placement_fee_change c CROSS JOIN placement p WHERE {where}"
    )
    return [
        FeeStep(
            council_id=int(row["council_id"]),
            provider_id=int(row["provider_id"]),
            route=str(row["route"]),
            placement_kind=str(row["placement_kind"]),
            age_band=str(row["age_band"]),
            started_on=as_date(row["started_on"]),
            ended_on=as_date(row["ended_on"]),
            from_day=as_date(row["from_day"]),
            delta=int(row["delta"]),
        )
        for row in await _rows(connection, s, sql)
    ]


async def _already(value: _T) -> _T:
    return value


_ORGANISATION_ROW_KEYS = ("n", "fee_sum", "spend", *ORGANISATION_SUMS)


async def _organisation_rows(pop: Population, q: Quarter, grouped: bool) -> list[dict[str, Any]]:
    connection, s = _connection()
    # Parameters are numbered in the order they are written: each part is built in the statement's order.
    spend = _spend(s, q)
    counts = [
        f"COUNT(*) FILTER (WHERE {PLACEMENT_CONDITIONS[key](s, pop, q, '')}) AS {key}" for key in PLACEMENT_COUNTS[1:]
    ]
    counts += [f"COUNT(*) FILTER (WHERE {_distance(s, key)}) AS distance_{key}" for key in DISTANCES]
    counts.append(f"COUNT(*) FILTER (WHERE {_distance(s, 'inside_any')}) AS inside")
    counts.append(f"COUNT(*) FILTER (WHERE p.distance_miles <= {WITHIN_MILES}) AS within")
    # Provider first: grouped council first, SQLite walks the (council, start date) index in order instead of
    # sorting, a lookup per row and several times slower.
    keys = "p.provider_id AS provider_id, p.council_id AS council_id, " if grouped else ""
    sql = (
        f"SELECT {keys}COUNT(*) AS n, SUM(p.weekly_fee_pence) AS fee_sum, SUM({spend}) AS spend, "
        f"{', '.join(counts)} FROM placement p WHERE {_placements_where(s, pop, q)}"
        + (" GROUP BY p.provider_id, p.council_id" if grouped else "")
    )
    return [row for row in await _rows(connection, s, sql) if row["n"]]


async def _kind_rows(pop: Population, q: Quarter) -> list[dict[str, Any]]:
    """The placements grouped by kind, the child's age and the framework called off under (a few hundred
    groups), each given its age band and purchase route here: grouped by the columns themselves, not by the
    CASEs naming band and route, SQLite sorts a third faster (`age_band_of`, `route_of` and the CASEs agree)."""
    connection, s = _connection()
    sql = (
        "SELECT p.placement_kind AS placement_kind, p.age_years AS age_years, p.framework_id AS framework_id, "
        f"COUNT(*) AS n, SUM(p.weekly_fee_pence) AS fee_sum, SUM({_spend(s, q)}) AS spend "
        f"FROM placement p{s.indexed_by(PLACEMENT_FIGURES_INDEX)} WHERE {_placements_where(s, pop, q)} "
        "GROUP BY p.placement_kind, p.age_years, p.framework_id"
    )
    rows = await _rows(connection, s, sql)
    for row in rows:
        row["age_band"] = age_band_of(row["age_years"])
        row["route"] = route_of(pop, row["framework_id"])
    return rows


def route_of(pop: Population, framework_id: int | None) -> str:
    """A placement's purchase route from the framework it was called off under, as `_route` names it."""
    if framework_id is None:
        return "spot"
    return "this_framework" if framework_id == pop.framework_id else "previous_framework"


def _by(rows: list[dict[str, Any]], column: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row[column]), []).append(row)
    return grouped


def _added_up(rows: list[dict[str, Any]], keys: Sequence[str] = _ORGANISATION_ROW_KEYS) -> dict[str, float]:
    """Groups' sums added up, with `active` (every placement counted is active in the quarter) and `fee`, the
    average weekly fee."""
    whole = {key: float(sum(row[key] or 0 for row in rows)) for key in keys}
    whole["active"] = whole["n"]
    whole["fee"] = whole.pop("fee_sum") / whole["n"] if whole["n"] else 0.0
    return whole


# --- referrals --------------------------------------------------------------------------------------


def _gap(s: Sql) -> str:
    return f"(r.status IN ({s.param('unfilled')}, {s.param('expired')}) OR r.escalated_to_spot)"


ReferralCondition = Callable[[Sql, Population, Quarter, str], str]
REFERRAL_CONDITIONS: dict[str, ReferralCondition] = {
    "published": lambda s, pop, q, arg: "1 = 1",
    "placed": lambda s, pop, q, arg: f"r.status = {s.param('placed')}",
    "with_offer": lambda s, pop, q, arg: "EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = r.id)",
    "gap": lambda s, pop, q, arg: _gap(s),
    "unfilled": lambda s, pop, q, arg: f"r.status IN ({s.param('unfilled')}, {s.param('expired')})",
    "escalated": lambda s, pop, q, arg: "r.escalated_to_spot",
    "gap_need": lambda s, pop, q, arg: f"({_gap(s)} AND {s.json_list_has('r.needs', arg)})",
    "gap_age_band": lambda s, pop, q, arg: f"({_gap(s)} AND {AGE_BAND} = {s.param(arg)})",
    "gap_district": lambda s, pop, q, arg: f"({_gap(s)} AND r.home_district = {s.param(arg)})",
    "declined": lambda s, pop, q, arg: (
        "EXISTS (SELECT 1 FROM broadcast_recipient d WHERE d.referral_id = r.id AND "
        f"d.decline_reason = {s.param(arg)}"
        + (f" AND d.provider_id = {s.param(pop.provider_id)})" if pop.provider_id else ")")
    ),
}


def _referrals_where(s: Sql, pop: Population, q: Quarter) -> str:
    where = (
        f"r.council_id IN ({s.one_of(pop.council_ids)}) AND r.published_at >= {s.param(_moment(q.starts_on))} "
        f"AND r.published_at < {s.param(_moment(q.next().starts_on))}"
    )
    if pop.provider_id is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM broadcast_recipient b WHERE b.referral_id = r.id "
            f"AND b.provider_id = {s.param(pop.provider_id)} AND b.sent_at IS NOT NULL)"
        )
    return where


REFERRAL_COUNTS = ("published", "placed", "gap", "unfilled", "escalated")


async def referral_counts(pop: Population, q: Quarter) -> dict[str, Any]:
    """The named referral counts and (as `gap_age_band` and `gap_district`: lists of (key, count), most first) the
    gaps by age band and home district, from one scan of the quarter's referrals (through its covering index: the
    needs, outside it, are read apart, by `gaps_by_need`)."""
    if not pop.council_ids:
        return {}
    connection, s = _connection()
    flags = [f"CASE WHEN {REFERRAL_CONDITIONS[k](s, pop, q, '')} THEN 1 ELSE 0 END AS {k}" for k in REFERRAL_COUNTS]
    columns = f"{AGE_BAND} AS age_band, r.home_district AS district, {', '.join(flags)}"
    sums = ", ".join(f"SUM({k}) AS {k}" for k in REFERRAL_COUNTS)
    passes = (
        f"SELECT 'all' AS dim, '' AS grp, {sums} FROM rq UNION ALL "
        f"SELECT 'age_band' AS dim, age_band AS grp, {sums} FROM rq WHERE gap = 1 GROUP BY age_band UNION ALL "
        f"SELECT 'district' AS dim, district AS grp, {sums} FROM rq WHERE gap = 1 GROUP BY district"
    )
    materialized = "MATERIALIZED " if s.postgres else ""
    sql = f"WITH rq AS {materialized}(SELECT {columns} FROM referral r WHERE {_referrals_where(s, pop, q)}) {passes}"
    row: dict[str, Any] = {}
    gaps: dict[str, list[tuple[str, int]]] = {"age_band": [], "district": []}
    for found in await _rows(connection, s, sql):
        if found["dim"] == "all":
            row = {k: found[k] for k in REFERRAL_COUNTS}
        else:
            gaps[str(found["dim"])].append((str(found["grp"]), int(found["gap"] or 0)))
    counts: dict[str, Any] = {key: float(value or 0) for key, value in row.items()}
    for by, found_gaps in gaps.items():
        counts[f"gap_{by}"] = sorted(found_gaps, key=lambda pair: (-pair[1], pair[0]))
    return counts


def _offers_where(s: Sql, pop: Population, q: Quarter) -> str:
    """The offers on the referrals the population's councils published in the quarter (by the population's
    provider, if it has one): each offer carries its referral's council and publishing time, so no referral is
    read. SQLite: the council is checked on each row of the quarter's range, not used to seek it per council."""
    where = (
        f"o.referral_published_at >= {s.param(_moment(q.starts_on))} "
        f"AND o.referral_published_at < {s.param(_moment(q.next().starts_on))} "
        f"AND {s.not_sought('o.council_id')} IN ({s.one_of(pop.council_ids)})"
    )
    if pop.provider_id is not None:
        where += f" AND o.provider_id = {s.param(pop.provider_id)}"
    return where


async def offer_count(pop: Population, q: Quarter) -> int:
    """The offers made on the quarter's referrals (by the population's provider, if it has one)."""
    if not pop.council_ids:
        return 0
    connection, s = _connection()
    sql = f"SELECT COUNT(*) AS n FROM offer o{s.indexed_by(OFFER_QUARTER_INDEX)} WHERE {_offers_where(s, pop, q)}"
    return int((await _rows(connection, s, sql))[0]["n"] or 0)


@dataclass(frozen=True)
class OfferFigures:
    """The offers made on the quarter's referrals and the median hours from publishing to the first."""

    offers: int
    median_hours_to_first: float | None


async def offer_figures(pop: Population, q: Quarter) -> OfferFigures:
    """The offers on the quarter's referrals (by the population's provider, if it has one), counted and timed
    in one pass over the offers alone: each referral's offers and first offer, then their sum and the median
    wait."""
    if not pop.council_ids:
        return OfferFigures(0, None)
    connection, s = _connection()
    per_referral = (
        f"SELECT COUNT(*) AS n, {s.hours_between('o.referral_published_at', 'MIN(o.submitted_at)')} AS h "
        f"FROM offer o{s.indexed_by(OFFER_QUARTER_INDEX)} WHERE {_offers_where(s, pop, q)} "
        "GROUP BY o.referral_id, o.referral_published_at"
    )
    sql = f"SELECT SUM(n) AS n, {s.median('h')} AS median FROM ({per_referral}) AS x"
    row = (await _rows(connection, s, sql))[0]
    median = row["median"]
    return OfferFigures(int(row["n"] or 0), None if median is None else round(float(median), 1))


async def median_hours_to_placement(pop: Population, q: Quarter) -> float | None:
    """The median hours from publishing a referral of the quarter to its placement (each placement keeps when
    its referral was published: no referral is read)."""
    if not pop.council_ids:
        return None
    connection, s = _connection()
    where = (
        f"p.council_id IN ({s.one_of(pop.council_ids)}) "
        f"AND p.referral_published_at >= {s.param(_moment(q.starts_on))} "
        f"AND p.referral_published_at < {s.param(_moment(q.next().starts_on))}"
    )
    if pop.provider_id is not None:
        where += f" AND p.provider_id = {s.param(pop.provider_id)}"
    inner = (
        f"SELECT {s.hours_between('p.referral_published_at', 'p.created_at')} AS h "
        f"FROM placement p{s.indexed_by(PLACEMENT_PUBLISHED_INDEX)} WHERE {where}"
    )
    return await _median(connection, s, inner)


async def _median(connection: Any, s: Sql, inner: str) -> float | None:
    rows = await _rows(connection, s, f"SELECT {s.median('h')} AS median FROM ({inner}) AS x")
    value = rows[0]["median"] if rows else None
    return None if value is None else round(float(value), 1)


async def gaps_by_need(pop: Population, q: Quarter) -> list[tuple[str, int]]:
    """Referrals unfilled or escalated to spot, by need (a referral counts once under each of its needs)."""
    if not pop.council_ids:
        return []
    connection, s = _connection()
    sql = (
        f"SELECT need.value AS grp, COUNT(*) AS n FROM referral r, {s.json_elements('r.needs')} "
        f"WHERE {_referrals_where(s, pop, q)} AND {_gap(s)} GROUP BY need.value ORDER BY 2 DESC, 1"
    )
    return [(str(r["grp"]), int(r["n"])) for r in await _rows(connection, s, sql)]


# --- broadcasts: response rates, response times, declines ---------------------------------------------


def _sent_where(s: Sql, pop: Population, q: Quarter) -> str:
    # SQLite: the placing council is checked on each row of the quarter's range, not used to seek it per council.
    where = (
        f"{s.not_sought('b.council_id')} IN ({s.one_of(pop.council_ids)}) "
        f"AND b.sent_at >= {s.param(_moment(q.starts_on))} AND b.sent_at < {s.param(_moment(q.next().starts_on))}"
    )
    if pop.provider_id is not None:
        where += f" AND b.provider_id = {s.param(pop.provider_id)}"
    return where


def _sent_from(s: Sql, pop: Population) -> str:
    """The quarter's broadcasts: every provider's from the covering index alone, one provider's through its own
    (provider, sent) index. Each row carries its referral's placing council: no referral is read."""
    if pop.provider_id is not None:
        return "broadcast_recipient b"
    return f"broadcast_recipient b{s.indexed_by(BROADCAST_FIGURES_INDEX)}"


@dataclass(frozen=True)
class Responses:
    """The quarter's broadcasts to providers: referrals sent, answered (an offer or a decline) and the median
    hours to answer, in total and (unless only the totals were read) per provider, and the declines by reason
    (most first)."""

    sent: int
    answered: int
    median_hours: float | None
    by_provider: dict[int, tuple[int, int, float | None]]
    declines: list[tuple[str, int]] = field(default_factory=list)


async def responses(pop: Population, q: Quarter, *, totals_only: bool = False) -> Responses:
    """One scan of the quarter's broadcasts, grouped three ways: per provider (sent, answered, median hours to
    answer), in total, and the declines by reason; or, `totals_only`, the totals alone."""
    if not pop.council_ids:
        return Responses(0, 0, None, {})
    connection, s = _connection()
    rows_sql = (
        f"SELECT b.provider_id AS grp, {s.hours_between('b.sent_at', 'b.responded_at')} AS h, "
        "b.decline_reason AS reason "
        f"FROM {_sent_from(s, pop)} WHERE {_sent_where(s, pop, q)}"
    )
    median = s.median("h")
    whole_sql = f"SELECT 'all' AS dim, '' AS grp, COUNT(*) AS sent, COUNT(h) AS answered, {median} AS median FROM sq"
    if totals_only:
        sql = f"WITH sq AS ({rows_sql}) {whole_sql}"
    else:
        materialized = "MATERIALIZED " if s.postgres else ""
        sql = (
            f"WITH sq AS {materialized}({rows_sql}) "
            "SELECT 'provider' AS dim, CAST(grp AS VARCHAR(12)) AS grp, COUNT(*) AS sent, COUNT(h) AS answered, "
            f"{median} AS median FROM sq GROUP BY grp UNION ALL {whole_sql} UNION ALL "
            "SELECT 'decline' AS dim, reason AS grp, COUNT(*) AS sent, 0 AS answered, NULL AS median "
            "FROM sq WHERE reason IS NOT NULL GROUP BY reason"
        )
    rows = await _rows(connection, s, sql)
    declines = sorted(
        ((str(r["grp"]), int(r["sent"])) for r in rows if r["dim"] == "decline"), key=lambda pair: (-pair[1], pair[0])
    )
    by_provider = {
        int(r["grp"]): (int(r["sent"]), int(r["answered"]), _hours(r["median"])) for r in rows if r["dim"] == "provider"
    }
    (whole,) = (r for r in rows if r["dim"] == "all")
    median_hours = None if whole["median"] is None else round(float(whole["median"]), 1)
    return Responses(int(whole["sent"] or 0), int(whole["answered"] or 0), median_hours, by_provider, declines)


def _hours(value: Any) -> float | None:
    return None if value is None else float(value)


# --- allegations and feedback ------------------------------------------------------------------------


def _allegation_owners(s: Sql, pop: Population) -> str:
    councils = f"a.council_id IN ({s.one_of(pop.council_ids)})"
    if pop.framework_provider_ids:
        councils = (
            f"({councils} OR (a.council_id IS NULL AND a.provider_id IN ({s.one_of(pop.framework_provider_ids)})))"
        )
    if pop.provider_id is not None:
        councils += f" AND a.provider_id = {s.param(pop.provider_id)}"
    return councils


def _allegations_where(s: Sql, pop: Population, q: Quarter) -> str:
    owners = _allegation_owners(s, pop)
    return f"{owners} AND a.reported_on >= {s.param(q.starts_on)} AND a.reported_on <= {s.param(q.ends_on)}"


async def allegations_by_outcome(pop: Population, q: Quarter) -> dict[str, int]:
    if not pop.council_ids:
        return {}
    connection, s = _connection()
    sql = (
        "SELECT a.outcome AS grp, COUNT(*) AS n FROM allegation a "
        f"WHERE {_allegations_where(s, pop, q)} GROUP BY a.outcome"
    )
    return {str(r["grp"]): int(r["n"]) for r in await _rows(connection, s, sql)}


async def feedback_averages(pop: Population, q: Quarter) -> dict[str, float | None]:
    """The mean scores (1-5) of the feedback given in the quarter on the population's placements."""
    if not pop.council_ids:
        return {"n": 0.0, "needs_met": None, "communication": None, "stability": None}
    connection, s = _connection()
    first, last = s.param(q.starts_on), s.param(q.ends_on)
    provider = f" AND p.provider_id = {s.param(pop.provider_id)}" if pop.provider_id else ""
    # Each feedback's placement looked up by its key: PostgreSQL would join by hashing every placement (a
    # correlated scalar subquery is not turned into a join); null, and so not counted, when the provider differs.
    placing_council = f"(SELECT p.council_id FROM placement p WHERE p.id = f.placement_id{provider})"
    sql = (
        "SELECT COUNT(*) AS n, AVG(f.needs_met) AS needs_met, AVG(f.communication) AS communication, "
        f"AVG(f.stability) AS stability FROM placement_feedback f WHERE f.given_on >= {first} "
        f"AND f.given_on <= {last} AND {placing_council} IN ({s.one_of(pop.council_ids)})"
    )
    row = (await _rows(connection, s, sql))[0]
    return {k: (None if v is None else round(float(v), 2)) for k, v in row.items()}


# --- trends --------------------------------------------------------------------------------------------

TREND_KEYS = ("started", "active", "ended", "unplanned", "without_notice")


async def placement_trend(pop: Population, quarters: Sequence[Quarter]) -> dict[Quarter, dict[str, float]]:
    """The headline placement counts and spend of each of consecutive quarters, from one scan of the placements
    they span, grouped by the quarters a placement started and ended in.

    A placement is active in every quarter from the one it started in (or the first) to the one it ended in (or
    the last), started in its first and ended in its last; its spend in a quarter is its weekly fee for the days
    of the quarter it ran. Each (start, end) bucket carries the fees summed, and summed times the start and end
    days (as days from the first quarter's first day), so each quarter's spend is exact arithmetic on them."""
    if not pop.council_ids or not quarters:
        return {}
    connection, s = _connection()

    def day(value: date) -> str:
        return f"CAST({s.param(value)} AS DATE)" if s.postgres else s.param(value)

    def bucket(column: str) -> str:
        head = f"CASE WHEN {column} < {day(quarters[0].starts_on)} THEN -1"
        steps = " ".join(f"WHEN {column} <= {day(q.ends_on)} THEN {i}" for i, q in enumerate(quarters))
        return f"{head} {steps} ELSE {len(quarters)} END"

    # Parameters are numbered in the order they are written, so each part is built in the statement's order.
    base = quarters[0].starts_on
    started_in = bucket(STARTED_ON)
    ended_in = bucket("p.end_date")
    first = s.days_between(day(base), STARTED_ON)
    last = s.days_between(day(base), "p.end_date")
    unplanned = f"p.planned_ending = {s.param(False)}"
    notice = f"{s.days_between('p.notice_given_on', 'p.end_date')} < {NOTICE_DAYS}"
    where = (
        f"p.council_id IN ({s.one_of(pop.council_ids)}) AND {STARTED_ON} <= {day(quarters[-1].ends_on)} "
        f"AND (p.end_date IS NULL OR p.end_date >= {day(base)})"
    )
    if pop.provider_id is not None:
        where += f" AND p.provider_id = {s.param(pop.provider_id)}"
    rows_sql = (
        f"SELECT {started_in} AS si, CASE WHEN p.end_date IS NULL THEN {len(quarters)} "
        f"ELSE {ended_in} END AS ei, p.weekly_fee_pence AS fee, {first} AS first_day, "
        f"{last} AS last_day, CASE WHEN {unplanned} THEN 1 ELSE 0 END AS unplanned, "
        f"CASE WHEN p.notice_given_on IS NULL OR {notice} THEN 1 ELSE 0 END AS without_notice "
        f"FROM placement p WHERE {where}"
    )
    sql = (
        "SELECT si, ei, COUNT(*) AS n, SUM(unplanned) AS unplanned, SUM(without_notice) AS without_notice, "
        "SUM(fee) AS fee, SUM(fee * first_day) AS fee_first, SUM(fee * last_day) AS fee_last "
        f"FROM ({rows_sql}) AS x GROUP BY si, ei"
    )
    figures = {q: dict.fromkeys((*TREND_KEYS, "spend"), 0.0) for q in quarters}
    # Not gathered: the scan asks for its connection at once, the few fee changes after it.
    rows = await _rows(connection, s, sql)
    steps = await fee_steps(pop, quarters[0].starts_on, quarters[-1].ends_on)
    for step in steps:
        for q in quarters:
            figures[q]["spend"] += step.spend_in(q.starts_on, q.ends_on)
    for row in rows:
        si, ei, n, fee = int(row["si"]), int(row["ei"]), int(row["n"]), float(row["fee"] or 0)
        for i in range(max(si, 0), min(ei, len(quarters) - 1) + 1):
            q = quarters[i]
            into = figures[q]
            into["active"] += n
            # Days from the first quarter's first day: the quarter's, or the placement's own where it starts or
            # ends inside the quarter.
            from_day = float(row["fee_first"] or 0) if si == i else fee * (q.starts_on - base).days
            to_day = float(row["fee_last"] or 0) if ei == i else fee * (q.ends_on - base).days
            into["spend"] += (to_day - from_day + fee) / 7.0
            if si == i:
                into["started"] += n
            if ei == i:
                into["ended"] += n
                into["unplanned"] += float(row["unplanned"] or 0)
                into["without_notice"] += float(row["without_notice"] or 0)
    return figures


async def allegation_trend(pop: Population, quarters: Sequence[Quarter]) -> dict[Quarter, int]:
    if not pop.council_ids or not quarters:
        return {}
    connection, s = _connection()
    parts = [
        f"SUM(CASE WHEN a.reported_on >= {s.param(q.starts_on)} AND a.reported_on <= {s.param(q.ends_on)} "
        f"THEN 1 ELSE 0 END) AS q_{i}"
        for i, q in enumerate(quarters)
    ]
    where = _allegation_owners(s, pop)
    where += (
        f" AND a.reported_on >= {s.param(quarters[0].starts_on)} AND a.reported_on <= {s.param(quarters[-1].ends_on)}"
    )
    row = (await _rows(connection, s, f"SELECT {', '.join(parts)} FROM allegation a WHERE {where}"))[0]
    return {q: int(row[f"q_{i}"] or 0) for i, q in enumerate(quarters)}


# --- drill-down -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drill:
    """The rows behind a figure: `table` (placements, referrals, recipients or allegations), a named
    condition and its argument."""

    table: str
    condition: str
    arg: str = ""


async def references(
    pop: Population, q: Quarter, drill: Drill, limit: int = DRILL_LIMIT
) -> tuple[list[str], list[str]]:
    """(referral references, IPA references) of the rows behind a figure, at most `limit` of each."""
    if not pop.council_ids:
        return [], []
    connection, s = _connection()
    if drill.table == "placements":
        where = _placements_where(s, pop, q)
        condition = PLACEMENT_CONDITIONS[drill.condition](s, pop, q, drill.arg)
        sql = (
            "SELECT r.reference AS referral, p.ipa_reference AS ipa FROM placement p "
            f"JOIN referral r ON r.id = p.referral_id WHERE {where} AND {condition} "
            f"ORDER BY p.ipa_reference LIMIT {int(limit)}"
        )
    elif drill.table == "referrals":
        where = _referrals_where(s, pop, q)
        condition = REFERRAL_CONDITIONS[drill.condition](s, pop, q, drill.arg)
        sql = (
            "SELECT r.reference AS referral, p.ipa_reference AS ipa FROM referral r "
            f"LEFT JOIN placement p ON p.referral_id = r.id WHERE {where} AND {condition} "
            f"ORDER BY r.reference LIMIT {int(limit)}"
        )
    elif drill.table == "allegations":
        where = _allegations_where(s, pop, q)
        condition = f"a.outcome = {s.param(drill.arg)}" if drill.arg else "1 = 1"
        sql = (
            "SELECT r.reference AS referral, p.ipa_reference AS ipa FROM allegation a "
            "LEFT JOIN placement p ON p.id = a.placement_id LEFT JOIN referral r ON r.id = p.referral_id "
            f"WHERE {where} AND {condition} ORDER BY a.reported_on, a.id LIMIT {int(limit)}"
        )
    else:
        raise ValueError(f"no drill-down of {drill.table}")
    rows = await _rows(connection, s, sql)
    referrals = list(dict.fromkeys(r["referral"] for r in rows if r["referral"]))
    placements = list(dict.fromkeys(r["ipa"] for r in rows if r["ipa"]))
    return referrals, placements


def need_values(raw: str | list[str]) -> list[str]:
    return raw if isinstance(raw, list) else json.loads(raw)
