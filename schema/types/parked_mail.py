"""Parked email, for platform admins: what the outbox worker gave up on, and why."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.permissions import AUTH
from schema.types.pagination import Connection, Edge, paginate
from server.models import OutboxMessage
from server.services.parked_mail import parked_mail


@strawberry.type(description="An email the outbox worker parked as failed. Platform admins only.")
class ParkedEmail:
    id: strawberry.ID
    notification: str = strawberry.field(description="The kind of email, e.g. referral_broadcast.")
    recipient: str
    attempts: int
    last_error: str = strawberry.field(description="The mail server's last answer, or why it was parked.")
    queued_at: datetime

    @classmethod
    def of(cls, message: OutboxMessage) -> ParkedEmail:
        return cls(
            id=to_global_id("ParkedEmail", message.id),
            notification=message.notification,
            recipient=message.recipient,
            attempts=message.attempts,
            last_error=message.last_error,
            queued_at=message.created_at,
        )


@strawberry.type
class ParkedMailQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="Email parked as failed, newest first (platform admins; others see none). retryParkedEmail "
        "sends one again.",
    )
    async def parked_emails(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ParkedEmail]:
        assert info.context.actor is not None  # AUTH
        page = await paginate(parked_mail(info.context.actor), first, after)
        edges = [Edge(cursor=edge.cursor, node=ParkedEmail.of(edge.node)) for edge in page.edges]
        return Connection(edges=edges, page_info=page.page_info)
