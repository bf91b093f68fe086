"""Sending a parked email again, once its cause is fixed (platform admins)."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.errors import UserError, attempt, input_error
from schema.ids import from_global_id
from schema.types.parked_mail import ParkedEmail
from server.auth.actor import Actor
from server.services import parked_mail
from server.services.errors import ErrorCode


@strawberry.input
class RetryParkedEmailInput:
    id: strawberry.ID


@strawberry.type
class ParkedEmailPayload:
    email: ParkedEmail | None
    errors: list[UserError]


@strawberry.type
class ParkedMailMutations:
    @strawberry.mutation(description="Queue a parked email again, due now (platform admins).")
    async def retry_parked_email(self, info: Info, input: RetryParkedEmailInput) -> ParkedEmailPayload:
        message_id = from_global_id(input.id, "ParkedEmail")
        if message_id is None:
            return ParkedEmailPayload(
                email=None, errors=input_error("id", "No email with that id.", ErrorCode.NOT_FOUND)
            )

        async def retry(actor: Actor) -> ParkedEmail:
            return ParkedEmail.of(await parked_mail.retry_parked_mail(actor, message_id))

        email, errors = await attempt(info.context.actor, retry)
        return ParkedEmailPayload(email=email, errors=errors)
