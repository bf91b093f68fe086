"""Portal sessions: an HttpOnly, SameSite cookie holding a session token (stored hashed)."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from schema.request_auth import SESSION_COOKIE, csrf_token_for
from server.auth.actor import Actor
from server.models import User
from server.services.accounts import SESSION_LIFETIME, issue_token, revoke_token, signed_in_user
from server.settings import Settings


async def current_user(connection: HTTPConnection) -> User | None:
    token = connection.cookies.get(SESSION_COOKIE)
    return await signed_in_user(token) if token else None


async def start_session(response: Response, user: User, settings: Settings) -> None:
    token, _ = await issue_token(user, "session")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        path="/",
    )


async def end_session(connection: HTTPConnection, response: Response) -> None:
    token = connection.cookies.get(SESSION_COOKIE)
    if token:
        await revoke_token(token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_for(connection: HTTPConnection, settings: Settings) -> str:
    token = connection.cookies.get(SESSION_COOKIE)
    return csrf_token_for(settings, token) if token else ""


def home_for(actor: Actor) -> str:
    if actor.is_provider:
        return "/inbox"
    if actor.role.value == "placement_officer":
        return "/referrals"
    if actor.role.value == "platform_admin":
        return "/parked-emails"
    return "/dashboard"
