"""Offers from providers, and the placements they become."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from server.domain.vocabulary import (
    FeeBasis,
    LegalStatus,
    OfferDeclineReason,
    OfferStatus,
    PlacementKind,
    PlacementSide,
    PlacementStatus,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlacementChanged,
)

# The contract-management figures (issue 17) read every placement of the member councils active in a quarter: these
# columns, from an index a fraction of the table's width (per council, then provider, for a provider's scorecard).
PLACEMENT_FIGURES_INDEX = "placement_figures_covering"
PLACEMENT_FIGURES_COLUMNS = (
    "council_id",
    "provider_id",
    "start_date",
    "actual_start_date",
    "end_date",
    "planned_ending",
    "notice_given_on",
    "inside_council_area",
    "distance_miles",
    "weekly_fee_pence",
    "referral_id",
    "placement_kind",
    "age_years",
    "framework_id",
)
# The contract-management figures' first offer on each referral (issue 17), from the index alone.
OFFER_FIGURES_INDEX = "offer_referral_submitted_covering"
OFFER_FIGURES_COLUMNS = ("referral_id", "submitted_at", "provider_id")
# A quarter's offers (on the referrals published in it) with their placing councils, from the index alone, each
# referral's together and in order (its first offer found without sorting).
OFFER_QUARTER_INDEX = "offer_referral_published_covering"
OFFER_QUARTER_COLUMNS = ("referral_published_at", "referral_id", "council_id", "provider_id", "submitted_at")
# A quarter's placements (of the referrals published in it) and when each was made, from the index alone.
PLACEMENT_PUBLISHED_INDEX = "placement_referral_published_covering"
PLACEMENT_PUBLISHED_COLUMNS = ("council_id", "referral_published_at", "provider_id", "created_at")


class Offer(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    referral: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Referral", related_name="offers", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="offers", on_delete=fields.RESTRICT
    )
    carer_household: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.CarerHousehold", related_name="offers", null=True, on_delete=fields.RESTRICT
    )
    childrens_home: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ChildrensHome", related_name="offers", null=True, on_delete=fields.RESTRICT
    )
    weekly_fee_pence = fields.IntField()
    fee_basis = fields.CharEnumField(FeeBasis, max_length=10)
    price_schedule_entry: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.PriceScheduleEntry", related_name="offers", null=True, on_delete=fields.SET_NULL
    )
    fee_breakdown = fields.JSONField(default=list, description="[{label, amount_pence}]")
    extras = fields.JSONField(default=list, description="Itemised extras beyond the schedule, with justification")
    differs_from_schedule = fields.BooleanField(default=False)
    start_date = fields.DateField()
    matching_statement = fields.TextField(default="")
    distance_miles = fields.FloatField(null=True)
    status = fields.CharEnumField(OfferStatus, max_length=12, default=OfferStatus.SUBMITTED, db_index=True)
    # 1 while the offer is live, NULL after: a unique index on (referral, provider, live)
    # allows one live offer per provider per referral on SQLite and PostgreSQL alike.
    live = fields.IntField(null=True, default=1)
    submitted_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    decided_at = fields.DatetimeField(null=True)
    # Why the council declined it, told to the provider (the note passed the anonymisation guard).
    decline_reason = fields.CharEnumField(OfferDeclineReason, max_length=26, null=True)
    decline_note = fields.TextField(default="")
    # Who made it, when that provider has since merged into `provider` (see server.models.ProviderMerger).
    original_provider: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Provider", related_name="original_offers", null=True, on_delete=fields.RESTRICT
    )
    # From its referral, so that the contract figures count a quarter's offers without reading each referral:
    # the placing council and when the referral was published (server.services.offers.copied_from). Always
    # written; nullable only because a column added to a table with rows must be (migration 0021 filled them).
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="offers_received", null=True, on_delete=fields.RESTRICT
    )
    referral_published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "offer"
        unique_together = (("referral", "provider", "live"),)
        ordering = ["submitted_at", "id"]
        # The dashboards (issue 21): a provider's offers over all history, read from the index alone; the trend
        # weeks' offers of a provider and of every council, by an indexed range; a referral's first offer (the
        # contract figures' covering index, which leads with the referral and its offers' times).
        indexes = (
            ("provider_id", "status", "live"),
            ("provider_id", "submitted_at"),
            ("submitted_at",),
            Index(fields=list(OFFER_FIGURES_COLUMNS), name=OFFER_FIGURES_INDEX),
            Index(fields=list(OFFER_QUARTER_COLUMNS), name=OFFER_QUARTER_INDEX),
        )


class Placement(Model):
    """Recorded by the Individual Placement Agreement (IPA)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    referral: fields.OneToOneRelation = fields.OneToOneField(
        "models.Referral", related_name="placement", on_delete=fields.RESTRICT
    )
    offer: fields.OneToOneRelation = fields.OneToOneField(
        "models.Offer", related_name="placement", on_delete=fields.RESTRICT
    )
    council: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Council", related_name="placements", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="placements", on_delete=fields.RESTRICT
    )
    carer_household: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.CarerHousehold", related_name="placements", null=True, on_delete=fields.RESTRICT
    )
    childrens_home: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ChildrensHome", related_name="placements", null=True, on_delete=fields.RESTRICT
    )
    placement_type = fields.CharEnumField(PlacementType, max_length=2)
    start_date = fields.DateField()
    weekly_fee_pence = fields.IntField()
    fee_basis = fields.CharEnumField(FeeBasis, max_length=10)
    ipa_reference = fields.CharField(max_length=24, unique=True)
    distance_miles = fields.FloatField(null=True)
    inside_council_area = fields.BooleanField(null=True)
    status = fields.CharEnumField(PlacementStatus, max_length=8, default=PlacementStatus.ACTIVE, db_index=True)
    end_date = fields.DateField(null=True)
    end_reason = fields.CharEnumField(ReasonPlacementChanged, max_length=5, null=True)
    planned_ending = fields.BooleanField(null=True)
    notice_given_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The placement's life (issue 19): the agreement's two confirmations, the actual start, notice, step-across.
    council_confirmed_at = fields.DatetimeField(null=True)
    council_confirmed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="placements_confirmed_for_council", null=True, on_delete=fields.RESTRICT
    )
    provider_confirmed_at = fields.DatetimeField(null=True)
    provider_confirmed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="placements_confirmed_for_provider", null=True, on_delete=fields.RESTRICT
    )
    actual_start_date = fields.DateField(null=True)
    notice_intended_end = fields.DateField(null=True)
    notice_given_by = fields.CharEnumField(PlacementSide, max_length=8, null=True)
    notice_given_by_user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="placement_notices_given", null=True, on_delete=fields.RESTRICT
    )
    step_across_referral: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Referral", related_name="stepped_across_from_placements", null=True, on_delete=fields.SET_NULL
    )
    # Who made it, when that provider has since merged into `provider` (see server.models.ProviderMerger).
    original_provider: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Provider", related_name="original_placements", null=True, on_delete=fields.RESTRICT
    )
    # The placements data standard's ActualPlacement and QualityAssurance (issue 20), recorded by the placing
    # council (setPlacementStandardDetails); unset ones are derived where the exchange can (server.services.
    # data_standards). Why the child stopped being looked after when the placement ended (SSDA903 REC).
    education_continuity = fields.BooleanField(null=True)
    location_preferred = fields.BooleanField(null=True)
    siblings_placed_together = fields.IntField(null=True)
    placement_officer_name = fields.CharField(max_length=120, default="")
    placement_date = fields.DateField(null=True)
    cost_officer_name = fields.CharField(max_length=120, default="")
    cost_date = fields.DateField(null=True)
    care_ceased_reason = fields.CharEnumField(ReasonEpisodeCeased, max_length=3, null=True)
    # From the referral as it was placed, so that the contract figures group placements by kind, age band and
    # route without reading each referral: its placement kind, the child's age on it, and the framework it was
    # called off under (null: spot purchase, escalated or off any framework). Always written; nullable only
    # because a column added to a table with rows must be (migration 0019 filled the rows placed before it).
    placement_kind = fields.CharEnumField(PlacementKind, max_length=24, null=True)
    age_years = fields.IntField(null=True)
    framework: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Framework", related_name="placements_called_off", null=True, on_delete=fields.RESTRICT
    )
    # When the referral was published (migration 0021 filled the rows placed before it): the figures' median
    # time from publishing to placement.
    referral_published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "placement"
        ordering = ["-start_date", "-id"]
        # Matching counts a resource's active placements for every candidate it reads.
        # Contract-management figures read a council's placements by when they started (issue 17).
        # The dashboards (issue 21): a council's active placements (reviews due); its placements over all history,
        # their shares and fees read from the index alone; the month's and the trend weeks' placements of a
        # council and of a provider, by an indexed range.
        indexes = (
            ("carer_household_id", "status"),
            ("childrens_home_id", "status"),
            ("council_id", "start_date"),
            Index(fields=list(PLACEMENT_FIGURES_COLUMNS), name=PLACEMENT_FIGURES_INDEX),
            ("council_id", "status"),
            ("council_id", "fee_basis", "inside_council_area", "distance_miles", "referral_id", "weekly_fee_pence"),
            ("council_id", "created_at"),
            ("provider_id", "created_at"),
            Index(fields=list(PLACEMENT_PUBLISHED_COLUMNS), name=PLACEMENT_PUBLISHED_INDEX),
        )


