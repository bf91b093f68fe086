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
        # While its reader waits (Follower.wait): woken by the next event offered.
        self.waiter: asyncio.Future[None] | None = None

    def offer(self, event: LoggedEvent) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Follower:
    """One subscriber's events, taken a step at a time: what `EventHub.stream` yields, for a reader that waits
    for other things too (a live group's feed: a live event or a member asking for a replay).

    `next()` gives the next event when one is ready (reading the table when the subscriber's queue overflowed,
    or to replay after a cursor) and None when there is none yet; `wait()` returns once one may be. A reader
    that waits on a future of its own instead sets `waiter`, which the next event offered wakes: no task per
    event, where `anext` of the stream under `asyncio.wait` needs one.
    """

    def __init__(self, hub: EventHub, topics: frozenset[str], *, coalesce: bool = False) -> None:
        self._hub = hub
        self.topics = topics
        self.last = 0
        self._coalesce = coalesce
        self._subscriber = subscriber = Subscriber(topics, hub._queue_limit)
        self._table: deque[LoggedEvent] = deque()  # read from the table, not yet given
        self._more = False  # the table may have more (after a cursor, or after an overflow)
        self._checks_table = False  # the table is read because the queue overflowed: lag is checked
        for topic in topics:
            hub._by_topic[topic].add(subscriber)

    def replay(self, after: int) -> None:
        """Start with the table's events after this cursor (then live: no gap, no duplicate)."""
        self.last = after
        self._more = True

    @property
    def waiter(self) -> asyncio.Future[None] | None:
        return self._subscriber.waiter

    @waiter.setter
    def waiter(self, future: asyncio.Future[None] | None) -> None:
        self._subscriber.waiter = future

    async def next(self) -> LoggedEvent | None:
        subscriber = self._subscriber
        queue = subscriber.queue
        while True:
            if self._table:
                event = self._table.popleft()
                if self._checks_table:
                    self._hub._check_lag(event, self.last)
                self.last = event.id
                return event
            if self._more:
                page = await self._hub._page(self.topics, self.last)
                self._more = len(page) == REPLAY_PAGE
                self._table.extend(event for event in page if event.id > self.last)
                continue
            if subscriber.overflowed and queue.empty():
                # Live events are queued again from now on; what was dropped is read from the table,
                # and the queued copies of what the table gives are skipped below.
                subscriber.overflowed = False
                self._more = self._checks_table = True
                continue
            if queue.empty():
                return None
            event = queue.get_nowait()
            while self._coalesce and not queue.empty():
                event = queue.get_nowait()
            if event.id <= self.last:
                continue
            self._hub._check_lag(event, self.last)
            self.last = event.id
            return event

    async def wait(self) -> None:
        """Until an event has been offered (or the queue has overflowed) since the last `next()` gave None."""
        waiter = self.waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        by_topic = self._hub._by_topic
        for topic in self.topics:
            by_topic[topic].discard(self._subscriber)
            if not by_topic[topic]:
                del by_topic[topic]


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

    def follow(self, topics: frozenset[str]) -> Follower:
        """A subscriber of these topics from now on, read a step at a time (see Follower); close it when done."""
        return Follower(self, topics)

    async def stream(
        self, topics: frozenset[str], after: int | None, *, coalesce: bool = False
    ) -> AsyncIterator[LoggedEvent]:
        """Replay the events after the cursor from the table, then continue live: no gap, no duplicate.

        coalesce: yield only the newest of the events already waiting (for snapshots such as dashboards).
        """
        follower = Follower(self, topics, coalesce=coalesce)
        try:
            if after is None:
                follower.last = await latest_event_id()
            else:
                follower.replay(after)
            while True:
                event = await follower.next()
                if event is None:
                    await follower.wait()
                else:
                    yield event
        finally:
            follower.close()

    async def _page(self, topics: frozenset[str], after: int) -> list[LoggedEvent]:
        return await events_after(after, sorted(topics), REPLAY_PAGE)

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
