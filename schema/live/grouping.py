"""Which live subscriptions are the same: the key of the group a subscription joins (see schema.live)."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.operations import operation_of
from server.auth.actor import Actor
from server.events.log import parse_cursor

GROUPED_FIELDS = frozenset({"referralInbox", "offerUpdates", "vacancyFeed"})
RESUME_ARGUMENT = "after"

# Across organisations (see `shared_across_organisations`): the subscriptions whose messages, for an event that
# reaches an organisation at all, can differ by organisation only in fields that read who is asking.
SHARED_ROOTS = frozenset({"referralInbox"})
# Resolved fields that read who is asking (their `info`) only for loaders whose answers do not depend on it
# (schema.dataloaders.ACTOR_FREE): Referral.council, .framework and .lot.
ACTOR_FREE_FIELDS = frozenset({("Referral", "council"), ("Referral", "framework"), ("Referral", "lot")})


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
    # Groups of the same role's other organisations with the same `shared` key give the same message for every
    # event that reaches them: one of them runs the selection, the others deliver its message (schema.live.feed).
    shared: Hashable | None = None


def grouping(
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    actor: Actor | None,
    schema: GraphQLSchema | None = None,
) -> Grouping | None:
    """The group a subscription can join, or None when it must run on its own.

    With the schema, also whether its messages can be shared with other organisations' groups (Grouping.shared)."""
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
    shared = None
    if schema is not None and shared_across_organisations(schema, query, operation_name):
        shared = (query, operation_name, frozen_variables, actor.role)
    return Grouping(key, plan.fields, after, shared)


def shared_across_organisations(schema: GraphQLSchema, query: str, operation_name: str | None) -> bool:
    """Whether the document's messages are the same for every organisation an event reaches (of one role).

    The root field is one of SHARED_ROOTS, whose resolver lets an event through to an organisation's subscriber
    only when the event's topics name that organisation (who may see it, decided when it was written), and
    every field selected under it reads only its parent object: a stored attribute, a resolver that takes no
    `info` (so cannot know who asks), or one of ACTOR_FREE_FIELDS. No fragments, no directives, no permission
    classes or field extensions: anything else, and the subscription is shared by its own organisation only.
    """
    return _shared(schema, query, operation_name)


@lru_cache(maxsize=256)
def _shared(schema: GraphQLSchema, query: str, operation_name: str | None) -> bool:
    operation = operation_of(query, operation_name)
    root = schema.subscription_type
    if not isinstance(operation, OperationDefinitionNode) or root is None or operation.directives:
        return False
    selections = operation.selection_set.selections
    for selection in selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in SHARED_ROOTS or selection.directives:
            return False
        field = root.fields.get(selection.name.value)
        if field is None or selection.selection_set is None:
            return False
        if not _reads_only_parents(schema, get_named_type(field.type), selection.selection_set):
            return False
    return bool(selections)


def _reads_only_parents(schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode) -> bool:
    if not isinstance(parent, GraphQLObjectType):
        return False  # an interface or union: which fields run depends on the object
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return False
        name = selection.name.value
        if name == "__typename":
            continue
        field = parent.fields.get(name)
        if field is None or not _reads_only_parent(parent.name, name, field):
            return False
        if selection.selection_set is not None:
            if not _reads_only_parents(schema, get_named_type(field.type), selection.selection_set):
                return False
    return True


def _reads_only_parent(type_name: str, name: str, field: GraphQLField) -> bool:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.permission_classes or definition.extensions:
        return False
    if (type_name, name) in ACTOR_FREE_FIELDS:
        return True
    resolver = definition.base_resolver
    return resolver is None or resolver.info_parameter is None
