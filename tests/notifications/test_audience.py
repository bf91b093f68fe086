"""Who a notification goes to: one statement reads the audience's active users and their choice for the kind.

Every service that emails names an Audience (some users, or the staff of providers or councils, perhaps in
some roles); UnitOfWork.notify turns it into outbox rows. These tests pin what that statement reads, on
SQLite and PostgreSQL, since the services' own tests only see its end result.
"""

from __future__ import annotations

from bench.harness.marketplace import PASSWORD, Marketplace
from server.auth.actor import Actor
from server.domain.vocabulary import Role
from server.models import OutboxMessage, User
from server.outbox.kinds import Delivery, Notification
from server.services.accounts import create_user
from server.services.notification_preferences import set_preference
from server.services.unit_of_work import Audience, unit_of_work


async def audience_users(audience: Audience, notification: Notification) -> list[dict]:
    async with unit_of_work() as work:
        return await audience.users(notification, work._connection)


async def test_staff_of_providers_with_their_own_choice_or_none(market: Marketplace) -> None:
    harbour, oakleaf = market.providers["harbour"], market.providers["oakleaf"]
    await set_preference(Actor.of(market.users["oakleaf"]), Notification.REFERRAL_BROADCAST, Delivery.DIGEST)
    rows = await audience_users(Audience.of_providers([harbour.id, oakleaf.id]), Notification.REFERRAL_BROADCAST)
    assert [(row["email"], row["role"], row["delivery"]) for row in rows] == [
        ("duty@harbour.test", Role.PROVIDER_RESPONDER.value, None),
        ("duty@oakleaf.test", Role.PROVIDER_RESPONDER.value, Delivery.DIGEST),
    ]
    # A choice about another kind is not read as this kind's.
    rows = await audience_users(Audience.of_providers([oakleaf.id]), Notification.OFFER_DECISION)
    assert [row["delivery"] for row in rows] == [None]


async def test_councils_narrowed_to_roles_and_inactive_users_left_out(market: Marketplace) -> None:
    kent, medway = market.kent, market.medway
    both = Audience.of_councils([kent.id, medway.id], Role.PLACEMENT_OFFICER)
    assert [row["email"] for row in await audience_users(both, Notification.OFFER_ACTIVITY)] == [
        "kent_officer@council.test",
        "medway_officer@council.test",
    ]
    commissioners = Audience.of_councils([kent.id], Role.COMMISSIONER)
    assert [row["display_name"] for row in await audience_users(commissioners, Notification.VACANCY_POSTED)] == [
        "Kent Commissioner"
    ]
    everyone = Audience.of_councils([kent.id])
    assert len(await audience_users(everyone, Notification.VACANCY_POSTED)) == 2

    await User.filter(id=market.users["medway_officer"].id).update(is_active=False)
    assert [row["email"] for row in await audience_users(both, Notification.OFFER_ACTIVITY)] == [
        "kent_officer@council.test"
    ]


async def test_named_users_and_an_empty_audience(market: Marketplace) -> None:
    chosen = [market.users["kent_officer"].id, market.users["harbour"].id]
    rows = await audience_users(Audience.of_users(chosen), Notification.DEADLINE_NEAR)
    assert sorted(row["id"] for row in rows) == sorted(chosen)
    assert Audience.of_providers([]).empty
    async with unit_of_work() as work:
        assert await work.notify(Notification.REFERRAL_BROADCAST, Audience.of_providers([]), {}, key="x") == 0


async def test_notify_queues_by_role_default_or_choice_and_skips_off(market: Marketplace) -> None:
    harbour = market.providers["harbour"]
    admin = await create_user(None, email="admin@harbour.test", password=PASSWORD, display_name="Harbour admin",
                              role=Role.PROVIDER_ADMIN, provider_id=harbour.id)  # fmt: skip
    second = await create_user(None, email="nights@harbour.test", password=PASSWORD, display_name="Night desk",
                               role=Role.PROVIDER_RESPONDER, provider_id=harbour.id)  # fmt: skip
    await set_preference(Actor.of(second), Notification.REFERRAL_BROADCAST, Delivery.OFF)
    async with unit_of_work() as work:
        queued = await work.notify(
            Notification.REFERRAL_BROADCAST, Audience.of_providers([harbour.id]), {"reference": "KEN-1"}, key="7"
        )
    assert queued == 2
    rows = await OutboxMessage.filter(notification=Notification.REFERRAL_BROADCAST.value).order_by("user_id")
    assert [(row.recipient, row.digest) for row in rows] == [
        ("duty@harbour.test", False),  # a responder's default: immediately
        ("admin@harbour.test", True),  # a provider admin's default: the digest
    ]
    assert rows[0].context == {"reference": "KEN-1", "recipient_name": "Harbour Fostering (test) duty desk"}
    assert rows[1].message_id == f"<referral_broadcast.7.{admin.id}@placement-exchange>"
