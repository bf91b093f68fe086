"""Questions before offering, live: a new question reaches the council's feed, an answer reaches those it
concerns (the asker alone, or every provider the referral went to), and nobody else."""

from __future__ import annotations

import pytest

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.services import questions

FEED = """subscription($id: ID!) { referralQuestions(referralId: $id) {
  event question { question answer askedByYou providerName sharedWithAll } } }"""


async def acked(socket) -> None:
    assert (await socket.receive())["type"] == "connection_ack"


async def _next(socket) -> dict:
    message = await socket.receive()
    assert message["type"] == "next", message
    return message["payload"]["data"]["referralQuestions"]


async def test_questions_and_answers_arrive_live_for_whom_they_concern(live, market: Marketplace) -> None:
    referral = await market.referral()
    rid = to_global_id("Referral", referral.id)
    async with live("kent_officer") as council, live("harbour") as harbour, live("oakleaf") as oakleaf:
        for socket in (council, harbour, oakleaf):
            await acked(socket)
            await socket.subscribe(FEED, {"id": rid})

        asked = await questions.ask_question(market.actor("harbour"), referral.id, "Is a school place arranged?")
        seen = await _next(council)
        assert seen["event"] == "question.asked"
        assert seen["question"]["question"] == "Is a school place arranged?"
        assert seen["question"]["providerName"] == "Harbour Fostering (test)"
        assert (await _next(harbour))["question"]["askedByYou"] is True

        # Answered to Harbour alone: Harbour is told, Oakleaf is not.
        await questions.answer_question(
            market.actor("kent_officer"), asked.id, "Yes, at the local secondary.", to_every_provider=False
        )
        told = await _next(harbour)
        assert told["event"] == "question.answered" and told["question"]["answer"] == "Yes, at the local secondary."
        assert (await _next(council))["event"] == "question.answered"

        # Oakleaf's question answered to every provider: both providers are told, Harbour without who asked.
        second = await questions.ask_question(market.actor("oakleaf"), referral.id, "Is weekend contact planned?")
        first_for_oakleaf = await _next(oakleaf)  # its own question, never Harbour's private answer
        assert first_for_oakleaf["event"] == "question.asked"
        assert first_for_oakleaf["question"]["question"] == "Is weekend contact planned?"
        assert (await _next(council))["event"] == "question.asked"
        await questions.answer_question(
            market.actor("kent_officer"), second.id, "Fortnightly, supervised.", to_every_provider=True
        )
        shared = await _next(harbour)
        assert shared == {
            "event": "question.answered",
            "question": {
                "question": "Is weekend contact planned?",
                "answer": "Fortnightly, supervised.",
                "askedByYou": False,
                "providerName": None,
                "sharedWithAll": True,
            },
        }
        assert (await _next(oakleaf))["question"]["answer"] == "Fortnightly, supervised."
        with pytest.raises(TimeoutError):
            await oakleaf.receive(timeout=0.5)


async def test_a_provider_not_sent_the_referral_is_refused(live, market: Marketplace) -> None:
    referral = await market.referral()
    async with live("northdowns") as northdowns:
        await acked(northdowns)
        await northdowns.subscribe(FEED, {"id": to_global_id("Referral", referral.id)})
        message = await northdowns.receive()
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors")
        assert errors and "No referral" in str(errors)
