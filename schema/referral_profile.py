"""The referral profile in GraphQL, derived from its one declaration (server.domain.referral_profile).

- `profile_input` makes the input type that createReferral and updateReferral extend: every field optional.
- `with_profile` adds the profile's fields to the Referral type: non-null unless the profile says they may be unset;
  the ids of other aggregates (framework, lot) are left to the type, which shows the objects.
- `details_from` turns that input back into the service's ReferralDetails.

No field is named here: a field added to the profile reaches all three.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

from schema import enums
from schema.errors import UserError, input_error
from schema.ids import from_global_id
from server.domain.referral_profile import ProfileField, ReferralDetails, profile_of
from server.services.errors import ErrorCode


@strawberry.type
class SettingSuitability:
    setting: enums.Setting
    suitability: enums.Suitability


@strawberry.input
class SettingSuitabilityInput:
    setting: enums.Setting
    suitability: enums.Suitability


# A mapping of the profile is a list of pairs in GraphQL: (the type shown, the input) by (key, value).
_PAIRS: dict[tuple[type, type], tuple[type, type]] = {
    (enums.Setting, enums.Suitability): (SettingSuitability, SettingSuitabilityInput),
}


def profile_input(name: str, *, description: str | None = None, details: type = ReferralDetails) -> type:
    """An input type with every field of the profile, optional (null: not given), in the profile's order."""
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    for field in profile_of(details):
        namespace["__annotations__"][field.name] = _input_type(field) | None
        namespace[field.name] = strawberry.field(default=None, description=field.rules.hint)
    return strawberry.input(type(name, (), namespace), description=description)


def with_profile(*, after: str, converted_after: str, details: type = ReferralDetails) -> Callable[[type], type]:
    """Add the profile's fields to a type whose root is a stored Referral.

    Fields shown as stored go after the field `after`; those converted on the way out (lists of codes become enum
    members, a mapping becomes a list of pairs) after the resolver `converted_after`: where schema.graphql has
    always had them.
    """
    shown = [field for field in profile_of(details) if field.rules.refers_to is None]

    def add(cls: type) -> type:
        annotations = _inserted(
            inspect.get_annotations(cls),
            after,
            {field.name: _output_type(field) for field in shown if not field.holds_codes},
        )
        namespace = _inserted(
            {name: value for name, value in cls.__dict__.items() if name not in ("__dict__", "__weakref__")},
            converted_after,
            {field.name: _converting_field(field) for field in shown if field.holds_codes},
        )
        return type(cls.__name__, cls.__bases__, {**namespace, "__annotations__": annotations})

    return add


def details_from(fields: Any, *, details: type = ReferralDetails) -> tuple[Any, list[UserError]]:
    """The service's details from a profile input: ids of other aggregates decoded, pairs made a mapping."""
    values: dict[str, Any] = {}
    errors: list[UserError] = []
    for field in profile_of(details):
        raw = getattr(fields, field.name)
        if raw is None:
            continue
        if field.rules.refers_to:
            values[field.name] = from_global_id(raw, field.rules.refers_to)
            if values[field.name] is None:
                errors += input_error(field.api_name, f"Not a {field.rules.refers_to} id.", ErrorCode.NOT_FOUND)
        elif field.is_mapping:
            key, value = _pair_names(_PAIRS[field.item_type][1])
            values[field.name] = {getattr(item, key): getattr(item, value) for item in raw}
        else:
            values[field.name] = raw
    if errors:
        return None, errors
    return details(**values), []


def _input_type(field: ProfileField) -> Any:
    if field.rules.refers_to:
        return strawberry.ID
    if field.is_mapping:
        return list[_PAIRS[field.item_type][1]]
    return field.type


def _output_type(field: ProfileField) -> Any:
    shown = list[_PAIRS[field.item_type][0]] if field.is_mapping else field.type
    return shown | None if field.rules.nullable else shown


def _converting_field(field: ProfileField) -> StrawberryField:
    """A field that reads the stored codes (a list, or a mapping as sorted pairs) and shows them as enum members."""
    name = field.name
    if field.is_mapping:
        pair = _PAIRS[field.item_type][0]
        key_name, value_name = _pair_names(pair)
        key, value = field.item_type

        def resolve(root: Any) -> Any:
            return [pair(**{key_name: key(k), value_name: value(v)}) for k, v in sorted(getattr(root, name).items())]

    else:
        item = field.item_type

        def resolve(root: Any) -> Any:
            return [item(code) for code in getattr(root, name)]

    return strawberry.field(resolver=resolve, graphql_type=_output_type(field))


def _pair_names(pair: type) -> tuple[str, str]:
    key, value = (f.name for f in dataclasses.fields(pair))
    return key, value


def _inserted(items: dict[str, Any], anchor: str, new: dict[str, Any]) -> dict[str, Any]:
    """`items` with `new` right after the key `anchor`, order kept."""
    if anchor not in items:
        raise ValueError(f"{anchor!r} is not a field of the type: cannot place the referral profile after it")
    result: dict[str, Any] = {}
    for key, value in items.items():
        result[key] = value
        if key == anchor:
            result.update(new)
    return result
