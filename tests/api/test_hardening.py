"""Bad input and attackers get clear answers; nothing secret reaches the log; a request's log cost is bounded."""

from __future__ import annotations

import json
import logging

import pytest

from bench.harness.marketplace import Marketplace
from schema.build import MASKED_MESSAGE
from schema.ids import to_global_id
from server.request_limits import MAX_REQUEST_BYTES
from tests.api.conftest import Api

LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token errors { field code } } }"
CREATE_USER = "mutation($input: CreateUserInput!) { createUser(input: $input) { errors { field code } } }"
PUBLISH = "mutation($i: ReferralIdInput!) { publishReferral(input: $i) { errors { field code message } } }"
REFERRAL = "query($id: ID!) { referral(id: $id) { reference } }"
SECRET = "wrong-password-x"


def messages(body: dict) -> list[str]:
    return [error["message"] for error in body.get("errors", [])]


async def test_an_unknown_input_field_is_shown_to_the_client_and_its_password_never_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    login = await api(LOGIN, {"input": {"email": "a@b.test", "password": SECRET, "bogus": 1}})
    create = await api(
        CREATE_USER,
        {"input": {"email": "x@y.test", "password": SECRET, "displayName": "X", "role": "PLATFORM_ADMIN", "no": 1}},
        as_="admin",
    )
    for body in (login, create):
        assert MASKED_MESSAGE not in messages(body)
        assert any("unknown field" in message for message in messages(body)), body
    assert SECRET not in caplog.text


async def test_a_variable_of_the_wrong_type_is_the_clients_mistake_not_a_masked_fault(api: Api) -> None:
    body = await api(PUBLISH, {"i": {"id": 5.5}}, as_="kent_officer")
    assert messages(body) and MASKED_MESSAGE not in messages(body)
    assert "ID cannot represent value: 5.5" in messages(body)[0]


@pytest.mark.parametrize(
    "raw",
    ["Referral:" + "1" * 30, f"Referral:{2**63}", f"Referral:{2**31}", "Referral:²", "Referral:١٢", "Referral:-1"],
)
async def test_ids_no_row_can_have_are_simply_not_found(api: Api, market: Marketplace, raw: str) -> None:
    import base64

    global_id = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    found = await api(REFERRAL, {"id": global_id}, as_="kent_officer")
    assert found == {"data": {"referral": None}}
    published = (await api(PUBLISH, {"i": {"id": global_id}}, as_="kent_officer"))["data"]["publishReferral"]
    assert [error["code"] for error in published["errors"]] == ["NOT_FOUND"]


async def test_a_cursor_past_every_row_pages_from_the_start(api: Api, market: Marketplace) -> None:
    import base64

    await market.referral()
    huge = base64.urlsafe_b64encode(f"cursor:{10**30}".encode()).decode().rstrip("=")
    query = "query($after: String) { referrals(first: 5, after: $after) { edges { node { id } } } }"
    paged = await api(query, {"after": huge}, as_="kent_officer")
    first = await api(query, {}, as_="kent_officer")
    assert "errors" not in paged and paged == first


async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(api: Api) -> None:
    whitespace = b"{" + b" " * (MAX_REQUEST_BYTES + 1) + b'"query": "{ __typename }"}'
    response = await api.client.post("/graphql", content=whitespace, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_chunked_body_over_the_limit_is_refused_with_413(api: Api) -> None:
    async def chunks():
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(MAX_REQUEST_BYTES // 65_536 + 2):
            yield b"x" * 65_536
        yield b'"}'

    response = await api.client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_a_body_under_the_limit_is_answered(api: Api) -> None:
    body = b'{"query": "{ __typename }"}' + b" " * 10_000
    response = await api.client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("extra", [{}, {"bogus": 1}])
async def test_one_huge_anonymous_request_adds_a_bounded_summary_to_the_log(
    api: Api, caplog: pytest.LogCaptureFixture, extra: dict
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await api(LOGIN, {"input": {"email": "e" * 1_000_000 + "@x.test", "password": SECRET, **extra}})
    assert body.get("errors") or body["data"]["login"]["errors"]
    assert len(caplog.text) < 2_000


async def test_a_server_fault_is_masked_and_logged_once_without_its_message(
    api: Api, market: Marketplace, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schema import queries

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"connection string postgres://user:{SECRET}@db/x")

    monkeypatch.setattr(queries.policy, "scope_carer_households", broken)
    caplog.set_level(logging.DEBUG)
    response = await api.client.post(
        "/graphql",
        json={"query": "{ carerHouseholds(first: 5) { edges { node { id } } } }"},
        headers={"Authorization": f"Bearer {api.tokens['harbour']}"},
    )
    body = response.json()
    assert messages(body) == [MASKED_MESSAGE]
    records = [record for record in caplog.records if record.name == "placement_exchange.graphql"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert response.headers["x-request-id"] in line and "RuntimeError" in line and "carerHouseholds" in line
    assert SECRET not in caplog.text and records[0].exc_info is None and len(line) < 1_000


def test_the_procfile_and_serve_set_the_same_server_limits() -> None:
    from pathlib import Path

    from server.cli import SERVER_LIMITS

    web = next(line for line in Path("Procfile").read_text().splitlines() if line.startswith("web:"))
    for name, value in SERVER_LIMITS.items():
        assert f"--{name.replace('_', '-')} {value}" in web


# Bounds at the schema's edge (schema/input_bounds.py): typed INVALID naming the field, nothing stored.

CREATE_REFERRAL = (
    "mutation($input: CreateReferralInput!) { createReferral(input: $input) { referral { id } errors { field code } } }"
)


def _referral(market: Marketplace, **changes: object) -> dict:
    from tests.api.test_api_basics import referral_input

    return referral_input(market, **changes)


def _codes(payload: dict) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"faith": "f" * 61}, "faith"),
        ({"culturalNeeds": "c" * 1_000_000}, "culturalNeeds"),
        ({"summary": "s" * 4_001}, "summary"),
        ({"summary": "Likes art\x00"}, "summary"),
        ({"summary": "Likes art \ud800"}, "summary"),
        ({"requiredBy": "9999-12-31T00:00:00+00:00"}, "requiredBy"),
        ({"requiredBy": "0001-01-01T00:00:00+14:00"}, "requiredBy"),
        ({"ageYears": 2_000_000_000}, "ageYears"),
        ({"siblingsToPlaceTogether": -1}, "siblingsToPlaceTogether"),
        ({"homeDistrict": "ME14" * 100}, "homeDistrict"),
        ({"needs": ["TRAUMA"] * 10_000}, None),
    ],
)
async def test_a_referral_field_out_of_bounds_is_invalid_by_name_and_nothing_is_stored(
    api: Api, market: Marketplace, changes: dict, field: str | None
) -> None:
    from server.models import Referral

    before = await Referral.all().count()
    # Sent as JSON text (a lone surrogate is valid JSON, "\ud800", that httpx will not encode from a str).
    body = json.dumps({"query": CREATE_REFERRAL, "variables": {"input": _referral(market, **changes)}})
    response = await api.client.post(
        "/graphql",
        content=body.encode(),
        headers={"content-type": "application/json", "Authorization": f"Bearer {api.tokens['kent_officer']}"},
    )
    payload = response.json()["data"]["createReferral"]
    if field is None:  # 10,000 repeats of one need are that need, once
        assert payload["errors"] == []
        stored = await Referral.all().order_by("-id").first()
        assert stored is not None and list(stored.needs) == ["trauma"]
        return
    assert _codes(payload) == [(field, "INVALID")] and payload["referral"] is None
    assert await Referral.all().count() == before


