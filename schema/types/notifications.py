"""How the signed-in person gets each kind of email, and the query that lists it."""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from notifications.kinds import Delivery, Notification, default_delivery
from notifications.preferences import preferences_for
from schema.context import Info
from schema.enums import NotificationDelivery, NotificationKind


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


class SignedIn(BasePermission):
    message = "Sign in first: send Authorization: Bearer <token>."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: object, info: Info, **kwargs: object) -> bool:
        return info.context.actor is not None


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="Every kind of email your role is sent, and how you get each.", permission_classes=[SignedIn]
    )
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        actor = info.context.actor
        assert actor is not None  # SignedIn
        return [
            NotificationPreference.of(kind, delivery, default_delivery(actor.role, kind))
            for kind, delivery in await preferences_for(actor)
        ]
