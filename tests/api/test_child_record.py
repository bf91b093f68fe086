"""The child's identified record through the API: saved by the placing council, sealed at rest, read by the
chosen provider alone after acceptance, every read audited, revocable, and gone a set time after the end."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import ReasonPlacementChanged
from server.models import ChildRecordAccess, Placement, Referral
from server.services import child_records, offers, placements
from server.services.offers import OfferDetails
from server.settings import Settings
from tests.api.conftest import Api

SAVE = """mutation($input: SaveChildRecordInput!) { saveChildRecord(input: $input) {
  childRecord { referralId fullName dateOfBirth nhsNumber address school socialWorkerName socialWorkerEmail
                socialWorkerPhone councilChildId documents { id fileName } accessRevokedAt }
  errors { field code message } } }"""
ADD = """mutation($input: AddReferralDocumentInput!) { addReferralDocument(input: $input) {
  document { id kind fileName contentType sizeBytes } errors { field code message } } }"""
REVOKE = """mutation($input: RevokeChildRecordAccessInput!) { revokeChildRecordAccess(input: $input) {
  childRecord { accessRevokedAt } errors { field code message } } }"""
RECORD = """query($id: ID!) { childRecord(referralId: $id) { fullName nhsNumber dateOfBirth councilChildId
  providerAccessUntil documents { id fileName contentType } } }"""
DOWNLOAD = "query($id: ID!) { referralDocument(id: $id) { document { fileName } contentBase64 } }"
AUDIT = "query($id: ID!) { accessAudit(referralId: $id) { action userName organisationName documentName } }"

CHILD = {
    "fullName": "Amelia Rose Thornbury",
    "dateOfBirth": "2013-05-17",
    "nhsNumber": "943 476 5919",
    "address": "14 Larkfield Close, Maidstone ME14 5QT",
    "school": "Invicta Grammar School",
    "socialWorkerName": "Priya Raman",
    "socialWorkerEmail": "priya.raman@kent.gov.uk",
    "socialWorkerPhone": "03000 414141",
    "councilChildId": "KCC-CHILD-778812",
}
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


async def _placed(market: Marketplace, provider: str = "harbour") -> tuple[Referral, str]:
    """A Kent referral sent to Harbour and Oakleaf, both offering; `provider`'s offer not yet accepted."""
    referral = await market.referral(max_distance_miles=60)
    made = {}
    for key in ("harbour", "oakleaf"):
        made[key] = await offers.submit_offer(
            market.actor(key),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households[key],
                start_date=datetime.now(UTC).date() + timedelta(days=2),
                matching_statement="Experienced with teenagers; settled household.",
            ),
        )
    return referral, made[provider].id


async def _save(api: Api, referral_id: str, **changes: str) -> dict:
    body = await api(SAVE, {"input": {"referralId": referral_id, **CHILD, **changes}}, as_="kent_officer")
    return body["data"]["saveChildRecord"]


async def _record(api: Api, referral_id: str, who: str) -> dict | None:
    body = await api(RECORD, {"id": referral_id}, as_=who)
    assert not body.get("errors"), body
    return body["data"]["childRecord"]


