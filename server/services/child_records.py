"""The child's identified record: kept by the placing council, disclosed to the chosen provider alone, audited.

Every value is sealed before it reaches the database (server.security.sealed) and opened only for someone
the policy lets read it; every read, download and change is a row of the access trail the council reads.
Nothing identifying goes into an event, an email, a log line or a cache: events say only that the record
of a referral changed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.child_details import (
    ChildDetails,
    document_problems,
    document_text,
    normalised,
    problems_with,
)
from server.domain.vocabulary import ChildDocumentKind, ChildRecordAction, OfferStatus
from server.models import (
    ChildDocument,
    ChildRecord,
    ChildRecordAccess,
    Council,
    Offer,
    Placement,
    Provider,
    Referral,
    User,
)
from server.models.child_records import SEALED_RECORD_FIELDS
from server.repositories.referrals import referral_by_id
from server.security.sealed import KeyRing, associated_data, ring_for
from server.services.errors import ServiceError, invalid, not_found, wrong_state
from server.services.free_text import identifying_problems
from server.services.unit_of_work import UnitOfWork, unit_of_work
from server.settings import Settings

MAX_FILE_NAME = 200


@dataclass(frozen=True)
class Disclosure:
    """The settings this module runs with: the data key ring and how long the provider keeps access."""

    ring: KeyRing
    days_after_end: int


_disclosure: Disclosure | None = None


def configure(settings: Settings) -> None:
    """The app and the CLI call this at start with their settings."""
    global _disclosure
    _disclosure = Disclosure(ring_for(settings), settings.child_record_access_days_after_end)


def disclosure() -> Disclosure:
    """The configured settings, else the environment's (tests and scripts that build no app)."""
    if _disclosure is None:
        configure(Settings.from_env())
    assert _disclosure is not None
    return _disclosure


@dataclass(frozen=True)
class DocumentView:
    id: int
    referral_id: int
    kind: ChildDocumentKind
    file_name: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime
    shared_at: datetime | None = None


@dataclass(frozen=True)
class ChildRecordView:
    referral_id: int
    details: ChildDetails
    documents: list[DocumentView]
    updated_at: datetime
    access_revoked_at: datetime | None
    provider_access_until: date | None  # a day after the placement's end plus the grace; None while it runs


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    action: ChildRecordAction
    user_name: str
    organisation_name: str
    document_id: int | None
    document_name: str | None


# --- sealing ----------------------------------------------------------------------------


def _record_aad(referral_id: int, column: str) -> bytes:
    return associated_data("child_record", referral_id, column)


def _document_aad(document_id: int, column: str) -> bytes:
    return associated_data("child_document", document_id, column)


def _sealed_details(details: ChildDetails, referral_id: int) -> dict[str, str]:
    ring = disclosure().ring
    return {name: ring.seal(getattr(details, name), _record_aad(referral_id, name)) for name in SEALED_RECORD_FIELDS}


def _opened_details(record: ChildRecord) -> ChildDetails:
    ring = disclosure().ring
    return ChildDetails(
        **{
            name: ring.open_text(getattr(record, name), _record_aad(record.referral_id, name))
            for name in SEALED_RECORD_FIELDS
        }
    )


def _document_view(document: ChildDocument) -> DocumentView:
    return DocumentView(
        id=document.id,
        referral_id=document.referral_id,
        kind=document.kind,
        file_name=disclosure().ring.open_text(document.file_name, _document_aad(document.id, "file_name")),
        content_type=document.content_type,
        size_bytes=document.size_bytes,
        uploaded_at=document.uploaded_at,
        shared_at=document.shared_at,
    )


# --- who may see it -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Held:
    referral: Referral
    placement: Placement | None
    record: ChildRecord | None


async def _held(referral_id: int) -> _Held | None:
    referral = await referral_by_id(referral_id)
    if referral is None:
        return None
    placement = await Placement.get_or_none(referral_id=referral_id)
    record = await ChildRecord.get_or_none(referral_id=referral_id)
    return _Held(referral, placement, record)


