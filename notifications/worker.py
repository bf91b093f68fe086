"""The outbox worker: claims queued emails, sends them, and records what happened.

Each cycle it also runs the exchange's clocks: the tier cascade
(server.services.broadcast.cascade_due), deadline warnings for open referrals
nobody has offered on, and the daily digests.

Delivery is at least once. A batch is claimed in a short transaction that sets
status=sending with a lease (claimed_by, claimed_until); SMTP is only spoken
after that transaction commits, and the outcome is written in another. If the
worker dies between "sent" and "marked", the lease runs out and a worker sends
the message again: never dropped, possibly twice, and the stable Message-ID
lets receivers drop the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from notifications.kinds import Notification
from notifications.rendering import LOCAL_TIME, Renderer
from notifications.sender import DeliveryError, SmtpSender
from server.domain.vocabulary import OutboxStatus, ReferralStatus, Role
from server.models import Offer, OutboxMessage, Referral, User
from server.services import broadcast
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, unit_of_work
from server.settings import Settings

log = logging.getLogger(__name__)

DEADLINE_WARNING = timedelta(hours=4)
DIGEST_HOUR = 7  # UK time
DIGEST_CHECK_SECONDS = 60.0
MAX_DIGEST_ITEMS = 500


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class OutboxWorker:
    def __init__(
        self,
        settings: Settings,
        worker_id: str | None = None,
        *,
        sender: SmtpSender | None = None,
        batch_size: int = 50,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_cap: float = 15 * 60.0,
        lease_seconds: float = 120.0,
        poll_interval: float = 1.0,
    ) -> None:
        self.settings = settings
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.sender = sender or SmtpSender.from_settings(settings)
        self.renderer = Renderer(settings)
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_interval = poll_interval
        self._outages = 0
        self._paused_until = 0.0
        self._next_digest_check = 0.0

    # --- the loop --------------------------------------------------------------

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Cycle until stop_event is set: the clocks, then a batch; idle cycles wait poll_interval."""
        log.info("outbox worker %s started", self.worker_id)
        try:
            while not stop_event.is_set():
                handled = await self.run_cycle()
                if handled == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop_event.wait(), self.poll_interval)
        finally:
            await self.close()
            log.info("outbox worker %s stopped", self.worker_id)

    async def run_cycle(self) -> int:
        """One turn of the loop; a failing part is logged and the others still run."""
        await self._guarded("tier cascade", broadcast.cascade_due)
        await self._guarded("deadline warnings", self.warn_deadlines)
        if time.monotonic() >= self._next_digest_check:
            self._next_digest_check = time.monotonic() + DIGEST_CHECK_SECONDS
            await self._guarded("digests", self.send_digests)
        return await self._guarded("outbox", self.run_once) or 0

    async def run_once(self) -> int:
        """Claim a batch of due immediate emails, send them, mark them. Returns how many rows it handled."""
        if self.paused:
            return 0
        batch = await self._claim(_due_immediate(_now()), self.batch_size)
        if batch:
            await self._deliver(batch)
        return len(batch)

    async def close(self) -> None:
        await self.sender.close()

    @property
    def paused(self) -> bool:
        """True while waiting out a mail-server outage."""
        return time.monotonic() < self._paused_until

    async def _guarded(self, what: str, job: Callable[[], Awaitable[int]]) -> int | None:
        try:
            return await job()
        except Exception:  # one failing job (or a database blip) must not stop the worker
            log.exception("outbox worker %s: %s failed; carrying on", self.worker_id, what)
            return None

    # --- claiming ----------------------------------------------------------------

    async def _claim(self, due: Q, limit: int) -> list[OutboxMessage]:
        """Take up to `limit` due rows for this worker only; SMTP is never spoken inside this transaction."""
        lease_until = _now() + self.lease
        claim = {"status": OutboxStatus.SENDING, "claimed_by": self.worker_id, "claimed_until": lease_until}
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
                    await OutboxMessage.filter(id__in=[row.id for row in rows]).using_db(connection).update(**claim)
            for row in rows:
                row.status, row.claimed_by, row.claimed_until = OutboxStatus.SENDING, self.worker_id, lease_until
            return rows
        # SQLite: one writer and no row locks. The UPDATE repeats the "due" condition, so a row
        # another worker took between our SELECT and UPDATE is simply not ours.
        ids = await OutboxMessage.filter(due).order_by("id").limit(limit).values_list("id", flat=True)
        if not ids:
            return []
        await OutboxMessage.filter(due, id__in=ids).update(**claim)
        return await OutboxMessage.filter(id__in=ids, claimed_by=self.worker_id, status=OutboxStatus.SENDING).order_by(
            "id"
        )

    async def _renew_lease(self, rows: Sequence[OutboxMessage]) -> None:
        lease_until = _now() + self.lease
        await OutboxMessage.filter(id__in=[row.id for row in rows], claimed_by=self.worker_id).update(
            claimed_until=lease_until
        )

    # --- sending -----------------------------------------------------------------

    async def _deliver(self, batch: list[OutboxMessage]) -> None:
        inactive = await _inactive_users(batch)
        renew_at = time.monotonic() + self.lease.total_seconds() / 2
        sent: list[int] = []
        for index, row in enumerate(batch):
            if time.monotonic() >= renew_at:
                await self._mark_sent(sent)
                sent = []
                await self._renew_lease(batch[index:])
                renew_at = time.monotonic() + self.lease.total_seconds() / 2
            if row.user_id in inactive:
                await self._finish([row], OutboxStatus.SKIPPED, "recipient's account is deactivated")
                continue
            try:
                message = self.renderer.render(row)
            except Exception as error:  # noqa: BLE001 - a template or context fault parks this row, not the worker
                await self._finish([row], OutboxStatus.FAILED, f"could not render: {type(error).__name__}: {error}")
                continue
            outcome = await self._send(message)
            if outcome is None:
                sent.append(row.id)
            elif outcome.outage:
                await self._release(batch[index:])
                break
            elif outcome.permanent:
                await self._finish([row], OutboxStatus.FAILED, str(outcome))
            else:
                await self._retry([row], str(outcome))
        await self._mark_sent(sent)

    async def _send(self, message: EmailMessage) -> DeliveryError | None:
        """None when delivered; the classified failure otherwise. An outage pauses the worker."""
        try:
            await self.sender.send(message)
        except DeliveryError as error:
            if error.outage:
                self._outages += 1
                pause = self._backoff(self._outages)
                self._paused_until = time.monotonic() + pause
                log.warning("mail server unavailable (%s); pausing %.1f s", error, pause)
            return error
        except Exception as error:  # unforeseen: retry this message with backoff and keep going
            log.exception("unexpected error sending %s", message["Message-ID"])
            return DeliveryError(f"{type(error).__name__}: {error}")
        self._outages = 0
        return None

    # --- recording outcomes -------------------------------------------------------

    async def _mark_sent(self, ids: list[int]) -> None:
        if ids:
            # Unconditional: the message went, whoever holds the lease now.
            await OutboxMessage.filter(id__in=ids).update(
                status=OutboxStatus.SENT,
                sent_at=_now(),
                attempts=F("attempts") + 1,
                last_error="",
                claimed_by=None,
                claimed_until=None,
            )

    async def _finish(self, rows: Sequence[OutboxMessage], status: OutboxStatus, error: str) -> None:
        for row in rows:
            log.warning("outbox message %s %s: %s", row.message_id, status.value, error)
        await OutboxMessage.filter(id__in=[row.id for row in rows], claimed_by=self.worker_id).update(
            status=status,
            attempts=F("attempts") + 1,
            last_error=error[:2000],
            claimed_by=None,
            claimed_until=None,
        )

    async def _retry(self, rows: Sequence[OutboxMessage], error: str) -> None:
        """Back off and try again later; after max_attempts tries, park as failed with the error kept."""
        attempts = max(row.attempts for row in rows) + 1
        if attempts >= self.max_attempts:
            await self._finish(rows, OutboxStatus.FAILED, f"gave up after {attempts} tries: {error}")
            return
        await OutboxMessage.filter(id__in=[row.id for row in rows], claimed_by=self.worker_id).update(
            status=OutboxStatus.PENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=_now() + timedelta(seconds=self._backoff(attempts)),
            last_error=error[:2000],
            claimed_by=None,
            claimed_until=None,
        )

    async def _release(self, rows: Sequence[OutboxMessage]) -> None:
        """Hand rows back untouched (no attempt counted): the mail server was down, not the message."""
        await OutboxMessage.filter(id__in=[row.id for row in rows], claimed_by=self.worker_id).update(
            status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter: half the step fixed, half random, so retries do not arrive in lockstep."""
        step = min(self.backoff_cap, self.backoff_base * 2 ** max(attempt - 1, 0))
        return step / 2 + random.uniform(0, step / 2)

    # --- deadline warnings --------------------------------------------------------

    async def warn_deadlines(self, now: datetime | None = None) -> int:
        """Tell placement officers, once, about open referrals needed within 4 hours with no live offer."""
        now = now or _now()
        queued = 0
        referrals = await Referral.filter(
            status=ReferralStatus.OPEN, required_by__gt=now, required_by__lte=now + DEADLINE_WARNING
        )
        for referral in referrals:
            if await Offer.filter(referral_id=referral.id, live=1).exists():
                continue
            officers = await User.filter(council_id=referral.council_id, role=Role.PLACEMENT_OFFICER, is_active=True)
            told = set(
                await OutboxMessage.filter(
                    message_id__in=[_deadline_message_id(referral.id, user.id) for user in officers]
                ).values_list("message_id", flat=True)
            )
            untold = [user for user in officers if _deadline_message_id(referral.id, user.id) not in told]
            if not untold:
                continue
            try:
                async with unit_of_work() as work:
                    count = await work.notify(
                        Notification.DEADLINE_NEAR,
                        Audience.of_users(user.id for user in untold),
                        referral_context(referral),
                        key=str(referral.id),
                    )
            except IntegrityError:  # the rows are written as the unit of work ends: counted once stored
                log.info("deadline warning for referral %s already queued by another worker", referral.id)
            else:
                queued += count
        return queued

    # --- digests ----------------------------------------------------------------------

    async def send_digests(self, *, force: bool = False, now: datetime | None = None) -> int:
        """Send each user one email of their pending digest rows. Returns how many digests went.

        Daily: a user's rows wait until the next DIGEST_HOUR (UK time) after the oldest was queued.
        force=True sends whatever is pending now (tests, and an operator who wants it out).
        """
        now = now or _now()
        due = _due_digest(now)
        if not force:
            due &= Q(created_at__lt=_last_digest_moment(now))
        # A deleted account leaves its rows without a user: nobody to send them to.
        await OutboxMessage.filter(_due_digest(now), user_id__isnull=True).update(
            status=OutboxStatus.SKIPPED, last_error="recipient's account was deleted"
        )
        user_ids = await OutboxMessage.filter(due).distinct().values_list("user_id", flat=True)
        sent = 0
        for user_id in sorted({user_id for user_id in user_ids if user_id is not None}):
            if self.paused:
                break
            rows = await self._claim(_due_digest(now) & Q(user_id=user_id), MAX_DIGEST_ITEMS)
            if rows and await self._deliver_digest(rows):
                sent += 1
        return sent

    async def _deliver_digest(self, rows: list[OutboxMessage]) -> bool:
        good: list[OutboxMessage] = []
        for row in rows:
            try:
                self.renderer.subject(Notification(row.notification), row.context)
            except Exception as error:  # noqa: BLE001 - a broken row leaves the digest, the rest still go
                await self._finish([row], OutboxStatus.FAILED, f"could not render: {type(error).__name__}: {error}")
            else:
                good.append(row)
        if not good:
            return False
        if good[-1].user_id in await _inactive_users(good):
            await self._finish(good, OutboxStatus.SKIPPED, "recipient's account is deactivated")
            return False
        try:
            message = self.renderer.render_digest(good)
        except Exception as error:  # noqa: BLE001 - keep the error on every row it would have carried
            await self._finish(good, OutboxStatus.FAILED, f"could not render digest: {type(error).__name__}: {error}")
            return False
        outcome = await self._send(message)
        if outcome is None:
            await self._mark_sent([row.id for row in good])
            return True
        if outcome.outage:
            await self._release(good)
        elif outcome.permanent:
            await self._finish(good, OutboxStatus.FAILED, str(outcome))
        else:
            # One next_attempt_at for all, so the retry is one digest again.
            await self._retry(good, str(outcome))
        return False


# --- queries -------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _due_immediate(now: datetime) -> Q:
    return Q(digest=False) & _due(now)


def _due_digest(now: datetime) -> Q:
    return Q(digest=True) & _due(now)


def _due(now: datetime) -> Q:
    """Pending and not backing off, or claimed by a worker whose lease ran out (it may have died)."""
    ready = Q(status=OutboxStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    return ready | abandoned


def _last_digest_moment(now: datetime) -> datetime:
    """The most recent DIGEST_HOUR o'clock, UK time, at or before now."""
    local = now.astimezone(LOCAL_TIME)
    moment = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if moment > local:
        moment -= timedelta(days=1)
    return moment.astimezone(UTC)


def _deadline_message_id(referral_id: int, user_id: int) -> str:
    # The id UnitOfWork.notify gives a DEADLINE_NEAR row keyed by the referral: unique, so queued at most once.
    return f"<{Notification.DEADLINE_NEAR.value}.{referral_id}.{user_id}@placement-exchange>"


async def _inactive_users(rows: Sequence[OutboxMessage]) -> set[int]:
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    if not user_ids:
        return set()
    return set(await User.filter(id__in=user_ids, is_active=False).values_list("id", flat=True))
