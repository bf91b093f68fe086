"""The audit trail of a framework's life: who changed what, when, and the values before and after."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class FrameworkChange(Model):
    """One change to a framework, a lot, a membership, a provider's place on the register or a block contract.

    `actor` is the user who made it; changes made by the exchange itself (an Ofsted import, a clock) have no
    user and say who in `made_by`. `before` and `after` hold the changed values only, as JSON."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Framework", related_name="changes", null=True, on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Provider", related_name="framework_changes", null=True, on_delete=fields.CASCADE
    )
    action = fields.CharField(max_length=40)
    subject = fields.CharField(max_length=120, default="")
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="framework_changes", null=True, on_delete=fields.SET_NULL
    )
    made_by = fields.CharField(max_length=80, default="")
    before = fields.JSONField(default=dict)
    after = fields.JSONField(default=dict)
    made_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "framework_change"
        ordering = ["-made_at", "-id"]
        indexes = (("framework_id", "made_at"), ("provider_id", "made_at"))
