"""Data standards in and out, through the API on both databases: referrals exported in the placements data
standard (validated against its entities, fields and options as encoded once in
server.domain.placements_standard) and imported back to the same referral; what cannot be mapped reported by
field; only the referring council's placement officers export, and each export's read of the child's record is
in its access trail."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain import placements_standard as std
from server.domain.child_details import ChildDetails
from server.domain.referral_profile import PROFILE
from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CategoryOfNeed,
    ChildRecordAction,
    CommunicationNeed,
    CulturalNeedsCategory,
    Duration,
    Gender,
    LegalStatus,
    LivingAlongside,
    Need,
    PetsPreference,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
    YesNoNotSpecified,
)
from server.models import ChildRecordAccess, Placement, Referral
from server.services import child_records, data_standards, offers
from server.services.offers import OfferDetails
from tests.api.conftest import Api

EXPORT = """query($r: ID!) { placementsStandardExport(referralId: $r) { document csv } }"""
BULK = """query($s: Date!, $u: Date!) { placementsStandardBulkExport(since: $s, until: $u) { count documents csv } }"""
IMPORT = """mutation($d: JSON!) { importPlacementsStandard(input: {document: $d}) {
  referral { id status reference } unmapped { field value reason } errors { field code message } } }"""

VARIED: list[dict[str, Any]] = [
    {},  # the marketplace's plain referral: nothing said of most of the standard's fields
    dict(
        urgency=Urgency.TODAY,
        siblings_to_place_together=2,
        home_district="ME15",
        risks_to_child=[RiskToChild.SELF_HARM, RiskToChild.GOING_MISSING, RiskToChild.OTHER],
        risk_to_child_other="Climbs out of windows at night",
        risks_to_others=[RiskToOthers.FIRE_SETTING],
        communication_needs=[CommunicationNeed.BSL, CommunicationNeed.MAKATON],
        communication_needs_stated=YesNoNotSpecified.YES,
        cultural_needs_category=CulturalNeedsCategory.REQUIRED,
        cultural_needs="Halal diet; attends mosque on Fridays",
        faith="Muslim",
        languages=["Urdu"],
        living_alongside=LivingAlongside.SOLO_RECOMMENDED,
        pets=PetsPreference.NO,
        additional_support=[AdditionalSupport.THERAPEUTIC_SUPPORT],
        additional_support_hours=6,
        deprivation_of_liberty=True,
        setting_suitability={
            Setting.FOSTER_CARE: Suitability.PREFERRED,
            Setting.RESIDENTIAL_CARE: Suitability.UNSUITABLE,
        },
        needs=[Need.TRAUMA, Need.SELF_HARM],
        legal_status=LegalStatus.C2,
        category_of_need=CategoryOfNeed.N1,
        gender=Gender.MALE,
        age_years=15,
    ),
    dict(
        urgency=Urgency.LATER,
        duration=Duration.SHORT_TERM,
        communication_needs_stated=YesNoNotSpecified.NO,
        cultural_needs_category=CulturalNeedsCategory.OTHER,
        pets=PetsPreference.MUST,
        living_alongside=LivingAlongside.ONLY_YOUNGER,
        adaptations=[Adaptation.WHEELCHAIR_ACCESS, Adaptation.HOIST],
        additional_support=[AdditionalSupport.EXTRA_SUPERVISION, AdditionalSupport.TRANSPORT_TO_SCHOOL],
        additional_support_other="A mentor for weekend football",
        risks_to_others=[RiskToOthers.PHYSICAL_HARM, RiskToOthers.OTHER],
        risk_to_others_other="Damages furniture when upset",
        setting_suitability={
            Setting.FOSTER_CARE: Suitability.SUITABLE,
            Setting.SUPPORTED_ACCOMMODATION: Suitability.PREFERRED,
        },
        category_of_need=CategoryOfNeed.N5,
    ),
    dict(
        additional_support_other="Help to keep a paper round",
        communication_needs=[CommunicationNeed.ESOL],
        cultural_needs_category=CulturalNeedsCategory.NOT_REQUIRED,
        pets=PetsPreference.CAN,
        framework_id=None,
        lot_id=None,
    ),
]


def _details(index: int) -> ChildDetails:
    return ChildDetails(
        full_name="Amelia Rose Thornbury",
        date_of_birth="2013-05-17",
        nhs_number="943 476 5919",
        address="14 Larkfield Close, Maidstone ME14 5QT",
        council_child_id=f"{4200 + index}",
    )


async def _kept(market: Marketplace, referral: Referral, index: int) -> None:
    await child_records.save_child_record(market.actor("kent_officer"), referral.id, _details(index))


async def _export(api: Api, referral_id: int, as_: str = "kent_officer") -> dict[str, Any] | None:
    body = await api(EXPORT, {"r": to_global_id("Referral", referral_id)}, as_=as_)
    assert "errors" not in body, body
    return body["data"]["placementsStandardExport"]


def _same_parts(document: dict[str, Any]) -> dict[str, Any]:
    """What an import must give back: all but the reference of the new draft and what only a placement has."""
    kept = {key: value for key, value in document.items() if key not in ("ActualPlacement",)}
    kept[data_standards.EXTENSION] = {k: v for k, v in document[data_standards.EXTENSION].items() if k != "reference"}
    kept["QualityAssurance"] = {
        k: v for k, v in document["QualityAssurance"].items() if k in ("referralOfficerName", "referralDate")
    }
    return kept


@pytest.mark.parametrize("index", range(len(VARIED)))
async def test_export_is_in_the_standards_shape_and_import_gives_the_same_referral_back(
    api: Api, market: Marketplace, index: int
) -> None:
    referral = await market.referral(publish=index != 3, **VARIED[index])
    await _kept(market, referral, index)

    exported = await _export(api, referral.id)
    assert exported is not None
    document = exported["document"]
    assert std.option_problems(document) == []
    assert document["PlacementAvailability"]["childId"] == 4200 + index
    rows = list(csv.reader(io.StringIO(exported["csv"])))
    assert rows[0] == std.columns() and len(rows) == 2

    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    imported = body["data"]["importPlacementsStandard"]
    assert imported["errors"] == [] and imported["referral"]["status"] == "DRAFT"
    assert [u["field"] for u in imported["unmapped"]] == ["PlacementAvailability.childId"]
    copy = await Referral.get(reference=imported["referral"]["reference"])
    assert copy.id != referral.id and copy.council_id == referral.council_id
    for field in PROFILE:
        if (
            field.name == "communication_needs_stated"
            and getattr(referral, field.name) is YesNoNotSpecified.NOT_SPECIFIED
        ):
            continue  # "Not Specified" with needs named is exported (and imported) as "Y"
        assert getattr(copy, field.name) == getattr(referral, field.name), field.name

    await _kept(market, copy, index)
    again = await _export(api, copy.id)
    assert again is not None and _same_parts(again["document"]) == _same_parts(document)


async def test_a_placed_referral_exports_its_placement_and_the_import_reports_it(api: Api, market: Marketplace) -> None:
    referral = await market.referral(siblings_to_place_together=1)
    await _kept(market, referral, 9)
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced with teenagers; near the school.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    details = data_standards.PlacementStandardDetails(
        education_continuity=True, placement_officer_name="Sam Placer", cost_officer_name="Kit Costing"
    )
    await data_standards.record_placement_details(market.actor("kent_officer"), placement.id, details)

    document = (await _export(api, referral.id))["document"]

    assert std.option_problems(document) == []
    actual = document["ActualPlacement"]
    assert actual == {
        "totalWeeklyCost": round(placement.weekly_fee_pence / 100),
        "placementLocation": "ME16",
        "preferabilityLocation": True,  # within the referral's 30 miles
        "educationContinuity": True,
        "providerURN": "SC900001",
        "siblingsPlacedTogether": 1,
        "placementType": "Foster",
    }
    quality = document["QualityAssurance"]
    assert quality["placementOfficerName"] == "Sam Placer" and quality["costOfficerName"] == "Kit Costing"
    assert quality["placementDate"] == placement.start_date.isoformat()

    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    imported = body["data"]["importPlacementsStandard"]
    assert imported["errors"] == []
    reported = {u["field"] for u in imported["unmapped"]}
    assert {f"ActualPlacement.{f}" for f in std.ENTITIES["ActualPlacement"]} <= reported
    assert {"QualityAssurance.placementOfficerName", "QualityAssurance.costDate"} <= reported


async def test_a_document_from_elsewhere_imports_what_maps_and_reports_the_rest(api: Api, market: Marketplace) -> None:
    document = {
        "PlacementAvailability": {
            "childId": 77,
            "neededBy": "tomorrow",
            "siblingCount": 1,
            "preferredLocation": "ME14",
        },
        "PlacementRequirements": {
            "communicationNeeds": "Y",
            "specificCommunicationRequirements": ["BSL", "Semaphore"],
            "homeAdaptation": True,
            "culturalNeeds": "Not Known",
            "livingCompanions": "No preference",
            "pets": "Yes - can",
            "additionalSupport": "other (please specify)",
            "deprivationOfLiberty": False,
        },
        "PlacementRecommendation": {
            "fosterCareSuitability": "Preferred",
            "residentialCareSuitability": "Unsuitable",
            "supportedAccommodationSuitability": "Not specified",
        },
        "Risks": {"riskMissing": "Risk Present", "riskOther": "Leaves school at lunchtime"},
        "QualityAssurance": {"referralOfficerName": "Robin Referrer", "referralDate": "2026-11-30"},
        data_standards.EXTENSION: {"ageYears": 11, "gender": "female", "duration": "long_term"},
    }
    before = await Referral.all().count()

    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    refused = body["data"]["importPlacementsStandard"]
    # neededBy did not map, so the draft has no urgency nor a required-by from it: refused by field, nothing stored.
    assert refused["referral"] is None
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("PlacementAvailability.neededBy", "REQUIRED"),
        (f"{data_standards.EXTENSION}.requiredBy", "REQUIRED"),
    }
    assert await Referral.all().count() == before

    document["PlacementAvailability"]["neededBy"] = "in less than 5 days"  # and the required-by follows it
    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    imported = body["data"]["importPlacementsStandard"]
    assert imported["errors"] == []
    assert {u["field"] for u in imported["unmapped"]} == {
        "PlacementAvailability.childId",
        "PlacementRequirements.specificCommunicationRequirements",
        "PlacementRequirements.homeAdaptation",
        "PlacementRequirements.additionalSupport",
    }
    draft = await Referral.get(reference=imported["referral"]["reference"])
    assert draft.placement_kind.value == "core_fostering"  # foster care preferred
    assert draft.urgency is Urgency.WITHIN_5_DAYS and draft.communication_needs == ["bsl"]
    assert timedelta(days=4) < draft.required_by - datetime.now(UTC) <= timedelta(days=5)
    assert (
        draft.risks_to_child == ["going_missing", "other"] and draft.risk_to_child_other == "Leaves school at lunchtime"
    )
    assert draft.referral_officer_name == "Robin Referrer" and draft.referral_date.isoformat() == "2026-11-30"
    assert draft.setting_suitability == {"foster_care": "preferred", "residential_care": "unsuitable"}


async def test_identifying_words_in_an_imported_text_are_refused_by_field(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    document = (await _export(api, referral.id))["document"]
    document["Risks"]["riskOther"] = "Her mother Kerry Jones visits"
    before = await Referral.all().count()
    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    errors = body["data"]["importPlacementsStandard"]["errors"]
    assert any(e["code"] == "IDENTIFYING_DETAILS" and e["field"] == "riskToChildOther" for e in errors), errors
    assert await Referral.all().count() == before
    body = await api(IMPORT, {"d": ["not", "a", "referral"]}, as_="kent_officer")
    assert body["data"]["importPlacementsStandard"]["errors"][0]["field"] == "document"
    document["Risks"]["riskOther"] = "Runs off\x07"
    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    assert body["data"]["importPlacementsStandard"]["errors"][0]["field"] == "Risks.riskOther"
    document["Risks"]["riskOther"] = None
    document["placementExchange"]["summary"] = "x" * 4001
    body = await api(IMPORT, {"d": document}, as_="kent_officer")
    assert body["data"]["importPlacementsStandard"]["errors"][0]["field"] == "placementExchange.summary"
    assert await Referral.all().count() == before


async def test_only_the_referring_councils_placement_officers_export_and_each_read_is_audited(
    api: Api, market: Marketplace
) -> None:
    referral = await market.referral()
    await _kept(market, referral, 1)
    for who in ("kent_commissioner", "medway_officer", "harbour", "admin"):
        assert await _export(api, referral.id, as_=who) is None, who
    viewed = ChildRecordAccess.filter(referral_id=referral.id, action=ChildRecordAction.RECORD_VIEWED)
    assert await viewed.count() == 0
    assert await _export(api, referral.id) is not None
    assert await viewed.count() == 1


async def test_the_bulk_export_holds_the_councils_referrals_of_the_range(api: Api, market: Marketplace) -> None:
    kent = [await market.referral(), await market.referral(urgency=Urgency.TODAY)]
    await market.referral("medway_officer")
    today = datetime.now(UTC).date()
    body = await api(BULK, {"s": today.isoformat(), "u": today.isoformat()}, as_="kent_officer")
    bulk = body["data"]["placementsStandardBulkExport"]
    assert bulk["count"] == 2
    assert [d[data_standards.EXTENSION]["reference"] for d in bulk["documents"]] == [r.reference for r in kent]
    assert all(std.option_problems(d) == [] for d in bulk["documents"])
    assert len(list(csv.reader(io.StringIO(bulk["csv"])))) == 3
    yesterday = (today - timedelta(days=1)).isoformat()
    body = await api(BULK, {"s": yesterday, "u": yesterday}, as_="kent_officer")
    assert body["data"]["placementsStandardBulkExport"]["count"] == 0
    body = await api(BULK, {"s": today.isoformat(), "u": yesterday}, as_="kent_officer")
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "until"}
    body = await api(BULK, {"s": today.isoformat(), "u": today.isoformat()}, as_="kent_commissioner")
    assert body["data"]["placementsStandardBulkExport"] is None
    assert await Placement.all().count() == 0
