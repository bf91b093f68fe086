"""Every argument a client sends is held to a sensible bound at the schema's edge, in this one place.

Strings have a length (the column's, or what the field is for), and never carry NUL or other control
characters or lone surrogates; whole numbers have a plausible range (and never one past the column's); dates
a plausible year; lists a length, with repeated values kept once. A value out of bounds is refused before any
resolver runs: a mutation answers with its payload's `errors` (`INVALID`, naming the field), a query with a
GraphQL error carrying the same code and field. The bounds are written into the schema's descriptions.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from strawberry.utils.str_converters import to_camel_case

from schema.errors import UserError
from server.services.errors import ErrorCode

MAX_INT = 2**31 - 1  # the integer columns' range on both databases


@dataclasses.dataclass(frozen=True)
class Bound:
    """What one field may hold. `earliest`/`latest` give a date's range as days from today (None: no bound)."""

    max_length: int = 200
    low: int = 0
    high: int = MAX_INT
    earliest: int | None = -365 * 30
    latest: int | None = 365 * 10
    max_items: int = 50


FREE_TEXT = Bound(max_length=4000)
NOTE = Bound(max_length=2000)
DISTRICT = Bound(max_length=8)
PENCE = Bound(high=5_000_000)  # £50,000: above any weekly fee or one-off extra in the field
AGE = Bound(high=25)
MILES = Bound(high=500)
PAST_ONLY = Bound(latest=1)

