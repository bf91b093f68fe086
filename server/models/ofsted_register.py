"""Ofsted's register of children's social care providers, as last imported: the source of a provider's or a
children's home's judgement and inspection date."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import OfstedJudgement


class OfstedRegisterEntry(Model):
    """One URN's row of Ofsted's published data, as the last import read it (`imported_on`: when it last
    changed). `judgement` is empty where the inspection was not judged."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    urn = fields.CharField(max_length=10, unique=True)
    provider_type = fields.CharField(max_length=80, default="")
    setting_name = fields.CharField(max_length=160, default="")
    local_authority = fields.CharField(max_length=80, default="")
    inspection_date = fields.DateField(null=True)
    inspection_type = fields.CharField(max_length=80, default="")
    judgement = fields.CharEnumField(OfstedJudgement, max_length=24, null=True)
    imported_on = fields.DateField()

    class Meta:
        table = "ofsted_register_entry"
        ordering = ["urn"]
