"""graphql-core's executor with less work per field: the same answers, each field resolved with fewer calls.

An inbox of 20 referrals executes some 300 fields, most of them a column read off a row. Through strawberry and
graphql-core each costs a resolve-info tuple, strawberry's wrapper (its Info, its argument conversion, its chain
of field extensions, empty here) and graphql-core's completion walk, whatever the field is. Two shortcuts, both
decided once per field when the schema is built (`plan_fields`), never per request:

- A *direct* resolver: a field whose resolver takes no arguments and has no field extension (so no permission
  class and no input bounds: those fields keep strawberry's path) and is not async has its graphql-core resolver
  replaced by one that calls the function itself, with strawberry's Info only when the function asks for it.
- A *plain* leaf: a field of a scalar or enum type that is a stored attribute (no resolver) or a resolver that
  reads only its root is completed in `Execution.execute_field` by reading the value and coercing it with the
  type's own coercion, without the resolve-info tuple or the completion walk. A null, a failed coercion or any
  exception goes the ordinary way instead, which gives graphql-core's own error (null for a non-null field,
  a located error): a field resolved this way has no side effect to repeat.

Every query field that asks the permission policy (AUTH) carries strawberry's permission extension, so it is
never direct: each query still asks at its entry.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_ITERABLE_COROUTINE
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import GraphQLField, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from tortoise.models import Model

DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF

# Where a field keeps what `Execution.execute_field` completes it with (in graphql-core's field extensions):
# how to read it off its source, its leaf type's coercion, and whether it may be null.
PLAIN = "placement_exchange.plain"

# Types whose values are never awaited (graphql-core asks of every resolved value and every list item).
_NEVER_AWAITABLE: set[type] = {type(None), bool, int, float, str, bytes, list, tuple, dict, set, frozenset}


def is_awaitable(value: Any) -> bool:
    """graphql-core's test, told that a stored row is a value, not pending work.

    tortoise gives every model instance an `__await__` (awaiting one gives it back), so the executor took each
    referral, framework and offer a resolver returned for a coroutine: a task and a trip round the event loop
    per row and per relation, and a list of rows completed with a gather. A row is complete when it is
    returned; anything really awaitable still is. A type found to have no `__await__` is remembered as such.
    """
    kind = type(value)
    if kind in _NEVER_AWAITABLE:
        return False
    if isinstance(value, CoroutineType):
        return True
    if isinstance(value, GeneratorType):
        return bool(value.gi_code.co_flags & CO_ITERABLE_COROUTINE)
    if isinstance(value, Model):
        return False
    if hasattr(value, "__await__"):
        return True
    if not hasattr(kind, "__getattr__") and kind.__getattribute__ is object.__getattribute__:
        _NEVER_AWAITABLE.add(kind)  # `await` looks `__await__` up on the type: none of its values is awaitable
    return False


class Execution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with `is_awaitable` above and the plain leaves completed at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # type: ignore[assignment]
        # strawberry hands every execution a middleware manager, empty unless an extension implements `resolve`:
        # a field that middleware wraps always takes the ordinary path.
        manager = self.middleware_manager
        self.completes_plain_leaves = manager is None or not manager._middleware_resolvers

    def build_per_event_executor(self, payload: Any) -> Any:
        """graphql-core's copy of a subscription's executor for one event, with a memo of subfields of its own.

        graphql-core (3.3) gives every event's copy the subscription's one memo of collected subfields, keyed by
        the identity of that event's own field lists: it never answers a later event, and it kept each event's
        lists and collected fields alive for as long as the subscription, two entries per event and object
        field. A live group lives for days; its heap grew with every event, and every full collection of the
        garbage collector walked it all.
        """
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        field_def = parent_type.fields.get(field_details_list[0].node.name.value)
        plain = field_def.extensions.get(PLAIN) if field_def is not None and self.completes_plain_leaves else None
        if plain is not None:
            read, coerce, nullable = plain
            try:
                value = read(source)
                if value is None:
                    if nullable:
                        return None
                else:
                    coerced = coerce(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # noqa: BLE001 - the ordinary path below raises it again, located
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


def plan_fields(schema: GraphQLSchema, info_class: type[Info] = Info) -> None:
    """Give each eligible field of the built schema its direct resolver, and note its plain leaves."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        if graphql_type in (schema.mutation_type, schema.subscription_type):
            continue
        for field in graphql_type.fields.values():
            _plan(field, info_class)


def _plan(field: GraphQLField, info_class: type[Info]) -> None:
    definition = (field.extensions or {}).get(DEFINITION)
    if type(definition) is not StrawberryField or definition.extensions or definition.is_subscription:
        return
    resolver = definition.base_resolver
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type
    if resolver is None:
        if is_leaf_type(leaf) and not field.args:
            name, default = definition.python_name, definition.default_resolver
            read = lambda source: default(source, name)  # noqa: E731 - what StrawberryField.get_result does
            field.extensions = {**field.extensions, PLAIN: (read, _coercion(leaf), nullable)}
        return
    if definition.arguments or field.args or resolver.is_async:
        return
    function = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    root_names = {p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None}
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def call(source: Any, info: Any) -> Any:
        kwargs = dict.fromkeys(root_names, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return function(source, **kwargs) if takes_self else function(**kwargs)

    field.resolve = call
    if info_name is None and is_leaf_type(leaf):
        field.extensions = {**field.extensions, PLAIN: (lambda source: call(source, None), _coercion(leaf), nullable)}


def _coercion(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    return leaf.coerce_output_value
