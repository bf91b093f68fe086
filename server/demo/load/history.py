"""Six months of history (referrals.toml): every referral, offer, decline, shortlisting, acceptance, spot purchase
and ending goes through the use cases, so the event log and the email outbox hold what they would in real use;
timestamps are then moved into the past (`Demo.stamp`) so that medians and monthly figures mean something.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from server.demo.load import steps
from server.demo.load.context import Demo, Place
from server.demo.world import ClosedCase, OpenCase
from server.domain.vocabulary import DeclineReason, OutboxStatus, ReferralStatus, Urgency
from server.models import BroadcastRecipient, Offer, OutboxMessage, Referral
from server.services import referrals
from server.services.errors import ServiceError


async def load(demo: Demo) -> None:
    await demo.floors()
    spec = demo.world.referrals
    # Oldest first, so reference numbers follow the order referrals were written.
    cases: list[tuple[int, ClosedCase | OpenCase]] = [
        (30 if case.days_ago <= 2 else case.days_ago * 24, case) for case in spec.closed
    ] + [(case.hours_ago, case) for case in spec.open]
    for _, case in sorted(cases, key=lambda c: -c[0]):
        if isinstance(case, ClosedCase):
            await closed_case(demo, case)
        else:
            await open_case(demo, case)
    await run_cascade_clock(demo)
    await draft(demo)


async def quiet_old_emails(demo: Demo) -> None:
    """Seeded emails older than a day are marked skipped: a demo starting up does not mail months of history."""
    await OutboxMessage.filter(created_at__lt=demo.now - timedelta(hours=24)).update(
        status=OutboxStatus.SKIPPED, last_error="Demo history: recorded, not emailed."
    )


async def closed_case(demo: Demo, case: ClosedCase) -> None:
    r = demo.rng
    council_key, child = case.council, demo.world.children.child[case.child]
    day = demo.now - timedelta(days=case.days_ago)
    published = day.replace(hour=r.randint(8, 15), minute=r.randint(0, 59), second=0, microsecond=0)
    if case.days_ago <= 2:
        published = demo.now - timedelta(hours=30)
    details = steps.details(demo, council_key, child, None, published)
    if case.far:
        details.max_distance_miles = 200
    referral = await steps.publish(demo, council_key, details, published)
    urgent = referral.urgency is Urgency.TODAY
    clock = published

    def later(low_hours: float, high_hours: float) -> datetime:
        nonlocal clock
        clock = demo.before_now(clock + timedelta(hours=r.uniform(low_hours, high_hours)), 30)
        return clock

    if case.outcome == "withdrawn":
        for key in (await steps.sent_to(demo, referral))[:2]:
            await steps.decline(demo, key, referral, later(1, 6), DeclineReason.NO_CAPACITY)
        await steps.withdraw(demo, council_key, referral, later(20, 40), "The child went home to family.")
        await steps.close_case(demo, referral)
        return

    spot = case.outcome == "spot"
    held = await BroadcastRecipient.filter(
        referral_id=referral.id, sent_at__isnull=True, excluded_reason__isnull=True
    ).exists()
    if spot or (case.cascade and held):
        # Nobody on the first tier (or on any tier, before a spot purchase) can take the child.
        while True:
            sent = await steps.sent_to(demo, referral)
            found = await steps.matches(demo, referral, sent)
            for key in sent:
                reason = (
                    r.choice((DeclineReason.NO_CAPACITY, DeclineReason.RISK_TOO_HIGH, DeclineReason.LOCATION))
                    if found[key]
                    else DeclineReason.NEEDS_NOT_MET
                )
                await steps.decline(demo, key, referral, later(0.5, 3 if urgent else 8), reason)
            deadline = referral.tier_deadline
            if not await steps.run_clock_once(demo, referral):
                break
            clock = max(clock, deadline or clock)
            if not spot:
                break

    offerers: list[tuple[str, Place]] = []
    if spot:
        when = later(2, 20)
        try:
            await referrals.escalate_to_spot(demo.officers[council_key], referral.id, now=when)
        except ServiceError as error:
            demo.unfilled.append(f"{referral.reference}: {error.message}")
        await demo.stamp(when)
        sent = await steps.sent_to(demo, referral)
        found = await steps.matches(demo, referral, sent)
        wanted_key = case.spot_provider or ""
        key = wanted_key if found.get(wanted_key) else next((k for k in sent if found[k]), None)
        if key is not None:
            offerers.append((key, found[key][0]))
    else:
        sent = await steps.sent_to(demo, referral)
        r.shuffle(sent)  # whoever's duty desk answers first
        found = await steps.matches(demo, referral, sent)
        wanted = r.choice((1, 2, 2, 3))
        for key in sent:
            if found[key] and len(offerers) < wanted:
                offerers.append((key, found[key][0]))
            elif r.random() < 0.6:
                reason = (
                    r.choice((DeclineReason.NO_CAPACITY, DeclineReason.MATCHING, DeclineReason.LOCATION))
                    if found[key]
                    else DeclineReason.NEEDS_NOT_MET
                )
                await steps.decline(demo, key, referral, later(0.5, 4 if urgent else 12), reason)
    if not offerers:
        # Nobody could take the child after all: the council withdraws the referral.
        demo.unfilled.append(f"{referral.reference} ({case.child}, {case.outcome})")
        await steps.withdraw(demo, council_key, referral, later(20, 40), "No suitable home was found.")
        await steps.close_case(demo, referral)
        return

    start = (clock + timedelta(days=0 if urgent else r.randint(1, 6))).date()
    made: list[tuple[Offer, Place]] = []
    fees = demo.world.offers.spot_fee
    for key, place in offerers:
        fee = None
        if spot:
            fee = fees.get(key, fees["default_home"] if place.is_home else fees["default_household"])
        offer = await steps.offer(
            demo, key, referral, place, later(0.5, 3 if urgent else 20), start, child.price_family, spot_fee=fee
        )
        made.append((offer, place))
    winner, place = made[0]
    if case.shortlist:
        await steps.shortlist(demo, council_key, winner, later(1, 6 if urgent else 24))
    if case.days_ago <= 2:
        # Accepted this morning: a placement "this month" on the dashboards.
        month_start = demo.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        accept_at = max(demo.now - timedelta(hours=4), month_start + timedelta(minutes=5))
        clock = min(max(clock, accept_at), demo.now - timedelta(minutes=5))
    else:
        later(1, 4 if urgent else 40)
    start_on = max(start, clock.date())
    if start_on != start:
        await Offer.filter(id=winner.id).update(start_date=start_on)
    children = 1 + referral.siblings_to_place_together
    placement = await steps.accept(demo, council_key, referral, winner, place, clock, children)
    await steps.close_case(demo, referral)
    if case.outcome == "ended":
        assert case.end_reason is not None, f"{case}: an ended placement needs its end_reason"
        await steps.end(demo, council_key, placement, place, start_on, case.end_reason, case.planned_ending, children)


async def open_case(demo: Demo, case: OpenCase) -> None:
    r = demo.rng
    council_key, child = case.council, demo.world.children.child[case.child]
    published = demo.now - timedelta(hours=case.hours_ago, minutes=r.randint(0, 40))
    details = steps.details(demo, council_key, child, case.urgency, published)
    assert details.required_by is not None
    details.required_by = max(details.required_by, demo.now + timedelta(hours=r.randint(3, 8)))
    referral = await steps.publish(demo, council_key, details, published)
    window = 4 if case.urgency is Urgency.TODAY else 24
    clock = published
    made = []
    declined = 0
    sent = await steps.sent_to(demo, referral)
    r.shuffle(sent)
    found = await steps.matches(demo, referral, sent)
    for key in sent:
        clock = demo.before_now(clock + timedelta(hours=r.uniform(0.3, window * 0.4)), 10)
        if found[key] and len(made) < case.offers:
            start = max(referral.required_by.date(), demo.today)
            made.append(await steps.offer(demo, key, referral, found[key][0], clock, start, child.price_family))
        elif declined < case.declines:
            reason = DeclineReason.NO_CAPACITY if found[key] else DeclineReason.NEEDS_NOT_MET
            await steps.decline(demo, key, referral, clock, reason)
            declined += 1
        elif r.random() < 0.5:
            await BroadcastRecipient.filter(referral_id=referral.id, provider_id=demo.providers[key].id).update(
                viewed_at=clock
            )
    if made and case.shortlist_first_offer:
        await steps.shortlist(demo, council_key, made[0], demo.before_now(clock + timedelta(minutes=40), 2))
    if len(made) < case.offers:
        demo.unfilled.append(f"{referral.reference} open: {len(made)} of {case.offers} offers")


async def run_cascade_clock(demo: Demo) -> None:
    """Open referrals whose tier window closed with no offer have moved down the tiers, as the clock would."""
    while True:
        due = (
            await Referral.filter(status=ReferralStatus.OPEN, tier_deadline__lte=demo.now)
            .order_by("tier_deadline")
            .first()
        )
        if due is None:
            return
        await steps.run_clock_once(demo, due)


async def draft(demo: Demo) -> None:
    spec = demo.world.referrals.draft
    details = steps.details(demo, spec.council, demo.world.children.child[spec.child], spec.urgency, demo.now)
    referral = await referrals.create_referral(demo.officers[spec.council], details)
    when = demo.now - timedelta(minutes=spec.minutes_ago)
    await Referral.filter(id=referral.id).update(created_at=when, updated_at=when)
    await demo.stamp(when)
