"""Every free-text field that reaches another organisation goes through the anonymisation guard.

The list of free-text fields is read from the GraphQL schema itself (every String
or [String] field of every input type), so a field added later (a note, a
question, a message) fails here until it is either guarded, and proven so by a
mutation below, or named as one that never leaves the writer's organisation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from graphql import GraphQLInputObjectType, get_named_type

from bench.harness.marketplace import Marketplace
from schema.build import build_schema
from schema.ids import to_global_id
from server.models import LotMembership
from tests.api.conftest import Api
from tests.api.test_api_basics import CREATE, PUBLISH, referral_input
from tests.api.test_reopenings_and_mergers import APPLY, gid, open_core_lot, provider_admin

IDENTIFYING = "Her mother Kerry Jones"
SPAN = "Kerry Jones"

# The child's identified record is identifying by design: sealed at rest, never broadcast, opened only by the
# placing council and, after acceptance, the chosen provider (tests/api/test_child_record.py,
# tests/api/test_child_record_stays_off_the_broadcast_path.py).
IDENTIFIED_RECORD = "the child's identified record: sealed, for the chosen provider alone after acceptance"

FRAMEWORK_TERMS = "a framework's terms, lots or decision reference: commissioning facts, not about a child"

# Fields that never reach another organisation about a child, and why.
NOT_SHARED = {
    "LoginInput.email": "the user's own sign-in",
    "LoginInput.password": "the user's own sign-in",
    "CreateUserInput.email": "a staff account, seen by the platform only",
    "CreateUserInput.password": "a staff account, seen by the platform only",
    "CreateUserInput.displayName": "a staff account, seen by the platform only",
    "CreateApiTokenInput.name": "the user's own label for a token",
    "OnboardProviderInput.name": "the provider's public name, not about a child",
    "OnboardProviderInput.ofstedUrn": "the provider's public Ofsted number",
    "OnboardProviderInput.district": "checked to be a postcode district",
    "CreateReferralInput.homeDistrict": "checked to be a postcode district",
    "UpdateReferralInput.homeDistrict": "checked to be a postcode district",
    "CreateCarerHouseholdInput.district": "checked to be a postcode district",
    "UpdateCarerHouseholdInput.district": "checked to be a postcode district",
    "VacancyFilter.ofDistrict": "a search filter, never stored",
    "CreateChildrensHomeInput.ofstedUrn": "the home's public Ofsted number, checked to be letters and digits",
    "UpdateChildrensHomeInput.ofstedUrn": "the home's public Ofsted number, checked to be letters and digits",
    "CreateChildrensHomeInput.district": "checked to be a postcode district",
    "UpdateChildrensHomeInput.district": "checked to be a postcode district",
    "SaveChildRecordInput.fullName": IDENTIFIED_RECORD,
    "SaveChildRecordInput.nhsNumber": IDENTIFIED_RECORD,
    "SaveChildRecordInput.address": IDENTIFIED_RECORD,
    "SaveChildRecordInput.school": IDENTIFIED_RECORD,
    "SaveChildRecordInput.socialWorkerName": IDENTIFIED_RECORD,
    "SaveChildRecordInput.socialWorkerEmail": IDENTIFIED_RECORD,
    "SaveChildRecordInput.socialWorkerPhone": IDENTIFIED_RECORD,
    "SaveChildRecordInput.councilChildId": IDENTIFIED_RECORD,
    "AddReferralDocumentInput.fileName": IDENTIFIED_RECORD,
    "AddReferralDocumentInput.contentBase64": IDENTIFIED_RECORD,
    "AddReferralDocumentInput.contentType": IDENTIFIED_RECORD,
    # A framework's own terms (schema/mutations/frameworks.py): commissioning facts, never about a child.
    "CreateFrameworkInput.reference": FRAMEWORK_TERMS,
    "CreateFrameworkInput.name": FRAMEWORK_TERMS,
    "CreateFrameworkInput.extensionOptions": FRAMEWORK_TERMS,
    "UpdateFrameworkInput.reference": FRAMEWORK_TERMS,
    "UpdateFrameworkInput.name": FRAMEWORK_TERMS,
    "UpdateFrameworkInput.extensionOptions": FRAMEWORK_TERMS,
    "ExtendFrameworkInput.decisionReference": FRAMEWORK_TERMS,
    "CreateLotInput.code": FRAMEWORK_TERMS,
    "CreateLotInput.name": FRAMEWORK_TERMS,
    "UpdateLotInput.code": FRAMEWORK_TERMS,
    "UpdateLotInput.name": FRAMEWORK_TERMS,
    "LiftSuspensionInput.note": "the framework's audit trail, for the lead council and admins; never shown to the provider",
    # The placements data standard's quality assurance: the council's own staff, kept for its exports only.
    "SetPlacementStandardDetailsInput.placementOfficerName": "the council's own officer, for its standard exports only",
    "SetPlacementStandardDetailsInput.costOfficerName": "the council's own officer, for its standard exports only",
}

ERRORS = "errors { field code message span { start end } }"
Errors = list[dict]
Scenario = Callable[[Api, Marketplace, str], Awaitable[Errors]]


def free_text_input_fields() -> set[str]:
    schema = build_schema(production=False)._schema
    return {
        f"{name}.{field_name}"
        for name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLInputObjectType) and not name.startswith("__")
        for field_name, field in graphql_type.fields.items()
        if get_named_type(field.type).name == "String"
    }


def _as_value(field: str, text: str) -> str | list[str]:
    return [text] if field in ("languages", "faiths", "cultures") else text


async def _draft(api: Api, market: Marketplace) -> str:
    created = (await api(CREATE, {"input": referral_input(market)}, as_="kent_officer"))["data"]["createReferral"]
    assert created["errors"] == []
    return created["referral"]["id"]


async def _open_referral(api: Api, market: Marketplace) -> str:
    referral_id = await _draft(api, market)
    published = (await api(PUBLISH, {"input": {"id": referral_id}}, as_="kent_officer"))["data"]["publishReferral"]
    assert published["errors"] == []
    return referral_id


def _referral_field(operation: str) -> Scenario:
    async def run(api: Api, market: Marketplace, field: str) -> Errors:
        value = _as_value(field, IDENTIFYING)
        if operation == "create":
            query = f"mutation($input: CreateReferralInput!) {{ createReferral(input: $input) {{ {ERRORS} }} }}"
            body = await api(query, {"input": referral_input(market, **{field: value})}, as_="kent_officer")
            return body["data"]["createReferral"]["errors"]
        referral_id = await _draft(api, market)
        query = f"mutation($input: UpdateReferralInput!) {{ updateReferral(input: $input) {{ {ERRORS} }} }}"
        body = await api(query, {"input": {"id": referral_id, field: value}}, as_="kent_officer")
        return body["data"]["updateReferral"]["errors"]

    return run


async def _withdraw_reason(api: Api, market: Marketplace, field: str) -> Errors:
    referral_id = await _open_referral(api, market)
    query = f"mutation($input: WithdrawReferralInput!) {{ withdrawReferral(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": {"id": referral_id, "reason": IDENTIFYING}}, as_="kent_officer")
    return body["data"]["withdrawReferral"]["errors"]


async def _offer(api: Api, market: Marketplace, field: str) -> Errors:
    referral_id = await _open_referral(api, market)
    extra = {"label": "Extra support", "amountPence": 5_000, "justification": "Two evenings a week."}
    offer = {
        "referralId": referral_id,
        "carerHouseholdId": to_global_id("CarerHousehold", market.households["harbour"]),
        "startDate": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
        "matchingStatement": "Experienced with teenagers who go missing.",
        "extras": [extra],
    }
    if field == "matchingStatement":
        offer["matchingStatement"] = IDENTIFYING
    else:
        extra[field] = IDENTIFYING
    query = f"mutation($input: SubmitOfferInput!) {{ submitOffer(input: $input) {{ {ERRORS} }} }}"
    return (await api(query, {"input": offer}, as_="harbour"))["data"]["submitOffer"]["errors"]


async def _decline_note(api: Api, market: Marketplace, field: str) -> Errors:
    referral_id = await _open_referral(api, market)
    query = f"mutation($input: DeclineReferralInput!) {{ declineReferral(input: $input) {{ {ERRORS} }} }}"
    decline = {"referralId": referral_id, "reason": "NO_CAPACITY", "note": IDENTIFYING}
    return (await api(query, {"input": decline}, as_="harbour"))["data"]["declineReferral"]["errors"]


async def _offer_decline_note(api: Api, market: Marketplace, field: str) -> Errors:
    """The council's note on declining an offer is told to the provider."""
    referral_id = await _open_referral(api, market)
    offer = {
        "referralId": referral_id,
        "carerHouseholdId": to_global_id("CarerHousehold", market.households["harbour"]),
        "startDate": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
        "matchingStatement": "Experienced with teenagers who go missing.",
    }
    submit = "mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { message } } }"
    offer_id = (await api(submit, {"input": offer}, as_="harbour"))["data"]["submitOffer"]["offer"]["id"]
    query = f"mutation($input: DeclineOfferInput!) {{ declineOffer(input: $input) {{ {ERRORS} }} }}"
    decline = {"offerId": offer_id, "reason": "OTHER", "note": IDENTIFYING}
    return (await api(query, {"input": decline}, as_="kent_officer"))["data"]["declineOffer"]["errors"]


