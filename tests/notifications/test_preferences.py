"""Choosing which emails you get: role defaults, overrides, and the GraphQL query and mutation."""

from __future__ import annotations

import pytest
import strawberry

from bench.harness.marketplace import Marketplace
from notifications.kinds import Delivery, Notification
from notifications.preferences import preferences_for, set_preference
from schema.context import Context
from schema.mutations.notifications import NotificationMutations
from schema.types.notifications import NotificationQueries
from server.auth.actor import Actor
from server.models import OutboxMessage
from server.services.errors import ErrorCode, ServiceError
from tests.notifications.conftest import settings_for

schema = strawberry.Schema(query=NotificationQueries, mutation=NotificationMutations)

PREFERENCES = "{ notificationPreferences { notification delivery isDefault description } }"
SET = """
mutation ($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) {
    preference { notification delivery isDefault }
    errors { field code message }
  }
}"""


async def execute(db: str, actor: Actor | None, query: str, **variables) -> dict:
    context = Context(request=None, response=None, settings=settings_for(db, None), actor=actor)
    result = await schema.execute(query, variable_values=variables or None, context_value=context)
    assert result.errors is None, result.errors
    return result.data


async def test_placement_officer_sees_role_defaults_merged_with_their_choices(market: Marketplace) -> None:
    officer = market.users["kent_officer"]
    assert await preferences_for(officer) == [
        (Notification.OFFER_ACTIVITY, Delivery.IMMEDIATELY),
        (Notification.DEADLINE_NEAR, Delivery.IMMEDIATELY),
        (Notification.VACANCY_POSTED, Delivery.DIGEST),
    ]
    await set_preference(market.actor("kent_officer"), Notification.VACANCY_POSTED, Delivery.OFF)
    await set_preference(market.actor("kent_officer"), Notification.OFFER_ACTIVITY, Delivery.DIGEST)
    await set_preference(market.actor("kent_officer"), Notification.OFFER_ACTIVITY, Delivery.DIGEST)
    assert await preferences_for(market.actor("kent_officer")) == [
        (Notification.OFFER_ACTIVITY, Delivery.DIGEST),
        (Notification.DEADLINE_NEAR, Delivery.IMMEDIATELY),
        (Notification.VACANCY_POSTED, Delivery.OFF),
    ]


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


async def test_provider_sets_a_preference_through_graphql(db: str, market: Marketplace) -> None:
    actor = market.actor("harbour")
    before = await execute(db, actor, PREFERENCES)
    assert before["notificationPreferences"][0] == {
        "notification": "REFERRAL_BROADCAST",
        "delivery": "IMMEDIATELY",
        "isDefault": True,
        "description": "A referral is sent to your organisation",
    }

    changed = await execute(db, actor, SET, input={"notification": "REFERRAL_BROADCAST", "delivery": "DIGEST"})
    assert changed["setNotificationPreference"] == {
        "preference": {"notification": "REFERRAL_BROADCAST", "delivery": "DIGEST", "isDefault": False},
        "errors": [],
    }
    after = await execute(db, actor, PREFERENCES)
    assert after["notificationPreferences"][0]["delivery"] == "DIGEST"


async def test_graphql_preference_errors_are_data(db: str, market: Marketplace) -> None:
    wrong_kind = await execute(
        db, market.actor("harbour"), SET, input={"notification": "DEADLINE_NEAR", "delivery": "OFF"}
    )
    assert wrong_kind["setNotificationPreference"]["preference"] is None
    assert wrong_kind["setNotificationPreference"]["errors"][0]["code"] == "INVALID"
    signed_out = await execute(db, None, SET, input={"notification": "REFERRAL_BROADCAST", "delivery": "OFF"})
    assert signed_out["setNotificationPreference"]["errors"][0]["code"] == "UNAUTHENTICATED"
