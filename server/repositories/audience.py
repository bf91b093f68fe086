"""Who an email goes to: the active users named, or the staff of some providers or councils, each with their
own choice of delivery for that kind of email, read in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.repositories.statements import Statement


async def recipients(
    connection: BaseDBAsyncClient,
    notification: str,
    *,
    user_ids: Sequence[int] = (),
    provider_ids: Sequence[int] = (),
    council_ids: Sequence[int] = (),
    roles: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """id, email, display_name, role and delivery (the user's own choice for `notification`, or None) of the
    active users who are any of user_ids, staff of provider_ids or of council_ids; of those roles only
    (when given). By id."""
    whose = [
        f"u.{column} IN ({', '.join('?' * len(ids))})"
        for column, ids in (("id", user_ids), ("provider_id", provider_ids), ("council_id", council_ids))
        if ids
    ]
    if not whose:
        return []
    sql = (
        "SELECT u.id, u.email, u.display_name, u.role, p.delivery FROM app_user u"
        " LEFT JOIN notification_preference p ON p.user_id = u.id AND p.notification = ?"
        f" WHERE u.is_active AND ({' OR '.join(whose)})"
    )
    params: list[Any] = [notification, *user_ids, *provider_ids, *council_ids]
    if roles:
        sql += f" AND u.role IN ({', '.join('?' * len(roles))})"
        params += roles
    return await Statement(sql + " ORDER BY u.id").rows(*params, connection=connection)
