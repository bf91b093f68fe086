"""Writing the event log: an event row and its topics, with the rows a unit of work queued to ride along.

The payload goes through the column's own JSON encoding, so that a reader of the table gets exactly what
was handed to this process's hub.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.models import Event
from server.repositories.statements import MAX_BOUND_VALUES, Statement, column_field, execute_all

# Held from a transaction's first event to its commit (PostgreSQL): event ids then
# become visible in id order, so a reader that has seen event N never later finds
# an N-1 committed behind its back. SQLite has a single writer already.
EVENT_ORDER_LOCK = 7_170_001

# On PostgreSQL one statement takes the order lock (again, if this transaction holds it: it is re-entrant),
# then writes the event, whose id is drawn after the lock, and its topics; queued inserts go in front of it,
# in the same statement.
_ORDERED_EVENT = (
    f"ordered AS (SELECT pg_advisory_xact_lock({EVENT_ORDER_LOCK})),"
    " written AS (INSERT INTO event (type, payload, created_at) SELECT ?::varchar, ?::jsonb, ?::timestamptz"
    " FROM ordered RETURNING id),"
    " topics AS (INSERT INTO event_topic (event_id, topic) SELECT written.id, topic"
    " FROM written, unnest(?::varchar[]) AS topic)"
    " SELECT id FROM written"
)
_ORDERED_EVENT_ALONE = Statement(f"WITH {_ORDERED_EVENT}")
_EVENT = Statement("INSERT INTO event (type, payload, created_at) VALUES (?, ?, ?) RETURNING id")
_TOPICS = "INSERT INTO event_topic (event_id, topic) VALUES "
_PAYLOAD = column_field(Event, "payload")

Queued = Sequence[tuple[str, list[Any]]]  # statements from insert_statements, not yet sent


def stored_payload(payload: Mapping[str, Any]) -> Any:
    """The payload as the column stores it."""
    return _PAYLOAD.to_db_value(dict(payload), Event)


def read_payload(stored: Any) -> dict[str, Any]:
    """The payload as a reader of the column gets it back."""
    return _PAYLOAD.to_python_value(stored)


async def write_event(
    connection: BaseDBAsyncClient,
    type_: str,
    stored: Any,
    created_at: datetime,
    topics: Sequence[str],
    queued: Queued = (),
) -> int:
    """Writes the queued inserts, then the event and its topics; returns the event's id.

    PostgreSQL: every statement is a round trip, so the queued rows go inside the event's own statement
    (in no defined order among themselves), unless they bind too many values for one. SQLite: one after
    the other, the single writer being this transaction already.
    """
    if connection.capabilities.dialect == "postgres":
        ahead = queued
        if sum(len(values) for _, values in queued) > MAX_BOUND_VALUES:
            await execute_all(queued, connection=connection)
            ahead = []
        text = "".join(f"queued{number} AS ({sql}), " for number, (sql, _) in enumerate(ahead))
        values = [value for _, ahead_values in ahead for value in ahead_values]
        statement = Statement(f"WITH {text}{_ORDERED_EVENT}") if ahead else _ORDERED_EVENT_ALONE
        (row,) = await statement.rows(*values, type_, stored, created_at, list(topics), connection=connection)
        return row["id"]
    await execute_all(queued, connection=connection)
    (row,) = await _EVENT.rows(type_, stored, created_at, connection=connection)
    if topics:
        await Statement(_TOPICS + ", ".join(["(?, ?)"] * len(topics))).execute(
            *(value for topic in topics for value in (row["id"], topic)), connection=connection
        )
    return row["id"]
