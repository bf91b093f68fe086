"""Re-openings: a framework's lead commissioners open a window; provider admins apply to join its lots; the
lead commissioners approve (a tier and a price schedule, the membership joining that day) or refuse with a
reason. Every step is audited (server.services.framework_changes), an event on the framework's topics and
an email to those concerned (never with the statement or the reason: those are read in the portal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import JoinApplicationStatus, JoinDecision, ProviderStatus, Role
from server.models import Framework, JoinApplication, Lot, LotMembership, PriceScheduleEntry, Provider, Reopening
from server.outbox.kinds import Notification
from server.services.administration import PriceLine
from server.services.errors import ErrorCode, ServiceError, denied, invalid, not_found, wrong_state
from server.services.framework_changes import audit_change
from server.services.free_text import identifying_problems
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

MAX_TIER = 5
MIN_FEE_PENCE, MAX_FEE_PENCE = 1_000, 5_000_000


def today() -> date:
    return datetime.now(UTC).date()


def lot_words(lot: Lot) -> str:
    return f"{lot.code} {lot.name}"


async def council_ids(framework: Framework) -> list[int]:
    """The lead council and every member council: whose commissioners hear of the framework's changes."""
    members = await framework.member_councils.all().values_list("id", flat=True)
    return sorted({framework.lead_council_id, *members})


# --- opening a window --------------------------------------------------------------------


async def open_reopening(
    actor: Actor, *, framework_id: int, opens_on: date, closes_on: date, lot_ids: Sequence[int]
) -> Reopening:
    framework = await policy.scope_frameworks(actor, Framework.filter(id=framework_id)).first()
    if framework is None:
        raise not_found("framework", "frameworkId")
    if not policy.may_open_reopening(actor, framework):
        raise denied("Only the framework's lead commissioners or platform admins open a re-opening.")
    lots = await Lot.filter(id__in=list(lot_ids), framework_id=framework.id)
    problems = []
    if not lot_ids:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Choose at least one lot to open.", "lotIds"))
    elif len(lots) != len(set(lot_ids)):
        problems.append(invalid("lotIds", f"Choose lots of the {framework.name}."))
    if closes_on < opens_on:
        problems.append(invalid("closesOn", "The re-opening closes on or after the day it opens."))
    elif closes_on < today():
        problems.append(invalid("closesOn", "A re-opening closes today or later."))
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        reopening = await Reopening.create(
            framework_id=framework.id, opens_on=opens_on, closes_on=closes_on, opened_by_id=actor.user_id or None
        )
        await reopening.lots.add(*lots)
        codes = sorted(lot.code for lot in lots)
        audit_change(
            work,
            "reopening.opened",
            actor=actor,
            framework_id=framework.id,
            subject=f"Re-opening of {', '.join(codes)}",
            after={"opensOn": opens_on.isoformat(), "closesOn": closes_on.isoformat(), "lots": codes},
        )
        councils = await council_ids(framework)
        await work.notify(
            Notification.FRAMEWORK_MEMBERSHIP,
            Audience.of_councils(councils, Role.COMMISSIONER),
            email_context(
                "reopened",
                framework.name,
                lot=", ".join(lot_words(lot) for lot in sorted(lots, key=lambda lot: lot.code)),
                opens_on=f"{opens_on:%d %b %Y}",
                closes_on=f"{closes_on:%d %b %Y}",
            ),
            key=f"reopening.{reopening.id}",
        )
        await work.record(
            "framework.reopening_opened",
            [f"framework:{framework.id}", *(f"council:{c}" for c in councils), "admin"],
            {"frameworkId": framework.id, "reopeningId": reopening.id},
        )
    return reopening


async def reopenings(actor: Actor) -> list[Reopening]:
    """The windows the actor sees, latest first, with their framework and lots."""
    query = policy.scope_reopenings(actor, Reopening.all(), today())
    return await query.prefetch_related("lots", "framework")


# --- applying ----------------------------------------------------------------------------


