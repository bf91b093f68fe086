"""Free text that can reach providers must not identify the child."""

from __future__ import annotations

from collections.abc import Iterable

from server.domain.anonymisation import find_identifying_details
from server.services.errors import ErrorCode, ServiceError


def identifying_problems(fields: Iterable[tuple[str, str]]) -> list[ServiceError]:
    """One error per identifying detail found, naming the field and the span to fix."""
    problems = []
    for field, text in fields:
        for detail in find_identifying_details(text or ""):
            problems.append(
                ServiceError(ErrorCode.IDENTIFYING_DETAILS, detail.message, field, span=(detail.start, detail.end))
            )
    return problems
