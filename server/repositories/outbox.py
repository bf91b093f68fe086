"""The outbox's rows: which are due, claiming them for one worker, and recording what became of them.

A claim is a lease (status=sending, claimed_by, claimed_until): a worker that dies leaves its rows to be
claimed again once the lease runs out. Every outcome is written only by the worker holding the lease,
except "sent", which is true whoever holds it now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage, User

MAX_ERROR_LENGTH = 2000


def due_immediately(now: datetime) -> Q:
    """Immediate rows ready to send: pending and not backing off, or abandoned by a worker."""
    return Q(digest=False) & _due(now)


def due_in_digest(now: datetime, *, force: bool = False) -> Q:
    """Digest rows whose digest time has come (force: every pending digest row, whenever it is due)."""
    if force:
        return Q(digest=True) & (Q(status=OutboxStatus.PENDING) | _abandoned(now))
    return Q(digest=True) & _due(now)


def _due(now: datetime) -> Q:
    """Pending and due (next_attempt_at: a retry's backoff or a digest's hour), or abandoned by a worker."""
    ready = Q(status=OutboxStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return ready | _abandoned(now)


def _abandoned(now: datetime) -> Q:
    """Claimed by a worker whose lease ran out (it may have died)."""
    return Q(status=OutboxStatus.SENDING, claimed_until__lt=now)


async def claim(due: Q, limit: int, worker_id: str, lease_until: datetime) -> list[OutboxMessage]:
    """Take up to `limit` due rows, oldest first, for this worker only. Callers speak no SMTP inside it."""
    claimed = {"status": OutboxStatus.SENDING, "claimed_by": worker_id, "claimed_until": lease_until}
    if connections.get("default").capabilities.dialect == "postgres":
        async with in_transaction() as connection:
            rows = (
                await OutboxMessage.filter(due)
                .order_by("id")
                .limit(limit)
                .select_for_update(skip_locked=True)
                .using_db(connection)
            )
            if rows:
                await OutboxMessage.filter(id__in=[row.id for row in rows]).using_db(connection).update(**claimed)
        for row in rows:
            row.status, row.claimed_by, row.claimed_until = OutboxStatus.SENDING, worker_id, lease_until
        return rows
    # SQLite: one writer and no row locks. The UPDATE repeats the "due" condition, so a row
    # another worker took between our SELECT and UPDATE is simply not ours.
    ids = await OutboxMessage.filter(due).order_by("id").limit(limit).values_list("id", flat=True)
    if not ids:
        return []
    await OutboxMessage.filter(due, id__in=ids).update(**claimed)
    return await OutboxMessage.filter(id__in=ids, claimed_by=worker_id, status=OutboxStatus.SENDING).order_by("id")


async def renew_lease(ids: Iterable[int], worker_id: str, lease_until: datetime) -> None:
    await OutboxMessage.filter(id__in=list(ids), claimed_by=worker_id).update(claimed_until=lease_until)


async def mark_sent(ids: Iterable[int], now: datetime) -> None:
    ids = list(ids)
    if ids:
        await OutboxMessage.filter(id__in=ids).update(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            claimed_by=None,
            claimed_until=None,
        )


async def finish(ids: Iterable[int], worker_id: str, status: OutboxStatus, error: str) -> None:
    """Park the rows for good (failed, skipped) with the error kept, counting the attempt."""
    await OutboxMessage.filter(id__in=list(ids), claimed_by=worker_id).update(
        status=status,
        attempts=F("attempts") + 1,
        last_error=error[:MAX_ERROR_LENGTH],
        claimed_by=None,
        claimed_until=None,
    )


async def retry_at(ids: Iterable[int], worker_id: str, when: datetime, error: str) -> None:
    """Pending again from `when`, counting the attempt and keeping its error."""
    await OutboxMessage.filter(id__in=list(ids), claimed_by=worker_id).update(
        status=OutboxStatus.PENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=when,
        last_error=error[:MAX_ERROR_LENGTH],
        claimed_by=None,
        claimed_until=None,
    )


async def release(ids: Iterable[int], worker_id: str) -> None:
    """Hand rows back untouched, no attempt counted."""
    await OutboxMessage.filter(id__in=list(ids), claimed_by=worker_id).update(
        status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None
    )


async def skip_without_recipient(due: Q, reason: str) -> int:
    """Due rows whose account was deleted (the user is gone): nobody to send them to."""
    return await OutboxMessage.filter(due, user_id__isnull=True).update(status=OutboxStatus.SKIPPED, last_error=reason)


async def recipients_of(due: Q) -> list[int]:
    """The users who have due rows, in id order."""
    user_ids = await OutboxMessage.filter(due, user_id__isnull=False).distinct().values_list("user_id", flat=True)
    return sorted(set(user_ids))


def of_user(due: Q, user_id: int) -> Q:
    return due & Q(user_id=user_id)


async def queued_message_ids(message_ids: Iterable[str]) -> set[str]:
    """Which of these Message-IDs are in the outbox already (in whatever state)."""
    return set(await OutboxMessage.filter(message_id__in=list(message_ids)).values_list("message_id", flat=True))


async def inactive_users(user_ids: Iterable[int | None]) -> set[int]:
    """Of these users, those whose account is deactivated."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return set()
    return set(await User.filter(id__in=ids, is_active=False).values_list("id", flat=True))
