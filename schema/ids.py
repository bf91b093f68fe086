"""Relay-style global ids ("Referral:42", base64) and opaque cursors."""

from __future__ import annotations

import base64
import binascii

import strawberry


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("="))


def from_global_id(value: str | strawberry.ID, expected: str) -> int | None:
    """The primary key, or None when the id is malformed or of another type."""
    try:
        padded = str(value) + "=" * (-len(str(value)) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if type_name != expected or not pk.isdigit():
        return None
    return int(pk)


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
    return int(position) if kind == "cursor" and position.isdigit() else None
