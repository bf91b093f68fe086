"""A group's feed of events: live ones for every live member, the table's for a member catching up."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING

from schema.live.settle import Settle
from schema.live.shared import PerEvent
from server.events.hub import REPLAY_PAGE, get_hub
from server.events.log import LoggedEvent, events_after, latest_event_id

if TYPE_CHECKING:
    from schema.live.member import LiveItem, LiveMember


class GroupFeed:
    """The events a group's execution turns into messages, and for whom each one is.

    Live events from the hub go to every live member. A member resuming after a cursor first gets the
    table's events between its cursor and the last live event the group handled, for it alone, a page
    at a time between live events, and then counts as live.

    While it reads the hub, `settle` (the endpoint's after-commit hook) knows how far it has got: a use case
    that committed an event here lets it handle the event before the use case carries on.
    """

    def __init__(
        self, settle: Settle | None = None, per_event: PerEvent | None = None, shared: Hashable | None = None
    ) -> None:
        self.live: dict[LiveMember, None] = {}
        self.audience: tuple[LiveMember, ...] = ()
        self.current: LoggedEvent | None = None  # the event being turned into a message
        self.topics: frozenset[str] = frozenset()
        self.handled = 0  # the newest live event the group is done with (for settle)
        self._settle = settle
        self._replays: deque[tuple[LiveMember, int]] = deque()
        self._woken: asyncio.Future[None] | None = None  # while waiting for a live event (events)
        self._position: int | None = None  # the newest event id the group's hub stream has given it
        # Other organisations' groups with the same `shared` key (schema.live.grouping) get the same message for
        # a live event that reaches them: the first to take the event runs the selection for all of them.
        self._per_event = per_event
        self._shared = shared
        self.running: SharedMessage | None = None  # the live event's message this group is running for others

    def add(self, member: LiveMember, after: int | None) -> None:
        if after is None:
            self.live[member] = None
        else:
            member.floor = after
            self._replays.append((member, after))
            if self._woken is not None:
                _wake(self._woken)

    def remove(self, member: LiveMember) -> None:
        self.live.pop(member, None)

    async def events(self, topics: frozenset[str]) -> AsyncIterator[LoggedEvent]:
        self.topics = topics
        self._position = self.handled = await latest_event_id()
        # Subscribed once the position is known (a subscriber counted by the hub is ready for what comes next);
        # what was committed in between is read from the table.
        live = get_hub().follow(topics)
        try:
            live.replay(self._position)
            if self._settle is not None:
                self._settle.watch(self)
            while True:
                if self._replays:
                    async for event in self._replay_page(topics):
                        yield event
                    continue
                event = await live.next()
                if event is None:
                    # Woken by the next live event or a replay asked for (add), whichever is first: one future for
                    # both, set by the hub's subscriber as it is offered an event, rather than a task per event.
                    woken = self._woken = live.waiter = asyncio.get_running_loop().create_future()
                    try:
                        await woken
                    finally:
                        self._woken = live.waiter = None
                    continue
                self._position = event.id
                self.audience = tuple(self.live)
                self.current = event
                share = self._share(event)
                if share is not None and share.runner is not self:
                    item = await share.item
                    if item is not None:  # else the group that ran it had no message: run it here
                        for member in self.audience:
                            member.offer(item)
                        self._handled(event.id)
                        continue
                    share = None
                self.running = share
                try:
                    yield event
                finally:
                    self.running = None
                    if share is not None:
                        share.ran(None)  # the selection gave no message for this event (or the group ended)
                self._handled(event.id)
        finally:
            if self._settle is not None:
                self._settle.unwatch(self)
            live.close()

    def _share(self, event: LoggedEvent) -> SharedMessage | None:
        if self._per_event is None or self._shared is None:
            return None
        return self._per_event.get(event.id, ("message", self._shared), lambda: SharedMessage(self))

    def delivered(self, item: LiveItem) -> None:
        """The group's selection gave this message for the current live event: for the other groups too."""
        if self.running is not None:
            self.running.ran(item)
            self.running = None

    def release(self) -> None:
        """The group has ended (or failed) while running a shared message: the others must not wait for it."""
        if self.running is not None:
            self.running.ran(None)
            self.running = None

    def _handled(self, event_id: int) -> None:
        self.handled = event_id
        if self._settle is not None:
            self._settle.moved(self)

    async def _replay_page(self, topics: frozenset[str]) -> AsyncIterator[LoggedEvent]:
        member, after = self._replays.popleft()
        if member.ended:
            return
        position = self._position or 0
        page = await events_after(after, sorted(topics), REPLAY_PAGE)
        due = [event for event in page if event.id <= position]
        for event in due:
            self.audience = (member,)
            self.current = event
            yield event
        if len(page) == REPLAY_PAGE and len(due) == len(page):
            self._replays.append((member, due[-1].id))  # more to read: after the next live event
        elif not member.ended:
            self.live[member] = None  # caught up with the group: live from here


def _wake(woken: asyncio.Future[None], *_: object) -> None:
    if not woken.done():
        woken.set_result(None)


class SharedMessage:
    """One live event's message for every group with the same shared key: run by `runner`, awaited by the rest."""

    def __init__(self, runner: GroupFeed) -> None:
        self.runner = runner
        self.item: asyncio.Future[LiveItem | None] = asyncio.get_running_loop().create_future()

    def ran(self, item: LiveItem | None) -> None:
        if not self.item.done():
            self.item.set_result(item)
