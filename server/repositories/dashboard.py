"""The dashboard's figures as aggregate statements: the database counts and sums, so what reaches Python is one
row per organisation (plus the few values a median needs, from the 30-day window), however much history the
organisation has.

Each figure set is one statement: a cross join of one-row aggregates. Week boundaries are bound as values, so
bucketing needs no date function of either database. A figure over all history (a council's placements, a
provider's offers) is a part of its own with a few cheap aggregates over a covering index; the windows' figures
(the month, the trend's weeks, the 30 days) are parts restricted by an indexed range to their rows, so the
per-week comparisons are made on the windows' rows only, not on every row of the history. Counts per referral
are correlated subqueries (one index probe per referral of the window), which both databases run as such with
or without statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from server.domain.vocabulary import FeeBasis, OfferStatus, ReferralStatus, Urgency, VacancyStatus
from server.repositories.statements import Composer, Statement

NEAR_MILES = 20


@dataclass(frozen=True)
class Window:
    """The moments the figures are measured against: `weeks` are the trend's Mondays (midnight UTC), oldest
    first; the last week runs up to `now`."""

    now: datetime
    since: datetime  # the 30-day window's start
    month_start: datetime
    weeks: Sequence[datetime]

    @property
    def earliest(self) -> datetime:
        return min(self.since, self.weeks[0])


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _count_if(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _weeks(sql: Composer, column: str, window: Window, prefix: str) -> list[str]:
    """One column per week: how many rows have `column` in that week (the last one up to now)."""
    columns = []
    ends = [*window.weeks[1:], None]
    for number, (start, end) in enumerate(zip(window.weeks, ends, strict=True)):
        lower = f"{column} >= {sql.param(_utc(start))}"  # bound before the upper: the text's order
        upper = f"< {sql.param(_utc(end))}" if end is not None else f"<= {sql.param(_utc(window.now))}"
        columns.append(f"{_count_if(f'{lower} AND {column} {upper}')} AS {prefix}{number}")
    return columns


async def _one_row(sql: Composer, parts: Sequence[str]) -> dict[str, Any]:
    connection = connections.get("default")
    text = "SELECT * FROM " + " CROSS JOIN ".join(f"({part}) t{n}" for n, part in enumerate(parts))
    rows = await Statement(text).rows(*sql.params, connection=connection)
    return {name: (value or 0) for name, value in rows[0].items()}


def _composer() -> Composer:
    return Composer(connections.get("default").capabilities.dialect)


async def council_counts(council_id: int, window: Window) -> dict[str, Any]:
    """open_<urgency>, open_without_offer, published (in the window), offers_on_published, placements,
    placements_this_month, known_area, inside_area, known_distance, near, spot, and the weekly
    referrals_<n>, offers_<n>, placements_<n>."""
    sql = _composer()
    open_referrals = (
        "SELECT "
        + ", ".join(f"{_count_if(f'urgency = {sql.param(u.value)}')} AS open_{u.name.lower()}" for u in Urgency)
        + f", {_count_if('NOT EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = referral.id)')}"
        f" AS open_without_offer FROM referral WHERE council_id = {sql.param(council_id)}"
        f" AND status = {sql.param(ReferralStatus.OPEN.value)}"
    )
    # The referrals of the trend's weeks and the 30 days (index referral(council_id, published_at)), with the
    # offers on those of the 30 days counted by the referral.
    since = _utc(window.since)
    published = (
        f"SELECT {_count_if(f'published_at >= {sql.param(since)}')} AS published, "
        f"SUM(CASE WHEN published_at >= {sql.param(since)} THEN (SELECT COUNT(*) FROM offer o"
        " WHERE o.referral_id = referral.id) ELSE 0 END) AS offers_on_published, "
        + ", ".join(_weeks(sql, "published_at", window, "referrals_"))
        + f" FROM referral WHERE council_id = {sql.param(council_id)}"
        f" AND published_at >= {sql.param(_utc(window.earliest))}"
    )
    # The offers of the trend's weeks (index offer(submitted_at)) made on the council's referrals, each offer's
    # referral probed by its key: as a join (or EXISTS), both databases would rather read all the council's
    # referrals, its whole history. The upper bound, the last week's end, changes no count and tells a planner
    # without statistics that the range is narrow.
    offers = (
        "SELECT "
        + ", ".join(_weeks(sql, "o.submitted_at", window, "offers_"))
        + f" FROM offer o WHERE o.submitted_at >= {sql.param(_utc(window.weeks[0]))}"
        f" AND o.submitted_at <= {sql.param(_utc(window.now))}"
        f" AND (SELECT r.council_id FROM referral r WHERE r.id = o.referral_id) = {sql.param(council_id)}"
    )
    # Over all the council's placements: a few aggregates, read from the covering index placement(council_id,
    # fee_basis, inside_council_area, distance_miles, ...).
    placements = (
        "SELECT COUNT(*) AS placements, "
        "COUNT(inside_council_area) AS known_area, "
        f"{_count_if('inside_council_area')} AS inside_area, "
        "COUNT(distance_miles) AS known_distance, "
        f"{_count_if(f'distance_miles <= {sql.param(float(NEAR_MILES))}')} AS near, "
        f"{_count_if(f'fee_basis = {sql.param(FeeBasis.SPOT.value)}')} AS spot"
        f" FROM placement WHERE council_id = {sql.param(council_id)}"
    )
    # The month's and the weeks' placements (index placement(council_id, created_at)).
    month_start = _utc(window.month_start)
    recent_placements = (
        f"SELECT {_count_if(f'created_at >= {sql.param(month_start)}')} AS placements_this_month, "
        + ", ".join(_weeks(sql, "created_at", window, "placements_"))
        + f" FROM placement WHERE council_id = {sql.param(council_id)}"
        f" AND created_at >= {sql.param(min(month_start, _utc(window.weeks[0])))}"
    )
    return await _one_row(sql, (open_referrals, published, offers, placements, recent_placements))


async def council_fees_by_kind(council_id: int) -> list[tuple[str, int, int]]:
    """(placement kind, sum of weekly fees in pence, placements) for each kind the council has placed."""
    sql = _composer()
    text = (
        "SELECT r.placement_kind, SUM(p.weekly_fee_pence), COUNT(*) FROM placement p "
        f"JOIN referral r ON r.id = p.referral_id WHERE p.council_id = {sql.param(council_id)} "
        "GROUP BY r.placement_kind"
    )
    rows = await Statement(text).tuples(*sql.params)
    return [(str(kind), int(total), int(count)) for kind, total, count in rows]


async def hours_to_first_offer(council_id: int, since: datetime) -> list[float]:
    """For each of the council's referrals published since `since` that has an offer: hours to the first."""
    sql = _composer()
    # The first offer by a probe per referral of the window (index offer(referral_id, submitted_at); NULL for one
    # without offers, left out). As a join and GROUP BY, PostgreSQL without statistics reads every offer.
    first_offer = "(SELECT MIN(o.submitted_at) FROM offer o WHERE o.referral_id = r.id)"
    text = (
        f"SELECT {sql.hours_between('r.published_at', first_offer)} FROM referral r"
        f" WHERE r.council_id = {sql.param(council_id)} AND r.published_at >= {sql.param(_utc(since))}"
    )
    return [float(hours) for (hours,) in await Statement(text).tuples(*sql.params) if hours is not None]


