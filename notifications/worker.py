"""The outbox worker: claims queued emails, sends them, and records what happened.

Immediate rows go one email each; a user's digest rows go together as one email once their digest hour has
come (a digest row is queued due at that hour: server.outbox.messages). The exchange's clocks (the tier
cascade, deadline warnings) are not here: server.jobs runs them in the same worker process.

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
from functools import cached_property
from typing import TYPE_CHECKING

from notifications.sender import DeliveryError, SmtpSender
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from server.outbox.kinds import Notification
from server.repositories import outbox
from server.settings import Settings

if TYPE_CHECKING:
    from notifications.rendering import Renderer

log = logging.getLogger(__name__)

DIGEST_CHECK_SECONDS = 60.0
MAX_DIGEST_ITEMS = 500
# How long a temporary refusal (4xx) is retried, backing off to at most 15 minutes between tries.
RETRY_TEMPORARY_FAILURES_FOR = timedelta(hours=24)


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
        max_attempts: int | None = None,
        retry_for: timedelta = RETRY_TEMPORARY_FAILURES_FOR,
        backoff_base: float = 2.0,
        backoff_cap: float = 15 * 60.0,
        lease_seconds: float = 120.0,
        poll_interval: float = 1.0,
    ) -> None:
        self.settings = settings
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.sender = sender or SmtpSender.from_settings(settings)
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_for = retry_for
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_interval = poll_interval
        self._outages = 0
        self._paused_until = 0.0
        self._next_digest_check = 0.0

    @cached_property
    def renderer(self) -> Renderer:
        """Made by the first email rendered: a web process running the worker loads no templates (nor jinja2)
        until it has mail to send."""
        from notifications.rendering import Renderer

        return Renderer(self.settings)

    # --- the loop --------------------------------------------------------------

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Cycle until stop_event is set: due digests, then a batch; idle cycles wait poll_interval."""
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
        """One turn of the loop; a failing part is logged and the other still runs."""
        if time.monotonic() >= self._next_digest_check:
            self._next_digest_check = time.monotonic() + DIGEST_CHECK_SECONDS
            await self._guarded("digests", self.send_digests)
        return await self._guarded("outbox", self.run_once) or 0

    async def run_once(self) -> int:
        """Claim a batch of due immediate emails, send them, mark them. Returns how many rows it handled."""
        if self.paused:
            return 0
        batch = await self._claim(outbox.due_immediately(_now()), self.batch_size)
        if batch:
            await self._deliver(batch)
        return len(batch)

    async def close(self) -> None:
        await self.sender.close()

    @property
    def paused(self) -> bool:
        """True while waiting out a mail-server outage."""
        return time.monotonic() < self._paused_until

    async def _guarded(self, what: str, part: Callable[[], Awaitable[int]]) -> int | None:
        try:
            return await part()
        except Exception:  # one failing part (or a database blip) must not stop the worker
            log.exception("outbox worker %s: %s failed; carrying on", self.worker_id, what)
            return None

    # --- claiming ----------------------------------------------------------------

    async def _claim(self, due: outbox.Due, limit: int) -> list[OutboxMessage]:
        """Take up to `limit` due rows for this worker only; SMTP is never spoken inside that transaction."""
        return await outbox.claim(due, limit, self.worker_id, _now() + self.lease)

    async def _renew_lease(self, rows: Sequence[OutboxMessage]) -> None:
        await outbox.renew_lease((row.id for row in rows), self.worker_id, _now() + self.lease)

    # --- sending -----------------------------------------------------------------

    async def _deliver(self, batch: list[OutboxMessage]) -> None:
        inactive = await outbox.inactive_users(row.user_id for row in batch)
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
        await outbox.mark_sent(ids, _now())  # unconditional: the message went, whoever holds the lease now

    async def _finish(self, rows: Sequence[OutboxMessage], status: OutboxStatus, error: str) -> None:
        for row in rows:
            log.warning("outbox message %s %s: %s", row.message_id, status.value, error)
        await outbox.finish((row.id for row in rows), self.worker_id, status, error)

    async def _retry(self, rows: Sequence[OutboxMessage], error: str) -> None:
        """Back off and try again later, as mail servers do: a temporary refusal (4xx) is retried for
        `retry_for` (a day) since the message was queued, then parked as failed with the error kept. A hard
        cap of tries (`max_attempts`) is there for tests."""
        attempts = max(row.attempts for row in rows) + 1
        if self.max_attempts is not None and attempts >= self.max_attempts:
            await self._finish(rows, OutboxStatus.FAILED, f"gave up after {attempts} tries: {error}")
            return
        now = _now()
        if min(row.created_at for row in rows) + self.retry_for <= now:
            hours = self.retry_for.total_seconds() / 3600
            tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
            await self._finish(rows, OutboxStatus.FAILED, f"gave up after {hours:g} h ({tries}): {error}")
            return
        when = now + timedelta(seconds=self._backoff(attempts))
        await outbox.retry_at((row.id for row in rows), self.worker_id, when, error)

    async def _release(self, rows: Sequence[OutboxMessage]) -> None:
        """Hand rows back untouched (no attempt counted): the mail server was down, not the message."""
        await outbox.release((row.id for row in rows), self.worker_id)

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter: half the step fixed, half random, so retries do not arrive in lockstep."""
        step = min(self.backoff_cap, self.backoff_base * 2 ** max(attempt - 1, 0))
        return step / 2 + random.uniform(0, step / 2)

    # --- digests ----------------------------------------------------------------------

    async def send_digests(self, *, force: bool = False, now: datetime | None = None) -> int:
        """Send each user one email of their due digest rows. Returns how many digests went.

        A digest row is due at the digest hour after it was queued (server.outbox.messages.digest_due_at).
        force=True sends whatever is pending now (tests, and an operator who wants it out).
        """
        due = outbox.due_in_digest(now or _now(), force=force)
        await outbox.skip_without_recipient(due, "recipient's account was deleted")
        sent = 0
        for user_id in await outbox.recipients_of(due):
            if self.paused:
                break
            rows = await self._claim(due.of_user(user_id), MAX_DIGEST_ITEMS)
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
        if good[-1].user_id in await outbox.inactive_users([good[-1].user_id]):
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


def _now() -> datetime:
    return datetime.now(UTC)
