"""The steps of a referral's life in the demo history, each through the use case and then back-dated.

The targeted broadcast matches against today's free places, so a referral of the past is published needing a
home as far after today as it really needed one after it was written, and its real need date is restored when its
case closes (`close_case`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from server.demo.load.context import Demo, Place
from server.demo.world import Child
from server.domain.vocabulary import (
    CommunicationNeed,
    DeclineReason,
    Duration,
    Need,
    ReasonPlacementChanged,
    ResourceKind,
    Urgency,
)
from server.models import BroadcastRecipient, Council, Offer, Placement, Referral
from server.services import broadcast, offers, placements, referrals
from server.services.matching import best_matches


def framework_and_lot(demo: Demo, council_key: str, child: Child) -> tuple[str, str]:
    """The framework the council is a member of with a lot for this kind of placement, and that lot."""
    for framework in demo.world.frameworks:
        if council_key in framework.member_councils:
            for lot in framework.lots:
                if child.placement_kind in lot.placement_kinds:
                    return framework.reference, lot.code
    raise LookupError(f"{council_key} has no framework with a lot for {child.placement_kind}")


def details(
    demo: Demo, council_key: str, child: Child, urgency: Urgency | None, published: datetime
) -> referrals.ReferralDetails:
    r = demo.rng
    reference, lot_code = framework_and_lot(demo, council_key, child)
    urgency = urgency or r.choices(list(Urgency), weights=(3, 4, 3))[0]
    required_by = (
        published
        + {
            Urgency.TODAY: timedelta(hours=r.randint(5, 9)),
            Urgency.WITHIN_5_DAYS: timedelta(days=r.randint(2, 5)),
            Urgency.LATER: timedelta(days=r.randint(10, 35)),
        }[urgency]
    )
    duration = child.duration
    if urgency is Urgency.TODAY and child.price_family in ("core", "enhanced") and duration is not Duration.REMAND:
        duration = Duration.EMERGENCY
    languages: list[str] = []
    faith = cultural = ""
    communication = list(child.communication_needs)
    summary = r.choice(child.summaries)
    if Need.UASC in child.needs:
        community = r.choice(demo.world.households.community)
        languages, faith, cultural = [community.language], community.faith, community.cultural_needs
    elif child.price_family == "core" and r.random() < 0.3:
        languages = [r.choice(demo.world.children.core_languages)]
    if "British Sign Language" in summary:
        communication.append(CommunicationNeed.BSL)
    council = demo.councils[council_key]
    return referrals.ReferralDetails(
        framework_id=demo.frameworks[reference].id,
        lot_id=demo.lots[reference, lot_code].id,
        placement_kind=child.placement_kind,
        duration=duration,
        urgency=urgency,
        need_level=child.need_level,
        required_by=required_by,
        age_years=r.randint(*child.ages),
        gender=r.choice(child.genders),
        siblings_to_place_together=r.choice(child.siblings_to_place_together),
        home_district=r.choice(_reachable(demo, council, reference, lot_code, child)),
        max_distance_miles=child.max_distance_miles,
        needs=list(child.needs),
        risks_to_child=list(child.risks_to_child),
        risks_to_others=list(child.risks_to_others),
        communication_needs=communication,
        languages=languages,
        adaptations=list(child.adaptations),
        faith=faith,
        cultural_needs=cultural,
        living_alongside=child.living_alongside,
        pets=child.pets,
        additional_support=list(child.additional_support),
        additional_support_hours=child.additional_support_hours,
        deprivation_of_liberty=False,
        setting_suitability=dict(demo.world.children.settings[child.settings]),
        legal_status=r.choice(child.legal_statuses),
        category_of_need=r.choice(child.categories_of_need),
        summary=summary,
    )


def _reachable(demo: Demo, council: Council, reference: str, lot_code: str, child: Child) -> list[str]:
    """The council's districts within reach of a household or home on the lot that could take such a child."""
    members = {
        demo.providers[m.provider].id for m in demo.world.memberships if (m.framework, m.lot) == (reference, lot_code)
    }
    suitable = [
        place.district
        for place in demo.places
        if place.provider_id in members
        and child.placement_kind.value in place.kinds
        and place.min_age <= child.ages[1]
        and place.max_age >= child.ages[0]
    ]
    districts = council.districts or [council.district]
    near = [
        district
        for district in districts
        if any(
            (demo.districts.miles_between(district, there) or 999) <= child.max_distance_miles * 0.7
            for there in suitable
        )
    ]
    return near or districts


async def publish(demo: Demo, council_key: str, details: referrals.ReferralDetails, published: datetime) -> Referral:
    """Write and publish a referral as at `published`."""
    officer = demo.officers[council_key]
    created = published - timedelta(minutes=demo.rng.randint(20, 150))
    needed_by = details.required_by
    assert needed_by is not None
    if needed_by < demo.now + timedelta(hours=1):
        details.required_by = demo.now + (needed_by - published)
    referral = await referrals.create_referral(officer, details)
    await Referral.filter(id=referral.id).update(created_at=created, updated_at=created)
    await demo.stamp(created)
    referral = await referrals.publish_referral(officer, referral.id, now=published)
    await Referral.filter(id=referral.id).update(updated_at=published)
    await demo.stamp(published)
    if details.required_by != needed_by:
        demo.needed_by[referral.id] = needed_by
    return referral


async def close_case(demo: Demo, referral: Referral) -> None:
    needed_by = demo.needed_by.pop(referral.id, None)
    if needed_by is not None:
        await Referral.filter(id=referral.id).update(required_by=needed_by)