def _statement(field: str, text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ServiceError(ErrorCode.REQUIRED, f"Write {what}.", field)
    if problems := identifying_problems([(field, text)]):
        raise ServiceError.many(problems)
    return text


async def open_window_for(lot_id: int) -> tuple[Lot, Reopening] | None:
    """The lot and the re-opening open today that includes it, if any."""
    lot = await Lot.get_or_none(id=lot_id).select_related("framework")
    if lot is None:
        return None
    day = today()
    window = await Reopening.filter(
        framework_id=lot.framework_id, lots__id=lot.id, opens_on__lte=day, closes_on__gte=day
    ).first()
    return (lot, window) if window else None


async def apply_to_join_lot(actor: Actor, *, lot_id: int, statement: str) -> JoinApplication:
    if not policy.may_apply_to_join(actor):
        raise denied("Only a provider's admins apply to join a framework's lots.")
    found = await open_window_for(lot_id)
    if found is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "No lot open to applications with that id.", "lotId")
    lot, window = found
    provider = await Provider.get(id=actor.provider_id)
    if provider.status is not ProviderStatus.ACTIVE:
        raise wrong_state(f"{provider.name} is {provider.status.label.lower()}: it cannot join lots.", "lotId")
    if await LotMembership.exists(lot_id=lot.id, provider_id=provider.id, left_on__isnull=True):
        raise wrong_state(f"{provider.name} is on {lot_words(lot)} already.", "lotId")
    if await JoinApplication.exists(lot_id=lot.id, provider_id=provider.id, status=JoinApplicationStatus.PENDING):
        raise ServiceError(
            ErrorCode.DUPLICATE, "You have applied to join this lot already: the decision is awaited.", "lotId"
        )
    text = _statement("statement", statement, "what your organisation offers this lot")
    framework = lot.framework
    try:
        async with unit_of_work() as work:
            application = await JoinApplication.create(
                reopening_id=window.id,
                lot_id=lot.id,
                provider_id=provider.id,
                statement=text,
                applied_by_id=actor.user_id,
            )
            audit_change(
                work,
                "join.applied",
                actor=actor,
                framework_id=framework.id,
                provider_id=provider.id,
                subject=f"{provider.name} applies to join {lot.code}",
                after={"lot": lot.code, "status": JoinApplicationStatus.PENDING.value},
            )
            await work.notify(
                Notification.FRAMEWORK_MEMBERSHIP,
                Audience.of_councils([framework.lead_council_id], Role.COMMISSIONER),
                _context("applied", framework, lot, provider),
                key=f"join.applied.{application.id}",
            )
            await work.record(
                "framework.join_applied",
                [
                    f"framework:{framework.id}",
                    *(f"council:{c}" for c in await council_ids(framework)),
                    f"provider:{provider.id}",
                ],
                {"frameworkId": framework.id, "applicationId": application.id},
            )
    except IntegrityError as error:
        raise ServiceError(
            ErrorCode.DUPLICATE, "You have applied to join this lot in this re-opening already.", "lotId"
        ) from error
    return application


def _context(what: str, framework: Framework, lot: Lot, provider: Provider, **more: str) -> dict[str, str]:
    return email_context(what, framework.name, lot=lot_words(lot), provider=provider.name, **more)


EMAIL_KEYS = ("lot", "provider", "into", "tier", "joined_on", "opens_on", "closes_on", "merged_on")


def email_context(what: str, framework: str, **values: str) -> dict[str, str]:
    """Every key the framework_membership email reads, so that it renders whatever happened (no free text)."""
    return {"what": what, "framework": framework, **dict.fromkeys(EMAIL_KEYS, ""), **values}


# --- deciding ----------------------------------------------------------------------------


@dataclass
class Approval:
    tier: int
    prices: list[PriceLine]
    effective_from: date | None = None


