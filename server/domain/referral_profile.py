"""The anonymised referral profile, declared once: what a placement officer writes about the child and the home sought.

Every field of `ReferralDetails` is, with no other edit, a field of the GraphQL input of createReferral and
updateReferral and of the Referral type (schema/referral_profile.py), and a field the service checks and stores
(server/services/referrals.py). What it takes besides is its column (server/models/referrals.py) and that column's
migration; a test fails when the profile and the columns disagree.

The profile is anonymised by what it leaves out: no name, date of birth, address or school.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Any

from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CategoryOfNeed,
    CommunicationNeed,
    CulturalNeedsCategory,
    Duration,
    Gender,
    LegalStatus,
    LivingAlongside,
    Need,
    NeedLevel,
    PetsPreference,
    PlacementKind,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
    YesNoNotSpecified,
)

MAX_SIBLINGS = 6


@dataclass(frozen=True)
class Limits:
    """The values a number may take, or the lengths a text may have, and what the writer is told otherwise."""

    low: int
    high: int
    message: str

    def allow(self, value: int | str) -> bool:
        return self.low <= (len(value) if isinstance(value, str) else value) <= self.high


@dataclass(frozen=True)
class Rules:
    """What the profile says about one field, beyond its type."""

    required: bool = False  # must be given to create a draft
    nullable: bool = False  # may stay unset on a referral; a field not given otherwise takes its column's default
    refers_to: str | None = None  # the id of another aggregate (its GraphQL type name), not a value of the profile
    free_text: bool = False  # written by a person: trimmed, and refused when it would identify the child
    limits: Limits | None = None
    hint: str | None = None  # what the writer is told about the field


def profile_field(**rules: Any) -> dataclasses.Field[Any]:
    """A field of the profile: unset (None) unless given, so that the details of an update name only what changes."""
    return dataclasses.field(default=None, metadata={"profile": Rules(**rules)})


@dataclass
class ReferralDetails:
    """What a placement officer writes; every field optional so drafts can be partial updates."""

    framework_id: int | None = profile_field(refers_to="Framework")
    lot_id: int | None = profile_field(refers_to="Lot")
    placement_kind: PlacementKind | None = profile_field(required=True)
    duration: Duration | None = profile_field(required=True)
    urgency: Urgency | None = profile_field(required=True)
    need_level: NeedLevel | None = profile_field()
    required_by: datetime | None = profile_field(required=True)
    age_years: int | None = profile_field(required=True, limits=Limits(0, 18, "Age must be between 0 and 18."))
    gender: Gender | None = profile_field(required=True)
    siblings_to_place_together: int | None = profile_field(
        limits=Limits(0, MAX_SIBLINGS, f"Between 0 and {MAX_SIBLINGS} siblings can be placed.")
    )
    home_district: str | None = profile_field(required=True, hint="Postcode district only, e.g. ME14")
    max_distance_miles: int | None = profile_field(
        limits=Limits(1, 400, "Maximum distance must be between 1 and 400 miles.")
    )
    needs: list[Need] | None = profile_field()
    risks_to_child: list[RiskToChild] | None = profile_field()
    risks_to_others: list[RiskToOthers] | None = profile_field()
    communication_needs: list[CommunicationNeed] | None = profile_field()
    languages: list[str] | None = profile_field(free_text=True)
    adaptations: list[Adaptation] | None = profile_field()
    faith: str | None = profile_field(free_text=True, limits=Limits(0, 60, "Name the faith in 60 characters or fewer."))
    cultural_needs: str | None = profile_field(free_text=True)
    living_alongside: LivingAlongside | None = profile_field()
    pets: PetsPreference | None = profile_field()
    additional_support: list[AdditionalSupport] | None = profile_field()
    additional_support_hours: int | None = profile_field(
        limits=Limits(0, 80, "Additional support must be between 0 and 80 hours a week.")
    )
    deprivation_of_liberty: bool | None = profile_field()
    setting_suitability: dict[Setting, Suitability] | None = profile_field()
    legal_status: LegalStatus | None = profile_field(nullable=True)
    category_of_need: CategoryOfNeed | None = profile_field(nullable=True)
    # The placements data standard's fields the exchange lacked (issue 20).
    communication_needs_stated: YesNoNotSpecified | None = profile_field(
        hint="Whether the child has communication needs at all (the standard's communicationNeeds)"
    )
    cultural_needs_category: CulturalNeedsCategory | None = profile_field(
        hint="The standard's culturalNeeds category; the cultural needs in words stay beside it"
    )
    risk_to_child_other: str | None = profile_field(
        free_text=True, limits=Limits(0, 500, "Say the other risk to the child in 500 characters or fewer.")
    )
    risk_to_others_other: str | None = profile_field(
        free_text=True, limits=Limits(0, 500, "Say the other risk to others in 500 characters or fewer.")
    )
    additional_support_other: str | None = profile_field(
        free_text=True, limits=Limits(0, 500, "Say the other support needed in 500 characters or fewer.")
    )
    summary: str | None = profile_field(
        free_text=True, limits=Limits(0, 4000, "Keep the summary under 4,000 characters.")
    )

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class ProfileField:
    """One field of the profile: its name, its type (without the None every field of the details allows), its rules.

    The type is one of: int, str, bool, datetime, a vocabulary enum, a list of str or of an enum, or a dict from one
    enum to another.
    """

    name: str
    type: Any
    rules: Rules

    @property
    def api_name(self) -> str:
        """The name the API and its errors use: camelCase."""
        head, *rest = self.name.split("_")
        return head + "".join(part.capitalize() for part in rest)

    @property
    def is_list(self) -> bool:
        return typing.get_origin(self.type) is list

    @property
    def is_mapping(self) -> bool:
        return typing.get_origin(self.type) is dict

    @property
    def item_type(self) -> Any:
        """What a list holds; for a mapping, its key and value types."""
        args = typing.get_args(self.type)
        return args[0] if self.is_list else args

    @property
    def holds_codes(self) -> bool:
        """A list of a vocabulary's words, or a mapping between two: stored as their codes."""
        return self.is_mapping or (self.is_list and issubclass(self.item_type, Enum))

    def stored(self, value: Any) -> Any:
        """The value as the column keeps it: lists as sorted sets, codes as strings, text trimmed, time zone aware."""
        if self.is_mapping:
            key, item = self.item_type
            return {key(k).value: item(v).value for k, v in value.items()}
        if self.is_list and self.rules.free_text:
            return sorted({item.strip() for item in value} - {""})
        if self.is_list:
            return sorted({str(item) for item in value})
        if self.rules.free_text:
            return value.strip()
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def profile_of(details: type) -> tuple[ProfileField, ...]:
    """The fields of a details dataclass, in the order they are declared (the order the API shows them in)."""
    hints = typing.get_type_hints(details)
    return tuple(
        ProfileField(f.name, _without_none(hints[f.name]), f.metadata["profile"]) for f in dataclasses.fields(details)
    )


def _without_none(annotation: Any) -> Any:
    if isinstance(annotation, UnionType):
        (kind,) = (arg for arg in typing.get_args(annotation) if arg is not NoneType)
        return kind
    return annotation


PROFILE = profile_of(ReferralDetails)
