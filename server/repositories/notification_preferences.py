"""A user's choices of how they get each kind of email (the role's default applies where there is none)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from server.models import NotificationPreference
from server.outbox.kinds import Delivery, Notification


async def chosen_by(user_id: int) -> dict[Notification, Delivery]:
    """The kinds the user chose a delivery for; a stored value no longer in the vocabulary is ignored."""
    return {
        Notification(pref.notification): Delivery(pref.delivery)
        for pref in await NotificationPreference.filter(user_id=user_id)
        if pref.notification in Notification._value2member_map_ and pref.delivery in Delivery._value2member_map_
    }


async def store(user_id: int, notification: Notification, delivery: Delivery) -> None:
    values = {"delivery": delivery.value}
    if await NotificationPreference.filter(user_id=user_id, notification=notification.value).update(**values):
        return
    try:
        await NotificationPreference.create(user_id=user_id, notification=notification.value, **values)
    except IntegrityError:
        # A second request (another tab, a mail client's one-click POST) created it meanwhile: last choice wins.
        await NotificationPreference.filter(user_id=user_id, notification=notification.value).update(**values)
