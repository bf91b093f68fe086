"""The service checks and stores every field of the referral profile by the profile's own rules, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from tortoise import fields as columns

from bench.harness.marketplace import Marketplace
from server.domain.referral_profile import PROFILE, ProfileField, ReferralDetails
from server.domain.vocabulary import PlacementKind, Setting, Suitability
from server.models import Referral
from server.services import referrals
from server.services.errors import ErrorCode, ServiceError

COLUMN_KINDS = {int: columns.IntField, bool: columns.BooleanField, datetime: columns.DatetimeField}


def _column(field: ProfileField) -> columns.Field:
    return Referral._meta.fields_map[field.name.removesuffix("_id") if field.rules.refers_to else field.name]


@pytest.mark.parametrize("field", PROFILE, ids=lambda field: field.name)
def test_every_profile_field_has_a_referral_column_of_its_kind(field: ProfileField) -> None:
    column = _column(field)
    if field.rules.refers_to:
        assert isinstance(column, columns.relational.ForeignKeyFieldInstance)
        assert column.model_name == f"models.{field.rules.refers_to}" and column.null
    elif field.is_list or field.is_mapping:
        assert isinstance(column, columns.JSONField)
    elif isinstance(field.type, type) and issubclass(field.type, Enum):
        assert isinstance(column, columns.data.CharEnumFieldInstance) and column.enum_type is field.type
        assert column.max_length >= max(len(member.value) for member in field.type)
    elif field.type is str:
        assert isinstance(column, columns.CharField | columns.TextField)
        if isinstance(column, columns.CharField) and field.name != "home_district":  # the district rule bounds it
            assert field.rules.limits and field.rules.limits.high <= column.max_length, "longer would not fit"
    else:
        assert isinstance(column, COLUMN_KINDS[field.type])
    if not field.rules.refers_to:
        # Required: no default to fall back on. Nullable: stays unset. Otherwise a field not given takes the default.
        assert column.null is field.rules.nullable
        assert (column.default is None) is (field.rules.required or field.rules.nullable)


def _sample(field: ProfileField, market: Marketplace) -> tuple[Any, Any]:
    """A value to write for the field, and the value its column then holds."""
    special = {
        "framework_id": (market.framework.id, market.framework.id),
        "lot_id": (market.core_lot.id, market.core_lot.id),
        "placement_kind": (PlacementKind.CORE_FOSTERING, PlacementKind.CORE_FOSTERING),  # what the lot covers
        "home_district": (" me14 ", "ME14"),
    }
    if field.name in special:
        return special[field.name]
    if field.is_mapping:
        written = {Setting.RESIDENTIAL_CARE: Suitability.UNSUITABLE, Setting.FOSTER_CARE: Suitability.PREFERRED}
        return written, {"residential_care": "unsuitable", "foster_care": "preferred"}
    if field.is_list and field.rules.free_text:
        return [" Polish ", "Arabic", " ", "Polish"], ["Arabic", "Polish"]
    if field.is_list:
        first, *_, last = list(field.item_type)
        return [last, first, last], sorted([first.value, last.value])
    if field.rules.free_text:
        return "  Calm; enjoys art  ", "Calm; enjoys art"
    if isinstance(field.type, type) and issubclass(field.type, Enum):
        last = list(field.type)[-1]
        return last, last
    if field.type is int:
        return (
            field.rules.limits.high if field.rules.limits else 3,
            field.rules.limits.high if field.rules.limits else 3,
        )
    if field.type is bool:
        return True, True
    if field.type is datetime:
        naive = (datetime.now(UTC) + timedelta(days=2)).replace(tzinfo=None, microsecond=0)
        return naive, naive.replace(tzinfo=UTC)
    raise AssertionError(f"no sample for {field.name}: {field.type} (add one, and the rule that stores it)")


async def test_every_profile_field_written_is_stored_as_its_column_keeps_it(market: Marketplace) -> None:
    samples = {field.name: _sample(field, market) for field in PROFILE}
    created = await referrals.create_referral(
        market.actor("kent_officer"), ReferralDetails(**{name: written for name, (written, _) in samples.items()})
    )
    stored = await Referral.get(id=created.id)
    for name, (_, kept) in samples.items():
        value = getattr(stored, name)
        assert (value.astimezone(UTC) if isinstance(value, datetime) else value) == kept, name


async def test_a_draft_needs_every_required_field_of_the_profile(market: Marketplace) -> None:
    with pytest.raises(ServiceError) as caught:
        await referrals.create_referral(market.actor("kent_officer"), ReferralDetails())
    assert [(p.code, p.field) for p in caught.value.problems] == [
        (ErrorCode.REQUIRED, field.api_name) for field in PROFILE if field.rules.required
    ]


def _beyond(field: ProfileField) -> Any:
    limits = field.rules.limits
    return "a" * (limits.high + 1) if field.type is str else limits.high + 1


@pytest.mark.parametrize("field", [f for f in PROFILE if f.rules.limits], ids=lambda field: field.name)
async def test_a_value_beyond_the_profiles_limits_is_refused(market: Marketplace, field: ProfileField) -> None:
    draft = await market.referral(publish=False)
    with pytest.raises(ServiceError) as caught:
        await referrals.update_referral(
            market.actor("kent_officer"), draft.id, ReferralDetails(**{field.name: _beyond(field)})
        )
    assert [(p.code, p.field, p.message) for p in caught.value.problems] == [
        (ErrorCode.INVALID, field.api_name, field.rules.limits.message)
    ]
    assert getattr(await Referral.get(id=draft.id), field.name) == getattr(draft, field.name)


@pytest.mark.parametrize("field", [f for f in PROFILE if f.rules.free_text], ids=lambda field: field.name)
async def test_free_text_that_would_identify_the_child_is_refused(market: Marketplace, field: ProfileField) -> None:
    draft = await market.referral(publish=False)
    phone = "Call 07700 900123 after school"
    with pytest.raises(ServiceError) as caught:
        await referrals.update_referral(
            market.actor("kent_officer"),
            draft.id,
            ReferralDetails(**{field.name: [phone] if field.is_list else phone}),
        )
    # A list is checked item by item, so the error names the item ("languages.0") for the portal to mark it.
    named = f"{field.api_name}.0" if field.is_list else field.api_name
    assert [(p.code, p.field) for p in caught.value.problems] == [(ErrorCode.IDENTIFYING_DETAILS, named)]
