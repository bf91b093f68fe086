"""Whether the database answers: the health check's one statement."""

from __future__ import annotations

from server.repositories.statements import Statement


async def database_answers() -> bool:
    try:
        await Statement("SELECT 1").rows()
    except Exception:  # noqa: BLE001 - any failure means "not ready" to a health check
        return False
    return True
