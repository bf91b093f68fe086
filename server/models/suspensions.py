"""A provider's place on a lot suspended from broadcasts: by an Ofsted judgement below the framework's minimum, or
by a commissioner's hand; lifted only by a commissioner."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import OfstedJudgement


class MembershipSuspension(Model):
    """While `lifted_at` is empty the member is sent no referral on the lot. `judgement` is the Ofsted judgement
    that caused it (empty for a suspension made by hand); `suspended_by` is empty when the exchange made it
    (`made_by` then says who, as "Ofsted import")."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    membership: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.LotMembership", related_name="suspensions", on_delete=fields.CASCADE
    )
    starts_on = fields.DateField()
    reason = fields.TextField()
    judgement = fields.CharEnumField(OfstedJudgement, max_length=24, null=True)
    suspended_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="suspensions_made", null=True, on_delete=fields.SET_NULL
    )
    made_by = fields.CharField(max_length=80, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    lifted_at = fields.DatetimeField(null=True)
    lifted_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="suspensions_lifted", null=True, on_delete=fields.SET_NULL
    )
    lift_note = fields.TextField(default="")

    class Meta:
        table = "membership_suspension"
        ordering = ["-created_at", "-id"]
        indexes = (("membership_id", "lifted_at"),)
