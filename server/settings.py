"""Settings from environment variables, validated once at start-up.

Every variable is documented in the README's table; a bad value stops the
process with a message naming the variable, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEVELOPMENT_SECRET = "development-only-secret-key-do-not-use-in-production"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    app_env: str
    database_url: str
    redis_url: str | None
    smtp_url: str | None
    secret_key: str
    base_url: str
    mail_from: str
    dev_mailbox_port: int
    live_max_lag_seconds: float = 30.0
    live_max_sockets_per_user: int = 10
    graphql_cache_seconds: float = 10.0
    graphql_read_concurrency: int = 8
    worker_in_process: bool = False
    # The key that seals the child's identified record (server/security/sealed.py), and retired keys still
    # able to open what they sealed until `placement-exchange rotate-data-key` has run. None in development:
    # a key generated once in the data folder. Never in repr, so never in a log line or a traceback.
    data_encryption_key: bytes | None = field(default=None, repr=False)
    data_encryption_keys_old: tuple[bytes, ...] = field(default=(), repr=False)
    child_record_access_days_after_end: int = 30

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        app_env = env.get("APP_ENV", "development").strip().lower()
        if app_env not in ("development", "production"):
            raise SettingsError(f"APP_ENV must be 'development' or 'production', not {app_env!r}")
        return cls(
            app_env=app_env,
            database_url=_database_url(env.get("DATABASE_URL")),
            redis_url=_optional_url("REDIS_URL", env.get("REDIS_URL"), ("redis", "rediss", "unix")),
            smtp_url=_optional_url("SMTP_URL", env.get("SMTP_URL"), ("smtp", "smtps")),
            secret_key=_secret_key(env.get("SECRET_KEY"), app_env),
            base_url=_base_url(env.get("BASE_URL", "http://127.0.0.1:8000")),
            mail_from=env.get("MAIL_FROM", "Placement Exchange <no-reply@placement-exchange.example.org>"),
            dev_mailbox_port=_port("DEV_MAILBOX_PORT", env.get("DEV_MAILBOX_PORT", "8025")),
            live_max_lag_seconds=_seconds("LIVE_MAX_LAG_SECONDS", env.get("LIVE_MAX_LAG_SECONDS", "30")),
            live_max_sockets_per_user=_count(
                "LIVE_MAX_SOCKETS_PER_USER", env.get("LIVE_MAX_SOCKETS_PER_USER", "10"), maximum=100_000
            ),
            graphql_cache_seconds=_seconds(
                "GRAPHQL_CACHE_SECONDS", env.get("GRAPHQL_CACHE_SECONDS", "10"), allow_zero=True
            ),
            graphql_read_concurrency=_count(
                "GRAPHQL_READ_CONCURRENCY", env.get("GRAPHQL_READ_CONCURRENCY", "8"), maximum=10_000
            ),
            worker_in_process=_flag("WORKER_IN_PROCESS", env.get("WORKER_IN_PROCESS"), app_env == "development"),
            data_encryption_key=_data_key(env.get("DATA_ENCRYPTION_KEY"), app_env),
            data_encryption_keys_old=_old_data_keys(env.get("DATA_ENCRYPTION_KEYS_OLD")),
            child_record_access_days_after_end=_days(
                "CHILD_RECORD_ACCESS_DAYS_AFTER_END", env.get("CHILD_RECORD_ACCESS_DAYS_AFTER_END", "30")
            ),
        )


def _database_url(value: str | None) -> str:
    if not value:
        DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite://{DEFAULT_DATA_DIR / 'placement-exchange.sqlite3'}"
    scheme = urlsplit(value).scheme
    if scheme == "postgresql":
        # Tortoise names the asyncpg backend "postgres"; accept the common spelling too.
        value = "postgres" + value[len("postgresql") :]
        scheme = "postgres"
    if scheme not in ("sqlite", "postgres", "asyncpg"):
        raise SettingsError(
            f"DATABASE_URL must start with sqlite://, postgres:// or postgresql://, not {scheme or value!r}"
        )
    return value


def _optional_url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme != "unix" and not parts.hostname):
        raise SettingsError(f"{name} must look like {schemes[0]}://host:port, not {value!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError as error:
        raise SettingsError(f"{name} has a bad port: {value!r}") from error
    return value


def _secret_key(value: str | None, app_env: str) -> str:
    if app_env == "production":
        if not value:
            raise SettingsError("SECRET_KEY is required when APP_ENV=production")
        if len(value) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return value
    return value or DEVELOPMENT_SECRET


DATA_KEY_BYTES = 32


def _data_key(value: str | None, app_env: str) -> bytes | None:
    if not value or not value.strip():
        if app_env == "production":
            raise SettingsError(
                "DATA_ENCRYPTION_KEY is required when APP_ENV=production "
                "(make one with `placement-exchange new-data-key`)"
            )
        return None
    return _decoded_key("DATA_ENCRYPTION_KEY", value)


def _old_data_keys(value: str | None) -> tuple[bytes, ...]:
    if not value or not value.strip():
        return ()
    return tuple(_decoded_key("DATA_ENCRYPTION_KEYS_OLD", part) for part in value.split(",") if part.strip())


def _decoded_key(name: str, value: str) -> bytes:
    """32 bytes from base64; the message never quotes the value (it is a secret)."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != DATA_KEY_BYTES:
        raise SettingsError(
            f"{name} must be {DATA_KEY_BYTES} random bytes in base64 (make one with `placement-exchange new-data-key`)"
        )
    return key


def _days(name: str, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 3650:
        raise SettingsError(f"{name} must be a whole number of days from 0 to 3650, not {value!r}")
    return int(text)


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"BASE_URL must be an http(s) URL such as https://exchange.example.org, not {value!r}")
    return value.rstrip("/")


def _port(name: str, value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise SettingsError(f"{name} must be a port number, not {value!r}")
    return int(value)


def _count(name: str, value: str, *, maximum: int) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= maximum:
        raise SettingsError(f"{name} must be a whole number from 1 to {maximum:,}, not {value!r}")
    return int(text)


def _seconds(name: str, value: str, *, allow_zero: bool = False) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (0 <= seconds if allow_zero else 0 < seconds) or not seconds < 86400:
        low = "from 0" if allow_zero else "between 0"
        raise SettingsError(f"{name} must be a number of seconds {low} and 86400, not {value!r}")
    return seconds


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    answer = value.strip().lower()
    if answer not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{name} must be true or false, not {value!r}")
    return answer in ("true", "1", "yes")
