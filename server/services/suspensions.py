"""Suspending a provider's place on a framework lot from referrals, and lifting it.

A judgement below the framework's minimum suspends automatically (see server.services.ofsted_import); a lead
commissioner can also suspend by hand with a reason. Only a commissioner (or a platform admin) lifts a
suspension, and one made by a judgement only once the judgement meets the minimum again: a judgement that
rises back does not lift it by itself. The lead council's commissioners and the provider are told each time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import OfstedJudgement, Role
from server.models import Framework, Lot, LotMembership, MembershipSuspension, Provider
from server.outbox.kinds import Notification
from server.services.errors import ErrorCode, ServiceError, denied, invalid
from server.services.framework_changes import audit_change
from server.services.free_text import identifying_problems
from server.services.lookups import membership_for
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

OFSTED_IMPORT = "Ofsted import"
MAX_REASON = 2000


async def open_suspension(membership_id: int) -> MembershipSuspension | None:
    return await MembershipSuspension.filter(membership_id=membership_id, lifted_at__isnull=True).first()


async def _managed(actor: Actor, membership_id: int) -> tuple[LotMembership, Lot, Framework]:
    """Another tenant's membership is not found, as an unknown one; denied only where the actor sees it."""
    membership = await membership_for(actor, membership_id)
    lot = await Lot.get(id=membership.lot_id).prefetch_related("framework")
    if not policy.may_suspend_membership(actor, lot.framework):
        raise denied("Only the framework's lead commissioners or platform admins suspend or lift its members.")
    return membership, lot, lot.framework


async def suspend_membership(
    actor: Actor, *, membership_id: int, reason: str, starts_on: date | None = None
) -> MembershipSuspension:
    """A commissioner suspends a member from referrals on one lot, with a reason the provider is told."""
    membership, lot, framework = await _managed(actor, membership_id)
    today = datetime.now(UTC).date()
    reason = reason.strip()
    starts_on = starts_on or today
    problems: list[ServiceError] = []
    if not reason:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Say why the provider is suspended.", "reason"))
    elif len(reason) > MAX_REASON:
        problems.append(invalid("reason", f"Keep the reason under {MAX_REASON} characters."))
    problems += identifying_problems([("reason", reason)])
    if starts_on < today:
        problems.append(invalid("startsOn", "A suspension starts today or later: referrals already sent stand."))
    elif (starts_on - today).days > 366:
        problems.append(invalid("startsOn", "A suspension starts within a year from today."))
    if membership.left_on is not None and membership.left_on <= today:
        problems.append(invalid("membershipId", "That provider has left the lot: there is nothing to suspend."))
    if problems:
        raise ServiceError.many(problems)
    if await open_suspension(membership.id):
        raise ServiceError(ErrorCode.WRONG_STATE, "That provider is already suspended on this lot.", "membershipId")
    provider = await Provider.get(id=membership.provider_id)
    async with unit_of_work() as work:
        suspension = await _suspend(
            work, membership, lot, framework, provider, reason=reason, starts_on=starts_on, actor=actor
        )
    return suspension


async def suspend_for_judgement(
    work: UnitOfWork, provider: Provider, judgement: OfstedJudgement, today: date, *, made_by: str = OFSTED_IMPORT
) -> list[MembershipSuspension]:
    """Inside an import's unit of work: suspend each of the provider's current places on a lot whose framework's
    minimum the judgement falls below (those already suspended stay as they are)."""
    memberships = await LotMembership.filter(provider_id=provider.id).prefetch_related("lot__framework")
    already = set(
        await MembershipSuspension.filter(
            membership_id__in=[m.id for m in memberships], lifted_at__isnull=True
        ).values_list("membership_id", flat=True)
    )
    made = []
    for membership in memberships:
        framework = membership.lot.framework
        if membership.id in already or (membership.left_on is not None and membership.left_on <= today):
            continue
        minimum = OfstedJudgement(framework.minimum_ofsted_judgement)
        if judgement.meets(minimum):
            continue
        reason = f"Ofsted judged it {judgement.label}, below the framework's minimum of {minimum.label}"
        made.append(
            await _suspend(
                work,
                membership,
                membership.lot,
                framework,
                provider,
                reason=reason,
                starts_on=today,
                actor=None,
                judgement=judgement,
                made_by=made_by,
            )
        )
    return made


