"""Block contracts: a council or a consortium (a framework) buys places from a provider for a term, at a weekly price
per place, each place from its own start (a ramp), paying a void rate while a place is empty.

Made and changed by the contracting council's commissioners (a consortium's: the lead council's), seen by every
council party to it and by the provider; every change is an event and a row of the framework audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.block_occupancy import Occupancy, PlaceTerms, Stay, place_occupancy, total
from server.domain.vocabulary import FeeBasis, ProviderStatus, ResourceKind, Role, VoidBasis
from server.models import BlockContract, BlockPlace, CarerHousehold, ChildrensHome, Council, Framework, Provider
from server.outbox.kinds import Notification
from server.repositories import block_contracts as repository
from server.services.errors import ErrorCode, ServiceError, denied, invalid, not_found
from server.services.framework_changes import audit_change
from server.services.free_text import identifying_problems
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

MAX_TERM_YEARS = 10
MAX_WINDOW_HOURS = 7 * 24


@dataclass
class PlaceDetails:
    starts_on: date
    childrens_home_id: int | None = None
    carer_household_id: int | None = None
    council_id: int | None = None  # the member council whose share the place is (None: any party's)


@dataclass
class BlockContractDetails:
    reference: str
    name: str
    provider_id: int
    starts_on: date
    ends_on: date
    weekly_price_pence: int
    void_basis: VoidBasis
    void_percent: int | None = None
    void_weekly_pence: int | None = None
    call_off_window_hours: int = 24
    council_id: int | None = None
    framework_id: int | None = None
    places: list[PlaceDetails] = field(default_factory=list)


@dataclass
class BlockContractChanges:
    name: str | None = None
    ends_on: date | None = None
    weekly_price_pence: int | None = None
    void_basis: VoidBasis | None = None
    void_percent: int | None = None
    void_weekly_pence: int | None = None
    call_off_window_hours: int | None = None
    add_places: list[PlaceDetails] = field(default_factory=list)
    place_starts: list[tuple[int, date]] = field(default_factory=list)  # (place id, its new start)


@dataclass(frozen=True)
class PlaceView:
    place: BlockPlace
    resource_label: str
    council_name: str | None
    terms: PlaceTerms
    stays: list[Stay]

    def occupancy(self, from_date: date, to_date: date) -> Occupancy:
        return place_occupancy(self.terms, self.stays, from_date, to_date)

    def occupied_on(self, day: date) -> bool:
        return any(s.starts_on <= day and (s.ends_on is None or day < s.ends_on) for s in self.stays)


@dataclass(frozen=True)
class BlockContractView:
    contract: BlockContract
    provider_name: str
    party_names: list[str]
    framework_name: str | None
    places: list[PlaceView]

    def occupancy(self, from_date: date, to_date: date) -> Occupancy:
        return total((p.occupancy(from_date, to_date) for p in self.places), from_date, to_date)


def _term_limit(starts_on: date) -> date:
    try:
        return starts_on.replace(year=starts_on.year + MAX_TERM_YEARS)
    except ValueError:  # 29 February
        return starts_on.replace(year=starts_on.year + MAX_TERM_YEARS, day=28)


def _terms_problems(
    starts_on: date,
    ends_on: date,
    weekly_price_pence: int,
    void_basis: VoidBasis,
    void_percent: int | None,
    void_weekly_pence: int | None,
    window_hours: int,
) -> list[ServiceError]:
    problems = []
    if ends_on <= starts_on:
        problems.append(invalid("endsOn", "The contract must end after it starts."))
    elif ends_on >= _term_limit(starts_on):
        problems.append(invalid("endsOn", f"A block contract's term is at most {MAX_TERM_YEARS} years."))
    if weekly_price_pence <= 0:
        problems.append(invalid("weeklyPricePence", "Give the weekly price per place."))
    if void_basis is VoidBasis.PERCENT_OF_PRICE:
        if void_percent is None or not 0 <= void_percent <= 100:
            problems.append(invalid("voidPercent", "Give the percentage of the weekly price paid for an empty place."))
    elif void_weekly_pence is None or not 0 <= void_weekly_pence <= weekly_price_pence:
        problems.append(
            invalid("voidWeeklyPence", "Give the weekly amount paid for an empty place (at most the weekly price).")
        )
    if not 1 <= window_hours <= MAX_WINDOW_HOURS:
        problems.append(invalid("callOffWindowHours", "The call-off window is between 1 hour and 7 days."))
    return problems


async def _place_problems(
    places: list[PlaceDetails],
    *,
    provider_id: int,
    starts_on: date,
    ends_on: date,
    parties: list[int],
    prefix: str,
    existing: list[BlockPlace],
) -> list[ServiceError]:
    """Each place names one active home or household of the provider, starts within the term, is a party's share,
    and a home or household holds no more block places than its beds or approved places."""
    problems: list[ServiceError] = []
    used: dict[tuple[str, int], int] = {}
    for place in existing:
        key = ("home", place.childrens_home_id) if place.childrens_home_id else ("household", place.carer_household_id)
        used[key] = used.get(key, 0) + 1  # type: ignore[index]
    for i, place in enumerate(places):
        at = f"{prefix}.{i}"
        if (place.childrens_home_id is None) == (place.carer_household_id is None):
            problems.append(invalid(f"{at}.childrensHomeId", "Name one children's home or one carer household."))
            continue
        if place.childrens_home_id is not None:
            home = await ChildrensHome.get_or_none(id=place.childrens_home_id, provider_id=provider_id, is_active=True)
            if home is None:
                problems.append(not_found("active children's home of the provider", f"{at}.childrensHomeId"))
                continue
            key, room, where = ("home", home.id), home.beds, f"{at}.childrensHomeId"
        else:
            household = await CarerHousehold.get_or_none(
                id=place.carer_household_id, provider_id=provider_id, is_active=True
            )
            if household is None:
                problems.append(not_found("active carer household of the provider", f"{at}.carerHouseholdId"))
                continue
            key, room, where = ("household", household.id), household.approved_places, f"{at}.carerHouseholdId"
        used[key] = used.get(key, 0) + 1
        if used[key] > room:
            problems.append(invalid(where, f"More block places than it has places ({room})."))
        if not starts_on <= place.starts_on <= ends_on:
            problems.append(invalid(f"{at}.startsOn", "A place starts within the contract's term."))
        if place.council_id is not None and place.council_id not in parties:
            problems.append(invalid(f"{at}.councilId", "A place's share belongs to a council party to the contract."))
    return problems


async def _parties_for(actor: Actor, details: BlockContractDetails) -> tuple[Framework | None, list[int]]:
    if (details.council_id is None) == (details.framework_id is None):
        raise invalid("councilId", "Name the contracting council, or the framework whose councils contract together.")
    if details.framework_id is not None:
        framework = await policy.scope_frameworks(actor, Framework.filter(id=details.framework_id)).first()
        if framework is None:
            raise not_found("framework", "frameworkId")
        if not policy.may_manage_block_contract(actor, council_id=None, framework=framework):
            raise denied("Only the lead council's commissioners make a consortium's block contracts.")
        members = await framework.member_councils.all().values_list("id", flat=True)
        return framework, sorted({framework.lead_council_id, *members})
    if not policy.may_manage_block_contract(actor, council_id=details.council_id, framework=None):
        raise denied("Only the council's commissioners make its block contracts.")
    if not await Council.exists(id=details.council_id):
        raise not_found("council", "councilId")
    return None, [details.council_id]  # type: ignore[list-item]


async def create_block_contract(actor: Actor, details: BlockContractDetails) -> BlockContractView:
    framework, parties = await _parties_for(actor, details)
    provider = await Provider.get_or_none(id=details.provider_id)
    if provider is None or provider.status is not ProviderStatus.ACTIVE:
        raise not_found("active provider", "providerId")
    reference, name = details.reference.strip(), details.name.strip()
    problems = []
    if not reference:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Give the contract's reference.", "reference"))
    elif await BlockContract.exists(reference=reference):
        problems.append(ServiceError(ErrorCode.DUPLICATE, "A block contract with this reference exists.", "reference"))
    if not name:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Give the contract's name.", "name"))
    # The provider reads both: no child may be named in them.
    problems += identifying_problems([("reference", reference), ("name", name)])
    problems += _terms_problems(
        details.starts_on,
        details.ends_on,
        details.weekly_price_pence,
        details.void_basis,
        details.void_percent,
        details.void_weekly_pence,
        details.call_off_window_hours,
    )
    if not details.places:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Add at least one place.", "places"))
    problems += await _place_problems(
        details.places,
        provider_id=provider.id,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
        parties=parties,
        prefix="places",
        existing=[],
    )
    if problems:
        raise ServiceError.many(problems)
    try:
        async with unit_of_work() as work:
            contract = await BlockContract.create(
                reference=reference,
                name=name,
                provider_id=provider.id,
                council_id=details.council_id,
                framework_id=framework.id if framework else None,
                starts_on=details.starts_on,
                ends_on=details.ends_on,
                weekly_price_pence=details.weekly_price_pence,
                void_basis=details.void_basis,
                void_percent=details.void_percent if details.void_basis is VoidBasis.PERCENT_OF_PRICE else None,
                void_weekly_pence=details.void_weekly_pence if details.void_basis is VoidBasis.WEEKLY_AMOUNT else None,
                call_off_window_hours=details.call_off_window_hours,
            )
            await _add_places(contract, details.places)
            audit_change(
                work,
                "block_contract.created",
                actor=actor,
                framework_id=contract.framework_id,
                provider_id=contract.provider_id,
                subject=f"{contract.reference} {contract.name}",
                after={**_terms(contract), "places": len(details.places)},
            )
            await _announce(work, contract, parties, "block_contract.created", actor)
    except IntegrityError as error:  # the same reference made meanwhile
        raise ServiceError(ErrorCode.DUPLICATE, "A block contract with this reference exists.", "reference") from error
    return await block_contract_view(contract)


async def _add_places(contract: BlockContract, places: list[PlaceDetails]) -> None:
    await BlockPlace.bulk_create(
        [
            BlockPlace(
                contract_id=contract.id,
                childrens_home_id=p.childrens_home_id,
                carer_household_id=p.carer_household_id,
                council_id=p.council_id,
                starts_on=p.starts_on,
            )
            for p in places
        ]
    )


def _terms(contract: BlockContract) -> dict:
    return {
        "name": contract.name,
        "startsOn": contract.starts_on.isoformat(),
        "endsOn": contract.ends_on.isoformat(),
        "weeklyPricePence": contract.weekly_price_pence,
        "voidBasis": VoidBasis(contract.void_basis).value,
        "voidPercent": contract.void_percent,
        "voidWeeklyPence": contract.void_weekly_pence,
        "callOffWindowHours": contract.call_off_window_hours,
    }


async def _announce(
    work: UnitOfWork, contract: BlockContract, parties: list[int], event_type: str, actor: Actor
) -> None:
    topics = [*(f"council:{c}" for c in parties), f"provider:{contract.provider_id}"]
    if contract.framework_id:
        topics.append(f"framework:{contract.framework_id}")
    event = await work.record(
        event_type,
        topics,
        {"blockContractId": contract.id, "reference": contract.reference, "providerId": contract.provider_id},
    )
    # The parties are told by email too: the councils' commissioners and the provider's staff.
    created = event_type.endswith("created")
    context = {
        "framework_name": contract.name,
        "framework_reference": contract.reference,
        "headline": "Block contract made" if created else "Block contract changed",
        "summary": (
            f"from {contract.starts_on:%d %b %Y} to {contract.ends_on:%d %b %Y}, "
            f"£{contract.weekly_price_pence / 100:,.2f} a week for each place"
            + ("." if created else "; its terms or places changed.")
        ),
        "by": actor.email or "a platform admin",
        "block_contract_id": contract.id,
    }
    await work.notify(
        Notification.FRAMEWORK_CHANGED, Audience.of_councils(parties, Role.COMMISSIONER), context, key=f"{event.id}.c"
    )
    await work.notify(
        Notification.FRAMEWORK_CHANGED, Audience.of_providers([contract.provider_id]), context, key=f"{event.id}.p"
    )


async def block_contract_for(actor: Actor, contract_id: int, field_name: str = "id") -> BlockContract:
    contract = await policy.scope_block_contracts(actor, BlockContract.filter(id=contract_id)).first()
    if contract is None:
        raise not_found("block contract", field_name)
    return contract


async def update_block_contract(actor: Actor, contract_id: int, changes: BlockContractChanges) -> BlockContractView:
    contract = await block_contract_for(actor, contract_id)
    framework = await Framework.get(id=contract.framework_id) if contract.framework_id else None
    if not policy.may_manage_block_contract(actor, council_id=contract.council_id, framework=framework):
        raise denied("Only the contracting council's commissioners change this block contract.")
    before = _terms(contract)
    name = changes.name.strip() if changes.name is not None else contract.name
    ends_on = changes.ends_on or contract.ends_on
    price = changes.weekly_price_pence if changes.weekly_price_pence is not None else contract.weekly_price_pence
    basis = changes.void_basis or VoidBasis(contract.void_basis)
    percent = changes.void_percent if changes.void_percent is not None else contract.void_percent
    weekly = changes.void_weekly_pence if changes.void_weekly_pence is not None else contract.void_weekly_pence
    window = changes.call_off_window_hours or contract.call_off_window_hours
    problems = [] if name else [ServiceError(ErrorCode.REQUIRED, "Give the contract's name.", "name")]
    problems += identifying_problems([("name", name)])
    problems += _terms_problems(contract.starts_on, ends_on, price, basis, percent, weekly, window)
    places = await BlockPlace.filter(contract_id=contract.id)
    by_id = {p.id: p for p in places}
    for i, (place_id, starts_on) in enumerate(changes.place_starts):
        if place_id not in by_id:
            problems.append(not_found("place of this contract", f"placeStarts.{i}.placeId"))
        elif not contract.starts_on <= starts_on <= ends_on:
            problems.append(invalid(f"placeStarts.{i}.startsOn", "A place starts within the contract's term."))
    parties = await repository.party_council_ids(contract)
    problems += await _place_problems(
        changes.add_places,
        provider_id=contract.provider_id,
        starts_on=contract.starts_on,
        ends_on=ends_on,
        parties=parties,
        prefix="addPlaces",
        existing=places,
    )
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        await BlockContract.filter(id=contract.id).update(
            name=name,
            ends_on=ends_on,
            weekly_price_pence=price,
            void_basis=basis,
            void_percent=percent if basis is VoidBasis.PERCENT_OF_PRICE else None,
            void_weekly_pence=weekly if basis is VoidBasis.WEEKLY_AMOUNT else None,
            call_off_window_hours=window,
            updated_at=datetime.now(UTC),
        )
        for place_id, starts_on in changes.place_starts:
            await BlockPlace.filter(id=place_id).update(starts_on=starts_on)
        await _add_places(contract, changes.add_places)
        await contract.refresh_from_db()
        after = _terms(contract)
        changed = {key for key in after if after[key] != before[key]}
        extra_after: dict = {}
        if changes.add_places:
            extra_after["placesAdded"] = len(changes.add_places)
        if changes.place_starts:
            extra_after["placeStarts"] = {str(pid): day.isoformat() for pid, day in changes.place_starts}
        audit_change(
            work,
            "block_contract.updated",
            actor=actor,
            framework_id=contract.framework_id,
            provider_id=contract.provider_id,
            subject=f"{contract.reference} {contract.name}",
            before={key: before[key] for key in changed},
            after={**{key: after[key] for key in changed}, **extra_after},
        )
        await _announce(work, contract, parties, "block_contract.updated", actor)
    return await block_contract_view(contract)


async def block_contract_views(actor: Actor, contract_id: int | None = None) -> list[BlockContractView]:
    """The block contracts the actor sees (one, if asked by id), with places, their stays and the parties."""
    query = policy.scope_block_contracts(actor, BlockContract.all())
    if contract_id is not None:
        query = query.filter(id=contract_id)
    return [await block_contract_view(contract) for contract in await query]


async def block_contract_view(contract: BlockContract) -> BlockContractView:
    provider = await Provider.get(id=contract.provider_id)
    parties = await repository.party_council_ids(contract)
    names = dict(await Council.filter(id__in=parties).values_list("id", "name"))
    framework = await Framework.get(id=contract.framework_id) if contract.framework_id else None
    places = (
        await BlockPlace.filter(contract_id=contract.id)
        .select_related("childrens_home", "carer_household")
        .order_by("starts_on", "id")
    )
    stays = await repository.stays_by_place(p.id for p in places)
    share_names = dict(
        await Council.filter(id__in=[p.council_id for p in places if p.council_id]).values_list("id", "name")
    )
    return BlockContractView(
        contract=contract,
        provider_name=provider.name,
        party_names=[names[c] for c in parties if c in names],
        framework_name=framework.name if framework else None,
        places=[
            PlaceView(
                place=p,
                resource_label=p.childrens_home.name if p.childrens_home_id else p.carer_household.reference,
                council_name=share_names.get(p.council_id) if p.council_id else None,
                terms=repository.terms_of(contract, p),
                stays=stays.get(p.id, []),
            )
            for p in places
        ],
    )


@dataclass(frozen=True)
class PurchaseBasisCounts:
    """Placements running in a period, by how they were bought: the contract figures' block / framework / spot."""

    block: int
    framework: int
    spot: int


