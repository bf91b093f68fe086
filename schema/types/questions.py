"""Questions before offering: the query that lists a referral's questions as the caller may read them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.ids import from_global_id, to_global_id
from schema.permissions import AUTH
from server.services import questions
from server.services.errors import ServiceError
from server.services.questions import QuestionView


@strawberry.type(description="A provider's question to the council about a referral, and the council's answer.")
class ReferralQuestion:
    id: strawberry.ID
    referral_id: strawberry.ID
    question: str
    asked_at: datetime
    asked_by_you: bool = strawberry.field(description="True when your organisation asked it.")
    provider_name: str | None = strawberry.field(
        description="Which provider asked: for the council and the asker only; null for other providers."
    )
    answer: str | None = strawberry.field(description="The council's answer; null until it answers.")
    answered_at: datetime | None
    shared_with_all: bool = strawberry.field(
        description="The council answered to every provider the referral was sent to, not the asker alone."
    )

    @classmethod
    def of(cls, view: QuestionView) -> ReferralQuestion:
        return cls(
            id=to_global_id("ReferralQuestion", view.id),
            referral_id=to_global_id("Referral", view.referral_id),
            question=view.question,
            asked_at=view.asked_at,
            asked_by_you=view.asked_by_you,
            provider_name=view.provider_name,
            answer=view.answer,
            answered_at=view.answered_at,
            shared_with_all=view.shared_with_all,
        )


@strawberry.type
class QuestionQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="Questions providers asked the council about a referral, oldest first. The owning council "
        "sees them all; a provider it was sent to sees its own, with their answers, and the answers the council "
        "shared with every provider (without who asked); anyone else an empty list.",
    )
    async def referral_questions(self, info: Info, referral_id: strawberry.ID) -> list[ReferralQuestion]:
        pk = from_global_id(referral_id, "Referral")
        if pk is None or info.context.actor is None:
            return []
        try:
            views = await questions.referral_questions(info.context.actor, pk)
        except ServiceError:
            return []
        return [ReferralQuestion.of(view) for view in views]
