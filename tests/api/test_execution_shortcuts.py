"""schema/execution.py: the shortcuts give what strawberry's and graphql-core's ordinary path gives, errors too.

Each case runs one small schema twice, with and without the shortcuts, and compares the whole results.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from schema.execution import PLAIN, Execution, is_awaitable, plan_fields
from server.models import Framework

calls: list[str] = []


class Never(BasePermission):
    message = "Never."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        calls.append("permission")
        return False


@dataclass
class Row:
    id: int
    name: str | None
    kind: str
    broken: bool = False

    @property
    def risky(self) -> str:
        if self.broken:
            raise RuntimeError("cannot read")
        return "fine"


@strawberry.type
class Item:
    name: str
    maybe: str | None = strawberry.field(resolver=lambda root: root.name)
    risky: str

    @strawberry.field
    def id(self, root: Row) -> strawberry.ID:
        return strawberry.ID(f"Item:{root.id}")

    @strawberry.field
    def label(self, root: Row, info: Info) -> str:
        calls.append(f"label:{info.field_name}")
        return f"{root.kind}/{info.path.key}"

    @strawberry.field
    def twin(self, root: Row) -> Item | None:
        return Row(root.id + 100, root.name, root.kind) if root.id < 100 else None

    @strawberry.field(permission_classes=[Never])
    def secret(self, root: Row) -> str:
        return "secret"


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Row(1, "one", "a"), Row(2, None, "b"), Row(3, "three", "c", broken=True)]  # type: ignore[list-item]


class Middleware(SchemaExtension):
    """An extension implementing `resolve` makes graphql-core middleware: it must see every field."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(f"middleware:{info.field_name}")
        return _next(root, info, *args, **kwargs)


def _schemas(extensions: list[Any]) -> tuple[strawberry.Schema, strawberry.Schema]:
    ordinary = strawberry.Schema(query=Query, extensions=extensions)
    quick = strawberry.Schema(query=Query, extensions=extensions, execution_context_class=Execution)
    plan_fields(quick._schema, quick.config.info_class)
    return ordinary, quick


def _run(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any], list[str]]:
    calls.clear()
    result = asyncio.run(schema.execute(query))
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors, sorted(calls)


QUERIES = [
    "{ items { id name maybe label twin { id name label twin { id } } } }",
    "{ items { risky } }",  # the third item's read raises: a located error, null for the item
    "{ items { name } }",  # the second item's name is null for a non-null field
    "{ items { id secret } }",  # a permission class still asks, for every item
    "{ items { id __typename a: name b: name } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_shortcuts_answer_as_the_ordinary_path(query: str) -> None:
    ordinary, quick = _schemas([])
    assert _run(quick, query) == _run(ordinary, query)


@pytest.mark.parametrize("query", QUERIES)
def test_middleware_sees_every_field_with_the_shortcuts(query: str) -> None:
    ordinary, quick = _schemas([Middleware])
    theirs, mine = _run(ordinary, query), _run(quick, query)
    assert mine == theirs  # the calls too: the middleware saw the same fields, as often
    assert any(call.startswith("middleware:") for call in mine[2] if call != "middleware:items")


def test_fields_with_extensions_keep_strawberrys_path() -> None:
    _, quick = _schemas([])
    fields = quick._schema.type_map["Item"].fields
    assert PLAIN in fields["name"].extensions and PLAIN in fields["id"].extensions
    assert PLAIN not in fields["label"].extensions  # asks for info: direct, completed the ordinary way
    assert PLAIN not in fields["twin"].extensions  # an object
    assert PLAIN not in fields["secret"].extensions  # a permission class
    assert getattr(fields["secret"].resolve, "__name__", "") != "call"
    assert getattr(fields["label"].resolve, "__name__", "") == "call"
    assert issubclass(Execution, StrawberryGraphQLCoreExecutionContext)


async def test_is_awaitable_says_what_graphql_core_says_but_for_rows() -> None:
    async def work() -> int:
        return 1

    coroutine = work()
    future = asyncio.get_running_loop().create_future()
    assert is_awaitable(coroutine) and is_awaitable(future)
    await coroutine
    future.cancel()
    for value in (None, 1, "x", [1], {"a": 1}, Row(1, "a", "b"), Row(2, "a", "b")):
        assert not is_awaitable(value)
    row = Framework(name="A framework")
    assert hasattr(row, "__await__") and not is_awaitable(row)  # tortoise's rows are awaitable; here, values


@strawberry.type
class Ticks:
    @strawberry.subscription
    async def ticks(self, count: int) -> AsyncGenerator[Item, None]:
        for n in range(count):
            yield Row(n, f"tick {n}", "t")  # type: ignore[misc]


async def test_each_event_of_a_subscription_collects_its_subfields_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """graphql-core gave every event's executor the subscription's one memo of subfields, keyed by that event's
    own field lists: it grew by an entry per event and object field, kept for the subscription's life."""
    memos: list[dict[Any, Any]] = []
    build = Execution.build_per_event_executor

    def noted(self: Execution, payload: Any) -> Any:
        executor = build(self, payload)
        memos.append(executor._relevant_sub_fields)
        return executor

    monkeypatch.setattr(Execution, "build_per_event_executor", noted)
    schema = strawberry.Schema(query=Query, subscription=Ticks, execution_context_class=Execution)
    plan_fields(schema._schema, schema.config.info_class)
    stream = await schema.subscribe("subscription { ticks(count: 30) { id name twin { id name } } }")
    names = [result.data["ticks"]["twin"]["name"] async for result in stream]  # type: ignore[union-attr]
    assert names == [f"tick {n}" for n in range(30)]
    assert len(memos) == 30 and len({id(memo) for memo in memos}) == 30, "a memo per event"
    assert max(len(memo) for memo in memos) <= 2, "each holds its own event's object fields only"
