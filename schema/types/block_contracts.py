"""Block contracts as the councils party to them and their provider see them: the places, and occupancy and voids
over a period (by default from the contract's start to today, or its end if sooner)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry

from schema.context import Info
from schema.ids import from_global_id, to_global_id
from schema.permissions import AUTH
from server.domain import vocabulary as v
from server.domain.block_occupancy import Occupancy
from server.services import block_contracts
from server.services.block_contracts import BlockContractView, PlaceView

VoidBasis = strawberry.enum(v.VoidBasis, description="What a block contract pays for a place while it is empty")
ResourceKind = strawberry.enum(v.ResourceKind, description="A carer household or a children's home")


@strawberry.type(description="Open, occupied and void days of block places over a period, and what they cost.")
class BlockOccupancy:
    from_date: date
    to_date: date
    open_days: int = strawberry.field(description="Place-days paid for: each place from its start, within the term.")
    occupied_days: int
    void_days: int = strawberry.field(description="Open place-days with no child in the place.")
    occupied_cost_pence: int
    void_cost_pence: int = strawberry.field(description="What the void days cost at the contract's void rate.")
    total_cost_pence: int
    utilisation_percent: float = strawberry.field(description="Occupied days as a percentage of open days.")

    @classmethod
    def of(cls, figures: Occupancy) -> BlockOccupancy:
        return cls(
            from_date=figures.from_date,
            to_date=figures.to_date,
            open_days=figures.open_days,
            occupied_days=figures.occupied_days,
            void_days=figures.void_days,
            occupied_cost_pence=figures.occupied_cost_pence,
            void_cost_pence=figures.void_cost_pence,
            total_cost_pence=figures.total_cost_pence,
            utilisation_percent=figures.utilisation_percent,
        )


def _period(start: date, end: date, from_date: date | None, to_date: date | None) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    first = from_date or start
    return first, to_date or max(first, min(today, end))


@strawberry.type(description="One block place: a bed in a named children's home, or a foster place.")
class BlockPlace:
    id: strawberry.ID
    resource_kind: ResourceKind  # type: ignore[valid-type]
    resource_id: strawberry.ID
    resource_name: str = strawberry.field(description="The home's name or the household's reference.")
    council_share: str | None = strawberry.field(description="The member council whose share it is; null: any.")
    starts_on: date = strawberry.field(description="When the place is first paid for (the ramp).")
    occupied_today: bool
    _view: strawberry.Private[PlaceView]

    @strawberry.field(description="Occupancy and voids over the period (default: the contract's start to today).")
    def occupancy(self, from_date: date | None = None, to_date: date | None = None) -> BlockOccupancy:
        contract_start = self._view.terms.opens_on
        first, last = _period(contract_start, self._view.terms.closes_on, from_date, to_date)
        return BlockOccupancy.of(self._view.occupancy(first, last))

    @classmethod
    def of(cls, view: PlaceView) -> BlockPlace:
        place = view.place
        home = place.childrens_home_id is not None
        return cls(
            id=to_global_id("BlockPlace", place.id),
            resource_kind=v.ResourceKind.CHILDRENS_HOME if home else v.ResourceKind.CARER_HOUSEHOLD,
            resource_id=to_global_id(
                "ChildrensHome" if home else "CarerHousehold",
                place.childrens_home_id if home else place.carer_household_id,  # type: ignore[arg-type]
            ),
            resource_name=view.resource_label,
            council_share=view.council_name,
            starts_on=place.starts_on,
            occupied_today=view.occupied_on(datetime.now(UTC).date()),
            _view=view,
        )


@strawberry.type(description="Places a council, or a consortium's councils, buy from a provider for a term.")
class BlockContract:
    id: strawberry.ID
    reference: str
    name: str
    provider_id: strawberry.ID
    provider_name: str
    council_id: strawberry.ID | None = strawberry.field(description="The contracting council (null: a consortium).")
    framework_id: strawberry.ID | None = strawberry.field(description="The consortium's framework, if it is one.")
    framework_name: str | None
    party_councils: list[str] = strawberry.field(description="Every council party to the contract.")
    starts_on: date
    ends_on: date
    weekly_price_pence: int = strawberry.field(description="The weekly price per place.")
    void_basis: VoidBasis  # type: ignore[valid-type]
    void_percent: int | None
    void_weekly_pence: int | None
    void_weekly_cost_pence: int = strawberry.field(description="What an empty place costs a week.")
    call_off_window_hours: int = strawberry.field(
        description="How long a fitting referral is offered to the provider alone before it goes to the market."
    )
    places: list[BlockPlace]
    _view: strawberry.Private[BlockContractView]

    @strawberry.field(description="The places' occupancy and voids together over the period (default: to today).")
    def occupancy(self, from_date: date | None = None, to_date: date | None = None) -> BlockOccupancy:
        first, last = _period(self.starts_on, self.ends_on, from_date, to_date)
        return BlockOccupancy.of(self._view.occupancy(first, last))

    @classmethod
    def of(cls, view: BlockContractView) -> BlockContract:
        c = view.contract
        return cls(
            id=to_global_id("BlockContract", c.id),
            reference=c.reference,
            name=c.name,
            provider_id=to_global_id("Provider", c.provider_id),
            provider_name=view.provider_name,
            council_id=to_global_id("Council", c.council_id) if c.council_id else None,
            framework_id=to_global_id("Framework", c.framework_id) if c.framework_id else None,
            framework_name=view.framework_name,
            party_councils=view.party_names,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            weekly_price_pence=c.weekly_price_pence,
            void_basis=v.VoidBasis(c.void_basis),
            void_percent=c.void_percent,
            void_weekly_pence=c.void_weekly_pence,
            void_weekly_cost_pence=c.void_weekly_cost(),
            call_off_window_hours=c.call_off_window_hours,
            places=[BlockPlace.of(place) for place in view.places],
            _view=view,
        )


@strawberry.type(description="A children's home or carer household of a provider that a block place can name.")
class BlockPlaceOption:
    resource_kind: ResourceKind  # type: ignore[valid-type]
    resource_id: strawberry.ID
    name: str
    places: int = strawberry.field(description="Its beds or approved places: at most this many block places.")
    district: str


@strawberry.type
class BlockContractQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="Block contracts: the councils party to each (its own council, or its consortium's) and its "
        "provider see it; anyone else an empty list. Give an id for one.",
    )
    async def block_contracts(self, info: Info, id: strawberry.ID | None = None) -> list[BlockContract]:
        actor = info.context.actor
        if actor is None:
            return []
        pk = None
        if id is not None:
            pk = from_global_id(id, "BlockContract")
            if pk is None:
                return []
        return [BlockContract.of(view) for view in await block_contracts.block_contract_views(actor, pk)]

    @strawberry.field(
        permission_classes=AUTH,
        description="A provider's active homes and households a block place can name: for commissioners and "
        "platform admins, who make block contracts; anyone else an empty list.",
    )
    async def block_place_options(self, info: Info, provider_id: strawberry.ID) -> list[BlockPlaceOption]:
        pk = from_global_id(provider_id, "Provider")
        if pk is None or info.context.actor is None:
            return []
        return [
            BlockPlaceOption(
                resource_kind=o.kind,
                resource_id=to_global_id(
                    "ChildrensHome" if o.kind is v.ResourceKind.CHILDRENS_HOME else "CarerHousehold", o.id
                ),
                name=o.name,
                places=o.places,
                district=o.district,
            )
            for o in await block_contracts.place_options(info.context.actor, pk)
        ]
