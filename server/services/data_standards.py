"""The placements data standard in and out: a referral and its placement exported in the standard's shape
(per referral, or in bulk for a date range, as JSON or CSV), and a referral in that shape imported as a draft.

The child's id in an export is the council's own id for the child, read from the child's identified record
through server.services.child_records (so each read is in the record's access trail): only the referring
council's placement officers export. Beside the standard's six entities an export carries `placementExchange`,
the exchange's own fields the standard has no word for (age, kind of placement, needs ...), so that export then
import gives back the same referral; a document from elsewhere without it still imports, and what the exchange
cannot take from it is reported field by field.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from server.auth import policy
from server.auth.actor import Actor
from server.domain import placements_standard as std
from server.domain.referral_profile import MAX_SIBLINGS, PROFILE, ReferralDetails
from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CategoryOfNeed,
    CommunicationNeed,
    Duration,
    Gender,
    LegalStatus,
    Need,
    NeedLevel,
    PlacementKind,
    ReasonEpisodeCeased,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
    YesNoNotSpecified,
)
from server.models import (
    CarerHousehold,
    ChildrensHome,
    Framework,
    Lot,
    Offer,
    Placement,
    Provider,
    Referral,
    User,
)
from server.services import child_records, placement_life
from server.services import referrals as referral_service
from server.services.errors import ErrorCode, ServiceError, invalid, not_found
from server.services.unit_of_work import unit_of_work

EXTENSION = "placementExchange"
MAX_BULK_DAYS = 366 * 2
MAX_OFFICER_NAME = 120


# --- export ---------------------------------------------------------------------------------------------


async def export_referral(actor: Actor, referral_id: int) -> dict[str, Any]:
    """One referral (and its placement, if made) in the standard's shape, for its council's placement officers."""
    referral = await Referral.get_or_none(id=referral_id)
    if referral is None or not policy.may_export_child_data(actor, referral.council_id):
        raise not_found("referral", "referralId")
    return await _document(actor, referral)


async def export_range(actor: Actor, since: date, until: date) -> list[dict[str, Any]]:
    """Every referral of the actor's council written (created) from `since` to `until`, oldest first."""
    if actor.council_id is None or not policy.may_export_child_data(actor, actor.council_id):
        raise not_found("council", "councilId")
    problems = []
    if until < since:
        problems.append(invalid("until", "The range ends on or after the day it starts."))
    elif (until - since).days > MAX_BULK_DAYS:
        problems.append(invalid("until", "Export at most two years at a time."))
    if problems:
        raise ServiceError.many(problems)
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, 23, 59, 59, 999999, tzinfo=UTC)
    referrals = await Referral.filter(council_id=actor.council_id, created_at__gte=start, created_at__lte=end).order_by(
        "created_at", "id"
    )
    return [await _document(actor, referral) for referral in referrals]


