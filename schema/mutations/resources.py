"""Providers' side: vacancies, carer households."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import (
    Adaptation,
    AdditionalSupport,
    CommunicationNeed,
    Duration,
    Need,
    OfstedJudgement,
    PlacementKind,
    RiskToChild,
    RiskToOthers,
)
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.resources import CarerHouseholdNode, ChildrensHomeNode, VacancyNode
from server.auth.actor import Actor
from server.models import CarerHousehold, ChildrensHome
from server.services import resources, vacancies
from server.services.errors import ErrorCode, ServiceError


@strawberry.input
class VacancyFields:
    places: int | None = None
    available_from: date | None = None
    available_until: date | None = None
    note: str | None = None


@strawberry.input
class PostVacancyInput(VacancyFields):
    carer_household_id: strawberry.ID | None = None
    childrens_home_id: strawberry.ID | None = None


@strawberry.input
class UpdateVacancyInput(VacancyFields):
    id: strawberry.ID


@strawberry.input
class VacancyIdInput:
    id: strawberry.ID


@strawberry.type
class VacancyPayload:
    vacancy: VacancyNode | None
    errors: list[UserError]


@strawberry.input(description="A carer household, described in the terms of the placements data standard.")
class CarerHouseholdFields:
    reference: str | None = strawberry.field(default=None, description="Your own reference: never a carer's name.")
    district: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    approved_places: int | None = None
    placement_kinds: list[PlacementKind] | None = None
    durations: list[Duration] | None = None
    languages: list[str] | None = None
    communication: list[CommunicationNeed] | None = None
    adaptations: list[Adaptation] | None = None
    has_pets: bool | None = None
    solo_only: bool | None = None
    manageable_risks_to_child: list[RiskToChild] | None = None
    manageable_risks_to_others: list[RiskToOthers] | None = None
    specialisms: list[Need] | None = None
    additional_support: list[AdditionalSupport] | None = None
    faiths: list[str] | None = None
    cultures: list[str] | None = None
    is_active: bool | None = None


@strawberry.input
class CreateCarerHouseholdInput(CarerHouseholdFields):
    provider_id: strawberry.ID | None = strawberry.field(default=None, description="Admins only; else your own.")


@strawberry.input
class UpdateCarerHouseholdInput(CarerHouseholdFields):
    id: strawberry.ID


@strawberry.type
class CarerHouseholdPayload:
    carer_household: CarerHouseholdNode | None
    errors: list[UserError]


@strawberry.input(description="A children's home, as registered with Ofsted, and the needs and risks it can meet.")
class ChildrensHomeFields:
    name: str | None = strawberry.field(default=None, description="The home's name, as registered with Ofsted.")
    ofsted_urn: str | None = None
    beds: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    district: str | None = None
    ofsted_judgement: OfstedJudgement | None = None
    ofsted_judgement_date: date | None = None
    specialisms: list[Need] | None = None
    manageable_risks_to_child: list[RiskToChild] | None = None
    manageable_risks_to_others: list[RiskToOthers] | None = None
    solo_only: bool | None = None
    is_active: bool | None = None


@strawberry.input
class CreateChildrensHomeInput(ChildrensHomeFields):
    provider_id: strawberry.ID | None = strawberry.field(default=None, description="Admins only; else your own.")


@strawberry.input
class UpdateChildrensHomeInput(ChildrensHomeFields):
    id: strawberry.ID


@strawberry.type
class ChildrensHomePayload:
    childrens_home: ChildrensHomeNode | None
    errors: list[UserError]


def _home_details(input: ChildrensHomeFields) -> resources.HomeDetails:
    return resources.HomeDetails(**{name: getattr(input, name) for name in resources.HomeDetails.__dataclass_fields__})


def _vacancy_details(
    input: VacancyFields, household: int | None = None, home: int | None = None
) -> vacancies.VacancyDetails:
    return vacancies.VacancyDetails(
        places=input.places,
        available_from=input.available_from,
        available_until=input.available_until,
        note=input.note,
        carer_household_id=household,
        childrens_home_id=home,
    )


def _household_details(input: CarerHouseholdFields) -> resources.HouseholdDetails:
    return resources.HouseholdDetails(
        **{name: getattr(input, name) for name in resources.HouseholdDetails.__dataclass_fields__}
    )


def _optional_pk(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None else (from_global_id(value, type_name) or 0)


@strawberry.type
class ResourceMutations:
    @strawberry.mutation(description="Tell councils a place is free (early notification of a vacancy).")
    async def post_vacancy(self, info: Info, input: PostVacancyInput) -> VacancyPayload:
        details = _vacancy_details(
            input,
            _optional_pk(input.carer_household_id, "CarerHousehold"),
            _optional_pk(input.childrens_home_id, "ChildrensHome"),
        )
        vacancy, errors = await attempt(info.context.actor, lambda actor: vacancies.post_vacancy(actor, details))
        return VacancyPayload(vacancy=vacancy, errors=errors)

    @strawberry.mutation
    async def update_vacancy(self, info: Info, input: UpdateVacancyInput) -> VacancyPayload:
        pk = from_global_id(input.id, "Vacancy") or 0
        vacancy, errors = await attempt(
            info.context.actor, lambda actor: vacancies.update_vacancy(actor, pk, _vacancy_details(input))
        )
        return VacancyPayload(vacancy=vacancy, errors=errors)

    @strawberry.mutation
    async def close_vacancy(self, info: Info, input: VacancyIdInput) -> VacancyPayload:
        pk = from_global_id(input.id, "Vacancy") or 0
        vacancy, errors = await attempt(info.context.actor, lambda actor: vacancies.close_vacancy(actor, pk))
        return VacancyPayload(vacancy=vacancy, errors=errors)

    @strawberry.mutation
    async def create_carer_household(self, info: Info, input: CreateCarerHouseholdInput) -> CarerHouseholdPayload:
        async def create(actor: Actor) -> CarerHousehold:
            provider_id = _owning_provider(actor, input.provider_id, "household")
            return await resources.create_carer_household(actor, provider_id, _household_details(input))

        household, errors = await attempt(info.context.actor, create)
        return CarerHouseholdPayload(carer_household=household, errors=errors)

    @strawberry.mutation
    async def update_carer_household(self, info: Info, input: UpdateCarerHouseholdInput) -> CarerHouseholdPayload:
        pk = from_global_id(input.id, "CarerHousehold") or 0
        household, errors = await attempt(
            info.context.actor,
            lambda actor: resources.update_carer_household(actor, pk, _household_details(input)),
        )
        return CarerHouseholdPayload(carer_household=household, errors=errors)

    @strawberry.mutation(description="Add a children's home (provider staff: their own; platform admins: any).")
    async def create_childrens_home(self, info: Info, input: CreateChildrensHomeInput) -> ChildrensHomePayload:
        async def create(actor: Actor) -> ChildrensHome:
            provider_id = _owning_provider(actor, input.provider_id, "home")
            return await resources.create_childrens_home(actor, provider_id, _home_details(input))

        home, errors = await attempt(info.context.actor, create)
        return ChildrensHomePayload(childrens_home=home, errors=errors)

    @strawberry.mutation
    async def update_childrens_home(self, info: Info, input: UpdateChildrensHomeInput) -> ChildrensHomePayload:
        pk = from_global_id(input.id, "ChildrensHome") or 0
        home, errors = await attempt(
            info.context.actor, lambda actor: resources.update_childrens_home(actor, pk, _home_details(input))
        )
        return ChildrensHomePayload(childrens_home=home, errors=errors)


def _owning_provider(actor: Actor, given: strawberry.ID | None, what: str) -> int:
    """The provider a new household or home belongs to: the one named (platform admins), else the asker's own."""
    provider_id = _optional_pk(given, "Provider") if given else actor.provider_id
    if provider_id is None:
        raise ServiceError(ErrorCode.REQUIRED, f"Say which provider the {what} belongs to.", "providerId")
    return provider_id
