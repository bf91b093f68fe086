"""Cursor connections (keyset pagination on the primary key, newest first)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from schema.ids import from_cursor, to_cursor

T = TypeVar("T")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


class PageSizeError(ValueError):
    pass


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise PageSizeError(f"`first` must be between 1 and {MAX_PAGE_SIZE}.")
    return size


async def paginate(
    query: QuerySet, first: int | None, after: str | None, columns: list[str] | None = None
) -> Connection:
    """Newest first, `first` at a time after the cursor; only `columns` of each row when given."""
    size = page_size(first)
    after_id = from_cursor(after)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    if columns is not None:
        query = query.only(*columns)
    rows = await query.order_by("-id").limit(size + 1)
    return _connection(rows, size)


async def paginate_read(read: Callable[[int | None, int], Awaitable[Sequence[T]]], first: int | None,
                        after: str | None) -> Connection[T]:  # fmt: skip
    """As paginate, for rows read by `read(before_id, limit)` (newest first, ids below before_id when given)."""
    size = page_size(first)
    return _connection(await read(from_cursor(after), size + 1), size)


def _connection(rows: Sequence, size: int) -> Connection:
    page = rows[:size]
    edges = [Edge(cursor=to_cursor(row.id), node=row) for row in page]
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None)
    )
