"""Reviews due: tell a council's placement officers, once for each due date, that a placement's statutory
review is due within 14 days, and once more when it is overdue. The email names the placement, never the child."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from server.outbox.kinds import Notification
from server.outbox.messages import message_id
from server.repositories import jobs, outbox
from server.services.placement_life import reviews_due
from server.services.unit_of_work import Audience, unit_of_work

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=1)  # due dates move by the day: the runner's 5-second cycle need not look each time
_last_checked: datetime | None = None


async def warn_reviews_due(now: datetime | None = None) -> int:
    """Queue the reminders not yet queued; returns how many were. Called without `now` (the clock), it looks
    at most once an hour."""
    global _last_checked
    if now is None:
        now = datetime.now(UTC)
        if _last_checked is not None and now - _last_checked < CHECK_EVERY:
            return 0
        _last_checked = now
    today = now.astimezone(UTC).date()
    queued = 0
    for due in await reviews_due(today):
        # One key per placement, due date and state: a reminder when it falls due soon, one when overdue.
        key = f"{due.placement_id}:{due.due_on.isoformat()}:{'overdue' if due.overdue else 'soon'}"
        officers = await jobs.active_placement_officers(due.council_id)
        told = await outbox.queued_message_ids(message_id(Notification.REVIEWS_DUE, key, user) for user in officers)
        untold = [user for user in officers if message_id(Notification.REVIEWS_DUE, key, user) not in told]
        if not untold:
            continue
        context = {
            "ipa_reference": due.ipa_reference,
            "due_on": due.due_on.isoformat(),
            "overdue": due.overdue,
            "placement_id": due.placement_id,
        }
        try:
            async with unit_of_work() as work:
                queued += await work.notify(Notification.REVIEWS_DUE, Audience.of_users(untold), context, key=key)
        except IntegrityError:  # another worker queued it first
            log.info("review reminder for placement %s already queued", due.placement_id)
    return queued
