"""Framework lots: who is on one, read on every publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


# One plain statement rather than ORM rows of both tables.
_LOT_MEMBERS = Statement(
    "SELECT m.provider_id, m.tier, m.left_on, p.status, p.ofsted_judgement"
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
        )
        for row in await _LOT_MEMBERS.rows(lot_id)
    ]