async def _suspend(
    work: UnitOfWork,
    membership: LotMembership,
    lot: Lot,
    framework: Framework,
    provider: Provider,
    *,
    reason: str,
    starts_on: date,
    actor: Actor | None,
    judgement: OfstedJudgement | None = None,
    made_by: str = "",
) -> MembershipSuspension:
    suspension = await MembershipSuspension.create(
        membership_id=membership.id,
        starts_on=starts_on,
        reason=reason,
        judgement=judgement,
        suspended_by_id=actor.user_id if actor else None,
        made_by=made_by or _who(actor),
    )
    audit_change(
        work,
        "membership.suspended",
        actor=actor,
        made_by=made_by,
        framework_id=framework.id,
        provider_id=provider.id,
        subject=f"{provider.name} on {lot.code} {lot.name}",
        before={"suspended": False},
        after={"suspended": True, "startsOn": starts_on.isoformat(), "reason": reason},
    )
    await _tell(work, "suspended", suspension, lot, framework, provider, by=made_by or _who(actor))
    return suspension


async def lift_suspension(actor: Actor, *, membership_id: int, note: str = "") -> MembershipSuspension:
    """A commissioner confirms the member may be sent referrals on the lot again."""
    membership, lot, framework = await _managed(actor, membership_id)
    note = note.strip()
    if len(note) > MAX_REASON:
        raise invalid("note", f"Keep the note under {MAX_REASON} characters.")
    suspension = await open_suspension(membership.id)
    if suspension is None:
        raise ServiceError(ErrorCode.WRONG_STATE, "That provider is not suspended on this lot.", "membershipId")
    provider = await Provider.get(id=membership.provider_id)
    minimum = OfstedJudgement(framework.minimum_ofsted_judgement)
    current = OfstedJudgement(provider.ofsted_judgement)
    if suspension.judgement is not None and not current.meets(minimum):
        raise ServiceError(
            ErrorCode.WRONG_STATE,
            f"Its Ofsted judgement ({current.label}) is still below the framework's minimum ({minimum.label}).",
            "membershipId",
        )
    now = datetime.now(UTC)
    async with unit_of_work() as work:
        lifted = await MembershipSuspension.filter(id=suspension.id, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by_id=actor.user_id, lift_note=note
        )
        if not lifted:  # lifted by someone else a moment ago
            raise ServiceError(ErrorCode.WRONG_STATE, "That provider is not suspended on this lot.", "membershipId")
        audit_change(
            work,
            "membership.suspension_lifted",
            actor=actor,
            framework_id=framework.id,
            provider_id=provider.id,
            subject=f"{provider.name} on {lot.code} {lot.name}",
            before={"suspended": True},
            after={"suspended": False, **({"note": note} if note else {})},
        )
        await _tell(work, "lifted", suspension, lot, framework, provider, by=_who(actor))
    await suspension.refresh_from_db()
    return suspension


def _who(actor: Actor | None) -> str:
    if actor is None:
        return "The exchange"
    return "A platform admin" if actor.is_admin else "A commissioner of the lead council"


async def _tell(
    work: UnitOfWork,
    step: str,
    suspension: MembershipSuspension,
    lot: Lot,
    framework: Framework,
    provider: Provider,
    *,
    by: str,
) -> None:
    context = {
        "step": step,
        "provider": provider.name,
        "framework": framework.name,
        "lot": f"{lot.code} {lot.name}",
        "reason": suspension.reason,
        "starts_on": f"{suspension.starts_on:%d %b %Y}",
        "by": by,
    }
    key = f"suspension.{suspension.id}.{step}"
    await work.notify(
        Notification.MEMBERSHIP_SUSPENSION,
        Audience.of_councils([framework.lead_council_id], Role.COMMISSIONER),
        context,
        key=key,
    )
    await work.notify(Notification.MEMBERSHIP_SUSPENSION, Audience.of_providers([provider.id]), context, key=key)
    await work.record(
        f"framework.membership_{step}",
        [f"framework:{framework.id}", f"provider:{provider.id}", f"council:{framework.lead_council_id}", "admin"],
        {
            "frameworkId": framework.id,
            "lotId": lot.id,
            "providerId": provider.id,
            "membershipId": suspension.membership_id,
            "suspensionId": suspension.id,
        },
    )
