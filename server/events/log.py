"""Reading the event log: the truth subscribers replay from, by topic and cursor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Subquery

from server.models import Event, EventTopic


@dataclass(frozen=True)
class LoggedEvent:
    id: int
    type: str
    topics: frozenset[str]
    payload: dict[str, Any]
    created_at: datetime | None
    # Handed over in this process only (never read back from the table): the rows the event is about, as they
    # stood when it was committed, so that subscribers need not load them again (see UnitOfWork.record).
    loaded: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def cursor(self) -> str:
        return str(self.id)


ORGANISATION_PREFIXES = ("council:", "provider:")


def organisation_topics(topics: Iterable[str]) -> frozenset[str] | None:
    """The councils and providers a change concerns ("council:1", "provider:3"), or None when it concerns
    everyone: it names no organisation, or it is the platform's ("admin": frameworks, memberships, onboarding),
    whose effects reach every member."""
    topics = frozenset(topics)
    scoped = frozenset(topic for topic in topics if topic.startswith(ORGANISATION_PREFIXES))
    return None if not scoped or "admin" in topics else scoped


MAX_EVENT_ID = 2**63 - 1


def parse_cursor(value: str | None) -> int | None:
    """Cursors are event ids as strings; None means 'from now on'."""
    if value is None or value == "":
        return None
    # ASCII digits within the event id's 64-bit column: "١٢" is a digit to str.isdigit, 10**30 no row's id.
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > MAX_EVENT_ID:
        raise ValueError("`after` must be a cursor from a previous message (digits).")
    return int(value)


async def latest_event_id() -> int:
    row = await Event.all().order_by("-id").first().values("id")
    return row["id"] if row else 0


async def events_after(after: int, topics: list[str] | None = None, limit: int = 500) -> list[LoggedEvent]:
    """Events with id > after, oldest first; only those concerning `topics` when given."""
    query = Event.filter(id__gt=after)
    if topics is not None:
        concerning = EventTopic.filter(topic__in=topics, event_id__gt=after).values("event_id")
        query = query.filter(id__in=Subquery(concerning))
    events = await query.order_by("id").limit(limit)
    if not events:
        return []
    by_event: dict[int, set[str]] = {event.id: set() for event in events}
    for event_id, topic in await EventTopic.filter(event_id__in=list(by_event)).values_list("event_id", "topic"):
        by_event[event_id].add(topic)
    return [
        LoggedEvent(event.id, event.type, frozenset(by_event[event.id]), event.payload, event.created_at)
        for event in events
    ]