async def decide_join_application(
    actor: Actor,
    *,
    application_id: int,
    decision: JoinDecision,
    approval: Approval | None = None,
    reason: str = "",
) -> JoinApplication:
    application = await policy.scope_join_applications(actor, JoinApplication.filter(id=application_id)).first()
    if application is None:
        raise not_found("application", "applicationId")
    lot = await Lot.get(id=application.lot_id).select_related("framework")
    framework = lot.framework
    if not policy.may_decide_join_application(actor, framework):
        raise denied("Only the framework's lead commissioners or platform admins decide applications to join.")
    if application.status is not JoinApplicationStatus.PENDING:
        raise ServiceError(ErrorCode.ALREADY_DECIDED, "This application has been decided already.", "applicationId")
    provider = await Provider.get(id=application.provider_id)
    if decision is JoinDecision.APPROVE:
        if approval is None:
            raise ServiceError(ErrorCode.REQUIRED, "Choose the tier it joins at and its prices.", "tier")
        _check_approval(lot, approval)
        if provider.status is not ProviderStatus.ACTIVE:
            raise wrong_state(f"{provider.name} is {provider.status.label.lower()}: it cannot join lots.")
        return await _approve(actor, application, framework, lot, provider, approval)
    text = _statement("reason", reason, "why the application is refused")
    return await _refuse(actor, application, framework, lot, provider, text)


def _check_approval(lot: Lot, approval: Approval) -> None:
    problems = []
    if not 1 <= approval.tier <= MAX_TIER:
        problems.append(invalid("tier", f"Tiers run from 1 (preferred) to {MAX_TIER}."))
    problems += price_problems(lot, approval.prices)
    if approval.effective_from is not None and approval.effective_from < today() - timedelta(days=366):
        problems.append(invalid("effectiveFrom", "Prices take effect from a date within the last year, or later."))
    if problems:
        raise ServiceError.many(problems)


def price_problems(lot: Lot, prices: Sequence[PriceLine], field: str = "prices") -> list[ServiceError]:
    """What is wrong with a price schedule for a lot: fees out of range, bands the lot lacks, repeats."""
    problems = []
    if not prices:
        problems.append(ServiceError(ErrorCode.REQUIRED, "A price schedule needs at least one weekly fee.", field))
    for i, line in enumerate(prices):
        if not MIN_FEE_PENCE <= line.weekly_fee_pence <= MAX_FEE_PENCE:
            problems.append(invalid(f"{field}.{i}.weeklyFeePence", "Weekly fees are between £10 and £50,000."))
        if lot.age_bands and line.age_band.value not in lot.age_bands:
            problems.append(invalid(f"{field}.{i}.ageBand", f"{lot.code} does not cover {line.age_band.label}."))
        if lot.need_levels and line.need_level.value not in lot.need_levels:
            problems.append(invalid(f"{field}.{i}.needLevel", f"{lot.code} does not cover {line.need_level.label}."))
    if len({(line.age_band, line.need_level) for line in prices}) != len(prices):
        problems.append(invalid(field, "Each age band and level of need is priced once."))
    return problems


async def join_lot(lot_id: int, provider_id: int, tier: int, joined_on: date) -> LotMembership:
    """Put the provider on the lot (again, if it left it once): inside the caller's unit of work."""
    existing = await LotMembership.get_or_none(lot_id=lot_id, provider_id=provider_id)
    if existing is None:
        return await LotMembership.create(lot_id=lot_id, provider_id=provider_id, tier=tier, joined_on=joined_on)
    await LotMembership.filter(id=existing.id).update(tier=tier, joined_on=joined_on, left_on=None, left_reason=None)
    return await LotMembership.get(id=existing.id)


async def write_prices(membership_id: int, effective_from: date, prices: Sequence[PriceLine]) -> None:
    """The membership's schedule from a date: what was in force ends the day before (inside a unit of work)."""
    day_before = effective_from - timedelta(days=1)
    await PriceScheduleEntry.filter(
        membership_id=membership_id, effective_to__isnull=True, effective_from__lt=effective_from
    ).update(effective_to=day_before)
    await PriceScheduleEntry.filter(membership_id=membership_id, effective_from__gte=effective_from).delete()
    await PriceScheduleEntry.bulk_create(
        [
            PriceScheduleEntry(
                membership_id=membership_id,
                age_band=line.age_band,
                need_level=line.need_level,
                weekly_fee_pence=line.weekly_fee_pence,
                effective_from=effective_from,
            )
            for line in prices
        ]
    )


