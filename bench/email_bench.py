"""How much the outbox costs: OutboxWorker draining N queued emails vs. bare aiosmtplib sending the same N.

    python bench/email_bench.py [--count 500] [--batch-size 50] [--rounds 3]

Both send to the same local aiosmtpd server (its own process, as a real relay
would be) over one reused connection. The worker also claims rows, renders
the templates and records every outcome in the database (SQLite in a
temporary directory); the baseline sends the same messages rendered
beforehand. Rounds alternate the two and the median ratio is reported, which
steadies it on a busy machine. The goal is a ratio of at least 0.7.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtplib import SMTP
from tortoise import Tortoise, connections

from bench.harness.servers import free_port
from notifications.rendering import Renderer
from notifications.worker import OutboxWorker
from server.database import generate_schemas, tortoise_config
from server.domain.vocabulary import OutboxStatus
from server.models import OutboxMessage
from server.settings import Settings

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


@contextmanager
def smtp_server(port: int) -> Iterator[None]:
    """aiosmtpd's own command-line server with its Sink handler (accepts and discards), in a child process."""
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("aiosmtpd did not start") from None
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


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


async def worker_rate(settings: Settings, count: int, batch_size: int, run: str) -> float:
    await OutboxMessage.bulk_create(rows(count, run))
    worker = OutboxWorker(settings, "bench", batch_size=batch_size)
    started = time.perf_counter()
    while await worker.run_once():
        pass
    elapsed = time.perf_counter() - started
    await worker.close()
    unsent = await OutboxMessage.exclude(status=OutboxStatus.SENT).count()
    if unsent:
        raise SystemExit(f"the worker left {unsent} of {count} unsent")
    return count / elapsed


async def bare_rate(settings: Settings, port: int, count: int, run: str) -> float:
    renderer = Renderer(settings)
    messages = [renderer.render(row) for row in rows(count, run)]
    smtp = SMTP(hostname="127.0.0.1", port=port, local_hostname="bench")
    await smtp.connect()
    started = time.perf_counter()
    for message in messages:
        await smtp.send_message(message)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return count / elapsed


async def main(count: int, batch_size: int, rounds: int) -> int:
    port = free_port()
    with smtp_server(port), tempfile.TemporaryDirectory() as directory:
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
        await generate_schemas()
        results = []
        try:
            for number in range(1, rounds + 1):
                bare = await bare_rate(settings, port, count, f"bare{number}")
                outbox = await worker_rate(settings, count, batch_size, f"worker{number}")
                results.append((bare, outbox))
                print(
                    f"round {number}: bare aiosmtplib {bare:7.1f} msg/s, OutboxWorker {outbox:7.1f} msg/s, "
                    f"ratio {outbox / bare:.2f}"
                )
        finally:
            await connections.close_all()
    bare = statistics.median(b for b, _ in results)
    outbox = statistics.median(o for _, o in results)
    ratio = statistics.median(o / b for b, o in results)
    print(f"messages:           {count} per run (worker batch size {batch_size}), {rounds} rounds")
    print(f"bare aiosmtplib:    {bare:8.1f} msg/s (median)")
    print(f"OutboxWorker:       {outbox:8.1f} msg/s (median)")
    print(f"ratio:              {ratio:8.2f}  (median; goal >= {GOAL})")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.count, arguments.batch_size, arguments.rounds)))
