"""One-click unsubscribe (RFC 8058) from an email's link: the signed token switches its kinds off.

Choosing kind by kind, signed in, is a use case: server.services.notification_preferences.
"""

from __future__ import annotations

from notifications.unsubscribe import Unsubscription, verify
from server.events.version import note_local_change
from server.models import User
from server.outbox.kinds import Delivery
from server.repositories import notification_preferences


async def unsubscribe_with_token(token: str, *, secret_key: str | None = None) -> Unsubscription | None:
    """Switch off the kinds the signed token names, for the user it names. None if the token is bad."""
    unsubscription = verify(token, secret_key=secret_key)
    if unsubscription is None or not await User.exists(id=unsubscription.user_id):
        return None
    for notification in unsubscription.notifications:
        await notification_preferences.store(unsubscription.user_id, notification, Delivery.OFF)
    note_local_change()  # as a choice made signed in: cached reads must not show the old one
    return unsubscription
