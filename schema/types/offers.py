"""Offers and placements as the API shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.enums import FeeBasis, OfferStatus, PlacementStatus, PlacementType, ReasonPlacementChanged
from schema.ids import to_global_id
from schema.types.organisations import CouncilNode, ProviderNode
from schema.types.resources import CarerHouseholdNode, ChildrensHomeNode
from server.models import Offer, Placement

if TYPE_CHECKING:
    from schema.types.referrals import ReferralNode


@strawberry.type
class FeeLine:
    label: str
    amount_pence: int
    kind: str


@strawberry.type
class OfferExtra:
    label: str
    amount_pence: int
    justification: str


@strawberry.type(name="Offer")
class OfferNode:
    weekly_fee_pence: int
    fee_basis: FeeBasis
    differs_from_schedule: bool = strawberry.field(
        description="True when itemised extras take the fee beyond the framework price schedule."
    )
    start_date: date
    matching_statement: str
    distance_miles: float | None
    status: OfferStatus
    submitted_at: datetime
    decided_at: datetime | None

    @strawberry.field
    def id(self, root: Offer) -> strawberry.ID:
        return to_global_id("Offer", root.id)

    @strawberry.field
    def fee_breakdown(self, root: Offer) -> list[FeeLine]:
        return [
            FeeLine(label=line["label"], amount_pence=line["amount_pence"], kind=line.get("kind", "base"))
            for line in root.fee_breakdown
        ]

    @strawberry.field
    def extras(self, root: Offer) -> list[OfferExtra]:
        return [OfferExtra(**extra) for extra in root.extras]

    @strawberry.field
    def is_spot(self, root: Offer) -> bool:
        return root.fee_basis == "spot"

    @strawberry.field
    async def provider(self, root: Offer, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field
    async def referral(
        self, root: Offer, info: Info
    ) -> Annotated[ReferralNode, strawberry.lazy("schema.types.referrals")]:
        return await info.context.loaders.referral.load(root.referral_id)

    @strawberry.field
    async def carer_household(self, root: Offer, info: Info) -> CarerHouseholdNode | None:
        if root.carer_household_id is None:
            return None
        return await info.context.loaders.carer_household.load(root.carer_household_id)

    @strawberry.field
    async def childrens_home(self, root: Offer, info: Info) -> ChildrensHomeNode | None:
        if root.childrens_home_id is None:
            return None
        return await info.context.loaders.childrens_home.load(root.childrens_home_id)


@strawberry.type(name="Placement", description="A placement made under an Individual Placement Agreement (IPA).")
class PlacementNode:
    ipa_reference: str
    placement_type: PlacementType
    start_date: date
    weekly_fee_pence: int
    fee_basis: FeeBasis
    distance_miles: float | None
    inside_council_area: bool | None
    status: PlacementStatus
    end_date: date | None
    end_reason: ReasonPlacementChanged | None
    planned_ending: bool | None
    notice_given_on: date | None

    @strawberry.field
    def id(self, root: Placement) -> strawberry.ID:
        return to_global_id("Placement", root.id)

    @strawberry.field
    async def council(self, root: Placement, info: Info) -> CouncilNode:
        return await info.context.loaders.council.load(root.council_id)

    @strawberry.field
    async def provider(self, root: Placement, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field
    async def referral(
        self, root: Placement, info: Info
    ) -> Annotated[ReferralNode, strawberry.lazy("schema.types.referrals")]:
        return await info.context.loaders.referral.load(root.referral_id)

    @strawberry.field
    async def carer_household(self, root: Placement, info: Info) -> CarerHouseholdNode | None:
        if root.carer_household_id is None:
            return None
        return await info.context.loaders.carer_household.load(root.carer_household_id)
