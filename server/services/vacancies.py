"""Early notification of vacancies: providers post, update and close them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import Role, VacancyStatus
from server.models import CarerHousehold, ChildrensHome, Council, Vacancy
from server.outbox.kinds import Notification
from server.services.errors import ServiceError, denied, invalid, not_found, wrong_state
from server.services.free_text import identifying_problems
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work


@dataclass
class VacancyDetails:
    places: int | None = None
    available_from: date | None = None
    available_until: date | None = None
    note: str | None = None
    carer_household_id: int | None = None
    childrens_home_id: int | None = None


async def post_vacancy(actor: Actor, details: VacancyDetails) -> Vacancy:
    if not policy.may_post_vacancy(actor):
        raise denied("Only provider staff post vacancies.")
    resource = await _resource(actor, details)
    values = _validated(details, resource_places=_capacity(resource), creating=True)
    async with unit_of_work() as work:
        vacancy = await Vacancy.create(
            provider_id=actor.provider_id,
            carer_household_id=details.carer_household_id,
            childrens_home_id=details.childrens_home_id,
            **values,
        )
        await _announce(work, vacancy, "vacancy.posted")
    return vacancy


async def update_vacancy(actor: Actor, vacancy_id: int, details: VacancyDetails) -> Vacancy:
    vacancy = await _own_vacancy(actor, vacancy_id)
    if vacancy.status is not VacancyStatus.OPEN:
        raise wrong_state("This vacancy is closed: post a new one.", "id")
    await vacancy.fetch_related("carer_household", "childrens_home")
    resource = vacancy.carer_household or vacancy.childrens_home
    values = _validated(details, resource_places=_capacity(resource), creating=False)
    merged_from = values.get("available_from", vacancy.available_from)
    merged_until = values.get("available_until", vacancy.available_until)
    if merged_until is not None and merged_until < merged_from:
        raise invalid("availableUntil", "Available until must be on or after available from.")
    async with unit_of_work() as work:
        await Vacancy.filter(id=vacancy.id).update(**values, updated_at=datetime.now(UTC))
        await vacancy.refresh_from_db()
        await _announce(work, vacancy, "vacancy.updated")
    return vacancy


async def close_vacancy(actor: Actor, vacancy_id: int) -> Vacancy:
    vacancy = await _own_vacancy(actor, vacancy_id)
    async with unit_of_work() as work:
        changed = await Vacancy.filter(id=vacancy.id, status=VacancyStatus.OPEN).update(
            status=VacancyStatus.CLOSED, updated_at=datetime.now(UTC)
        )
        if not changed:
            raise wrong_state("This vacancy is already closed.", "id")
        await vacancy.refresh_from_db()
        await _announce(work, vacancy, "vacancy.closed")
    return vacancy


async def _own_vacancy(actor: Actor, vacancy_id: int) -> Vacancy:
    vacancy = await Vacancy.get_or_none(id=vacancy_id)
    if vacancy is None or not policy.may_manage_provider(actor, vacancy.provider_id):
        raise not_found("vacancy")
    return vacancy


async def _resource(actor: Actor, details: VacancyDetails) -> CarerHousehold | ChildrensHome:
    if (details.carer_household_id is None) == (details.childrens_home_id is None):
        raise invalid("carerHouseholdId", "A vacancy is in exactly one carer household or children's home.")
    if details.carer_household_id is not None:
        found = await CarerHousehold.get_or_none(id=details.carer_household_id, provider_id=actor.provider_id)
        if found is None:
            raise not_found("carer household of yours", "carerHouseholdId")
        return found
    home = await ChildrensHome.get_or_none(id=details.childrens_home_id, provider_id=actor.provider_id)
    if home is None:
        raise not_found("children's home of yours", "childrensHomeId")
    return home


def _capacity(resource: CarerHousehold | ChildrensHome) -> int:
    return resource.approved_places if isinstance(resource, CarerHousehold) else resource.beds


def _validated(details: VacancyDetails, *, resource_places: int, creating: bool) -> dict:
    values: dict = {}
    problems: list[ServiceError] = []
    if details.places is not None:
        if not 1 <= details.places <= resource_places:
            problems.append(invalid("places", f"Places must be between 1 and {resource_places} (its approval)."))
        values["places"] = details.places
    elif creating:
        problems.append(invalid("places", "Say how many places are free."))
    if details.available_from is not None:
        values["available_from"] = details.available_from
    elif creating:
        values["available_from"] = datetime.now(UTC).date()
    if details.available_until is not None:
        start = values.get("available_from")
        if start is not None and details.available_until < start:
            problems.append(invalid("availableUntil", "Available until must be on or after available from."))
        values["available_until"] = details.available_until
    if details.note is not None:
        values["note"] = details.note.strip()
        problems += identifying_problems([("note", values["note"])])
    if problems:
        raise ServiceError.many(problems)
    return values


async def _announce(work: UnitOfWork, vacancy: Vacancy, event_type: str) -> None:
    """Councils on the provider's frameworks are concerned; they learn of new vacancies by email too."""
    councils = await Council.filter(
        frameworks__lots__memberships__provider_id=vacancy.provider_id,
        frameworks__lots__memberships__left_on__isnull=True,
    ).distinct()
    topics = [f"provider:{vacancy.provider_id}", *(f"council:{c.id}" for c in councils)]
    event = await work.record(
        event_type,
        topics,
        {"vacancyId": vacancy.id, "providerId": vacancy.provider_id, "status": vacancy.status.value},
    )
    if event_type == "vacancy.posted":
        await work.notify(
            Notification.VACANCY_POSTED,
            Audience.of_councils([c.id for c in councils], Role.PLACEMENT_OFFICER, Role.COMMISSIONER),
            {"vacancy_id": vacancy.id, "places": vacancy.places, "available_from": vacancy.available_from.isoformat()},
            key=str(event.id),
        )
