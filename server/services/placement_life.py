"""The placement's life after acceptance: the Individual Placement Agreement, its confirmations by both
parties, the actual start, agreed fee changes, the looked-after child's reviews, notice and step-across.

The agreement is drafted from what the exchange holds (nothing is stored twice): the placement, its offer's
fee breakdown, the framework, the placement plan document and, for the council and the chosen provider only,
the child's identified record (read through server.services.child_records, so each read is audited).

A change of fee after confirmation does not undo the confirmations: it is a fee change, proposed by one side
and in force once the other agrees (`changePlacementFee`), kept with its effective date, so each day has the
fee in force on it (`fee_on`).

Events and emails say which placement changed, never a note, a reason or anything of the child's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import (
    ChildDocumentKind,
    PlacementKind,
    PlacementSide,
    PlacementStatus,
    ReviewAttendee,
    Role,
)
from server.models import (
    CarerHousehold,
    ChildRecord,
    ChildrensHome,
    Council,
    Framework,
    Offer,
    Placement,
    PlacementFeeChange,
    PlacementReview,
    Provider,
    Referral,
    User,
)
from server.outbox.kinds import Notification
from server.repositories import placement_reviews
from server.services import child_records, placements
from server.services import referrals as referral_service
from server.services.child_records import ChildRecordView, DocumentView
from server.services.errors import ServiceError, denied, invalid, not_found, wrong_state
from server.services.free_text import identifying_problems
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

NOTICE_DAYS = 28
MAX_FEE_PENCE = 5_000_000  # £50,000 a week
MAX_REASON = 2000
MAX_NOTES = 4000
SDQ_MAX = 40
FIRST_REVIEW_WORKING_DAYS = 20
DUE_SOON_DAYS = 14


# --- reading ------------------------------------------------------------------------------


async def readable_placement(actor: Actor, placement_id: int) -> Placement:
    """The placement for someone the policy lets read it: else it is missing."""
    placement = await Placement.get_or_none(id=placement_id)
    if placement is None or not policy.may_read_placement(actor, placement):
        raise not_found("placement", "placementId")
    return placement


def side_of(actor: Actor, placement: Placement) -> PlacementSide | None:
    """Which party the actor acts for on this placement (None: neither may act)."""
    if policy.may_act_for_council_on_placement(actor, placement):
        return PlacementSide.COUNCIL
    if policy.may_act_for_provider_on_placement(actor, placement):
        return PlacementSide.PROVIDER
    return None


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount_pence: int


@dataclass(frozen=True)
class Confirmation:
    side: PlacementSide
    user_name: str
    at: datetime


@dataclass(frozen=True)
class AgreementView:
    placement: Placement
    council_name: str
    provider_name: str
    resource_name: str
    resource_kind: str  # "Carer household" or "Children's home"
    planned_start: date
    actual_start: date | None
    weekly_fee_pence: int
    fee_lines: list[FeeLine]
    framework_name: str | None
    framework_reference: str | None
    notice_days: int
    placement_plan: DocumentView | None
    child: ChildRecordView | None
    confirmations: list[Confirmation]

    @property
    def confirmed(self) -> bool:
        return len(self.confirmations) == 2


async def agreement(actor: Actor, placement_id: int) -> AgreementView:
    placement = await readable_placement(actor, placement_id)
    return await _agreement_of(actor, placement)


async def _agreement_of(actor: Actor, placement: Placement) -> AgreementView:
    referral = await Referral.get(id=placement.referral_id)
    offer = await Offer.get(id=placement.offer_id)
    council = await Council.get(id=placement.council_id)
    provider = await Provider.get(id=placement.provider_id)
    if placement.childrens_home_id:
        home = await ChildrensHome.get(id=placement.childrens_home_id)
        resource_name, resource_kind = home.name, "Children's home"
    else:
        household = await CarerHousehold.get(id=placement.carer_household_id)
        resource_name, resource_kind = household.reference, "Carer household"
    framework = await Framework.get_or_none(id=referral.framework_id) if referral.framework_id else None
    child = None
    plan = None
    if policy.may_see_identified_agreement(actor, placement):
        # The record's read is audited there, as every read of it is.
        child = await child_records.child_record(actor, referral.id) if await _record_exists(referral.id) else None
        if child is not None:
            plans = [d for d in child.documents if d.kind is ChildDocumentKind.PLACEMENT_PLAN]
            plan = plans[-1] if plans else None
    users = {
        u.id: u.display_name
        for u in await User.filter(
            id__in=[i for i in (placement.council_confirmed_by_id, placement.provider_confirmed_by_id) if i]
        )
    }
    confirmations = []
    if placement.council_confirmed_at:
        confirmations.append(
            Confirmation(
                PlacementSide.COUNCIL,
                users.get(placement.council_confirmed_by_id or 0, ""),
                placement.council_confirmed_at,
            )
        )
    if placement.provider_confirmed_at:
        confirmations.append(
            Confirmation(
                PlacementSide.PROVIDER,
                users.get(placement.provider_confirmed_by_id or 0, ""),
                placement.provider_confirmed_at,
            )
        )
    return AgreementView(
        placement=placement,
        council_name=council.name,
        provider_name=provider.name,
        resource_name=resource_name,
        resource_kind=resource_kind,
        planned_start=placement.start_date,
        actual_start=placement.actual_start_date,
        weekly_fee_pence=placement.weekly_fee_pence,
        fee_lines=_fee_lines(offer),
        framework_name=framework.name if framework else None,
        framework_reference=_framework_reference(framework),
        notice_days=NOTICE_DAYS,
        placement_plan=plan,
        child=child,
        confirmations=confirmations,
    )


async def _record_exists(referral_id: int) -> bool:
    return await ChildRecord.exists(referral_id=referral_id)


def _framework_reference(framework: Framework | None) -> str | None:
    if framework is None:
        return None
    return framework.reference


def _fee_lines(offer: Offer) -> list[FeeLine]:
    lines = []
    for line in offer.fee_breakdown or []:
        label = str(line.get("label", ""))
        amount = int(line.get("amount_pence", line.get("amountPence", 0)) or 0)
        lines.append(FeeLine(label, amount))
    return lines


# --- confirming the agreement ---------------------------------------------------------------


async def confirm_agreement(actor: Actor, placement_id: int) -> AgreementView:
    placement = await readable_placement(actor, placement_id)
    side = side_of(actor, placement)
    if side is None:
        raise denied("Only the placing council's placement officers or the provider confirm the agreement.")
    column = "council_confirmed" if side is PlacementSide.COUNCIL else "provider_confirmed"
    if getattr(placement, f"{column}_at") is not None:
        raise wrong_state("Your side has already confirmed this agreement.", "placementId")
    async with unit_of_work() as work:
        changed = await Placement.filter(id=placement.id, **{f"{column}_at__isnull": True}).update(
            **{f"{column}_at": datetime.now(UTC), f"{column}_by_id": actor.user_id}
        )
        if not changed:
            raise wrong_state("Your side has already confirmed this agreement.", "placementId")
        await placement.refresh_from_db()
        both = placement.council_confirmed_at is not None and placement.provider_confirmed_at is not None
        await _step(work, placement, "placement.agreementConfirmed", side, {"side": side.value, "bothConfirmed": both})
    return await _agreement_of(actor, placement)


# --- the actual start -------------------------------------------------------------------------


async def confirm_start(actor: Actor, placement_id: int, started_on: date) -> Placement:
    placement = await readable_placement(actor, placement_id)
    side = side_of(actor, placement)
    if side is None:
        raise denied("Only the placing council or the provider confirms the start.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise wrong_state("This placement has ended.", "placementId")
    if placement.actual_start_date is not None:
        raise wrong_state("The start of this placement is already confirmed.", "placementId")
    today = datetime.now(UTC).date()
    if started_on > today:
        raise invalid("startedOn", "The actual start is a day that has come: today or before.")
    if started_on < placement.start_date - timedelta(days=90):
        raise invalid("startedOn", "The actual start is at most 90 days before the planned start.")
    async with unit_of_work() as work:
        await Placement.filter(id=placement.id).update(actual_start_date=started_on)
        await placement.refresh_from_db()
        await _step(work, placement, "placement.started", side, {"startedOn": started_on.isoformat()})
    return placement


def started_on(placement: Placement) -> date:
    return placement.actual_start_date or placement.start_date


# --- fees ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeePeriod:
    weekly_fee_pence: int
    effective_from: date
    reason: str
    proposed_by: PlacementSide | None  # None: the agreement's fee
    agreed: bool
    change_id: int | None


async def fee_history(placement: Placement) -> list[FeePeriod]:
    """The agreement's fee, then every change proposed (agreed or awaiting the other side), by date."""
    changes = await PlacementFeeChange.filter(placement_id=placement.id).order_by("effective_from", "id")
    periods = [FeePeriod(placement.weekly_fee_pence, placement.start_date, "", None, True, None)]
    periods += [
        FeePeriod(c.weekly_fee_pence, c.effective_from, c.reason, c.proposed_by_side, c.agreed_at is not None, c.id)
        for c in changes
    ]
    return periods