def _vacancy_note(operation: str) -> Scenario:
    async def run(api: Api, market: Marketplace, field: str) -> Errors:
        household = to_global_id("CarerHousehold", market.households["harbour"])
        post = f"mutation($input: PostVacancyInput!) {{ postVacancy(input: $input) {{ vacancy {{ id }} {ERRORS} }} }}"
        note = IDENTIFYING if operation == "post" else "One place, teenagers welcome."
        body = await api(post, {"input": {"carerHouseholdId": household, "places": 1, "note": note}}, as_="harbour")
        if operation == "post":
            return body["data"]["postVacancy"]["errors"]
        vacancy_id = body["data"]["postVacancy"]["vacancy"]["id"]
        update = f"mutation($input: UpdateVacancyInput!) {{ updateVacancy(input: $input) {{ {ERRORS} }} }}"
        body = await api(update, {"input": {"id": vacancy_id, "note": IDENTIFYING}}, as_="harbour")
        return body["data"]["updateVacancy"]["errors"]

    return run


def _household_field(operation: str) -> Scenario:
    async def run(api: Api, market: Marketplace, field: str) -> Errors:
        value = _as_value(field, IDENTIFYING)
        if operation == "create":
            details = {
                "reference": "HARBOUR-H9",
                "district": "ME15",
                "minAge": 8,
                "maxAge": 17,
                "approvedPlaces": 1,
                "placementKinds": ["CORE_FOSTERING"],
                "durations": ["LONG_TERM"],
            }
            query = (
                f"mutation($input: CreateCarerHouseholdInput!) {{ createCarerHousehold(input: $input) {{ {ERRORS} }} }}"
            )
            body = await api(query, {"input": {**details, field: value}}, as_="harbour")
            return body["data"]["createCarerHousehold"]["errors"]
        household = to_global_id("CarerHousehold", market.households["harbour"])
        query = f"mutation($input: UpdateCarerHouseholdInput!) {{ updateCarerHousehold(input: $input) {{ {ERRORS} }} }}"
        body = await api(query, {"input": {"id": household, field: value}}, as_="harbour")
        return body["data"]["updateCarerHousehold"]["errors"]

    return run