def as_csv(documents: list[dict[str, Any]]) -> str:
    """The documents as CSV: one row per referral, a column per field of the standard (Entity.field)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=std.columns(), lineterminator="\r\n")
    writer.writeheader()
    for document in documents:
        writer.writerow(std.flattened(document))
    return out.getvalue()


async def _document(actor: Actor, referral: Referral) -> dict[str, Any]:
    record = await child_records.child_record(actor, referral.id)  # audited as every read of it
    child_id = record.details.council_child_id if record else ""
    placement = await Placement.get_or_none(referral_id=referral.id)
    author = await User.get_or_none(id=referral.author_id)
    document = {
        "standard": std.STANDARD,
        "version": std.VERSION,
        "PlacementAvailability": {
            "childId": int(child_id) if child_id.isdigit() else (child_id or None),
            "neededBy": std.URGENCY[referral.urgency],
            "siblingCount": referral.siblings_to_place_together,
            "preferredLocation": referral.home_district,
        },
        "PlacementRequirements": _requirements(referral),
        "PlacementRecommendation": {
            field: std.SUITABLE.get(_suitability(referral, setting), std.NOT_SPECIFIED)
            for setting, field in std.SETTING_FIELDS.items()
        },
        "Risks": _risks(referral),
        "ActualPlacement": await _actual_placement(referral, placement),
        "QualityAssurance": await _quality(referral, placement, author),
        EXTENSION: await _extension(referral),
    }
    return document


def _suitability(referral: Referral, setting: Setting) -> Suitability | None:
    code = (referral.setting_suitability or {}).get(setting.value)
    return Suitability(code) if code else None


def _requirements(referral: Referral) -> dict[str, Any]:
    needs = [CommunicationNeed(code) for code in referral.communication_needs]
    stated = referral.communication_needs_stated
    if stated is YesNoNotSpecified.NOT_SPECIFIED and needs:
        stated = YesNoNotSpecified.YES
    support = [AdditionalSupport(code) for code in referral.additional_support]
    if support:
        one = std.SUPPORT[_first(support)]
    else:
        one = std.OTHER_SUPPORT if referral.additional_support_other else std.NO_SUPPORT
    return {
        "communicationNeeds": std.STATED[stated],
        "specificCommunicationRequirements": [std.COMMUNICATION[n] for n in _ordered(needs, std.COMMUNICATION)]
        or ["None"],
        "homeAdaptation": bool(referral.adaptations),
        "culturalNeeds": std.CULTURAL[referral.cultural_needs_category],
        "livingCompanions": std.COMPANIONS[referral.living_alongside],
        "pets": std.PET[referral.pets],
        "additionalSupport": one,
        "deprivationOfLiberty": referral.deprivation_of_liberty,
    }


def _ordered(items: list[Any], table: dict[Any, str]) -> list[Any]:
    return [member for member in table if member in items]


def _first(support: list[AdditionalSupport]) -> AdditionalSupport:
    return _ordered(support, std.SUPPORT)[0]


def _risks(referral: Referral) -> dict[str, Any]:
    to_child, to_others = set(referral.risks_to_child), set(referral.risks_to_others)
    risks: dict[str, Any] = {}
    for risk, field in std.RISKS_TO_CHILD.items():
        risks[field] = std.RISK_PRESENT if risk.value in to_child else std.NO_RISK
    risks["riskOther"] = referral.risk_to_child_other or None
    for risk, field in std.RISKS_TO_OTHERS.items():
        risks[field] = std.RISK_PRESENT if risk.value in to_others else std.NO_RISK
    risks["riskToOthersOther"] = referral.risk_to_others_other or None
    return {name: risks[name] for name in std.ENTITIES["Risks"]}


async def _actual_placement(referral: Referral, placement: Placement | None) -> dict[str, Any]:
    if placement is None:
        return dict.fromkeys(std.ENTITIES["ActualPlacement"])
    if placement.childrens_home_id:
        home = await ChildrensHome.get(id=placement.childrens_home_id)
        district, urn = home.district, home.ofsted_urn
    else:
        household = await CarerHousehold.get(id=placement.carer_household_id)
        district, urn = household.district, (await Provider.get(id=placement.provider_id)).ofsted_urn
    today = datetime.now(UTC).date()
    day = min(max(today, placement_life.started_on(placement)), placement.end_date or today)
    preferred = placement.location_preferred
    if preferred is None and placement.distance_miles is not None:
        preferred = placement.distance_miles <= referral.max_distance_miles
    return {
        "totalWeeklyCost": round(await placement_life.fee_on(placement, day) / 100),
        "placementLocation": district,
        "preferabilityLocation": preferred,
        "educationContinuity": placement.education_continuity,
        "providerURN": urn,
        "siblingsPlacedTogether": placement.siblings_placed_together
        if placement.siblings_placed_together is not None
        else referral.siblings_to_place_together,
        "placementType": std.setting_type(placement.placement_type),
    }


async def _quality(referral: Referral, placement: Placement | None, author: User | None) -> dict[str, Any]:
    referred_on = referral.referral_date or (referral.published_at or referral.created_at).date()
    quality: dict[str, Any] = {
        "referralOfficerName": referral.referral_officer_name or (author.display_name if author else None),
        "referralDate": referred_on.isoformat(),
        "placementOfficerName": None,
        "placementDate": None,
        "costOfficerName": None,
        "costDate": None,
    }
    if placement is None:
        return quality
    confirmer = (
        await User.get_or_none(id=placement.council_confirmed_by_id) if placement.council_confirmed_by_id else None
    )
    someone = confirmer or author
    officer = someone.display_name if someone else None
    offer = await Offer.get(id=placement.offer_id)
    costed = placement.cost_date or (offer.decided_at or placement.created_at).date()
    quality.update(
        placementOfficerName=placement.placement_officer_name or officer,
        placementDate=(placement.placement_date or placement_life.started_on(placement)).isoformat(),
        costOfficerName=placement.cost_officer_name or officer,
        costDate=costed.isoformat(),
    )
    return quality


async def _extension(referral: Referral) -> dict[str, Any]:
    framework = await Framework.get_or_none(id=referral.framework_id) if referral.framework_id else None
    lot = await Lot.get_or_none(id=referral.lot_id) if referral.lot_id else None
    return {
        "reference": referral.reference,
        "frameworkReference": framework.reference if framework else None,
        "lotCode": lot.code if lot else None,
        "placementKind": referral.placement_kind.value,
        "duration": referral.duration.value,
        "needLevel": referral.need_level.value,
        "requiredBy": referral.required_by.astimezone(UTC).isoformat(),
        "ageYears": referral.age_years,
        "gender": referral.gender.value,
        "maxDistanceMiles": referral.max_distance_miles,
        "needs": list(referral.needs),
        "languages": list(referral.languages),
        "adaptations": list(referral.adaptations),
        "faith": referral.faith,
        "culturalNeeds": referral.cultural_needs,
        "additionalSupport": list(referral.additional_support),
        "additionalSupportOther": referral.additional_support_other,
        "additionalSupportHours": referral.additional_support_hours,
        "legalStatus": referral.legal_status.value if referral.legal_status else None,
        "categoryOfNeed": referral.category_of_need.value if referral.category_of_need else None,
        "summary": referral.summary,
    }


# --- import -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unmapped:
    """A field of the document the exchange could not take, its value as given, and why."""

    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class Imported:
    referral: Referral
    unmapped: list[Unmapped]


class _Reader:
    """Reads a document's fields, noting each value it cannot map."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.unmapped: list[Unmapped] = []

    def value(self, entity: str, field: str) -> Any:
        values = self.document.get(entity)
        return values.get(field) if isinstance(values, dict) else None

    def skip(self, field: str, value: Any, reason: str) -> None:
        self.unmapped.append(Unmapped(field, _shown(value), reason))

    def option(self, entity: str, field: str, table: dict[Any, str], default: Any = None) -> Any:
        value = self.value(entity, field)
        if value is None:
            return default
        found = std.reverse(table).get(value)
        if found is None:
            self.skip(f"{entity}.{field}", value, f"Not an option of the standard here: one of {list(table.values())}.")
            return default
        return found

    def extension(self, name: str, kind: Any = None, default: Any = None) -> Any:
        values = self.document.get(EXTENSION)
        if not isinstance(values, dict) or values.get(name) is None:
            return default
        value = values[name]
        if kind is None:
            return value
        try:
            return [kind(item) for item in value] if isinstance(value, list) else kind(value)
        except (ValueError, TypeError):
            self.skip(f"{EXTENSION}.{name}", value, "Not a value the exchange knows for this field.")
            return default


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:200]


