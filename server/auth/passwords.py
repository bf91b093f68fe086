"""Argon2id password hashing (argon2-cffi: the reference implementation's binding)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verified against when the email is unknown, so response time does not reveal which emails exist.

    Made on the first sign-in, not at import: an Argon2 hash costs a tenth of a second of start-up."""
    return hash_password("placement-exchange-timing-equaliser")