async def _home_name(api: Api, market: Marketplace, field: str) -> Errors:
    details = {
        "name": IDENTIFYING,
        "ofstedUrn": "SC930001",
        "beds": 3,
        "minAge": 10,
        "maxAge": 17,
        "district": "ME15",
        "ofstedJudgement": "GOOD",
    }
    query = f"mutation($input: CreateChildrensHomeInput!) {{ createChildrensHome(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": details}, as_="harbour")
    return body["data"]["createChildrensHome"]["errors"]


async def _home_rename(api: Api, market: Marketplace, field: str) -> Errors:
    details = {"name": "Harbour View", "ofstedUrn": "SC930002", "beds": 3, "minAge": 10, "maxAge": 17}
    create = "mutation($input: CreateChildrensHomeInput!) { createChildrensHome(input: $input) "
    create += f"{{ childrensHome {{ id }} {ERRORS} }} }}"
    body = await api(create, {"input": {**details, "district": "ME15", "ofstedJudgement": "GOOD"}}, as_="harbour")
    home_id = body["data"]["createChildrensHome"]["childrensHome"]["id"]
    query = f"mutation($input: UpdateChildrensHomeInput!) {{ updateChildrensHome(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": {"id": home_id, "name": IDENTIFYING}}, as_="harbour")
    return body["data"]["updateChildrensHome"]["errors"]


