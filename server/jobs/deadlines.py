"""Deadline warnings: tell a council's placement officers, once, that a referral nears its deadline unoffered."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from server.outbox.kinds import Notification
from server.outbox.messages import message_id
from server.repositories import jobs, outbox
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, unit_of_work

log = logging.getLogger(__name__)

DEADLINE_WARNING = timedelta(hours=4)


async def warn_deadlines(now: datetime | None = None) -> int:
    """Queue a warning for open referrals needed within 4 hours with no live offer. Returns how many were queued."""
    now = now or datetime.now(UTC)
    queued = 0
    for referral in await jobs.open_referrals_needed_by_without_live_offer(now, now + DEADLINE_WARNING):
        key = str(referral.id)  # the warning's Message-ID is unique per referral and officer: queued once
        officers = await jobs.active_placement_officers(referral.council_id)
        told = await outbox.queued_message_ids(message_id(Notification.DEADLINE_NEAR, key, user) for user in officers)
        untold = [user for user in officers if message_id(Notification.DEADLINE_NEAR, key, user) not in told]
        if not untold:
            continue
        try:
            async with unit_of_work() as work:
                count = await work.notify(
                    Notification.DEADLINE_NEAR, Audience.of_users(untold), referral_context(referral), key=key
                )
        except IntegrityError:  # the rows are written as the unit of work ends: counted once stored
            log.info("deadline warning for referral %s already queued by another worker", referral.id)
        else:
            queued += count
    return queued
