"""Early notification of vacancies (vacancies.toml): a free bed or household for most providers, as they post them."""

from __future__ import annotations

from datetime import timedelta

from server.demo.load.context import Demo
from server.models import Vacancy
from server.services import vacancies


async def load(demo: Demo) -> None:
    r, spec = demo.rng, demo.world.vacancies
    for key in spec.providers:
        provider_id = demo.providers[key].id
        free = [
            place
            for place in demo.places
            if place.provider_id == provider_id and demo.placed[place.is_home, place.id] < place.places
        ]
        if not free:
            continue
        homes = [place for place in free if place.is_home]
        chosen = (homes or free)[:1]
        if key in spec.second_vacancy and len(free) > 1:
            chosen.append(r.choice(free[1:]))
        for place in chosen:
            details = vacancies.VacancyDetails(
                places=r.randint(1, place.places - demo.placed[place.is_home, place.id]),
                available_from=demo.today + timedelta(days=r.choice(spec.available_in_days)),
                note=r.choice(spec.home_notes if place.is_home else spec.household_notes),
                carer_household_id=None if place.is_home else place.id,
                childrens_home_id=place.id if place.is_home else None,
            )
            vacancy = await vacancies.post_vacancy(demo.duty[key], details)
            when = demo.now - timedelta(hours=r.randint(*spec.posted_hours_ago))
            await Vacancy.filter(id=vacancy.id).update(created_at=when, updated_at=when)
            await demo.stamp(when)