async def _mark_decided(work: UnitOfWork, application: JoinApplication, actor: Actor, **values: object) -> None:
    changed = await JoinApplication.filter(id=application.id, status=JoinApplicationStatus.PENDING).update(
        decided_by_id=actor.user_id or None, decided_at=datetime.now(UTC), **values
    )
    if not changed:
        raise ServiceError(ErrorCode.ALREADY_DECIDED, "This application has been decided already.", "applicationId")


async def _approve(
    actor: Actor, application: JoinApplication, framework: Framework, lot: Lot, provider: Provider, approval: Approval
) -> JoinApplication:
    joined_on = today()
    effective_from = approval.effective_from or joined_on
    async with unit_of_work() as work:
        membership = await join_lot(lot.id, provider.id, approval.tier, joined_on)
        await write_prices(membership.id, effective_from, approval.prices)
        await _mark_decided(
            work, application, actor, status=JoinApplicationStatus.APPROVED, membership_id=membership.id
        )
        audit_change(
            work,
            "join.approved",
            actor=actor,
            framework_id=framework.id,
            provider_id=provider.id,
            subject=f"{provider.name} joins {lot.code} at tier {approval.tier}",
            before={"status": JoinApplicationStatus.PENDING.value},
            after={
                "status": JoinApplicationStatus.APPROVED.value,
                "lot": lot.code,
                "tier": approval.tier,
                "joinedOn": joined_on.isoformat(),
                "pricesFrom": effective_from.isoformat(),
                "prices": [
                    {"ageBand": p.age_band.value, "needLevel": p.need_level.value, "weeklyFeePence": p.weekly_fee_pence}
                    for p in approval.prices
                ],
            },
        )
        councils = await council_ids(framework)
        context = _context(
            "approved", framework, lot, provider, tier=str(approval.tier), joined_on=f"{joined_on:%d %b %Y}"
        )
        await work.notify(
            Notification.FRAMEWORK_MEMBERSHIP,
            Audience(
                council_ids=tuple(councils), provider_ids=(provider.id,), roles=(Role.COMMISSIONER, Role.PROVIDER_ADMIN)
            ),
            context,
            key=f"join.decided.{application.id}",
        )
        await work.record(
            "framework.join_approved",
            [f"framework:{framework.id}", *(f"council:{c}" for c in councils), f"provider:{provider.id}", "admin"],
            {"frameworkId": framework.id, "applicationId": application.id, "membershipId": membership.id},
        )
    await application.refresh_from_db()
    return application


async def _refuse(
    actor: Actor, application: JoinApplication, framework: Framework, lot: Lot, provider: Provider, reason: str
) -> JoinApplication:
    async with unit_of_work() as work:
        await _mark_decided(work, application, actor, status=JoinApplicationStatus.REFUSED, refusal_reason=reason)
        audit_change(
            work,
            "join.refused",
            actor=actor,
            framework_id=framework.id,
            provider_id=provider.id,
            subject=f"{provider.name} refused on {lot.code}",
            before={"status": JoinApplicationStatus.PENDING.value},
            after={"status": JoinApplicationStatus.REFUSED.value, "lot": lot.code},
        )
        await work.notify(
            Notification.FRAMEWORK_MEMBERSHIP,
            Audience(provider_ids=(provider.id,), roles=(Role.PROVIDER_ADMIN,)),
            _context("refused", framework, lot, provider),
            key=f"join.decided.{application.id}",
        )
        await work.record(
            "framework.join_refused",
            [
                f"framework:{framework.id}",
                *(f"council:{c}" for c in await council_ids(framework)),
                f"provider:{provider.id}",
            ],
            {"frameworkId": framework.id, "applicationId": application.id},
        )
    await application.refresh_from_db()
    return application


async def join_applications(actor: Actor, status: JoinApplicationStatus | None = None) -> list[JoinApplication]:
    """The applications the actor sees, latest first, with their lot, framework and provider."""
    query = policy.scope_join_applications(actor, JoinApplication.all())
    if status is not None:
        query = query.filter(status=status)
    return await query.select_related("lot__framework", "provider", "reopening")
