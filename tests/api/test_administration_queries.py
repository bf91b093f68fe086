"""The administration reads, through the served schema: tenancy of members' prices, accounts and tokens."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bench.harness.marketplace import PASSWORD, Marketplace
from schema.ids import to_global_id
from server.models import LotMembership
from tests.api.conftest import Api
from tests.api.test_permission_matrix import World, build_world

PROVIDERS = """{ providers { name ofstedUrn ofstedJudgement status memberships {
  id tier leftOn lot { code framework { name } } priceSchedule { ageBand needLevel weeklyFeePence } } } }"""
FRAMEWORKS = (
    "{ frameworks { id name canManage lots { code members { provider { name } priceSchedule { weeklyFeePence } } } } }"
)
CREATE_TOKEN = """mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token tokenId errors { field code } } }"""
TOKENS = "{ apiTokens { id name prefix createdAt lastUsedAt revokedAt owner { email } } }"


@pytest.fixture
async def world(api: Api, market: Marketplace) -> AsyncIterator[World]:
    yield await build_world(api, market)
    await asyncio.sleep(0.05)  # as the matrix's world: let the hub take the last commit before the app stops


async def test_a_commissioner_sees_its_frameworks_prices_and_not_another_councils(world: World) -> None:
    medway_member = await LotMembership.get(lot_id=world.medway_lot.id)  # Oakleaf at 95,000 a week
    medway_id = to_global_id("LotMembership", medway_member.id)

    kent = (await world.api(PROVIDERS, as_="kent_commissioner"))["data"]["providers"]
    admin = (await world.api(PROVIDERS, as_="admin"))["data"]["providers"]

    oakleaf = next(p for p in kent if p["name"] == "Oakleaf Care (test)")
    assert [m["lot"]["code"] for m in oakleaf["memberships"]] == ["LOT1"]
    assert sorted(p["weeklyFeePence"] for p in oakleaf["memberships"][0]["priceSchedule"])[0] == 86_500
    assert medway_id not in json.dumps(kent) and 95_000 not in _fees(kent)
    # The row is there, only not for Kent: the admin sees it, with its prices.
    assert medway_id in json.dumps(admin) and 95_000 in _fees(admin)

    frameworks = (await world.api(FRAMEWORKS, as_="kent_commissioner"))["data"]["frameworks"]
    assert [(f["name"], f["canManage"]) for f in frameworks] == [("Kent & Medway IFP framework", True)]
    assert "Medway specialist fostering" not in json.dumps(frameworks)


async def test_only_the_lead_councils_commissioners_may_manage_a_framework(world: World) -> None:
    # Medway is a member of Kent's framework: it sees the members and their prices, and may not change them.
    seen = (await world.api(FRAMEWORKS, as_="medway_officer"))["data"]["frameworks"]
    by_name = {f["name"]: f for f in seen}
    assert by_name["Kent & Medway IFP framework"]["canManage"] is False
    assert by_name["Medway specialist fostering"]["canManage"] is False  # an officer, not a commissioner
    assert (await world.api(FRAMEWORKS, as_="kent_officer"))["data"]["frameworks"][0]["canManage"] is False
    admin = (await world.api(FRAMEWORKS, as_="admin"))["data"]["frameworks"]
    assert {f["name"] for f in admin} == {"Kent & Medway IFP framework", "Medway specialist fostering"}
    assert all(f["canManage"] for f in admin)


async def test_placement_officers_and_providers_get_no_register_of_providers(world: World) -> None:
    for who in ("kent_officer", "harbour", "harbour_admin"):
        assert (await world.api(PROVIDERS, as_=who))["data"] == {"providers": []}, who


async def test_an_api_token_is_shown_once_and_listed_only_by_its_prefix(world: World) -> None:
    made = (await world.api(CREATE_TOKEN, {"input": {"name": "Case system", "days": 30}}, as_="harbour"))["data"]
    token = made["createApiToken"]["token"]
    assert token.startswith("pxa_")

    listed = (await world.api(TOKENS, as_="harbour"))["data"]["apiTokens"]
    assert [(t["id"], t["name"], t["revokedAt"]) for t in listed] == [
        (made["createApiToken"]["tokenId"], "Case system", None)
    ]
    assert token.startswith(listed[0]["prefix"]) and len(listed[0]["prefix"]) == 10
    assert token not in json.dumps(listed) and token[10:20] not in json.dumps(listed)
    # Someone else's tokens are not listed to Harbour, and Harbour's not to them; the admin sees both.
    assert (await world.api(TOKENS, as_="oakleaf"))["data"]["apiTokens"] == []
    assert made["createApiToken"]["tokenId"] in json.dumps(await world.api(TOKENS, as_="admin"))

    used = await world.api("{ me { email } }", headers={"Authorization": f"Bearer {token}"})
    assert used["data"]["me"]["email"] == "duty@harbour.test"
    revoke = "mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { ok errors { code } } }"
    done = await world.api(revoke, {"input": {"tokenId": made["createApiToken"]["tokenId"]}}, as_="harbour")
    assert done["data"]["revokeApiToken"] == {"ok": True, "errors": []}
    [revoked] = (await world.api(TOKENS, as_="harbour"))["data"]["apiTokens"]
    assert revoked["revokedAt"] is not None and revoked["lastUsedAt"] is not None
    refused = await world.api("{ me { email } }", headers={"Authorization": f"Bearer {token}"})
    assert refused["data"]["me"] is None


async def test_a_provider_admin_lists_and_creates_only_its_own_staff(world: World) -> None:
    users = "{ users(first: 100) { edges { node { email role provider { name } } } } }"
    staff = (await world.api(users, as_="harbour_admin"))["data"]["users"]["edges"]
    assert {edge["node"]["provider"]["name"] for edge in staff} == {"Harbour Fostering (test)"}
    assert {edge["node"]["email"] for edge in staff} == {"duty@harbour.test", "manager@harbour.test"}
    roles = (await world.api("{ grantableRoles }", as_="harbour_admin"))["data"]["grantableRoles"]
    assert roles == ["PROVIDER_RESPONDER", "PROVIDER_ADMIN"]
    assert (await world.api("{ grantableRoles }", as_="kent_commissioner"))["data"]["grantableRoles"] == []
    assert len((await world.api("{ grantableRoles }", as_="admin"))["data"]["grantableRoles"]) == 5

    create = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { email } errors { code } } }"
    harbour = to_global_id("Provider", world.market.providers["harbour"].id)
    account = {"password": PASSWORD, "displayName": "Night duty", "providerId": harbour}
    refused = await world.api(
        create, {"input": {**account, "email": "x@council.test", "role": "COMMISSIONER"}}, as_="harbour_admin"
    )
    assert refused["data"]["createUser"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    made = await world.api(
        create, {"input": {**account, "email": "night@harbour.test", "role": "PROVIDER_RESPONDER"}}, as_="harbour_admin"
    )
    assert made["data"]["createUser"] == {"user": {"email": "night@harbour.test"}, "errors": []}
    staff = (await world.api(users, as_="harbour_admin"))["data"]["users"]["edges"]
    assert "night@harbour.test" in {edge["node"]["email"] for edge in staff}
    assert (await world.api(users, as_="kent_commissioner"))["data"]["users"]["edges"] == []


def _fees(providers: list[dict]) -> set[int]:
    return {p["weeklyFeePence"] for provider in providers for m in provider["memberships"] for p in m["priceSchedule"]}
