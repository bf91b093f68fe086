"""Relay-style global ids ("Referral:42", base64) and opaque cursors."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # strawberry.ID is a NewType of str: the portal imports these without importing strawberry
    from strawberry import ID

# Row ids are 32-bit integer columns (connections page by them too); events have 64-bit ids of their own.
MAX_ROW_ID = 2**31 - 1


def to_global_id(type_name: str, pk: int) -> ID:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")  # type: ignore[return-value]


def from_global_id(value: str | ID, expected: str) -> int | None:
    """The primary key, or None when the id is malformed or of another type."""
    try:
        padded = str(value) + "=" * (-len(str(value)) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if type_name != expected:
        return None
    return _bounded_number(pk, MAX_ROW_ID)


def to_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{position}".encode()).decode().rstrip("=")


def from_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, position = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return _bounded_number(position, MAX_ROW_ID) if kind == "cursor" else None


def _bounded_number(text: str, maximum: int) -> int | None:
    """ASCII digits only ("١٢" and "²" are digits to str.isdigit, and int() reads the first), within the column's
    range: a number no row can have is simply not found, never an overflow in the database."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
