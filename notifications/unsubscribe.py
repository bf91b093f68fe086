"""Signed one-click unsubscribe links: who, and from which kinds of email.

The token goes in every email's List-Unsubscribe header and footer link
(`{base_url}/preferences?token=...`). It is signed with SECRET_KEY, so nobody
can switch off someone else's email by guessing ids; it carries no secret
itself, and it expires so that an old forwarded email stops working.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer

from server.outbox.kinds import Notification
from server.settings import Settings

SALT = "placement-exchange.unsubscribe"
MAX_AGE_SECONDS = 180 * 24 * 3600


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    notifications: tuple[Notification, ...]


def sign(user_id: int, notification: Notification | Iterable[Notification], *, secret_key: str | None = None) -> str:
    """A token that switches `notification` (or each of several, for a digest) off for the user."""
    kinds = [notification] if isinstance(notification, Notification) else list(notification)
    payload = {"u": user_id, "n": sorted({Notification(kind).value for kind in kinds})}
    return _serializer(secret_key).dumps(payload)


def verify(token: str, *, secret_key: str | None = None, max_age: int = MAX_AGE_SECONDS) -> Unsubscription | None:
    """The user and kinds a token names, or None if it is forged, mangled or expired."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
        return Unsubscription(int(payload["u"]), tuple(Notification(value) for value in payload["n"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url}/preferences?{urlencode({'token': token})}"


def _serializer(secret_key: str | None) -> URLSafeTimedSerializer:
    # Settings.from_env() applies the same rules as the server: SECRET_KEY is required in production.
    return URLSafeTimedSerializer(secret_key or Settings.from_env().secret_key, salt=SALT)