async def test_the_chosen_provider_alone_reads_the_record_after_acceptance(api: Api, market: Marketplace) -> None:
    referral, harbours = await _placed(market)
    rid = to_global_id("Referral", referral.id)
    saved = await _save(api, rid)
    assert saved["errors"] == [] and saved["childRecord"]["fullName"] == CHILD["fullName"]
    added = await api(
        ADD,
        {"input": {"referralId": rid, "kind": "CARE_PLAN", "fileName": "Care plan.pdf", "contentBase64": b64(PDF)}},
        as_="kent_officer",
    )
    document = added["data"]["addReferralDocument"]
    assert document["errors"] == [] and document["document"]["contentType"] == "application/pdf"

    # Before acceptance: only the placing council's officers.
    everyone = ("harbour", "oakleaf", "northdowns", "medway_officer", "kent_commissioner", "admin")
    for who in everyone:
        assert await _record(api, rid, who) is None, who
    assert (await _record(api, rid, "kent_officer"))["nhsNumber"] == "943 476 5919"

    await offers.accept_offer(market.actor("kent_officer"), harbours)
    seen = await _record(api, rid, "harbour")
    assert seen["fullName"] == CHILD["fullName"] and seen["councilChildId"] == CHILD["councilChildId"]
    for who in everyone[1:]:
        assert await _record(api, rid, who) is None, who
    download = await api(DOWNLOAD, {"id": document["document"]["id"]}, as_="harbour")
    assert base64.b64decode(download["data"]["referralDocument"]["contentBase64"]) == PDF
    for who in everyone[1:]:
        refused = await api(DOWNLOAD, {"id": document["document"]["id"]}, as_=who)
        assert refused == {"data": {"referralDocument": None}}, who

    trail = (await api(AUDIT, {"id": rid}, as_="kent_officer"))["data"]["accessAudit"]
    assert {"action": "RECORD_VIEWED", "userName": "Harbour Fostering (test) duty desk",
            "organisationName": "Harbour Fostering (test)", "documentName": None} in trail  # fmt: skip
    assert {"action": "DOCUMENT_DOWNLOADED", "userName": "Harbour Fostering (test) duty desk",
            "organisationName": "Harbour Fostering (test)", "documentName": "Care plan.pdf"} in trail  # fmt: skip
    assert trail[0]["action"] == "RECORD_SAVED" and trail[0]["organisationName"] == "Kent County Council"
    for who in ("harbour", "kent_commissioner", "medway_officer", "admin"):
        assert (await api(AUDIT, {"id": rid}, as_=who))["data"]["accessAudit"] == [], who

    revoked = await api(REVOKE, {"input": {"referralId": rid}}, as_="kent_officer")
    assert revoked["data"]["revokeChildRecordAccess"]["errors"] == []
    assert await _record(api, rid, "harbour") is None
    assert (await api(DOWNLOAD, {"id": document["document"]["id"]}, as_="harbour"))["data"]["referralDocument"] is None
    assert (await _record(api, rid, "kent_officer"))["fullName"] == CHILD["fullName"]
    trail = (await api(AUDIT, {"id": rid}, as_="kent_officer"))["data"]["accessAudit"]
    assert trail[-2]["action"] == "ACCESS_REVOKED"


async def test_denied_looks_like_a_referral_that_does_not_exist(api: Api, market: Marketplace) -> None:
    referral, _ = await _placed(market)
    rid, missing = to_global_id("Referral", referral.id), to_global_id("Referral", 999_999)
    for document in (SAVE, REVOKE):
        name = "saveChildRecord" if document is SAVE else "revokeChildRecordAccess"
        variables = {"referralId": rid, **CHILD} if document is SAVE else {"referralId": rid}
        for who in ("harbour", "medway_officer", "kent_commissioner", "admin"):
            refused = await api(document, {"input": variables}, as_=who)
            absent = await api(document, {"input": {**variables, "referralId": missing}}, as_=who)
            assert refused == absent, who
            assert refused["data"][name]["errors"] == [
                {"field": "referralId", "code": "NOT_FOUND", "message": "No referral with that id."}
            ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nhsNumber": "943 476 5918"}, "nhsNumber"),
        ({"nhsNumber": "12345"}, "nhsNumber"),
        ({"fullName": "  "}, "fullName"),
        ({"dateOfBirth": (datetime.now(UTC).date() + timedelta(days=1)).isoformat()}, "dateOfBirth"),
        ({"dateOfBirth": "1960-01-01"}, "dateOfBirth"),
        ({"socialWorkerEmail": "priya at kent"}, "socialWorkerEmail"),
        ({"socialWorkerPhone": "12"}, "socialWorkerPhone"),
        ({"address": "x" * 401}, "address"),
        ({"councilChildId": "x" * 41}, "councilChildId"),
    ],
)
async def test_bad_details_are_refused_naming_the_field(
    api: Api, market: Marketplace, changes: dict, field: str
) -> None:
    referral = await market.referral()
    refused = await _save(api, to_global_id("Referral", referral.id), **changes)
    assert refused["childRecord"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(field, "INVALID")], refused


