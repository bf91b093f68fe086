"""UserError: expected failures returned as data in every mutation payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from schema.enums import UserErrorCode
from server.auth.actor import Actor
from server.services.errors import ErrorCode, ServiceError

T = TypeVar("T")


@strawberry.type
class TextSpan:
    start: int
    end: int


@strawberry.type
class UserError:
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if any.")
    code: UserErrorCode
    message: str
    span: TextSpan | None = strawberry.field(
        default=None, description="For IDENTIFYING_DETAILS: where in the text the identifying detail is."
    )

    @classmethod
    def of(cls, error: ServiceError) -> UserError:
        span = TextSpan(start=error.span[0], end=error.span[1]) if error.span else None
        return cls(field=error.field, code=error.code, message=error.message, span=span)


def user_errors(error: ServiceError) -> list[UserError]:
    return [UserError.of(problem) for problem in error.problems]


async def attempt(actor: Actor | None, use_case: Callable[[Actor], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a use case as the signed-in actor; expected failures become UserErrors.

    Anything unexpected propagates, and the schema's error masker hides it.
    """
    if actor is None:
        return None, input_error(None, "Sign in first: send Authorization: Bearer <token>.", ErrorCode.UNAUTHENTICATED)
    try:
        return await use_case(actor), []
    except ServiceError as error:
        return None, user_errors(error)


def input_error(field: str | None, message: str, code: ErrorCode = ErrorCode.INVALID) -> list[UserError]:
    return [UserError(field=field, code=code, message=message)]