async def sent_to(demo: Demo, referral: Referral) -> list[str]:
    """Keys of the providers the referral has been sent to and that have not answered, in a stable order."""
    rows = await BroadcastRecipient.filter(
        referral_id=referral.id, sent_at__isnull=False, responded_at__isnull=True
    ).order_by("tier", "provider_id")
    by_id = {p.id: key for key, p in demo.providers.items()}
    return [by_id[row.provider_id] for row in rows]


async def matches(demo: Demo, referral: Referral, keys: list[str]) -> dict[str, list[Place]]:
    """Each provider's households or homes that could take the child, best first (the matching service)."""
    found: dict[str, list[Place]] = {key: [] for key in keys}
    if not keys:
        return found
    by_id = {demo.providers[key].id: key for key in keys}
    for result in await best_matches(referral, list(by_id)):
        candidate = result.candidate
        place = demo.by_ref.get((candidate.kind is ResourceKind.CHILDRENS_HOME, candidate.id))
        if result.eligible and place is not None:
            found[by_id[candidate.provider_id]].append(place)
    return found


async def decline(demo: Demo, key: str, referral: Referral, when: datetime, reason: DeclineReason) -> None:
    note = demo.rng.choice(demo.world.offers.decline_notes[reason])
    await offers.decline_referral(demo.duty[key], referral.id, reason, note)
    await BroadcastRecipient.filter(referral_id=referral.id, provider_id=demo.providers[key].id).update(
        responded_at=when, viewed_at=when - timedelta(minutes=demo.rng.randint(5, 50))
    )
    await demo.stamp(when)


async def offer(
    demo: Demo,
    key: str,
    referral: Referral,
    place: Place,
    when: datetime,
    start: date,
    price_family: str,
    spot_fee: int | None = None,
) -> Offer:
    wording = demo.world.offers.matching_statement
    miles = demo.districts.miles_between(place.district, referral.home_district)
    statement = wording.opening[price_family]
    if miles is not None:
        statement += f", about {round(miles)} miles from home"
    statement += ". " + demo.rng.choice(wording.closings)
    details = offers.OfferDetails(
        referral_id=referral.id,
        start_date=max(start, demo.today),
        matching_statement=statement,
        carer_household_id=None if place.is_home else place.id,
        childrens_home_id=place.id if place.is_home else None,
        spot_weekly_fee_pence=spot_fee,
    )
    made = await offers.submit_offer(demo.duty[key], details)
    await Offer.filter(id=made.id).update(submitted_at=when, updated_at=when, start_date=start)
    await BroadcastRecipient.filter(referral_id=referral.id, provider_id=demo.providers[key].id).update(
        responded_at=when, viewed_at=when - timedelta(minutes=demo.rng.randint(5, 40))
    )
    await demo.stamp(when)
    return made


async def shortlist(demo: Demo, council_key: str, offer: Offer, when: datetime) -> None:
    await offers.shortlist_offer(demo.officers[council_key], offer.id)
    await Offer.filter(id=offer.id).update(updated_at=when)
    await demo.stamp(when)


async def accept(
    demo: Demo, council_key: str, referral: Referral, offer: Offer, place: Place, when: datetime, children: int
) -> Placement:
    placement = await offers.accept_offer(demo.officers[council_key], offer.id)
    await Referral.filter(id=referral.id).update(closed_at=when, updated_at=when)
    await Offer.filter(referral_id=referral.id, decided_at__isnull=False).update(decided_at=when, updated_at=when)
    await BroadcastRecipient.filter(referral_id=referral.id, outcome_notified_at__isnull=False).update(
        outcome_notified_at=when
    )
    await Placement.filter(id=placement.id).update(created_at=when)
    await demo.stamp(when)
    demo.placed[place.is_home, place.id] += children
    return placement


async def withdraw(demo: Demo, council_key: str, referral: Referral, when: datetime, reason: str) -> None:
    await referrals.withdraw_referral(demo.officers[council_key], referral.id, reason)
    await Referral.filter(id=referral.id).update(closed_at=when, updated_at=when)
    await BroadcastRecipient.filter(referral_id=referral.id, outcome_notified_at__isnull=False).update(
        outcome_notified_at=when
    )
    await demo.stamp(when)


async def run_clock_once(demo: Demo, referral: Referral) -> bool:
    """The cascade clock reaching this referral's tier deadline."""
    await referral.refresh_from_db()
    if referral.tier_deadline is None or referral.tier_deadline > demo.now:
        return False
    when = referral.tier_deadline
    moved = await broadcast.cascade_due(now=when)
    await demo.stamp(when)
    return moved > 0


async def end(
    demo: Demo,
    council_key: str,
    placement: Placement,
    place: Place,
    start: date,
    reason: ReasonPlacementChanged,
    planned: bool,
    children: int,
) -> None:
    r = demo.rng
    latest = (demo.today - start).days - 2
    length = min(r.randint(25, 110), max(1, latest))
    end_date = start + timedelta(days=length)
    if reason is ReasonPlacementChanged.CREQB:
        # The carer gives the provider's 28 days' notice: the provider ends it.
        actor = demo.duty[demo.provider_key(placement.provider_id)]
        notice: date | None = end_date - timedelta(days=28)
    elif planned:
        actor, notice = demo.officers[council_key], end_date - timedelta(days=r.randint(30, 45))
    else:
        actor, notice = demo.officers[council_key], None
    if notice is not None and notice < start:
        notice = start
    await placements.end_placement(
        actor, placement.id, end_date=end_date, reason=reason, planned=planned, notice_given_on=notice
    )
    when = datetime.combine(end_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=r.randint(9, 16))
    await demo.stamp(demo.before_now(when))
    demo.placed[place.is_home, place.id] -= children
