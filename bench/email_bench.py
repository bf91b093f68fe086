"""How much the outbox costs: OutboxWorker draining N queued emails vs. bare aiosmtplib sending the same N.

    python bench/email_bench.py [--count 500] [--batch-size 50]

Both send to the same local aiosmtpd server over one reused connection. The
worker also claims rows, renders the templates and records every outcome in
the database (SQLite in a temporary directory); the baseline sends messages
rendered beforehand. The goal is a ratio of at least 0.7.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtplib import SMTP  # noqa: E402
from tortoise import Tortoise, connections  # noqa: E402

from notifications.rendering import Renderer  # noqa: E402
from notifications.worker import OutboxWorker  # noqa: E402
from server.database import tortoise_config  # noqa: E402
from server.domain.vocabulary import OutboxStatus  # noqa: E402
from server.models import OutboxMessage  # noqa: E402
from server.settings import Settings  # noqa: E402

GOAL = 0.7
CONTEXT = {
    "reference": "KEN-2026-00042",
    "referral_id": 42,
    "placement_kind": "Core fostering",
    "urgency": "Within 5 days",
    "age_band": "11-15",
    "district": "ME14",
    "required_by": "2026-05-01T15:00:00+00:00",
    "spot": False,
    "recipient_name": "Harbour Fostering duty desk",
}


class Counter:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rows(count: int, run: str) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            notification="referral_broadcast",
            recipient=f"desk{number}@provider.test",
            context=dict(CONTEXT),
            message_id=f"<referral_broadcast.bench-{run}.{number}@placement-exchange>",
        )
        for number in range(count)
    ]


async def worker_rate(settings: Settings, count: int, batch_size: int) -> float:
    await OutboxMessage.bulk_create(rows(count, "worker"))
    worker = OutboxWorker(settings, "bench", batch_size=batch_size)
    started = time.perf_counter()
    while await worker.run_once():
        pass
    elapsed = time.perf_counter() - started
    await worker.close()
    sent = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
    if sent != count:
        raise SystemExit(f"worker sent {sent} of {count}")
    return count / elapsed


async def bare_rate(settings: Settings, port: int, count: int) -> float:
    renderer = Renderer(settings)
    messages = [renderer.render(row) for row in rows(count, "bare")]
    smtp = SMTP(hostname="127.0.0.1", port=port, local_hostname="bench")
    await smtp.connect()
    started = time.perf_counter()
    for message in messages:
        await smtp.send_message(message)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return count / elapsed


async def main(count: int, batch_size: int) -> int:
    port = free_port()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite://{Path(directory) / 'bench.sqlite3'}"
        settings = Settings(
            app_env="development",
            database_url=url,
            redis_url=None,
            smtp_url=f"smtp://127.0.0.1:{port}",
            secret_key="benchmark-secret-key-0123456789abcdef",
            base_url="https://exchange.example.org",
            mail_from="Placement Exchange <no-reply@exchange.example.org>",
            dev_mailbox_port=free_port(),
        )
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.generate_schemas()
        try:
            bare = await bare_rate(settings, port, count)
            outbox = await worker_rate(settings, count, batch_size)
        finally:
            await connections.close_all()
            controller.stop()
    ratio = outbox / bare
    print(f"messages:           {count} (batch size {batch_size}), received {counter.received}")
    print(f"bare aiosmtplib:    {bare:8.1f} msg/s")
    print(f"OutboxWorker:       {outbox:8.1f} msg/s")
    print(f"ratio:              {ratio:8.2f}  (goal >= {GOAL})")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=50)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.count, arguments.batch_size)))