def fee_in_force(history: list[FeePeriod], day: date) -> int:
    """The weekly fee in force on a day: the last agreed change effective on or before it, else the agreed fee."""
    fee = history[0].weekly_fee_pence
    for period in history[1:]:
        if period.agreed and period.effective_from <= day:
            fee = period.weekly_fee_pence
    return fee


async def fee_on(placement: Placement, day: date) -> int:
    return fee_in_force(await fee_history(placement), day)


async def change_fee(
    actor: Actor, placement_id: int, *, weekly_fee_pence: int, effective_from: date, reason: str
) -> Placement:
    """Propose a new weekly fee from a date; the other side agrees with `agree_fee_change`."""
    placement = await readable_placement(actor, placement_id)
    side = side_of(actor, placement)
    if side is None:
        raise denied("Only the placing council or the provider changes the fee.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise wrong_state("This placement has ended.", "placementId")
    reason = " ".join(reason.split())
    problems: list[ServiceError] = []
    if not 0 < weekly_fee_pence <= MAX_FEE_PENCE:
        problems.append(invalid("weeklyFeePence", "The weekly fee is more than nothing and at most £50,000."))
    if effective_from < started_on(placement):
        problems.append(invalid("effectiveFrom", "A fee change takes effect on or after the placement's start."))
    if not reason:
        problems.append(invalid("reason", "Say why the fee changes."))
    elif len(reason) > MAX_REASON:
        problems.append(invalid("reason", f"The reason is at most {MAX_REASON} characters."))
    problems += identifying_problems([("reason", reason)])
    if problems:
        raise ServiceError.many(problems)
    if await PlacementFeeChange.exists(placement_id=placement.id, agreed_at__isnull=True):
        raise wrong_state("A fee change awaits the other side's agreement.", "placementId")
    async with unit_of_work() as work:
        change = await PlacementFeeChange.create(
            placement_id=placement.id,
            weekly_fee_pence=weekly_fee_pence,
            effective_from=effective_from,
            reason=reason,
            proposed_by_side=side,
            proposed_by_id=actor.user_id,
        )
        await _step(work, placement, "placement.feeChangeProposed", side, {"changeId": change.id})
    return placement


async def agree_fee_change(actor: Actor, placement_id: int) -> Placement:
    """The other side agrees the fee change awaiting it: from its effective date it is the fee in force."""
    placement = await readable_placement(actor, placement_id)
    side = side_of(actor, placement)
    if side is None:
        raise denied("Only the placing council or the provider agrees a fee change.")
    change = await PlacementFeeChange.filter(placement_id=placement.id, agreed_at__isnull=True).first()
    if change is None:
        raise wrong_state("No fee change awaits agreement.", "placementId")
    if change.proposed_by_side is side:
        raise wrong_state("The other side agrees the fee change your side proposed.", "placementId")
    async with unit_of_work() as work:
        changed = await PlacementFeeChange.filter(id=change.id, agreed_at__isnull=True).update(
            agreed_at=datetime.now(UTC), agreed_by_id=actor.user_id
        )
        if not changed:
            raise wrong_state("No fee change awaits agreement.", "placementId")
        await _step(work, placement, "placement.feeChanged", side, {"changeId": change.id})
    return placement


# --- reviews --------------------------------------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`: from a weekday, a week for each five (the seven
    days after a weekday hold five working days, the last on the same weekday), then day by day."""
    if not days:
        return start
    day = start - timedelta(days=max(start.weekday() - 4, 0))  # from a weekend: the same days as from Friday
    weeks, days = divmod(days, 5)
    day += timedelta(weeks=weeks)
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_review_due(start: date, held: list[date]) -> date:
    """The statutory cadence: the first review within 20 working days of the start, the second within 3
    months of the first, then every 6 months from the last."""
    return review_due_after(start, max(held) if held else None, len(held))


def review_due_after(start: date, last_held: date | None, held_count: int) -> date:
    """next_review_due from what it depends on: the start, the latest review held and how many were held."""
    if last_held is None or held_count == 0:
        return add_working_days(start, FIRST_REVIEW_WORKING_DAYS)
    return add_months(last_held, 3 if held_count == 1 else 6)


async def review_dates(placement: Placement) -> list[date]:
    return list(
        await PlacementReview.filter(placement_id=placement.id).order_by("held_on").values_list("held_on", flat=True)
    )


async def record_review(
    actor: Actor,
    placement_id: int,
    *,
    held_on: date,
    attendance: list[ReviewAttendee],
    sdq_total: int | None,
    notes: str,
) -> PlacementReview:
    placement = await readable_placement(actor, placement_id)
    if not policy.may_act_for_council_on_placement(actor, placement):
        raise denied("The placing council records the child's reviews.")
    notes = notes.strip()
    problems: list[ServiceError] = []
    if held_on > datetime.now(UTC).date():
        problems.append(invalid("heldOn", "A review is recorded once it is held: today or before."))
    if held_on < started_on(placement):
        problems.append(invalid("heldOn", "A review is held after the placement started."))
    if not attendance:
        problems.append(invalid("attendance", "Say who attended the review."))
    if sdq_total is not None and not 0 <= sdq_total <= SDQ_MAX:
        problems.append(invalid("sdqTotal", f"The Strengths and Difficulties Questionnaire total is 0 to {SDQ_MAX}."))
    if len(notes) > MAX_NOTES:
        problems.append(invalid("notes", f"The notes are at most {MAX_NOTES} characters."))
    problems += identifying_problems([("notes", notes)])
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        review = await PlacementReview.create(
            placement_id=placement.id,
            held_on=held_on,
            attendance=sorted({a.value for a in attendance}),
            sdq_total=sdq_total,
            notes=notes,
            recorded_by_id=actor.user_id,
        )
        await _step(work, placement, "placement.reviewed", PlacementSide.COUNCIL, {"heldOn": held_on.isoformat()})
    return review


@dataclass(frozen=True)
class ReviewDue:
    placement_id: int
    council_id: int
    ipa_reference: str
    due_on: date
    overdue: bool


async def reviews_due(today: date, council_id: int | None = None) -> list[ReviewDue]:
    """Active placements whose next statutory review is overdue or due within DUE_SOON_DAYS, soonest first:
    for one council, or (the daily clock) for every council."""
    # One aggregate statement: each active placement with its latest review and the number held (no review
    # row is loaded); the due date is then the statutory rule on those (review_due_after).
    found = []
    for row in await placement_reviews.active_placements_reviews(council_id):
        due = review_due_after(row.started_on, row.last_held, row.held_count)
        if due <= today + timedelta(days=DUE_SOON_DAYS):
            found.append(ReviewDue(row.placement_id, row.council_id, row.ipa_reference, due, due < today))
    return sorted(found, key=lambda r: (r.due_on, r.placement_id))


# --- notice ---------------------------------------------------------------------------------------


def notice_days(placement: Placement) -> int | None:
    if placement.notice_given_on is None or placement.notice_intended_end is None:
        return None
    return (placement.notice_intended_end - placement.notice_given_on).days


def short_notice(placement: Placement) -> bool | None:
    days = notice_days(placement)
    return None if days is None else days < NOTICE_DAYS


async def give_notice(actor: Actor, placement_id: int, *, given_on: date, intended_end: date) -> Placement:
    placement = await readable_placement(actor, placement_id)
    side = side_of(actor, placement)
    if side is None:
        raise denied("Only the placing council or the provider gives notice.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise wrong_state("This placement has ended.", "placementId")
    if placement.notice_given_on is not None:
        raise wrong_state("Notice has already been given on this placement.", "placementId")
    problems: list[ServiceError] = []
    if given_on > datetime.now(UTC).date():
        problems.append(invalid("givenOn", "Notice is given today or before."))
    if given_on < started_on(placement):
        problems.append(invalid("givenOn", "Notice is given after the placement started."))
    if intended_end < given_on:
        problems.append(invalid("intendedEnd", "The placement ends on or after the day notice is given."))
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        await Placement.filter(id=placement.id).update(
            notice_given_on=given_on,
            notice_intended_end=intended_end,
            notice_given_by=side,
            notice_given_by_user_id=actor.user_id,
        )
        await placement.refresh_from_db()
        await _step(
            work,
            placement,
            "placement.noticeGiven",
            side,
            {"intendedEnd": intended_end.isoformat(), "shortNotice": bool(short_notice(placement))},
        )
    return placement


# --- step-across ------------------------------------------------------------------------------------


async def start_step_across(actor: Actor, placement_id: int, placement_kind: PlacementKind | None) -> Referral:
    """From a residential placement, a draft fostering referral prefilled from this one, linked both ways."""
    placement = await readable_placement(actor, placement_id)
    if not policy.may_act_for_council_on_placement(actor, placement):
        raise denied("The placing council's placement officers start a step-across.")
    if placement.childrens_home_id is None:
        raise wrong_state("A step-across starts from a residential placement.", "placementId")
    if placement.step_across_referral_id is not None:
        raise wrong_state("A step-across referral is already started from this placement.", "placementId")
    if placement_kind is None or placement_kind.is_residential:
        raise invalid("placementKind", "Choose a fostering kind of placement.")
    source = await Referral.get(id=placement.referral_id)
    async with unit_of_work() as work:
        draft = await referral_service.step_across_draft(work, actor, source, placement_kind)
        changed = await Placement.filter(id=placement.id, step_across_referral_id__isnull=True).update(
            step_across_referral_id=draft.id
        )
        if not changed:
            raise wrong_state("A step-across referral is already started from this placement.", "placementId")
        await placement.refresh_from_db()
        await _step(work, placement, "placement.steppedAcross", PlacementSide.COUNCIL, {"newReferralId": draft.id})
    return draft


async def stepped_across_from(referral_id: int) -> Placement | None:
    """The placement a referral was started from by a step-across, if it was."""
    return await Placement.filter(step_across_referral_id=referral_id).first()


# --- events and emails ------------------------------------------------------------------------------


async def _step(work: UnitOfWork, placement: Placement, type_: str, side: PlacementSide, extra: dict) -> None:
    """Every step is an event on the council's, the provider's and the referral's topics, and an email to
    the other side: the placement and what happened, never a note, a reason or the child's details."""
    referral = await Referral.get(id=placement.referral_id)
    event = await work.record(
        type_,
        [
            f"council:{placement.council_id}",
            f"provider:{placement.provider_id}",
            f"referral:{referral.id}",
            *await placements.framework_topics_of(placement.council_id),
        ],
        {"placementId": placement.id, "referralId": referral.id, "reference": referral.reference, **extra},
    )
    audience = (
        Audience.of_providers([placement.provider_id])
        if side is PlacementSide.COUNCIL
        else Audience.of_councils([placement.council_id], Role.PLACEMENT_OFFICER)
    )
    await work.notify(
        Notification.PLACEMENT_LIFE,
        audience,
        {
            "step": type_.split(".", 1)[1],
            "reference": referral.reference,
            "ipa_reference": placement.ipa_reference,
            "by": side.label,
            "placement_id": placement.id,
        },
        key=str(event.id),
    )
