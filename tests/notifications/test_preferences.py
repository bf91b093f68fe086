"""Choosing which emails you get: role defaults and overrides (the GraphQL side: tests/api)."""

from __future__ import annotations

import pytest

from bench.harness.marketplace import Marketplace
from server.models import OutboxMessage
from server.outbox.kinds import Delivery, Notification
from server.services.errors import ErrorCode, ServiceError
from server.services.notification_preferences import preferences_for, set_preference


async def test_placement_officer_sees_role_defaults_merged_with_their_choices(market: Marketplace) -> None:
    officer = market.users["kent_officer"]
    assert await preferences_for(officer) == [
        (Notification.OFFER_ACTIVITY, Delivery.IMMEDIATELY),
        (Notification.DEADLINE_NEAR, Delivery.IMMEDIATELY),
        (Notification.VACANCY_POSTED, Delivery.DIGEST),
        (Notification.PLACEMENT_LIFE, Delivery.IMMEDIATELY),
        (Notification.REVIEWS_DUE, Delivery.IMMEDIATELY),
        (Notification.QUESTION_ASKED, Delivery.IMMEDIATELY),
    ]
    await set_preference(market.actor("kent_officer"), Notification.VACANCY_POSTED, Delivery.OFF)
    await set_preference(market.actor("kent_officer"), Notification.OFFER_ACTIVITY, Delivery.DIGEST)
    await set_preference(market.actor("kent_officer"), Notification.OFFER_ACTIVITY, Delivery.DIGEST)
    assert await preferences_for(market.actor("kent_officer")) == [
        (Notification.OFFER_ACTIVITY, Delivery.DIGEST),
        (Notification.DEADLINE_NEAR, Delivery.IMMEDIATELY),
        (Notification.VACANCY_POSTED, Delivery.OFF),
        (Notification.PLACEMENT_LIFE, Delivery.IMMEDIATELY),
        (Notification.REVIEWS_DUE, Delivery.IMMEDIATELY),
        (Notification.QUESTION_ASKED, Delivery.IMMEDIATELY),
    ]


async def test_provider_staff_are_offered_the_answers_to_questions(market: Marketplace) -> None:
    kinds = dict(await preferences_for(market.users["harbour"]))
    assert kinds[Notification.QUESTION_ANSWERED] is Delivery.IMMEDIATELY
    assert Notification.QUESTION_ASKED not in kinds


async def test_provider_cannot_choose_a_kind_of_email_providers_are_never_sent(market: Marketplace) -> None:
    with pytest.raises(ServiceError) as caught:
        await set_preference(market.actor("harbour"), Notification.DEADLINE_NEAR, Delivery.OFF)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID, "notification")


async def test_digest_choice_applies_to_the_next_email_queued(market: Marketplace) -> None:
    await set_preference(market.actor("harbour"), Notification.REFERRAL_BROADCAST, Delivery.DIGEST)
    await set_preference(market.actor("oakleaf"), Notification.REFERRAL_BROADCAST, Delivery.OFF)
    await market.referral()
    rows = await OutboxMessage.filter(notification="referral_broadcast").values_list("recipient", "digest")
    assert rows == [("duty@harbour.test", True)]