@pytest.mark.parametrize(
    ("content", "declared", "field"),
    [
        (PNG, "application/pdf", "contentType"),  # the bytes say PNG, whatever the uploader claims
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", None, "contentBase64"),  # a Windows program
        (b"PK\x03\x04not really a zip", None, "contentBase64"),
        (b"", None, "contentBase64"),
        (b"%PDF-" + b"0" * (700 * 1024), None, "contentBase64"),  # over 700 KiB
    ],
)
async def test_a_document_is_what_its_bytes_say_and_small_enough(
    api: Api, market: Marketplace, content: bytes, declared: str | None, field: str
) -> None:
    referral = await market.referral()
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    document = {"referralId": rid, "kind": "RISK_ASSESSMENT", "fileName": "risk.pdf", "contentBase64": b64(content)}
    if declared:
        document["contentType"] = declared
    refused = (await api(ADD, {"input": document}, as_="kent_officer"))["data"]["addReferralDocument"]
    assert refused["document"] is None and [e["field"] for e in refused["errors"]] == [field], refused


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
     (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
     (b"Placement plan: weekly contact on Saturdays.\n", "text/plain")],
)  # fmt: skip
async def test_each_kind_of_document_councils_exchange_is_taken(
    api: Api, market: Marketplace, content: bytes, kind: str
) -> None:
    referral = await market.referral()
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    document = {"referralId": rid, "kind": "OTHER", "fileName": "plan", "contentBase64": b64(content)}
    added = (await api(ADD, {"input": document}, as_="kent_officer"))["data"]["addReferralDocument"]
    assert added["errors"] == [] and added["document"]["contentType"] == kind


