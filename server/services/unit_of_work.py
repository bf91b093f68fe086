"""One use case, one transaction: domain rows + event row + outbox rows together.

After the transaction commits, the new event ids ring the bus. Nothing is sent
or pushed from inside the transaction (SQLite holds one connection behind a
lock, and a rolled-back change must never have been announced).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from notifications.kinds import Delivery, Notification, default_delivery
from server.domain.vocabulary import Role
from server.events.bus import get_bus
from server.events.version import note_local_change
from server.models import Event, EventTopic, NotificationPreference, OutboxMessage, User

# Held from a transaction's first event to its commit (PostgreSQL): event ids then
# become visible in id order, so a reader that has seen event N never later finds
# an N-1 committed behind its back. SQLite has a single writer already.
EVENT_ORDER_LOCK = 7_170_001


class UnitOfWork:
    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.events: list[Event] = []
        self._connection = connection
        self._ordered = False

    async def record(self, type_: str, topics: Iterable[str], payload: Mapping[str, Any]) -> Event:
        """Write an event row that subscribers will replay; topics say whom it concerns."""
        if not self._ordered:
            if self._connection.capabilities.dialect == "postgres":
                await self._connection.execute_query(f"SELECT pg_advisory_xact_lock({EVENT_ORDER_LOCK})")
            self._ordered = True
        event = await Event.create(type=type_, payload=dict(payload))
        await EventTopic.bulk_create([EventTopic(event_id=event.id, topic=topic) for topic in sorted(set(topics))])
        self.events.append(event)
        return event

    async def notify(
        self, notification: Notification, users: Iterable[User], context: Mapping[str, Any], *, key: str
    ) -> int:
        """Queue an email for each user who wants this kind (now or in a digest); returns how many."""
        users = [user for user in users if user.is_active]
        if not users:
            return 0
        chosen = await _deliveries(notification, users)
        rows = [
            OutboxMessage(
                notification=notification.value,
                user_id=user.id,
                recipient=user.email,
                context={**context, "recipient_name": user.display_name},
                digest=delivery is Delivery.DIGEST,
                message_id=f"<{notification.value}.{key}.{user.id}@placement-exchange>",
            )
            for user, delivery in chosen
        ]
        if rows:
            await OutboxMessage.bulk_create(rows)
        return len(rows)


async def _deliveries(notification: Notification, users: list[User]) -> list[tuple[User, Delivery]]:
    overrides = {
        pref.user_id: Delivery(pref.delivery)
        for pref in await NotificationPreference.filter(
            user_id__in=[user.id for user in users], notification=notification.value
        )
    }
    chosen = []
    for user in users:
        delivery = overrides.get(user.id) or default_delivery(Role(user.role), notification)
        if delivery is not Delivery.OFF:
            chosen.append((user, delivery))
    return chosen


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    async with in_transaction() as connection:
        work = UnitOfWork(connection)
        yield work
    note_local_change()
    bus = get_bus()
    for event in work.events:
        await bus.publish(event.id)
