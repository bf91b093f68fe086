"""Contract management's records: allegations, feedback on placements, contract reviews and their actions.

Allegations are written by the placing council or the provider and read by them and the lead commissioners of
the placing council's frameworks; feedback is recorded by the placing council (the child's social worker's or
reviewing officer's scores); contract reviews are held by a framework's lead commissioners with a provider, who
reads its own. Every free text passes the anonymisation guard. Events name the council, the provider and the
frameworks whose figures move (`framework:<id>`), never a summary, a comment or a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import (
    AllegationCategory,
    AllegationOutcome,
    AllegationReporter,
    FeedbackGiver,
    FeedbackOccasion,
    PlacementSide,
    ReviewActionOwner,
    ReviewActionStatus,
)
from server.models import (
    Allegation,
    CarerHousehold,
    ChildrensHome,
    ContractReview,
    ContractReviewAction,
    Framework,
    LotMembership,
    PlacementFeedback,
    Provider,
    Referral,
)
from server.services import placements
from server.services.errors import ServiceError, denied, invalid, not_found
from server.services.free_text import identifying_problems
from server.services.lookups import placement_for
from server.services.unit_of_work import UnitOfWork, unit_of_work

MAX_SUMMARY = 4000
MAX_NOTES = 4000
MAX_ACTION = 1000
MAX_ACTIONS = 30
SCORE_LOW, SCORE_HIGH = 1, 5
EARLIEST = date(2000, 1, 1)


def _today() -> date:
    return datetime.now(UTC).date()


def _date_problems(field: str, value: date | None, *, not_before: date = EARLIEST) -> list[ServiceError]:
    if value is None:
        return []
    if value > _today():
        return [invalid(field, "The date is today or before.")]
    if value < not_before:
        return [invalid(field, f"The date is on or after {not_before.isoformat()}.")]
    return []


def _text_problems(field: str, text: str, limit: int) -> list[ServiceError]:
    if len(text) > limit:
        return [invalid(field, f"At most {limit} characters.")]
    return identifying_problems([(field, text)])


async def framework_topics(council_id: int | None, provider_id: int) -> list[str]:
    """`framework:<id>` (and `council:<lead id>`) of the frameworks whose figures count a council's records, or,
    with no placing council, the frameworks the provider is on."""
    if council_id is not None:
        return await placements.framework_topics_of(council_id)
    rows = await LotMembership.filter(provider_id=provider_id).values_list(
        "lot__framework_id", "lot__framework__lead_council_id"
    )
    return placements.topics_of_frameworks(rows, None)


async def _record(work: UnitOfWork, type_: str, council_id: int | None, provider_id: int, payload: dict) -> None:
    topics = [f"provider:{provider_id}", *await framework_topics(council_id, provider_id)]
    if council_id is not None:
        topics.insert(0, f"council:{council_id}")
    await work.record(type_, topics, payload)


# --- allegations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllegationDetails:
    reported_on: date
    category: AllegationCategory
    reported_by: AllegationReporter
    placement_id: int | None = None
    provider_id: int | None = None
    carer_household_id: int | None = None
    childrens_home_id: int | None = None
    outcome: AllegationOutcome = AllegationOutcome.OPEN
    concluded_on: date | None = None
    summary: str = ""


async def record_allegation(actor: Actor, details: AllegationDetails) -> Allegation:
    if not (actor.is_council or actor.is_provider):
        raise denied("Allegations are recorded by the placing council or the provider.")
    placement = await placement_for(actor, details.placement_id) if details.placement_id else None
    provider_id = placement.provider_id if placement else (actor.provider_id or details.provider_id)
    if provider_id is None or (actor.is_provider and provider_id != actor.provider_id):
        raise not_found("provider", "providerId")
    if not await Provider.exists(id=provider_id):
        raise not_found("provider", "providerId")
    if details.provider_id is not None and details.provider_id != provider_id:
        raise invalid("providerId", "The placement is with another provider.")
    household_id, home_id = details.carer_household_id, details.childrens_home_id
    if placement and household_id is None and home_id is None:
        household_id, home_id = placement.carer_household_id, placement.childrens_home_id
    problems = await _resource_problems(provider_id, household_id, home_id)
    problems += _date_problems("reportedOn", details.reported_on)
    problems += _outcome_problems(details.outcome, details.concluded_on, details.reported_on)
    problems += _text_problems("summary", details.summary, MAX_SUMMARY)
    if problems:
        raise ServiceError.many(problems)
    council_id = placement.council_id if placement else actor.council_id
    async with unit_of_work() as work:
        allegation = await Allegation.create(
            reported_on=details.reported_on,
            provider_id=provider_id,
            council_id=council_id,
            carer_household_id=household_id,
            childrens_home_id=home_id,
            placement_id=placement.id if placement else None,
            category=details.category,
            reported_by=details.reported_by,
            outcome=details.outcome,
            concluded_on=details.concluded_on,
            summary=details.summary.strip(),
            recorded_by_side=PlacementSide.PROVIDER if actor.is_provider else PlacementSide.COUNCIL,
            recorded_by_id=actor.user_id,
        )
        await _record(
            work,
            "allegation.recorded",
            council_id,
            provider_id,
            {"allegationId": allegation.id, "outcome": allegation.outcome.value},
        )
    return allegation


async def _resource_problems(provider_id: int, household_id: int | None, home_id: int | None) -> list[ServiceError]:
    if (household_id is None) == (home_id is None):
        return [invalid("carerHouseholdId", "Name the carer household or the children's home, one of them.")]
    if household_id is not None and not await CarerHousehold.exists(id=household_id, provider_id=provider_id):
        return [not_found("carer household", "carerHouseholdId")]
    if home_id is not None and not await ChildrensHome.exists(id=home_id, provider_id=provider_id):
        return [not_found("children's home", "childrensHomeId")]
    return []


def _outcome_problems(outcome: AllegationOutcome, concluded_on: date | None, reported_on: date) -> list[ServiceError]:
    if outcome is AllegationOutcome.OPEN:
        return [invalid("concludedOn", "An open allegation is not concluded yet.")] if concluded_on else []
    if concluded_on is None:
        return [invalid("concludedOn", "Give the day the allegation was concluded.")]
    return _date_problems("concludedOn", concluded_on, not_before=reported_on)


async def allegation_for(actor: Actor, allegation_id: int) -> Allegation:
    allegation = await policy.scope_allegations(actor, Allegation.filter(id=allegation_id)).first()
    if allegation is None:
        raise not_found("allegation", "allegationId")
    return allegation


async def update_allegation(
    actor: Actor,
    allegation_id: int,
    *,
    outcome: AllegationOutcome | None = None,
    concluded_on: date | None = None,
    category: AllegationCategory | None = None,
    summary: str | None = None,
) -> Allegation:
    """The outcome (and the day it was concluded), the category or the summary; by the side that may write it."""
    allegation = await allegation_for(actor, allegation_id)
    if not policy.may_write_allegation(actor, allegation):
        raise denied("The placing council or the provider updates an allegation.")
    new_outcome = outcome or allegation.outcome
    new_concluded = concluded_on if outcome is not None or concluded_on is not None else allegation.concluded_on
    if new_outcome is AllegationOutcome.OPEN and outcome is not None:
        new_concluded = concluded_on
    problems = _outcome_problems(new_outcome, new_concluded, allegation.reported_on)
    if summary is not None:
        problems += _text_problems("summary", summary, MAX_SUMMARY)
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        changes: dict = {"outcome": new_outcome, "concluded_on": new_concluded, "updated_at": datetime.now(UTC)}
        if category is not None:
            changes["category"] = category
        if summary is not None:
            changes["summary"] = summary.strip()
        await Allegation.filter(id=allegation.id).update(**changes)
        await allegation.refresh_from_db()
        await _record(
            work,
            "allegation.updated",
            allegation.council_id,
            allegation.provider_id,
            {"allegationId": allegation.id, "outcome": allegation.outcome.value},
        )
    return allegation


async def allegations(
    actor: Actor, *, framework_id: int | None = None, provider_id: int | None = None, limit: int = 200
) -> list[Allegation]:
    """The allegations the actor may read, newest first; narrowed to a framework's councils or a provider."""
    query = policy.scope_allegations(actor, Allegation.all())
    if provider_id is not None:
        query = query.filter(provider_id=provider_id)
    if framework_id is not None:
        query = query.filter(council_id__in=await _member_councils(framework_id))
    return await query.limit(limit)


