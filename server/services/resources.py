"""Providers describe their carer households and children's homes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.geography import normalise_district
from server.models import CarerHousehold, ChildrensHome
from server.services.errors import ErrorCode, ServiceError, api_field, denied, invalid, not_found
from server.services.free_text import identifying_problems
from server.services.unit_of_work import unit_of_work

LIST_FIELDS = (
    "placement_kinds",
    "durations",
    "languages",
    "communication",
    "adaptations",
    "manageable_risks_to_child",
    "manageable_risks_to_others",
    "specialisms",
    "additional_support",
    "faiths",
    "cultures",
)


@dataclass
class HouseholdDetails:
    reference: str | None = None
    district: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    approved_places: int | None = None
    placement_kinds: list[str] | None = None
    durations: list[str] | None = None
    languages: list[str] | None = None
    communication: list[str] | None = None
    adaptations: list[str] | None = None
    has_pets: bool | None = None
    solo_only: bool | None = None
    manageable_risks_to_child: list[str] | None = None
    manageable_risks_to_others: list[str] | None = None
    specialisms: list[str] | None = None
    additional_support: list[str] | None = None
    faiths: list[str] | None = None
    cultures: list[str] | None = None
    is_active: bool | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None}


REQUIRED = ("reference", "district", "min_age", "max_age", "approved_places", "placement_kinds", "durations")


def _require(details: HouseholdDetails | HomeDetails, names: tuple[str, ...]) -> None:
    """Every required detail given, or one error per missing one (named as the API names it)."""
    missing = [
        ServiceError(ErrorCode.REQUIRED, "This is required.", api_field(n))
        for n in names
        if getattr(details, n) is None
    ]
    if missing:
        raise ServiceError.many(missing)


async def create_carer_household(actor: Actor, provider_id: int, details: HouseholdDetails) -> CarerHousehold:
    if not policy.may_manage_provider(actor, provider_id):
        raise denied("Only the provider's own staff can add its carer households.")
    _require(details, REQUIRED)
    values = _validated(details.given(), current=None)
    try:
        async with unit_of_work() as work:
            household = await CarerHousehold.create(provider_id=provider_id, **values)
            await work.record(
                "carer_household.created", [f"provider:{provider_id}"], {"carerHouseholdId": household.id}
            )
    except IntegrityError as error:
        raise ServiceError(
            ErrorCode.DUPLICATE, "You already have a household with that reference.", "reference"
        ) from error
    return household


async def update_carer_household(actor: Actor, household_id: int, details: HouseholdDetails) -> CarerHousehold:
    household = await CarerHousehold.get_or_none(id=household_id)
    if household is None or not policy.may_manage_provider(actor, household.provider_id):
        raise not_found("carer household")
    values = _validated(details.given(), current=household)
    try:
        async with unit_of_work() as work:
            await CarerHousehold.filter(id=household.id).update(**values, updated_at=datetime.now(UTC))
            await household.refresh_from_db()
            await work.record(
                "carer_household.updated", [f"provider:{household.provider_id}"], {"carerHouseholdId": household.id}
            )
    except IntegrityError as error:
        raise ServiceError(
            ErrorCode.DUPLICATE, "You already have a household with that reference.", "reference"
        ) from error
    return household


def _validated(values: dict[str, Any], current: CarerHousehold | ChildrensHome | None) -> dict[str, Any]:
    problems: list[ServiceError] = []
    if "district" in values:
        try:
            values["district"] = normalise_district(values["district"])
        except ValueError:
            problems.append(invalid("district", "Give the postcode district only, such as ME14."))
    low = values.get("min_age", current.min_age if current else 0)
    high = values.get("max_age", current.max_age if current else 18)
    if not 0 <= low <= high <= 18:
        problems.append(invalid("maxAge", "Approved ages run from 0 to 18, youngest first."))
    if "approved_places" in values and not 1 <= values["approved_places"] <= 6:
        problems.append(invalid("approvedPlaces", "A household is approved for 1 to 6 children."))
    if "reference" in values:
        values["reference"] = values["reference"].strip()
        if not values["reference"]:
            problems.append(invalid("reference", "Give your own reference for the household."))
        problems += identifying_problems([("reference", values["reference"])])
    problems += identifying_problems(
        [
            (f"{name}.{i}", str(item))
            for name in ("languages", "faiths", "cultures")
            for i, item in enumerate(values.get(name, []))
        ]
    )
    for name in LIST_FIELDS:
        if name in values:
            values[name] = sorted({str(item).strip() for item in values[name] if str(item).strip()})
    if problems:
        raise ServiceError.many(problems)
    return values


HOME_LIST_FIELDS = ("specialisms", "manageable_risks_to_child", "manageable_risks_to_others")


@dataclass
class HomeDetails:
    name: str | None = None
    ofsted_urn: str | None = None
    beds: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    district: str | None = None
    ofsted_judgement: str | None = None
    ofsted_judgement_date: date | None = None
    specialisms: list[str] | None = None
    manageable_risks_to_child: list[str] | None = None
    manageable_risks_to_others: list[str] | None = None
    solo_only: bool | None = None
    is_active: bool | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None}


HOME_REQUIRED = ("name", "ofsted_urn", "beds", "min_age", "max_age", "district", "ofsted_judgement")
DUPLICATE_HOME = "A children's home with that Ofsted URN is already registered."


async def create_childrens_home(actor: Actor, provider_id: int, details: HomeDetails) -> ChildrensHome:
    if not policy.may_manage_provider(actor, provider_id):
        raise denied("Only the provider's own staff can add its children's homes.")
    _require(details, HOME_REQUIRED)
    values = _validated_home(details.given(), current=None)
    try:
        async with unit_of_work() as work:
            home = await ChildrensHome.create(provider_id=provider_id, **values)
            await work.record("childrens_home.created", [f"provider:{provider_id}"], {"childrensHomeId": home.id})
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, DUPLICATE_HOME, "ofstedUrn") from error
    return home


async def update_childrens_home(actor: Actor, home_id: int, details: HomeDetails) -> ChildrensHome:
    home = await ChildrensHome.get_or_none(id=home_id)
    if home is None or not policy.may_manage_provider(actor, home.provider_id):
        raise not_found("children's home")
    values = _validated_home(details.given(), current=home)
    try:
        async with unit_of_work() as work:
            await ChildrensHome.filter(id=home.id).update(**values, updated_at=datetime.now(UTC))
            await home.refresh_from_db()
            await work.record("childrens_home.updated", [f"provider:{home.provider_id}"], {"childrensHomeId": home.id})
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, DUPLICATE_HOME, "ofstedUrn") from error
    return home


def _validated_home(values: dict[str, Any], current: ChildrensHome | None) -> dict[str, Any]:
    """A home's name reaches councils (on its vacancies and offers): it passes the anonymisation guard."""
    problems: list[ServiceError] = []
    try:
        values = _validated(values, current)
    except ServiceError as error:
        problems += error.problems
    if "name" in values:
        values["name"] = values["name"].strip()
        if not values["name"]:
            problems.append(invalid("name", "Give the home's name, as registered with Ofsted."))
        problems += identifying_problems([("name", values["name"])])
    if "ofsted_urn" in values:
        values["ofsted_urn"] = values["ofsted_urn"].strip().upper()
        if not values["ofsted_urn"].isascii() or not values["ofsted_urn"].isalnum():
            problems.append(invalid("ofstedUrn", "An Ofsted URN is letters and digits, such as SC123456 or 1234567."))
    if "beds" in values and not 1 <= values["beds"] <= 20:
        problems.append(invalid("beds", "A children's home has 1 to 20 beds."))
    if values.get("ofsted_judgement_date") and values["ofsted_judgement_date"] > datetime.now(UTC).date():
        problems.append(invalid("ofstedJudgementDate", "The inspection date cannot be in the future."))
    for name in HOME_LIST_FIELDS:
        if name in values:
            values[name] = sorted({str(item) for item in values[name]})
    if problems:
        raise ServiceError.many(problems)
    return values
