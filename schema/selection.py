"""What a list's caller asked for, so that a list reads only the columns and relations its selection needs.

A provider's inbox asks 8 of a referral's 40-odd columns; reading the rest costs a statement that carries them,
and decoding each (dates, JSON lists) for every row. `node_fields(info)` names the fields asked of a
connection's nodes (or a list's items); `columns_for` turns them into the model's columns, or None (every
column) when a field is asked whose needs are not declared: a new field never reads a column that was left out.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Iterable, Mapping
from functools import cache
from inspect import isawaitable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from tortoise.models import Model

K = TypeVar("K")
V = TypeVar("V")


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def node_fields(info: Info, *, connection: bool = True) -> set[str] | None:
    """The names of the fields asked of each node (`edges { node { ... } }`), or of each item of a plain list;
    None when the shape is not one this understands (the caller then reads everything)."""
    names: set[str] = set()
    for field in _fields(info.selected_fields):
        items = list(_fields(field.selections))
        if connection:
            edges = [f for f in items if f.name == "edges"]
            items = [n for edge in edges for n in _fields(edge.selections) if n.name == "node"]
            items = [f for node in items for f in _fields(node.selections)]
        names.update(f.name for f in items)
    return names


@cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def columns_for(
    model: type[Model], asked: set[str] | None, needs: Mapping[str, frozenset[str]], always: frozenset[str]
) -> list[str] | None:
    """The columns to read for the fields asked: a resolved field's declared `needs`, else the column of the
    same name; None (all of them) when a field is asked that is neither."""
    if asked is None:
        return None
    columns = set(always)
    stored = model._meta.fields_db_projection
    for name in asked:
        if name == "__typename":
            continue
        if name in needs:
            columns |= needs[name]
        elif (column := _snake(name)) in stored:
            columns.add(column)
        else:
            return None
    return sorted(columns)


def now_or_later(loader: DataLoader[K, V], key: K) -> V | Awaitable[V]:
    """The loader's answer for `key` at once when it is already loaded (no task, no await: see `prime_many`),
    else its future, for GraphQL to await."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)


async def prime_many(*loads: tuple[DataLoader[Any, Any], Iterable[Any]]) -> None:
    """Load each loader's keys for a whole page in one go, so each item's field answers without awaiting."""
    pending = [loader.load_many(list(dict.fromkeys(keys))) for loader, keys in loads]
    for batch in pending:
        if isawaitable(batch):
            await batch
