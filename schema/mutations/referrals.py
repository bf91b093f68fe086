from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.enums import (
    Adaptation,
    AdditionalSupport,
    CategoryOfNeed,
    CommunicationNeed,
    Duration,
    Gender,
    LegalStatus,
    LivingAlongside,
    Need,
    NeedLevel,
    PetsPreference,
    PlacementKind,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
)
from schema.errors import UserError, attempt, input_error
from schema.ids import from_global_id
from schema.types.referrals import ReferralNode
from server.services import referrals
from server.services.errors import ErrorCode


@strawberry.input
class SettingSuitabilityInput:
    setting: Setting
    suitability: Suitability


@strawberry.input(description="The anonymised referral: no name, date of birth, address or school.")
class ReferralFields:
    framework_id: strawberry.ID | None = None
    lot_id: strawberry.ID | None = None
    placement_kind: PlacementKind | None = None
    duration: Duration | None = None
    urgency: Urgency | None = None
    need_level: NeedLevel | None = None
    required_by: datetime | None = None
    age_years: int | None = None
    gender: Gender | None = None
    siblings_to_place_together: int | None = None
    home_district: str | None = strawberry.field(default=None, description="Postcode district only, e.g. ME14")
    max_distance_miles: int | None = None
    needs: list[Need] | None = None
    risks_to_child: list[RiskToChild] | None = None
    risks_to_others: list[RiskToOthers] | None = None
    communication_needs: list[CommunicationNeed] | None = None
    languages: list[str] | None = None
    adaptations: list[Adaptation] | None = None
    faith: str | None = None
    cultural_needs: str | None = None
    living_alongside: LivingAlongside | None = None
    pets: PetsPreference | None = None
    additional_support: list[AdditionalSupport] | None = None
    additional_support_hours: int | None = None
    deprivation_of_liberty: bool | None = None
    setting_suitability: list[SettingSuitabilityInput] | None = None
    legal_status: LegalStatus | None = None
    category_of_need: CategoryOfNeed | None = None
    summary: str | None = None


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


def _details(fields: ReferralFields) -> tuple[referrals.ReferralDetails | None, list[UserError]]:
    values = {
        name: getattr(fields, name)
        for name in referrals.ReferralDetails.__dataclass_fields__
        if name not in ("framework_id", "lot_id", "setting_suitability")
    }
    errors: list[UserError] = []
    for name, type_name in (("framework_id", "Framework"), ("lot_id", "Lot")):
        raw = getattr(fields, name)
        if raw is not None:
            values[name] = from_global_id(raw, type_name)
            if values[name] is None:
                camel = "frameworkId" if name == "framework_id" else "lotId"
                errors += input_error(camel, f"Not a {type_name} id.", ErrorCode.NOT_FOUND)
    if fields.setting_suitability is not None:
        values["setting_suitability"] = {item.setting: item.suitability for item in fields.setting_suitability}
    if errors:
        return None, errors
    return referrals.ReferralDetails(**values), []


def _referral_pk(id: strawberry.ID) -> int:
    return from_global_id(id, "Referral") or 0


@strawberry.type
class ReferralMutations:
    @strawberry.mutation(description="Write a draft referral.")
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralPayload:
        details, errors = _details(input)
        if errors:
            return ReferralPayload(referral=None, errors=errors)
        referral, errors = await attempt(info.context.actor, lambda actor: referrals.create_referral(actor, details))
        return ReferralPayload(referral=referral, errors=errors)

    @strawberry.mutation(description="Change a draft referral (only the fields given).")
    async def update_referral(self, info: Info, input: UpdateReferralInput) -> ReferralPayload:
        details, errors = _details(input)
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
