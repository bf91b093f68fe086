"""Bad input and attackers get clear answers; nothing secret reaches the log; a request's log cost is bounded."""

from __future__ import annotations

import logging

import pytest

from schema.build import MASKED_MESSAGE
from server.request_limits import MAX_REQUEST_BYTES
from tests.api.conftest import Api
from tests.marketplace import Marketplace

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
