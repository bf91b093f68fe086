"""Questions before offering by email: the council's placement officers are told of a question, the asking
provider (or, when the council shares it, every provider the referral went to) of an answer; the email says
only that there is one, with the link, never the question's or the answer's words."""

from __future__ import annotations

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from server.services import questions
from tests.notifications.conftest import BASE_URL, MailServer, drain

QUESTION = "Does the youngster enjoy origami and bassoon lessons?"
PRIVATE = "Yes: bassoon on Thursdays with a peripatetic tutor."
SHARED = "Kayaking club membership transfers with the placement."


async def test_question_and_answers_are_emailed_to_whom_they_concern_without_their_words(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    referral = await market.referral()
    await drain(make_worker())
    mail_server.received.clear()
    link = f"{BASE_URL}/referrals/{referral.id}"

    asked = await questions.ask_question(market.actor("harbour"), referral.id, QUESTION)
    await drain(make_worker())
    assert [address for r in mail_server.received for address in r.rcpt_tos] == ["kent_officer@council.test"]
    email = mail_server.received[0]
    assert email.message["Subject"] == f"[{referral.reference}] A provider has asked a question"
    assert link in email.text and f'href="{link}"' in email.html

    mail_server.received.clear()
    await questions.answer_question(market.actor("kent_officer"), asked.id, PRIVATE, to_every_provider=False)
    await drain(make_worker())
    assert [address for r in mail_server.received for address in r.rcpt_tos] == ["duty@harbour.test"]
    assert (
        mail_server.received[0].message["Subject"] == f"[{referral.reference}] The council has answered your question"
    )

    mail_server.received.clear()
    second = await questions.ask_question(market.actor("oakleaf"), referral.id, "Is kayaking possible nearby?")
    await questions.answer_question(market.actor("kent_officer"), second.id, SHARED, to_every_provider=True)
    await drain(make_worker())
    answered = sorted(
        address for r in mail_server.received if "answered" in r.message["Subject"] for address in r.rcpt_tos
    )
    assert answered == ["duty@harbour.test", "duty@oakleaf.test"]  # every provider it was sent to; not Northdowns

    everything = await OutboxMessage.filter(notification__startswith="question_")
    assert all(row.status is OutboxStatus.SENT for row in everything)
    for received in mail_server.received:
        text = f"{received.message['Subject']}\n{received.text}\n{received.html}\n{received.message}".lower()
        for word in ("origami", "bassoon", "peripatetic", "kayaking"):
            assert word not in text, f"{word!r} leaked into {received.message['Subject']!r}"
