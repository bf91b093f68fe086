"""Suspending a provider's place on a framework lot from referrals, and lifting it (lead commissioners, admins)."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.frameworks import LotMembershipNode
from schema.types.suspensions import MembershipSuspensionNode
from server.models import LotMembership
from server.services import suspensions


@strawberry.input
class SuspendMembershipInput:
    membership_id: strawberry.ID
    reason: str = strawberry.field(description="Why: the provider is told it, so nothing that identifies a child.")
    starts_on: date | None = strawberry.field(default=None, description="Today (the default) or later.")


@strawberry.input
class LiftSuspensionInput:
    membership_id: strawberry.ID
    note: str = strawberry.field(
        default="", description="For the framework's audit trail; the provider is not shown it."
    )


@strawberry.type
class SuspensionPayload:
    suspension: MembershipSuspensionNode | None
    membership: LotMembershipNode | None
    errors: list[UserError]


async def _payload(result, errors: list[UserError]) -> SuspensionPayload:
    membership = await LotMembership.get(id=result.membership_id) if result is not None else None
    return SuspensionPayload(suspension=result, membership=membership, errors=errors)


@strawberry.type
class SuspensionMutations:
    @strawberry.mutation(
        description="Lead commissioners and admins: suspend a member from referrals on a lot, with a reason. "
        "An Ofsted judgement below the framework's minimum suspends one by itself."
    )
    async def suspend_membership(self, info: Info, input: SuspendMembershipInput) -> SuspensionPayload:
        result, errors = await attempt(
            info.context.actor,
            lambda actor: suspensions.suspend_membership(
                actor,
                membership_id=from_global_id(input.membership_id, "LotMembership") or 0,
                reason=input.reason,
                starts_on=input.starts_on,
            ),
        )
        return await _payload(result, errors)

    @strawberry.mutation(
        description="Lead commissioners and admins: confirm a suspended member may be sent referrals on the lot "
        "again (one made by an Ofsted judgement, once the judgement meets the framework's minimum)."
    )
    async def lift_suspension(self, info: Info, input: LiftSuspensionInput) -> SuspensionPayload:
        result, errors = await attempt(
            info.context.actor,
            lambda actor: suspensions.lift_suspension(
                actor, membership_id=from_global_id(input.membership_id, "LotMembership") or 0, note=input.note
            ),
        )
        return await _payload(result, errors)