async def _member_councils(framework_id: int) -> list[int]:
    members = await Framework.filter(id=framework_id).values_list("member_councils__id", flat=True)
    return [m for m in members if m is not None]


# --- feedback ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackDetails:
    given_on: date
    given_by: FeedbackGiver
    needs_met: int
    communication: int
    stability: int
    occasion: FeedbackOccasion = FeedbackOccasion.ANY_TIME
    comment: str = ""


async def placement_feedback(
    actor: Actor, *, framework_id: int | None = None, provider_id: int | None = None, limit: int = 200
) -> list[PlacementFeedback]:
    """The feedback the actor may read, newest first, with each one's placement; narrowed to a framework's
    member councils or a provider."""
    query = policy.scope_placement_feedback(actor, PlacementFeedback.all())
    if provider_id is not None:
        query = query.filter(placement__provider_id=provider_id)
    if framework_id is not None:
        query = query.filter(placement__council_id__in=await _member_councils(framework_id))
    return await query.limit(limit).prefetch_related("placement")


async def record_placement_feedback(actor: Actor, placement_id: int, details: FeedbackDetails) -> PlacementFeedback:
    placement = await placement_for(actor, placement_id)
    if not policy.may_give_placement_feedback(actor, placement):
        raise denied("The placing council records feedback from the child's social worker or reviewing officer.")
    problems = _date_problems("givenOn", details.given_on, not_before=placement.start_date)
    for field, score in (
        ("needsMet", details.needs_met),
        ("communication", details.communication),
        ("stability", details.stability),
    ):
        if not SCORE_LOW <= score <= SCORE_HIGH:
            problems.append(invalid(field, f"A score from {SCORE_LOW} to {SCORE_HIGH}."))
    problems += _text_problems("comment", details.comment, MAX_NOTES)
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        feedback = await PlacementFeedback.create(
            placement_id=placement.id,
            given_on=details.given_on,
            given_by=details.given_by,
            occasion=details.occasion,
            needs_met=details.needs_met,
            communication=details.communication,
            stability=details.stability,
            comment=details.comment.strip(),
            recorded_by_id=actor.user_id,
        )
        referral = await Referral.get(id=placement.referral_id)
        await _record(
            work,
            "placement.feedbackGiven",
            placement.council_id,
            placement.provider_id,
            {"placementId": placement.id, "referralId": referral.id, "reference": referral.reference},
        )
    return feedback


