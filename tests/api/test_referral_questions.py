"""Questions before offering, through the API on both databases: a provider the referral was sent to asks,
the council's placement officers answer to that provider alone or to every provider it went to; who sees
what; the anonymisation guard on both texts; no question on a closed referral or from a provider not sent it."""

from __future__ import annotations

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.models import BroadcastRecipient, OutboxMessage, Referral
from server.services.referrals import withdraw_referral
from tests.api.conftest import Api

ASK = """mutation($input: AskQuestionInput!) { askQuestion(input: $input) {
  question { id question askedByYou providerName answer sharedWithAll }
  errors { field code message span { start end } } } }"""
ANSWER = """mutation($input: AnswerQuestionInput!) { answerQuestion(input: $input) {
  question { id question answer answeredAt sharedWithAll providerName }
  errors { field code message span { start end } } } }"""
QUESTIONS = """query($id: ID!) { referralQuestions(referralId: $id) {
  id question answer askedByYou providerName sharedWithAll } }"""

Q_HARBOUR = "Is there a school place nearby already arranged?"
Q_OAKLEAF = "Does the child have contact with siblings at weekends?"


async def _referral(market: Marketplace) -> tuple[Referral, str]:
    referral = await market.referral()
    return referral, to_global_id("Referral", referral.id)


async def _ask(api: Api, who: str, referral_id: str, question: str) -> dict:
    body = await api(ASK, {"input": {"referralId": referral_id, "question": question}}, as_=who)
    return body["data"]["askQuestion"]


async def _answer(api: Api, question_id: str, answer: str, to_all: bool = False, who: str = "kent_officer") -> dict:
    variables = {"input": {"questionId": question_id, "answer": answer, "toEveryProvider": to_all}}
    body = await api(ANSWER, variables, as_=who)
    return body["data"]["answerQuestion"]


async def _seen(api: Api, who: str, referral_id: str) -> list[dict]:
    body = await api(QUESTIONS, {"id": referral_id}, as_=who)
    assert not body.get("errors"), body
    return body["data"]["referralQuestions"]


async def test_ask_and_answer_privately_then_to_every_provider(api: Api, market: Marketplace) -> None:
    referral, rid = await _referral(market)
    sent = set(await BroadcastRecipient.filter(referral_id=referral.id, sent_at__isnull=False).values_list(
        "provider_id", flat=True))  # fmt: skip
    assert {market.providers["harbour"].id, market.providers["oakleaf"].id} <= sent

    asked = await _ask(api, "harbour", rid, Q_HARBOUR)
    assert asked["errors"] == []
    harbour_q = asked["question"]
    assert harbour_q["askedByYou"] and harbour_q["providerName"] == "Harbour Fostering (test)"
    assert harbour_q["answer"] is None
    oakleaf_q = (await _ask(api, "oakleaf", rid, Q_OAKLEAF))["question"]

    # The council sees both, and who asked; each provider only its own, and not the other's.
    council = await _seen(api, "kent_officer", rid)
    assert [(q["question"], q["providerName"]) for q in council] == [
        (Q_HARBOUR, "Harbour Fostering (test)"),
        (Q_OAKLEAF, "Oakleaf Care (test)"),
    ]
    assert [q["question"] for q in await _seen(api, "kent_commissioner", rid)] == [Q_HARBOUR, Q_OAKLEAF]
    assert [q["question"] for q in await _seen(api, "harbour", rid)] == [Q_HARBOUR]
    assert [q["question"] for q in await _seen(api, "oakleaf", rid)] == [Q_OAKLEAF]

    # A private answer: Harbour reads it, Oakleaf does not.
    private = await _answer(api, harbour_q["id"], "Yes: a place at a local secondary school is held.")
    assert private["errors"] == [] and private["question"]["sharedWithAll"] is False
    assert (await _seen(api, "harbour", rid))[0]["answer"] == "Yes: a place at a local secondary school is held."
    assert [q["question"] for q in await _seen(api, "oakleaf", rid)] == [Q_OAKLEAF]

    # Answered to every provider: Harbour reads Oakleaf's question and the answer, never who asked (the same
    # query as before, kept by the response cache until the answer's event, which names Harbour too).
    shared = await _answer(api, oakleaf_q["id"], "Fortnightly supervised contact on Saturdays.", to_all=True)
    assert shared["errors"] == [] and shared["question"]["sharedWithAll"] is True
    harbour_view = await _seen(api, "harbour", rid)
    assert [(q["question"], q["answer"], q["askedByYou"], q["providerName"]) for q in harbour_view] == [
        (Q_HARBOUR, "Yes: a place at a local secondary school is held.", True, "Harbour Fostering (test)"),
        (Q_OAKLEAF, "Fortnightly supervised contact on Saturdays.", False, None),
    ]
    # Answered once only.
    again = await _answer(api, oakleaf_q["id"], "Something else.")
    assert [e["code"] for e in again["errors"]] == ["WRONG_STATE"] and again["errors"][0]["field"] == "questionId"


