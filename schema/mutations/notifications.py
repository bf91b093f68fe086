"""Choosing which emails you get."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.enums import NotificationDelivery, NotificationKind
from schema.errors import UserError, attempt
from schema.types.notifications import NotificationPreference
from server.auth.actor import Actor
from server.outbox.kinds import Delivery, Notification, default_delivery
from server.services import notification_preferences


@strawberry.input
class SetNotificationPreferenceInput:
    notification: NotificationKind
    delivery: NotificationDelivery


@strawberry.type
class NotificationPreferencePayload:
    preference: NotificationPreference | None
    errors: list[UserError]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Get one kind of email immediately, in the daily digest, or not at all.")
    async def set_notification_preference(
        self, info: Info, input: SetNotificationPreferenceInput
    ) -> NotificationPreferencePayload:
        async def choose(actor: Actor) -> NotificationPreference:
            kind, delivery = await notification_preferences.set_preference(
                actor, Notification(input.notification), Delivery(input.delivery)
            )
            return NotificationPreference.of(kind, delivery, default_delivery(actor.role, kind))

        preference, errors = await attempt(info.context.actor, choose)
        return NotificationPreferencePayload(preference=preference, errors=errors)
