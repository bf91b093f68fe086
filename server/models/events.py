"""The event log (the truth subscriptions replay from) and the email outbox."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import OutboxStatus


class Event(Model):
    _no_comments = True
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=40)
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event"
        ordering = ["id"]


class EventTopic(Model):
    """Who an event concerns ("provider:3", "council:1", "referral:42"), indexed for replay."""

    _no_comments = True

    id = fields.BigIntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="topics", on_delete=fields.CASCADE
    )
    topic = fields.CharField(max_length=40)

    class Meta:
        table = "event_topic"
        indexes = (("topic", "event_id"),)


class OutboxMessage(Model):
    _no_comments = True
    id = fields.BigIntField(primary_key=True)
    notification = fields.CharField(max_length=40)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="outbox_messages", null=True, on_delete=fields.SET_NULL
    )
    recipient = fields.CharField(max_length=254)
    context = fields.JSONField(default=dict)
    digest = fields.BooleanField(default=False)
    message_id = fields.CharField(max_length=120, unique=True)
    status = fields.CharEnumField(OutboxStatus, max_length=8, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)