@pytest.mark.parametrize(
    ("query", "variables", "as_", "field"),
    [
        (LOGIN, {"input": {"email": "e" * 300, "password": "x"}}, None, "email"),
        (
            "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token errors { field code } } }",
            {"input": {"name": "n" * 500}},
            "harbour",
            "name",
        ),
        (
            CREATE_USER,
            {"input": {"email": "x@y.test", "password": "p" * 12, "displayName": "d" * 500, "role": "PLATFORM_ADMIN"}},
            "admin",
            "displayName",
        ),
        (
            "mutation($input: OnboardProviderInput!) { onboardProvider(input: $input) { errors { field code } } }",
            {
                "input": {
                    "name": "Care Ltd",
                    "providerType": "IFA",
                    "ofstedUrn": "SC" + "1" * 50,
                    "ofstedJudgement": "GOOD",
                    "district": "ME14",
                }
            },
            "admin",
            "ofstedUrn",
        ),
        (
            "mutation($input: CreateCarerHouseholdInput!) { createCarerHousehold(input: $input) { errors { field code } } }",
            {"input": {"reference": "r" * 41, "district": "ME14"}},
            "harbour",
            "reference",
        ),
    ],
)
async def test_strings_longer_than_their_column_are_invalid_by_name(
    api: Api, query: str, variables: dict, as_: str | None, field: str
) -> None:
    body = await api(query, variables, as_=as_)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert _codes(payload) == [(field, "INVALID")]


async def test_money_above_any_fee_and_dates_in_year_one_are_invalid(api: Api, market: Marketplace) -> None:
    from server.models import LotMembership

    membership = await LotMembership.filter(provider_id=market.providers["harbour"].id).first()
    query = "mutation($input: SetPriceScheduleInput!) { setPriceSchedule(input: $input) { errors { field code } } }"
    base = {
        "membershipId": to_global_id("LotMembership", membership.id),
        "effectiveFrom": "2026-04-01",
        "prices": [{"ageBand": "AGE_11_15", "needLevel": "STANDARD", "weeklyFeePence": 2_147_483_647}],
    }
    money = (await api(query, {"input": base}, as_="admin"))["data"]["setPriceSchedule"]
    assert _codes(money) == [("prices.weeklyFeePence", "INVALID")]
    early = await api(query, {"input": {**base, "effectiveFrom": "0001-01-01", "prices": []}}, as_="admin")
    assert _codes(early["data"]["setPriceSchedule"]) == [("effectiveFrom", "INVALID")]


async def test_a_query_argument_out_of_bounds_is_an_invalid_error_naming_it(api: Api) -> None:
    query = "query($f: ReferralFilter) { referrals(first: 5, filter: $f) { edges { node { id } } } }"
    body = await api(query, {"f": {"createdSince": "0001-01-01T00:00:00+14:00"}}, as_="kent_officer")
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INVALID", "field": "filter.createdSince"}
    assert MASKED_MESSAGE != error["message"]


def test_every_root_field_with_arguments_is_guarded() -> None:
    from schema.build import Mutation, Query, build_schema
    from schema.input_bounds import guarded_fields

    build_schema(production=False)
    with_arguments = [
        field for root in (Query, Mutation) for field in root.__strawberry_definition__.fields if field.arguments
    ]
    assert with_arguments and guarded_fields([Query, Mutation]) == with_arguments
