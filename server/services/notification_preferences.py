"""Which emails a person gets: their role's defaults, overridden one kind at a time.

UnitOfWork.notify reads the same overrides when it queues email, so a choice made here applies to the next
email queued.
"""

from __future__ import annotations

from server.auth.actor import Actor
from server.domain.vocabulary import Role
from server.events.version import note_local_change
from server.models import User
from server.outbox.kinds import Delivery, Notification, default_delivery, kinds_for
from server.repositories import notification_preferences
from server.services.errors import ErrorCode, ServiceError


async def preferences_for(user: User | Actor) -> list[tuple[Notification, Delivery]]:
    """Every kind the user's role is sent, with how they get it (their choice, else the role's default)."""
    user_id, role = _who(user)
    chosen = await notification_preferences.chosen_by(user_id)
    return [(kind, chosen.get(kind, default_delivery(role, kind))) for kind in kinds_for(role)]


async def set_preference(actor: Actor, notification: Notification, delivery: Delivery) -> tuple[Notification, Delivery]:
    """The actor chooses how they get one kind of email; only kinds their role is ever sent."""
    if notification not in kinds_for(actor.role):
        raise ServiceError(
            ErrorCode.INVALID, f"Your role ({actor.role.label}) is never sent this kind of email.", "notification"
        )
    await notification_preferences.store(actor.user_id, notification, delivery)
    note_local_change()  # no event is written for it: cached reads of this process must not show the old choice
    return notification, delivery


def _who(user: User | Actor) -> tuple[int, Role]:
    if isinstance(user, Actor):
        return user.user_id, user.role
    return user.id, Role(user.role)
