"""The per-process event hub: one reader of the log, many subscribers.

On every ring of the bus (and every couple of seconds anyway, because Redis
pub/sub may drop rings) the hub reads the new events from the table ONCE and
hands each to the subscribers whose topics it concerns.

Subscribers have bounded queues, so memory never grows without bound. A burst
bigger than the queue does not cut anyone off: the subscriber whose queue
overflows stops taking live events and reads what it missed from the table
(the truth) at its own pace, then rejoins the live queue. A subscriber that is
more than `max_lag` seconds behind live (it is about to be given an event the
hub read longer ago than that: a client that stopped reading) is cut off with
its last cursor, so that it can resume by replaying from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator

from server.events.bus import EventBus
from server.events.log import LoggedEvent, events_after, latest_event_id, organisation_topics

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
QUEUE_LIMIT = 500
REPLAY_PAGE = 500
MAX_LAG_SECONDS = 30.0


class SubscriberLagging(Exception):
    """The subscriber fell too far behind; it can resume from `cursor`."""

    def __init__(self, cursor: int) -> None:
        super().__init__(f'You fell too far behind the live feed. Subscribe again with after: "{cursor}" to resume.')
        self.cursor = cursor


class Subscriber:
    def __init__(self, topics: frozenset[str], limit: int) -> None:
        self.topics = topics
        self.queue: asyncio.Queue[LoggedEvent] = asyncio.Queue(maxsize=limit)
        # Set when the queue overflowed: live events are dropped until the subscriber has read
        # what it missed from the table.
        self.overflowed = False

    def offer(self, event: LoggedEvent) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


class EventHub:
    def __init__(self, bus: EventBus, *, queue_limit: int = QUEUE_LIMIT, max_lag: float = MAX_LAG_SECONDS) -> None:
        self._bus = bus
        self._queue_limit = queue_limit
        self._max_lag = max_lag
        # (monotonic time, newest event id read by then): how far "live" had got, recently.
        self._progress: deque[tuple[float, int]] = deque()
        self._by_topic: dict[str, set[Subscriber]] = defaultdict(set)
        self._last_id = 0
        # For caches (server.events.version): the newest event read per organisation topic, and the newest
        # one that concerns no organisation in particular (or the platform's admins), which concerns everyone.
        self._topic_positions: dict[str, int] = {}
        self._everyone_position = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._reading = False  # a read of the table is on its way

    @property
    def position(self) -> int:
        """The newest event id this hub has read from the log."""
        return self._last_id

    def positions(self, topics: tuple[str, ...]) -> tuple[int, ...]:
        """The newest event read that concerns everyone, then the newest concerning each of these topics."""
        get = self._topic_positions.get
        return (self._everyone_position, *(get(topic, 0) for topic in topics))

    @property
    def subscriber_count(self) -> int:
        return len({s for subs in self._by_topic.values() for s in subs})

    async def start(self) -> None:
        self._last_id = await latest_event_id()
        self._task = asyncio.create_task(self._run(), name="event-hub")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                self._wake.clear()
                try:
                    await self._catch_up()
                except Exception:
                    log.warning("event hub could not read the log; retrying", exc_info=True)
                    await asyncio.sleep(0.5)
        finally:
            listener.cancel()

    async def _listen(self) -> None:
        async for event_id in self._bus.listen():
            # A ring for an event already read (one this process committed and handed over) needs no read;
            # a ring of 0 (rings may have been lost) always does.
            if event_id == 0 or event_id > self._last_id:
                self._wake.set()

    async def _catch_up(self) -> None:
        while True:
            self._reading = True
            try:
                batch = await events_after(self._last_id, None, REPLAY_PAGE)
            finally:
                self._reading = False
            self._take([event for event in batch if event.id > self._last_id])
            if len(batch) < REPLAY_PAGE:
                return

    def committed(self, events: list[LoggedEvent]) -> None:
        """Events this process has just committed, handed over without reading them back from the table.

        Taken at once only when each is the very next event of the log (id = the last one read + 1), so
        nothing committed before it can have been skipped; otherwise the hub reads the table as usual.
        """
        handed = []
        for event in events:
            if self._reading or event.id != (handed[-1].id if handed else self._last_id) + 1:
                self._wake.set()
                break
            handed.append(event)
        self._take(handed)

    def _take(self, events: list[LoggedEvent]) -> None:
        for event in events:
            self._dispatch(event)
            self._last_id = event.id
            scoped = organisation_topics(event.topics)
            if scoped is None:
                self._everyone_position = event.id
            else:
                for topic in scoped:
                    self._topic_positions[topic] = event.id
        if events:
            now = time.monotonic()
            self._progress.append((now, self._last_id))
            self._live_at(now - self._max_lag)  # forgets what no lag check can need again

    def _dispatch(self, event: LoggedEvent) -> None:
        by_topic = self._by_topic
        for subscriber in {subscriber for topic in event.topics for subscriber in by_topic.get(topic, ())}:
            subscriber.offer(event)

    async def stream(
        self, topics: frozenset[str], after: int | None, *, coalesce: bool = False
    ) -> AsyncIterator[LoggedEvent]:
        """Replay the events after the cursor from the table, then continue live: no gap, no duplicate.

        coalesce: yield only the newest of the events already waiting (for snapshots such as dashboards).
        """
        subscriber = Subscriber(topics, self._queue_limit)
        for topic in topics:
            self._by_topic[topic].add(subscriber)
        try:
            last = await latest_event_id() if after is None else after
            if after is not None:
                async for event in self._from_table(topics, last):
                    yield event
                    last = event.id
            while True:
                if subscriber.overflowed and subscriber.queue.empty():
                    # Live events are queued again from now on; what was dropped is read from the table,
                    # and the queued copies of what the table gives are skipped below.
                    subscriber.overflowed = False
                    async for event in self._from_table(topics, last):
                        self._check_lag(event, last)
                        yield event
                        last = event.id
                    continue
                event = await subscriber.queue.get()
                while coalesce and not subscriber.queue.empty():
                    event = subscriber.queue.get_nowait()
                if event.id <= last:
                    continue
                self._check_lag(event, last)
                yield event
                last = event.id
        finally:
            for topic in topics:
                self._by_topic[topic].discard(subscriber)
                if not self._by_topic[topic]:
                    del self._by_topic[topic]

    async def _from_table(self, topics: frozenset[str], after: int) -> AsyncIterator[LoggedEvent]:
        while True:
            page = await events_after(after, sorted(topics), REPLAY_PAGE)
            for event in page:
                yield event
                after = event.id
            if len(page) < REPLAY_PAGE:
                return

    def _check_lag(self, event: LoggedEvent, last: int) -> None:
        """A subscriber about to receive an event the hub read more than max_lag ago has stopped keeping up."""
        if event.id <= self._live_at(time.monotonic() - self._max_lag):
            raise SubscriberLagging(last)

    def _live_at(self, moment: float) -> int:
        """The newest event id the hub had read by `moment` (0 if it cannot tell)."""
        progress = self._progress
        while len(progress) > 1 and progress[1][0] <= moment:
            progress.popleft()
        return progress[0][1] if progress and progress[0][0] <= moment else 0


_hub: EventHub | None = None


def get_hub() -> EventHub:
    if _hub is None:
        raise RuntimeError("the event hub is not running (it starts with the app)")
    return _hub


def current_hub() -> EventHub | None:
    return _hub


def set_hub(hub: EventHub | None) -> None:
    global _hub
    _hub = hub