def _may_read(actor: Actor, held: _Held) -> bool:
    today = datetime.now(UTC).date()
    return policy.may_read_child_record(
        actor, held.referral, held.placement, held.record, today, disclosure().days_after_end
    )


async def _readable(actor: Actor, referral_id: int) -> _Held:
    held = await _held(referral_id)
    if held is None or not _may_read(actor, held):
        raise not_found("referral", "referralId")
    return held


async def _kept(actor: Actor, referral_id: int) -> _Held:
    held = await _held(referral_id)
    if held is None or not policy.may_keep_child_record(actor, held.referral):
        raise not_found("referral", "referralId")
    return held


def _access_until(held: _Held) -> date | None:
    placement = held.placement
    if placement is None or placement.end_date is None:
        return None
    return placement.end_date + timedelta(days=disclosure().days_after_end)


async def _audit(
    actor: Actor,
    referral_id: int,
    action: ChildRecordAction,
    document_id: int | None = None,
) -> None:
    await ChildRecordAccess.create(
        referral_id=referral_id,
        user_id=actor.user_id,
        council_id=actor.council_id,
        provider_id=actor.provider_id,
        action=action,
        document_id=document_id,
    )


async def _view(held: _Held) -> ChildRecordView:
    assert held.record is not None
    documents = await ChildDocument.filter(referral_id=held.referral.id).order_by("uploaded_at", "id")
    return ChildRecordView(
        referral_id=held.referral.id,
        details=_opened_details(held.record),
        documents=[_document_view(document) for document in documents],
        updated_at=held.record.updated_at,
        access_revoked_at=held.record.access_revoked_at,
        provider_access_until=_access_until(held),
    )


# --- the use cases --------------------------------------------------------------------------


async def child_record(actor: Actor, referral_id: int) -> ChildRecordView | None:
    """The record for someone the policy lets read it (the read is audited); None when none was saved."""
    held = await _readable(actor, referral_id)
    if held.record is None:
        return None
    await _audit(actor, referral_id, ChildRecordAction.RECORD_VIEWED)
    return await _view(held)


async def save_child_record(actor: Actor, referral_id: int, details: ChildDetails) -> ChildRecordView:
    held = await _kept(actor, referral_id)
    details = normalised(details)
    problems = problems_with(details, datetime.now(UTC).date())
    if problems:
        raise ServiceError.many([invalid(problem.field, problem.message) for problem in problems])
    sealed = _sealed_details(details, referral_id)
    for last_try in (False, True):
        try:
            async with unit_of_work() as work:
                if held.record is None:
                    await ChildRecord.create(referral_id=referral_id, **sealed)
                else:
                    await ChildRecord.filter(id=held.record.id).update(updated_at=datetime.now(UTC), **sealed)
                await _audit(actor, referral_id, ChildRecordAction.RECORD_SAVED)
                await _announce(work, held, "childRecord.saved")
            break
        except IntegrityError:
            if held.record is not None or last_try:
                raise
            held = await _kept(actor, referral_id)  # another first save got there first: this one updates it
    held = await _kept(actor, referral_id)
    return await _view(held)


async def add_document(
    actor: Actor,
    referral_id: int,
    *,
    kind: ChildDocumentKind,
    file_name: str,
    content_base64: str,
    content_type: str | None = None,
) -> DocumentView:
    held = await _kept(actor, referral_id)
    if held.record is None:
        raise wrong_state("Save the child's details before adding documents.", "referralId")
    file_name = " ".join(file_name.split())
    problems = []
    if not file_name:
        problems.append(invalid("fileName", "Give the document's file name."))
    elif len(file_name) > MAX_FILE_NAME:
        problems.append(invalid("fileName", f"The file name is at most {MAX_FILE_NAME} characters."))
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        content = None
        problems.append(invalid("contentBase64", "The document's content must be base64."))
    detected = None
    if content is not None:
        detected, found = document_problems(content, content_type)
        problems += [invalid(problem.field, problem.message) for problem in found]
    if problems:
        raise ServiceError.many(problems)
    assert content is not None and detected is not None
    ring = disclosure().ring
    async with unit_of_work() as work:
        document = await ChildDocument.create(
            referral_id=referral_id,
            kind=kind,
            file_name="",
            content="",
            content_type=detected,
            size_bytes=len(content),
            uploaded_by_id=actor.user_id,
        )
        # Sealed once the row has its id: the associated data ties each value to this document.
        document.file_name = ring.seal(file_name, _document_aad(document.id, "file_name"))
        document.content = ring.seal(content, _document_aad(document.id, "content"))
        await document.save(update_fields=["file_name", "content"])
        await _audit(actor, referral_id, ChildRecordAction.DOCUMENT_ADDED, document.id)
        await _announce(work, held, "childRecord.documentAdded")
    return _document_view(document)


