"""Referrals on the hot paths: read by id for every use case on one, and opened (published) in one statement."""

from __future__ import annotations

from datetime import datetime

from server.domain.vocabulary import ReferralStatus
from server.models import Referral
from server.repositories.statements import Statement, model_rows, row_by_id


async def referral_by_id(referral_id: int) -> Referral | None:
    return await row_by_id(Referral, referral_id)


# Conditional on the draft as it was read (still a draft, not edited since), so that two publishes, or a
# publish and a withdrawal, cannot both win, and what was planned and announced is what is stored. The row
# comes back as stored, for the announcement and its live subscribers.
_OPEN = Statement(
    "UPDATE referral SET status = ?, published_at = ?, updated_at = ?, current_tier = ?, tier_deadline = ?"
    " WHERE id = ? AND status = ? AND updated_at = ? RETURNING *"
)


async def open_draft(
    draft: Referral, *, now: datetime, tier: int | None, tier_deadline: datetime | None
) -> Referral | None:
    """The draft, published at `now` to `tier` until `tier_deadline`, as now stored; None when it changed
    (published, withdrawn or edited) since it was read."""
    opened = await model_rows(
        Referral,
        _OPEN,
        ReferralStatus.OPEN.value,
        now,
        now,
        tier,
        tier_deadline,
        draft.id,
        ReferralStatus.DRAFT.value,
        draft.updated_at,
    )
    return opened[0] if opened else None
