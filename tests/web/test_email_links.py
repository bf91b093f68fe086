"""Every link in an email lands: a referral by its number goes on to its page (after signing in), and the
unsubscribe link asks before it acts, acts on a one-click POST (RFC 8058) with no cookie, and refuses a bad token."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from bench.harness.marketplace import Marketplace
from notifications.unsubscribe import sign
from schema.ids import to_global_id
from schema.view import SESSION_COOKIE
from server.models import NotificationPreference
from server.outbox.kinds import Notification
from server.services import accounts
from server.settings import Settings


async def test_an_emailed_referral_link_lands_on_the_referral_after_signing_in(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    referral = await market.referral()
    page = f"/referrals/{to_global_id('Referral', referral.id)}"
    moved = await portal.get(f"/referrals/{referral.id}", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (308, page)
    signed_out = await portal.get(page, follow_redirects=False)
    assert signed_out.headers["location"] == f"/sign-in?next={quote(page)}"
    session, _ = await accounts.issue_token(market.users["harbour"], "session")
    portal.cookies.set(SESSION_COOKIE, session)
    landed = await portal.get(f"/referrals/{referral.id}", follow_redirects=True)
    assert landed.status_code == 200 and to_global_id("Referral", referral.id) in landed.text


async def _stored(user_id: int) -> list[tuple[str, str]]:
    rows = await NotificationPreference.filter(user_id=user_id)
    return [(row.notification, row.delivery) for row in rows]


async def test_the_unsubscribe_link_asks_first_and_a_one_click_post_switches_the_email_off(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    user = market.users["harbour"]
    settings = Settings.from_env({"APP_ENV": "development"})
    token = sign(user.id, Notification.REFERRAL_BROADCAST, secret_key=settings.secret_key)
    asked = await portal.get("/preferences", params={"token": token})
    assert asked.status_code == 200 and "Stop these emails" in asked.text
    assert await _stored(user.id) == []  # a mail scanner following the link changes nothing
    clicked = await portal.post(
        "/preferences",
        params={"token": token},
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200 and "You will no longer get these emails" in clicked.text
    assert await _stored(user.id) == [(Notification.REFERRAL_BROADCAST.value, "off")]


async def test_a_forged_unsubscribe_link_changes_nothing(portal: httpx.AsyncClient, market: Marketplace) -> None:
    forged = sign(market.users["harbour"].id, Notification.REFERRAL_BROADCAST, secret_key="another-key-" * 4)
    refused = await portal.post("/preferences", params={"token": forged})
    assert refused.status_code == 400 and "no longer works" in refused.text
    assert await _stored(market.users["harbour"].id) == []


async def test_choosing_which_emails_you_get_needs_signing_in_and_then_shows_the_page(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    signed_out = await portal.get("/preferences", follow_redirects=False)
    assert signed_out.headers["location"] == "/sign-in?next=/preferences"
    session, _ = await accounts.issue_token(market.users["harbour"], "session")
    portal.cookies.set(SESSION_COOKIE, session)
    page = await portal.get("/preferences")
    assert page.status_code == 200 and '/js/pages/preferences.js"' in page.text
