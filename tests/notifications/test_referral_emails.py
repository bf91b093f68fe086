"""What providers and councils are emailed about a referral, and what those emails never say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from bench.harness.marketplace import Marketplace
from notifications.preferences import unsubscribe_with_token
from notifications.unsubscribe import verify
from server.domain.vocabulary import DeclineReason, OutboxStatus
from server.jobs.runner import JobRunner
from server.models import OutboxMessage, Referral
from server.outbox.kinds import Notification
from server.services import offers, referrals
from server.services.offers import OfferDetails
from tests.notifications.conftest import BASE_URL, SECRET, MailServer, drain


async def test_provider_duty_desk_is_emailed_when_a_referral_is_broadcast(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    referral = await market.referral()
    await drain(make_worker())

    assert sorted(address for r in mail_server.received for address in r.rcpt_tos) == [
        "duty@harbour.test",
        "duty@oakleaf.test",
    ]
    email = mail_server.to("duty@harbour.test")[0].message
    assert email["Subject"] == (
        f"[{referral.reference}] New referral: Core fostering, age 11-15, ME14 — needed within 5 days"
    )
    assert email["From"] == "Placement Exchange <no-reply@exchange.test>"
    to = email["To"].addresses[0]
    assert (to.display_name, to.addr_spec) == ("Harbour Fostering (test) duty desk", "duty@harbour.test")
    link = f"{BASE_URL}/referrals/{referral.id}"
    body = mail_server.to("duty@harbour.test")[0]
    assert link in body.text and f'href="{link}"' in body.html
    for fact in (referral.reference, "Core fostering", "Within 5 days", "11-15", "ME14"):
        assert fact in body.text and fact in body.html
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 2


async def test_tier_two_provider_is_not_emailed_until_the_cascade(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    referral = await market.referral()
    await drain(make_worker())
    assert mail_server.to("duty@northdowns.test") == []

    await Referral.filter(id=referral.id).update(tier_deadline=datetime.now(UTC) - timedelta(minutes=1))
    worker = make_worker()
    await JobRunner().run_cycle()  # the clock runs the cascade; the worker sends what it queued
    await drain(worker)
    assert len(mail_server.to("duty@northdowns.test")) == 1


async def test_no_email_carries_the_referral_or_offer_free_text(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    referral = await market.referral(
        summary="Enjoys quilling paper-craft and xylophone practice after tea.",
        cultural_needs="Vegetarian meals; likes marmalade toast on Sundays.",
    )
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Carers keep bees and a tandem bicycle; twelve miles from home.",
        ),
    )
    await offers.decline_referral(
        market.actor("oakleaf"),
        referral.id,
        DeclineReason.NO_CAPACITY,
        note="Our only household is repainting the kitchen.",
    )
    await offers.shortlist_offer(market.actor("kent_officer"), offer.id)
    await referrals.withdraw_referral(market.actor("kent_officer"), referral.id)
    await drain(make_worker())

    kinds = set(await OutboxMessage.all().values_list("notification", flat=True))
    assert {"referral_broadcast", "offer_activity", "offer_decision", "referral_closed"} <= kinds
    assert len(mail_server.received) == await OutboxMessage.filter(status=OutboxStatus.SENT).count() >= 6
    for received in mail_server.received:
        everything = f"{received.message['Subject']}\n{received.text}\n{received.html}\n{received.message}".lower()
        for word in ("quilling", "xylophone", "marmalade", "vegetarian", "bees", "tandem", "repainting"):
            assert word not in everything, f"{word!r} leaked into {received.message['Subject']!r}"


async def test_every_email_has_its_row_message_id_and_a_signed_one_click_unsubscribe(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await market.referral()
    await drain(make_worker())

    for received in mail_server.received:
        email = received.message
        row = await OutboxMessage.get(recipient=received.rcpt_tos[0])
        assert email["Message-ID"] == row.message_id
        assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert b"\r\nList-Unsubscribe: <https://exchange.test/preferences?token=" in received.raw  # a plain URL
        url = email["List-Unsubscribe"].strip("<>")
        assert url.startswith(f"{BASE_URL}/preferences?token=")
        token = parse_qs(urlsplit(url).query)["token"][0]
        unsubscription = verify(token, secret_key=SECRET)
        assert unsubscription is not None
        assert (unsubscription.user_id, unsubscription.notifications) == (
            row.user_id,
            (Notification.REFERRAL_BROADCAST,),
        )
        assert verify(token, secret_key="another-secret-key-entirely-0123456789") is None
        assert verify(token[:-2] + "xx", secret_key=SECRET) is None


async def test_one_click_unsubscribe_stops_that_kind_of_email(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await market.referral()
    await drain(make_worker())
    url = mail_server.to("duty@harbour.test")[0].message["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlsplit(url).query)["token"][0]

    assert await unsubscribe_with_token(token, secret_key=SECRET) is not None
    await market.referral()
    queued = await OutboxMessage.filter(notification="referral_broadcast").values_list("recipient", flat=True)
    assert sorted(queued) == ["duty@harbour.test", "duty@oakleaf.test", "duty@oakleaf.test"]
    assert await unsubscribe_with_token("not-a-token", secret_key=SECRET) is None


async def test_a_closed_referral_says_whether_it_was_withdrawn_or_placed_but_never_the_reason(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    officer = market.actor("kent_officer")
    withdrawn = await market.referral()
    await referrals.withdraw_referral(officer, withdrawn.id, "Family found a kinship carer overnight.")
    placed = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=placed.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced carers for this age group.",
        ),
    )
    await offers.accept_offer(officer, offer.id)
    await drain(make_worker())

    closed = [r for r in mail_server.to("duty@oakleaf.test") if "Referral closed" in r.message["Subject"]]
    by_reference = {r.message["Subject"].split("]")[0].strip("["): r.text for r in closed}
    assert "the council has withdrawn it" in by_reference[withdrawn.reference]
    assert "kinship" not in by_reference[withdrawn.reference]  # free text stays on the referral's page
    assert "placed elsewhere" in by_reference[placed.reference]
    assert (await Referral.get(id=withdrawn.id)).withdrawal_reason == "Family found a kinship carer overnight."