# --- contract reviews ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDetails:
    what: str
    owner: ReviewActionOwner
    due_on: date


def action_status(action: ContractReviewAction, today: date | None = None) -> ReviewActionStatus:
    """Open or done as recorded; an open action past its due date is overdue."""
    if action.status is ReviewActionStatus.DONE:
        return ReviewActionStatus.DONE
    return ReviewActionStatus.OVERDUE if action.due_on < (today or _today()) else ReviewActionStatus.OPEN


async def _framework_led_by(actor: Actor, framework_id: int) -> Framework:
    framework = await Framework.get_or_none(id=framework_id)
    if framework is None or not policy.may_hold_contract_review(actor, framework):
        raise not_found("framework", "frameworkId")
    return framework


async def record_contract_review(
    actor: Actor,
    *,
    framework_id: int,
    provider_id: int,
    held_on: date,
    notes: str = "",
    actions: list[ActionDetails] | tuple[ActionDetails, ...] = (),
) -> ContractReview:
    framework = await _framework_led_by(actor, framework_id)
    if not await LotMembership.exists(provider_id=provider_id, lot__framework_id=framework.id):
        raise not_found("provider on this framework", "providerId")
    problems = _date_problems("heldOn", held_on)
    problems += _text_problems("notes", notes, MAX_NOTES)
    if len(actions) > MAX_ACTIONS:
        problems.append(invalid("actions", f"At most {MAX_ACTIONS} actions."))
    for i, action in enumerate(actions):
        if not action.what.strip():
            problems.append(invalid(f"actions.{i}.what", "Say what the action is."))
        problems += _text_problems(f"actions.{i}.what", action.what, MAX_ACTION)
        if action.due_on < held_on:
            problems.append(invalid(f"actions.{i}.dueOn", "An action is due on or after the review."))
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        review = await ContractReview.create(
            framework_id=framework.id,
            provider_id=provider_id,
            held_on=held_on,
            notes=notes.strip(),
            recorded_by_id=actor.user_id,
        )
        for action in actions:
            await ContractReviewAction.create(
                review_id=review.id, what=action.what.strip(), owner=action.owner, due_on=action.due_on
            )
        await work.record(
            "contractReview.recorded",
            [f"framework:{framework.id}", f"provider:{provider_id}", f"council:{framework.lead_council_id}"],
            {"contractReviewId": review.id, "frameworkId": framework.id, "providerId": provider_id},
        )
    return review


async def update_review_action(
    actor: Actor, action_id: int, *, done: bool, done_on: date | None = None, due_on: date | None = None
) -> ContractReviewAction:
    """Mark an action done (on a day, today by default) or open again, or move its due date: lead commissioners."""
    action = await ContractReviewAction.get_or_none(id=action_id).select_related("review__framework")
    if action is None or not policy.may_hold_contract_review(actor, action.review.framework):
        raise not_found("contract review action", "actionId")
    review = action.review
    done_on = (done_on or _today()) if done else None
    problems = _date_problems("doneOn", done_on, not_before=review.held_on)
    if due_on is not None and due_on < review.held_on:
        problems.append(invalid("dueOn", "An action is due on or after the review."))
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        await ContractReviewAction.filter(id=action.id).update(
            status=ReviewActionStatus.DONE if done else ReviewActionStatus.OPEN,
            done_on=done_on,
            due_on=due_on or action.due_on,
        )
        await action.refresh_from_db()
        await work.record(
            "contractReview.actionUpdated",
            [f"framework:{review.framework_id}", f"provider:{review.provider_id}"],
            {"contractReviewId": review.id, "actionId": action.id, "done": done},
        )
    return action


async def contract_reviews(
    actor: Actor, *, framework_id: int | None = None, provider_id: int | None = None, limit: int = 100
) -> list[ContractReview]:
    query = policy.scope_contract_reviews(actor, ContractReview.all())
    if framework_id is not None:
        query = query.filter(framework_id=framework_id)
    if provider_id is not None:
        query = query.filter(provider_id=provider_id)
    return await query.limit(limit).prefetch_related("actions")