def _placement_text(mutation: str, input_type: str) -> Scenario:
    """The other side of a placement reads a fee change's reason and a review's notes."""

    async def run(api: Api, market: Marketplace, field: str) -> Errors:
        from server.models import Placement
        from server.services import offers
        from server.services.offers import OfferDetails

        referral = await market.referral()
        offer = await offers.submit_offer(
            market.actor("harbour"),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=market.households["harbour"],
                start_date=(datetime.now(UTC) + timedelta(days=2)).date(),
                matching_statement="Experienced with teenagers.",
            ),
        )
        placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
        started = (datetime.now(UTC) - timedelta(days=30)).date()
        await Placement.filter(id=placement.id).update(start_date=started)  # time travel: it has begun
        pid = to_global_id("Placement", placement.id)
        values = (
            {"weeklyFeePence": 90_000, "effectiveFrom": (started + timedelta(days=7)).isoformat()}
            if mutation == "changePlacementFee"
            else {"heldOn": (started + timedelta(days=20)).isoformat(), "attendance": ["CHILD"], "sdqTotal": 10}
        )
        query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {ERRORS} }} }}"
        body = await api(query, {"input": {"placementId": pid, **values, field: IDENTIFYING}}, as_="kent_officer")
        return body["data"][mutation]["errors"]

    return run


async def _question(api: Api, market: Marketplace, field: str) -> Errors:
    referral_id = await _open_referral(api, market)
    query = f"mutation($input: AskQuestionInput!) {{ askQuestion(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": {"referralId": referral_id, "question": IDENTIFYING}}, as_="harbour")
    return body["data"]["askQuestion"]["errors"]


async def _answer(api: Api, market: Marketplace, field: str) -> Errors:
    referral_id = await _open_referral(api, market)
    ask = "mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id } } }"
    question = {"referralId": referral_id, "question": "Is a school place arranged?"}
    asked = (await api(ask, {"input": question}, as_="harbour"))["data"]["askQuestion"]["question"]
    query = f"mutation($input: AnswerQuestionInput!) {{ answerQuestion(input: $input) {{ {ERRORS} }} }}"
    answer = {"questionId": asked["id"], "answer": IDENTIFYING, "toEveryProvider": True}
    return (await api(query, {"input": answer}, as_="kent_officer"))["data"]["answerQuestion"]["errors"]


async def _join_statement(api: Api, market: Marketplace, field: str) -> Errors:
    """The spot provider's admin applies to join Kent's core lot in an open re-opening (read by Kent)."""
    await open_core_lot(api, market)
    who = await provider_admin(api, market, "spot")
    query = f"mutation($input: ApplyToJoinLotInput!) {{ applyToJoinLot(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": IDENTIFYING}}, as_=who)
    return body["data"]["applyToJoinLot"]["errors"]


