"""Who an HTTP request to the API says it is: its bearer token, or the portal's session proven by the CSRF
header. Plain functions with no GraphQL import, for the layers that run before the GraphQL endpoint is built
(the response cache, the portal's session): start-up does not import strawberry (see server.app)."""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping
from hashlib import sha256
from typing import Any

from starlette.requests import Request

from server.auth.actor import Actor
from server.settings import Settings

SESSION_COOKIE = "px_session"
CSRF_HEADER = "x-csrf-token"


def csrf_token_for(settings: Settings, session_token: str) -> str:
    """Tied to the session: a page from another site can neither read nor forge it."""
    return hmac.new(settings.secret_key.encode(), f"csrf:{session_token}".encode(), sha256).hexdigest()


def bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# Where a layer in front of the view (the response cache) leaves what it found the request's token belongs to,
# checked against the database during this request, so that the view does not look the token up again.
CHECKED_TOKEN = "placement_exchange.checked_token"


def note_checked_token(scope: MutableMapping[str, Any], token: str, actor: Actor | None) -> None:
    """token_actor's answer for this request's token: the view reuses it (see CHECKED_TOKEN)."""
    scope[CHECKED_TOKEN] = (token, actor)


def request_token(settings: Settings, request: Request) -> str | None:
    """The bearer token, or the portal's session when the request proves it comes from our own pages (CSRF)."""
    token = bearer_token(request.headers)
    if token is None:
        session = request.cookies.get(SESSION_COOKIE)
        expected = csrf_token_for(settings, session) if session else None
        if session and hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), expected or ""):
            token = session
    return token