async def test_a_document_needs_the_record_saved_first(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    document = {"referralId": to_global_id("Referral", referral.id), "kind": "CARE_PLAN", "fileName": "plan.pdf",
                "contentBase64": b64(PDF)}  # fmt: skip
    refused = (await api(ADD, {"input": document}, as_="kent_officer"))["data"]["addReferralDocument"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("referralId", "WRONG_STATE")]


async def test_access_ends_a_set_time_after_the_placement_ends(api: Api, market: Marketplace) -> None:
    referral, harbours = await _placed(market)
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    placement = await offers.accept_offer(market.actor("kent_officer"), harbours)
    today = datetime.now(UTC).date()
    # The placement started 90 days ago and ended 30 days ago: the last day of access (30 days on) is today.
    await Placement.filter(id=placement.id).update(start_date=today - timedelta(days=90))
    await placements.end_placement(
        market.actor("kent_officer"),
        placement.id,
        end_date=today - timedelta(days=30),
        reason=ReasonPlacementChanged.CARPL,
        planned=True,
        notice_given_on=today - timedelta(days=60),
    )
    seen = await _record(api, rid, "harbour")
    assert seen is not None and seen["providerAccessUntil"] == today.isoformat()
    await Placement.filter(id=placement.id).update(end_date=today - timedelta(days=31))
    assert await _record(api, rid, "harbour") is None
    assert await _record(api, rid, "kent_officer") is not None


async def test_the_values_are_sealed_in_the_database_and_tied_to_their_row(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    connection = connections.get("default")
    _, rows = await connection.execute_query("SELECT * FROM child_record")
    stored = " ".join(str(value) for value in dict(rows[0]).values())
    for value in CHILD.values():
        assert value not in stored
    assert dict(rows[0])["nhs_number"].startswith("pe1:")
    # A sealed value moved to another column does not open.
    await connection.execute_query(
        "UPDATE child_record SET full_name = nhs_number WHERE referral_id = ?"
        if connection.capabilities.dialect == "sqlite"
        else "UPDATE child_record SET full_name = nhs_number WHERE referral_id = $1",
        [referral.id],
    )
    from server.security.sealed import SealError

    with pytest.raises(SealError):
        await child_records.child_record(market.actor("kent_officer"), referral.id)


async def test_reads_of_the_record_are_never_answered_from_the_response_cache(api: Api, market: Marketplace) -> None:
    from tests.api.test_response_cache import _cache

    referral, harbours = await _placed(market)
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    await offers.accept_offer(market.actor("kent_officer"), harbours)
    for _ in range(3):
        assert (await _record(api, rid, "harbour"))["fullName"] == CHILD["fullName"]
        assert (await api(AUDIT, {"id": rid}, as_="kent_officer"))["data"]["accessAudit"]
    views = await ChildRecordAccess.filter(referral_id=referral.id, provider_id=market.providers["harbour"].id)
    assert len(views) == 3  # every read reached the service and was audited
    kept = b"".join(answer.body for answer in _cache(api)._answers.values())
    for value in CHILD.values():
        assert value.encode() not in kept


def test_production_needs_a_data_key_and_refuses_a_bad_one() -> None:
    from server.settings import SettingsError

    production = {"APP_ENV": "production", "SECRET_KEY": "s" * 40}
    with pytest.raises(SettingsError, match="DATA_ENCRYPTION_KEY is required"):
        Settings.from_env(production)
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(SettingsError, match="DATA_ENCRYPTION_KEY must be 32") as refused:
            Settings.from_env({**production, "DATA_ENCRYPTION_KEY": bad})
        assert bad not in str(refused.value)
    key = base64.b64encode(b"k" * 32).decode()
    settings = Settings.from_env({**production, "DATA_ENCRYPTION_KEY": key})
    assert settings.data_encryption_key == b"k" * 32 and key not in repr(settings) and "k" * 32 not in repr(settings)


SHARE = """mutation($input: ShareDocumentsInput!) { shareDocuments(input: $input) {
  documents { id fileName sharedAt } errors { field code message span { start end } } } }"""
SHARED = "query($id: ID!) { sharedDocuments(referralId: $id) { id fileName } }"


def docx_saying(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml", f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        )
    return buffer.getvalue()


async def _document(api: Api, rid: str, name: str, content: bytes) -> str:
    document = {"referralId": rid, "kind": "OTHER", "fileName": name, "contentBase64": b64(content)}
    added = (await api(ADD, {"input": document}, as_="kent_officer"))["data"]["addReferralDocument"]
    assert added["errors"] == [], added
    return added["document"]["id"]


async def test_anonymised_documents_are_shared_with_shortlisted_providers_alone_before_acceptance(
    api: Api, market: Marketplace
) -> None:
    referral, harbours = await _placed(market)
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    plan = await _document(api, rid, "Behaviour support plan.txt", b"Responds well to routine; likes football.\n")
    private = await _document(api, rid, "Care plan.pdf", PDF)
    await offers.shortlist_offer(market.actor("kent_officer"), harbours)

    unmarked = (await api(SHARE, {"input": {"referralId": rid, "documentIds": [plan], "markedAnonymised": False}},
                          as_="kent_officer"))["data"]["shareDocuments"]  # fmt: skip
    assert [(e["field"], e["code"]) for e in unmarked["errors"]] == [("markedAnonymised", "INVALID")]
    shared = await api(SHARE, {"input": {"referralId": rid, "documentIds": [plan], "markedAnonymised": True}},
                       as_="kent_officer")  # fmt: skip
    assert shared["data"]["shareDocuments"]["errors"] == []
    assert shared["data"]["shareDocuments"]["documents"][0]["sharedAt"]

    expected = [{"id": plan, "fileName": "Behaviour support plan.txt"}]
    assert (await api(SHARED, {"id": rid}, as_="harbour"))["data"]["sharedDocuments"] == expected
    assert (await api(SHARED, {"id": rid}, as_="kent_officer"))["data"]["sharedDocuments"] == expected
    for who in ("oakleaf", "northdowns", "medway_officer", "admin"):  # Oakleaf offered, but is not shortlisted
        assert (await api(SHARED, {"id": rid}, as_=who))["data"]["sharedDocuments"] == [], who
        assert (await api(DOWNLOAD, {"id": plan}, as_=who))["data"]["referralDocument"] is None, who
    assert (await api(DOWNLOAD, {"id": private}, as_="harbour"))["data"]["referralDocument"] is None
    assert await _record(api, rid, "harbour") is None  # the identified record still waits for acceptance
    downloaded = (await api(DOWNLOAD, {"id": plan}, as_="harbour"))["data"]["referralDocument"]
    assert base64.b64decode(downloaded["contentBase64"]).startswith(b"Responds well")
    trail = (await api(AUDIT, {"id": rid}, as_="kent_officer"))["data"]["accessAudit"]
    assert {"action": "DOCUMENT_SHARED", "userName": "Kent Officer", "organisationName": "Kent County Council",
            "documentName": "Behaviour support plan.txt"} in trail  # fmt: skip
    assert {"action": "DOCUMENT_DOWNLOADED", "userName": "Harbour Fostering (test) duty desk",
            "organisationName": "Harbour Fostering (test)", "documentName": "Behaviour support plan.txt"} in trail  # fmt: skip

    await offers.accept_offer(market.actor("kent_officer"), harbours)
    late = await api(SHARE, {"input": {"referralId": rid, "documentIds": [private], "markedAnonymised": True}},
                     as_="kent_officer")  # fmt: skip
    assert [(e["field"], e["code"]) for e in late["data"]["shareDocuments"]["errors"]] == [
        ("referralId", "WRONG_STATE")
    ]


async def test_shared_text_passes_the_anonymisation_guard(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    rid = to_global_id("Referral", referral.id)
    assert (await _save(api, rid))["errors"] == []
    clean = await _document(api, rid, "Routine.txt", b"Bedtime at nine; walks to school.\n")
    named = await _document(api, rid, "Contact.txt", b"Contact with her mother Kerry Jones on Sundays.\n")
    word = await _document(api, rid, "Plan.docx", docx_saying("Her school is Invicta Grammar School."))
    titled = await _document(api, rid, "Jack Smith care plan.pdf", PDF)
    refused = (await api(SHARE, {"input": {"referralId": rid, "documentIds": [clean, named, word, titled],
                                           "markedAnonymised": True}}, as_="kent_officer"))["data"]["shareDocuments"]  # fmt: skip
    assert refused["documents"] is None
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("documentIds.1", "IDENTIFYING_DETAILS"),
        ("documentIds.2", "IDENTIFYING_DETAILS"),
        ("documentIds.3", "IDENTIFYING_DETAILS"),
    }
    assert (await api(SHARED, {"id": rid}, as_="kent_officer"))["data"]["sharedDocuments"] == []
    other = await market.referral()
    foreign = (await api(SHARE, {"input": {"referralId": to_global_id("Referral", other.id), "documentIds": [clean],
                                           "markedAnonymised": True}}, as_="kent_officer"))["data"]["shareDocuments"]  # fmt: skip
    assert [(e["field"], e["code"]) for e in foreign["errors"]] in (
        [("referralId", "WRONG_STATE")],
        [("documentIds.0", "NOT_FOUND")],
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHILD_RECORD_ACCESS_DAYS_AFTER_END", "-1"),
        ("CHILD_RECORD_ACCESS_DAYS_AFTER_END", "a month"),
        ("DATA_ENCRYPTION_KEYS_OLD", "c2hvcnQ="),
    ],
)
def test_bad_child_record_settings_name_the_variable(name: str, value: str) -> None:
    from server.settings import SettingsError

    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


async def test_two_first_saves_at_once_make_one_record(api: Api, market: Marketplace) -> None:
    """Two officers save a child's details for the first time together: one record, both saves answered."""
    import asyncio

    referral = await market.referral()
    referral_id = to_global_id("Referral", referral.id)
    first, second = await asyncio.gather(_save(api, referral_id), _save(api, referral_id, school="Maidstone Grammar"))
    assert first["errors"] == [] and second["errors"] == [], (first, second)
    from server.models import ChildRecord

    assert await ChildRecord.filter(referral_id=referral.id).count() == 1