async def _refusal_reason(api: Api, market: Marketplace, field: str) -> Errors:
    """Kent's commissioner refuses the application with a reason the provider is told."""
    await open_core_lot(api, market)
    who = await provider_admin(api, market, "spot")
    applied = await api(
        APPLY, {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": "Ten carers."}}, as_=who
    )
    application = applied["data"]["applyToJoinLot"]["application"]
    refusal = {"applicationId": application["id"], "decision": "REFUSE", "reason": IDENTIFYING}
    query = f"mutation($input: DecideJoinApplicationInput!) {{ decideJoinApplication(input: $input) {{ {ERRORS} }} }}"
    return (await api(query, {"input": refusal}, as_="kent_commissioner"))["data"]["decideJoinApplication"]["errors"]


async def _suspension_reason(api: Api, market: Marketplace, field: str) -> Errors:
    """The reason a member is suspended from a lot is told to the provider."""
    membership = await LotMembership.get(lot_id=market.core_lot.id, provider_id=market.providers["harbour"].id)
    query = f"mutation($input: SuspendMembershipInput!) {{ suspendMembership(input: $input) {{ {ERRORS} }} }}"
    suspension = {"membershipId": to_global_id("LotMembership", membership.id), "reason": IDENTIFYING}
    return (await api(query, {"input": suspension}, as_="kent_commissioner"))["data"]["suspendMembership"]["errors"]


async def _block_contract(api: Api, market: Marketplace, field: str) -> Errors:
    """The provider reads a block contract's reference and name."""
    from server.models import ChildrensHome

    home = await ChildrensHome.create(
        provider=market.providers["harbour"], name="Harbour Lodge", ofsted_urn="SC930009", beds=2, min_age=10,
        max_age=17, district="ME15", ofsted_judgement="good",
    )  # fmt: skip
    contract = {
        "reference": "KCC-BLOCK-09",
        "name": "Kent children's home beds",
        "providerId": to_global_id("Provider", market.providers["harbour"].id),
        "councilId": to_global_id("Council", market.kent.id),
        "startsOn": "2026-01-01",
        "endsOn": "2030-12-31",
        "weeklyPricePence": 600_000,
        "voidBasis": "PERCENT_OF_PRICE",
        "voidPercent": 60,
        "places": [{"startsOn": "2026-01-01", "childrensHomeId": to_global_id("ChildrensHome", home.id)}],
    }
    if field == "rename":
        create = "mutation($input: CreateBlockContractInput!) { createBlockContract(input: $input) "
        create += f"{{ blockContract {{ id }} {ERRORS} }} }}"
        body = await api(create, {"input": contract}, as_="kent_commissioner")
        contract_id = body["data"]["createBlockContract"]["blockContract"]["id"]
        query = f"mutation($input: UpdateBlockContractInput!) {{ updateBlockContract(input: $input) {{ {ERRORS} }} }}"
        body = await api(query, {"input": {"id": contract_id, "name": IDENTIFYING}}, as_="kent_commissioner")
        return body["data"]["updateBlockContract"]["errors"]
    query = f"mutation($input: CreateBlockContractInput!) {{ createBlockContract(input: $input) {{ {ERRORS} }} }}"
    body = await api(query, {"input": {**contract, field: IDENTIFYING}}, as_="kent_commissioner")
    return body["data"]["createBlockContract"]["errors"]


async def _block_contract_rename(api: Api, market: Marketplace, field: str) -> Errors:
    return await _block_contract(api, market, "rename")


# Each guarded field, with the mutation that proves it and the field name its errors carry.
async def _placed(market: Marketplace) -> str:
    """A Kent placement with Harbour, begun 30 days ago: its global id."""
    from server.models import Placement
    from server.services import offers
    from server.services.offers import OfferDetails

    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=(datetime.now(UTC) + timedelta(days=2)).date(),
            matching_statement="Experienced with teenagers.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    await Placement.filter(id=placement.id).update(start_date=(datetime.now(UTC) - timedelta(days=30)).date())
    return to_global_id("Placement", placement.id)


def _contract_text(mutation: str, input_type: str) -> Scenario:
    """Allegations, feedback and contract reviews are read by the placing council, the provider and the
    framework's lead commissioners."""

    async def run(api: Api, market: Marketplace, field: str) -> Errors:
        today = datetime.now(UTC).date().isoformat()
        who = "kent_officer"
        if mutation == "recordContractReview":
            who = "kent_commissioner"
            values = {
                "frameworkId": to_global_id("Framework", market.framework.id),
                "providerId": to_global_id("Provider", market.providers["harbour"].id),
                "heldOn": today,
                "notes": IDENTIFYING if field == "notes" else "",
                "actions": [{"what": IDENTIFYING if field == "what" else "Send the plan.", "owner": "PROVIDER",
                             "dueOn": today}],
            }  # fmt: skip
        elif mutation == "recordPlacementFeedback":
            values = {"placementId": await _placed(market), "givenOn": today, "givenBy": "REVIEWING_OFFICER",
                      "needsMet": 4, "communication": 4, "stability": 4, field: IDENTIFYING}  # fmt: skip
        else:
            allegation = {"placementId": await _placed(market), "reportedOn": today, "category": "NEGLECT",
                          "reportedBy": "SOCIAL_WORKER"}  # fmt: skip
            if mutation == "recordAllegation":
                values = {**allegation, field: IDENTIFYING}
            else:
                record = "mutation($input: RecordAllegationInput!) { recordAllegation(input: $input) "
                record += f"{{ allegation {{ id }} {ERRORS} }} }}"
                made = (await api(record, {"input": allegation}, as_=who))["data"]["recordAllegation"]
                values = {"allegationId": made["allegation"]["id"], field: IDENTIFYING}
        query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {ERRORS} }} }}"
        body = await api(query, {"input": values}, as_=who)
        return body["data"][mutation]["errors"]

    return run


