"""The GraphQL API end to end in-process: sign-in, a referral's life, errors as data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from tests.api.conftest import Api

CREATE = """
mutation($input: CreateReferralInput!) {
  createReferral(input: $input) { referral { id reference status } errors { field code message span { start end } } }
}"""
PUBLISH = "mutation($input: ReferralIdInput!) { publishReferral(input: $input) { referral { id status currentTier } errors { field code message } } }"


def referral_input(market: Marketplace, **changes: object) -> dict:
    values = {
        "frameworkId": to_global_id("Framework", market.framework.id),
        "lotId": to_global_id("Lot", market.core_lot.id),
        "placementKind": "CORE_FOSTERING",
        "duration": "LONG_TERM",
        "urgency": "WITHIN_5_DAYS",
        "requiredBy": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "ageYears": 14,
        "gender": "MALE",
        "homeDistrict": "me14",
        "needs": ["TRAUMA", "GOING_MISSING"],
        "riskToChild": None,
        "summary": "Enjoys football; settled at school in Year 10.",
    }
    values.pop("riskToChild")
    values.update(changes)
    return values


async def test_me_is_null_when_signed_out_and_the_user_when_signed_in(api: Api) -> None:
    assert (await api("{ me { email } }"))["data"]["me"] is None
    body = await api("{ me { email role provider { name } } }", as_="harbour")
    assert body["data"]["me"] == {
        "email": "duty@harbour.test",
        "role": "PROVIDER_RESPONDER",
        "provider": {"name": "Harbour Fostering (test)"},
    }


async def test_wrong_password_is_an_error_as_data(api: Api) -> None:
    body = await api(
        'mutation { login(input: {email: "duty@harbour.test", password: "nope-nope-nope"}) '
        "{ token errors { field code } } }"
    )
    assert body["data"]["login"] == {"token": None, "errors": [{"field": "password", "code": "INVALID_CREDENTIALS"}]}


async def test_a_referral_is_written_published_offered_on_and_placed(api: Api, market: Marketplace) -> None:
    created = (await api(CREATE, {"input": referral_input(market)}, as_="kent_officer"))["data"]["createReferral"]
    assert created["errors"] == [] and created["referral"]["status"] == "DRAFT"
    referral_id = created["referral"]["id"]
    published = (await api(PUBLISH, {"input": {"id": referral_id}}, as_="kent_officer"))["data"]["publishReferral"]
    assert published["referral"] == {"id": referral_id, "status": "OPEN", "currentTier": 1}

    inbox = await api("{ referrals { edges { node { reference homeDistrict summary } } } }", as_="harbour")
    assert [e["node"]["homeDistrict"] for e in inbox["data"]["referrals"]["edges"]] == ["ME14"]
    hidden = await api("{ referrals { edges { node { id } } } }", as_="northdowns")
    assert hidden["data"]["referrals"]["edges"] == []

    offer = await api(
        """mutation($input: SubmitOfferInput!) { submitOffer(input: $input) {
             offer { id weeklyFeePence feeBasis feeBreakdown { label amountPence } } errors { field code message } } }""",
        {
            "input": {
                "referralId": referral_id,
                "carerHouseholdId": to_global_id("CarerHousehold", market.households["harbour"]),
                "startDate": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
                "matchingStatement": "Experienced with teenagers who go missing.",
            }
        },
        as_="harbour",
    )
    submitted = offer["data"]["submitOffer"]
    assert submitted["errors"] == [] and submitted["offer"]["weeklyFeePence"] == 88_000
    offer_id = submitted["offer"]["id"]

    council_view = await api(
        """query($id: ID!) { referral(id: $id) { liveOfferCount offers { id weeklyFeePence }
        recipients { provider { name } sentAt viewedAt tier excludedReason } } }""",
        {"id": referral_id},
        as_="kent_officer",
    )
    view = council_view["data"]["referral"]
    assert view["liveOfferCount"] == 1 and view["offers"] == [{"id": offer_id, "weeklyFeePence": 88_000}]
    viewed = {r["provider"]["name"]: r["viewedAt"] for r in view["recipients"]}
    assert viewed["Harbour Fostering (test)"] is None  # listed in the inbox, not yet opened

    accepted = await api(
        """mutation($input: OfferIdInput!) { acceptOffer(input: $input) {
        placement { ipaReference weeklyFeePence placementType } offer { status } errors { code } } }""",
        {"input": {"id": offer_id}},
        as_="kent_officer",
    )
    assert accepted["data"]["acceptOffer"] == {
        "placement": {
            "ipaReference": f"IPA-{created['referral']['reference']}",
            "weeklyFeePence": 88_000,
            "placementType": "U4",
        },
        "offer": {"status": "ACCEPTED"},
        "errors": [],
    }


async def test_identifying_details_come_back_with_field_and_span(api: Api, market: Marketplace) -> None:
    summary = "Lives at ME14 1XX; call 07700 900123."
    body = await api(CREATE, {"input": referral_input(market, summary=summary)}, as_="kent_officer")
    errors = body["data"]["createReferral"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("summary", "IDENTIFYING_DETAILS")] * 2
    spans = [summary[e["span"]["start"] : e["span"]["end"]] for e in errors]
    assert spans == ["ME14 1XX", "07700 900123"]


async def test_unauthenticated_mutation_is_refused_as_data(api: Api, market: Marketplace) -> None:
    body = await api(CREATE, {"input": referral_input(market)})
    assert body["data"]["createReferral"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_unauthenticated_query_is_refused(api: Api) -> None:
    body = await api("{ referrals { edges { node { id } } } }")
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_page_size_is_capped_at_100(api: Api) -> None:
    body = await api("{ referrals(first: 101) { edges { node { id } } } }", as_="kent_officer")
    assert "between 1 and 100" in body["errors"][0]["message"]


async def test_deep_queries_are_refused(api: Api) -> None:
    nested = "offers { referral { " * 6 + "id" + " } }" * 6
    deep = "{ referrals { edges { node { " + nested + " } } } }"
    body = await api(deep, as_="kent_officer")
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(api: Api) -> None:
    many = " ".join(f"a{n}: me {{ email }}" for n in range(31))
    body = await api("{ " + many + " }", as_="kent_officer")
    assert "aliases found" in body["errors"][0]["message"]
    body = await api("{ " + " ".join(f"a{n}: me {{ email }}" for n in range(30)) + " }", as_="kent_officer")
    assert "errors" not in body


def test_production_schema_refuses_introspection() -> None:
    from schema.build import build_schema

    result = build_schema(production=True).execute_sync("{ __schema { queryType { name } } }")
    assert result.errors and "introspection" in result.errors[0].message.lower()
    assert build_schema(production=False).execute_sync("{ __schema { queryType { name } } }").errors is None
