"""The doorbell: tells subscribers "event N exists" after a commit.

The event table is the truth (server.events.log); the bus only carries the
ids of new events so that subscribers wake up. Redis pub/sub is at-most-once,
so a subscriber that missed a ring catches up from the table by cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

log = logging.getLogger(__name__)

CHANNEL = "placement-exchange:events"


class EventBus(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, event_id: int) -> None: ...
    def listen(self) -> AsyncIterator[int]: ...


class InProcessBus:
    """One process: every listener gets every event id through its own queue."""

    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue[int]] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._listeners.clear()

    async def publish(self, event_id: int) -> None:
        self._deliver(event_id)

    def _deliver(self, event_id: int) -> None:
        for queue in self._listeners:
            # Only the highest id matters to a listener (it replays from the table),
            # so a full queue drops the older ring rather than growing.
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event_id)

    async def listen(self) -> AsyncIterator[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=64)
        self._listeners.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners.discard(queue)


class RedisBus(InProcessBus):
    """Several processes: publish to Redis; one reader per process fans out locally."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._reader: asyncio.Task[None] | None = None
        self._redis = None
        self._ringing = OutageLog("ringing the Redis bus")
        self._reading = OutageLog("reading the Redis bus")

    async def start(self) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(self._url)
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._redis is not None:
            await self._redis.aclose()
        await super().stop()

    async def publish(self, event_id: int) -> None:
        assert self._redis is not None, "RedisBus.start() was not awaited"
        try:
            await self._redis.publish(CHANNEL, str(event_id))
        except Exception as error:  # noqa: BLE001 - the event is committed; subscribers catch up from the table
            self._ringing.failed(error)
            self._deliver(event_id)
        else:
            self._ringing.worked()

    async def _read_forever(self) -> None:
        assert self._redis is not None
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(CHANNEL)
                self._reading.worked()
                delay = FIRST_RETRY_SECONDS
                # After a reconnect some rings may have been lost: a ring of 0
                # tells listeners to look at the table anyway.
                self._deliver(0)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(int(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure: reconnect with backoff
                self._reading.failed(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)


FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0


class OutageLog:
    """One line when something starts failing and one when it works again, with how often it failed between:
    an outage of Redis is two log lines, not one per event or per retry."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0

    def failed(self, error: BaseException) -> None:
        if self.failures == 0:
            log.warning(
                "%s failed (%s); retrying with backoff, local subscribers told directly",
                self.what,
                type(error).__name__,
            )
        self.failures += 1

    def worked(self) -> None:
        if self.failures:
            log.warning("%s works again after %d failed attempts", self.what, self.failures)
            self.failures = 0


_bus: EventBus = InProcessBus()


def get_bus() -> EventBus:
    return _bus


def set_bus(bus: EventBus) -> None:
    global _bus
    _bus = bus


def bus_for(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
