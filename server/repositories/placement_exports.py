"""The rows behind the export of a year's placements: one joined, indexed query, no per-row lookups."""

from __future__ import annotations

from datetime import date
from typing import Any

from server.models import Placement

PLACEMENT_EXPORT_FIELDS = (
    "ipa_reference",
    "referral__reference",
    "council__name",
    "provider__name",
    "referral__framework_id",
    "referral__lot__code",
    "referral__placement_kind",
    "placement_type",
    "start_date",
    "end_date",
    "planned_ending",
    "end_reason",
    "notice_given_on",
    "notice_given_by",
    "weekly_fee_pence",
    "distance_miles",
    "inside_council_area",
)


async def placements_started_between(
    starts_on: date, ends_on: date, *, council_ids: list[int], provider_id: int | None = None
) -> list[dict[str, Any]]:
    """Placements the councils made that started within [starts_on, ends_on], oldest first; only the
    provider's own when `provider_id` is given."""
    query = Placement.filter(council_id__in=council_ids, start_date__gte=starts_on, start_date__lte=ends_on)
    if provider_id is not None:
        query = query.filter(provider_id=provider_id)
    return await query.order_by("start_date", "id").values(*PLACEMENT_EXPORT_FIELDS)
