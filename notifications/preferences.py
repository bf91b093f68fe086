"""Which emails a person gets: their role's defaults, overridden one kind at a time.

UnitOfWork.notify reads the same overrides when it queues email, so a choice
made here applies to the next email queued.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from notifications.kinds import Delivery, Notification, default_delivery, kinds_for
from notifications.unsubscribe import Unsubscription, verify
from server.auth.actor import Actor
from server.domain.vocabulary import Role
from server.models import NotificationPreference, User
from server.services.errors import ErrorCode, ServiceError


async def preferences_for(user: User | Actor) -> list[tuple[Notification, Delivery]]:
    """Every kind the user's role is sent, with how they get it (their choice, else the role's default)."""
    user_id, role = _who(user)
    chosen = {
        Notification(pref.notification): Delivery(pref.delivery)
        for pref in await NotificationPreference.filter(user_id=user_id)
        if pref.notification in Notification._value2member_map_ and pref.delivery in Delivery._value2member_map_
    }
    return [(kind, chosen.get(kind, default_delivery(role, kind))) for kind in kinds_for(role)]


async def set_preference(actor: Actor, notification: Notification, delivery: Delivery) -> tuple[Notification, Delivery]:
    """The actor chooses how they get one kind of email; only kinds their role is ever sent."""
    if notification not in kinds_for(actor.role):
        raise ServiceError(
            ErrorCode.INVALID, f"Your role ({actor.role.label}) is never sent this kind of email.", "notification"
        )
    await _store(actor.user_id, notification, delivery)
    return notification, delivery


async def unsubscribe_with_token(token: str, *, secret_key: str | None = None) -> Unsubscription | None:
    """One-click unsubscribe (RFC 8058): switch off the kinds the signed token names. None if the token is bad."""
    unsubscription = verify(token, secret_key=secret_key)
    if unsubscription is None or not await User.exists(id=unsubscription.user_id):
        return None
    for notification in unsubscription.notifications:
        await _store(unsubscription.user_id, notification, Delivery.OFF)
    return unsubscription


async def _store(user_id: int, notification: Notification, delivery: Delivery) -> None:
    values = {"delivery": delivery.value}
    if await NotificationPreference.filter(user_id=user_id, notification=notification.value).update(**values):
        return
    try:
        await NotificationPreference.create(user_id=user_id, notification=notification.value, **values)
    except IntegrityError:
        # A second request (another tab, a mail client's one-click POST) created it meanwhile: last choice wins.
        await NotificationPreference.filter(user_id=user_id, notification=notification.value).update(**values)


def _who(user: User | Actor) -> tuple[int, Role]:
    if isinstance(user, Actor):
        return user.user_id, user.role
    return user.id, Role(user.role)
