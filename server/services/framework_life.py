"""A framework over its whole life: create (or re-tender from a predecessor), edit, extend, its lots, and
terminating a provider's membership of a lot.

Every change is audited (server.services.framework_changes), is an event on the framework's topic and each
member council's, and is emailed to the member councils' commissioners."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain import framework_terms as terms
from server.domain.vocabulary import (
    AgeBand,
    LeftReason,
    NeedLevel,
    OfferStatus,
    OfstedJudgement,
    PlacementKind,
    ReferralStatus,
    Role,
)
from server.models import (
    BroadcastRecipient,
    Council,
    Framework,
    FrameworkExtension,
    Lot,
    LotMembership,
    Offer,
    PriceScheduleEntry,
    Provider,
    Referral,
    Supplement,
)
from server.outbox.kinds import Notification
from server.services import offers as offer_service
from server.services.errors import ErrorCode, ServiceError, denied, invalid, not_found, wrong_state
from server.services.framework_changes import audit_change
from server.services.lookups import lot_for, membership_for
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

TEXT_FIELDS = ("reference", "name", "extension_options")


@dataclass
class MatchingWeights:
    distance: float
    specialisms: float
    language_and_culture: float
    ofsted: float
    track_record: float


@dataclass
class FrameworkDetails:
    """What a framework says; None leaves a value as it is (on update) or takes the default (on create)."""

    reference: str | None = None
    name: str | None = None
    lead_council_id: int | None = None
    member_council_ids: list[int] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    extension_options: str | None = None
    minimum_ofsted_judgement: OfstedJudgement | None = None
    tier_response_hours: int | None = None
    emergency_response_hours: int | None = None
    tier_windows: dict[int, int] | None = None  # tier -> hours
    quality_weight_percent: int | None = None
    cost_weight_percent: int | None = None
    matching_weights: MatchingWeights | None = None


@dataclass
class LotDetails:
    code: str | None = None
    name: str | None = None
    placement_kinds: list[PlacementKind] | None = None
    age_bands: list[AgeBand] | None = None
    need_levels: list[NeedLevel] | None = None


# --- frameworks ----------------------------------------------------------------------------------------


async def create_framework(actor: Actor, details: FrameworkDetails, *, copy_from_id: int | None = None) -> Framework:
    """A new framework; with `copy_from_id` a successor for re-tender: the predecessor's lots, members (from
    the new start) and price schedules in force then are copied, and Framework.predecessor is set."""
    predecessor = await _administered(actor, copy_from_id, "copyFrom") if copy_from_id is not None else None
    if details.lead_council_id is None:
        raise ServiceError(ErrorCode.REQUIRED, "Choose the lead council.", "leadCouncilId")
    if not policy.may_create_framework(actor, details.lead_council_id):
        raise denied("Commissioners create frameworks their own council leads; platform admins any.")
    if details.member_council_ids is None and predecessor is not None:
        details.member_council_ids = list(await predecessor.member_councils.all().values_list("id", flat=True))
    missing = [
        (field, message)
        for field, message, value in (
            ("reference", "Give the framework's reference, such as KM-IFP-2026.", details.reference),
            ("name", "Give the framework's name.", details.name),
            ("startsOn", "Give the date the framework starts.", details.starts_on),
            ("endsOn", "Give the date the framework ends.", details.ends_on),
        )
        if value is None or (isinstance(value, str) and not value.strip())
    ]
    if missing:
        raise ServiceError.many([ServiceError(ErrorCode.REQUIRED, message, field) for field, message in missing])
    values = await _validated(details, current=None)
    member_ids = sorted({*values.pop("member_council_ids", []), details.lead_council_id})
    try:
        async with unit_of_work() as work:
            framework = await Framework.create(
                **values,
                lead_council_id=details.lead_council_id,
                predecessor_id=predecessor.id if predecessor else None,
            )
            await framework.member_councils.add(*await Council.filter(id__in=member_ids))
            copied = await _copy_from(predecessor, framework) if predecessor else {}
            after = {**_jsonable(values), "memberCouncilIds": member_ids, **copied}
            if predecessor:
                after["copyFrom"] = predecessor.reference
            await _changed(work, actor, framework, "framework.created", after=after, headline="New framework")
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "A framework with that reference exists.", "reference") from error
    return framework


async def update_framework(actor: Actor, framework_id: int, details: FrameworkDetails) -> Framework:
    framework = await _administered(actor, framework_id, "id")
    if details.lead_council_id is not None and details.lead_council_id != framework.lead_council_id:
        raise invalid("leadCouncilId", "The lead council is set when a framework is created.")
    values = await _validated(details, current=framework)
    members = values.pop("member_council_ids", None)
    before = {key: _jsonable_value(getattr(framework, key)) for key in values}
    changed = {key: value for key, value in values.items() if before[key] != _jsonable_value(value)}
    before = {key: before[key] for key in changed}
    current_members = sorted(await framework.member_councils.all().values_list("id", flat=True))
    if members is not None:
        members = sorted({*members, framework.lead_council_id})
    if not changed and (members is None or members == current_members):
        raise invalid("id", "Nothing to change: every value given is the framework's already.")
    try:
        async with unit_of_work() as work:
            if changed:
                await Framework.filter(id=framework.id).update(**changed)
            after = _jsonable(changed)
            if members is not None and members != current_members:
                await framework.member_councils.clear()
                await framework.member_councils.add(*await Council.filter(id__in=members))
                before["memberCouncilIds"], after["memberCouncilIds"] = current_members, members
            await framework.refresh_from_db()
            await _changed(
                work, actor, framework, "framework.updated", before=before, after=after, headline="Framework changed",
                also_councils=current_members,
            )  # fmt: skip
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "A framework with that reference exists.", "reference") from error
    return framework


async def extend_framework(
    actor: Actor, framework_id: int, *, ends_on: date, decision_reference: str, decision_date: date
) -> Framework:
    """Take an extension: the new end, and the decision (its reference and date) that took it."""
    framework = await _administered(actor, framework_id, "id")
    current_end = terms.term_end(framework.ends_on, framework.extended_to)
    problems = []
    if ends_on <= current_end:
        problems.append(invalid("endsOn", f"An extension ends after the current end, {current_end:%d %B %Y}."))
    if not decision_reference.strip():
        problems.append(ServiceError(ErrorCode.REQUIRED, "Give the decision's reference.", "decisionReference"))
    if decision_date > datetime.now(UTC).date():
        problems.append(invalid("decisionDate", "The decision to extend has been taken: its date is not ahead."))
    if problems:
        raise ServiceError.many(problems)
    try:
        async with unit_of_work() as work:
            # Conditional on the term as read: of two extensions taken at once, one is refused.
            as_read = (
                {"extended_to__isnull": True}
                if framework.extended_to is None
                else {"extended_to": framework.extended_to}
            )
            taken = await Framework.filter(id=framework.id, ends_on=framework.ends_on, **as_read).update(
                extended_to=ends_on
            )
            if not taken:
                raise wrong_state("The framework's term changed meanwhile: reload it.", "endsOn")
            await FrameworkExtension.create(
                framework_id=framework.id,
                ends_on=ends_on,
                decision_reference=decision_reference.strip(),
                decision_date=decision_date,
                taken_by_id=actor.user_id or None,
            )
            await framework.refresh_from_db()
            await _changed(
                work,
                actor,
                framework,
                "framework.extended",
                before={"endsOn": current_end.isoformat()},
                after={
                    "endsOn": ends_on.isoformat(),
                    "decisionReference": decision_reference.strip(),
                    "decisionDate": decision_date.isoformat(),
                },
                headline=f"Framework extended to {ends_on:%d %B %Y}",
            )
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "An extension to that date was taken already.", "endsOn") from error
    return framework


async def _administered(actor: Actor, framework_id: int | None, field: str) -> Framework:
    """A framework the actor sees is not found otherwise; denied only if it sees it and may not manage it."""
    framework = await policy.scope_frameworks(actor, Framework.filter(id=framework_id or 0)).first()
    if framework is None:
        raise not_found("framework", field)
    if not policy.may_administer_framework(actor, framework):
        raise denied("Only the framework's lead commissioners or platform admins change it.")
    return framework


async def _validated(details: FrameworkDetails, current: Framework | None) -> dict[str, Any]:
    """The values given, as the columns keep them; every problem raised at once, naming its field."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in TEXT_FIELDS:
        text = getattr(details, name)
        if text is not None:
            values[name] = text.strip()
            if not values[name] and name != "extension_options":
                problems.append((_api(name), f"The framework's {name} cannot be empty."))
    for name in ("starts_on", "ends_on", "minimum_ofsted_judgement"):
        if getattr(details, name) is not None:
            values[name] = getattr(details, name)
    for name in ("tier_response_hours", "emergency_response_hours"):
        hours = getattr(details, name)
        if hours is not None:
            values[name] = hours
            if not terms.MIN_WINDOW_HOURS <= hours <= terms.MAX_WINDOW_HOURS:
                problems.append(
                    (_api(name), f"A response window is {terms.MIN_WINDOW_HOURS} to {terms.MAX_WINDOW_HOURS} hours.")
                )
    starts_on = values.get("starts_on", current.starts_on if current else None)
    ends_on = values.get("ends_on", current.ends_on if current else None)
    if starts_on and ends_on and ("starts_on" in values or "ends_on" in values):
        problems += terms.term_problems(starts_on, ends_on)
    if details.quality_weight_percent is not None or details.cost_weight_percent is not None:
        quality = _either(details.quality_weight_percent, current, "quality_weight_percent", 60)
        cost = _either(details.cost_weight_percent, current, "cost_weight_percent", 40)
        problems += terms.ranking_weight_problems(quality, cost)
        values.update(quality_weight_percent=quality, cost_weight_percent=cost)
    if details.tier_windows is not None:
        problems += terms.window_problems(details.tier_windows)
        values["response_hours_by_tier"] = {str(tier): hours for tier, hours in sorted(details.tier_windows.items())}
    if details.matching_weights is not None:
        weights = asdict(details.matching_weights)
        problems += terms.matching_weight_problems(weights)
        values["matching_weights"] = weights
    if details.member_council_ids is not None:
        found = await Council.filter(id__in=details.member_council_ids).count()
        if found != len(set(details.member_council_ids)):
            problems.append(("memberCouncilIds", "One of the member councils is not on the exchange."))
        values["member_council_ids"] = details.member_council_ids
    if details.lead_council_id is not None and current is None and not await Council.exists(id=details.lead_council_id):
        problems.append(("leadCouncilId", "That lead council is not on the exchange."))
    if problems:
        raise ServiceError.many([invalid(field, message) for field, message in problems])
    return values


