"""How many wrong passwords a sign-in may meet, counted where every server process sees the same numbers.

Three limits, each over the last 15 minutes:
- one account from one client address: 5 failures, then that address waits until the oldest of them is 15
  minutes old. Someone guessing from elsewhere cannot lock the real user out;
- one account from anywhere: 50 failures, against guessing spread over many addresses;
- one client address over every account: 30 failures, against one password tried on many accounts.

The attempt is written before the (deliberately slow) password check and counted after it is written, so
guesses sent in parallel cannot all read the count before any of them adds to it: of N parallel guesses, the
last one whose row is stored sees every earlier row, so at most the limit's number are checked (a burst larger
than the limit may be refused whole). The rows live in the database, which every server process shares
(SQLite's one process, or PostgreSQL behind several), so no Redis is needed for the counts to agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.models import LoginAttempt
from server.services.errors import ErrorCode, ServiceError

WINDOW = timedelta(minutes=15)
MAX_ADDRESS_LENGTH = 64


@dataclass(frozen=True)
class Limit:
    name: str
    failures: int
    by_email: bool
    by_address: bool
    message: str


LIMITS = (
    Limit("account from this address", 5, True, True, "Too many failed sign-ins to this account from here."),
    Limit("account", 50, True, False, "Too many failed sign-ins to this account."),
    Limit("address", 30, False, True, "Too many failed sign-ins from here."),
)


async def begin_attempt(email: str, client_address: str) -> LoginAttempt:
    """Record the attempt (a failure until it succeeds) and refuse it if a limit is now passed."""
    address = client_address[:MAX_ADDRESS_LENGTH]
    attempt = await LoginAttempt.create(email=email, client_address=address, succeeded=False)
    since = datetime.now(UTC) - WINDOW
    for limit in LIMITS:
        if limit.by_address and not address:
            continue
        failures = LoginAttempt.filter(succeeded=False, attempted_at__gte=since)
        if limit.by_email:
            failures = failures.filter(email=email)
        if limit.by_address:
            failures = failures.filter(client_address=address)
        if await failures.count() > limit.failures:
            await attempt.delete()  # a refused attempt was never checked: it does not extend the wait
            oldest = await failures.order_by("attempted_at").first().values_list("attempted_at", flat=True)
            raise ServiceError(ErrorCode.RATE_LIMITED, f"{limit.message} {_wait(oldest)}", "email")
    return attempt


async def finish_attempt(attempt: LoginAttempt, succeeded: bool) -> None:
    if succeeded:
        await LoginAttempt.filter(id=attempt.id).update(succeeded=True)


def _wait(oldest: datetime | None) -> str:
    if oldest is None:
        return "Try again in a few minutes."
    minutes = max(1, math.ceil((oldest + WINDOW - datetime.now(UTC)).total_seconds() / 60))
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
