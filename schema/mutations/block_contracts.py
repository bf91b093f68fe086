"""Block contracts: the contracting council's commissioners (a consortium's: the lead council's) make and change
them."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.block_contracts import BlockContract, VoidBasis
from server.domain import vocabulary as v
from server.services import block_contracts
from server.services.block_contracts import BlockContractChanges, BlockContractDetails, PlaceDetails


@strawberry.input(description="A block place: one children's home bed or one foster place, from its start.")
class BlockPlaceInput:
    starts_on: date = strawberry.field(description="When the place is first paid for (a ramp starts places later).")
    childrens_home_id: strawberry.ID | None = None
    carer_household_id: strawberry.ID | None = None
    council_id: strawberry.ID | None = strawberry.field(
        default=None, description="The member council whose share the place is (a consortium's); none: any party's."
    )


@strawberry.input(description="A place's new start.")
class BlockPlaceStartInput:
    place_id: strawberry.ID
    starts_on: date


@strawberry.input(description="A block contract: with one provider, by one council or by a framework's councils.")
class CreateBlockContractInput:
    reference: str
    name: str
    provider_id: strawberry.ID
    council_id: strawberry.ID | None = strawberry.field(default=None, description="The contracting council.")
    framework_id: strawberry.ID | None = strawberry.field(
        default=None, description="Or the framework whose councils contract together (a consortium)."
    )
    starts_on: date
    ends_on: date = strawberry.field(description="At most 10 years after the start.")
    weekly_price_pence: int = strawberry.field(description="The weekly price per place.")
    void_basis: VoidBasis  # type: ignore[valid-type]
    void_percent: int | None = strawberry.field(default=None, description="For PERCENT_OF_PRICE: 0 to 100.")
    void_weekly_pence: int | None = strawberry.field(default=None, description="For WEEKLY_AMOUNT.")
    call_off_window_hours: int = strawberry.field(
        default=24, description="How long a fitting referral is the provider's alone (1 to 168 hours)."
    )
    places: list[BlockPlaceInput]


@strawberry.input(description="Changes to a block contract: only what is given changes; places can be added.")
class UpdateBlockContractInput:
    id: strawberry.ID
    name: str | None = None
    ends_on: date | None = None
    weekly_price_pence: int | None = None
    void_basis: VoidBasis | None = None  # type: ignore[valid-type]
    void_percent: int | None = None
    void_weekly_pence: int | None = None
    call_off_window_hours: int | None = None
    add_places: list[BlockPlaceInput] = strawberry.field(default_factory=list)
    place_starts: list[BlockPlaceStartInput] = strawberry.field(default_factory=list)


@strawberry.type
class BlockContractPayload:
    block_contract: BlockContract | None
    errors: list[UserError]


def _id(value: strawberry.ID | None, type_name: str) -> int | None:
    """None when not given; 0 (found nowhere) when given but not an id of that type."""
    if value is None:
        return None
    return from_global_id(value, type_name) or 0


def _places(places: list[BlockPlaceInput]) -> list[PlaceDetails]:
    return [
        PlaceDetails(
            starts_on=p.starts_on,
            childrens_home_id=_id(p.childrens_home_id, "ChildrensHome"),
            carer_household_id=_id(p.carer_household_id, "CarerHousehold"),
            council_id=_id(p.council_id, "Council"),
        )
        for p in places
    ]


@strawberry.type
class BlockContractMutations:
    @strawberry.mutation(
        description="Commissioners: make a block contract for your council, or (the lead council's) for a framework's "
        "councils together."
    )
    async def create_block_contract(self, info: Info, input: CreateBlockContractInput) -> BlockContractPayload:
        details = BlockContractDetails(
            reference=input.reference,
            name=input.name,
            provider_id=_id(input.provider_id, "Provider") or 0,
            council_id=_id(input.council_id, "Council"),
            framework_id=_id(input.framework_id, "Framework"),
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            weekly_price_pence=input.weekly_price_pence,
            void_basis=v.VoidBasis(input.void_basis),
            void_percent=input.void_percent,
            void_weekly_pence=input.void_weekly_pence,
            call_off_window_hours=input.call_off_window_hours,
            places=_places(input.places),
        )
        view, errors = await attempt(
            info.context.actor, lambda actor: block_contracts.create_block_contract(actor, details)
        )
        return BlockContractPayload(block_contract=BlockContract.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="Commissioners who made it: change a block contract's terms, or add places.")
    async def update_block_contract(self, info: Info, input: UpdateBlockContractInput) -> BlockContractPayload:
        changes = BlockContractChanges(
            name=input.name,
            ends_on=input.ends_on,
            weekly_price_pence=input.weekly_price_pence,
            void_basis=v.VoidBasis(input.void_basis) if input.void_basis else None,
            void_percent=input.void_percent,
            void_weekly_pence=input.void_weekly_pence,
            call_off_window_hours=input.call_off_window_hours,
            add_places=_places(input.add_places),
            place_starts=[(_id(s.place_id, "BlockPlace") or 0, s.starts_on) for s in input.place_starts],
        )
        contract_id = _id(input.id, "BlockContract") or 0
        view, errors = await attempt(
            info.context.actor, lambda actor: block_contracts.update_block_contract(actor, contract_id, changes)
        )
        return BlockContractPayload(block_contract=BlockContract.of(view) if view else None, errors=errors)