def _either(given: int | None, current: Framework | None, name: str, default: int) -> int:
    if given is not None:
        return given
    return getattr(current, name) if current else default


async def _copy_from(predecessor: Framework, successor: Framework) -> dict[str, int]:
    """Lots, current members (joining at the successor's start) and the prices in force at that start."""
    start = successor.starts_on
    counts = {"lotsCopied": 0, "membersCopied": 0, "pricesCopied": 0}
    for lot in await Lot.filter(framework_id=predecessor.id):
        copy = await Lot.create(
            framework_id=successor.id,
            code=lot.code,
            name=lot.name,
            placement_kinds=lot.placement_kinds,
            age_bands=lot.age_bands,
            need_levels=lot.need_levels,
        )
        counts["lotsCopied"] += 1
        for membership in await LotMembership.filter(lot_id=lot.id, left_on__isnull=True):
            member = await LotMembership.create(
                lot_id=copy.id, provider_id=membership.provider_id, tier=membership.tier, joined_on=start
            )
            counts["membersCopied"] += 1
            prices = await _in_force_at(PriceScheduleEntry, membership.id, start)
            await PriceScheduleEntry.bulk_create(
                [
                    PriceScheduleEntry(
                        membership_id=member.id,
                        age_band=p.age_band,
                        need_level=p.need_level,
                        weekly_fee_pence=p.weekly_fee_pence,
                        effective_from=start,
                    )
                    for p in prices
                ]
            )
            counts["pricesCopied"] += len(prices)
            supplements = await _in_force_at(Supplement, membership.id, start)
            await Supplement.bulk_create(
                [
                    Supplement(
                        membership_id=member.id,
                        kind=s.kind,
                        unit=s.unit,
                        amount_pence=s.amount_pence,
                        effective_from=start,
                    )
                    for s in supplements
                ]
            )
    return counts


