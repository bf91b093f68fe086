"""Frameworks on the hot paths: read by id on every publish."""

from __future__ import annotations

from server.models import Framework
from server.repositories.statements import row_by_id


async def framework_by_id(framework_id: int) -> Framework | None:
    return await row_by_id(Framework, framework_id)