async def import_referral(actor: Actor, document: Any) -> Imported:
    """A referral in the standard's JSON as a draft of the actor's council; nothing is stored if it is refused."""
    if not policy.may_import_referrals(actor):
        raise ServiceError(ErrorCode.PERMISSION_DENIED, "Only placement officers import referrals.", None)
    if not isinstance(document, dict) or not any(isinstance(document.get(e), dict) for e in std.ENTITIES):
        raise invalid("document", f"Give a JSON object with the standard's entities: {', '.join(std.ENTITIES)}.")
    read = _Reader(document)
    values, recorded = _profile_values(read), _recorded(read)
    values.update(await _framework_values(actor, read))
    _report_placement(read)
    missing = [
        ServiceError(ErrorCode.REQUIRED, *_missing(field.name, field.api_name))
        for field in PROFILE
        if field.rules.required and values.get(field.name) is None
    ]
    if missing:
        raise ServiceError.many(missing)
    referral = await referral_service.create_referral(actor, ReferralDetails(**values), recorded=recorded)
    return Imported(referral, read.unmapped)


# A required field the standard carries is named by its place in the standard; the rest by the extension's.
_IN_THE_STANDARD = {
    "urgency": "PlacementAvailability.neededBy",
    "home_district": "PlacementAvailability.preferredLocation",
}


