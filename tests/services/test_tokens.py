"""Bearer tokens: who a token belongs to is checked against the database on every GraphQL request.

`token_actor` (every request over HTTP, every websocket and portal page) reads the token and its user in one
plain statement, and `remembered_actor` is its few-seconds memory, for the response cache; these tests pin
its rules on both databases:
revoked, expired and deactivated are refused; last use is recorded at most every five minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace, build_marketplace
from server.domain.vocabulary import Role
from server.models import AccessToken, User
from server.services import accounts


@pytest.fixture
async def market(db: str) -> Marketplace:
    accounts.forget_tokens()
    return await build_marketplace()


async def test_a_valid_token_names_its_user_and_organisation(market: Marketplace) -> None:
    officer = market.users["kent_officer"]
    token, _ = await accounts.issue_token(officer, "login")
    actor = await accounts.token_actor(token)
    assert actor is not None
    assert (actor.user_id, actor.role, actor.council_id, actor.provider_id, actor.email) == (
        officer.id, Role.PLACEMENT_OFFICER, market.kent.id, None, "kent_officer@council.test"
    )  # fmt: skip
    harbour = await accounts.token_actor((await accounts.issue_token(market.users["harbour"], "api"))[0])
    assert harbour is not None and harbour.provider_id == market.providers["harbour"].id
    assert accounts.remembered_actor(token) == actor


async def test_unknown_revoked_expired_and_deactivated_are_refused(market: Marketplace) -> None:
    assert await accounts.token_actor("pxl_not-a-token") is None

    revoked, _ = await accounts.issue_token(market.users["kent_officer"], "login")
    assert await accounts.revoke_token(revoked)
    assert await accounts.token_actor(revoked) is None

    expired, row = await accounts.issue_token(market.users["kent_officer"], "login")
    await AccessToken.filter(id=row.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await accounts.token_actor(expired) is None
    assert accounts.remembered_actor(expired) is None

    leaver, _ = await accounts.issue_token(market.users["medway_officer"], "login")
    assert await accounts.token_actor(leaver) is not None
    await User.filter(id=market.users["medway_officer"].id).update(is_active=False)
    assert await accounts.token_actor(leaver) is None


async def test_last_use_is_recorded_at_most_every_five_minutes(market: Marketplace) -> None:
    token, row = await accounts.issue_token(market.users["harbour"], "api")
    assert row.last_used_at is None
    await accounts.token_actor(token)
    first = (await AccessToken.get(id=row.id)).last_used_at
    assert first is not None and datetime.now(UTC) - first < timedelta(seconds=5)
    await accounts.token_actor(token)
    assert (await AccessToken.get(id=row.id)).last_used_at == first  # not written again a moment later

    await AccessToken.filter(id=row.id).update(last_used_at=first - timedelta(minutes=6))
    await accounts.token_actor(token)
    assert (await AccessToken.get(id=row.id)).last_used_at > first
