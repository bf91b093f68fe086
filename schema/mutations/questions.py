"""Questions before offering: a provider asks, the council's placement officers answer."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.questions import ReferralQuestion
from server.services import questions


@strawberry.input(description="A question to the council about a referral your organisation was sent.")
class AskQuestionInput:
    referral_id: strawberry.ID
    question: str = strawberry.field(description="Must not identify the child (the anonymisation guard).")


@strawberry.input(description="The council's answer to a provider's question.")
class AnswerQuestionInput:
    question_id: strawberry.ID
    answer: str = strawberry.field(description="Must not identify the child (the anonymisation guard).")
    to_every_provider: bool = strawberry.field(
        default=False,
        description="Answer to every provider the referral was sent to (shown with the question, never with "
        "who asked); otherwise to the asking provider alone.",
    )


@strawberry.type
class ReferralQuestionPayload:
    question: ReferralQuestion | None
    errors: list[UserError]


@strawberry.type
class QuestionMutations:
    @strawberry.mutation(description="Provider staff: ask the council a question about a referral you were sent.")
    async def ask_question(self, info: Info, input: AskQuestionInput) -> ReferralQuestionPayload:
        referral_id = from_global_id(input.referral_id, "Referral") or 0
        view, errors = await attempt(
            info.context.actor, lambda actor: questions.ask_question(actor, referral_id, input.question)
        )
        return ReferralQuestionPayload(question=ReferralQuestion.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="The council's placement officers: answer a provider's question.")
    async def answer_question(self, info: Info, input: AnswerQuestionInput) -> ReferralQuestionPayload:
        question_id = from_global_id(input.question_id, "ReferralQuestion") or 0
        view, errors = await attempt(
            info.context.actor,
            lambda actor: questions.answer_question(
                actor, question_id, input.answer, to_every_provider=input.to_every_provider
            ),
        )
        return ReferralQuestionPayload(question=ReferralQuestion.of(view) if view else None, errors=errors)
