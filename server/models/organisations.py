"""Councils (local authorities) and independent providers."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import OfstedJudgement, ProviderSector, ProviderStatus, ProviderType


class Council(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    ons_code = fields.CharField(max_length=9, unique=True, description="ONS local authority code, e.g. E10000016")
    region = fields.CharField(max_length=60)
    district = fields.CharField(max_length=4, description="Postcode district of the council's offices")
    reference_prefix = fields.CharField(
        max_length=3, unique=True, description="Prefix of referral references, e.g. KEN"
    )
    districts = fields.JSONField(default=list, description="Postcode districts inside the council's boundary")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "council"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    provider_type = fields.CharEnumField(ProviderType, max_length=20)
    sector = fields.CharEnumField(ProviderSector, max_length=3, default=ProviderSector.PR4)
    ofsted_urn = fields.CharField(max_length=10, unique=True, description="Ofsted URN of the registration")
    ofsted_judgement = fields.CharEnumField(OfstedJudgement, max_length=24)
    ofsted_judgement_date = fields.DateField(null=True)
    district = fields.CharField(max_length=4, description="Postcode district of the registered office")
    status = fields.CharEnumField(ProviderStatus, max_length=12, default=ProviderStatus.ACTIVE)
    merged_into: fields.ForeignKeyNullableRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="merged_from", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "provider"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderTrackRecord(Model):
    """A provider's record on the exchange, kept by the database itself: triggers on placement and
    broadcast_recipient (server.repositories.track_records) change a provider's row in the transaction of
    every write that changes its placements, its unplanned endings or its answers, however it is written
    (a service, a bulk insert, a merger moving rows). Matching reads these rows instead of counting the
    whole history on every ranking."""

    _no_comments = True
    provider_id = fields.IntField(primary_key=True, generated=False)
    placements = fields.IntField(default=0)
    unplanned_endings = fields.IntField(default=0)
    median_response_hours = fields.FloatField(
        null=True, description="The upper median of the hours from sending a referral to its answer"
    )

    class Meta:
        table = "provider_track_record"
        table_description = "A provider's record on the exchange, kept by the database itself"
