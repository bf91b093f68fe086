"""Providers' vacancies as Open Referral (HSDS 3) service capacity: per service (a carer household or a
children's home) the places available now, the maximum, the unit and when it was last said.

Who sees which provider's vacancies is the vacancies query's rule (server.auth.policy.scope_vacancies): a
provider its own, a council those of the providers on its frameworks, platform admins all; the anonymous
caller is on no framework and sees none. Nothing about a child is in a vacancy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import VacancyStatus
from server.models import CarerHousehold, ChildrensHome, Provider, Vacancy

HSDS_VERSION = "3.0"
UNITS = {
    "carer_household": {"id": "places", "name": "places", "scheme": "placement-exchange", "identifier": "places"},
    "childrens_home": {"id": "beds", "name": "beds", "scheme": "placement-exchange", "identifier": "beds"},
}


async def vacancies_feed(actor: Actor | None, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    today = now.date()
    if actor is None:
        return _feed(now, [])
    open_ = policy.scope_vacancies(actor, Vacancy.filter(status=VacancyStatus.OPEN))
    vacancies = await open_.order_by("id")
    households = {
        h.id: h
        for h in await CarerHousehold.filter(id__in={v.carer_household_id for v in vacancies if v.carer_household_id})
    }
    homes = {
        h.id: h
        for h in await ChildrensHome.filter(id__in={v.childrens_home_id for v in vacancies if v.childrens_home_id})
    }
    providers = {p.id: p for p in await Provider.filter(Q(id__in={v.provider_id for v in vacancies}))}
    services: dict[str, dict[str, Any]] = {}
    for vacancy in vacancies:
        if vacancy.carer_household_id:
            kind, resource = "carer_household", households[vacancy.carer_household_id]
            name, maximum = resource.reference, resource.approved_places
        else:
            kind, resource = "childrens_home", homes[vacancy.childrens_home_id]
            name, maximum = resource.name, resource.beds
        service_id = f"{kind}:{resource.id}"
        provider = providers[vacancy.provider_id]
        service = services.setdefault(
            service_id,
            {
                "id": service_id,
                "name": name,
                "organization": {"id": f"provider:{provider.id}", "name": provider.name},
                "status": "active",
                "service_area": resource.district,
                "capacities": [
                    {
                        "id": f"{service_id}:capacity",
                        "service_id": service_id,
                        "unit": UNITS[kind],
                        "available": 0,
                        "maximum": maximum,
                        "description": "",
                        "updated": None,
                    }
                ],
                "_from": [],
            },
        )
        capacity = service["capacities"][0]
        free_now = vacancy.available_from <= today and (
            vacancy.available_until is None or vacancy.available_until >= today
        )
        if free_now:
            capacity["available"] = min(maximum, capacity["available"] + vacancy.places)
        else:
            service["_from"].append((vacancy.available_from, vacancy.places))
        updated = vacancy.updated_at.astimezone(UTC)
        if capacity["updated"] is None or updated > capacity["updated"]:
            capacity["updated"] = updated
    for service in services.values():
        capacity = service["capacities"][0]
        later = sorted(service.pop("_from"))
        capacity["description"] = "; ".join(f"{places} from {day.isoformat()}" for day, places in later)
        capacity["updated"] = capacity["updated"].isoformat()
    return _feed(now, sorted(services.values(), key=lambda s: s["id"]))


def _feed(now: datetime, services: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "hsds_version": HSDS_VERSION,
        "generated": now.isoformat(),
        "total_items": len(services),
        "contents": services,
    }
