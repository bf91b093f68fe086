"""One use case, one transaction: domain rows + event row + outbox rows together.

After the transaction commits, the new events go straight to this process's
hub, and their ids ring the bus for the other processes; then the process's
after-commit hook runs (server.events.after_commit: the app's live delivery,
which lets this process's subscribers handle them before the use case
returns, briefly). Nothing is sent or pushed from inside the transaction
(SQLite holds one connection behind a lock, and a rolled-back change must
never have been announced).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from server.domain.vocabulary import Role
from server.events.after_commit import after_commit
from server.events.bus import get_bus
from server.events.hub import current_hub
from server.events.log import LoggedEvent, organisation_topics
from server.events.version import note_local_change
from server.models import OutboxMessage
from server.outbox.kinds import Delivery, Notification, default_delivery
from server.outbox.messages import digest_due_at, message_id
from server.repositories import audience as audience_rows
from server.repositories.events import read_payload, stored_payload, write_event
from server.repositories.statements import execute_all, insert_statements


class UnitOfWork:
    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.events: list[LoggedEvent] = []
        self._connection = connection
        self._queued: list[tuple[str, list[Any]]] = []  # INSERTs not yet sent (see insert)

    def insert(self, model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
        """Queue rows to insert (as statements.insert_rows) that nothing in this unit of work reads back.

        They are written with the next event this unit of work records (on PostgreSQL in that event's own
        statement, one round trip fewer each, where the order of several queued inserts among themselves
        is not defined), or else at its end, before it commits. A row the database refuses fails that
        statement and rolls the whole unit back.
        """
        self._queued += insert_statements(model, rows, self._connection.capabilities.dialect)

    async def flush(self) -> None:
        """Write the queued rows now."""
        queued, self._queued = self._queued, []
        await execute_all(queued, connection=self._connection)

    async def record(
        self, type_: str, topics: Iterable[str], payload: Mapping[str, Any], *, loaded: Iterable[Model] = ()
    ) -> LoggedEvent:
        """Write an event row that subscribers will replay; topics say whom it concerns.

        loaded: rows the event is about, already up to date with everything this unit of work writes
        (nothing may change them after this call). This process's live subscriptions read them instead of
        loading them again; other processes, and replays, load them from the database.
        """
        topics = frozenset(topics)
        stored = stored_payload(payload)
        created_at = datetime.now(UTC)
        queued, self._queued = self._queued, []
        event_id = await write_event(self._connection, type_, stored, created_at, sorted(topics), queued)
        event = LoggedEvent(event_id, type_, topics, read_payload(stored), created_at, tuple(loaded))
        self.events.append(event)
        return event

    async def notify(
        self, notification: Notification, audience: Audience, context: Mapping[str, Any], *, key: str
    ) -> int:
        """Queue an email for each active user of the audience who wants this kind (now, or in the next digest).

        Returns how many were queued. The users and their preference for this kind are read in one statement;
        the outbox rows are written as `insert` writes them (with the next event recorded, or at the end).
        """
        if audience.empty:
            return 0
        rows = []
        digest_due = digest_due_at(datetime.now(UTC))
        for user in await audience.users(notification, self._connection):
            delivery = user["delivery"] or default_delivery(Role(user["role"]), notification)
            if delivery is Delivery.OFF:
                continue
            rows.append(
                {
                    "notification": notification.value,
                    "user_id": user["id"],
                    "recipient": user["email"],
                    "context": {**context, "recipient_name": user["display_name"]},
                    "digest": delivery is Delivery.DIGEST,
                    "next_attempt_at": digest_due if delivery is Delivery.DIGEST else None,
                    "message_id": message_id(notification, key, user["id"]),
                }
            )
        self.insert(OutboxMessage, rows)
        return len(rows)


@dataclass(frozen=True)
class Audience:
    """Whose active users an email goes to: some users, or the staff of some providers or councils.

    roles narrows it to those roles (empty: every role).
    """

    user_ids: tuple[int, ...] = ()
    provider_ids: tuple[int, ...] = ()
    council_ids: tuple[int, ...] = ()
    roles: tuple[Role, ...] = ()

    @classmethod
    def of_users(cls, user_ids: Iterable[int]) -> Audience:
        return cls(user_ids=tuple(user_ids))

    @classmethod
    def of_providers(cls, provider_ids: Iterable[int]) -> Audience:
        return cls(provider_ids=tuple(provider_ids))

    @classmethod
    def of_councils(cls, council_ids: Iterable[int], *roles: Role) -> Audience:
        return cls(council_ids=tuple(council_ids), roles=roles)

    @property
    def empty(self) -> bool:
        return not (self.user_ids or self.provider_ids or self.council_ids)

    async def users(self, notification: Notification, connection: BaseDBAsyncClient) -> list[dict[str, Any]]:
        """id, email, display_name, role and delivery (the user's own choice for this kind, or None)."""
        rows = await audience_rows.recipients(
            connection,
            notification.value,
            user_ids=self.user_ids,
            provider_ids=self.provider_ids,
            council_ids=self.council_ids,
            roles=[role.value for role in self.roles],
        )
        for row in rows:
            row["delivery"] = Delivery(row["delivery"]) if row["delivery"] else None
        return rows


def _note_changed(events: list[LoggedEvent]) -> None:
    """Kept answers of the organisations these events concern are out of date (all of them, when an event
    concerns everyone or nothing was recorded, as the reach of the change is then unknown)."""
    if not events or any(organisation_topics(event.topics) is None for event in events):
        note_local_change()
    else:
        note_local_change({topic for event in events for topic in event.topics})


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    # Inside an enclosing transaction (the demo seed runs services in one) leaving this block only releases a
    # savepoint: the events are not committed yet and may still be rolled back, so they are not handed to
    # the hub; it reads them from the table once they are there.
    enclosed = isinstance(connections.get("default"), TransactionalDBClient)
    async with in_transaction() as connection:
        work = UnitOfWork(connection)
        yield work
        await work.flush()
    _note_changed(work.events)
    hub = current_hub() if not enclosed else None
    if hub is not None:
        hub.committed(work.events)  # this process's subscribers need not wait for the bus and a read
    bus = get_bus()
    for event in work.events:
        await bus.publish(event.id)
    if hub is not None:
        await after_commit(work.events)  # the live deliveries go out before this use case's own response
