"""The placements data standard (SocialCareData, v2 draft, July 2025), encoded once: its six entities, their
field names and the categorical options spelled as the standard spells them; and the pure mapping between
the exchange's vocabulary and those options, both ways (../shared/standards.md).

Exports and the tests that validate them read ENTITIES and OPTIONS from here; nothing else spells an option.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain.vocabulary import (
    AdditionalSupport,
    CommunicationNeed,
    CulturalNeedsCategory,
    LivingAlongside,
    PetsPreference,
    PlacementType,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
    YesNoNotSpecified,
)

STANDARD = "SocialCareData placements data standard"
VERSION = "2 (draft, effective 2025-07-18)"

# The six entities and their fields, in the standard's order.
ENTITIES: dict[str, tuple[str, ...]] = {
    "PlacementAvailability": ("childId", "neededBy", "siblingCount", "preferredLocation"),
    "PlacementRequirements": (
        "communicationNeeds",
        "specificCommunicationRequirements",
        "homeAdaptation",
        "culturalNeeds",
        "livingCompanions",
        "pets",
        "additionalSupport",
        "deprivationOfLiberty",
    ),
    "PlacementRecommendation": (
        "fosterCareSuitability",
        "residentialCareSuitability",
        "supportedAccommodationSuitability",
    ),
    "Risks": (
        "riskSelfHarm",
        "riskSexualExploitation",
        "riskCriminalExploitation",
        "riskDrugAlcohol",
        "riskEatingDisorder",
        "riskMissing",
        "riskOther",
        "riskToOthersPhysical",
        "riskToOthersSexual",
        "riskToOthersFire",
        "riskToOthersAnimals",
        "riskToOthersCriminal",
        "riskToOthersOther",
    ),
    "ActualPlacement": (
        "totalWeeklyCost",
        "placementLocation",
        "preferabilityLocation",
        "educationContinuity",
        "providerURN",
        "siblingsPlacedTogether",
        "placementType",
    ),
    "QualityAssurance": (
        "referralOfficerName",
        "referralDate",
        "placementOfficerName",
        "placementDate",
        "costOfficerName",
        "costDate",
    ),
}

NEEDED_BY = ("Today", "in less than 5 days", "in more than 5 days")
COMMUNICATION_NEEDS = ("Y", "N", "Not Specified")
COMMUNICATION_REQUIREMENTS = ("ESOL", "BSL", "Makaton", "Other", "None")
CULTURAL_NEEDS = ("Required", "Not required", "Not Known", "Other")
LIVING_COMPANIONS = (
    "Solo placement recommended",
    "With other children recommended",
    "Only with other older children",
    "Only with other younger children",
    "No preference",
)
PETS = ("Yes - must", "Yes - can", "No", "Not Known")
ADDITIONAL_SUPPORT = (
    "additional supervision",
    "therapeutic support",
    "a worker for respite",
    "taxis to school",
    "NA",
    "other (please specify)",
)
SUITABILITY = ("Preferred", "Suitable but not preferred", "Unsuitable", "Not specified")
RISK = ("No known risk", "Risk Present")
PLACEMENT_TYPE = ("Residential", "Foster", "Supported Accommodation")

# (entity, field) -> the options a categorical field takes; a list field takes a list of them.
OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("PlacementAvailability", "neededBy"): NEEDED_BY,
    ("PlacementRequirements", "communicationNeeds"): COMMUNICATION_NEEDS,
    ("PlacementRequirements", "specificCommunicationRequirements"): COMMUNICATION_REQUIREMENTS,
    ("PlacementRequirements", "culturalNeeds"): CULTURAL_NEEDS,
    ("PlacementRequirements", "livingCompanions"): LIVING_COMPANIONS,
    ("PlacementRequirements", "pets"): PETS,
    ("PlacementRequirements", "additionalSupport"): ADDITIONAL_SUPPORT,
    **{("PlacementRecommendation", f): SUITABILITY for f in ENTITIES["PlacementRecommendation"]},
    **{("Risks", f): RISK for f in ENTITIES["Risks"] if not f.endswith("Other")},
    ("ActualPlacement", "placementType"): PLACEMENT_TYPE,
}
LIST_FIELDS = frozenset({("PlacementRequirements", "specificCommunicationRequirements")})
BOOLEAN_FIELDS = frozenset(
    {
        ("PlacementRequirements", "homeAdaptation"),
        ("PlacementRequirements", "deprivationOfLiberty"),
        ("ActualPlacement", "preferabilityLocation"),
        ("ActualPlacement", "educationContinuity"),
    }
)
INTEGER_FIELDS = frozenset(
    {
        ("PlacementAvailability", "childId"),
        ("PlacementAvailability", "siblingCount"),
        ("ActualPlacement", "totalWeeklyCost"),
        ("ActualPlacement", "siblingsPlacedTogether"),
    }
)
DATE_FIELDS = frozenset(("QualityAssurance", f) for f in ("referralDate", "placementDate", "costDate"))

# --- the exchange's words and the standard's options, one table each, read both ways -----------------------

URGENCY: dict[Urgency, str] = {
    Urgency.TODAY: "Today",
    Urgency.WITHIN_5_DAYS: "in less than 5 days",
    Urgency.LATER: "in more than 5 days",
}
STATED: dict[YesNoNotSpecified, str] = {
    YesNoNotSpecified.YES: "Y",
    YesNoNotSpecified.NO: "N",
    YesNoNotSpecified.NOT_SPECIFIED: "Not Specified",
}
COMMUNICATION: dict[CommunicationNeed, str] = {
    CommunicationNeed.ESOL: "ESOL",
    CommunicationNeed.BSL: "BSL",
    CommunicationNeed.MAKATON: "Makaton",
    CommunicationNeed.OTHER: "Other",
}
CULTURAL: dict[CulturalNeedsCategory, str] = {
    CulturalNeedsCategory.REQUIRED: "Required",
    CulturalNeedsCategory.NOT_REQUIRED: "Not required",
    CulturalNeedsCategory.NOT_KNOWN: "Not Known",
    CulturalNeedsCategory.OTHER: "Other",
}
COMPANIONS: dict[LivingAlongside, str] = {
    LivingAlongside.SOLO_RECOMMENDED: "Solo placement recommended",
    LivingAlongside.WITH_OTHER_CHILDREN: "With other children recommended",
    LivingAlongside.ONLY_OLDER: "Only with other older children",
    LivingAlongside.ONLY_YOUNGER: "Only with other younger children",
    LivingAlongside.NO_PREFERENCE: "No preference",
}
PET: dict[PetsPreference, str] = {
    PetsPreference.MUST: "Yes - must",
    PetsPreference.CAN: "Yes - can",
    PetsPreference.NO: "No",
    PetsPreference.UNKNOWN: "Not Known",
}
SUPPORT: dict[AdditionalSupport, str] = {
    AdditionalSupport.EXTRA_SUPERVISION: "additional supervision",
    AdditionalSupport.THERAPEUTIC_SUPPORT: "therapeutic support",
    AdditionalSupport.RESPITE_WORKER: "a worker for respite",
    AdditionalSupport.TRANSPORT_TO_SCHOOL: "taxis to school",
}
NO_SUPPORT, OTHER_SUPPORT = "NA", "other (please specify)"
SUITABLE: dict[Suitability, str] = {
    Suitability.PREFERRED: "Preferred",
    Suitability.SUITABLE: "Suitable but not preferred",
    Suitability.UNSUITABLE: "Unsuitable",
}
NOT_SPECIFIED = "Not specified"
SETTING_FIELDS: dict[Setting, str] = {
    Setting.FOSTER_CARE: "fosterCareSuitability",
    Setting.RESIDENTIAL_CARE: "residentialCareSuitability",
    Setting.SUPPORTED_ACCOMMODATION: "supportedAccommodationSuitability",
}
RISKS_TO_CHILD: dict[RiskToChild, str] = {
    RiskToChild.SELF_HARM: "riskSelfHarm",
    RiskToChild.SEXUAL_EXPLOITATION: "riskSexualExploitation",
    RiskToChild.CRIMINAL_EXPLOITATION: "riskCriminalExploitation",
    RiskToChild.DRUGS_AND_ALCOHOL: "riskDrugAlcohol",
    RiskToChild.EATING_DISORDER: "riskEatingDisorder",
    RiskToChild.GOING_MISSING: "riskMissing",
}
RISKS_TO_OTHERS: dict[RiskToOthers, str] = {
    RiskToOthers.PHYSICAL_HARM: "riskToOthersPhysical",
    RiskToOthers.SEXUAL_HARM: "riskToOthersSexual",
    RiskToOthers.FIRE_SETTING: "riskToOthersFire",
    RiskToOthers.HARM_TO_ANIMALS: "riskToOthersAnimals",
    RiskToOthers.CRIMINAL_EXPLOITATION: "riskToOthersCriminal",
}
NO_RISK, RISK_PRESENT = RISK


def setting_type(placement_type: PlacementType) -> str | None:
    """The standard's placementType for a DfE placement type: None where it has no word (with parents, other)."""
    if placement_type.value.startswith("U"):
        return "Foster"
    if placement_type in (PlacementType.K3, PlacementType.H5):
        return "Supported Accommodation"
    if placement_type in (PlacementType.K1, PlacementType.K2, PlacementType.R1, PlacementType.S1):
        return "Residential"
    return None


