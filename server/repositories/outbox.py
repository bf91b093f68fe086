"""The outbox's rows: which are due, claiming them for one worker, and recording what became of them.

A claim is a lease (status=sending, claimed_by, claimed_until): a worker that dies leaves its rows to be
claimed again once the lease runs out. Every outcome is written only by the worker holding the lease,
except "sent", which is true whoever holds it now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage, User
from server.repositories.statements import Statement

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Due:
    """Which rows a claim may take: immediate or digest ones, of one user or anyone's, and how "due" reads."""

    now: datetime
    digest: bool = False
    user_id: int | None = None
    force: bool = False  # digest rows whatever their hour (retries' backoff included)

    def of_user(self, user_id: int) -> Due:
        return replace(self, user_id=user_id)

    def q(self) -> Q:
        """The same rows as the claim's WHERE, for the ORM's bulk reads and updates."""
        ready = Q(status=OutboxStatus.PENDING)
        if not self.force:
            ready &= Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=self.now)
        rows = Q(digest=self.digest) & (ready | Q(status=OutboxStatus.SENDING, claimed_until__lt=self.now))
        return rows & Q(user_id=self.user_id) if self.user_id is not None else rows

    def where(self) -> tuple[str, list[Any]]:
        ready = "status = ?" if self.force else "status = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        values: list[Any] = [self.digest, OutboxStatus.PENDING.value, *([] if self.force else [self.now])]
        values += [OutboxStatus.SENDING.value, self.now]
        sql = f"digest = ? AND (({ready}) OR (status = ? AND claimed_until < ?))"
        if self.user_id is not None:
            sql += " AND user_id = ?"
            values.append(self.user_id)
        return sql, values


def due_immediately(now: datetime) -> Due:
    """Immediate rows ready to send: pending and not backing off, or abandoned by a worker (its lease ran out)."""
    return Due(now)


def due_in_digest(now: datetime, *, force: bool = False) -> Due:
    """Digest rows whose digest hour has come (force: every pending digest row), or abandoned by a worker."""
    return Due(now, digest=True, force=force)


async def claim(due: Due, limit: int, worker_id: str, lease_until: datetime) -> list[OutboxMessage]:
    """Take up to `limit` due rows, oldest first, for this worker only, in one statement.

    PostgreSQL skips rows another worker has locked (SKIP LOCKED), so workers side by side take different
    rows; SQLite has one writer, and the statement reads and claims at once. Callers speak no SMTP inside.
    """
    where, values = due.where()
    connection = connections.get("default")
    lock = " FOR UPDATE SKIP LOCKED" if connection.capabilities.dialect == "postgres" else ""
    statement = _CLAIMS.get((where, lock))
    if statement is None:
        statement = _CLAIMS[(where, lock)] = Statement(
            "UPDATE outbox_message SET status = ?, claimed_by = ?, claimed_until = ?"
            f" WHERE id IN (SELECT id FROM outbox_message WHERE {where} ORDER BY id LIMIT ?{lock}) RETURNING *"
        )
    rows = await statement.rows(
        OutboxStatus.SENDING.value, worker_id, lease_until, *values, limit, connection=connection
    )
    return sorted((OutboxMessage._init_from_db(**row) for row in rows), key=lambda row: row.id)


_CLAIMS: dict[tuple[str, str], Statement] = {}


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


async def skip_without_recipient(due: Due, reason: str) -> int:
    """Due rows whose account was deleted (the user is gone): nobody to send them to."""
    return await OutboxMessage.filter(due.q(), user_id__isnull=True).update(
        status=OutboxStatus.SKIPPED, last_error=reason
    )


async def recipients_of(due: Due) -> list[int]:
    """The users who have due rows, in id order."""
    user_ids = await OutboxMessage.filter(due.q(), user_id__isnull=False).distinct().values_list("user_id", flat=True)
    return sorted(set(user_ids))


async def queued_message_ids(message_ids: Iterable[str]) -> set[str]:
    """Which of these Message-IDs are in the outbox already (in whatever state)."""
    return set(await OutboxMessage.filter(message_id__in=list(message_ids)).values_list("message_id", flat=True))


async def inactive_users(user_ids: Iterable[int | None]) -> set[int]:
    """Of these users, those whose account is deactivated."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return set()
    return set(await User.filter(id__in=ids, is_active=False).values_list("id", flat=True))


def parked() -> QuerySet[OutboxMessage]:
    """Email parked as failed (a permanent refusal, or a day of temporary ones), newest first by id."""
    return OutboxMessage.filter(status=OutboxStatus.FAILED)


async def requeue_parked(message_id: int, now: datetime) -> bool:
    """A parked email back in the queue, due now; False if it is not (or no longer) parked."""
    changed = await OutboxMessage.filter(id=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=now, claimed_by=None, claimed_until=None
    )
    return bool(changed)
