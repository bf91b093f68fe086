"""Loads a provider's price schedule as plain data for the pure pricing functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.domain.pricing import FeeLine, PricingRequest, ScheduleEntry, SupplementRate
from server.domain.vocabulary import (
    AgeBand,
    LivingAlongside,
    NeedLevel,
    PlacementKind,
    SupplementKind,
    SupplementUnit,
    Urgency,
)
from server.models import PriceScheduleEntry, Referral, Supplement


async def schedule_of(membership_id: int) -> tuple[list[ScheduleEntry], list[SupplementRate]]:
    entries = [
        ScheduleEntry(
            id=row.id,
            age_band=AgeBand(row.age_band),
            need_level=NeedLevel(row.need_level),
            weekly_fee_pence=row.weekly_fee_pence,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
        )
        for row in await PriceScheduleEntry.filter(membership_id=membership_id)
    ]
    supplements = [
        SupplementRate(
            kind=SupplementKind(row.kind),
            unit=SupplementUnit(row.unit),
            amount_pence=row.amount_pence,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
        )
        for row in await Supplement.filter(membership_id=membership_id)
    ]
    return entries, supplements


def request_for(referral: Referral, on: datetime | None = None) -> PricingRequest:
    solo = (
        referral.placement_kind is PlacementKind.SOLO or referral.living_alongside is LivingAlongside.SOLO_RECOMMENDED
    )
    return PricingRequest(
        age_years=referral.age_years,
        need_level=NeedLevel(referral.need_level),
        solo=solo,
        emergency=referral.urgency is Urgency.TODAY,
        additional_siblings=referral.siblings_to_place_together,
        additional_support_hours=referral.additional_support_hours,
        on=(on or datetime.now(UTC)).date(),
    )


def line_json(line: FeeLine) -> dict[str, Any]:
    return {"label": line.label, "amount_pence": line.amount_pence, "kind": str(line.kind.value)}