async def provider_counts(provider_id: int, window: Window) -> dict[str, Any]:
    """received, responded (in the window), offers_live, accepted, declined, vacancies_open, and the weekly
    referrals_<n>, offers_<n>, placements_<n>."""
    sql = _composer()
    since = _utc(window.since)
    received = (
        f"SELECT {_count_if(f'sent_at >= {sql.param(since)}')} AS received, "
        f"{_count_if(f'sent_at >= {sql.param(since)} AND responded_at IS NOT NULL')} AS responded, "
        + ", ".join(_weeks(sql, "sent_at", window, "referrals_"))
        + f" FROM broadcast_recipient WHERE provider_id = {sql.param(provider_id)}"
        f" AND sent_at >= {sql.param(_utc(window.earliest))}"
    )
    # Over all the provider's offers, from the covering index offer(provider_id, status, live).
    offers = (
        f"SELECT {_count_if(f'live = {sql.param(1)}')} AS offers_live, "
        f"{_count_if(f'status = {sql.param(OfferStatus.ACCEPTED.value)}')} AS accepted, "
        f"{_count_if(f'status = {sql.param(OfferStatus.DECLINED.value)}')} AS declined"
        f" FROM offer WHERE provider_id = {sql.param(provider_id)}"
    )
    # The weeks' offers (index offer(provider_id, submitted_at)).
    recent_offers = (
        "SELECT "
        + ", ".join(_weeks(sql, "submitted_at", window, "offers_"))
        + f" FROM offer WHERE provider_id = {sql.param(provider_id)}"
        f" AND submitted_at >= {sql.param(_utc(window.weeks[0]))}"
    )
    vacancies = (
        f"SELECT COUNT(*) AS vacancies_open FROM vacancy WHERE provider_id = {sql.param(provider_id)}"
        f" AND status = {sql.param(VacancyStatus.OPEN.value)}"
    )
    placements = (
        "SELECT "
        + ", ".join(_weeks(sql, "created_at", window, "placements_"))
        + f" FROM placement WHERE provider_id = {sql.param(provider_id)}"
        f" AND created_at >= {sql.param(_utc(window.weeks[0]))}"
    )
    return await _one_row(sql, (received, offers, recent_offers, vacancies, placements))


async def response_hours(provider_id: int, since: datetime) -> list[float]:
    """Hours from being sent each referral to answering it, for those sent since `since` and answered."""
    sql = _composer()
    text = (
        f"SELECT {sql.hours_between('sent_at', 'responded_at')} FROM broadcast_recipient "
        f"WHERE provider_id = {sql.param(provider_id)} AND sent_at >= {sql.param(_utc(since))} "
        "AND responded_at IS NOT NULL"
    )
    return [float(hours) for (hours,) in await Statement(text).tuples(*sql.params)]
