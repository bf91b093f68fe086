"""A member's suspension from referrals on a lot (server/services/suspensions.py), and where the register's Ofsted
judgement comes from."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.enums import OfstedJudgement
from schema.ids import to_global_id
from server.models import MembershipSuspension, OfstedRegisterEntry, Provider
from server.services.suspensions import OFSTED_IMPORT


@strawberry.type(name="MembershipSuspension")
class MembershipSuspensionNode:
    starts_on: date
    reason: str
    judgement: OfstedJudgement | None = strawberry.field(
        description="The Ofsted judgement that suspended it; null for a suspension made by hand."
    )
    made_by: str = strawberry.field(description='"Ofsted import", or who suspended it by hand.')
    created_at: datetime
    lifted_at: datetime | None = strawberry.field(description="Null while it lasts: no referral on the lot meanwhile.")

    @strawberry.field
    def id(self, root: MembershipSuspension) -> strawberry.ID:
        return to_global_id("MembershipSuspension", root.id)

    @strawberry.field(description="Made by an Ofsted judgement below the framework's minimum.")
    def by_ofsted_import(self, root: MembershipSuspension) -> bool:
        return root.made_by == OFSTED_IMPORT


def ofsted_source(provider: Provider, entry: OfstedRegisterEntry | None) -> str:
    """ "Ofsted import, <date>" when the judgement and its date are the register's as last imported."""
    if (
        entry is not None
        and entry.judgement is not None
        and entry.judgement == provider.ofsted_judgement
        and entry.inspection_date == provider.ofsted_judgement_date
    ):
        return f"Ofsted import, {entry.imported_on.day} {entry.imported_on:%b %Y}"
    return "Entered on the exchange"
