"""Framework agreements: lots, tiered provider membership, price schedules."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import (
    AgeBand,
    LeftReason,
    NeedLevel,
    OfstedJudgement,
    SupplementKind,
    SupplementUnit,
)


class Framework(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    reference = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=160)
    lead_council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Council", related_name="led_frameworks", on_delete=fields.RESTRICT
    )
    member_councils: fields.ManyToManyRelation = fields.ManyToManyField(
        "models.Council", related_name="frameworks", through="framework_member_council"
    )
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    extended_to = fields.DateField(null=True)
    minimum_ofsted_judgement = fields.CharEnumField(
        OfstedJudgement, max_length=24, default=OfstedJudgement.REQUIRES_IMPROVEMENT
    )
    tier_response_hours = fields.IntField(default=24)
    emergency_response_hours = fields.IntField(default=4)
    # A window per tier where the framework gives one ({"1": 24, "2": 48}); other tiers have tier_response_hours.
    response_hours_by_tier = fields.JSONField(default=dict)
    # As the contract words them, e.g. "up to 2 x 12 months"; the extensions taken are FrameworkExtension rows.
    extension_options = fields.CharField(max_length=200, default="")
    # The matching weights (server.domain.matching.ScoreWeights by field name); empty: DEFAULT_WEIGHTS.
    matching_weights = fields.JSONField(default=dict)
    # Targeted broadcast: only providers with a household or home that could match.
    require_matching_resource = fields.BooleanField(default=True)
    # The framework this one succeeds (re-tendered): reports count "this framework / the previous one / spot".
    predecessor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Framework", related_name="successors", null=True, on_delete=fields.SET_NULL
    )
    quality_weight_percent = fields.IntField(default=60)
    cost_weight_percent = fields.IntField(default=40)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "framework"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrameworkExtension(Model):
    """An extension taken: the new end date and the decision that took it. Framework.extended_to is the latest."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation[Framework] = fields.ForeignKeyField(
        "models.Framework", related_name="extensions", on_delete=fields.CASCADE
    )
    ends_on = fields.DateField()
    decision_reference = fields.CharField(max_length=60)
    decision_date = fields.DateField()
    taken_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="framework_extensions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "framework_extension"
        ordering = ["framework_id", "ends_on"]
        unique_together = (("framework", "ends_on"),)


class Lot(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation[Framework] = fields.ForeignKeyField(
        "models.Framework", related_name="lots", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=12)
    name = fields.CharField(max_length=120)
    placement_kinds = fields.JSONField(default=list)
    age_bands = fields.JSONField(default=list)
    need_levels = fields.JSONField(default=list)

    class Meta:
        table = "lot"
        unique_together = (("framework", "code"),)
        ordering = ["framework_id", "code"]


class LotMembership(Model):
    """A provider's place on a lot: its tier, when it joined and when it left."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    lot: fields.ForeignKeyRelation[Lot] = fields.ForeignKeyField(
        "models.Lot", related_name="memberships", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="lot_memberships", on_delete=fields.RESTRICT
    )
    tier = fields.IntField()
    joined_on = fields.DateField()
    left_on = fields.DateField(null=True)
    left_reason = fields.CharEnumField(LeftReason, max_length=12, null=True)

    class Meta:
        table = "lot_membership"
        unique_together = (("lot", "provider"),)
        ordering = ["lot_id", "tier", "provider_id"]


class PriceScheduleEntry(Model):
    """A framework-tier price: weekly fee for an age band and level of need."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    membership: fields.ForeignKeyRelation[LotMembership] = fields.ForeignKeyField(
        "models.LotMembership", related_name="price_entries", on_delete=fields.CASCADE
    )
    age_band = fields.CharEnumField(AgeBand, max_length=5)
    need_level = fields.CharEnumField(NeedLevel, max_length=20)
    weekly_fee_pence = fields.IntField()
    effective_from = fields.DateField()
    effective_to = fields.DateField(null=True)

    class Meta:
        table = "price_schedule_entry"
        indexes = (("membership_id", "age_band", "need_level"),)


class Supplement(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    membership: fields.ForeignKeyRelation[LotMembership] = fields.ForeignKeyField(
        "models.LotMembership", related_name="supplements", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(SupplementKind, max_length=26)
    unit = fields.CharEnumField(SupplementUnit, max_length=10)
    amount_pence = fields.IntField()
    effective_from = fields.DateField()
    effective_to = fields.DateField(null=True)

    class Meta:
        table = "supplement"