def reverse(table: Mapping[Any, str]) -> dict[str, Any]:
    return {word: member for member, word in table.items()}


def option_problems(document: Mapping[str, Any]) -> list[str]:
    """Where a document strays from the standard: an entity or field it does not have, an option it does not
    spell so, a list where one value is due (or the reverse). Empty: the document is in the standard's shape."""
    problems = []
    for entity, fields in ENTITIES.items():
        values = document.get(entity)
        if not isinstance(values, Mapping):
            problems.append(f"{entity}: missing")
            continue
        problems += [f"{entity}.{name}: not a field of the standard" for name in values if name not in fields]
        for name in fields:
            if name not in values:
                problems.append(f"{entity}.{name}: missing")
                continue
            value, key = values[name], (entity, name)
            if value is None:
                continue
            if key in LIST_FIELDS:
                if not isinstance(value, list) or not value or any(item not in OPTIONS[key] for item in value):
                    problems.append(f"{entity}.{name}: {value!r} is not a list of {OPTIONS[key]}")
            elif key in OPTIONS and value not in OPTIONS[key]:
                problems.append(f"{entity}.{name}: {value!r} is not one of {OPTIONS[key]}")
            elif key in BOOLEAN_FIELDS and not isinstance(value, bool):
                problems.append(f"{entity}.{name}: {value!r} is not true or false")
            elif key in INTEGER_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append(f"{entity}.{name}: {value!r} is not a whole number")
    return problems


def columns() -> list[str]:
    """The CSV's columns: Entity.field for every field of every entity, in the standard's order."""
    return [f"{entity}.{name}" for entity, fields in ENTITIES.items() for name in fields]


def flattened(document: Mapping[str, Any]) -> dict[str, str]:
    """One CSV row of a document: lists joined with "; ", booleans as true/false, nothing as an empty cell."""
    row = {}
    for entity, fields in ENTITIES.items():
        values = document.get(entity) or {}
        for name in fields:
            value = values.get(name)
            if isinstance(value, list):
                cell = "; ".join(str(item) for item in value)
            elif isinstance(value, bool):
                cell = "true" if value else "false"
            else:
                cell = "" if value is None else str(value)
            row[f"{entity}.{name}"] = cell
    return row