# By the field's GraphQL name, wherever it appears; a field not named here has the default Bound().
BOUNDS: dict[str, Bound] = {
    "summary": FREE_TEXT,
    "matchingStatement": FREE_TEXT,
    "culturalNeeds": NOTE,
    "note": NOTE,
    "reason": NOTE,
    "justification": NOTE,
    "question": NOTE,
    "answer": NOTE,
    "faith": Bound(max_length=60),
    "faiths": Bound(max_length=60, max_items=20),
    "cultures": Bound(max_length=60, max_items=20),
    "languages": Bound(max_length=60, max_items=20),
    "email": Bound(max_length=254),
    "password": Bound(max_length=1024),
    "displayName": Bound(max_length=120),
    "name": Bound(max_length=120),
    "label": Bound(max_length=120),
    "reference": Bound(max_length=40),
    "ofstedUrn": Bound(max_length=10),
    "district": DISTRICT,
    "homeDistrict": DISTRICT,
    "ofDistrict": DISTRICT,
    "after": Bound(max_length=100),
    "ageYears": AGE,
    "age": AGE,
    "minAge": AGE,
    "maxAge": AGE,
    "tier": Bound(low=1, high=10),
    "places": Bound(low=1, high=50),
    "approvedPlaces": Bound(high=20),
    "beds": Bound(low=1, high=20),
    "siblingsToPlaceTogether": Bound(high=10),
    "maxDistanceMiles": MILES,
    "withinMiles": MILES,
    "additionalSupportHours": Bound(high=168),
    "days": Bound(low=1, high=730),
    "first": Bound(low=-MAX_INT),  # the page size has its own, friendlier check
    "amountPence": PENCE,
    "weeklyFeePence": PENCE,
    "spotWeeklyFeePence": PENCE,
    "requiredBy": Bound(earliest=-30, latest=366),
    "startDate": Bound(earliest=-366, latest=366 * 2),
    "ofstedJudgementDate": Bound(earliest=-365 * 30, latest=1),
    "noticeGivenOn": Bound(earliest=-365 * 30, latest=366),
    "createdSince": PAST_ONLY,
    "search": Bound(max_length=40),
    # The child's identified record (schema/mutations/child_records.py).
    "fullName": Bound(max_length=120),
    "dateOfBirth": Bound(earliest=-366 * 26, latest=1),
    "nhsNumber": Bound(max_length=16),
    "address": Bound(max_length=400),
    "school": Bound(max_length=120),
    "socialWorkerName": Bound(max_length=120),
    "socialWorkerEmail": Bound(max_length=254),
    "socialWorkerPhone": Bound(max_length=30),
    "councilChildId": Bound(max_length=40),
    "fileName": Bound(max_length=200),
    "contentType": Bound(max_length=100),
    # 700 KiB of document as base64 (server/domain/child_details.py MAX_DOCUMENT_BYTES), inside the request limit.
    "contentBase64": Bound(max_length=4 * -(-700 * 1024 // 3)),
    # The placement's life (schema/types/placement_life.py).
    "startedOn": Bound(earliest=-366 * 5, latest=1),
    "effectiveFrom": Bound(earliest=-366 * 30, latest=366 * 2),
    "heldOn": Bound(earliest=-366 * 30, latest=1),
    "attendance": Bound(max_items=10),
    "sdqTotal": Bound(high=40),
    "notes": FREE_TEXT,
    "givenOn": Bound(earliest=-366 * 30, latest=1),
    "intendedEnd": Bound(earliest=-366 * 30, latest=366 * 2),
    # A framework's life (schema/mutations/frameworks.py): terms up to 10 years, with a tender's lead time.
    "startsOn": Bound(earliest=-366 * 30, latest=366 * 12),  # a block place may start late in a 10-year term
    "endsOn": Bound(earliest=-366 * 30, latest=366 * 14),
    "extensionOptions": Bound(max_length=200),
    "decisionReference": Bound(max_length=60),
    "decisionDate": Bound(earliest=-366 * 30, latest=1),
    "leftOn": Bound(earliest=-366 * 30, latest=366 * 2),
    "code": Bound(max_length=12),
    "hours": Bound(low=1, high=24 * 14),
    "tierResponseHours": Bound(low=1, high=24 * 14),
    "emergencyResponseHours": Bound(low=1, high=24 * 14),
    "tierWindows": Bound(max_items=5),
    "qualityWeightPercent": Bound(high=100),
    "costWeightPercent": Bound(high=100),
    "memberCouncilIds": Bound(max_items=50),
    **{name: Bound(high=100) for name in ("distance", "specialisms", "languageAndCulture", "ofsted", "trackRecord")},
    # Re-openings and mergers (schema/types/reopenings.py, schema/mutations/mergers.py).
    "opensOn": Bound(earliest=-366, latest=366 * 2),
    "closesOn": Bound(earliest=-366, latest=366 * 2),
    "lotIds": Bound(max_items=20),
    "statement": NOTE,
    "mergedOn": Bound(earliest=-366 * 2, latest=1),
    "lotTerms": Bound(max_items=20),
    # Suspensions from a lot (schema/mutations/suspensions.py) share "startsOn" with a framework's term above.
    # Data standards in and out (schema/types/data_standards.py).
    "year": Bound(low=2000, high=2100),
    "since": Bound(earliest=-366 * 30, latest=1),
    "until": Bound(earliest=-366 * 30, latest=366),
    "placementOfficerName": Bound(max_length=120),
    "costOfficerName": Bound(max_length=120),
    "placementDate": Bound(earliest=-366 * 30, latest=1),
    "costDate": Bound(earliest=-366 * 30, latest=1),
    "siblingsPlacedTogether": Bound(high=10),
    "riskToChildOther": Bound(max_length=500),
    "riskToOthersOther": Bound(max_length=500),
    "additionalSupportOther": Bound(max_length=500),
    # Block contracts (schema/mutations/block_contracts.py): a term of up to 10 years, from up to 2 years ahead.
    "weeklyPricePence": PENCE,
    "voidWeeklyPence": PENCE,
    "voidPercent": Bound(high=100),
    "callOffWindowHours": Bound(high=7 * 24),
    # ("endsOn" is shared with a framework's term above; the 10-year term is the service's rule.)
}
DEFAULT = Bound()
MAX_ID_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class OutOfBounds(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def bound_for(name: str) -> Bound:
    return BOUNDS.get(name, DEFAULT)


def _graphql_name(field: StrawberryField) -> str:
    return field.graphql_name or to_camel_case(field.python_name)


def checked(name: str, value: Any) -> Any:
    """The value, with repeated list items kept once; OutOfBounds naming the field if it is out of bounds."""
    bound = bound_for(name)
    if value is None or isinstance(value, bool | enum.Enum):
        return value
    if isinstance(value, str):
        _check_text(name, value, MAX_ID_LENGTH if _is_id(name) else bound.max_length)
    elif isinstance(value, int):
        if not bound.low <= value <= bound.high:
            raise OutOfBounds(name, f"`{name}` must be between {bound.low:,} and {bound.high:,}.")
    elif isinstance(value, datetime | date):
        _check_date(name, value, bound)
    elif isinstance(value, list):
        value = _unique(value)
        if len(value) > bound.max_items:
            raise OutOfBounds(name, f"`{name}` takes at most {bound.max_items} items.")
        value = [checked(name, item) for item in value]
    elif has_object_definition(value):
        for field in value.__strawberry_definition__.fields:
            inner = getattr(value, field.python_name)
            try:
                setattr(value, field.python_name, checked(_graphql_name(field), inner))
            except OutOfBounds as error:
                raise OutOfBounds(f"{name}.{error.field}" if name != "input" else error.field, error.message) from None
    return value


def _is_id(name: str) -> bool:
    """A global id (bounded by MAX_ID_LENGTH); a name with a bound of its own (councilChildId) is not one."""
    return name not in BOUNDS and (name == "id" or name.endswith("Id"))


def _check_text(name: str, value: str, max_length: int) -> None:
    if len(value) > max_length:
        raise OutOfBounds(name, f"`{name}` is at most {max_length:,} characters ({len(value):,} given).")
    if _CONTROL.search(value) or _SURROGATE.search(value):
        raise OutOfBounds(name, f"`{name}` contains a control character or an invalid character; remove it.")


def _check_date(name: str, value: date, bound: Bound) -> None:
    # The year first: arithmetic on 0001-01-01T00:00:00+14:00 overflows.
    if not 1900 <= value.year <= 2200:
        raise OutOfBounds(name, f"`{name}` must be a date between 1900 and 2200.")
    today = datetime.now(UTC).date()
    day = value.astimezone(UTC).date() if isinstance(value, datetime) and value.tzinfo else value
    day = day.date() if isinstance(day, datetime) else day
    if bound.earliest is not None and day < today + timedelta(days=bound.earliest):
        earliest = today + timedelta(days=bound.earliest)
        raise OutOfBounds(name, f"`{name}` is too far in the past: give a date from {earliest} on.")
    if bound.latest is not None and day > today + timedelta(days=bound.latest):
        latest = today + timedelta(days=bound.latest)
        raise OutOfBounds(name, f"`{name}` is too far ahead: give a date up to {latest}.")


def _unique(items: list[Any]) -> list[Any]:
    try:
        return list(dict.fromkeys(items))
    except TypeError:  # unhashable items (input objects): kept as given
        return items


class InputBounds(FieldExtension):
    """Checks a root field's arguments before its resolver runs."""

    def __init__(self, refuse: Callable[[OutOfBounds], Any]) -> None:
        self.refuse = refuse

    def _checked(self, kwargs: dict[str, Any]) -> dict[str, Any] | Any:
        try:
            return {name: checked(to_camel_case(name), value) for name, value in kwargs.items()}
        except OutOfBounds as error:
            return self.refuse(error)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        arguments = self._checked(kwargs)
        return next_(source, info, **arguments) if isinstance(arguments, dict) else arguments

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        arguments = self._checked(kwargs)
        if not isinstance(arguments, dict):
            return arguments
        result = next_(source, info, **arguments)
        return await result if hasattr(result, "__await__") else result


def _refuse_in_payload(payload: type) -> Callable[[OutOfBounds], Any]:
    def refuse(error: OutOfBounds) -> Any:
        values = {field.python_name: None for field in payload.__strawberry_definition__.fields}
        values["errors"] = [UserError(field=error.field, code=ErrorCode.INVALID, message=error.message)]
        return payload(**values)

    return refuse


def _refuse_as_error(error: OutOfBounds) -> Any:
    raise GraphQLError(error.message, extensions={"code": "INVALID", "field": error.field})


def guard_root_fields(root: type, *, mutation: bool) -> None:
    """Put InputBounds on every field of a root type that takes arguments, and write the bounds into the
    descriptions of its arguments' input types."""
    for field in root.__strawberry_definition__.fields:
        if not field.arguments or any(isinstance(extension, InputBounds) for extension in field.extensions):
            continue
        refuse = _refuse_in_payload(_unwrap(field.type)) if mutation else _refuse_as_error
        field.extensions.append(InputBounds(refuse))
        for argument in field.arguments:
            _describe_bounds(_unwrap(argument.type), seen=set())


def _unwrap(annotation: Any) -> Any:
    while isinstance(annotation, StrawberryOptional | StrawberryList):
        annotation = annotation.of_type
    return annotation


def _is_list(annotation: Any) -> bool:
    while isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return isinstance(annotation, StrawberryList)


def _describe_bounds(kind: Any, seen: set[Any]) -> None:
    if not has_object_definition(kind) or kind in seen:
        return
    seen.add(kind)
    for field in kind.__strawberry_definition__.fields:
        inner = _unwrap(field.type)
        if has_object_definition(inner):
            _describe_bounds(inner, seen)
            continue
        note = _bound_note(_graphql_name(field), inner, _is_list(field.type))
        if note and note not in (field.description or ""):
            known = (field.description or "").rstrip()
            field.description = f"{known}{'' if known.endswith('.') else '.'} {note}" if known else note


def _bound_note(name: str, kind: Any, is_list: bool) -> str:
    bound = bound_for(name)
    notes: list[str] = []
    if is_list:
        notes.append(f"At most {bound.max_items} items; repeats are kept once.")
    if kind is str and not _is_id(name):
        notes.append(f"At most {bound.max_length:,} characters.")
    elif kind is int:
        notes.append(f"From {bound.low:,} to {bound.high:,}.")
    elif kind in (date, datetime):
        notes.append(_date_note(bound))
    return " ".join(notes)


def _date_note(bound: Bound) -> str:
    def when(days: int | None, edge: str) -> str:
        if days is None:
            return edge
        if days in (0, 1):
            return "today"
        amount, unit = (days // 365, "year") if days % 365 == 0 else (days, "day")
        amount = abs(amount)
        plural = "s" if amount != 1 else ""
        return f"{amount:,} {unit}{plural} {'ago' if days < 0 else 'ahead'}"

    return f"From {when(bound.earliest, '1900')} to {when(bound.latest, '2200')}."


def guarded_fields(roots: Iterable[type]) -> list[StrawberryField]:
    """The root fields InputBounds guards (for tests)."""
    return [
        field
        for root in roots
        for field in root.__strawberry_definition__.fields
        if any(isinstance(extension, InputBounds) for extension in field.extensions)
    ]
