"""How the signed-in person gets each kind of email, and the query that lists it."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.enums import NotificationDelivery, NotificationKind
from schema.permissions import AUTH
from server.outbox.kinds import Delivery, Notification, default_delivery
from server.services.notification_preferences import preferences_for


@strawberry.type(description="One kind of email and how you get it.")
class NotificationPreference:
    notification: NotificationKind
    delivery: NotificationDelivery
    description: str = strawberry.field(description="What this kind of email is about, in words.")
    is_default: bool = strawberry.field(description="True while you have not changed your role's default.")

    @classmethod
    def of(cls, notification: Notification, delivery: Delivery, role_default: Delivery) -> NotificationPreference:
        return cls(
            notification=notification,
            delivery=delivery,
            description=notification.label,
            is_default=delivery is role_default,
        )


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="Every kind of email your role is sent, and how you get each.", permission_classes=AUTH
    )
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        actor = info.context.actor
        assert actor is not None  # AUTH
        return [
            NotificationPreference.of(kind, delivery, default_delivery(actor.role, kind))
            for kind, delivery in await preferences_for(actor)
        ]
