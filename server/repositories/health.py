"""Whether the database answers, and takes writes: the health checks' statements."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from server.repositories.statements import Statement

_PROBE_WRITE = Statement(
    "INSERT INTO login_attempt (email, client_address, succeeded, attempted_at) VALUES (?, ?, ?, ?)"
)


class _RollBack(Exception):
    """Ends the probe's transaction: the row it wrote is never committed."""


async def database_answers() -> bool:
    try:
        await Statement("SELECT 1").rows()
    except Exception:  # noqa: BLE001 - any failure means "not ready" to a health check
        return False
    return True


async def database_accepts_writes() -> bool:
    """A database that reads but cannot write (a read-only file, a standby) is not healthy: write a row inside a
    transaction and roll it back."""
    try:
        async with in_transaction() as connection:
            await _PROBE_WRITE.execute("health-check", "", False, datetime.now(UTC), connection=connection)
            raise _RollBack
    except _RollBack:
        return True
    except Exception:  # noqa: BLE001 - any failure means "cannot write"
        return False