async def download_document(actor: Actor, document_id: int) -> tuple[DocumentView, bytes]:
    """A document's bytes for someone who may read the record (the download is audited)."""
    document = await ChildDocument.get_or_none(id=document_id)
    held = await _held(document.referral_id) if document is not None else None
    if document is None or held is None or not (_may_read(actor, held) or await _shared_with(actor, document, held)):
        raise not_found("document", "id")
    content = disclosure().ring.open(document.content, _document_aad(document.id, "content"))
    await _audit(actor, document.referral_id, ChildRecordAction.DOCUMENT_DOWNLOADED, document.id)
    return _document_view(document), content


async def revoke_access(actor: Actor, referral_id: int) -> ChildRecordView:
    """The chosen provider can no longer open the record (the council still can); the same again is a no-op."""
    held = await _kept(actor, referral_id)
    if held.record is None:
        raise wrong_state("No child's details were saved for this referral.", "referralId")
    if held.record.access_revoked_at is None:
        async with unit_of_work() as work:
            await ChildRecord.filter(id=held.record.id, access_revoked_at__isnull=True).update(
                access_revoked_at=datetime.now(UTC)
            )
            await _audit(actor, referral_id, ChildRecordAction.ACCESS_REVOKED)
            await _announce(work, held, "childRecord.accessRevoked")
        held = await _kept(actor, referral_id)
    return await _view(held)


async def access_audit(actor: Actor, referral_id: int) -> list[AccessEntry]:
    """Who saw or changed the record and its documents, oldest first: for the keepers only."""
    await _kept(actor, referral_id)
    rows = await ChildRecordAccess.filter(referral_id=referral_id).order_by("at", "id")
    users = {user.id: user for user in await User.filter(id__in={row.user_id for row in rows})}
    councils = {c.id: c.name for c in await Council.filter(id__in={r.council_id for r in rows if r.council_id})}
    providers = {p.id: p.name for p in await Provider.filter(id__in={r.provider_id for r in rows if r.provider_id})}
    documents = {
        document.id: _document_view(document)
        for document in await ChildDocument.filter(id__in={row.document_id for row in rows if row.document_id})
    }
    return [
        AccessEntry(
            at=row.at,
            action=row.action,
            user_name=users[row.user_id].display_name,
            organisation_name=councils.get(row.council_id or 0) or providers.get(row.provider_id or 0) or "",
            document_id=row.document_id,
            document_name=documents[row.document_id].file_name if row.document_id in documents else None,
        )
        for row in rows
    ]


async def _shortlisted(referral_id: int) -> set[int]:
    rows = await Offer.filter(referral_id=referral_id, status=OfferStatus.SHORTLISTED).values_list(
        "provider_id", flat=True
    )
    return set(rows)


async def _shared_with(actor: Actor, document: ChildDocument, held: _Held) -> bool:
    return policy.may_read_shared_document(actor, document, held.placement, await _shortlisted(held.referral.id))


