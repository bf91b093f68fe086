"""Development: email lands in the embedded mailbox and can be read at /dev/mailbox."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
from starlette.applications import Starlette

from bench.harness.marketplace import Marketplace
from notifications.dev_mailbox import DevMailbox, mailbox_routes, run_in_process
from server.models import OutboxMessage
from server.settings import Settings
from tests.notifications.conftest import free_port, settings_for


def client_for(settings: Settings) -> httpx.AsyncClient:
    app = Starlette(routes=mailbox_routes())
    app.state.settings = settings
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def wait_for(condition, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.05)


async def test_referral_email_lands_in_the_dev_mailbox_and_can_be_read(db: str, market: Marketplace) -> None:
    settings = settings_for(db, None)
    async with run_in_process(settings):
        referral = await market.referral()

        async def all_sent() -> bool:
            return not await OutboxMessage.filter(status__not="sent").exists()

        await wait_for(all_sent)
        async with client_for(settings) as client:
            listing = await client.get("/dev/mailbox")
            first = await client.get("/dev/mailbox/1")
            missing = await client.get("/dev/mailbox/999")

    assert listing.status_code == 200
    assert listing.text.count(f"[{referral.reference}] New referral") == 2
    assert "duty@harbour.test" in listing.text and "duty@oakleaf.test" in listing.text
    assert "<script" not in listing.text and "://" not in listing.text  # self-contained: no CDN, no remote assets
    assert first.status_code == 200
    assert "Plain text" in first.text and "sandbox srcdoc=" in first.text
    assert f"/referrals/{referral.id}" in first.text
    assert missing.status_code == 404


async def test_dev_mailbox_keeps_only_the_newest_messages() -> None:
    from aiosmtplib import SMTP

    mailbox = DevMailbox(free_port(), keep=3)
    await asyncio.to_thread(mailbox.start)
    try:
        async with SMTP(hostname="127.0.0.1", port=mailbox.port) as smtp:
            for number in range(5):
                await smtp.sendmail("a@exchange.test", ["b@provider.test"], f"Subject: message {number}\r\n\r\nHi\r\n")
    finally:
        await asyncio.to_thread(mailbox.stop)
    assert [message.subject for message in mailbox.messages] == ["message 4", "message 3", "message 2"]
    assert mailbox.get(5) is not None and mailbox.get(1) is None


async def test_dev_mailbox_pages_do_not_exist_in_production() -> None:
    settings = replace(settings_for("sqlite://:memory:", None), app_env="production", secret_key="x" * 40)
    async with client_for(settings) as client:
        assert (await client.get("/dev/mailbox")).status_code == 404
        assert (await client.get("/dev/mailbox/1")).status_code == 404
