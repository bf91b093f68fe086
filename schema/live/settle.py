"""The after-commit hook: a use case that committed events here lets this process's live groups deliver first.

Without it, the use case that published a referral would write its own response first, while a thousand
providers' inboxes wait. The app registers `Settle` (one per GraphQL endpoint, `LiveGroups.settle`) as the
process's after-commit hook (server.events.after_commit); the unit of work awaits it once the events are
committed and handed to the hub.

It waits until every group feed told of these events has handled the last one it was told of (asked for
its next event, or ended), or SETTLE_SECONDS, whichever is first. A group's write loop runs without a task
switch, so it is not cut short by this; a group that has to wait for the database or a full socket does
not hold the publisher up for long. Events the hub did not take at once (not the next of the log: it reads
them from the table) and subscribers that are not group feeds (a dashboard recomputing its figures, one
subscription's own execution) are not waited for.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from server.events.hub import current_hub
from server.events.log import LoggedEvent

SETTLE_SECONDS = 0.02


class Watched(Protocol):
    """A group's feed as settling sees it: the topics it reads, and how far it has got."""

    topics: frozenset[str]
    handled: int  # the newest event id it is done with (it has asked for the next one)


class _Wait:
    """One use case's wait: each feed, with the last of the committed events it was told of."""

    def __init__(self, targets: dict[Watched, int]) -> None:
        self.waiting = targets
        self.done = asyncio.Event()
        if not targets:
            self.done.set()

    def moved(self, feed: Watched) -> None:
        target = self.waiting.get(feed)
        if target is not None and feed.handled >= target:
            del self.waiting[feed]
            if not self.waiting:
                self.done.set()


class Settle:
    """The feeds of one endpoint's live groups, and the use cases waiting for them to handle their events."""

    def __init__(self) -> None:
        self._by_topic: dict[str, set[Watched]] = defaultdict(set)
        self._waits: list[_Wait] = []

    def watch(self, feed: Watched) -> None:
        """The feed reads the hub's live events for its topics from now on (from feed.handled)."""
        for topic in feed.topics:
            self._by_topic[topic].add(feed)

    def moved(self, feed: Watched) -> None:
        """The feed is done with the events up to feed.handled."""
        for wait in self._waits:
            wait.moved(feed)

    def unwatch(self, feed: Watched) -> None:
        """The feed has ended: nothing to wait for."""
        for topic in feed.topics:
            watching = self._by_topic.get(topic)
            if watching is not None:
                watching.discard(feed)
                if not watching:
                    del self._by_topic[topic]
        feed.handled = 1 << 62
        self.moved(feed)

    async def __call__(self, events: Sequence[LoggedEvent]) -> None:
        hub = current_hub()
        if not events or hub is None or events[-1].id > hub.position:
            return  # not taken by the hub at once: read from the table later, nothing to wait for now
        targets: dict[Watched, int] = {}
        for event in events:
            for topic in event.topics:
                for feed in self._by_topic.get(topic, ()):
                    targets[feed] = event.id
        wait = _Wait({feed: target for feed, target in targets.items() if feed.handled < target})
        if wait.done.is_set():
            return
        self._waits.append(wait)
        try:
            await asyncio.wait_for(wait.done.wait(), SETTLE_SECONDS)
        except TimeoutError:
            pass  # a feed that has to wait on something: the use case carries on
        finally:
            self._waits.remove(wait)
