from __future__ import annotations

import strawberry

from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.referral_profile import details_from, profile_input
from schema.types.referrals import ReferralNode
from server.services import referrals

ReferralFields = profile_input(
    "ReferralFields", description="The anonymised referral: no name, date of birth, address or school."
)


@strawberry.input
class CreateReferralInput(ReferralFields):
    pass


@strawberry.input
class UpdateReferralInput(ReferralFields):
    id: strawberry.ID


@strawberry.input
class ReferralIdInput:
    id: strawberry.ID


@strawberry.input
class WithdrawReferralInput:
    id: strawberry.ID
    reason: str = ""


@strawberry.type
class ReferralPayload:
    referral: ReferralNode | None
    errors: list[UserError]


def _referral_pk(id: strawberry.ID) -> int:
    return from_global_id(id, "Referral") or 0


@strawberry.type
class ReferralMutations:
    @strawberry.mutation(description="Write a draft referral.")
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralPayload:
        details, errors = details_from(input)
        if errors:
            return ReferralPayload(referral=None, errors=errors)
        referral, errors = await attempt(info.context.actor, lambda actor: referrals.create_referral(actor, details))
        return ReferralPayload(referral=referral, errors=errors)

    @strawberry.mutation(description="Change a draft referral (only the fields given).")
    async def update_referral(self, info: Info, input: UpdateReferralInput) -> ReferralPayload:
        details, errors = details_from(input)
        if errors:
            return ReferralPayload(referral=None, errors=errors)
        referral, errors = await attempt(
            info.context.actor, lambda actor: referrals.update_referral(actor, _referral_pk(input.id), details)
        )
        return ReferralPayload(referral=referral, errors=errors)

    @strawberry.mutation(description="Open the referral and broadcast it to the first tier of eligible providers.")
    async def publish_referral(self, info: Info, input: ReferralIdInput) -> ReferralPayload:
        referral, errors = await attempt(
            info.context.actor, lambda actor: referrals.publish_referral(actor, _referral_pk(input.id))
        )
        return ReferralPayload(referral=referral, errors=errors)

    @strawberry.mutation(description="All framework tiers exhausted: send to registered providers off the framework.")
    async def escalate_to_spot(self, info: Info, input: ReferralIdInput) -> ReferralPayload:
        referral, errors = await attempt(
            info.context.actor, lambda actor: referrals.escalate_to_spot(actor, _referral_pk(input.id))
        )
        return ReferralPayload(referral=referral, errors=errors)

    @strawberry.mutation
    async def withdraw_referral(self, info: Info, input: WithdrawReferralInput) -> ReferralPayload:
        referral, errors = await attempt(
            info.context.actor,
            lambda actor: referrals.withdraw_referral(actor, _referral_pk(input.id), input.reason),
        )
        return ReferralPayload(referral=referral, errors=errors)
