from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry.scalars

from schema.context import Info
from schema.enums import AgeBand, LeftReason, NeedLevel, OfstedJudgement, PlacementKind, SupplementKind, SupplementUnit
from schema.ids import to_global_id
from schema.types.organisations import CouncilNode, ProviderNode
from server.auth import policy
from server.domain import framework_terms
from server.models import Framework, FrameworkChange, FrameworkExtension, Lot, LotMembership

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

    # --- its life: term, extensions, windows, weights, predecessor, audit trail ---

    extension_options: str = strawberry.field(description='As the contract words them, e.g. "up to 2 x 12 months".')

    @strawberry.field(description="The last day it is in force: the latest extension's end, else its end.")
    def term_ends_on(self, root: Framework) -> date:
        return framework_terms.term_end(root.ends_on, root.extended_to)

    @strawberry.field(description="Whether it takes new referrals today (started, its end or extension not passed).")
    def in_force(self, root: Framework) -> bool:
        return framework_terms.in_force(root.starts_on, root.ends_on, root.extended_to, datetime.now(UTC).date())

    @strawberry.field(description="The extensions taken, earliest first.")
    async def extensions(self, root: Framework) -> list[FrameworkExtensionNode]:
        return await FrameworkExtension.filter(framework_id=root.id).order_by("ends_on")  # type: ignore[return-value]

    @strawberry.field(
        description="The response window of each tier the framework gives one (others: tierResponseHours)."
    )
    def tier_windows(self, root: Framework) -> list[TierWindow]:
        return [
            TierWindow(tier=int(tier), hours=int(hours)) for tier, hours in sorted(root.response_hours_by_tier.items())
        ]

    @strawberry.field(
        description="How matching weighs fit (scaled to 100 when scoring); the exchange's defaults unless set."
    )
    def matching_weights(self, root: Framework) -> MatchingWeights:
        weights = framework_terms.score_weights(root.matching_weights)
        return MatchingWeights(
            distance=round(weights.distance), specialisms=round(weights.specialisms),
            language_and_culture=round(weights.language_and_culture), ofsted=round(weights.ofsted),
            track_record=round(weights.track_record), is_default=not root.matching_weights,
        )  # fmt: skip

    @strawberry.field(description="The framework this one succeeds (re-tendered), if you see it.")
    async def predecessor(self, root: Framework, info: Info) -> FrameworkNode | None:
        actor = info.context.actor
        if root.predecessor_id is None or actor is None:
            return None
        return await policy.scope_frameworks(actor, Framework.filter(id=root.predecessor_id)).first()

    @strawberry.field(description="The audit trail, newest first: its lead council's commissioners and admins only.")
    async def changes(self, root: Framework, info: Info, first: int = 100) -> list[FrameworkChangeNode]:
        actor = info.context.actor
        if actor is None or not policy.may_read_framework_changes(actor, root):
            return []
        rows = await FrameworkChange.filter(framework_id=root.id).limit(max(1, min(first, 500)))
        return [FrameworkChangeNode.of(row) for row in rows]


@strawberry.type(description="An extension taken: the new end and the decision that took it.")
class FrameworkExtensionNode:
    ends_on: date
    decision_reference: str
    decision_date: date


@strawberry.type(description="A tier's response window before the referral cascades to the next tier.")
class TierWindow:
    tier: int
    hours: int


@strawberry.type(description="The matching weights of the soft components of fit.")
class MatchingWeights:
    distance: int
    specialisms: int
    language_and_culture: int
    ofsted: int
    track_record: int
    is_default: bool = strawberry.field(description="The exchange's defaults: the framework sets none of its own.")


@strawberry.type(description="One change to the framework: who, when, what, and the values before and after.")
class FrameworkChangeNode:
    action: str
    subject: str
    made_by: str
    made_at: datetime
    before: strawberry.scalars.JSON
    after: strawberry.scalars.JSON

    @classmethod
    def of(cls, row: FrameworkChange) -> FrameworkChangeNode:
        return cls(
            action=row.action, subject=row.subject, made_by=row.made_by, made_at=row.made_at,
            before=row.before, after=row.after,
        )  # fmt: skip


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