def _missing(name: str, api_name: str) -> tuple[str, str]:
    if name in _IN_THE_STANDARD:
        return f"Give {_IN_THE_STANDARD[name]} as one of the standard's options.", _IN_THE_STANDARD[name]
    return f"The standard does not carry this: give it as {EXTENSION}.{api_name}.", f"{EXTENSION}.{api_name}"


def _profile_values(read: _Reader) -> dict[str, Any]:
    availability, requirements = "PlacementAvailability", "PlacementRequirements"
    values: dict[str, Any] = {}
    child_id = read.value(availability, "childId")
    if child_id is not None:
        read.skip(
            f"{availability}.childId",
            child_id,
            "The council's id for the child belongs to the child's identified record, held apart from the "
            "referral: save it with the child's details on the draft.",
        )
    values["urgency"] = read.option(availability, "neededBy", std.URGENCY)
    siblings = read.value(availability, "siblingCount")
    if siblings is not None:
        if isinstance(siblings, int) and not isinstance(siblings, bool) and 0 <= siblings <= MAX_SIBLINGS:
            values["siblings_to_place_together"] = siblings
        else:
            read.skip(f"{availability}.siblingCount", siblings, f"A whole number from 0 to {MAX_SIBLINGS}.")
    location = read.value(availability, "preferredLocation")
    if isinstance(location, str) and location.strip():
        values["home_district"] = location.strip()
    stated = read.option(requirements, "communicationNeeds", std.STATED)
    if stated is not None:
        values["communication_needs_stated"] = stated
    specific = read.value(requirements, "specificCommunicationRequirements")
    if specific is not None:
        needs = []
        for item in specific if isinstance(specific, list) else [specific]:
            if item == "None":
                continue
            found = std.reverse(std.COMMUNICATION).get(item)
            if found is None:
                read.skip(f"{requirements}.specificCommunicationRequirements", item, "Not an option of the standard.")
            else:
                needs.append(found)
        values["communication_needs"] = needs
    adaptation = read.value(requirements, "homeAdaptation")
    adaptations = read.extension("adaptations", Adaptation, [])
    if adaptation is True and not adaptations:
        read.skip(
            f"{requirements}.homeAdaptation",
            adaptation,
            "The standard does not say which adaptation the home needs: choose them on the draft.",
        )
    values["adaptations"] = adaptations if adaptation is not False else []
    for name, table in (("culturalNeeds", std.CULTURAL), ("livingCompanions", std.COMPANIONS), ("pets", std.PET)):
        found = read.option(requirements, name, table)
        if found is not None:
            column = {"culturalNeeds": "cultural_needs_category", "livingCompanions": "living_alongside"}
            values[column.get(name, "pets")] = found
    values.update(_support(read))
    liberty = read.value(requirements, "deprivationOfLiberty")
    if isinstance(liberty, bool):
        values["deprivation_of_liberty"] = liberty
    suitability = {}
    for setting, field in std.SETTING_FIELDS.items():
        if read.value("PlacementRecommendation", field) in (None, std.NOT_SPECIFIED):
            continue
        if (found := read.option("PlacementRecommendation", field, std.SUITABLE)) is not None:
            suitability[setting] = found
    values["setting_suitability"] = suitability
    values.update(_risk_values(read))
    values.update(_extension_values(read))
    if values.get("placement_kind") is None:
        values["placement_kind"] = _kind_from_recommendation(suitability)
    if values.get("required_by") is None and values.get("urgency") is not None:
        values["required_by"] = _required_by(values["urgency"])
    return values


