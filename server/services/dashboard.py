"""The figures contract managers and duty desks watch (DOMAIN.md's KPIs), per organisation."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tortoise.functions import Count

from server.auth.actor import Actor
from server.domain.vocabulary import FeeBasis, OfferStatus, ReferralStatus, VacancyStatus
from server.models import BroadcastRecipient, Offer, Placement, Referral, Vacancy

WINDOW = timedelta(days=30)
NEAR_MILES = 20
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


async def council_figures(council_id: int, now: datetime | None = None) -> CouncilFigures:
    now = now or datetime.now(UTC)
    since = now - WINDOW
    figures = CouncilFigures()
    rows = (
        await Referral.filter(council_id=council_id, status=ReferralStatus.OPEN)
        .group_by("urgency")
        .annotate(n=Count("id"))
        .values("urgency", "n")
    )
    figures.open_by_urgency = {str(row["urgency"]): row["n"] for row in rows}
    open_ids = await Referral.filter(council_id=council_id, status=ReferralStatus.OPEN).values_list("id", flat=True)
    with_offer = set(await Offer.filter(referral_id__in=list(open_ids)).values_list("referral_id", flat=True))
    figures.open_without_offer = len(set(open_ids) - with_offer)

    recent = await Referral.filter(council_id=council_id, published_at__gte=since).values("id", "published_at")
    published = {row["id"]: row["published_at"] for row in recent}
    first_offer: dict[int, datetime] = {}
    offer_counts: dict[int, int] = defaultdict(int)
    for referral_id, submitted in await Offer.filter(referral_id__in=list(published)).values_list(
        "referral_id", "submitted_at"
    ):
        offer_counts[referral_id] += 1
        if referral_id not in first_offer or submitted < first_offer[referral_id]:
            first_offer[referral_id] = submitted
    waits = [(first_offer[r] - published[r]).total_seconds() / 3600 for r in first_offer]
    figures.median_hours_to_first_offer = round(statistics.median(waits), 1) if waits else None
    figures.offers_per_referral = round(sum(offer_counts.values()) / len(published), 2) if published else None

    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    figures.placements_this_month = await Placement.filter(council_id=council_id, created_at__gte=month_start).count()
    placements = await Placement.filter(council_id=council_id).values(
        "inside_council_area",
        "distance_miles",
        "fee_basis",
        "weekly_fee_pence",
        "placement_type",
        "referral__placement_kind",
    )
    if placements:
        known_area = [p for p in placements if p["inside_council_area"] is not None]
        known_distance = [p for p in placements if p["distance_miles"] is not None]
        figures.share_inside_area = _share(sum(1 for p in known_area if p["inside_council_area"]), len(known_area))
        figures.share_within_20_miles = _share(
            sum(1 for p in known_distance if p["distance_miles"] <= NEAR_MILES), len(known_distance)
        )
        figures.spot_placements = sum(1 for p in placements if p["fee_basis"] == FeeBasis.SPOT)
        figures.framework_placements = len(placements) - figures.spot_placements
        fees: dict[str, list[int]] = defaultdict(list)
        for p in placements:
            fees[str(p["referral__placement_kind"])].append(p["weekly_fee_pence"])
        figures.average_weekly_fee_by_kind = {kind: round(sum(v) / len(v)) for kind, v in sorted(fees.items())}
    first_week = weeks_ending(now)[0]
    start = datetime.combine(first_week, datetime.min.time(), UTC)
    figures.weekly = _by_week(
        now,
        referrals=await Referral.filter(council_id=council_id, published_at__gte=start).values_list(
            "published_at", flat=True
        ),
        offers=await Offer.filter(referral__council_id=council_id, submitted_at__gte=start).values_list(
            "submitted_at", flat=True
        ),
        placements=await Placement.filter(council_id=council_id, created_at__gte=start).values_list(
            "created_at", flat=True
        ),
    )
    figures.reviews_due = await _reviews_due(council_id, now)
    return figures


async def provider_figures(provider_id: int, now: datetime | None = None) -> ProviderFigures:
    now = now or datetime.now(UTC)
    since = now - WINDOW
    figures = ProviderFigures()
    received = await BroadcastRecipient.filter(provider_id=provider_id, sent_at__gte=since).values(
        "sent_at", "responded_at"
    )
    figures.referrals_received = len(received)
    responded = [r for r in received if r["responded_at"] is not None]
    figures.response_rate = _share(len(responded), len(received))
    hours = [(r["responded_at"] - r["sent_at"]).total_seconds() / 3600 for r in responded]
    figures.median_response_hours = round(statistics.median(hours), 1) if hours else None
    figures.offers_live = await Offer.filter(provider_id=provider_id, live=1).count()
    decided = await Offer.filter(
        provider_id=provider_id, status__in=[OfferStatus.ACCEPTED, OfferStatus.DECLINED]
    ).values_list("status", flat=True)
    figures.acceptance_rate = _share(sum(1 for s in decided if s == OfferStatus.ACCEPTED), len(decided))
    figures.vacancies_open = await Vacancy.filter(provider_id=provider_id, status=VacancyStatus.OPEN).count()
    start = datetime.combine(weeks_ending(now)[0], datetime.min.time(), UTC)
    figures.weekly = _by_week(
        now,
        referrals=await BroadcastRecipient.filter(provider_id=provider_id, sent_at__gte=start).values_list(
            "sent_at", flat=True
        ),
        offers=await Offer.filter(provider_id=provider_id, submitted_at__gte=start).values_list(
            "submitted_at", flat=True
        ),
        placements=await Placement.filter(provider_id=provider_id, created_at__gte=start).values_list(
            "created_at", flat=True
        ),
    )
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


def _by_week(
    now: datetime, *, referrals: list[datetime], offers: list[datetime], placements: list[datetime]
) -> list[WeekFigures]:
    weeks = {monday: WeekFigures(week_starting=monday) for monday in weeks_ending(now)}
    for name, moments in (("referrals", referrals), ("offers", offers), ("placements", placements)):
        for moment in moments:
            if moment is None or moment > now:
                continue
            day = moment.astimezone(UTC).date()
            week = weeks.get(day - timedelta(days=day.weekday()))
            if week is not None:
                setattr(week, name, getattr(week, name) + 1)
    return list(weeks.values())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