class PlacementFeeChange(Model):
    """A change of a placement's weekly fee from a date: proposed by one side, in force once the other agrees."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    placement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Placement", related_name="fee_changes", on_delete=fields.CASCADE
    )
    weekly_fee_pence = fields.IntField()
    effective_from = fields.DateField()
    reason = fields.TextField()
    proposed_by_side = fields.CharEnumField(PlacementSide, max_length=8)
    proposed_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="fee_changes_proposed", on_delete=fields.RESTRICT
    )
    proposed_at = fields.DatetimeField(auto_now_add=True)
    agreed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="fee_changes_agreed", null=True, on_delete=fields.RESTRICT
    )
    agreed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "placement_fee_change"
        ordering = ["effective_from", "id"]
        indexes = (("placement_id", "effective_from"),)


class PlacementReview(Model):
    """A looked-after child's review of the placement: when, who attended, the SDQ total and notes."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    placement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Placement", related_name="reviews", on_delete=fields.CASCADE
    )
    held_on = fields.DateField()
    attendance = fields.JSONField(default=list)
    sdq_total = fields.IntField(null=True)
    notes = fields.TextField(default="")
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="placement_reviews", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "placement_review"
        ordering = ["held_on", "id"]
        indexes = (("placement_id", "held_on"),)


class PlacementLegalStatusChange(Model):
    """The child's legal status changed during a placement, from a day: a new SSDA903 episode (RNE L)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    placement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Placement", related_name="legal_status_changes", on_delete=fields.CASCADE
    )
    legal_status = fields.CharEnumField(LegalStatus, max_length=2)
    effective_from = fields.DateField()
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="legal_status_changes", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "placement_legal_status_change"
        ordering = ["effective_from", "id"]
        unique_together = (("placement", "effective_from"),)
