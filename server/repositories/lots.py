"""Framework lots: who is on one, read on every publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from server.domain.vocabulary import OfstedJudgement, ProviderStatus
from server.repositories.statements import Statement, as_date


@dataclass(frozen=True, slots=True)
class LotMember:
    """A provider's place on a lot, with what decides whether it may receive referrals."""

    provider_id: int
    tier: int
    left_on: date | None
    status: ProviderStatus
    ofsted_judgement: OfstedJudgement
    suspended: bool = False  # a MembershipSuspension in force (started, not lifted): sent no referral on the lot


# One plain statement rather than ORM rows of both tables.
_LOT_MEMBERS = Statement(
    "SELECT m.provider_id, m.tier, m.left_on, p.status, p.ofsted_judgement,"
    " EXISTS (SELECT 1 FROM membership_suspension s WHERE s.membership_id = m.id AND s.lifted_at IS NULL"
    " AND s.starts_on <= ?) AS suspended"
    " FROM lot_membership m JOIN provider p ON p.id = m.provider_id"
    " WHERE m.lot_id = ? ORDER BY m.tier, m.provider_id"
)


async def lot_members(lot_id: int) -> list[LotMember]:
    """By tier, then provider."""
    return [
        LotMember(
            row["provider_id"],
            row["tier"],
            as_date(row["left_on"]),
            ProviderStatus(row["status"]),
            OfstedJudgement(row["ofsted_judgement"]),
            bool(row["suspended"]),
        )
        for row in await _LOT_MEMBERS.rows(datetime.now(UTC).date(), lot_id)
    ]


# Suspended members, asked again when a later tier is sent (server/services/broadcast.py cascade_one).
_SUSPENDED_ON_LOT = Statement(
    "SELECT m.provider_id FROM lot_membership m JOIN membership_suspension s ON s.membership_id = m.id"
    " WHERE m.lot_id = ? AND s.lifted_at IS NULL AND s.starts_on <= ?"
)


async def suspended_on_lot(lot_id: int) -> set[int]:
    """The providers whose place on the lot is suspended now."""
    return {row["provider_id"] for row in await _SUSPENDED_ON_LOT.rows(lot_id, datetime.now(UTC).date())}
