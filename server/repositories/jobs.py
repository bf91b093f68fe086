"""What the exchange's clocks (server.jobs) read: open referrals nearing their deadline, and whom to tell."""

from __future__ import annotations

from datetime import datetime

from server.domain.vocabulary import ReferralStatus, Role
from server.models import Offer, Referral, User


async def open_referrals_needed_by_without_live_offer(now: datetime, until: datetime) -> list[Referral]:
    """Open referrals needed after now and by `until` that no provider has a live offer on, oldest first."""
    referrals = await Referral.filter(status=ReferralStatus.OPEN, required_by__gt=now, required_by__lte=until).order_by(
        "id"
    )
    if not referrals:
        return []
    offered = set(
        await Offer.filter(referral_id__in=[referral.id for referral in referrals], live=1).values_list(
            "referral_id", flat=True
        )
    )
    return [referral for referral in referrals if referral.id not in offered]


async def active_placement_officers(council_id: int) -> list[int]:
    """The ids of a council's active placement officers."""
    return list(
        await User.filter(council_id=council_id, role=Role.PLACEMENT_OFFICER, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
