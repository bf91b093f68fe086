"""Which operation a GraphQL request would run, read from its document once per document text."""

from __future__ import annotations

from functools import lru_cache

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse, visit
from graphql.language import Visitor


@lru_cache(maxsize=512)
def operation_of(document: str, operation_name: str | None) -> OperationDefinitionNode | None:
    """The one operation selected by `operation_name` (or the only one), or None if there is not exactly one
    or the document does not parse: the ordinary execution path then reports why."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [op for op in operations if op.name is not None and op.name.value == operation_name]
    return operations[0] if len(operations) == 1 else None


@lru_cache(maxsize=512)
def field_names(document: str) -> frozenset[str]:
    """Every field name the document selects anywhere (its operations and fragments); empty if it does not parse."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return frozenset()
    names: set[str] = set()

    class Names(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            names.add(node.name.value)

    visit(parsed, Names())
    return frozenset(names)