async def test_who_sees_nothing(api: Api, market: Marketplace) -> None:
    _, rid = await _referral(market)
    question = (await _ask(api, "harbour", rid, Q_HARBOUR))["question"]
    await _answer(api, question["id"], "Yes, it is arranged.", to_all=True)
    # Another council, and a provider the referral was not sent to (Northdowns is on tier 2), see nothing.
    assert await _seen(api, "medway_officer", rid) == []
    assert await _seen(api, "northdowns", rid) == []
    assert await _seen(api, "spot", rid) == []
    # ...and may not answer: denied looks like missing.
    for who in ("medway_officer", "harbour", "northdowns"):
        refused = await _answer(api, question["id"], "An answer.", who=who)
        assert refused["question"] is None and [e["code"] for e in refused["errors"]] == ["NOT_FOUND"], who
    # The commissioner sees it but does not answer.
    other = (await _ask(api, "oakleaf", rid, Q_OAKLEAF))["question"]
    refused = await _answer(api, other["id"], "An answer.", who="kent_commissioner")
    assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    unknown = await _answer(api, to_global_id("ReferralQuestion", 999_999), "An answer.")
    assert [e["code"] for e in unknown["errors"]] == ["NOT_FOUND"]


async def test_provider_not_sent_the_referral_cannot_ask(api: Api, market: Marketplace) -> None:
    referral, rid = await _referral(market)
    assert not await BroadcastRecipient.filter(
        referral_id=referral.id, provider_id=market.providers["northdowns"].id, sent_at__isnull=False
    ).exists()
    for who in ("northdowns", "spot", "kent_officer", "medway_officer", "admin"):
        refused = await _ask(api, who, rid, Q_HARBOUR)
        assert refused["question"] is None, who
        assert {e["code"] for e in refused["errors"]} <= {"NOT_FOUND", "PERMISSION_DENIED"}, who
    assert await _seen(api, "kent_officer", rid) == []


async def test_closed_referral_takes_no_question_nor_answer(api: Api, market: Marketplace) -> None:
    referral, rid = await _referral(market)
    question = (await _ask(api, "harbour", rid, Q_HARBOUR))["question"]
    await withdraw_referral(market.actor("kent_officer"), referral.id, "Placed with family.")
    refused = await _ask(api, "oakleaf", rid, Q_OAKLEAF)
    assert refused["question"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("referralId", "WRONG_STATE")]
    late = await _answer(api, question["id"], "Too late.")
    assert [(e["field"], e["code"]) for e in late["errors"]] == [("questionId", "WRONG_STATE")]


async def test_both_texts_pass_the_guard_and_are_bounded(api: Api, market: Marketplace) -> None:
    _, rid = await _referral(market)
    text = "Can her mother Kerry Jones visit?"
    flagged = await _ask(api, "harbour", rid, text)
    assert flagged["question"] is None
    [error] = [e for e in flagged["errors"] if "Kerry Jones" in text[e["span"]["start"] : e["span"]["end"]]]
    assert error["field"] == "question" and error["code"] == "IDENTIFYING_DETAILS"
    empty = await _ask(api, "harbour", rid, "   ")
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("question", "REQUIRED")]
    long = await _ask(api, "harbour", rid, "x" * 2001)
    assert [(e["field"], e["code"]) for e in long["errors"]] == [("question", "INVALID")]

    question = (await _ask(api, "harbour", rid, Q_HARBOUR))["question"]
    flagged = await _answer(api, question["id"], "Ask her social worker Priya Raman on 07700 900123.")
    assert flagged["question"] is None and {e["field"] for e in flagged["errors"]} == {"answer"}
    assert {e["code"] for e in flagged["errors"]} == {"IDENTIFYING_DETAILS"}
    long = await _answer(api, question["id"], "y" * 2001)
    assert [(e["field"], e["code"]) for e in long["errors"]] == [("answer", "INVALID")]
    assert (await _seen(api, "harbour", rid))[0]["answer"] is None


async def test_emails_say_there_is_a_question_or_answer_never_the_text(api: Api, market: Marketplace) -> None:
    _, rid = await _referral(market)
    question = (await _ask(api, "harbour", rid, Q_HARBOUR))["question"]
    asked = await OutboxMessage.filter(notification="question_asked")
    assert {m.recipient for m in asked} == {market.users["kent_officer"].email}
    await _answer(api, question["id"], "Yes: a place is held at the local secondary.", to_all=False)
    private = await OutboxMessage.filter(notification="question_answered")
    assert {m.user_id for m in private} == {market.users["harbour"].id}
    second = (await _ask(api, "oakleaf", rid, Q_OAKLEAF))["question"]
    await _answer(api, second["id"], "Fortnightly supervised contact on Saturdays.", to_all=True)
    shared = [m for m in await OutboxMessage.filter(notification="question_answered") if m.context["shared"]]
    assert {m.user_id for m in shared} >= {market.users["harbour"].id, market.users["oakleaf"].id}
    assert market.users["northdowns"].id not in {m.user_id for m in shared}
    for message in await OutboxMessage.filter(notification__startswith="question_"):
        flat = str(message.context)
        for text in (Q_HARBOUR, Q_OAKLEAF, "a place is held", "Saturdays"):
            assert text not in flat
