"""An outbox row's identity and due time, decided when it is queued.

The Message-ID is stable (kind, key, user), so a row is queued at most once (the column is unique) and a
message the worker sends twice after a crash is one message to the receiver. A digest row is due at the
next DIGEST_HOUR o'clock, UK time, after it was queued: the worker sends a user's due digest rows as one
email and keeps no clock of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from server.outbox.kinds import Notification

LOCAL_TIME = ZoneInfo("Europe/London")
DIGEST_HOUR = 7  # UK time


def message_id(notification: Notification, key: str, user_id: int) -> str:
    return f"<{notification.value}.{key}.{user_id}@placement-exchange>"


def digest_due_at(queued_at: datetime) -> datetime:
    """The first DIGEST_HOUR o'clock, UK time, after queued_at."""
    local = queued_at.astimezone(LOCAL_TIME)
    moment = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)  # wall-clock arithmetic: still DIGEST_HOUR across a change of clocks
    return moment.astimezone(UTC)
