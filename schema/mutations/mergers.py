"""Provider mergers: a platform admin records that provider A merged into provider B on a date."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import MergedUsers
from schema.errors import UserError, attempt
from schema.ids import from_global_id, to_global_id
from schema.mutations.reopenings import JoinPriceInput
from schema.types.organisations import ProviderNode
from server.models import Provider, ProviderMerger
from server.services import mergers
from server.services.administration import PriceLine
from server.services.mergers import LotTerms


def _pk(value: strawberry.ID, type_name: str) -> int:
    return from_global_id(value, type_name) or 0


@strawberry.input(description="The surviving provider's place on a lot the merging one was on and it was not.")
class MergerLotTermsInput:
    lot_id: strawberry.ID
    tier: int
    prices: list[JoinPriceInput] = strawberry.field(
        default_factory=list, description="Its weekly fees there; none: the merging provider's carried across."
    )


@strawberry.input(description="Provider A (merged) merges into provider B (into) on a date.")
class MergeProvidersInput:
    merged_provider_id: strawberry.ID = strawberry.field(description="A: the provider that merges and ends.")
    into_provider_id: strawberry.ID = strawberry.field(description="B: the provider that continues.")
    merged_on: date
    users: MergedUsers = strawberry.field(description="A's accounts: moved to B, or deactivated.")
    lot_terms: list[MergerLotTermsInput] = strawberry.field(
        default_factory=list,
        description="B's tier and prices on lots A was on and B was not; a lot not named: A's tier and prices "
        "carried across. Where B is on the lot already, its place stands.",
    )


@strawberry.type(name="ProviderMerger", description="A merger: what passed from the merged provider to the other.")
class ProviderMergerNode:
    merged_on: date
    users: MergedUsers

    @strawberry.field
    def id(self, root: ProviderMerger) -> strawberry.ID:
        return to_global_id("ProviderMerger", root.id)

    @strawberry.field
    async def merged_provider(self, root: ProviderMerger) -> ProviderNode:
        return await Provider.get(id=root.merged_provider_id)

    @strawberry.field
    async def into_provider(self, root: ProviderMerger) -> ProviderNode:
        return await Provider.get(id=root.into_provider_id)

    @strawberry.field(description="Carer households that passed across.")
    def carer_households_moved(self, root: ProviderMerger) -> int:
        return root.moved.get("carerHouseholds", 0)

    @strawberry.field(description="Children's homes that passed across.")
    def childrens_homes_moved(self, root: ProviderMerger) -> int:
        return root.moved.get("childrensHomes", 0)

    @strawberry.field(description="Live offers that passed across.")
    def offers_moved(self, root: ProviderMerger) -> int:
        return root.moved.get("offers", 0)

    @strawberry.field(description="Live offers withdrawn: the surviving provider had its own on the referral.")
    def offers_withdrawn(self, root: ProviderMerger) -> int:
        return root.moved.get("offersWithdrawn", 0)

    @strawberry.field(description="Active placements that passed across.")
    def placements_moved(self, root: ProviderMerger) -> int:
        return root.moved.get("placements", 0)

    @strawberry.field(description="Places on framework lots the merged provider had (ended on the merger date).")
    def lot_places(self, root: ProviderMerger) -> int:
        return root.moved.get("lotPlaces", 0)

    @strawberry.field(description="Accounts of the merged provider, moved or deactivated.")
    def users_affected(self, root: ProviderMerger) -> int:
        return root.moved.get("users", 0)


@strawberry.type
class ProviderMergerPayload:
    merger: ProviderMergerNode | None
    errors: list[UserError]


@strawberry.type
class MergerMutations:
    @strawberry.mutation(
        description="Platform admins: provider A merges into provider B on a date. A's households, homes, "
        "vacancies, live offers, active placements and places on lots pass to B (history keeps A as who made "
        "each offer and placement); A's users move to B or are deactivated; A is marked merged."
    )
    async def merge_providers(self, info: Info, input: MergeProvidersInput) -> ProviderMergerPayload:
        merger, errors = await attempt(
            info.context.actor,
            lambda actor: mergers.merge_providers(
                actor,
                merged_provider_id=_pk(input.merged_provider_id, "Provider"),
                into_provider_id=_pk(input.into_provider_id, "Provider"),
                merged_on=input.merged_on,
                users=input.users,
                lot_terms=[
                    LotTerms(
                        lot_id=_pk(term.lot_id, "Lot"),
                        tier=term.tier,
                        prices=[PriceLine(p.age_band, p.need_level, p.weekly_fee_pence) for p in term.prices],
                    )
                    for term in input.lot_terms
                ],
            ),
        )
        return ProviderMergerPayload(merger=merger, errors=errors)
