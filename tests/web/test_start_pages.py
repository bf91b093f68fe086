"""Everyone signs in to a page of their own: no role's start page is one it may not open."""

from __future__ import annotations

import httpx
import pytest

from bench.harness.marketplace import PASSWORD, Marketplace
from schema.ids import to_global_id
from server.auth.actor import Actor
from server.domain import vocabulary as v
from web.routes import PAGES
from web.session import home_for


@pytest.mark.parametrize("role", list(v.Role))
def test_every_roles_start_page_is_one_it_may_open(role: v.Role) -> None:
    home = home_for(Actor(user_id=1, role=role))
    assert home in PAGES, home
    assert role in PAGES[home][1], f"{role.value} would start on {home}, which it may not open"


async def _signed_in(portal: httpx.AsyncClient, email: str) -> httpx.Response:
    page = await portal.get("/sign-in")
    form_token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    return await portal.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "form_token": form_token}, follow_redirects=True
    )


async def test_a_platform_admin_signs_in_to_parked_emails_not_a_refusal(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    landed = await _signed_in(portal, market.users["admin"].email)
    assert landed.status_code == 200 and str(landed.url).endswith("/parked-emails")
    assert "<h1>Parked emails</h1>" in landed.text and "Not for you" not in landed.text
    assert 'href="/parked-emails"' in landed.text  # in the admin's menu
    start = await portal.get("/", follow_redirects=True)
    assert str(start.url).endswith("/parked-emails") and start.status_code == 200


async def test_parked_emails_is_not_for_other_roles(portal: httpx.AsyncClient, market: Marketplace) -> None:
    await _signed_in(portal, market.users["harbour"].email)
    refused = await portal.get("/parked-emails")
    assert refused.status_code == 403 and "Not for you" in refused.text


async def test_another_councils_referral_gets_the_same_page_as_a_missing_one(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    referral = await market.referral()  # Kent's
    await _signed_in(portal, market.users["kent_officer"].email)
    own = await portal.get(f"/referrals/{to_global_id('Referral', referral.id)}")
    assert own.status_code == 200
    portal.cookies.clear()
    await _signed_in(portal, market.users["medway_officer"].email)  # another council on the same framework
    foreign = await portal.get(f"/referrals/{to_global_id('Referral', referral.id)}")
    missing = await portal.get(f"/referrals/{to_global_id('Referral', 999_999)}")
    garbled = await portal.get("/referrals/not-an-id")
    assert foreign.status_code == missing.status_code == garbled.status_code == 404
    assert "There is nothing at this address" in foreign.text
    assert foreign.text == missing.text
