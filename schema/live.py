"""Live subscriptions shared by everyone who would receive the same messages.

A thousand duty desks of one provider subscribed to the same `referralInbox`
selection would each have the hub wake their own generator, load the same
referral and run the same selection set for every event, one after another.
Instead, identical live subscriptions form a group, keyed by

    the document, its operation name and variables, and the permission scope
    (role and organisation: everything the subscription resolvers and the
    permission checks look at, see `schema.subscriptions`),

and each group runs the subscription once: one hub subscriber, one execution
per event, one JSON encoding. Its members only copy the encoded payload into a
`next` message with their own operation id and write it to their socket.

Permission is still decided for every event: by the group's execution, whose
actor has the same role and organisation as every member's, so the outcome is
the same for each of them.

Only event streams are grouped (GROUPED_FIELDS); the dashboard, whose first
message is a snapshot, runs on its own. A member resuming `after` a cursor
joins its group too: the group's feed of events (GroupFeed) replays the table
for that member alone, up to the event the group has reached, and then counts
it in for live events, so there is no gap and no duplicate at the seam. The
feed reads the table in pages between live events, so a long replay for one
member does not hold up the live feed of the others.

Each member has a bounded backlog. A member whose socket stops draining
(a client that stopped reading) does not hold the others up: when its backlog
is full it is cut off, as the hub cuts off a lagging subscriber, with the
cursor of the last message it was given, so that it can resume with `after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import FieldNode, OperationType, VariableNode
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from schema.live_frames import FrameWriter
from schema.operations import operation_of
from server.auth.actor import Actor
from server.events.hub import QUEUE_LIMIT, REPLAY_PAGE, SubscriberLagging, get_hub
from server.events.log import LoggedEvent, events_after, latest_event_id, parse_cursor

log = logging.getLogger(__name__)

GROUPED_FIELDS = frozenset({"referralInbox", "offerUpdates", "vacancyFeed"})
RESUME_ARGUMENT = "after"


@dataclass(frozen=True)
class LiveItem:
    """One result of a group's execution, encoded once for every member."""

    cursor: str | None
    result: ExecutionResult | PreExecutionError
    payload: str
    event_id: int | None = field(init=False)
    body: bytes = field(init=False)  # the end of every member's `next` message, after its operation id

    def __post_init__(self) -> None:
        cursor = self.cursor
        object.__setattr__(self, "event_id", int(cursor) if cursor and cursor.isdigit() else None)
        object.__setattr__(self, "body", self.payload.encode() + b"}")


@dataclass(frozen=True)
class _Plan:
    fields: tuple[str, ...]
    # Variables that carry a resume cursor: the subscription is grouped only when they are null.
    resume_variables: tuple[str, ...]


