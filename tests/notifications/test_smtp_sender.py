"""How the SMTP sender classifies what a mail server says, against a real aiosmtpd server."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from notifications.sender import DeliveryError, SmtpSender, SmtpServer
from tests.notifications.conftest import MailServer, free_port, settings_for


def email_to(address: str, subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "no-reply@exchange.test"
    message["To"] = address
    message["Subject"] = subject
    message.set_content("Body")
    return message


@pytest.fixture
def sender_for(mail_server: MailServer) -> Iterator[SmtpSender]:
    yield SmtpSender(SmtpServer("127.0.0.1", mail_server.port), timeout=0.5, connect_timeout=0.5)


async def test_one_connection_is_reused_for_many_messages(mail_server: MailServer, sender_for: SmtpSender) -> None:
    for number in range(5):
        await sender_for.send(email_to(f"desk{number}@provider.test"))
    await sender_for.close()
    assert len(mail_server.received) == 5
    assert len({received.peer for received in mail_server.received}) == 1  # one client port: one connection


async def test_unreachable_server_is_an_outage_not_the_messages_fault() -> None:
    sender = SmtpSender(SmtpServer("127.0.0.1", free_port()), connect_timeout=0.5)
    with pytest.raises(DeliveryError) as caught:
        await sender.send(email_to("desk@provider.test"))
    assert caught.value.outage and not caught.value.permanent


async def test_4xx_is_temporary_and_5xx_permanent(mail_server: MailServer, sender_for: SmtpSender) -> None:
    mail_server.refuse = {"busy@provider.test": "451 4.3.0 Try later", "gone@provider.test": "550 5.1.1 Unknown"}
    with pytest.raises(DeliveryError) as busy:
        await sender_for.send(email_to("busy@provider.test"))
    with pytest.raises(DeliveryError) as gone:
        await sender_for.send(email_to("gone@provider.test"))
    await sender_for.send(email_to("fine@provider.test"))  # the connection is still good after refusals
    await sender_for.close()
    assert (busy.value.permanent, busy.value.outage) == (False, False)
    assert (gone.value.permanent, gone.value.outage) == (True, False)
    assert "550 5.1.1 Unknown" in str(gone.value)
    assert len(mail_server.received) == 1


async def test_an_address_no_server_would_take_is_permanent(sender_for: SmtpSender) -> None:
    with pytest.raises(DeliveryError) as caught:
        await sender_for.send(email_to(""))
    assert caught.value.permanent


async def test_a_server_that_does_not_answer_in_time_is_temporary(
    mail_server: MailServer, sender_for: SmtpSender
) -> None:
    mail_server.data_delay = 2.0
    with pytest.raises(DeliveryError) as caught:
        await sender_for.send(email_to("slow@provider.test"))
    assert not caught.value.permanent and not caught.value.outage
    assert "no answer" in str(caught.value)
    mail_server.data_delay = 0
    await sender_for.send(email_to("quick@provider.test"))  # a fresh connection after the timeout
    await sender_for.close()


def test_smtp_url_decides_server_and_tls() -> None:
    assert SmtpServer.from_settings(settings_for("sqlite://:memory:", None, dev_mailbox_port=2525)) == SmtpServer(
        "127.0.0.1", 2525
    )
    relay = SmtpServer.from_settings(
        settings_for("sqlite://:memory:", None, smtp_url="smtps://apikey:s%40cret@smtp.example.org")
    )
    assert relay == SmtpServer("smtp.example.org", 465, "apikey", "s@cret", use_tls=True)
    with pytest.raises(ValueError, match="SMTP_URL is required"):
        SmtpServer.from_settings(settings_for("sqlite://:memory:", None, app_env="production"))
