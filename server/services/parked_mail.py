"""Email the worker gave up on, for platform admins: see it and send it again once the cause is fixed."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from server.auth import policy
from server.auth.actor import Actor
from server.events.version import note_local_change
from server.models import OutboxMessage
from server.repositories import outbox
from server.services.errors import not_found


def parked_mail(actor: Actor) -> QuerySet[OutboxMessage]:
    """What the actor may see of the parked mail: all of it for platform admins, none for anyone else."""
    return policy.scope_parked_mail(actor, outbox.parked())


async def retry_parked_mail(actor: Actor, message_id: int) -> OutboxMessage:
    """Back into the queue, due now; to anyone but a platform admin it does not exist."""
    message = await parked_mail(actor).filter(id=message_id).first()
    if message is None or not await outbox.requeue_parked(message.id, datetime.now(UTC)):
        raise not_found("email", "id")
    note_local_change()  # this process's kept answers (the response cache) no longer hold
    await message.refresh_from_db()
    return message
