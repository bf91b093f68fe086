"""Expected failures of the use cases: data for the API, never a stack trace.

The codes are part of the API contract (the GraphQL `UserErrorCode` enum mirrors
this one), so integrators can branch on them.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    WRONG_STATE = "WRONG_STATE"
    IDENTIFYING_DETAILS = "IDENTIFYING_DETAILS"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    DUPLICATE = "DUPLICATE"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    NO_PRICE = "NO_PRICE"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


class ServiceError(Exception):
    """One or more problems with what was asked; nothing was written."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None, *, span: tuple[int, int] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.span = span
        self.problems: list[ServiceError] = [self]

    @classmethod
    def many(cls, problems: list[ServiceError]) -> ServiceError:
        first = problems[0]
        error = cls(first.code, first.message, first.field, span=first.span)
        error.problems = problems
        return error


def api_field(name: str) -> str:
    """A field's name as the API spells it (camelCase), for ServiceError.field: "home_district" -> "homeDistrict"."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def not_found(what: str, field: str | None = "id") -> ServiceError:
    """Denied and missing look the same, so nobody can probe for other tenants' objects."""
    return ServiceError(ErrorCode.NOT_FOUND, f"No {what} with that id.", field)


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, field)


def wrong_state(message: str, field: str | None = None) -> ServiceError:
    return ServiceError(ErrorCode.WRONG_STATE, message, field)


def denied(message: str = "You do not have permission to do that.") -> ServiceError:
    return ServiceError(ErrorCode.PERMISSION_DENIED, message, None)
