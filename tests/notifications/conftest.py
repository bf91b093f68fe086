"""A real SMTP server (aiosmtpd) on a free loopback port, and settings that point the worker at it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bench.harness.servers import free_port
from notifications.worker import OutboxWorker
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from server.settings import Settings

SECRET = "notification-tests-secret-key-0123456789abcdef"
BASE_URL = "https://exchange.test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    peer: tuple[str, int]

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class MailServer:
    """Records what it accepts; `refuse` answers chosen recipients with a code, `refuse_once` only the first time."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_once: str | None = None
    data_delay: float = 0.0
    refused: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self._lock:
            if address in self.refuse:
                self.refused.append(address)
                return self.refuse[address]
            if self.refuse_once and address not in self._seen:
                self._seen.add(address)
                self.refused.append(address)
                return self.refuse_once
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.original_content, session.peer)
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    @property
    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"] for r in self.received]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def settings_for(database_url: str, smtp_port: int | None, **changes: Any) -> Settings:
    values: dict[str, Any] = dict(
        app_env="development",
        database_url=database_url,
        redis_url=None,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}" if smtp_port else None,
        secret_key=SECRET,
        base_url=BASE_URL,
        mail_from="Placement Exchange <no-reply@exchange.test>",
        dev_mailbox_port=free_port(),
    )
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def settings(db: str, mail_server: MailServer) -> Settings:
    return settings_for(db, mail_server.port)


@pytest.fixture
async def make_worker(settings: Settings) -> AsyncIterator[Callable[..., OutboxWorker]]:
    """Workers with test-speed backoff; each is closed at the end."""
    made: list[OutboxWorker] = []

    def make(worker_id: str = "test-worker", **options: Any) -> OutboxWorker:
        options.setdefault("backoff_base", 0.01)
        options.setdefault("backoff_cap", 0.05)
        worker = OutboxWorker(settings, worker_id, **options)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        await worker.close()


UNFINISHED = (OutboxStatus.PENDING, OutboxStatus.SENDING)


async def drain(*workers: OutboxWorker, timeout: float = 15.0) -> None:
    """Run the workers until no immediate email is pending or being sent (retries included)."""

    async def one(worker: OutboxWorker) -> None:
        while await OutboxMessage.filter(status__in=UNFINISHED, digest=False).exists():
            if await worker.run_once() == 0:
                await asyncio.sleep(0.01)

    async with asyncio.timeout(timeout):
        await asyncio.gather(*(one(worker) for worker in workers))