async def _in_force_at(model: type[PriceScheduleEntry] | type[Supplement], membership_id: int, day: date) -> list:
    """The lines of a schedule in force on a day, or (when none is yet) the latest lines agreed."""
    lines = await model.filter(membership_id=membership_id).order_by("effective_from")
    current = [
        line for line in lines if line.effective_from <= day and (line.effective_to is None or line.effective_to >= day)
    ]
    if current:
        return current
    open_lines = [line for line in lines if line.effective_to is None]
    return open_lines


# --- lots ----------------------------------------------------------------------------------------------


async def create_lot(actor: Actor, framework_id: int, details: LotDetails) -> Lot:
    framework = await _administered(actor, framework_id, "frameworkId")
    missing = [
        ServiceError(ErrorCode.REQUIRED, message, field)
        for field, message, value in (
            ("code", "Give the lot's code, such as LOT3.", details.code),
            ("name", "Give the lot's name.", details.name),
            ("placementKinds", "Choose the kinds of placement the lot covers.", details.placement_kinds),
        )
        if not value or (isinstance(value, str) and not value.strip())
    ]
    if missing:
        raise ServiceError.many(missing)
    values = _lot_values(details)
    try:
        async with unit_of_work() as work:
            lot = await Lot.create(framework_id=framework.id, **values)
            await _changed(
                work, actor, framework, "lot.created", after=values, subject=f"Lot {lot.code}",
                headline=f"New lot {lot.code}: {lot.name}",
            )  # fmt: skip
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "The framework has a lot with that code.", "code") from error
    return lot


