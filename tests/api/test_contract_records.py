"""Contract-management records through the API, on both databases: allegations written by the placing council or
the provider and read by them and the framework's lead commissioners, feedback scored 1-5, contract reviews with
actions that fall overdue, notice computed, and the events that move a framework's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.models import Allegation, ContractReview, EventTopic, Placement, PlacementFeedback
from server.services import offers, placements
from server.services.offers import OfferDetails
from tests.api.conftest import Api

ERRORS = "errors { field code message }"
RECORD = f"""mutation($input: RecordAllegationInput!) {{ recordAllegation(input: $input) {{
  allegation {{ id outcome reportedBy recordedBySide placementReference resourceName council {{ name }} canUpdate }}
  {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateAllegationInput!) {{ updateAllegation(input: $input) {{
  allegation {{ outcome concludedOn }} {ERRORS} }} }}"""
FEEDBACK = f"""mutation($input: RecordPlacementFeedbackInput!) {{ recordPlacementFeedback(input: $input) {{
  feedback {{ needsMet communication stability givenBy }} {ERRORS} }} }}"""
REVIEW = f"""mutation($input: RecordContractReviewInput!) {{ recordContractReview(input: $input) {{
  review {{ id heldOn actions {{ id what owner dueOn status }} }} {ERRORS} }} }}"""
ACTION = f"""mutation($input: UpdateContractReviewActionInput!) {{ updateContractReviewAction(input: $input) {{
  action {{ status doneOn }} {ERRORS} }} }}"""


def _day(days: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def _placement(market: Marketplace) -> Placement:
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced carers near school.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    await Placement.filter(id=placement.id).update(start_date=datetime.now(UTC).date() - timedelta(days=90))
    return await Placement.get(id=placement.id)


async def _topics(event_type: str) -> set[str]:
    return set(await EventTopic.filter(event__type=event_type).values_list("topic", flat=True))


async def test_council_records_an_allegation_the_provider_and_lead_commissioners_read(api: Api, market: Marketplace):
    placement = await _placement(market)
    body = await api(
        RECORD,
        {"input": {"placementId": to_global_id("Placement", placement.id), "reportedOn": _day(-5),
                   "category": "PHYSICAL_ABUSE", "reportedBy": "CHILD", "summary": "A carer grabbed an arm."}},
        as_="kent_officer",
    )  # fmt: skip
    made = body["data"]["recordAllegation"]
    assert made["errors"] == []
    allegation = made["allegation"]
    assert (allegation["outcome"], allegation["recordedBySide"], allegation["canUpdate"]) == ("OPEN", "COUNCIL", True)
    assert allegation["placementReference"] == placement.ipa_reference
    assert allegation["resourceName"] == "HARBOUR-H1" and allegation["council"]["name"] == "Kent County Council"
    assert f"framework:{market.framework.id}" in await _topics("allegation.recorded")

    for who, seen in (("harbour", True), ("kent_commissioner", True), ("oakleaf", False), ("medway_officer", False)):
        listed = (await api("{ allegations { id } }", as_=who))["data"]["allegations"]
        assert (allegation["id"] in {a["id"] for a in listed}) is seen, who

    concluded = await api(
        UPDATE,
        {"input": {"allegationId": allegation["id"], "outcome": "SUBSTANTIATED", "concludedOn": _day(-1)}},
        as_="harbour",
    )
    assert concluded["data"]["updateAllegation"] == {
        "allegation": {"outcome": "SUBSTANTIATED", "concludedOn": _day(-1)},
        "errors": [],
    }
    # Another provider cannot touch it: it is missing to them.
    refused = await api(UPDATE, {"input": {"allegationId": allegation["id"], "outcome": "FALSE"}}, as_="oakleaf")
    assert [e["code"] for e in refused["data"]["updateAllegation"]["errors"]] == ["NOT_FOUND"]
    assert (await Allegation.get()).outcome.value == "substantiated"


async def test_allegation_errors_name_the_field_and_store_nothing(api: Api, market: Marketplace):
    placement = await _placement(market)
    base = {"placementId": to_global_id("Placement", placement.id), "category": "NEGLECT", "reportedBy": "SCHOOL"}
    for changes, field in (
        ({"reportedOn": _day(3)}, "reportedOn"),
        ({"reportedOn": _day(-3), "outcome": "UNFOUNDED"}, "concludedOn"),
        ({"reportedOn": _day(-3), "outcome": "OPEN", "concludedOn": _day(-1)}, "concludedOn"),
        ({"reportedOn": _day(-3), "summary": "Her mother Kerry Jones called."}, "summary"),
    ):
        body = await api(RECORD, {"input": {**base, **changes}}, as_="kent_officer")
        errors = body["data"]["recordAllegation"]["errors"]
        assert field in {e["field"] for e in errors}, (changes, errors)
    without = {"category": "NEGLECT", "reportedBy": "SCHOOL", "reportedOn": _day(-3)}
    body = await api(RECORD, {"input": without}, as_="harbour")
    assert body["data"]["recordAllegation"]["errors"][0]["field"] == "carerHouseholdId"
    assert await Allegation.all().count() == 0


async def test_feedback_is_scored_one_to_five_by_the_placing_council(api: Api, market: Marketplace):
    placement = await _placement(market)
    good = {"placementId": to_global_id("Placement", placement.id), "givenOn": _day(-2), "givenBy": "REVIEWING_OFFICER",
            "needsMet": 4, "communication": 5, "stability": 3, "occasion": "ANNUAL_REVIEW"}  # fmt: skip
    wrong = await api(FEEDBACK, {"input": {**good, "needsMet": 6, "stability": 0}}, as_="kent_officer")
    assert {e["field"] for e in wrong["data"]["recordPlacementFeedback"]["errors"]} == {"needsMet", "stability"}
    by_provider = await api(FEEDBACK, {"input": good}, as_="harbour")
    assert [e["code"] for e in by_provider["data"]["recordPlacementFeedback"]["errors"]] == ["PERMISSION_DENIED"]
    assert await PlacementFeedback.all().count() == 0
    made = await api(FEEDBACK, {"input": good}, as_="kent_officer")
    assert made["data"]["recordPlacementFeedback"]["feedback"] == {
        "needsMet": 4,
        "communication": 5,
        "stability": 3,
        "givenBy": "REVIEWING_OFFICER",
    }


LIST_FEEDBACK = """query($f: ID, $p: ID) { placementFeedback(frameworkId: $f, providerId: $p) {
  givenOn needsMet comment placementReference council { name } provider { name } } }"""


async def test_feedback_is_listed_to_the_council_the_provider_and_the_lead_commissioners_only(
    api: Api, market: Marketplace
):
    placement = await _placement(market)
    given = {"placementId": to_global_id("Placement", placement.id), "givenOn": _day(-3), "givenBy": "SOCIAL_WORKER",
             "needsMet": 2, "communication": 3, "stability": 4, "comment": "Needs more contact support."}  # fmt: skip
    assert not (await api(FEEDBACK, {"input": given}, as_="kent_officer"))["data"]["recordPlacementFeedback"]["errors"]
    expected = [
        {
            "givenOn": _day(-3),
            "needsMet": 2,
            "comment": "Needs more contact support.",
            "placementReference": placement.ipa_reference,
            "council": {"name": market.kent.name},
            "provider": {"name": market.providers["harbour"].name},
        }
    ]
    framework = to_global_id("Framework", market.framework.id)
    for who in ("kent_officer", "kent_commissioner", "harbour"):
        listed = await api(LIST_FEEDBACK, {"f": framework}, as_=who)
        assert listed["data"]["placementFeedback"] == expected, who
    # Another council, another provider: nothing, as if there were none.
    for who in ("medway_officer", "oakleaf", "admin"):
        assert (await api(LIST_FEEDBACK, {}, as_=who))["data"]["placementFeedback"] == [], who
    # Narrowed to another provider, the lead commissioner sees none of Harbour's.
    oakleaf = to_global_id("Provider", market.providers["oakleaf"].id)
    narrowed = await api(LIST_FEEDBACK, {"f": framework, "p": oakleaf}, as_="kent_commissioner")
    assert narrowed["data"]["placementFeedback"] == []


async def test_contract_review_actions_fall_overdue_and_are_done(api: Api, market: Marketplace):
    review = {
        "frameworkId": to_global_id("Framework", market.framework.id),
        "providerId": to_global_id("Provider", market.providers["harbour"].id),
        "heldOn": _day(-60),
        "notes": "Occupancy and response times.",
        "actions": [
            {"what": "Send the recruitment plan.", "owner": "PROVIDER", "dueOn": _day(-30)},
            {"what": "Share the quarter's endings.", "owner": "COMMISSIONERS", "dueOn": _day(30)},
        ],
    }
    refused = await api(REVIEW, {"input": review}, as_="kent_officer")
    assert [e["code"] for e in refused["data"]["recordContractReview"]["errors"]] == ["NOT_FOUND"]
    early = {**review, "actions": [{"what": "Too early.", "owner": "PROVIDER", "dueOn": _day(-61)}]}
    wrong = await api(REVIEW, {"input": early}, as_="kent_commissioner")
    assert wrong["data"]["recordContractReview"]["errors"][0]["field"] == "actions.0.dueOn"
    assert await ContractReview.all().count() == 0

    made = (await api(REVIEW, {"input": review}, as_="kent_commissioner"))["data"]["recordContractReview"]
    assert made["errors"] == []
    overdue, upcoming = made["review"]["actions"]
    assert (overdue["status"], upcoming["status"]) == ("OVERDUE", "OPEN")
    done = await api(ACTION, {"input": {"actionId": overdue["id"], "done": True}}, as_="kent_commissioner")
    assert done["data"]["updateContractReviewAction"] == {"action": {"status": "DONE", "doneOn": _day()}, "errors": []}
    seen = (await api("{ contractReviews { id } }", as_="harbour"))["data"]["contractReviews"]
    assert [r["id"] for r in seen] == [made["review"]["id"]]
    assert (await api("{ contractReviews { id } }", as_="oakleaf"))["data"]["contractReviews"] == []


async def test_endings_reach_the_frameworks_commissioners_and_notice_is_computed(api: Api, market: Marketplace):
    placement = await _placement(market)
    notice = datetime.now(UTC).date() - timedelta(days=10)
    await placements.end_placement(
        market.actor("kent_officer"),
        placement.id,
        end_date=datetime.now(UTC).date(),
        reason=placements.ReasonPlacementChanged.CREQB,
        planned=False,
        notice_given_on=notice,
    )
    topics = await _topics("placement.ended")
    assert {f"framework:{market.framework.id}", f"council:{market.kent.id}"} <= topics
    assert f"framework:{market.framework.id}" in await _topics("offer.accepted")
    query = "query($id: ID!) { placementAgreement(placementId: $id) { placement { twentyEightDaysGiven } } }"
    body = await api(query, {"id": to_global_id("Placement", placement.id)}, as_="kent_officer")
    assert body["data"]["placementAgreement"]["placement"]["twentyEightDaysGiven"] is False
