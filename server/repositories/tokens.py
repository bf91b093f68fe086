"""Bearer tokens (login, API and portal session tokens alike): the one look-up of who a token belongs to.

Every request over HTTP, every websocket and every portal page starts with it, so it is one plain
statement: the token, by its digest, and its user, refused if revoked or if the user is deactivated.
Whether it has expired is the caller's to judge (against its own clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.domain.vocabulary import Role
from server.repositories.statements import Statement, as_datetime


@dataclass(frozen=True, slots=True)
class TokenOwner:
    token_id: int
    expires_at: datetime
    last_used_at: datetime | None
    user_id: int
    role: Role
    council_id: int | None
    provider_id: int | None
    email: str


_TOKEN_OWNER = Statement(
    "SELECT t.id, t.expires_at, t.last_used_at, u.id AS user_id, u.role, u.council_id, u.provider_id, u.email"
    " FROM access_token t JOIN app_user u ON u.id = t.user_id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.is_active"
)


async def token_owner(digest: str) -> TokenOwner | None:
    """The unrevoked token of an active user whose SHA-256 is `digest`, expired or not."""
    rows = await _TOKEN_OWNER.rows(digest)
    if not rows:
        return None
    row = rows[0]
    return TokenOwner(
        token_id=row["id"],
        expires_at=as_datetime(row["expires_at"]),
        last_used_at=as_datetime(row["last_used_at"]),
        user_id=row["user_id"],
        role=Role(row["role"]),
        council_id=row["council_id"],
        provider_id=row["provider_id"],
        email=row["email"],
    )


_NOTE_USE = Statement('UPDATE "access_token" SET "last_used_at" = ? WHERE "id" = ?')


async def note_token_used(token_id: int, when: datetime) -> None:
    await _NOTE_USE.execute(when, token_id)
