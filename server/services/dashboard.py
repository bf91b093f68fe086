"""The figures contract managers and duty desks watch (DOMAIN.md's KPIs), per organisation."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.functions import Count

from server.auth.actor import Actor
from server.domain.vocabulary import FeeBasis, OfferStatus, ReferralStatus, VacancyStatus
from server.models import BroadcastRecipient, Offer, Placement, Referral, Vacancy

WINDOW = timedelta(days=30)
NEAR_MILES = 20


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


@dataclass
class ProviderFigures:
    referrals_received: int = 0
    response_rate: float | None = None
    median_response_hours: float | None = None
    offers_live: int = 0
    acceptance_rate: float | None = None
    vacancies_open: int = 0


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
    return figures


async def figures_for(actor: Actor) -> CouncilFigures | ProviderFigures | None:
    if actor.is_council:
        return await council_figures(actor.council_id)
    if actor.is_provider:
        return await provider_figures(actor.provider_id)
    return None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
