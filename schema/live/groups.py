"""A group runs one subscription for all its members; LiveGroups are the groups of one GraphQL endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from schema.live.feed import GroupFeed
from schema.live.frames import FrameWriter
from schema.live.grouping import Grouping
from schema.live.member import LiveItem, LiveMember
from schema.live.settle import Settle
from schema.live.shared import PerEvent
from server.events.hub import QUEUE_LIMIT

log = logging.getLogger(__name__)


class LiveGroup:
    def __init__(
        self, groups: LiveGroups, key: Hashable, fields: tuple[str, ...], shared: Hashable | None = None
    ) -> None:
        self.groups = groups
        self.key = key
        self.fields = fields
        self.feed = GroupFeed(groups.settle, groups.per_event, shared)
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
                        self.feed.delivered(self._deliver(result, encode, current.cursor, self.feed.audience))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("live group %s failed", self.fields)
        finally:
            self.feed.release()  # groups waiting for this one's message of an event run it themselves
            self.groups.forget(self)
            for member in list(self.members):
                member.end()

    @staticmethod
    def _deliver(
        result: ExecutionResult,
        encode: Callable[[Any], str],
        cursor: str | None,
        audience: tuple[LiveMember, ...],
    ) -> LiveItem:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        item = LiveItem(cursor, result, encode(payload))
        for member in audience:
            member.offer(item)
        return item


class LiveGroups:
    """The groups of one process's GraphQL endpoint; `settle`, the after-commit hook that waits for them;
    `per_event`, what every subscription of the endpoint builds once per event."""

    def __init__(self, member_limit: int = QUEUE_LIMIT) -> None:
        self._groups: dict[Hashable, LiveGroup] = {}
        self._member_limit = member_limit
        self.settle = Settle()
        self.per_event = PerEvent()
        self.framed = 0  # messages framed and written straight to a transport (schema.live.frames)

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
        prefix: str = "",
        frames: FrameWriter | None = None,
    ) -> LiveMember:
        """Join the group, starting it if there is none: `start(feed)` runs the subscription once for all.

        `prefix` and `frames`: the start of the member's `next` messages and its socket's frame writer
        (see LiveMember).
        """
        group = self._groups.get(grouping.key)
        if group is None:
            group = self._groups[grouping.key] = LiveGroup(self, grouping.key, grouping.fields, grouping.shared)
            group.task = asyncio.create_task(group.run(start, encode), name=f"live group {grouping.fields}")
        member = LiveMember(group, self._member_limit, prefix, frames)
        group.members[member] = None
        group.feed.add(member, grouping.after)
        return member

    def forget(self, group: LiveGroup) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]
        if group.task is not None and not group.task.done() and not group.members:
            group.task.cancel()
