from __future__ import annotations

from datetime import date, datetime

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
    VacancyStatus,
)
from schema.ids import to_global_id
from schema.types.organisations import ProviderNode
from server.models import CarerHousehold, ChildrensHome, Vacancy


@strawberry.type(name="CarerHousehold", description="An approved foster carer household, by the provider's reference.")
class CarerHouseholdNode:
    reference: str
    district: str
    min_age: int
    max_age: int
    approved_places: int
    languages: list[str]
    has_pets: bool
    solo_only: bool
    faiths: list[str]
    cultures: list[str]
    is_active: bool
    updated_at: datetime

    @strawberry.field
    def id(self, root: CarerHousehold) -> strawberry.ID:
        return to_global_id("CarerHousehold", root.id)

    @strawberry.field
    def placement_kinds(self, root: CarerHousehold) -> list[PlacementKind]:
        return root.placement_kinds

    @strawberry.field
    def durations(self, root: CarerHousehold) -> list[Duration]:
        return root.durations

    @strawberry.field
    def communication(self, root: CarerHousehold) -> list[CommunicationNeed]:
        return root.communication

    @strawberry.field
    def adaptations(self, root: CarerHousehold) -> list[Adaptation]:
        return root.adaptations

    @strawberry.field
    def manageable_risks_to_child(self, root: CarerHousehold) -> list[RiskToChild]:
        return root.manageable_risks_to_child

    @strawberry.field
    def manageable_risks_to_others(self, root: CarerHousehold) -> list[RiskToOthers]:
        return root.manageable_risks_to_others

    @strawberry.field
    def specialisms(self, root: CarerHousehold) -> list[Need]:
        return root.specialisms

    @strawberry.field
    def additional_support(self, root: CarerHousehold) -> list[AdditionalSupport]:
        return root.additional_support


@strawberry.type(name="ChildrensHome")
class ChildrensHomeNode:
    name: str
    ofsted_urn: str
    beds: int
    min_age: int
    max_age: int
    district: str
    ofsted_judgement: OfstedJudgement
    ofsted_judgement_date: date | None
    solo_only: bool
    is_active: bool

    @strawberry.field
    def id(self, root: ChildrensHome) -> strawberry.ID:
        return to_global_id("ChildrensHome", root.id)

    @strawberry.field
    def specialisms(self, root: ChildrensHome) -> list[Need]:
        return root.specialisms

    @strawberry.field
    def manageable_risks_to_child(self, root: ChildrensHome) -> list[RiskToChild]:
        return root.manageable_risks_to_child

    @strawberry.field
    def manageable_risks_to_others(self, root: ChildrensHome) -> list[RiskToOthers]:
        return root.manageable_risks_to_others


@strawberry.type(name="Vacancy", description="Early notification of a vacancy (available places from a date).")
class VacancyNode:
    places: int
    available_from: date
    available_until: date | None
    note: str
    status: VacancyStatus
    updated_at: datetime

    @strawberry.field
    def id(self, root: Vacancy) -> strawberry.ID:
        return to_global_id("Vacancy", root.id)

    @strawberry.field
    async def provider(self, root: Vacancy, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field
    async def carer_household(self, root: Vacancy, info: Info) -> CarerHouseholdNode | None:
        if root.carer_household_id is None:
            return None
        return await info.context.loaders.carer_household.load(root.carer_household_id)

    @strawberry.field
    async def childrens_home(self, root: Vacancy, info: Info) -> ChildrensHomeNode | None:
        if root.childrens_home_id is None:
            return None
        return await info.context.loaders.childrens_home.load(root.childrens_home_id)

    @strawberry.field(description="Placement kinds the vacancy's household or home is approved for.")
    async def placement_kinds(self, root: Vacancy, info: Info) -> list[PlacementKind]:
        resource = await _resource(root, info)
        return resource.placement_kinds if isinstance(resource, CarerHousehold) else ["childrens_home"]

    @strawberry.field
    async def min_age(self, root: Vacancy, info: Info) -> int:
        return (await _resource(root, info)).min_age

    @strawberry.field
    async def max_age(self, root: Vacancy, info: Info) -> int:
        return (await _resource(root, info)).max_age

    @strawberry.field
    async def district(self, root: Vacancy, info: Info) -> str:
        return (await _resource(root, info)).district


async def _resource(root: Vacancy, info: Info) -> CarerHousehold | ChildrensHome:
    if root.carer_household_id is not None:
        return await info.context.loaders.carer_household.load(root.carer_household_id)
    return await info.context.loaders.childrens_home.load(root.childrens_home_id)