async def purchase_basis_counts(actor: Actor, from_date: date, to_date: date) -> PurchaseBasisCounts:
    """Block against framework against spot, for the actor's council (every council's, for a platform admin)."""
    if actor.is_admin:
        council_ids = None
    elif actor.is_council:
        council_ids = [actor.council_id]
    else:
        raise denied("Only councils count their placements by how they were bought.")
    counts = await repository.placements_by_basis(council_ids, from_date, to_date)
    return PurchaseBasisCounts(
        block=counts[FeeBasis.BLOCK], framework=counts[FeeBasis.FRAMEWORK], spot=counts[FeeBasis.SPOT]
    )


@dataclass(frozen=True)
class PlaceOption:
    """A home or household a block place can name."""

    kind: ResourceKind
    id: int
    name: str
    places: int
    district: str


async def place_options(actor: Actor, provider_id: int) -> list[PlaceOption]:
    """The provider's active children's homes and carer households, for a commissioner making a block contract."""
    if not policy.may_choose_block_places(actor):
        return []
    homes = await ChildrensHome.filter(provider_id=provider_id, is_active=True).order_by("name")
    households = await CarerHousehold.filter(provider_id=provider_id, is_active=True).order_by("reference")
    return [
        *(PlaceOption(ResourceKind.CHILDRENS_HOME, h.id, h.name, h.beds, h.district) for h in homes),
        *(
            PlaceOption(ResourceKind.CARER_HOUSEHOLD, h.id, h.reference, h.approved_places, h.district)
            for h in households
        ),
    ]
