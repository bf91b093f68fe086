"""Referral use cases: write a draft, update it, publish it, withdraw it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from server.auth import policy
from server.auth.actor import Actor
from server.domain.framework_terms import not_in_force_reason
from server.domain.geography import normalise_district
from server.domain.referral_profile import PROFILE, ReferralDetails
from server.domain.vocabulary import PlacementKind, ReferralStatus
from server.events.version import note_local_change
from server.models import BroadcastRecipient, Council, Framework, Lot, Referral, ReferralCounter
from server.outbox.kinds import Notification
from server.repositories.frameworks import framework_by_id
from server.repositories.referrals import open_draft
from server.services import block_call_off, broadcast
from server.services.districts import district_directory
from server.services.errors import ErrorCode, ServiceError, denied, invalid, wrong_state
from server.services.free_text import identifying_problems
from server.services.lookups import referral_for
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work


async def create_referral(
    actor: Actor, details: ReferralDetails, *, recorded: dict[str, Any] | None = None
) -> Referral:
    """`recorded`: columns outside the profile an import carries (who referred and when), written with it."""
    if not policy.may_write_referral(actor):
        raise denied("Only placement officers can write referrals.")
    missing = [
        ServiceError(ErrorCode.REQUIRED, "This is required.", field.api_name)
        for field in PROFILE
        if field.rules.required and getattr(details, field.name) is None
    ]
    if missing:
        raise ServiceError.many(missing)
    values = await _validated(actor, details.given(), current=None)
    council = await Council.get(id=actor.council_id)
    year = datetime.now(UTC).year
    await _ensure_counter(council, year)
    async with unit_of_work() as work:
        reference = await _next_reference(council, year)
        referral = await Referral.create(
            reference=reference,
            council_id=council.id,
            author_id=actor.user_id,
            status=ReferralStatus.DRAFT,
            **values,
            **(recorded or {}),
        )
        await work.record("referral.created", [f"council:{council.id}", f"referral:{referral.id}"], _payload(referral))
    return referral


async def step_across_draft(work: UnitOfWork, actor: Actor, source: Referral, placement_kind: Any) -> Referral:
    """A draft referral prefilled from `source`'s profile for another kind of placement (a step-across from
    residential care to fostering): same framework, no lot yet, needed by 28 days from now."""
    values = {field.name: getattr(source, field.name) for field in PROFILE if hasattr(source, field.name)}
    values.update(placement_kind=placement_kind, lot_id=None, required_by=datetime.now(UTC) + timedelta(days=28))
    values.pop("lot", None)
    council = await Council.get(id=source.council_id)
    year = datetime.now(UTC).year
    await _ensure_counter(council, year)
    reference = await _next_reference(council, year)
    referral = await Referral.create(
        reference=reference, council_id=council.id, author_id=actor.user_id, status=ReferralStatus.DRAFT, **values
    )
    await work.record("referral.created", [f"council:{council.id}", f"referral:{referral.id}"], _payload(referral))
    return referral


async def update_referral(actor: Actor, referral_id: int, details: ReferralDetails) -> Referral:
    referral = await referral_for(actor, referral_id, "id")
    if not policy.may_write_referral(actor, referral):
        raise denied("Only the council's placement officers can change this referral.")
    if referral.status is not ReferralStatus.DRAFT:
        raise wrong_state("Only a draft referral can be changed. Withdraw it and write a new one.", "id")
    values = await _validated(actor, details.given(), current=referral)
    async with unit_of_work() as work:
        changed = await Referral.filter(id=referral.id, status=ReferralStatus.DRAFT).update(
            **values, updated_at=datetime.now(UTC)
        )
        if not changed:
            raise wrong_state("The referral was published or withdrawn meanwhile.", "id")
        await referral.refresh_from_db()
        await work.record(
            "referral.updated", [f"council:{referral.council_id}", f"referral:{referral.id}"], _payload(referral)
        )
    return referral


async def publish_referral(actor: Actor, referral_id: int, *, now: datetime | None = None) -> Referral:
    """Open the referral and broadcast it to the first tier of eligible framework providers."""
    now = now or datetime.now(UTC)
    referral = await referral_for(actor, referral_id, "id")
    if not policy.may_write_referral(actor, referral):
        raise denied("Only the council's placement officers can publish this referral.")
    if referral.status is not ReferralStatus.DRAFT:
        raise wrong_state(f"This referral is {referral.status.label.lower()}: only a draft can be published.", "id")
    problems = _publish_problems(referral, now) + await _term_problems(referral, now)
    if problems:
        raise ServiceError.many(problems)
    # Even when no framework provider can take the child it opens: the council sees why in the
    # recipients and can escalate to spot purchase at once.
    plan = await broadcast.plan_broadcast(referral)
    # Call-off before the market: a free block place the child fits is offered to its provider first.
    block = await block_call_off.free_place_for(referral)
    async with unit_of_work() as work:
        # Conditional on the draft as it was read; the row comes back as stored, for the announcement.
        if block is not None:
            contract, place = block
            opened = await open_draft(
                referral,
                now=now,
                tier=block_call_off.CALL_OFF_TIER,
                tier_deadline=now + timedelta(hours=contract.call_off_window_hours),
            )
        else:
            opened = await open_draft(
                referral, now=now, tier=plan.first_tier, tier_deadline=plan.first_deadline(referral, now)
            )
        if opened is None:
            raise wrong_state("The referral was changed, published or withdrawn meanwhile: reload it.", "id")
        if block is not None:
            await block_call_off.offer_first(work, opened, plan, contract, place, now)
        else:
            await broadcast.send(work, opened, plan, now)
    return opened


async def _term_problems(referral: Referral, now: datetime) -> list[ServiceError]:
    """A framework takes new referrals only while in force (start reached, end or latest extension not passed)."""
    framework = await framework_by_id(referral.framework_id) if referral.framework_id else None
    if framework is None:
        return []
    reason = not_in_force_reason(framework.starts_on, framework.ends_on, framework.extended_to, now.date())
    return [wrong_state(reason, "frameworkId")] if reason else []


def _publish_problems(referral: Referral, now: datetime) -> list[ServiceError]:
    problems = []
    if referral.framework_id is None or referral.lot_id is None:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Choose the framework lot to broadcast on.", "lotId"))
    if referral.required_by < now - timedelta(hours=1):
        problems.append(invalid("requiredBy", "The required-by time has passed: set when the child needs a home."))
    problems += identifying_problems(
        [("summary", referral.summary), ("culturalNeeds", referral.cultural_needs), ("faith", referral.faith)]
    )
    return problems


async def withdraw_referral(actor: Actor, referral_id: int, reason: str = "") -> Referral:
    referral = await referral_for(actor, referral_id, "id")
    if not policy.may_write_referral(actor, referral):
        raise denied("Only the council's placement officers can withdraw this referral.")
    if referral.status not in (ReferralStatus.DRAFT, ReferralStatus.OPEN):
        raise wrong_state(f"This referral is already {referral.status.label.lower()}.", "id")
    if problems := identifying_problems([("reason", reason)]):
        raise ServiceError.many(problems)
    now = datetime.now(UTC)
    async with unit_of_work() as work:
        changed = await Referral.filter(id=referral.id, status=referral.status).update(
            status=ReferralStatus.WITHDRAWN,
            closed_at=now,
            updated_at=now,
            tier_deadline=None,
            withdrawal_reason=reason.strip(),
        )
        if not changed:
            raise wrong_state("The referral changed meanwhile; reload it.", "id")
        await referral.refresh_from_db()
        await close_for_providers(work, referral, "referral.withdrawn", placed_with=None)
    return referral


async def escalate_to_spot(actor: Actor, referral_id: int, *, now: datetime | None = None) -> Referral:
    """Every framework tier has had its window and no offer fits: spot purchase from registered providers."""
    now = now or datetime.now(UTC)
    referral = await referral_for(actor, referral_id, "id")
    if not policy.may_write_referral(actor, referral):
        raise denied("Only the council's placement officers can escalate this referral.")
    if referral.status is not ReferralStatus.OPEN:
        raise wrong_state("Only an open referral can go to spot purchase.", "id")
    if referral.escalated_to_spot:
        raise wrong_state("This referral has already gone to spot purchase.", "id")
    pending = await BroadcastRecipient.filter(
        referral_id=referral.id, sent_at__isnull=True, excluded_reason__isnull=True
    ).exists()
    if pending or referral.tier_deadline is not None:
        raise wrong_state(
            "Framework tiers are not exhausted yet: wait for the last tier's response window to close.", "id"
        )
    chosen = await broadcast.escalate_to_spot(referral, now)
    if not chosen:
        raise ServiceError(
            ErrorCode.NOT_ELIGIBLE, "No registered provider off the framework could take this child.", "id"
        )
    return referral  # re-read inside escalate_to_spot's unit of work, then handed to live subscribers as is


async def close_for_providers(work: UnitOfWork, referral: Referral, event_type: str, placed_with: int | None) -> None:
    """Tell every provider the referral was sent to (and not yet told) that it is closed."""
    recipients = await BroadcastRecipient.filter(
        referral_id=referral.id, sent_at__isnull=False, outcome_notified_at__isnull=True
    )
    provider_ids = [r.provider_id for r in recipients]
    await work.record(
        event_type,
        [f"council:{referral.council_id}", f"referral:{referral.id}", *(f"provider:{p}" for p in provider_ids)],
        _payload(referral),
    )
    told = [p for p in provider_ids if p != placed_with]
    if told:
        await work.notify(
            Notification.REFERRAL_CLOSED,
            Audience.of_providers(told),
            {**referral_context(referral), "placed": placed_with is not None},
            key=f"{event_type}.{referral.id}",
        )
    await BroadcastRecipient.filter(id__in=[r.id for r in recipients]).update(outcome_notified_at=datetime.now(UTC))


async def record_viewed(actor: Actor, referral: Referral) -> None:
    """A provider opened the referral: councils see who viewed it."""
    if policy.has_referral_inbox(actor):
        if await BroadcastRecipient.filter(
            referral_id=referral.id, provider_id=actor.provider_id, viewed_at__isnull=True
        ).update(viewed_at=datetime.now(UTC)):
            note_local_change([f"council:{referral.council_id}", f"provider:{actor.provider_id}"])


async def _validated(actor: Actor, values: dict[str, Any], current: Referral | None) -> dict[str, Any]:
    """The values given, in the form their columns keep; every problem (profile, district, lot) raised at once."""
    given = [field for field in PROFILE if field.name in values]
    written, values = values, {field.name: field.stored(values[field.name]) for field in given}
    problems = [
        invalid(field.api_name, field.rules.limits.message)
        for field in given
        if field.rules.limits and not field.rules.limits.allow(values[field.name])
    ]
    if "home_district" in values:
        problems += await _district_problems(values)
    # Checked as written, and a list item by item ("languages.1"), so the portal marks the words where they are.
    free_text = [field for field in given if field.rules.free_text]
    problems += identifying_problems(
        [(field.api_name, written[field.name]) for field in free_text if not field.is_list]
        + [
            (f"{field.api_name}.{i}", item)
            for field in free_text
            if field.is_list
            for i, item in enumerate(written[field.name])
        ]
    )
    problems += await _framework_problems(actor, values, current)
    if problems:
        raise ServiceError.many(problems)
    return values


async def _district_problems(values: dict[str, Any]) -> list[ServiceError]:
    try:
        values["home_district"] = normalise_district(values["home_district"])
    except ValueError:
        return [invalid("homeDistrict", "Give the postcode district only, such as ME14: never the full postcode.")]
    if values["home_district"] not in await district_directory():
        return [invalid("homeDistrict", f"We do not know the postcode district {values['home_district']}.")]
    return []


async def _framework_problems(actor: Actor, values: dict[str, Any], current: Referral | None) -> list[ServiceError]:
    framework_id = values.get("framework_id", current.framework_id if current else None)
    lot_id = values.get("lot_id", current.lot_id if current else None)
    kind = values.get("placement_kind", current.placement_kind if current else None)
    if framework_id is None:
        return [] if lot_id is None else [invalid("frameworkId", "Choose the framework of the lot.")]
    framework = await Framework.get_or_none(id=framework_id)
    if framework is None or not await framework.member_councils.filter(id=actor.council_id).exists():
        return [invalid("frameworkId", "Your council is not a member of that framework.")]
    if lot_id is None:
        return []
    lot = await Lot.get_or_none(id=lot_id, framework_id=framework_id)
    if lot is None:
        return [invalid("lotId", f"That lot is not part of {framework.name}.")]
    if kind is not None and str(kind) not in lot.placement_kinds:
        return [invalid("placementKind", f"Lot {lot.code} ({lot.name}) does not cover {PlacementKind(kind).label}.")]
    return []


async def _ensure_counter(council: Council, year: int) -> None:
    """Outside the transaction: on PostgreSQL a failed insert would abort it."""
    if not await ReferralCounter.exists(council_id=council.id, year=year):
        try:
            await ReferralCounter.create(council_id=council.id, year=year, last_number=0)
        except IntegrityError:
            pass  # another request created it first


async def _next_reference(council: Council, year: int) -> str:
    """Conditional increment: the row lock (PostgreSQL) or the single writer (SQLite) serialises it."""
    await ReferralCounter.filter(council_id=council.id, year=year).update(last_number=F("last_number") + 1)
    counter = await ReferralCounter.get(council_id=council.id, year=year)
    return f"{council.reference_prefix}-{year}-{counter.last_number:05d}"


def _payload(referral: Referral) -> dict[str, Any]:
    return {"referralId": referral.id, "reference": referral.reference, "status": referral.status.value}
