"""Portal sessions: a page names who is signed in and their organisation, after one look-up of the session
token (the same look-up as the API's); a revoked session is sent back to sign in."""

from __future__ import annotations

import httpx

from bench.harness.marketplace import Marketplace
from schema.view import SESSION_COOKIE
from server.services import accounts
from tests.api.conftest import token_lookups


async def test_a_page_names_the_signed_in_officer_and_council(portal: httpx.AsyncClient, market: Marketplace) -> None:
    officer = market.users["kent_officer"]
    session, _ = await accounts.issue_token(officer, "session")
    portal.cookies.set(SESSION_COOKIE, session)
    with token_lookups() as lookups:
        page = await portal.get("/dashboard")
    assert page.status_code == 200
    assert officer.display_name in page.text and market.kent.name in page.text
    assert len(lookups) == 1, lookups


async def test_a_revoked_session_is_sent_to_sign_in(portal: httpx.AsyncClient, market: Marketplace) -> None:
    session, _ = await accounts.issue_token(market.users["harbour"], "session")
    portal.cookies.set(SESSION_COOKIE, session)
    assert (await portal.get("/inbox")).status_code == 200
    assert await accounts.revoke_token(session)
    page = await portal.get("/inbox", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
