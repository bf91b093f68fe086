"""Provider mergers: provider A merged into provider B on a date, and what passed across."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import MergedUsers


class ProviderMerger(Model):
    """The record of a merger. Offers and placements that passed to the surviving provider keep the merged
    one as their `original_provider`, so the history shows who made each ("now part of B")."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    merged_provider: fields.OneToOneRelation = fields.OneToOneField(
        "models.Provider", related_name="merger", on_delete=fields.RESTRICT
    )
    into_provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="mergers_received", on_delete=fields.RESTRICT
    )
    merged_on = fields.DateField()
    users = fields.CharEnumField(MergedUsers, max_length=10)
    # How many of each kind of thing passed across: {"carerHouseholds": 2, "offers": 1, ...}
    moved = fields.JSONField(default=dict)
    made_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="provider_mergers_made", null=True, on_delete=fields.SET_NULL
    )
    made_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "provider_merger"
        ordering = ["-merged_on", "-id"]
