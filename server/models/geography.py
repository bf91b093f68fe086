"""Postcode districts (outward codes) with their centroids, for distances."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PostcodeDistrict(Model):
    _no_comments = True
    outward_code = fields.CharField(max_length=4, primary_key=True)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    area = fields.CharField(max_length=60, default="")

    class Meta:
        table = "postcode_district"
