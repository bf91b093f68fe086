from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.enums import AgeBand, LeftReason, NeedLevel, OfstedJudgement, PlacementKind, SupplementKind, SupplementUnit
from schema.ids import to_global_id
from schema.types.organisations import CouncilNode, ProviderNode
from server.auth import policy
from server.models import Framework, Lot, LotMembership

if TYPE_CHECKING:
    from schema.types.suspensions import MembershipSuspensionNode


@strawberry.type(name="Framework")
class FrameworkNode:
    reference: str
    name: str
    starts_on: date
    ends_on: date
    extended_to: date | None
    minimum_ofsted_judgement: OfstedJudgement
    tier_response_hours: int
    emergency_response_hours: int
    quality_weight_percent: int
    cost_weight_percent: int

    @strawberry.field
    def id(self, root: Framework) -> strawberry.ID:
        return to_global_id("Framework", root.id)

    @strawberry.field
    async def lead_council(self, root: Framework, info: Info) -> CouncilNode:
        return await info.context.loaders.council.load(root.lead_council_id)

    @strawberry.field
    async def member_councils(self, root: Framework, info: Info) -> list[CouncilNode]:
        return await info.context.loaders.member_councils_by_framework.load(root.id)

    @strawberry.field
    async def lots(self, root: Framework, info: Info) -> list[LotNode]:
        return await info.context.loaders.lots_by_framework.load(root.id)

    @strawberry.field(description="Whether you may change its members, tiers and prices (lead commissioners, admins).")
    def can_manage(self, root: Framework, info: Info) -> bool:
        actor = info.context.actor
        return actor is not None and policy.may_administer_framework(actor, root)


@strawberry.type(name="Lot")
class LotNode:
    code: str
    name: str

    @strawberry.field
    def id(self, root: Lot) -> strawberry.ID:
        return to_global_id("Lot", root.id)

    @strawberry.field
    async def framework(self, root: Lot, info: Info) -> FrameworkNode:
        return await info.context.loaders.framework.load(root.framework_id)

    @strawberry.field
    def placement_kinds(self, root: Lot) -> list[PlacementKind]:
        return root.placement_kinds

    @strawberry.field
    def age_bands(self, root: Lot) -> list[AgeBand]:
        return root.age_bands

    @strawberry.field
    def need_levels(self, root: Lot) -> list[NeedLevel]:
        return root.need_levels

    @strawberry.field(description="Providers on the lot by tier; a provider sees only its own membership.")
    async def members(self, root: Lot, info: Info) -> list[LotMembershipNode]:
        return await info.context.loaders.memberships_by_lot.load(root.id)


@strawberry.type(name="LotMembership")
class LotMembershipNode:
    tier: int
    joined_on: date
    left_on: date | None
    left_reason: LeftReason | None

    @strawberry.field
    def id(self, root: LotMembership) -> strawberry.ID:
        return to_global_id("LotMembership", root.id)

    @strawberry.field
    async def lot(self, root: LotMembership, info: Info) -> LotNode:
        return await info.context.loaders.lot.load(root.lot_id)

    @strawberry.field
    async def provider(self, root: LotMembership, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field(description="The framework-tier prices (a provider sees its own; councils their frameworks').")
    async def price_schedule(self, root: LotMembership, info: Info) -> list[PriceScheduleEntryNode]:
        return await info.context.loaders.price_schedule_by_membership.load(root.id)

    @strawberry.field
    async def supplements(self, root: LotMembership, info: Info) -> list[SupplementNode]:
        return await info.context.loaders.supplements_by_membership.load(root.id)

    @strawberry.field(description="The suspension from referrals on this lot now in force, if any.")
    async def suspension(
        self, root: LotMembership, info: Info
    ) -> Annotated[MembershipSuspensionNode, strawberry.lazy("schema.types.suspensions")] | None:
        rows = await info.context.loaders.suspensions_by_membership.load(root.id)
        return next((row for row in rows if row.lifted_at is None), None)

    @strawberry.field(description="Its suspensions from referrals on this lot, lifted ones included, newest first.")
    async def suspensions(
        self, root: LotMembership, info: Info
    ) -> list[Annotated[MembershipSuspensionNode, strawberry.lazy("schema.types.suspensions")]]:
        return await info.context.loaders.suspensions_by_membership.load(root.id)


@strawberry.type(name="PriceScheduleEntry")
class PriceScheduleEntryNode:
    age_band: AgeBand
    need_level: NeedLevel
    weekly_fee_pence: int
    effective_from: date
    effective_to: date | None


@strawberry.type(name="Supplement")
class SupplementNode:
    kind: SupplementKind
    unit: SupplementUnit
    amount_pence: int
    effective_from: date
    effective_to: date | None
