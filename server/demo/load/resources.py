"""Carer households, generated from carer_households.toml for each provider's `households` count, and the
children's homes of childrens_homes.toml.

The households are generated (seeded random) rather than listed: about 190 of them, each a draw of ages, places,
kinds, risks and backgrounds that fits the provider's lots. A provider's first two go through the use case, as a
provider would add them; the rest are written in bulk.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.demo.load.context import Demo, Place
from server.demo.world import Provider as ProviderSpec
from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CommunicationNeed,
    Duration,
    Need,
    PlacementKind,
    ProviderStatus,
    RiskToChild,
    RiskToOthers,
)
from server.models import CarerHousehold, ChildrensHome
from server.services import resources

PK, RC, RO, N, AS = PlacementKind, RiskToChild, RiskToOthers, Need, AdditionalSupport


async def load(demo: Demo) -> None:
    await _households(demo)
    await ChildrensHome.bulk_create(
        [
            ChildrensHome(
                provider_id=demo.providers[home.provider].id,
                name=home.name,
                ofsted_urn=home.ofsted_urn,
                beds=home.beds,
                min_age=home.min_age,
                max_age=home.max_age,
                district=home.district,
                ofsted_judgement=home.ofsted_judgement,
                ofsted_judgement_date=home.ofsted_judgement_date,
                specialisms=sorted(s.value for s in home.specialisms),
                manageable_risks_to_child=sorted(r.value for r in home.manageable_risks_to_child),
                manageable_risks_to_others=sorted(r.value for r in home.manageable_risks_to_others),
            )
            for home in demo.world.homes
        ]
    )
    for row in await CarerHousehold.all().order_by("provider_id", "reference"):
        if row.is_active:
            demo.places.append(
                Place(
                    row.id,
                    row.provider_id,
                    row.district,
                    row.min_age,
                    row.max_age,
                    row.approved_places,
                    frozenset(row.placement_kinds),
                    False,
                )
            )
    for row in await ChildrensHome.all().order_by("provider_id", "name"):
        demo.places.append(
            Place(
                row.id,
                row.provider_id,
                row.district,
                row.min_age,
                row.max_age,
                row.beds,
                frozenset({PK.CHILDRENS_HOME.value}),
                True,
            )
        )
    demo.by_ref = {(place.is_home, place.id): place for place in demo.places}


async def _households(demo: Demo) -> None:
    families = {(f.reference, lot.code): lot.price_family for f in demo.world.frameworks for lot in f.lots}
    families_of: dict[str, set[str]] = {}
    for member in demo.world.memberships:
        families_of.setdefault(member.provider, set()).add(families[member.framework, member.lot])
    bulk: list[CarerHousehold] = []
    for spec in demo.world.providers:
        if not spec.households:
            continue
        provider = demo.providers[spec.key]
        active = provider.status is ProviderStatus.ACTIVE and spec.merged_into is None
        categories = _categories(demo, spec, families_of.get(spec.key, {"core"}))
        numbers = sorted(demo.rng.sample(range(101, 990), spec.households))
        nearby = _nearby(demo, spec.offices)
        for i, (category, number) in enumerate(zip(categories, numbers, strict=True)):
            values = _household(demo, category, f"{spec.household_prefix}-{number:04d}", nearby, active)
            if i < 2 and active:
                details = resources.HouseholdDetails(**{k: v for k, v in values.items() if k != "created_at"})
                await resources.create_carer_household(demo.duty[spec.key], provider.id, details)
            else:
                bulk.append(CarerHousehold(provider_id=provider.id, updated_at=values["created_at"], **values))
    await CarerHousehold.bulk_create(bulk, batch_size=200)


def _categories(demo: Demo, spec: ProviderSpec, families: set[str]) -> list[str]:
    """One household of each kind the provider's lots call for (twice over), then the rest by weight."""
    weights = {key: category.weight for key, category in demo.world.households.category.items()}
    wanted = [g for g in weights if g not in ("core", "uasc") and g in families]
    if spec.offices[0][:2] in demo.world.households.uasc_office_areas:
        wanted.append("uasc")
    first = ["core", *wanted, "core", *wanted]
    pool = [g for g in weights if g in families or g in ("core", "uasc")]
    rest = demo.rng.choices(pool, weights=[weights[g] for g in pool], k=max(0, spec.households - len(first)))
    return (first + rest)[: spec.households]


