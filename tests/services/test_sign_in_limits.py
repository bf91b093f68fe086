"""Sign-in limits: parallel guesses cannot beat them, a guesser elsewhere cannot lock the real user out, and one
password tried across many accounts from one address is stopped. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from bench.harness.marketplace import PASSWORD, Marketplace
from server.services import sign_in_limits
from server.services.accounts import authenticate
from server.services.errors import ServiceError

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"


async def _outcome(email: str, password: str, address: str) -> str:
    try:
        await authenticate(email, password, address)
    except ServiceError as error:
        return error.code.value
    return "OK"


@pytest.mark.parametrize("guesses", [40, 100])
async def test_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit(
    market: Marketplace, guesses: int
) -> None:
    email = market.users["harbour"].email
    outcomes = await asyncio.gather(*(_outcome(email, f"guess-{n:04d}-x", ATTACKER) for n in range(guesses)))
    # Every guess is written before any is checked, so a burst may be refused whole; never more than the limit
    # are checked, and the real user elsewhere is not locked out by it.
    checked = outcomes.count("INVALID_CREDENTIALS")
    assert checked <= sign_in_limits.LIMITS[0].failures
    assert outcomes.count("RATE_LIMITED") == guesses - checked
    assert await _outcome(email, PASSWORD, OFFICE) == "OK"


async def test_a_guesser_elsewhere_does_not_lock_the_real_user_out(market: Marketplace) -> None:
    email = market.users["harbour"].email
    for n in range(8):
        await _outcome(email, f"guess-{n}-wrong", ATTACKER)
    assert await _outcome(email, PASSWORD, ATTACKER) == "RATE_LIMITED"
    assert await _outcome(email, PASSWORD, OFFICE) == "OK"


async def test_the_refusal_says_how_long_to_wait(market: Marketplace) -> None:
    email = market.users["harbour"].email
    for n in range(5):
        await _outcome(email, f"guess-{n}-wrong", ATTACKER)
    with pytest.raises(ServiceError) as refused:
        await authenticate(email, PASSWORD, ATTACKER)
    assert refused.value.code.value == "RATE_LIMITED" and refused.value.field == "email"
    assert "Try again in 15 minutes." in refused.value.message


async def test_one_password_across_many_accounts_from_one_address_is_stopped(market: Marketplace) -> None:
    limit = sign_in_limits.LIMITS[2].failures
    outcomes = [await _outcome(f"someone{n}@council.test", "Summer2026!", ATTACKER) for n in range(limit + 3)]
    assert outcomes[:limit] == ["INVALID_CREDENTIALS"] * limit
    assert outcomes[limit:] == ["RATE_LIMITED"] * 3
    assert await _outcome(market.users["harbour"].email, PASSWORD, OFFICE) == "OK"


async def test_successful_sign_ins_do_not_count_against_the_limit(market: Marketplace) -> None:
    email = market.users["harbour"].email
    for _ in range(12):
        assert await _outcome(email, PASSWORD, OFFICE) == "OK"


async def test_an_email_longer_than_any_address_is_invalid_not_a_fault(market: Marketplace) -> None:
    with pytest.raises(ServiceError) as refused:
        await authenticate("e" * 1_000_000 + "@x.test", PASSWORD, ATTACKER)
    assert (refused.value.code.value, refused.value.field) == ("INVALID", "email")
