"""People and their credentials: users, sign-in, bearer and API tokens, portal sessions."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.auth.passwords import MIN_LENGTH, dummy_hash, hash_password, verify_password
from server.domain.vocabulary import Role
from server.events.version import note_local_change
from server.models import AccessToken, Council, Provider, User
from server.repositories import tokens
from server.services import sign_in_limits
from server.services.errors import ErrorCode, ServiceError, denied, invalid

LOGIN_TOKEN_LIFETIME = timedelta(hours=12)
SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(days=365)
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit, and the column's
TOKEN_PREFIX = {"login": "pxl_", "api": "pxa_", "session": "pxs_"}
SHOWN_PREFIX_LENGTH = 10  # "pxa_" and six of the 43 random characters: enough to tell tokens apart, not to guess


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    actor: Actor | None,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    council_id: int | None = None,
    provider_id: int | None = None,
) -> User:
    """actor None means the operator at the command line."""
    if actor is not None and not policy.may_create_user(actor, role, provider_id):
        raise denied("You cannot create that account.")
    email = normalise_email(email)
    problems: list[ServiceError] = []
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        problems.append(invalid("email", "Give a valid email address."))
    if len(password) < MIN_LENGTH:
        problems.append(invalid("password", f"Passwords are at least {MIN_LENGTH} characters long."))
    if role.is_council and (council_id is None or not await Council.exists(id=council_id)):
        problems.append(invalid("councilId", "Council staff belong to a council."))
    if role.is_provider and (provider_id is None or not await Provider.exists(id=provider_id)):
        problems.append(invalid("providerId", "Provider staff belong to a provider."))
    if role is Role.PLATFORM_ADMIN and (council_id or provider_id):
        problems.append(invalid("role", "Platform admins belong to no organisation."))
    if problems:
        raise ServiceError.many(problems)
    try:
        user = await User.create(
            email=email,
            password_hash=hash_password(password),
            display_name=display_name.strip() or email,
            role=role,
            council_id=council_id if role.is_council else None,
            provider_id=provider_id if role.is_provider else None,
        )
    except IntegrityError as error:
        raise ServiceError(ErrorCode.DUPLICATE, "An account with that email already exists.", "email") from error
    _note_user_changed(user)
    return user


async def authenticate(email: str, password: str, client_address: str = "") -> User:
    """Check a password, within the sign-in limits (server.services.sign_in_limits)."""
    email = normalise_email(email)
    if len(email) > MAX_EMAIL_LENGTH:
        raise invalid("email", f"An email address is at most {MAX_EMAIL_LENGTH} characters.")
    attempt = await sign_in_limits.begin_attempt(email, client_address)
    user = await User.get_or_none(email=email)
    ok = verify_password(user.password_hash if user else dummy_hash(), password) and user is not None
    ok = ok and user.is_active
    await sign_in_limits.finish_attempt(attempt, ok)
    if not ok:
        raise ServiceError(ErrorCode.INVALID_CREDENTIALS, "That email and password do not match.", "password")
    await User.filter(id=user.id).update(last_login_at=datetime.now(UTC))
    _note_user_changed(user)
    return user


def _note_user_changed(user: User) -> None:
    """Kept answers that show this user (its organisation's staff list, its tokens; platform admins see everyone,
    and their answers depend on every change) are out of date; other organisations' are not: a duty desk signing
    in leaves every other agency's kept inbox alone. A user of no organisation, or an admin, concerns everyone."""
    note_local_change(Actor.of(user).topics)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    user: User, kind: str, *, name: str = "", lifetime: timedelta | None = None
) -> tuple[str, AccessToken]:
    """The token is returned once, here; only its SHA-256 is stored."""
    lifetime = lifetime or {"login": LOGIN_TOKEN_LIFETIME, "session": SESSION_LIFETIME}.get(kind, API_TOKEN_LIFETIME)
    token = TOKEN_PREFIX[kind] + secrets.token_urlsafe(32)
    row = await AccessToken.create(
        user_id=user.id,
        token_hash=_digest(token),
        kind=kind,
        name=name,
        prefix=token[:SHOWN_PREFIX_LENGTH] if kind == "api" else "",
        expires_at=datetime.now(UTC) + lifetime,
    )
    if kind == "api":
        _note_user_changed(user)  # the list of API tokens (apiTokens) has changed
    return token, row


# Who a token belongs to, remembered for a few seconds: the cached GraphQL reads (schema/response_cache.py)
# answer without touching the database. Revoking a token in this process forgets it at once; another
# process may still know it for up to TOKEN_MEMORY_SECONDS.
TOKEN_MEMORY_SECONDS = 10.0
_TOKEN_MEMORY_LIMIT = 10_000
_known_tokens: dict[str, tuple[Actor, float]] = {}


async def token_actor(token: str) -> Actor | None:
    """Who a token belongs to, checked against the database now (revoked, expired or deactivated: None).

    The one look-up of a token (server.repositories.tokens), made once per request over HTTP, per
    websocket and per portal page. What it finds is remembered for up to TOKEN_MEMORY_SECONDS
    (remembered_actor), for the response cache.
    """
    digest = _digest(token)
    owner = await tokens.token_owner(digest)
    now = datetime.now(UTC)
    if owner is None or owner.expires_at <= now:
        _known_tokens.pop(digest, None)
        return None
    if owner.last_used_at is None or now - owner.last_used_at > timedelta(minutes=5):
        await tokens.note_token_used(owner.token_id, now)
    actor = Actor(
        user_id=owner.user_id,
        role=owner.role,
        council_id=owner.council_id,
        provider_id=owner.provider_id,
        email=owner.email,
    )
    if len(_known_tokens) >= _TOKEN_MEMORY_LIMIT:
        _known_tokens.clear()
    lasts = min(TOKEN_MEMORY_SECONDS, (owner.expires_at - now).total_seconds())
    _known_tokens[digest] = (actor, time.monotonic() + lasts)
    return actor


def remembered_actor(token: str) -> Actor | None:
    """Who token_actor found the token belongs to, if it did less than TOKEN_MEMORY_SECONDS ago (no database)."""
    known = _known_tokens.get(_digest(token))
    return known[0] if known is not None and known[1] > time.monotonic() else None


async def signed_in_user(token: str) -> User | None:
    """The user a token belongs to (token_actor's one look-up), for pages that show who is signed in."""
    actor = await token_actor(token)
    return await User.get_or_none(id=actor.user_id) if actor else None


def forget_tokens() -> None:
    _known_tokens.clear()


async def revoke_token(token: str) -> bool:
    _known_tokens.pop(_digest(token), None)
    return bool(
        await AccessToken.filter(token_hash=_digest(token), revoked_at__isnull=True).update(
            revoked_at=datetime.now(UTC)
        )
    )


async def revoke_token_by_id(actor: Actor, token_id: int) -> bool:
    query = AccessToken.filter(id=token_id, revoked_at__isnull=True)
    if not policy.may_administer(actor):
        query = query.filter(user_id=actor.user_id)
    revoked = bool(await query.update(revoked_at=datetime.now(UTC)))
    note_local_change()
    forget_tokens()  # which token it was is not known by its digest here
    return revoked
