"""Platform admins see the email the worker parked, with why, and can queue it again; nobody else sees any."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from tests.api.conftest import Api

PARKED = "{ parkedEmails(first: 10) { edges { node { id recipient notification attempts lastError } } } }"
RETRY = "mutation($input: RetryParkedEmailInput!) { retryParkedEmail(input: $input) { email { id } errors { field code } } }"


async def _park_one(market: Marketplace) -> OutboxMessage:
    await market.referral()
    message = await OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("id").first()
    assert message is not None
    await OutboxMessage.filter(id=message.id).update(
        status=OutboxStatus.FAILED, attempts=3, last_error="recipient refused: 550 5.1.1 No such mailbox"
    )
    return message


async def test_an_admin_sees_parked_mail_and_queues_it_again(api: Api, market: Marketplace) -> None:
    message = await _park_one(market)
    listed = (await api(PARKED, as_="admin"))["data"]["parkedEmails"]["edges"]
    assert [edge["node"] for edge in listed] == [
        {
            "id": to_global_id("ParkedEmail", message.id),
            "recipient": message.recipient,
            "notification": message.notification,
            "attempts": 3,
            "lastError": "recipient refused: 550 5.1.1 No such mailbox",
        }
    ]
    retried = (await api(RETRY, {"input": {"id": listed[0]["node"]["id"]}}, as_="admin"))["data"]["retryParkedEmail"]
    assert retried["errors"] == [] and retried["email"]["id"] == listed[0]["node"]["id"]
    row = await OutboxMessage.get(id=message.id)
    assert row.status is OutboxStatus.PENDING and row.next_attempt_at <= datetime.now(UTC)
    assert (await api(PARKED, as_="admin"))["data"]["parkedEmails"]["edges"] == []
    again = (await api(RETRY, {"input": {"id": listed[0]["node"]["id"]}}, as_="admin"))["data"]["retryParkedEmail"]
    assert again["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_nobody_else_sees_or_retries_parked_mail(api: Api, market: Marketplace) -> None:
    message = await _park_one(market)
    for who in ("kent_officer", "harbour"):
        assert (await api(PARKED, as_=who))["data"]["parkedEmails"]["edges"] == []
        refused = await api(RETRY, {"input": {"id": to_global_id("ParkedEmail", message.id)}}, as_=who)
        assert refused["data"]["retryParkedEmail"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert (await OutboxMessage.get(id=message.id)).status is OutboxStatus.FAILED