def _required_by(urgency: Urgency) -> datetime:
    """With no required-by given, the urgency sets it as the portal's form does: today by 23:59, else 5 or 28 days."""
    now = datetime.now(UTC)
    if urgency is Urgency.TODAY:
        return now.replace(hour=23, minute=59, second=0, microsecond=0)
    return now + timedelta(days=5 if urgency is Urgency.WITHIN_5_DAYS else 28)


def _support(read: _Reader) -> dict[str, Any]:
    table = {**std.SUPPORT, "none": std.NO_SUPPORT, "other": std.OTHER_SUPPORT}
    found = read.option("PlacementRequirements", "additionalSupport", table)
    listed = read.extension("additionalSupport", AdditionalSupport)
    other = read.extension("additionalSupportOther", str, "")
    values: dict[str, Any] = {"additional_support_other": other}
    if listed is not None:
        values["additional_support"] = listed
    elif isinstance(found, AdditionalSupport):
        values["additional_support"] = [found]
    else:
        values["additional_support"] = []
    if found == "other" and not other:
        read.skip(
            "PlacementRequirements.additionalSupport",
            std.OTHER_SUPPORT,
            "The standard does not say which other support: say it on the draft.",
        )
    hours = read.extension("additionalSupportHours", int)
    if hours is not None:
        values["additional_support_hours"] = hours
    return values


def _risk_values(read: _Reader) -> dict[str, Any]:
    to_child, to_others = [], []
    for table, into in ((std.RISKS_TO_CHILD, to_child), (std.RISKS_TO_OTHERS, to_others)):
        for risk, field in table.items():
            if read.option("Risks", field, {True: std.RISK_PRESENT, False: std.NO_RISK}, False):
                into.append(risk)
    child_other = read.value("Risks", "riskOther")
    others_other = read.value("Risks", "riskToOthersOther")
    child_other = child_other.strip() if isinstance(child_other, str) else ""
    others_other = others_other.strip() if isinstance(others_other, str) else ""
    if child_other:
        to_child.append(RiskToChild.OTHER)
    if others_other:
        to_others.append(RiskToOthers.OTHER)
    return {
        "risks_to_child": to_child,
        "risks_to_others": to_others,
        "risk_to_child_other": child_other,
        "risk_to_others_other": others_other,
    }


def _extension_values(read: _Reader) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, name, kind in (
        ("placement_kind", "placementKind", PlacementKind),
        ("duration", "duration", Duration),
        ("need_level", "needLevel", NeedLevel),
        ("age_years", "ageYears", int),
        ("gender", "gender", Gender),
        ("max_distance_miles", "maxDistanceMiles", int),
        ("needs", "needs", Need),
        ("languages", "languages", str),
        ("faith", "faith", str),
        ("cultural_needs", "culturalNeeds", str),
        ("legal_status", "legalStatus", LegalStatus),
        ("category_of_need", "categoryOfNeed", CategoryOfNeed),
        ("summary", "summary", str),
    ):
        found = read.extension(name, kind)
        if found is not None:
            values[column] = found
    required_by = read.extension("requiredBy")
    if required_by is not None:
        try:
            values["required_by"] = datetime.fromisoformat(str(required_by))
        except ValueError:
            read.skip(f"{EXTENSION}.requiredBy", required_by, "Not a date and time (ISO 8601).")
    return values


def _kind_from_recommendation(suitability: dict[Setting, Any]) -> PlacementKind | None:
    """With no kind of placement given, the setting the standard's recommendation prefers chooses one."""
    if suitability.get(Setting.RESIDENTIAL_CARE) is Suitability.PREFERRED:
        return PlacementKind.CHILDRENS_HOME
    if suitability.get(Setting.FOSTER_CARE) is Suitability.PREFERRED:
        return PlacementKind.CORE_FOSTERING
    return None


