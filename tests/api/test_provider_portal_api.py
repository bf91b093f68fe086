"""What the provider's portal needs of the API: a matching statement is required, each referral says by when
this provider must answer, and children's homes are added and described as carer households are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.models import ChildrensHome
from tests.api.conftest import Api
from tests.api.test_api_basics import CREATE, PUBLISH, referral_input
from tests.api.test_query_counts import counting_queries

SUBMIT = """mutation($input: SubmitOfferInput!) { submitOffer(input: $input) {
  offer { id } errors { field code message } } }"""
CREATE_HOME = """mutation($input: CreateChildrensHomeInput!) { createChildrensHome(input: $input) {
  childrensHome { id name ofstedUrn beds minAge maxAge district ofstedJudgement specialisms manageableRisksToChild soloOnly }
  errors { field code message } } }"""
UPDATE_HOME = """mutation($input: UpdateChildrensHomeInput!) { updateChildrensHome(input: $input) {
  childrensHome { id name beds isActive } errors { field code message } } }"""


async def _published(api: Api, market: Marketplace, **changes: object) -> str:
    created = (await api(CREATE, {"input": referral_input(market, **changes)}, as_="kent_officer"))["data"]
    referral_id = created["createReferral"]["referral"]["id"]
    published = (await api(PUBLISH, {"input": {"id": referral_id}}, as_="kent_officer"))["data"]["publishReferral"]
    assert published["errors"] == []
    return referral_id


def _offer(market: Marketplace, referral_id: str, statement: str) -> dict:
    return {
        "referralId": referral_id,
        "carerHouseholdId": to_global_id("CarerHousehold", market.households["harbour"]),
        "startDate": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
        "matchingStatement": statement,
    }


async def test_an_offer_without_a_matching_statement_is_refused_naming_the_field(api: Api, market: Marketplace) -> None:
    referral_id = await _published(api, market)
    for statement in ("", "   \n "):
        body = await api(SUBMIT, {"input": _offer(market, referral_id, statement)}, as_="harbour")
        result = body["data"]["submitOffer"]
        assert result["offer"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("matchingStatement", "REQUIRED")]
    body = await api(
        SUBMIT, {"input": _offer(market, referral_id, "Carers experienced with teenagers.")}, as_="harbour"
    )
    assert body["data"]["submitOffer"]["errors"] == []


async def test_the_provider_sees_when_its_window_to_respond_ends(api: Api, market: Marketplace) -> None:
    later = await _published(api, market)
    today = await _published(
        api, market, urgency="TODAY", requiredBy=(datetime.now(UTC) + timedelta(hours=10)).isoformat()
    )
    query = "query($id: ID!) { referral(id: $id) { responseDeadline myBroadcast { sentAt } } }"
    windows = {}
    for name, referral_id in (("later", later), ("today", today)):
        referral = (await api(query, {"id": referral_id}, as_="harbour"))["data"]["referral"]
        sent = datetime.fromisoformat(referral["myBroadcast"]["sentAt"])
        windows[name] = datetime.fromisoformat(referral["responseDeadline"]) - sent
    assert windows == {
        "later": timedelta(hours=market.framework.tier_response_hours),
        "today": timedelta(hours=market.framework.emergency_response_hours),
    }
    council = (await api(query, {"id": later}, as_="kent_officer"))["data"]["referral"]
    assert council["responseDeadline"] is None


async def test_provider_staff_add_and_describe_a_childrens_home(api: Api, market: Marketplace) -> None:
    home = {
        "name": "Harbour Lodge",
        "ofstedUrn": "sc940001",
        "beds": 4,
        "minAge": 11,
        "maxAge": 17,
        "district": "me15",
        "ofstedJudgement": "GOOD",
        "specialisms": ["GOING_MISSING"],
        "manageableRisksToChild": ["CRIMINAL_EXPLOITATION"],
        "soloOnly": False,
    }
    created = (await api(CREATE_HOME, {"input": home}, as_="harbour"))["data"]["createChildrensHome"]
    assert created["errors"] == []
    assert created["childrensHome"] | {"id": None} == {
        **home,
        "id": None,
        "ofstedUrn": "SC940001",
        "district": "ME15",
    }
    stored = await ChildrensHome.get(ofsted_urn="SC940001")
    assert stored.provider_id == market.providers["harbour"].id

    updated = (await api(UPDATE_HOME, {"input": {"id": created["childrensHome"]["id"], "beds": 5}}, as_="harbour"))[
        "data"
    ]["updateChildrensHome"]
    assert updated["errors"] == [] and updated["childrensHome"]["beds"] == 5

    again = (await api(CREATE_HOME, {"input": {**home, "name": "Another"}}, as_="harbour"))["data"]
    assert [(e["field"], e["code"]) for e in again["createChildrensHome"]["errors"]] == [("ofstedUrn", "DUPLICATE")]


async def test_a_childrens_home_without_its_details_names_every_missing_field(api: Api) -> None:
    body = await api(CREATE_HOME, {"input": {"name": "Harbour Lodge", "beds": 0, "ofstedUrn": "SC 1"}}, as_="harbour")
    errors = body["data"]["createChildrensHome"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("beds", "INVALID")}
    body = await api(CREATE_HOME, {"input": {"name": "Harbour Lodge"}}, as_="harbour")
    errors = body["data"]["createChildrensHome"]["errors"]
    assert {e["field"] for e in errors} == {"ofstedUrn", "beds", "minAge", "maxAge", "district", "ofstedJudgement"}
    body = await api(
        CREATE_HOME,
        {
            "input": {
                "name": "Harbour Lodge",
                "ofstedUrn": "SC-1",
                "beds": 3,
                "minAge": 12,
                "maxAge": 9,
                "district": "Kent",
                "ofstedJudgement": "GOOD",
            }
        },
        as_="harbour",
    )
    errors = body["data"]["createChildrensHome"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("ofstedUrn", "INVALID"),
        ("maxAge", "INVALID"),
        ("district", "INVALID"),
    }


INBOX = """{ referrals(first: 50) { edges { node {
  reference urgency requiredBy responseDeadline ageBand lot { name } myOffer { status } myBroadcast { respondedAt }
} } } }"""


async def test_the_inbox_with_its_deadlines_costs_the_same_queries_for_fifty_referrals_as_for_five(
    api: Api, market: Marketplace
) -> None:
    async def referrals(count: int) -> None:
        for _ in range(count):
            await market.referral()

    await referrals(5)
    with counting_queries() as few:
        body = await api(INBOX, as_="harbour")
    assert len(body["data"]["referrals"]["edges"]) == 5
    await referrals(45)
    with counting_queries() as many:
        body = await api(INBOX, as_="harbour")
    edges = body["data"]["referrals"]["edges"]
    assert len(edges) == 50 and all(e["node"]["responseDeadline"] for e in edges)
    assert len(many) <= len(few) + 1, "\n".join(many)
