"""Questions before offering: a provider sent a referral asks the council; the council answers.

The answer goes to the asking provider alone, or (shared_with_all) to every provider the referral was sent
to, shown with the question but never with who asked. Both texts passed the anonymisation guard; neither is
ever put in an email (only that there is a question or an answer, and the link).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ReferralQuestion(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    referral: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Referral", related_name="questions", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="referral_questions", on_delete=fields.RESTRICT
    )
    asked_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="questions_asked", on_delete=fields.RESTRICT
    )
    question = fields.TextField()
    asked_at = fields.DatetimeField(auto_now_add=True)
    answer = fields.TextField(default="")
    answered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="questions_answered", null=True, on_delete=fields.RESTRICT
    )
    answered_at = fields.DatetimeField(null=True)
    shared_with_all = fields.BooleanField(
        default=False, description="Answered to every provider the referral was sent to, not the asker alone"
    )

    class Meta:
        table = "referral_question"
        ordering = ["asked_at", "id"]
        indexes = (("referral_id", "provider_id"),)
