"""The child's identified record: saved, given documents and its provider access revoked by the placing council."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import ChildDocumentKind
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.child_records import ChildRecord, ReferralDocument
from server.domain import vocabulary as v
from server.domain.child_details import ChildDetails
from server.services import child_records


@strawberry.input(description="The child's identified details: sealed at rest, never sent to any provider but "
                  "the chosen one, after acceptance.")  # fmt: skip
class SaveChildRecordInput:
    referral_id: strawberry.ID
    full_name: str
    date_of_birth: date
    nhs_number: str = strawberry.field(description="10 digits; the last is the modulus 11 check digit.")
    address: str = ""
    school: str = ""
    social_worker_name: str = ""
    social_worker_email: str = ""
    social_worker_phone: str = ""
    council_child_id: str = strawberry.field(default="", description="The council's own id for the child.")


@strawberry.input(description="A document of the child's record. Its type is read from its bytes: PDF, DOCX, "
                  "PNG, JPEG or plain text, at most 700 KiB.")  # fmt: skip
class AddReferralDocumentInput:
    referral_id: strawberry.ID
    kind: ChildDocumentKind
    file_name: str
    content_base64: str
    content_type: str | None = strawberry.field(
        default=None, description="What the uploader says it is; refused if the bytes say otherwise."
    )


@strawberry.input
class RevokeChildRecordAccessInput:
    referral_id: strawberry.ID


@strawberry.input(description="Share documents of the child's record with the providers whose offers are "
                  "shortlisted, before acceptance.")  # fmt: skip
class ShareDocumentsInput:
    referral_id: strawberry.ID
    document_ids: list[strawberry.ID]
    marked_anonymised: bool = strawberry.field(
        description="The council confirms the documents identify nobody; plain-text and Word documents and every "
        "file name also pass the anonymisation guard."
    )


@strawberry.type
class ShareDocumentsPayload:
    documents: list[ReferralDocument] | None
    errors: list[UserError]


@strawberry.type
class ChildRecordPayload:
    child_record: ChildRecord | None
    errors: list[UserError]


@strawberry.type
class ReferralDocumentPayload:
    document: ReferralDocument | None
    errors: list[UserError]


def _referral(value: strawberry.ID) -> int:
    return from_global_id(value, "Referral") or 0


@strawberry.type
class ChildRecordMutations:
    @strawberry.mutation(description="Save the child's identified details (placing council's placement officers).")
    async def save_child_record(self, info: Info, input: SaveChildRecordInput) -> ChildRecordPayload:
        details = ChildDetails(
            full_name=input.full_name,
            date_of_birth=input.date_of_birth.isoformat(),
            nhs_number=input.nhs_number,
            address=input.address,
            school=input.school,
            social_worker_name=input.social_worker_name,
            social_worker_email=input.social_worker_email,
            social_worker_phone=input.social_worker_phone,
            council_child_id=input.council_child_id,
        )
        view, errors = await attempt(
            info.context.actor,
            lambda actor: child_records.save_child_record(actor, _referral(input.referral_id), details),
        )
        return ChildRecordPayload(child_record=ChildRecord.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="Add a document (care plan, placement plan, risk assessment) to the record.")
    async def add_referral_document(self, info: Info, input: AddReferralDocumentInput) -> ReferralDocumentPayload:
        view, errors = await attempt(
            info.context.actor,
            lambda actor: child_records.add_document(
                actor,
                _referral(input.referral_id),
                kind=v.ChildDocumentKind(input.kind),
                file_name=input.file_name,
                content_base64=input.content_base64,
                content_type=input.content_type,
            ),
        )
        return ReferralDocumentPayload(document=ReferralDocument.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="The chosen provider can no longer open the child's record. Cannot be undone.")
    async def revoke_child_record_access(self, info: Info, input: RevokeChildRecordAccessInput) -> ChildRecordPayload:
        view, errors = await attempt(
            info.context.actor, lambda actor: child_records.revoke_access(actor, _referral(input.referral_id))
        )
        return ChildRecordPayload(child_record=ChildRecord.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="Share chosen documents, marked anonymised, with the shortlisted providers.")
    async def share_documents(self, info: Info, input: ShareDocumentsInput) -> ShareDocumentsPayload:
        ids = [from_global_id(value, "ReferralDocument") or 0 for value in input.document_ids]
        views, errors = await attempt(
            info.context.actor,
            lambda actor: child_records.share_documents(
                actor, _referral(input.referral_id), ids, marked_anonymised=input.marked_anonymised
            ),
        )
        return ShareDocumentsPayload(
            documents=[ReferralDocument.of(view) for view in views] if views is not None else None, errors=errors
        )
