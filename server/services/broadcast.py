"""Targeted broadcast of a referral, the tier cascade, and escalation to spot purchase.

Who was considered is recorded (BroadcastRecipient): sent now, held for a later
tier, or excluded with the reason, so that a council can see why a provider
never saw a referral.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from server.domain.framework_terms import window_hours
from server.domain.matching import DEFAULT_WEIGHTS, MatchResult
from server.domain.vocabulary import OfstedJudgement, ProviderStatus, ReferralStatus, Urgency
from server.models import BroadcastRecipient, Framework, Offer, Provider, Referral
from server.outbox.kinds import Notification
from server.repositories.frameworks import framework_by_id
from server.repositories.lots import LotMember, lot_members, suspended_on_lot
from server.services.matching import best_matches
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work


@dataclass
class BroadcastPlan:
    tiers: dict[int, list[int]] = field(default_factory=dict)
    exclusions: dict[int, str] = field(default_factory=dict)
    framework: Framework | None = None

    @property
    def first_tier(self) -> int | None:
        return min(self.tiers) if self.tiers else None

    def first_deadline(self, referral: Referral, now: datetime) -> datetime | None:
        """When the first tier's response window closes, if a later tier is waiting for it."""
        if self.framework is None or not any(tier != self.first_tier for tier in self.tiers):
            return None
        return now + response_window(self.framework, referral, self.first_tier)

    def summary_of_exclusions(self) -> str:
        reasons = sorted(set(self.exclusions.values()))
        return "; ".join(reasons) if reasons else "the lot has no members"


async def plan_broadcast(referral: Referral) -> BroadcastPlan:
    """Decide who receives the referral, tier by tier, and why the others do not."""
    # All at once (on PostgreSQL, pooled connections side by side): the council's publish waits for them.
    # The lot's households and homes are read whether or not the framework asks for a matching one.
    framework, members, matches = await asyncio.gather(
        framework_by_id(referral.framework_id),
        lot_members(referral.lot_id),
        # Weights move scores, never eligibility: the plan needs only who could take the child.
        best_matches(referral, lot_id=referral.lot_id, track_records_count=False, weights=DEFAULT_WEIGHTS),
    )
    minimum = OfstedJudgement(framework.minimum_ofsted_judgement)
    plan = BroadcastPlan(framework=framework)
    tiers: dict[int, list[int]] = defaultdict(list)
    for member in members:
        reason = _exclusion(member, minimum, referral)
        if reason:
            plan.exclusions[member.provider_id] = reason
        else:
            tiers[member.tier].append(member.provider_id)
    if framework.require_matching_resource and tiers:
        _exclude_without_match(matches, tiers, plan)
    plan.tiers = {tier: ids for tier, ids in sorted(tiers.items()) if ids}
    return plan


def _exclude_without_match(matches: list[MatchResult], tiers: dict[int, list[int]], plan: BroadcastPlan) -> None:
    """Targeted broadcast: no more 'send to all' of children a provider could not possibly take."""
    by_provider: dict[int, list[MatchResult]] = defaultdict(list)
    for result in matches:
        by_provider[result.candidate.provider_id].append(result)
    for tier, ids in tiers.items():
        kept = []
        for provider_id in ids:
            results = by_provider.get(provider_id, [])
            if any(result.eligible for result in results):
                kept.append(provider_id)
            else:
                plan.exclusions[provider_id] = _why_no_match(results)
        tiers[tier] = kept


def _why_no_match(results: list) -> str:
    if not results:
        return "no active household or home approved for the child's age"
    closest = results[0]
    unmet = [reason.text for reason in closest.reasons if reason.hard and not reason.met]
    return f"no household or home that could match (closest, {closest.candidate.label}: {'; '.join(unmet[:2])})"


def _exclusion(member: LotMember, minimum: OfstedJudgement, referral: Referral) -> str | None:
    if member.left_on is not None and member.left_on <= referral.required_by.date():
        return f"left the framework on {member.left_on:%d %b %Y}"
    if member.status is not ProviderStatus.ACTIVE:
        return f"provider {member.status.label.lower()}"
    if not member.ofsted_judgement.meets(minimum):
        return f"Ofsted judgement below the framework minimum ({minimum.label})"
    if member.suspended:
        return SUSPENDED
    return None


SUSPENDED = "suspended from referrals on this lot"


def response_window(framework: Framework, referral: Referral, tier: int | None = None) -> timedelta:
    """An emergency's window, else the tier's own (Framework.response_hours_by_tier), else the framework's."""
    if referral.urgency is Urgency.TODAY:
        return timedelta(hours=framework.emergency_response_hours)
    return timedelta(hours=window_hours(framework.response_hours_by_tier, framework.tier_response_hours, tier))


async def send(work: UnitOfWork, referral: Referral, plan: BroadcastPlan, now: datetime) -> None:
    """Record every provider considered and send to the first tier (whose window the referral holds)."""
    first = plan.first_tier
    rows: list[dict] = []
    for tier, provider_ids in plan.tiers.items():
        sent_at = now if tier == first else None  # later tiers wait for the first one's window
        rows += [
            {
                "referral_id": referral.id,
                "council_id": referral.council_id,
                "provider_id": p,
                "tier": tier,
                "sent_at": sent_at,
            }
            for p in provider_ids
        ]
    rows += [
        {
            "referral_id": referral.id,
            "council_id": referral.council_id,
            "provider_id": provider_id,
            "excluded_reason": reason,
        }
        for provider_id, reason in plan.exclusions.items()
    ]
    work.insert(BroadcastRecipient, rows)  # written with the announcement's event
    await announce(
        work, referral, plan.tiers.get(first, []) if first is not None else [], "referral.published", tier=first
    )


