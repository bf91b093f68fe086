"""Write a framework's audit trail from inside a use case's unit of work (see server.models.FrameworkChange)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from server.auth.actor import Actor
from server.models import FrameworkChange
from server.services.unit_of_work import UnitOfWork


def audit_change(
    work: UnitOfWork,
    action: str,
    *,
    actor: Actor | None,
    framework_id: int | None = None,
    provider_id: int | None = None,
    subject: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    made_by: str = "",
) -> None:
    """Queue one audit row: who (a user, or `made_by` for the exchange itself), what, and before and after.

    Values must be JSON-ready (dates as ISO strings); pass only the fields that changed."""
    work.insert(
        FrameworkChange,
        [
            {
                "framework_id": framework_id,
                "provider_id": provider_id,
                "action": action,
                "subject": subject[:120],
                "actor_id": actor.user_id if actor else None,
                "made_by": made_by or (actor.email if actor else "the exchange"),
                "before": dict(before or {}),
                "after": dict(after or {}),
                "made_at": datetime.now(UTC),
            }
        ],
    )