async def update_lot(actor: Actor, lot_id: int, details: LotDetails) -> Lot:
    lot = await lot_for(actor, lot_id, "id")
    framework = lot.framework
    if not policy.may_administer_framework(actor, framework):
        raise denied("Only the framework's lead commissioners or platform admins change its lots.")
    values = _lot_values(details)
    changed = {key: value for key, value in values.items() if getattr(lot, key) != value}
    if not changed:
        raise invalid("id", "Nothing to change: every value given is the lot's already.")
    before = {key: getattr(lot, key) for key in changed}
    try:
        async with unit_of_work() as work:
            await Lot.filter(id=lot.id).update(**changed)
            await lot.refresh_from_db()
            await _changed(
                work, actor, framework, "lot.updated", before=before, after=changed, subject=f"Lot {lot.code}",
                headline=f"Lot {lot.code} changed",
            )  # fmt: skip
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "The framework has a lot with that code.", "code") from error
    return lot


def _lot_values(details: LotDetails) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems = []
    if details.code is not None:
        values["code"] = details.code.strip().upper()
        if not values["code"] or not values["code"].replace("-", "").isalnum() or len(values["code"]) > 12:
            problems.append(invalid("code", "A lot's code is up to 12 letters, digits or hyphens, such as LOT3."))
    if details.name is not None:
        values["name"] = details.name.strip()
        if not values["name"]:
            problems.append(ServiceError(ErrorCode.REQUIRED, "Give the lot's name.", "name"))
    for name in ("placement_kinds", "age_bands", "need_levels"):
        chosen = getattr(details, name)
        if chosen is not None:
            values[name] = _in_order(chosen)
    if details.placement_kinds is not None and not details.placement_kinds:
        problems.append(
            ServiceError(ErrorCode.REQUIRED, "Choose the kinds of placement the lot covers.", "placementKinds")
        )
    if problems:
        raise ServiceError.many(problems)
    return values


def _in_order(items: list) -> list[str]:
    """Each once, in the vocabulary's order, as stored."""
    if not items:
        return []
    order = list(type(items[0]))
    return [item.value for item in sorted(set(items), key=order.index)]


# --- terminations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Termination:
    membership: LotMembership
    withdrawn_offer_ids: list[int]