async def announce(
    work: UnitOfWork,
    referral: Referral,
    provider_ids: list[int],
    event_type: str,
    *,
    tier: int | None,
    spot: bool = False,
) -> None:
    topics = [f"council:{referral.council_id}", f"referral:{referral.id}", *(f"provider:{p}" for p in provider_ids)]
    # The emails first, so that their rows go in the event's statement (UnitOfWork.insert); each tier of a
    # referral, and its spot purchase, is announced once.
    await work.notify(
        Notification.REFERRAL_BROADCAST,
        Audience.of_providers(provider_ids),
        {**referral_context(referral), "spot": spot},
        key=f"{event_type}.{referral.id}.{tier}",
    )
    await work.record(
        event_type,
        topics,
        {
            "referralId": referral.id,
            "reference": referral.reference,
            "status": referral.status.value,
            "tier": tier,
            "spot": spot,
            "providerIds": provider_ids,
        },
        loaded=(referral,),  # every caller has just written or re-read it
    )


async def escalate_to_spot(referral: Referral, now: datetime) -> list[int]:
    """All tiers exhausted: send to eligible registered providers off the framework, flagged as spot."""
    already = set(await BroadcastRecipient.filter(referral_id=referral.id).values_list("provider_id", flat=True))
    candidates = (
        await Provider.filter(status=ProviderStatus.ACTIVE)
        .exclude(id__in=list(already))
        .exclude(ofsted_judgement=OfstedJudgement.INADEQUATE)
        .values_list("id", flat=True)
    )
    matches = await best_matches(
        referral, candidates, eligible_only=True, track_records_count=False, weights=DEFAULT_WEIGHTS
    )
    chosen = sorted({result.candidate.provider_id for result in matches})
    async with unit_of_work() as work:
        claimed = await Referral.filter(id=referral.id, status=ReferralStatus.OPEN, escalated_to_spot=False).update(
            escalated_to_spot=True, tier_deadline=None, updated_at=now
        )
        if not claimed:
            return []
        await BroadcastRecipient.bulk_create(
            [
                BroadcastRecipient(
                    referral_id=referral.id, council_id=referral.council_id, provider_id=pid, is_spot=True, sent_at=now
                )
                for pid in chosen
            ]
        )
        await referral.refresh_from_db()
        await announce(work, referral, chosen, "referral.escalated", tier=None, spot=True)
    return chosen


async def cascade_due(now: datetime | None = None) -> int:
    """Send referrals whose tier window closed without an offer to their next tier. Returns how many moved."""
    now = now or datetime.now(UTC)
    moved = 0
    for referral in await Referral.filter(status=ReferralStatus.OPEN, tier_deadline__lte=now):
        async with unit_of_work() as work:
            if await cascade_one(work, referral, now):
                moved += 1
    return moved


async def cascade_one(work: UnitOfWork, referral: Referral, now: datetime) -> bool:
    if await Offer.filter(referral_id=referral.id, live=1).exists():
        # A live offer the council could accept: stop the clock, do not widen the broadcast.
        await Referral.filter(id=referral.id).update(tier_deadline=None)
        return False
    pending = await BroadcastRecipient.filter(
        referral_id=referral.id, sent_at__isnull=True, excluded_reason__isnull=True, tier__gt=referral.current_tier or 0
    ).order_by("tier")
    if not pending:
        await Referral.filter(id=referral.id).update(tier_deadline=None)
        return False
    next_tier = pending[0].tier
    provider_ids = [row.provider_id for row in pending if row.tier == next_tier]
    if suspended := await suspended_on_lot(referral.lot_id) & set(provider_ids):  # suspended since it was published
        await BroadcastRecipient.filter(referral_id=referral.id, provider_id__in=list(suspended)).update(
            excluded_reason=SUSPENDED
        )
        provider_ids = [p for p in provider_ids if p not in suspended]
        if not provider_ids:  # that whole tier is suspended: the next one, now
            return await cascade_one(work, referral, now)
    # Conditional on the deadline we read: two workers cannot both cascade the same tier.
    claimed = await Referral.filter(
        id=referral.id, current_tier=referral.current_tier, status=ReferralStatus.OPEN
    ).update(current_tier=next_tier)
    if not claimed:
        return False
    framework = await Framework.get(id=referral.framework_id)
    later = any(row.tier != next_tier for row in pending)
    await Referral.filter(id=referral.id).update(
        tier_deadline=now + response_window(framework, referral, next_tier) if later else None
    )
    await BroadcastRecipient.filter(referral_id=referral.id, provider_id__in=provider_ids, sent_at__isnull=True).update(
        sent_at=now
    )
    await referral.refresh_from_db()
    await announce(work, referral, provider_ids, "referral.cascaded", tier=next_tier)
    return True
