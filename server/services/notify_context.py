"""What an email may say about a referral: structured fields, never free text."""

from __future__ import annotations

from typing import Any

from server.domain.vocabulary import AgeBand, PlacementKind, Urgency
from server.models import Referral


def referral_context(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "referral_id": referral.id,
        "placement_kind": PlacementKind(referral.placement_kind).label,
        "urgency": Urgency(referral.urgency).label,
        "age_band": AgeBand.for_age(referral.age_years).value,
        "district": referral.home_district,
        "required_by": referral.required_by.isoformat(),
    }
