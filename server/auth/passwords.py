"""Argon2id password hashing (argon2-cffi: the reference implementation's binding)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 10
_hasher: PasswordHasher | None = None  # made by the first password hashed or checked (tests set a cheap one)


def _the_hasher() -> PasswordHasher:
    """argon2-cffi and its C binding are loaded by the first password hashed or checked, not at start-up."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def hash_password(password: str) -> str:
    return _the_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _the_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verified against when the email is unknown, so response time does not reveal which emails exist.

    Made on the first sign-in, not at import: an Argon2 hash costs a tenth of a second of start-up."""
    return hash_password("placement-exchange-timing-equaliser")
