"""The child's identified record: held apart from the anonymised referral, every value sealed at rest.

One ChildRecord per referral (name, date of birth, NHS number, address, school, the allocated social
worker, the council's own child id), its documents, and the trail of who saw what. The sealed columns hold
server.security.sealed tokens, never the plain values; nothing here is ever put in an event, an outbox row,
a log line or a cache (tests/api/test_child_record_stays_off_the_broadcast_path.py).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.domain.vocabulary import ChildDocumentKind, ChildRecordAction

# The record's sealed columns, in the order the council's form asks for them.
SEALED_RECORD_FIELDS = (
    "full_name",
    "date_of_birth",
    "nhs_number",
    "address",
    "school",
    "social_worker_name",
    "social_worker_email",
    "social_worker_phone",
    "council_child_id",
)
SEALED_DOCUMENT_FIELDS = ("file_name", "content")


class ChildRecord(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    referral: fields.OneToOneRelation = fields.OneToOneField(
        "models.Referral", related_name="child_record", on_delete=fields.CASCADE
    )
    full_name = fields.TextField()
    date_of_birth = fields.TextField()
    nhs_number = fields.TextField()
    address = fields.TextField()
    school = fields.TextField()
    social_worker_name = fields.TextField()
    social_worker_email = fields.TextField()
    social_worker_phone = fields.TextField()
    council_child_id = fields.TextField()
    # The council withdrew the chosen provider's access (it cannot be given back: a new record is a new decision).
    access_revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "child_record"
        table_description = "The identified details of the child of a referral, sealed, held apart from it."


class ChildDocument(Model):
    _no_comments = True
    id = fields.IntField(primary_key=True)
    referral: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Referral", related_name="child_documents", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ChildDocumentKind, max_length=16)
    file_name = fields.TextField()
    content = fields.TextField()
    content_type = fields.CharField(max_length=80, description="Read from the bytes, never the uploader's word")
    size_bytes = fields.IntField()
    uploaded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="child_documents", on_delete=fields.RESTRICT
    )
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    # The council marked it anonymised (text passed the anonymisation guard) and shared it with the providers
    # whose offers it shortlisted, before acceptance.
    shared_at = fields.DatetimeField(null=True)

    class Meta:
        table = "child_document"
        ordering = ["uploaded_at", "id"]


class ChildRecordAccess(Model):
    """Who (and which organisation) saw or changed what of a child record, and when: the audit trail of the council."""

    _no_comments = True
    id = fields.BigIntField(primary_key=True)
    referral: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Referral", related_name="child_record_accesses", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="child_record_accesses", on_delete=fields.RESTRICT
    )
    council: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Council", related_name="child_record_accesses", null=True, on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Provider", related_name="child_record_accesses", null=True, on_delete=fields.RESTRICT
    )
    action = fields.CharEnumField(ChildRecordAction, max_length=20)
    document: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ChildDocument", related_name="accesses", null=True, on_delete=fields.SET_NULL
    )
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "child_record_access"
        ordering = ["at", "id"]
        indexes = (("referral_id", "at"),)