@lru_cache(maxsize=256)
def _plan(query: str, operation_name: str | None) -> _Plan | None:
    """What a subscription document asks for, or None when it cannot be grouped (or is not valid)."""
    operation = operation_of(query, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    fields: list[str] = []
    resume_variables: list[str] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in GROUPED_FIELDS:
            return None
        for argument in selection.arguments or ():
            if argument.name.value != RESUME_ARGUMENT:
                continue
            if not isinstance(argument.value, VariableNode):
                return None  # a literal cursor: this subscriber replays on its own
            resume_variables.append(argument.value.name.value)
        fields.append((selection.alias or selection.name).value)
    return _Plan(tuple(fields), tuple(resume_variables))


@dataclass(frozen=True)
class Grouping:
    """Where a subscription goes: the group's key, and the cursor this member resumes after (None: from now)."""

    key: Hashable
    fields: tuple[str, ...]
    after: int | None


def grouping(
    query: str, variables: dict[str, Any] | None, operation_name: str | None, actor: Actor | None
) -> Grouping | None:
    """The group a subscription can join, or None when it must run on its own."""
    if actor is None:
        return None
    plan = _plan(query, operation_name)
    if plan is None:
        return None
    variables = variables or {}
    after = None
    for name in plan.resume_variables:
        try:
            cursor = parse_cursor(variables.get(name))
        except (ValueError, AttributeError):
            return None  # the ordinary path refuses it with the reason
        if cursor is not None:
            after = cursor if after is None else min(after, cursor)
    # The cursor is the member's own business: the group's members share everything else.
    shared = {name: value for name, value in variables.items() if name not in plan.resume_variables}
    try:
        frozen_variables = json.dumps(shared, sort_keys=True)
    except (TypeError, ValueError):
        return None
    key = (query, operation_name, frozen_variables, actor.role, actor.council_id, actor.provider_id)
    return Grouping(key, plan.fields, after)


class GroupFeed:
    """The events a group's execution turns into messages, and for whom each one is.

    Live events from the hub go to every live member. A member resuming after a cursor first gets the
    table's events between its cursor and the last live event the group handled, for it alone, a page
    at a time between live events, and then counts as live.
    """

    def __init__(self) -> None:
        self.live: dict[LiveMember, None] = {}
        self.audience: tuple[LiveMember, ...] = ()
        self.current: LoggedEvent | None = None  # the event being turned into a message
        self._replays: deque[tuple[LiveMember, int]] = deque()
        self._wake = asyncio.Event()
        self._position: int | None = None  # the newest event id the group's hub stream has given it

    def add(self, member: LiveMember, after: int | None) -> None:
        if after is None:
            self.live[member] = None
        else:
            member.floor = after
            self._replays.append((member, after))
            self._wake.set()

    def remove(self, member: LiveMember) -> None:
        self.live.pop(member, None)

    async def events(self, topics: frozenset[str]) -> AsyncIterator[LoggedEvent]:
        hub = get_hub()
        self._position = await latest_event_id()
        live = hub.stream(topics, self._position, prompt=True).__aiter__()
        pending: asyncio.Future[LoggedEvent] | None = None
        try:
            while True:
                if self._replays:
                    async for event in self._replay_page(topics):
                        yield event
                    continue
                if pending is None:
                    pending = asyncio.ensure_future(anext(live))
                if not pending.done():
                    self._wake.clear()
                    waker = asyncio.ensure_future(self._wake.wait())
                    await asyncio.wait((pending, waker), return_when=asyncio.FIRST_COMPLETED)
                    waker.cancel()
                    if not pending.done():
                        continue  # someone asked for a replay
                event = pending.result()
                pending = None
                self._position = event.id
                self.audience = tuple(self.live)
                self.current = event
                yield event
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending  # it is inside the hub's stream: let it leave before closing that
            await live.aclose()

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


class LiveMember:
    """One subscriber's share of its group: written to at once when it can be, else a bounded backlog.

    With `write` (the socket's send of a text message) and nothing of the member's still waiting, the
    group writes the `next` message itself, as the event is delivered, without any task switch, as
    websockets' broadcast() does: framed by hand and put on the transport in one call when `frames` can
    (schema.live_frames), else through the ASGI send. Should the write have to wait (the client is not
    reading and the socket's buffer is full), the member's own task finishes it, and what comes meanwhile
    waits in the backlog, in order.
    """

    def __init__(
        self,
        group: LiveGroup,
        limit: int,
        write: Callable[[str], Coroutine[Any, Any, None]] | None = None,
        prefix: str = "",
        frames: FrameWriter | None = None,
    ) -> None:
        self.group = group
        self._limit = limit
        self._write = write
        self._prefix = prefix
        self._head = prefix.encode()
        self._frames = frames
        self._backlog: deque[LiveItem] = deque()
        self._ready = asyncio.Event()
        self._writing: tuple[Coroutine[Any, Any, None], Any] | None = None  # a write that had to wait
        self._busy = False  # the member's task is sending a backlog item
        self.ended = False
        self.failed: BaseException | None = None  # the socket went away under a write
        self.floor = 0  # events up to this id were asked not to be sent again (the `after` cursor)
        self.last_cursor: str | None = None
        self.cut_off = False

    def offer(self, item: LiveItem) -> None:
        if self.ended:
            return
        if item.event_id is not None and item.event_id <= self.floor:
            return  # the member resumed after a cursor newer than the group's position
        if (
            self._write is not None
            and not self._backlog
            and not self._busy
            and self._writing is None
            and not isinstance(item.result, PreExecutionError)
        ):
            self.last_cursor = item.cursor
            if self._frames is not None and self._frames(self._head, item.body):
                self.group.groups.framed += 1
            else:
                self._write_now(self._prefix + item.payload + "}")
            return
        if len(self._backlog) >= self._limit:
            # Stopped draining: drop it from the group, tell it where to resume after what it was given.
            self.cut_off = True
            self.end()
            return
        self._backlog.append(item)
        self.last_cursor = item.cursor
        self._ready.set()

    def message(self, item: LiveItem) -> str:
        return self._prefix + item.payload + "}"

    def _write_now(self, text: str) -> None:
        assert self._write is not None
        write = self._write(text)
        try:
            waiting = write.send(None)  # run the write up to its first wait, if it has one
        except StopIteration:
            return  # written
        except Exception as error:  # noqa: BLE001 - whatever the socket raised, the member's task reports it
            self.failed = error
            self.end()
            return
        self._writing = (write, waiting)
        self._ready.set()

    def end(self) -> None:
        self.ended = True
        self._ready.set()
        self.group.leave(self)

    async def items(self) -> AsyncIterator[LiveItem]:
        """What the member's task must send itself, in order (after finishing a write that had to wait)."""
        while True:
            if self._writing is not None:
                write, waiting = self._writing
                try:
                    await _finish(write, waiting)
                finally:
                    self._writing = None
            while self._backlog:
                self._busy = True
                try:
                    yield self._backlog.popleft()
                finally:
                    self._busy = False
            if self.ended:
                if self.failed is not None:
                    raise self.failed
                return
            self._ready.clear()
            await self._ready.wait()

    def lagging_payload(self, encode: Callable[[Any], str]) -> str:
        error = SubscriberLagging(int(self.last_cursor or self.floor))
        fields = self.group.fields
        return encode({"data": None, "errors": [{"message": str(error), "path": [fields[0]] if fields else []}]})


async def _finish(write: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Carry on a coroutine that was started by hand and stopped at `waiting` (what it awaits), to its end.

    This task waits for the same future without consuming its outcome (asyncio.wait), then resumes the
    coroutine, which takes the result or the exception itself, just as if a task had run it all along.
    """
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)  # it yielded to the loop without a future
            else:
                await asyncio.wait((waiting,))
        except asyncio.CancelledError:
            write.close()
            raise
        try:
            waiting = write.send(None)
        except StopIteration:
            return


class LiveGroup:
    def __init__(self, groups: LiveGroups, key: Hashable, fields: tuple[str, ...]) -> None:
        self.groups = groups
        self.key = key
        self.fields = fields
        self.feed = GroupFeed()
        self.members: dict[LiveMember, None] = {}
        self.task: asyncio.Task[None] | None = None

    def leave(self, member: LiveMember) -> None:
        self.members.pop(member, None)
        self.feed.remove(member)
        if not self.members:
            self.groups.forget(self)

    async def run(self, start: Callable[[GroupFeed], Awaitable[Any]], encode: Callable[[Any], str]) -> None:
        try:
            source = await start(self.feed)
            async with aclosing(source):
                async for result in source:
                    if not isinstance(result, ExecutionResult):
                        log.error("live group %s: incremental delivery is not supported", self.fields)
                        break
                    if isinstance(result, PreExecutionError):  # the document itself: the same for everyone
                        self._deliver(result, encode, None, tuple(self.members))
                        break
                    current = self.feed.current
                    if current is None:  # refused before any event (who may subscribe): the same for everyone
                        self._deliver(result, encode, None, tuple(self.members))
                    else:
                        self._deliver(result, encode, current.cursor, self.feed.audience)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("live group %s failed", self.fields)
        finally:
            self.groups.forget(self)
            for member in list(self.members):
                member.end()

    @staticmethod
    def _deliver(
        result: ExecutionResult,
        encode: Callable[[Any], str],
        cursor: str | None,
        audience: tuple[LiveMember, ...],
    ) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        item = LiveItem(cursor, result, encode(payload))
        for member in audience:
            member.offer(item)


class LiveGroups:
    """The groups of one process's GraphQL endpoint."""

    def __init__(self, member_limit: int = QUEUE_LIMIT) -> None:
        self._groups: dict[Hashable, LiveGroup] = {}
        self._member_limit = member_limit
        self.framed = 0  # messages framed and written straight to a transport (schema.live_frames)

    def __len__(self) -> int:
        return len(self._groups)

    @property
    def member_count(self) -> int:
        return sum(len(group.members) for group in self._groups.values())

    def join(
        self,
        grouping: Grouping,
        start: Callable[[GroupFeed], Awaitable[Any]],
        encode: Callable[[Any], str],
        write: Callable[[str], Coroutine[Any, Any, None]] | None = None,
        prefix: str = "",
        frames: FrameWriter | None = None,
    ) -> LiveMember:
        """Join the group, starting it if there is none: `start(feed)` runs the subscription once for all.

        `write`, `prefix` and `frames`: the member's socket send, the start of its `next` messages and its
        socket's frame writer (see LiveMember).
        """
        group = self._groups.get(grouping.key)
        if group is None:
            group = self._groups[grouping.key] = LiveGroup(self, grouping.key, grouping.fields)
            group.task = asyncio.create_task(group.run(start, encode), name=f"live group {grouping.fields}")
        member = LiveMember(group, self._member_limit, write, prefix, frames)
        group.members[member] = None
        group.feed.add(member, grouping.after)
        return member

    def forget(self, group: LiveGroup) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]
        if group.task is not None and not group.task.done() and not group.members:
            group.task.cancel()
