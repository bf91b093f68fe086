"""The placement's life through the API, on both databases: the Individual Placement Agreement confirmed by
both sides, the actual start, an agreed fee change with the fee in force on each day, three reviews on the
statutory cadence, notice short of 28 days flagged, a step-across from a residential placement to a linked
fostering referral, and the ending with the notice given."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import Marketplace, add_residential_lot
from schema.ids import to_global_id
from server.domain.vocabulary import OfstedJudgement, PlacementKind
from server.models import Event, OutboxMessage, Placement, PlacementReview
from server.services import offers, placement_life, resources
from server.services.offers import OfferDetails
from tests.api.conftest import Api
from tests.api.test_child_record import CHILD, PDF

AGREEMENT = """query($id: ID!) { placementAgreement(placementId: $id) {
  ipaReference councilName providerName resourceName resourceKind plannedStart actualStart weeklyFeePence
  feeLines { label amountPence } frameworkName frameworkReference noticeDays confirmed
  placementPlan { fileName kind } child { fullName nhsNumber } confirmations { side userName at } } }"""
CONFIRM = """mutation($id: ID!) { confirmPlacementAgreement(input: {placementId: $id}) {
  agreement { confirmed confirmations { side userName } } errors { field code message } } }"""
START = """mutation($id: ID!, $on: Date!) { confirmPlacementStart(input: {placementId: $id, startedOn: $on}) {
  placement { actualStartDate nextReviewDue } errors { field code message } } }"""
FEE = """mutation($input: ChangePlacementFeeInput!) { changePlacementFee(input: $input) {
  placement { weeklyFeePence feeHistory { weeklyFeePence effectiveFrom agreed proposedBy } }
  errors { field code message } } }"""
REVIEW = """mutation($input: RecordPlacementReviewInput!) { recordPlacementReview(input: $input) {
  placement { nextReviewDue reviewOverdue } review { heldOn sdqTotal attendance } errors { field code message } } }"""
NOTICE = """mutation($input: GiveNoticeInput!) { giveNotice(input: $input) {
  placement { noticeGivenOn noticeIntendedEnd noticeGivenBy noticeGivenByName noticeDays shortNotice } errors { field code message } } }"""
STEP = """mutation($id: ID!, $kind: PlacementKind!) { startStepAcross(input: {placementId: $id, placementKind: $kind}) {
  referral { id status placementKind ageYears homeDistrict steppedAcrossFrom { ipaReference } }
  placement { stepAcrossReferral { id } } errors { field code message } } }"""
END = """mutation($input: EndPlacementInput!) { endPlacement(input: $input) {
  placement { status noticeGivenOn } errors { field code message } } }"""
PLACEMENT = """query($id: ID!, $day: Date!) { placementAgreement(placementId: $id) { placement {
  feeOn(day: $day) nextReviewDue reviewOverdue shortNotice reviews { heldOn sdqTotal } } } }"""


async def _residential_placement(market: Marketplace) -> tuple[int, int]:
    """A Kent spot referral for a children's home, offered by Harbour's home and accepted: (referral, placement)."""
    home = await resources.create_childrens_home(
        market.actor("harbour"),
        market.providers["harbour"].id,
        resources.HomeDetails(
            name="Harbour House",
            ofsted_urn="SC777001",
            beds=3,
            min_age=10,
            max_age=17,
            district="ME16",
            ofsted_judgement=OfstedJudgement.GOOD.value,
        ),
    )
    lot = await add_residential_lot(market)
    referral = await market.referral(lot_id=lot.id, placement_kind=PlacementKind.CHILDRENS_HOME, max_distance_miles=60)
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            childrens_home_id=home.id,
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="A settled home with a strong education offer.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    # Time travel: the placement was made 300 days ago, so its reviews have come round.
    await Placement.filter(id=placement.id).update(start_date=datetime.now(UTC).date() - timedelta(days=300))
    return referral.id, placement.id


def _errors(body: dict, name: str) -> list[dict]:
    assert not body.get("errors"), body
    return body["data"][name]["errors"]


async def test_a_placement_from_acceptance_to_a_step_down_and_an_ending(api: Api, market: Marketplace) -> None:
    referral_id, placement_id = await _residential_placement(market)
    rid, pid = to_global_id("Referral", referral_id), to_global_id("Placement", placement_id)
    saved = await api(
        "mutation($input: SaveChildRecordInput!) { saveChildRecord(input: $input) { errors { field } } }",
        {"input": {"referralId": rid, **CHILD}},
        as_="kent_officer",
    )
    assert saved["data"]["saveChildRecord"]["errors"] == []
    added = await api(
        "mutation($input: AddReferralDocumentInput!) { addReferralDocument(input: $input) { errors { field } } }",
        {"input": {"referralId": rid, "kind": "PLACEMENT_PLAN", "fileName": "Placement plan.pdf",
                   "contentBase64": base64.b64encode(PDF).decode()}},
        as_="kent_officer",
    )  # fmt: skip
    assert added["data"]["addReferralDocument"]["errors"] == []

    # The agreement, drafted from what the exchange holds; the child named for the two parties only.
    for who in ("kent_officer", "harbour"):
        agreement = (await api(AGREEMENT, {"id": pid}, as_=who))["data"]["placementAgreement"]
        assert agreement["child"] == {"fullName": CHILD["fullName"], "nhsNumber": CHILD["nhsNumber"]}, who
        assert agreement["placementPlan"] == {"fileName": "Placement plan.pdf", "kind": "PLACEMENT_PLAN"}
        assert agreement["councilName"] == "Kent County Council" and agreement["resourceName"] == "Harbour House"
        assert agreement["frameworkReference"] == "KM-IFP-2022" and agreement["noticeDays"] == 28
        assert agreement["weeklyFeePence"] == 450_000 and agreement["feeLines"]
        assert agreement["confirmed"] is False and agreement["confirmations"] == []
    read = (await api(AGREEMENT, {"id": pid}, as_="kent_commissioner"))["data"]["placementAgreement"]
    assert read["ipaReference"] and read["child"] is None and read["placementPlan"] is None
    for who in ("oakleaf", "medway_officer"):
        assert (await api(AGREEMENT, {"id": pid}, as_=who))["data"]["placementAgreement"] is None, who
    trail = await api("query($id: ID!) { accessAudit(referralId: $id) { action organisationName } }", {"id": rid},
                      as_="kent_officer")  # fmt: skip
    viewed = [row for row in trail["data"]["accessAudit"] if row["action"] == "RECORD_VIEWED"]
    assert {row["organisationName"] for row in viewed} == {"Kent County Council", "Harbour Fostering (test)"}

    # Both sides confirm; confirming twice is refused; others cannot.
    assert _errors(await api(CONFIRM, {"id": pid}, as_="kent_commissioner"), "confirmPlacementAgreement")
    first = await api(CONFIRM, {"id": pid}, as_="kent_officer")
    assert _errors(first, "confirmPlacementAgreement") == []
    again = _errors(await api(CONFIRM, {"id": pid}, as_="kent_officer"), "confirmPlacementAgreement")
    assert again[0]["code"] == "WRONG_STATE" and again[0]["field"] == "placementId"
    both = (await api(CONFIRM, {"id": pid}, as_="harbour"))["data"]["confirmPlacementAgreement"]
    assert both["errors"] == [] and both["agreement"]["confirmed"] is True
    assert {c["side"] for c in both["agreement"]["confirmations"]} == {"COUNCIL", "PROVIDER"}

    # The actual start: a day before the planned start.
    planned = (await Placement.get(id=placement_id)).start_date
    started = planned - timedelta(days=1)
    body = (await api(START, {"id": pid, "on": started.isoformat()}, as_="harbour"))["data"]["confirmPlacementStart"]
    assert body["errors"] == [] and body["placement"]["actualStartDate"] == started.isoformat()
    assert body["placement"]["nextReviewDue"] == placement_life.add_working_days(started, 20).isoformat()

    # A fee change: proposed by the provider, agreed by the council; the fee in force on each day.
    effective = started + timedelta(days=100)
    proposal = {"placementId": pid, "weeklyFeePence": 480_000, "effectiveFrom": effective.isoformat(),
                "reason": "Additional waking-night staffing agreed at the review."}  # fmt: skip
    bad = _errors(await api(FEE, {"input": {**proposal, "weeklyFeePence": 0}}, as_="harbour"), "changePlacementFee")
    assert [e["field"] for e in bad] == ["weeklyFeePence"]
    named = {**proposal, "reason": f"Because {CHILD['fullName']} needs more"}
    assert any(e["code"] == "IDENTIFYING_DETAILS" for e in
               _errors(await api(FEE, {"input": named}, as_="harbour"), "changePlacementFee"))  # fmt: skip
    proposed = (await api(FEE, {"input": proposal}, as_="harbour"))["data"]["changePlacementFee"]
    assert proposed["errors"] == [] and [p["agreed"] for p in proposed["placement"]["feeHistory"]] == [True, False]
    own = _errors(await api(FEE, {"input": {"placementId": pid, "agree": True}}, as_="harbour"), "changePlacementFee")
    assert own[0]["code"] == "WRONG_STATE"
    day_before = (effective - timedelta(days=1)).isoformat()
    fee_then = await api(PLACEMENT, {"id": pid, "day": effective.isoformat()}, as_="kent_officer")
    assert fee_then["data"]["placementAgreement"]["placement"]["feeOn"] == 450_000  # not yet agreed
    agreed = (await api(FEE, {"input": {"placementId": pid, "agree": True}}, as_="kent_officer"))["data"]
    assert agreed["changePlacementFee"]["errors"] == []
    history = agreed["changePlacementFee"]["placement"]["feeHistory"]
    assert [(p["weeklyFeePence"], p["agreed"], p["proposedBy"]) for p in history] == [
        (450_000, True, None),
        (480_000, True, "PROVIDER"),
    ]
    for day, fee in ((day_before, 450_000), (effective.isoformat(), 480_000)):
        body = await api(PLACEMENT, {"id": pid, "day": day}, as_="kent_officer")
        assert body["data"]["placementAgreement"]["placement"]["feeOn"] == fee, day

    # Three reviews on the statutory cadence: 20 working days, 3 months, then 6 months.
    overdue = await api(PLACEMENT, {"id": pid, "day": day_before}, as_="kent_officer")
    assert overdue["data"]["placementAgreement"]["placement"]["reviewOverdue"] is True  # 300 days, no review
    held = [started + timedelta(days=21), started + timedelta(days=110), started + timedelta(days=280)]
    expected_next = [
        placement_life.add_months(held[0], 3),
        placement_life.add_months(held[1], 6),
        placement_life.add_months(held[2], 6),
    ]
    review = {"placementId": pid, "attendance": ["CHILD", "CARER", "SOCIAL_WORKER", "REVIEWING_OFFICER"],
              "notes": "Settling well; attending school every day."}  # fmt: skip
    refused = _errors(await api(REVIEW, {"input": {**review, "heldOn": held[0].isoformat(), "sdqTotal": 41}},
                                as_="kent_officer"), "recordPlacementReview")  # fmt: skip
    assert [e["field"] for e in refused] == ["sdqTotal"]
    assert _errors(await api(REVIEW, {"input": {**review, "heldOn": held[0].isoformat(), "sdqTotal": 20}},
                             as_="harbour"), "recordPlacementReview")[0]["code"] == "PERMISSION_DENIED"  # fmt: skip
    for day, score, due in zip(held, (22, 18, 14), expected_next, strict=True):
        body = await api(REVIEW, {"input": {**review, "heldOn": day.isoformat(), "sdqTotal": score}},
                         as_="kent_officer")  # fmt: skip
        done = body["data"]["recordPlacementReview"]
        assert done["errors"] == [] and done["review"]["sdqTotal"] == score
        assert done["placement"]["nextReviewDue"] == due.isoformat()
    assert done["placement"]["reviewOverdue"] is False
    assert await PlacementReview.filter(placement_id=placement_id).count() == 3

    # Step-across: a linked draft fostering referral, prefilled from this one.
    wrong = _errors(await api(STEP, {"id": pid, "kind": "CHILDRENS_HOME"}, as_="kent_officer"), "startStepAcross")
    assert [e["field"] for e in wrong] == ["placementKind"]
    assert (await api(STEP, {"id": pid, "kind": "CORE_FOSTERING"}, as_="harbour"))["data"]["startStepAcross"]["errors"][
        0
    ]["code"] == "PERMISSION_DENIED"
    stepped = (await api(STEP, {"id": pid, "kind": "CORE_FOSTERING"}, as_="kent_officer"))["data"]["startStepAcross"]
    assert stepped["errors"] == []
    draft = stepped["referral"]
    assert draft["status"] == "DRAFT" and draft["placementKind"] == "CORE_FOSTERING"
    assert draft["ageYears"] == 13 and draft["homeDistrict"] == "ME14"
    assert draft["steppedAcrossFrom"]["ipaReference"] == read["ipaReference"]
    assert stepped["placement"]["stepAcrossReferral"]["id"] == draft["id"]

    # Notice from the provider, short of 28 days: flagged, computed, then the ending uses it.
    today = datetime.now(UTC).date()
    notice = {"placementId": pid, "givenOn": today.isoformat(), "intendedEnd": (today + timedelta(days=14)).isoformat()}
    backwards = {**notice, "intendedEnd": (today - timedelta(days=1)).isoformat()}
    assert [e["field"] for e in _errors(await api(NOTICE, {"input": backwards}, as_="harbour"), "giveNotice")] == [
        "intendedEnd"
    ]
    given = (await api(NOTICE, {"input": notice}, as_="harbour"))["data"]["giveNotice"]
    assert given["errors"] == []
    assert given["placement"]["noticeDays"] == 14 and given["placement"]["shortNotice"] is True
    assert given["placement"]["noticeGivenBy"] == "PROVIDER"
    assert given["placement"]["noticeGivenByName"] == "Harbour Fostering (test) duty desk"
    assert _errors(await api(NOTICE, {"input": notice}, as_="kent_officer"), "giveNotice")[0]["code"] == "WRONG_STATE"
    ended = await api(END, {"input": {"id": pid, "endDate": notice["intendedEnd"], "reason": "CARPL",
                                      "planned": False}}, as_="kent_officer")  # fmt: skip
    assert ended["data"]["endPlacement"] == {
        "placement": {"status": "ENDED", "noticeGivenOn": today.isoformat()},
        "errors": [],
    }
    last = await Event.filter(type="placement.ended").order_by("-id").first()
    assert last is not None and last.payload["withoutNotice"] is True

    # Every step is an event on the council's, provider's and referral's topics, and an email to the other side,
    # never the child's details nor the free text.
    types = set(await Event.filter(type__startswith="placement.").values_list("type", flat=True))
    assert {"placement.agreementConfirmed", "placement.started", "placement.feeChangeProposed",
            "placement.feeChanged", "placement.reviewed", "placement.noticeGiven",
            "placement.steppedAcross", "placement.ended"} <= types  # fmt: skip
    mails = await OutboxMessage.filter(notification="placement_life").values_list("recipient", "context")
    assert {r for r, _ in mails} >= {"duty@harbour.test", "kent_officer@council.test"}
    for _, context in mails:
        text = str(context)
        for value in (*CHILD.values(), "waking-night", "Settling well"):
            assert value not in text
    for event in await Event.filter(type__startswith="placement."):
        assert not any(value in str(event.payload) for value in CHILD.values())


async def test_the_review_cadence_and_fee_in_force() -> None:
    start = date(2026, 1, 5)  # a Monday
    assert placement_life.add_working_days(start, 20) == date(2026, 2, 2)
    assert placement_life.next_review_due(start, []) == date(2026, 2, 2)
    assert placement_life.next_review_due(start, [date(2026, 1, 30)]) == date(2026, 4, 30)
    assert placement_life.next_review_due(start, [date(2026, 1, 30), date(2026, 4, 28)]) == date(2026, 10, 28)
    assert placement_life.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    history = [
        placement_life.FeePeriod(100, start, "", None, True, None),
        placement_life.FeePeriod(120, date(2026, 3, 1), "x", None, True, 1),
        placement_life.FeePeriod(150, date(2026, 6, 1), "y", None, False, 2),
    ]
    assert placement_life.fee_in_force(history, date(2026, 2, 28)) == 100
    assert placement_life.fee_in_force(history, date(2026, 3, 1)) == 120
    assert placement_life.fee_in_force(history, date(2026, 7, 1)) == 120  # not agreed


DASHBOARD = (
    "{ dashboard { council { reviewsOverdue reviewsDueSoon reviewsDue { placementId ipaReference dueOn overdue } } } }"
)


async def test_reviews_due_show_on_the_councils_dashboard_and_are_emailed_once(api: Api, market: Marketplace) -> None:
    from server.jobs.reviews import warn_reviews_due

    _, placement_id = await _residential_placement(market)  # started 300 days ago, never reviewed
    pid = to_global_id("Placement", placement_id)
    placement = await Placement.get(id=placement_id)
    figures = (await api(DASHBOARD, as_="kent_officer"))["data"]["dashboard"]["council"]
    due = placement_life.add_working_days(placement.start_date, 20)
    assert figures["reviewsOverdue"] == 1 and figures["reviewsDueSoon"] == 0
    assert figures["reviewsDue"] == [
        {"placementId": pid, "ipaReference": placement.ipa_reference, "dueOn": due.isoformat(), "overdue": True}
    ]
    medway = (await api(DASHBOARD, as_="medway_officer"))["data"]["dashboard"]["council"]
    assert medway["reviewsDue"] == [] and medway["reviewsOverdue"] == 0

    now = datetime.now(UTC)
    assert await warn_reviews_due(now) == 1  # Kent's one placement officer
    assert await warn_reviews_due(now) == 0  # once
    [(recipient, context)] = await OutboxMessage.filter(notification="reviews_due").values_list("recipient", "context")
    assert recipient == "kent_officer@council.test" and context["overdue"] is True
    assert not any(value in str(context) for value in CHILD.values())

    # Reviewed today: the next is 3 months off, neither due soon nor overdue.
    body = await api(
        REVIEW,
        {"input": {"placementId": pid, "heldOn": now.date().isoformat(), "attendance": ["CHILD"], "sdqTotal": 15}},
        as_="kent_officer",
    )
    assert body["data"]["recordPlacementReview"]["errors"] == []
    figures = (await api(DASHBOARD, as_="kent_officer"))["data"]["dashboard"]["council"]
    assert figures["reviewsDue"] == [] and figures["reviewsOverdue"] == 0
    assert await warn_reviews_due(now) == 0
