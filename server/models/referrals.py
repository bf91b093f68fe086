"""Referrals (the anonymised request for a home) and who they were broadcast to."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from server.domain.vocabulary import (
    CategoryOfNeed,
    CulturalNeedsCategory,
    DeclineReason,
    Duration,
    Gender,
    LegalStatus,
    LivingAlongside,
    NeedLevel,
    PetsPreference,
    PlacementKind,
    ReferralStatus,
    Urgency,
    YesNoNotSpecified,
)

# Covering indexes for the contract-management figures (issue 17), which read a quarter's broadcasts to every
# provider and the referral behind each placement or broadcast: the columns they read, so that SQLite answers from
# the index alone (server.repositories.contract_figures names them in `INDEXED BY`; its planner prefers the rowid).
REFERRAL_FIGURES_INDEX = "referral_figures_covering"
REFERRAL_FIGURES_COLUMNS = ("id", "council_id", "placement_kind", "age_years", "framework_id", "escalated_to_spot")
# A council's referrals published in a quarter, with what the referral counts and gaps read (the planner takes it
# for any council-and-published-at range by itself).
REFERRAL_QUARTER_INDEX = "referral_council_published_covering"
REFERRAL_QUARTER_COLUMNS = ("council_id", "published_at", "status", "escalated_to_spot", "age_years", "home_district")
# A quarter's broadcasts with their placing councils (each row carries its referral's), from the index alone.
BROADCAST_FIGURES_INDEX = "broadcast_recipient_council_sent_covering"
BROADCAST_FIGURES_COLUMNS = ("sent_at", "council_id", "provider_id", "responded_at", "decline_reason")


class Referral(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    reference = fields.CharField(max_length=20, unique=True, description="e.g. KEN-2026-00042")
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Council", related_name="referrals", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="referrals", on_delete=fields.RESTRICT
    )
    framework: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Framework", related_name="referrals", null=True, on_delete=fields.RESTRICT
    )
    lot: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Lot", related_name="referrals", null=True, on_delete=fields.RESTRICT
    )
    placement_kind = fields.CharEnumField(PlacementKind, max_length=24)
    duration = fields.CharEnumField(Duration, max_length=12)
    urgency = fields.CharEnumField(Urgency, max_length=14)
    need_level = fields.CharEnumField(NeedLevel, max_length=20, default=NeedLevel.STANDARD)
    required_by = fields.DatetimeField()
    status = fields.CharEnumField(ReferralStatus, max_length=10, default=ReferralStatus.DRAFT, db_index=True)

    # The anonymised child profile: no name, no date of birth, no address.
    age_years = fields.IntField()
    gender = fields.CharEnumField(Gender, max_length=6)
    siblings_to_place_together = fields.IntField(default=0, description="Brothers and sisters placed with the child")
    home_district = fields.CharField(max_length=4)
    max_distance_miles = fields.IntField(default=20)
    needs = fields.JSONField(default=list)
    risks_to_child = fields.JSONField(default=list)
    risks_to_others = fields.JSONField(default=list)
    communication_needs = fields.JSONField(default=list)
    languages = fields.JSONField(default=list)
    adaptations = fields.JSONField(default=list)
    faith = fields.CharField(max_length=60, default="")
    cultural_needs = fields.TextField(default="")
    living_alongside = fields.CharEnumField(LivingAlongside, max_length=20, default=LivingAlongside.NO_PREFERENCE)
    pets = fields.CharEnumField(PetsPreference, max_length=8, default=PetsPreference.UNKNOWN)
    additional_support = fields.JSONField(default=list)
    additional_support_hours = fields.IntField(default=0)
    deprivation_of_liberty = fields.BooleanField(default=False)
    setting_suitability = fields.JSONField(default=dict)
    legal_status = fields.CharEnumField(LegalStatus, max_length=2, null=True)
    category_of_need = fields.CharEnumField(CategoryOfNeed, max_length=2, null=True)
    summary = fields.TextField(default="")

    # Broadcast and cascade state.
    current_tier = fields.IntField(null=True)
    tier_deadline = fields.DatetimeField(null=True, db_index=True)
    escalated_to_spot = fields.BooleanField(default=False)

    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # Why the council withdrew it, for the providers it was sent to (guarded free text; never in email).
    withdrawal_reason = fields.TextField(default="")

    # The placements data standard's fields the exchange lacked (issue 20): whether there are communication
    # needs at all, the cultural needs' category beside their free text, the "other" risks and support in words
    # (guarded free text), and who referred and when, when an imported referral says so (else: its author, the
    # day it was published).
    communication_needs_stated = fields.CharEnumField(
        YesNoNotSpecified, max_length=13, default=YesNoNotSpecified.NOT_SPECIFIED
    )
    cultural_needs_category = fields.CharEnumField(
        CulturalNeedsCategory, max_length=12, default=CulturalNeedsCategory.NOT_KNOWN
    )
    risk_to_child_other = fields.TextField(default="")
    risk_to_others_other = fields.TextField(default="")
    additional_support_other = fields.TextField(default="")
    referral_officer_name = fields.CharField(max_length=120, default="")
    referral_date = fields.DateField(null=True)

    class Meta:
        table = "referral"
        ordering = ["-created_at", "-id"]
        indexes = (
            ("council_id", "status"),
            Index(fields=list(REFERRAL_QUARTER_COLUMNS), name=REFERRAL_QUARTER_INDEX),
            Index(fields=list(REFERRAL_FIGURES_COLUMNS), name=REFERRAL_FIGURES_INDEX),
        )

    def __str__(self) -> str:
        return self.reference


class ReferralCounter(Model):
    """Next sequence number of a council's references in a year (KEN-2026-00042)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Council", related_name="referral_counters", on_delete=fields.CASCADE
    )
    year = fields.IntField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "referral_counter"
        unique_together = (("council", "year"),)


class BroadcastRecipient(Model):
    """A provider considered for a referral: sent it (now or at a later tier), or excluded and why."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    referral: fields.ForeignKeyRelation[Referral] = fields.ForeignKeyField(
        "models.Referral", related_name="recipients", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="broadcasts", on_delete=fields.RESTRICT
    )
    # The referral's placing council, copied when the row is written (a referral keeps its council), so that the
    # figures count a quarter's broadcasts per council without reading each referral. Always written; nullable
    # only because SQLite cannot add a required reference to a table that already has rows (migration 0019
    # filled the rows written before it).
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="broadcasts_sent", null=True, on_delete=fields.RESTRICT
    )
    tier = fields.IntField(null=True)
    is_spot = fields.BooleanField(default=False)
    excluded_reason = fields.CharField(max_length=200, null=True)
    sent_at = fields.DatetimeField(null=True)
    viewed_at = fields.DatetimeField(null=True)
    responded_at = fields.DatetimeField(null=True)
    decline_reason = fields.CharEnumField(DeclineReason, max_length=16, null=True)
    decline_note = fields.TextField(default="")
    outcome_notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "broadcast_recipient"
        unique_together = (("referral", "provider"),)
        indexes = (
            ("provider_id", "sent_at"),
            Index(fields=list(BROADCAST_FIGURES_COLUMNS), name=BROADCAST_FIGURES_INDEX),
        )