def _nearby(demo: Demo, offices: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for office in offices:
        near = [code for code, _ in demo.districts.within(office, 25)] or [office]
        found += near[: max(3, len(near) * 2 // 3)]
    return found


def _household(demo: Demo, category: str, reference: str, nearby: list[str], active: bool) -> dict[str, Any]:
    r, spec = demo.rng, demo.world.households
    chance = r.random
    low, high = r.choice(spec.category[category].age_ranges)
    places = r.choices((1, 2, 3), weights=(35, 40, 25))[0]
    kinds = {PK.CORE_FOSTERING}
    durations = {Duration.SHORT_TERM, Duration.LONG_TERM}
    languages, communication, adaptations, faiths, cultures = {"English"}, set(), set(), set(), set()
    support: set[AdditionalSupport] = set()
    risks_child: set[RiskToChild] = set(r.sample([RC.GOING_MISSING, RC.SELF_HARM, RC.OTHER], r.randint(0, 2)))
    risks_others: set[RiskToOthers] = {RO.PHYSICAL_HARM} if chance() < 0.3 else set()
    specialisms = set(
        r.sample([N.NEGLECT, N.TRAUMA, N.DOMESTIC_ABUSE, N.EDUCATION_CONTINUITY, N.FAMILY_CONTACT], r.randint(1, 3))
    )
    solo_only = False
    emergency, remand = 0.45, 0.08
    if category == "core":
        if chance() < 0.15:
            kinds.add(PK.SOLO)
        if places >= 2 and chance() < 0.25:
            kinds.add(PK.SIBLING_GROUP)
        if chance() < 0.3:
            support.add(AS.TRANSPORT_TO_SCHOOL)
        solo_only = chance() < 0.05
    elif category == "enhanced":
        kinds |= {PK.ENHANCED_FOSTERING}
        kinds |= {k for k, p in ((PK.SPECIALIST_FOSTERING, 0.45), (PK.STEP_DOWN, 0.35), (PK.SOLO, 0.3)) if chance() < p}
        places = r.choice((1, 1, 2))
        risks_child |= {RC.CRIMINAL_EXPLOITATION, RC.GOING_MISSING, RC.DRUGS_AND_ALCOHOL}
        risks_child |= {
            k
            for k, p in ((RC.SEXUAL_EXPLOITATION, 0.7), (RC.SELF_HARM, 0.6), (RC.EATING_DISORDER, 0.2))
            if chance() < p
        }
        risks_others |= {RO.CRIMINAL_EXPLOITATION, RO.PHYSICAL_HARM}
        risks_others |= {k for k, p in ((RO.FIRE_SETTING, 0.2), (RO.HARM_TO_ANIMALS, 0.1)) if chance() < p}
        specialisms |= set(
            r.sample(
                [N.CRIMINAL_EXPLOITATION, N.SEXUAL_EXPLOITATION, N.GOING_MISSING, N.SELF_HARM, N.MENTAL_HEALTH],
                r.randint(2, 4),
            )
        )
        support |= set(r.sample([AS.EXTRA_SUPERVISION, AS.THERAPEUTIC_SUPPORT], r.randint(1, 2)))
        if PK.SPECIALIST_FOSTERING in kinds:
            # Therapeutic carers: trained for self-harm, often for eating difficulties too.
            risks_child.add(RC.SELF_HARM)
            if chance() < 0.7:
                risks_child.add(RC.EATING_DISORDER)
            specialisms |= {N.SELF_HARM, N.MENTAL_HEALTH}
            support.add(AS.THERAPEUTIC_SUPPORT)
        solo_only = chance() < 0.25
        emergency, remand = 0.6, 0.4
    elif category == "siblings":
        kinds.add(PK.SIBLING_GROUP)
        places = r.choice((2, 3, 3))
        specialisms |= {N.FAMILY_CONTACT}
        support.add(AS.TRANSPORT_TO_SCHOOL)
    elif category == "pandc":
        kinds = {PK.PARENT_AND_CHILD, PK.CORE_FOSTERING}
        places = 2
        specialisms |= {N.DOMESTIC_ABUSE, N.FAMILY_CONTACT}
    elif category == "disabled":
        kinds.add(PK.DISABLED_CHILDREN)
        adaptations |= {Adaptation.GROUND_FLOOR_BEDROOM}
        adaptations |= {
            k
            for k, p in ((Adaptation.WHEELCHAIR_ACCESS, 0.6), (Adaptation.HOIST, 0.25), (Adaptation.SENSORY_ROOM, 0.6))
            if chance() < p
        }
        communication |= {
            k for k, p in ((CommunicationNeed.MAKATON, 0.5), (CommunicationNeed.BSL, 0.25)) if chance() < p
        }
        specialisms |= set(r.sample([N.AUTISM, N.LEARNING_DISABILITY, N.PHYSICAL_DISABILITY], r.randint(1, 3)))
        support |= {AS.RESPITE_WORKER, AS.TRANSPORT_TO_SCHOOL}
        places = r.choice((1, 2))
    elif category == "uasc":
        community = r.choice(spec.community)
        languages.add(community.language)
        communication.add(CommunicationNeed.ESOL)
        faiths.add(community.faith)
        cultures.add(community.culture)
        specialisms |= {N.UASC, N.LANGUAGE, N.TRAUMA}
    if category != "uasc":
        if chance() < 0.15:
            languages.add(r.choice(spec.other.languages))
        if chance() < 0.25:
            faiths.add(r.choice(spec.other.faiths))
        if chance() < 0.1:
            cultures.add(r.choice(spec.other.cultures))
        if chance() < 0.03:
            communication.add(CommunicationNeed.BSL)
    if solo_only:
        places = 1
        kinds.add(PK.SOLO)
        kinds.discard(PK.SIBLING_GROUP)
    durations |= {
        d
        for d, p in ((Duration.EMERGENCY, emergency), (Duration.RESPITE, 0.25), (Duration.REMAND, remand))
        if chance() < p
    }
    weights = [max(1, len(nearby) - i) for i in range(len(nearby))]
    return {
        "reference": reference,
        "district": r.choices(nearby, weights=weights)[0],
        "min_age": low,
        "max_age": high,
        "approved_places": places,
        "placement_kinds": sorted(k.value for k in kinds),
        "durations": sorted(d.value for d in durations),
        "languages": sorted(languages),
        "communication": sorted(c.value for c in communication),
        "adaptations": sorted(a.value for a in adaptations),
        "has_pets": chance() < spec.category[category].pets_chance,
        "solo_only": solo_only,
        "manageable_risks_to_child": sorted(x.value for x in risks_child),
        "manageable_risks_to_others": sorted(x.value for x in risks_others),
        "specialisms": sorted(s.value for s in specialisms),
        "additional_support": sorted(s.value for s in support),
        "faiths": sorted(faiths),
        "cultures": sorted(cultures),
        "is_active": active and chance() > 0.04,
        "created_at": demo.now - timedelta(days=r.randint(200, 2400)),
    }
