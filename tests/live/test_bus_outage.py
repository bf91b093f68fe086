"""With Redis down the bus logs the outage once and the recovery once, and backs off between reconnects."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bench.harness.servers import free_port
from server.events.bus import OutageLog, RedisBus


async def test_redis_down_is_one_log_line_however_many_events_and_retries(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="server.events.bus")
    bus = RedisBus(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    delivered: list[int] = []

    async def listen() -> None:
        async for event_id in bus.listen():
            delivered.append(event_id)

    listener = asyncio.create_task(listen())
    await bus.start()
    try:
        await asyncio.sleep(0)
        for event_id in range(1, 51):
            await bus.publish(event_id)
        await asyncio.sleep(2.0)  # reconnects at 0, 0.5 and 1.5 s: backing off, not every 0.5 s
    finally:
        await bus.stop()
        listener.cancel()
    lines = [record.getMessage() for record in caplog.records]
    assert len([line for line in lines if line.startswith("ringing the Redis bus failed")]) == 1
    assert len([line for line in lines if line.startswith("reading the Redis bus failed")]) == 1
    assert len(lines) == 2 and all(record.exc_info is None for record in caplog.records)
    assert set(range(1, 51)) <= set(delivered)  # local subscribers were told directly


def test_the_recovery_is_logged_once_with_the_count_of_failures(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="server.events.bus")
    outage = OutageLog("ringing the Redis bus")
    outage.worked()
    for _ in range(7):
        outage.failed(ConnectionError("refused"))
    outage.worked()
    outage.worked()
    assert [record.getMessage() for record in caplog.records] == [
        "ringing the Redis bus failed (ConnectionError); retrying with backoff, local subscribers told directly",
        "ringing the Redis bus works again after 7 failed attempts",
    ]
