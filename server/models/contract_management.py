"""Contract management's records: allegations, feedback on placements, contract reviews and their actions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import (
    AllegationCategory,
    AllegationOutcome,
    AllegationReporter,
    FeedbackGiver,
    FeedbackOccasion,
    PlacementSide,
    ReviewActionOwner,
    ReviewActionStatus,
)


class Allegation(Model):
    """An allegation against a carer household or a children's home: written by the placing council or the
    provider; seen by the placing council, the provider and the lead commissioners of its frameworks.

    `council` is the placing council (the placement's when there is one); a provider's allegation without a
    placement may have none."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    reported_on = fields.DateField()
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="allegations", on_delete=fields.RESTRICT
    )
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="allegations", null=True, on_delete=fields.RESTRICT
    )
    carer_household: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.CarerHousehold", related_name="allegations", null=True, on_delete=fields.RESTRICT
    )
    childrens_home: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ChildrensHome", related_name="allegations", null=True, on_delete=fields.RESTRICT
    )
    placement: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Placement", related_name="allegations", null=True, on_delete=fields.SET_NULL
    )
    category = fields.CharEnumField(AllegationCategory, max_length=24)
    reported_by = fields.CharEnumField(AllegationReporter, max_length=20)
    outcome = fields.CharEnumField(AllegationOutcome, max_length=16, default=AllegationOutcome.OPEN)
    concluded_on = fields.DateField(null=True)
    summary = fields.TextField(default="")
    recorded_by_side = fields.CharEnumField(PlacementSide, max_length=8)
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="allegations_recorded", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "allegation"
        ordering = ["-reported_on", "-id"]
        indexes = (("council_id", "reported_on"), ("provider_id", "reported_on"))


class PlacementFeedback(Model):
    """The child's social worker's or reviewing officer's scores (1-5) of a placement, with a comment."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    placement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Placement", related_name="feedback", on_delete=fields.CASCADE
    )
    given_on = fields.DateField()
    given_by = fields.CharEnumField(FeedbackGiver, max_length=20)
    occasion = fields.CharEnumField(FeedbackOccasion, max_length=14, default=FeedbackOccasion.ANY_TIME)
    needs_met = fields.SmallIntField()
    communication = fields.SmallIntField()
    stability = fields.SmallIntField()
    comment = fields.TextField(default="")
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="placement_feedback_recorded", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "placement_feedback"
        ordering = ["-given_on", "-id"]
        indexes = (("placement_id", "given_on"), ("given_on",))


class ContractReview(Model):
    """A dated contract review of a provider on a framework, held by the framework's commissioners."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Framework", related_name="contract_reviews", on_delete=fields.CASCADE
    )
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="contract_reviews", on_delete=fields.RESTRICT
    )
    held_on = fields.DateField()
    notes = fields.TextField(default="")
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="contract_reviews_recorded", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contract_review"
        ordering = ["-held_on", "-id"]
        indexes = (("framework_id", "provider_id", "held_on"),)


class ContractReviewAction(Model):
    """An action agreed at a contract review: what, who owns it, when it is due, open or done."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    review: fields.ForeignKeyRelation[ContractReview] = fields.ForeignKeyField(
        "models.ContractReview", related_name="actions", on_delete=fields.CASCADE
    )
    what = fields.TextField()
    owner = fields.CharEnumField(ReviewActionOwner, max_length=14)
    due_on = fields.DateField()
    status = fields.CharEnumField(ReviewActionStatus, max_length=8, default=ReviewActionStatus.OPEN)
    done_on = fields.DateField(null=True)

    class Meta:
        table = "contract_review_action"
        ordering = ["due_on", "id"]
