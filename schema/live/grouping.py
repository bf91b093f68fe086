"""Which live subscriptions are the same: the key of the group a subscription joins (see schema.live)."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import FieldNode, OperationType, VariableNode

from schema.operations import operation_of
from server.auth.actor import Actor
from server.events.log import parse_cursor

GROUPED_FIELDS = frozenset({"referralInbox", "offerUpdates", "vacancyFeed"})
RESUME_ARGUMENT = "after"


@dataclass(frozen=True)
class _Plan:
    fields: tuple[str, ...]
    # Variables that carry a resume cursor: the subscription is grouped only when they are null.
    resume_variables: tuple[str, ...]


@lru_cache(maxsize=256)
def _plan(query: str, operation_name: str | None) -> _Plan | None:
    """What a subscription document asks for, or None when it cannot be grouped (or is not valid)."""
    operation = operation_of(query, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    fields: list[str] = []
    resume_variables: list[str] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in GROUPED_FIELDS:
            return None
        for argument in selection.arguments or ():
            if argument.name.value != RESUME_ARGUMENT:
                continue
            if not isinstance(argument.value, VariableNode):
                return None  # a literal cursor: this subscriber replays on its own
            resume_variables.append(argument.value.name.value)
        fields.append((selection.alias or selection.name).value)
    return _Plan(tuple(fields), tuple(resume_variables))


@dataclass(frozen=True)
class Grouping:
    """Where a subscription goes: the group's key, and the cursor this member resumes after (None: from now)."""

    key: Hashable
    fields: tuple[str, ...]
    after: int | None


def grouping(
    query: str, variables: dict[str, Any] | None, operation_name: str | None, actor: Actor | None
) -> Grouping | None:
    """The group a subscription can join, or None when it must run on its own."""
    if actor is None:
        return None
    plan = _plan(query, operation_name)
    if plan is None:
        return None
    variables = variables or {}
    after = None
    for name in plan.resume_variables:
        try:
            cursor = parse_cursor(variables.get(name))
        except (ValueError, AttributeError):
            return None  # the ordinary path refuses it with the reason
        if cursor is not None:
            after = cursor if after is None else min(after, cursor)
    # The cursor is the member's own business: the group's members share everything else.
    shared = {name: value for name, value in variables.items() if name not in plan.resume_variables}
    try:
        frozen_variables = json.dumps(shared, sort_keys=True)
    except (TypeError, ValueError):
        return None
    key = (query, operation_name, frozen_variables, actor.role, actor.council_id, actor.provider_id)
    return Grouping(key, plan.fields, after)
