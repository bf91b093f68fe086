"""The child's identified record: the placing council's, shown to the chosen provider once its offer is
accepted, every read audited. Never cached (schema/response_cache.py skips these fields), never broadcast."""

from __future__ import annotations

import base64
from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.enums import ChildDocumentKind, ChildRecordAction
from schema.ids import from_global_id, to_global_id
from schema.permissions import AUTH
from server.services import child_records
from server.services.child_records import AccessEntry, ChildRecordView, DocumentView
from server.services.errors import ServiceError


@strawberry.type(description="A document of the child's record (care plan, placement plan, risk assessment).")
class ReferralDocument:
    id: strawberry.ID
    kind: ChildDocumentKind
    file_name: str
    content_type: str = strawberry.field(description="Read from the file's bytes when it was added.")
    size_bytes: int
    uploaded_at: datetime
    shared_at: datetime | None = strawberry.field(
        description="When the council shared it, marked anonymised, with the providers it shortlisted."
    )

    @classmethod
    def of(cls, view: DocumentView) -> ReferralDocument:
        return cls(
            id=to_global_id("ReferralDocument", view.id),
            kind=view.kind,
            file_name=view.file_name,
            content_type=view.content_type,
            size_bytes=view.size_bytes,
            uploaded_at=view.uploaded_at,
            shared_at=view.shared_at,
        )


@strawberry.type(description="A document's content, for someone who may read the record; the download is audited.")
class ReferralDocumentContent:
    document: ReferralDocument
    content_base64: str


@strawberry.type(description="The child's identified details, held apart from the anonymised referral.")
class ChildRecord:
    referral_id: strawberry.ID
    full_name: str
    date_of_birth: date
    nhs_number: str
    address: str
    school: str
    social_worker_name: str
    social_worker_email: str
    social_worker_phone: str
    council_child_id: str = strawberry.field(description="The council's own id for the child (case system).")
    documents: list[ReferralDocument]
    updated_at: datetime
    access_revoked_at: datetime | None = strawberry.field(
        description="When the council revoked the chosen provider's access; null while it has it."
    )
    provider_access_until: date | None = strawberry.field(
        description="The last day the chosen provider can open it, once the placement has an end date."
    )

    @classmethod
    def of(cls, view: ChildRecordView) -> ChildRecord:
        details = view.details
        return cls(
            referral_id=to_global_id("Referral", view.referral_id),
            full_name=details.full_name,
            date_of_birth=date.fromisoformat(details.date_of_birth),
            nhs_number=details.nhs_number,
            address=details.address,
            school=details.school,
            social_worker_name=details.social_worker_name,
            social_worker_email=details.social_worker_email,
            social_worker_phone=details.social_worker_phone,
            council_child_id=details.council_child_id,
            documents=[ReferralDocument.of(document) for document in view.documents],
            updated_at=view.updated_at,
            access_revoked_at=view.access_revoked_at,
            provider_access_until=view.provider_access_until,
        )


@strawberry.type(description="One row of the access trail: who, of which organisation, did what, when.")
class AccessAuditEntry:
    at: datetime
    action: ChildRecordAction
    user_name: str
    organisation_name: str
    document_id: strawberry.ID | None
    document_name: str | None

    @classmethod
    def of(cls, entry: AccessEntry) -> AccessAuditEntry:
        return cls(
            at=entry.at,
            action=entry.action,
            user_name=entry.user_name,
            organisation_name=entry.organisation_name,
            document_id=to_global_id("ReferralDocument", entry.document_id) if entry.document_id else None,
            document_name=entry.document_name,
        )


@strawberry.type
class ChildRecordQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="The child's identified record: the placing council's placement officers, and the chosen "
        "provider once its offer is accepted (until revoked, or a set time after the placement ends). Every read "
        "is recorded in accessAudit. Null when none was saved, or for anyone else.",
    )
    async def child_record(self, info: Info, referral_id: strawberry.ID) -> ChildRecord | None:
        pk = from_global_id(referral_id, "Referral")
        if pk is None or info.context.actor is None:
            return None
        try:
            view = await child_records.child_record(info.context.actor, pk)
        except ServiceError:
            return None
        return ChildRecord.of(view) if view else None

    @strawberry.field(
        permission_classes=AUTH,
        description="A document of the child's record with its content (base64), for those who may read the "
        "record; the download is recorded in accessAudit. Null for anyone else.",
    )
    async def referral_document(self, info: Info, id: strawberry.ID) -> ReferralDocumentContent | None:
        pk = from_global_id(id, "ReferralDocument")
        if pk is None or info.context.actor is None:
            return None
        try:
            view, content = await child_records.download_document(info.context.actor, pk)
        except ServiceError:
            return None
        return ReferralDocumentContent(
            document=ReferralDocument.of(view), content_base64=base64.b64encode(content).decode()
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="Who saw or changed the child's record and documents, oldest first: the placing council's "
        "placement officers only (others see an empty list).",
    )
    async def access_audit(self, info: Info, referral_id: strawberry.ID) -> list[AccessAuditEntry]:
        pk = from_global_id(referral_id, "Referral")
        if pk is None or info.context.actor is None:
            return []
        try:
            entries = await child_records.access_audit(info.context.actor, pk)
        except ServiceError:
            return []
        return [AccessAuditEntry.of(entry) for entry in entries]

    @strawberry.field(
        permission_classes=AUTH,
        description="Documents the council shared, marked anonymised, with the providers whose offers it "
        "shortlisted (before acceptance): for those providers and the placing council's officers; empty for others.",
    )
    async def shared_documents(self, info: Info, referral_id: strawberry.ID) -> list[ReferralDocument]:
        pk = from_global_id(referral_id, "Referral")
        if pk is None or info.context.actor is None:
            return []
        return [ReferralDocument.of(view) for view in await child_records.shared_documents(info.context.actor, pk)]