async def _framework_values(actor: Actor, read: _Reader) -> dict[str, Any]:
    """The framework and lot of the export, when the importing council is on that framework; else reported."""
    reference, code = read.extension("frameworkReference", str), read.extension("lotCode", str)
    if reference is None:
        return {}
    framework = await Framework.get_or_none(reference=reference)
    if framework is None or not await framework.member_councils.filter(id=actor.council_id).exists():
        read.skip(f"{EXTENSION}.frameworkReference", reference, "Your council is not on that framework.")
        return {}
    values: dict[str, Any] = {"framework_id": framework.id}
    if code is not None:
        lot = await Lot.get_or_none(framework_id=framework.id, code=code)
        if lot is None:
            read.skip(f"{EXTENSION}.lotCode", code, f"No lot {code} on {framework.name}.")
        else:
            values["lot_id"] = lot.id
    return values


def _recorded(read: _Reader) -> dict[str, Any]:
    recorded: dict[str, Any] = {}
    name = read.value("QualityAssurance", "referralOfficerName")
    if isinstance(name, str) and name.strip():
        if len(name.strip()) > MAX_OFFICER_NAME:
            read.skip("QualityAssurance.referralOfficerName", name, f"At most {MAX_OFFICER_NAME} characters.")
        else:
            recorded["referral_officer_name"] = name.strip()
    day = read.value("QualityAssurance", "referralDate")
    if day is not None:
        try:
            recorded["referral_date"] = date.fromisoformat(str(day))
        except ValueError:
            read.skip("QualityAssurance.referralDate", day, "Not a date (YYYY-MM-DD).")
    return recorded


def _report_placement(read: _Reader) -> None:
    """A draft has no placement yet: what the document says of the placement made is reported, not kept."""
    for field in std.ENTITIES["ActualPlacement"]:
        value = read.value("ActualPlacement", field)
        if value is not None:
            read.skip(f"ActualPlacement.{field}", value, "A draft referral has no placement yet.")
    for field in ("placementOfficerName", "placementDate", "costOfficerName", "costDate"):
        value = read.value("QualityAssurance", field)
        if value is not None:
            read.skip(f"QualityAssurance.{field}", value, "A draft referral has no placement yet.")


# --- the placement's details the standard asks for -----------------------------------------------------


@dataclass(frozen=True)
class PlacementStandardDetails:
    """What the placing council records of a placement for the standard; None: not given, left as it is."""

    education_continuity: bool | None = None
    location_preferred: bool | None = None
    siblings_placed_together: int | None = None
    placement_officer_name: str | None = None
    placement_date: date | None = None
    cost_officer_name: str | None = None
    cost_date: date | None = None
    care_ceased_reason: ReasonEpisodeCeased | None = None


async def record_placement_details(actor: Actor, placement_id: int, details: PlacementStandardDetails) -> Placement:
    placement = await placement_life.readable_placement(actor, placement_id)
    if not policy.may_record_placement_facts(actor, placement):
        raise ServiceError(ErrorCode.PERMISSION_DENIED, "The placing council's placement officers record these.")
    values = {name: value for name, value in vars(details).items() if value is not None}
    problems = []
    if not values:
        problems.append(invalid("placementId", "Give at least one detail to record."))
    siblings = values.get("siblings_placed_together")
    if siblings is not None and not 0 <= siblings <= MAX_SIBLINGS:
        problems.append(invalid("siblingsPlacedTogether", f"Between 0 and {MAX_SIBLINGS} siblings."))
    for name in ("placement_officer_name", "cost_officer_name"):
        if name in values:
            values[name] = " ".join(values[name].split())
            if len(values[name]) > MAX_OFFICER_NAME:
                problems.append(invalid(_api(name), f"At most {MAX_OFFICER_NAME} characters."))
    today = datetime.now(UTC).date()
    for name in ("placement_date", "cost_date"):
        if name in values and values[name] > today:
            problems.append(invalid(_api(name), "A day that has come: today or before."))
    if "care_ceased_reason" in values and placement.end_date is None:
        problems.append(invalid("careCeasedReason", "Say why care ceased once the placement has ended."))
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        await Placement.filter(id=placement.id).update(**values)
        await placement.refresh_from_db()
        await work.record(
            "placement.standardDetailsRecorded",
            [f"council:{placement.council_id}", f"referral:{placement.referral_id}"],
            {"placementId": placement.id, "referralId": placement.referral_id},
        )
    return placement


def _api(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