GUARDED: dict[str, tuple[Scenario, str]] = {
    **{f"CreateReferralInput.{f}": (_referral_field("create"), f) for f in ("summary", "culturalNeeds", "faith")},
    **{f"UpdateReferralInput.{f}": (_referral_field("update"), f) for f in ("summary", "culturalNeeds", "faith")},
    # The placements data standard's "other" risks and support, in words (issue 20).
    **{
        f"{kind}ReferralInput.{f}": (_referral_field(kind.lower()), f)
        for kind in ("Create", "Update")
        for f in ("riskToChildOther", "riskToOthersOther", "additionalSupportOther")
    },
    "CreateReferralInput.languages": (_referral_field("create"), "languages.0"),
    "UpdateReferralInput.languages": (_referral_field("update"), "languages.0"),
    "WithdrawReferralInput.reason": (_withdraw_reason, "reason"),
    "SubmitOfferInput.matchingStatement": (_offer, "matchingStatement"),
    "ExtraInput.label": (_offer, "extras.0.label"),
    "ExtraInput.justification": (_offer, "extras.0.justification"),
    "DeclineReferralInput.note": (_decline_note, "note"),
    "DeclineOfferInput.note": (_offer_decline_note, "note"),
    "PostVacancyInput.note": (_vacancy_note("post"), "note"),
    "UpdateVacancyInput.note": (_vacancy_note("update"), "note"),
    "CreateChildrensHomeInput.name": (_home_name, "name"),
    "UpdateChildrensHomeInput.name": (_home_rename, "name"),
    "ChangePlacementFeeInput.reason": (_placement_text("changePlacementFee", "ChangePlacementFeeInput"), "reason"),
    "RecordPlacementReviewInput.notes": (
        _placement_text("recordPlacementReview", "RecordPlacementReviewInput"),
        "notes",
    ),
    "AskQuestionInput.question": (_question, "question"),
    "AnswerQuestionInput.answer": (_answer, "answer"),
    "ApplyToJoinLotInput.statement": (_join_statement, "statement"),
    "DecideJoinApplicationInput.reason": (_refusal_reason, "reason"),
    "SuspendMembershipInput.reason": (_suspension_reason, "reason"),
    "CreateBlockContractInput.reference": (_block_contract, "reference"),
    "CreateBlockContractInput.name": (_block_contract, "name"),
    "UpdateBlockContractInput.name": (_block_contract_rename, "name"),
    "RecordAllegationInput.summary": (_contract_text("recordAllegation", "RecordAllegationInput"), "summary"),
    "UpdateAllegationInput.summary": (_contract_text("updateAllegation", "UpdateAllegationInput"), "summary"),
    "RecordPlacementFeedbackInput.comment": (
        _contract_text("recordPlacementFeedback", "RecordPlacementFeedbackInput"),
        "comment",
    ),
    "RecordContractReviewInput.notes": (_contract_text("recordContractReview", "RecordContractReviewInput"), "notes"),
    "ContractReviewActionInput.what": (
        _contract_text("recordContractReview", "RecordContractReviewInput"),
        "actions.0.what",
    ),
    **{
        f"{kind}CarerHouseholdInput.{f}": (_household_field(kind.lower()), f if f == "reference" else f"{f}.0")
        for kind in ("Create", "Update")
        for f in ("reference", "languages", "faiths", "cultures")
    },
}


def test_every_free_text_field_is_guarded_or_named_as_never_shared() -> None:
    fields = free_text_input_fields()

    unclassified = sorted(fields - GUARDED.keys() - NOT_SHARED.keys())
    assert unclassified == [], (
        f"free-text input fields not known to be guarded: {unclassified}. Pass each to "
        "server.services.free_text.identifying_problems in its use case and add it to GUARDED here, "
        "or, if it never reaches another organisation, to NOT_SHARED with the reason."
    )
    assert sorted((GUARDED.keys() | NOT_SHARED.keys()) - fields) == []  # nothing listed that no longer exists


@pytest.mark.parametrize("input_field", sorted(GUARDED))
async def test_identifying_text_in_a_shared_field_is_refused_with_its_span(
    api: Api, market: Marketplace, input_field: str
) -> None:
    scenario, error_field = GUARDED[input_field]
    field = input_field.split(".")[1]

    errors = await scenario(api, market, field)

    refused = [e for e in errors if e["code"] == "IDENTIFYING_DETAILS" and e["field"] == error_field]
    assert refused, errors
    span = refused[0]["span"]
    assert IDENTIFYING[span["start"] : span["end"]] == SPAN
    assert '"her mother"' in refused[0]["message"]
