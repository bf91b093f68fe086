"""What providers offer: carer households, children's homes, and vacancies in them.

Capabilities are described in the terms of the placements data standard (the
same words a referral uses) so that matching compares like with like.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import OfstedJudgement, VacancyStatus


class CarerHousehold(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="carer_households", on_delete=fields.RESTRICT
    )
    # The provider's own reference: never a carer's name.
    reference = fields.CharField(max_length=40)
    district = fields.CharField(max_length=4, db_index=True)
    min_age = fields.IntField()
    max_age = fields.IntField()
    approved_places = fields.IntField()
    placement_kinds = fields.JSONField(default=list)
    durations = fields.JSONField(default=list)
    languages = fields.JSONField(default=list)
    communication = fields.JSONField(default=list)
    adaptations = fields.JSONField(default=list)
    has_pets = fields.BooleanField(default=False)
    solo_only = fields.BooleanField(default=False)
    manageable_risks_to_child = fields.JSONField(default=list)
    manageable_risks_to_others = fields.JSONField(default=list)
    specialisms = fields.JSONField(default=list)
    additional_support = fields.JSONField(default=list)
    faiths = fields.JSONField(default=list)
    cultures = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "carer_household"
        unique_together = (("provider", "reference"),)
        indexes = (("is_active", "min_age", "max_age"),)


class ChildrensHome(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="childrens_homes", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=120)
    ofsted_urn = fields.CharField(max_length=10, unique=True)
    beds = fields.IntField()
    min_age = fields.IntField()
    max_age = fields.IntField()
    district = fields.CharField(max_length=4, db_index=True)
    ofsted_judgement = fields.CharEnumField(OfstedJudgement, max_length=24)
    ofsted_judgement_date = fields.DateField(null=True)
    specialisms = fields.JSONField(default=list)
    manageable_risks_to_child = fields.JSONField(default=list)
    manageable_risks_to_others = fields.JSONField(default=list)
    solo_only = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "childrens_home"


class Vacancy(Model):
    """Early notification of a vacancy (HSDS service capacity: available, maximum, unit, updated)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    provider: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Provider", related_name="vacancies", on_delete=fields.RESTRICT
    )
    carer_household: fields.ForeignKeyNullableRelation[CarerHousehold] = fields.ForeignKeyField(
        "models.CarerHousehold", related_name="vacancies", null=True, on_delete=fields.CASCADE
    )
    childrens_home: fields.ForeignKeyNullableRelation[ChildrensHome] = fields.ForeignKeyField(
        "models.ChildrensHome", related_name="vacancies", null=True, on_delete=fields.CASCADE
    )
    places = fields.IntField()
    available_from = fields.DateField()
    available_until = fields.DateField(null=True)
    note = fields.TextField(default="")
    status = fields.CharEnumField(VacancyStatus, max_length=8, default=VacancyStatus.OPEN, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "vacancy"
        ordering = ["-updated_at", "-id"]
        # Matching reads a resource's earliest open vacancy for every candidate it reads; the dashboards a
        # provider's open vacancies (issue 21).
        indexes = (("carer_household_id", "status"), ("childrens_home_id", "status"), ("provider_id", "status"))
