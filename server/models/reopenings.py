"""Re-openings of a framework: windows in which providers apply to join lots, and their applications."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import JoinApplicationStatus


class Reopening(Model):
    """A window, from `opens_on` to `closes_on` (both days included), in which providers apply to join the lots."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Framework", related_name="reopenings", on_delete=fields.CASCADE
    )
    opens_on = fields.DateField()
    closes_on = fields.DateField()
    lots: fields.ManyToManyRelation = fields.ManyToManyField(
        "models.Lot", related_name="reopenings", through="reopening_lot"
    )
    opened_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="reopenings_opened", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reopening"
        ordering = ["-opens_on", "-id"]
        indexes = (("framework_id", "closes_on"),)


class JoinApplication(Model):
    """A provider's application to join one lot in a re-opening, and the lead commissioner's decision."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    reopening: fields.ForeignKeyRelation[Reopening] = fields.ForeignKeyField(
        "models.Reopening", related_name="applications", on_delete=fields.CASCADE
    )
    lot: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Lot", related_name="join_applications", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="join_applications", on_delete=fields.CASCADE
    )
    # What the provider offers the lot (guarded free text: it reaches the lead council).
    statement = fields.TextField(default="")
    status = fields.CharEnumField(JoinApplicationStatus, max_length=10, default=JoinApplicationStatus.PENDING)
    applied_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="join_applications_made", null=True, on_delete=fields.SET_NULL
    )
    applied_at = fields.DatetimeField(auto_now_add=True)
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="join_applications_decided", null=True, on_delete=fields.SET_NULL
    )
    decided_at = fields.DatetimeField(null=True)
    # Why it was refused, as the provider is told it (guarded free text).
    refusal_reason = fields.TextField(default="")
    membership: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.LotMembership", related_name="join_applications", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "join_application"
        unique_together = (("reopening", "lot", "provider"),)
        ordering = ["-applied_at", "-id"]
        indexes = (("provider_id", "status"),)