async def terminate_membership(
    actor: Actor, membership_id: int, *, left_on: date, reason: LeftReason = LeftReason.TERMINATED
) -> Termination:
    """The membership ends on `left_on` (today or before): from then no referral on the lot reaches the provider,
    its live offers on the lot's open referrals are withdrawn (the provider and the councils told), and tiers
    still waiting to be sent leave it out. Its placements carry on under the framework."""
    membership = await membership_for(actor, membership_id)
    lot = await lot_for(actor, membership.lot_id, "membershipId")
    if not policy.may_administer_framework(actor, lot.framework):
        raise denied("Only the framework's lead commissioners or platform admins end memberships.")
    if membership.left_on is not None:
        raise wrong_state(f"This membership already ended on {membership.left_on:%d %B %Y}.", "membershipId")
    today = datetime.now(UTC).date()
    if left_on > today:
        raise invalid("leftOn", "A membership ends today or on a date passed: terminate it on the day it ends.")
    if left_on < membership.joined_on:
        raise invalid("leftOn", f"The provider joined the lot on {membership.joined_on:%d %B %Y}: it ends after.")
    provider = await Provider.get(id=membership.provider_id)
    now = datetime.now(UTC)
    open_referrals = await Referral.filter(lot_id=lot.id, status=ReferralStatus.OPEN).values_list("id", flat=True)
    async with unit_of_work() as work:
        ended = await LotMembership.filter(id=membership.id, left_on__isnull=True).update(
            left_on=left_on, left_reason=reason
        )
        if not ended:
            raise wrong_state("This membership was ended meanwhile: reload it.", "membershipId")
        live = await Offer.filter(provider_id=provider.id, live=1, referral_id__in=open_referrals).select_related(
            "referral"
        )
        if live:
            await Offer.filter(id__in=[offer.id for offer in live]).update(
                status=OfferStatus.WITHDRAWN, live=None, decided_at=now, updated_at=now
            )
        await BroadcastRecipient.filter(
            provider_id=provider.id, referral_id__in=open_referrals, sent_at__isnull=True, excluded_reason__isnull=True
        ).update(excluded_reason=f"left the framework on {left_on:%d %b %Y}")
        for offer in live:
            offer.status, offer.live = OfferStatus.WITHDRAWN, None
            await offer_service.tell_council_of_withdrawal(work, offer.referral, offer)
        await membership.refresh_from_db()
        references = sorted(offer.referral.reference for offer in live)
        summary = f"{provider.name} left lot {lot.code} on {left_on:%d %B %Y} ({reason.label.lower()})."
        if references:
            summary += f" Its live offers were withdrawn on referrals {', '.join(references)}."
        await _changed(
            work,
            actor,
            lot.framework,
            "membership.terminated",
            before={"leftOn": None},
            after={"leftOn": left_on.isoformat(), "leftReason": reason.value, "withdrawnOffers": len(live)},
            subject=f"{provider.name} on lot {lot.code}",
            provider_id=provider.id,
            headline=f"{provider.name} leaves lot {lot.code}",
            summary=summary,
        )
    return Termination(membership, [offer.id for offer in live])


# --- audit, event, emails --------------------------------------------------------------------------------


async def _changed(
    work: UnitOfWork,
    actor: Actor,
    framework: Framework,
    action: str,
    *,
    headline: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    subject: str = "",
    provider_id: int | None = None,
    summary: str = "",
    also_councils: list[int] | tuple[int, ...] = (),
) -> None:
    """Audit the change, record it on the framework's, every member council's and every member provider's topic,
    and email the member councils' commissioners (and the provider, for a membership)."""
    councils = sorted({*await framework.member_councils.all().values_list("id", flat=True), *also_councils})
    subject = subject or framework.reference
    audit_change(
        work, action, actor=actor, framework_id=framework.id, provider_id=provider_id, subject=subject,
        before=_jsonable(before or {}), after=_jsonable(after or {}),
    )  # fmt: skip
    # Its members' providers too: what they are shown of the framework (kept answers included) changes.
    members = await LotMembership.filter(lot__framework_id=framework.id).values_list("provider_id", flat=True)
    providers = sorted({*members, *([provider_id] if provider_id is not None else [])})
    topics = [f"framework:{framework.id}", *(f"council:{c}" for c in councils), *(f"provider:{p}" for p in providers)]
    event = await work.record(
        f"framework.{action}" if not action.startswith("framework.") else action,
        topics,
        {"frameworkId": framework.id, "action": action, "subject": subject, "providerId": provider_id},
    )
    context = {
        "framework_name": framework.name,
        "framework_reference": framework.reference,
        "headline": headline,
        "summary": summary or _summary(after or {}),
        "by": actor.email or "a platform admin",
    }
    await work.notify(
        Notification.FRAMEWORK_CHANGED,
        Audience.of_councils(councils, Role.COMMISSIONER),
        {**context, "to_framework_page": True},
        key=f"{event.id}.councils",
    )
    if provider_id is not None:
        await work.notify(
            Notification.FRAMEWORK_CHANGED, Audience.of_providers([provider_id]), context, key=f"{event.id}.provider"
        )


def _summary(after: dict[str, Any]) -> str:
    shown = {key: value for key, value in _jsonable(after).items() if not isinstance(value, dict)}
    return "; ".join(f"{_words(key)}: {_shown(value)}" for key, value in shown.items()) or "its terms changed."


def _words(key: str) -> str:
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in _api(key))
    return spaced.replace("_", " ")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


def _api(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _jsonable_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_jsonable_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _jsonable_value(v) for k, v in value.items()}
    return value


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {_api(key): _jsonable_value(value) for key, value in values.items()}
