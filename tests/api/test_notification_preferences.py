"""Choosing which emails you get, through the schema the app serves: the query and the mutation."""

from __future__ import annotations

from tests.api.conftest import Api

PREFERENCES = "{ notificationPreferences { notification delivery isDefault description } }"
SET = """
mutation ($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) {
    preference { notification delivery isDefault }
    errors { field code message }
  }
}"""


async def execute(api: Api, who: str | None, query: str, **variables) -> dict:
    """The data of a request to the served schema, over HTTP, as the given user (None: signed out)."""
    result = await api(query, variables or None, as_=who)
    assert result.get("errors") is None, result["errors"]
    return result["data"]


async def test_provider_sets_a_preference_through_graphql(api: Api) -> None:
    actor = "harbour"
    before = await execute(api, actor, PREFERENCES)
    assert before["notificationPreferences"][0] == {
        "notification": "REFERRAL_BROADCAST",
        "delivery": "IMMEDIATELY",
        "isDefault": True,
        "description": "A referral is sent to your organisation",
    }

    changed = await execute(api, actor, SET, input={"notification": "REFERRAL_BROADCAST", "delivery": "DIGEST"})
    assert changed["setNotificationPreference"] == {
        "preference": {"notification": "REFERRAL_BROADCAST", "delivery": "DIGEST", "isDefault": False},
        "errors": [],
    }
    after = await execute(api, actor, PREFERENCES)
    assert after["notificationPreferences"][0]["delivery"] == "DIGEST"


async def test_graphql_preference_errors_are_data(api: Api) -> None:
    wrong_kind = await execute(api, "harbour", SET, input={"notification": "DEADLINE_NEAR", "delivery": "OFF"})
    assert wrong_kind["setNotificationPreference"]["preference"] is None
    assert wrong_kind["setNotificationPreference"]["errors"][0]["code"] == "INVALID"
    signed_out = await execute(api, None, SET, input={"notification": "REFERRAL_BROADCAST", "delivery": "OFF"})
    assert signed_out["setNotificationPreference"]["errors"][0]["code"] == "UNAUTHENTICATED"
