"""The figures contract managers and duty desks watch (DOMAIN.md's KPIs), per organisation."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.auth.actor import Actor
from server.domain.vocabulary import Urgency
from server.repositories import dashboard as dashboard_rows

WINDOW = timedelta(days=30)
NEAR_MILES = dashboard_rows.NEAR_MILES
WEEKS = 8  # the trend charts: this week and the seven before it, Monday to Sunday (UTC)


@dataclass
class WeekFigures:
    """One week of a trend: for a council, its referrals published, offers received and placements made; for a
    provider, referrals it was sent, offers it made and placements it won."""

    week_starting: date
    referrals: int = 0
    offers: int = 0
    placements: int = 0


@dataclass
class CouncilFigures:
    open_by_urgency: dict[str, int] = field(default_factory=dict)
    open_without_offer: int = 0
    median_hours_to_first_offer: float | None = None
    offers_per_referral: float | None = None
    placements_this_month: int = 0
    share_inside_area: float | None = None
    share_within_20_miles: float | None = None
    framework_placements: int = 0
    spot_placements: int = 0
    average_weekly_fee_by_kind: dict[str, int] = field(default_factory=dict)
    weekly: list[WeekFigures] = field(default_factory=list)
    reviews_due: list = field(default_factory=list)  # placement_life.ReviewDue: overdue or due within 14 days


@dataclass
class ProviderFigures:
    referrals_received: int = 0
    response_rate: float | None = None
    median_response_hours: float | None = None
    offers_live: int = 0
    acceptance_rate: float | None = None
    vacancies_open: int = 0
    weekly: list[WeekFigures] = field(default_factory=list)


def _window(now: datetime) -> dashboard_rows.Window:
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    weeks = [datetime.combine(monday, datetime.min.time(), UTC) for monday in weeks_ending(now)]
    return dashboard_rows.Window(now=now, since=now - WINDOW, month_start=month_start, weeks=weeks)


def _trend(now: datetime, counts: dict) -> list[WeekFigures]:
    return [
        WeekFigures(
            week_starting=monday,
            referrals=int(counts[f"referrals_{n}"]),
            offers=int(counts[f"offers_{n}"]),
            placements=int(counts[f"placements_{n}"]),
        )
        for n, monday in enumerate(weeks_ending(now))
    ]


async def council_figures(council_id: int, now: datetime | None = None) -> CouncilFigures:
    """Aggregates in the database (server.repositories.dashboard): the cost follows the windows' rows, not all
    the council's history."""
    now = now or datetime.now(UTC)
    window = _window(now)
    counts = await dashboard_rows.council_counts(council_id, window)
    figures = CouncilFigures()
    figures.open_by_urgency = {
        u.value: int(counts[f"open_{u.name.lower()}"]) for u in Urgency if counts[f"open_{u.name.lower()}"]
    }
    figures.open_without_offer = int(counts["open_without_offer"])
    waits = await dashboard_rows.hours_to_first_offer(council_id, window.since)
    figures.median_hours_to_first_offer = round(statistics.median(waits), 1) if waits else None
    published = int(counts["published"])
    figures.offers_per_referral = round(int(counts["offers_on_published"]) / published, 2) if published else None
    figures.placements_this_month = int(counts["placements_this_month"])
    if counts["placements"]:
        figures.share_inside_area = _share(int(counts["inside_area"]), int(counts["known_area"]))
        figures.share_within_20_miles = _share(int(counts["near"]), int(counts["known_distance"]))
        figures.spot_placements = int(counts["spot"])
        figures.framework_placements = int(counts["placements"]) - figures.spot_placements
        fees = await dashboard_rows.council_fees_by_kind(council_id)
        figures.average_weekly_fee_by_kind = {kind: round(total / n) for kind, total, n in sorted(fees)}
    figures.weekly = _trend(now, counts)
    figures.reviews_due = await _reviews_due(council_id, now)
    return figures


async def provider_figures(provider_id: int, now: datetime | None = None) -> ProviderFigures:
    """Aggregates in the database, as council_figures."""
    now = now or datetime.now(UTC)
    window = _window(now)
    counts = await dashboard_rows.provider_counts(provider_id, window)
    figures = ProviderFigures()
    figures.referrals_received = int(counts["received"])
    figures.response_rate = _share(int(counts["responded"]), figures.referrals_received)
    hours = await dashboard_rows.response_hours(provider_id, window.since) if counts["responded"] else []
    figures.median_response_hours = round(statistics.median(hours), 1) if hours else None
    figures.offers_live = int(counts["offers_live"])
    accepted, declined = int(counts["accepted"]), int(counts["declined"])
    figures.acceptance_rate = _share(accepted, accepted + declined)
    figures.vacancies_open = int(counts["vacancies_open"])
    figures.weekly = _trend(now, counts)
    return figures


async def figures_for(actor: Actor) -> CouncilFigures | ProviderFigures | None:
    if actor.is_council:
        return await council_figures(actor.council_id)
    if actor.is_provider:
        return await provider_figures(actor.provider_id)
    return None


async def _reviews_due(council_id: int, now: datetime) -> list:
    from server.services.placement_life import reviews_due

    return await reviews_due(now.astimezone(UTC).date(), council_id)


def weeks_ending(now: datetime) -> list[date]:
    """The Mondays that start the WEEKS weeks up to and including the one `now` falls in, oldest first."""
    today = now.astimezone(UTC).date()
    this_week = today - timedelta(days=today.weekday())
    return [this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