async def share_documents(
    actor: Actor, referral_id: int, document_ids: list[int], *, marked_anonymised: bool
) -> list[DocumentView]:
    """Share chosen documents, which the council marks anonymised, with the providers whose offers it
    shortlisted, before acceptance. Words that can be read (plain text, Word) and every file name pass the
    anonymisation guard first; what it finds is refused with the document's place in `documentIds`."""
    held = await _kept(actor, referral_id)
    if held.placement is not None:
        raise wrong_state("An offer is accepted: the chosen provider already reads the whole record.", "referralId")
    if not marked_anonymised:
        raise invalid("markedAnonymised", "Confirm that the documents identify nobody before sharing them.")
    if not document_ids:
        raise invalid("documentIds", "Choose the documents to share.")
    documents = {d.id: d for d in await ChildDocument.filter(referral_id=referral_id, id__in=document_ids)}
    problems: list[ServiceError] = []
    ring = disclosure().ring
    for index, document_id in enumerate(document_ids):
        field = f"documentIds.{index}"
        document = documents.get(document_id)
        if document is None:
            problems.append(not_found("document", field))
            continue
        name = ring.open_text(document.file_name, _document_aad(document.id, "file_name"))
        text = document_text(ring.open(document.content, _document_aad(document.id, "content")), document.content_type)
        problems += identifying_problems([(field, name), *([(field, text)] if text is not None else [])])
    if problems:
        raise ServiceError.many(problems)
    now = datetime.now(UTC)
    async with unit_of_work() as work:
        await ChildDocument.filter(id__in=list(documents), shared_at__isnull=True).update(shared_at=now)
        for document_id in documents:
            await _audit(actor, referral_id, ChildRecordAction.DOCUMENT_SHARED, document_id)
        shortlisted = await _shortlisted(referral_id)
        topics = [f"council:{held.referral.council_id}", *(f"provider:{pk}" for pk in sorted(shortlisted))]
        await work.record("childRecord.documentsShared", topics, {"referralId": referral_id, "count": len(documents)})
    return [_document_view(d) for d in await ChildDocument.filter(id__in=list(documents)).order_by("id")]


async def shared_documents(actor: Actor, referral_id: int) -> list[DocumentView]:
    """The documents of a referral shared with shortlisted providers, for one of them or the keepers."""
    held = await _held(referral_id)
    if held is None:
        return []
    shared = await ChildDocument.filter(referral_id=referral_id, shared_at__isnull=False).order_by("uploaded_at", "id")
    if policy.may_keep_child_record(actor, held.referral):
        return [_document_view(d) for d in shared]
    shortlisted = await _shortlisted(referral_id)
    return [_document_view(d) for d in shared if policy.may_read_shared_document(actor, d, held.placement, shortlisted)]


async def _announce(work: UnitOfWork, held: _Held, type_: str) -> None:
    """An event that says only which referral's record changed: never a value of it."""
    topics = [f"council:{held.referral.council_id}", f"referral:{held.referral.id}"]
    if held.placement is not None:
        topics.append(f"provider:{held.placement.provider_id}")
    await work.record(type_, topics, {"referralId": held.referral.id, "reference": held.referral.reference})


# --- key rotation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resealed:
    records: int
    documents: int


BATCH = 100


async def reseal_everything(ring: KeyRing) -> Resealed:
    """Seal every record and document again under the ring's current key (those already under it are left)."""
    records = documents = 0
    last = 0
    while batch := await ChildRecord.filter(id__gt=last).order_by("id").limit(BATCH):
        for record in batch:
            changes = {
                name: ring.reseal(getattr(record, name), _record_aad(record.referral_id, name))
                for name in SEALED_RECORD_FIELDS
            }
            if any(changes[name] != getattr(record, name) for name in changes):
                await ChildRecord.filter(id=record.id).update(**changes)
                records += 1
        last = batch[-1].id
    last = 0
    while batch := await ChildDocument.filter(id__gt=last).order_by("id").limit(BATCH):
        for document in batch:
            changes = {
                name: ring.reseal(getattr(document, name), _document_aad(document.id, name))
                for name in ("file_name", "content")
            }
            if any(changes[name] != getattr(document, name) for name in changes):
                await ChildDocument.filter(id=document.id).update(**changes)
                documents += 1
        last = batch[-1].id
    return Resealed(records, documents)
