"""Questions before offering: a provider sent a referral asks its council; the council answers.

The council's placement officers answer a question to the asking provider alone, or to every provider the
referral was sent to (shown with the question, never with who asked). Both texts pass the anonymisation
guard. Each step is an event naming whom it concerns (the council, the referral, the providers who may read
it: the live feed and the response cache follow those topics) and an email to those concerned that says
only that there is a question or an answer, with the link: never the text itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import ReferralStatus, Role
from server.models import BroadcastRecipient, Referral, ReferralQuestion
from server.outbox.kinds import Notification
from server.services.errors import ErrorCode, ServiceError, denied, not_found, wrong_state
from server.services.free_text import identifying_problems
from server.services.lookups import referral_for
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, unit_of_work


@dataclass(frozen=True)
class QuestionView:
    """A question as one reader may see it: who asked only for the council (and the asker itself)."""

    id: int
    referral_id: int
    question: str
    asked_at: datetime
    asked_by_you: bool
    provider_name: str | None
    answer: str | None
    answered_at: datetime | None
    shared_with_all: bool


async def referral_questions(actor: Actor, referral_id: int) -> list[QuestionView]:
    """The questions on a referral the actor may read, oldest first; none for anyone else."""
    referral = await referral_for(actor, referral_id)
    query = await policy.scope_referral_questions(actor, referral, ReferralQuestion.all())
    rows = await query.select_related("provider").order_by("asked_at", "id")
    return [_view(actor, referral, row) for row in rows]


async def question_for(actor: Actor, referral: Referral, question_id: int) -> QuestionView | None:
    """One question of the referral as the actor may see it, or None."""
    query = await policy.scope_referral_questions(actor, referral, ReferralQuestion.filter(id=question_id))
    row = await query.select_related("provider").first()
    return _view(actor, referral, row) if row else None


def _view(actor: Actor, referral: Referral, row: ReferralQuestion) -> QuestionView:
    answered = row.answered_at is not None
    return QuestionView(
        id=row.id,
        referral_id=row.referral_id,
        question=row.question,
        asked_at=row.asked_at,
        asked_by_you=policy.asked_by_actors_organisation(actor, row),
        provider_name=row.provider.name if policy.may_see_who_asked(actor, referral, row) else None,
        answer=row.answer if answered else None,
        answered_at=row.answered_at,
        shared_with_all=row.shared_with_all,
    )


def _text(field: str, text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ServiceError(ErrorCode.REQUIRED, f"Write the {what}.", field)
    if problems := identifying_problems([(field, text)]):
        raise ServiceError.many(problems)
    return text


async def ask_question(actor: Actor, referral_id: int, question: str) -> QuestionView:
    referral = await referral_for(actor, referral_id)
    if not await policy.may_ask_question(actor, referral):
        raise denied("Only staff of a provider the referral was sent to can ask the council about it.")
    if referral.status is not ReferralStatus.OPEN:
        raise wrong_state(f"This referral is {referral.status.label.lower()}: questions are closed.", "referralId")
    text = _text("question", question, "question")
    async with unit_of_work() as work:
        row = await ReferralQuestion.create(
            referral_id=referral.id, provider_id=actor.provider_id, asked_by_id=actor.user_id, question=text
        )
        event = await work.record(
            "question.asked",
            [f"council:{referral.council_id}", f"referral:{referral.id}", f"provider:{actor.provider_id}"],
            {"referralId": referral.id, "questionId": row.id, "reference": referral.reference},
        )
        await work.notify(
            Notification.QUESTION_ASKED,
            Audience.of_councils([referral.council_id], Role.PLACEMENT_OFFICER),
            referral_context(referral),
            key=str(event.id),
        )
    view = await question_for(actor, referral, row.id)
    assert view is not None
    return view


async def answer_question(actor: Actor, question_id: int, answer: str, *, to_every_provider: bool) -> QuestionView:
    row = await ReferralQuestion.get_or_none(id=question_id)
    referral = await Referral.get_or_none(id=row.referral_id) if row else None
    if row is None or referral is None or not policy.may_oversee_referral(actor, referral):
        raise not_found("question", "questionId")
    if not policy.may_answer_question(actor, referral):
        raise denied("Only the council's placement officers can answer questions on this referral.")
    if referral.status is not ReferralStatus.OPEN:
        raise wrong_state(f"This referral is {referral.status.label.lower()}: questions are closed.", "questionId")
    if row.answered_at is not None:
        raise wrong_state("This question has already been answered.", "questionId")
    text = _text("answer", answer, "answer")
    now = datetime.now(UTC)
    async with unit_of_work() as work:
        changed = await ReferralQuestion.filter(id=row.id, answered_at__isnull=True).update(
            answer=text, answered_by_id=actor.user_id, answered_at=now, shared_with_all=to_every_provider
        )
        if not changed:
            raise wrong_state("This question has already been answered.", "questionId")
        if to_every_provider:
            sent = BroadcastRecipient.filter(referral_id=referral.id, sent_at__isnull=False)
            readers = sorted(set(await sent.values_list("provider_id", flat=True)) | {row.provider_id})
        else:
            readers = [row.provider_id]
        event = await work.record(
            "question.answered",
            [
                f"council:{referral.council_id}",
                f"referral:{referral.id}",
                *(f"provider:{provider_id}" for provider_id in readers),
            ],
            {"referralId": referral.id, "questionId": row.id, "reference": referral.reference},
        )
        await work.notify(
            Notification.QUESTION_ANSWERED,
            Audience.of_providers(readers),
            {**referral_context(referral), "shared": to_every_provider},
            key=str(event.id),
        )
    view = await question_for(actor, referral, row.id)
    assert view is not None
    return view
