"""Sealing the child's identified details at rest: AES-256-GCM from `cryptography`, one key ring.

A sealed value is text, `pe1:<key id>:<base64 of nonce + ciphertext + tag>`:
- a fresh random 96-bit nonce for every value (never reused with a key: 2**32 values per key stay far below
  the birthday bound);
- associated data naming the row and the field (`child_record:42:nhs_number`), so a value copied into
  another row or another column does not open;
- the key id (the first 8 hex digits of a SHA-256 of the key, not a secret) says which key sealed it, so
  that retired keys (DATA_ENCRYPTION_KEYS_OLD) still open old values while `placement-exchange
  rotate-data-key` seals everything again under the current one.

In development without DATA_ENCRYPTION_KEY a key is generated once into the data folder (mode 0600) and
reused by every process of that checkout; production refuses to start without the setting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from server.settings import DATA_KEY_BYTES, DEFAULT_DATA_DIR, Settings

PREFIX = "pe1"
NONCE_BYTES = 12
DEV_KEY_FILE = "data-encryption.key"


class SealError(ValueError):
    """A sealed value that does not open: unknown key, tampered, or moved to another row or field."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"placement-exchange data key\x00" + key).hexdigest()[:8]


def new_key() -> str:
    """A fresh data key, base64, for DATA_ENCRYPTION_KEY."""
    return base64.b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode()


def associated_data(table: str, row: int, column: str) -> bytes:
    return f"{table}:{row}:{column}".encode()


@dataclass(frozen=True)
class KeyRing:
    current: bytes = field(repr=False)
    retired: tuple[bytes, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if len(self.current) != DATA_KEY_BYTES or any(len(key) != DATA_KEY_BYTES for key in self.retired):
            raise ValueError("data keys are 32 bytes")

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def _key(self, kid: str) -> bytes:
        for key in (self.current, *self.retired):
            if key_id(key) == kid:
                return key
        raise SealError(f"no data key with id {kid} (is it missing from DATA_ENCRYPTION_KEYS_OLD?)")

    def seal(self, value: str | bytes, aad: bytes) -> str:
        plain = value.encode() if isinstance(value, str) else value
        # cryptography (and OpenSSL, some 6 MB) is loaded by the first value sealed or opened, not at start-up.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.current).encrypt(nonce, plain, aad)
        return f"{PREFIX}:{self.current_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str, aad: bytes) -> bytes:
        prefix, kid, body = _parts(token)
        if prefix != PREFIX:
            raise SealError("not a sealed value")
        key = self._key(kid)
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            raw = base64.b64decode(body, validate=True)
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except (binascii.Error, InvalidTag, ValueError) as error:
            raise SealError("a sealed value did not open (tampered, or moved to another row or field)") from error

    def open_text(self, token: str, aad: bytes) -> str:
        return self.open(token, aad).decode()

    def is_current(self, token: str) -> bool:
        return _parts(token)[1] == self.current_id

    def reseal(self, token: str, aad: bytes) -> str:
        """The value sealed under the current key (unchanged if it already is)."""
        return token if self.is_current(token) else self.seal(self.open(token, aad), aad)


def _parts(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2)
    if len(parts) != 3:
        raise SealError("not a sealed value")
    return parts[0], parts[1], parts[2]


def ring_for(settings: Settings) -> KeyRing:
    current = settings.data_encryption_key or _development_key(settings)
    return KeyRing(current, settings.data_encryption_keys_old)


def _development_key(settings: Settings) -> bytes:
    """Development only (production refuses to start without DATA_ENCRYPTION_KEY): one key per checkout,
    made by the first process that needs it and read by every other. Written whole, then linked into place:
    two processes starting at once agree on the first one's key."""
    if settings.is_production:
        raise ValueError("DATA_ENCRYPTION_KEY is required in production")
    path = Path(DEFAULT_DATA_DIR) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{DEV_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return base64.b64decode(path.read_text().strip())
