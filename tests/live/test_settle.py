"""The after-commit hook (schema.live.settle): a use case that committed events in this process lets the
process's live group feeds handle them before it carries on with its own response, briefly.

The hub and the hook run here on their own over the test's database and an in-process bus, with group
feeds (schema.live.feed.GroupFeed) read by hand, as a live group's execution reads its feed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from schema.live import settle as settle_module
from schema.live.feed import GroupFeed
from schema.live.settle import Settle
from server.events.after_commit import after_commit_hook, set_after_commit
from server.events.bus import InProcessBus, set_bus
from server.events.hub import EventHub, current_hub, set_hub
from server.services.unit_of_work import unit_of_work
from tests.live.test_event_hub import TOPIC, next_ids, write_events


@pytest.fixture
async def settle(db: str) -> AsyncIterator[Settle]:
    """This process's hub, and a Settle registered as its after-commit hook, as the app runs them."""
    bus = InProcessBus()
    set_bus(bus)
    hub = EventHub(bus)
    await hub.start()
    previous_hub, previous_hook = current_hub(), after_commit_hook()
    settle = Settle()
    set_hub(hub)
    set_after_commit(settle)
    try:
        yield settle
    finally:
        set_after_commit(previous_hook)
        set_hub(previous_hub)
        await hub.stop()


async def test_subscribers_here_handle_an_event_before_the_use_case_that_committed_it_carries_on(settle) -> None:
    """The publisher's own response waits (briefly) for this process's live groups."""
    handled: list[int] = []

    async def consume() -> None:
        async for event in GroupFeed(settle).events(frozenset({TOPIC})):
            handled.append(event.id)

    consumer = asyncio.ensure_future(consume())
    await asyncio.sleep(0.05)
    (mine,) = await write_events(1)
    assert handled == [mine], "handled before the unit of work returned"
    consumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await consumer


class SlowRingBus(InProcessBus):
    """Rings that take a while to go out, as Redis's do: local subscribers get to run meanwhile."""

    async def publish(self, event_id: int) -> None:
        await asyncio.sleep(0.02)
        await super().publish(event_id)


async def test_settling_waits_only_for_what_is_left_to_handle(settle, monkeypatch) -> None:
    """Never for a feed done before the wait began, one not told of the last event, or a subscriber that is
    not a group's feed; with a wait of 30 s, any of these would hold the unit of work up for that long."""
    monkeypatch.setattr(settle_module, "SETTLE_SECONDS", 30.0)
    handled: list[int] = []

    async def consume(topic: str) -> None:
        async for event in GroupFeed(settle).events(frozenset({topic})):
            handled.append(event.id)

    consumers = [asyncio.ensure_future(consume(TOPIC)), asyncio.ensure_future(consume("provider:2"))]
    idle = current_hub().stream(frozenset({TOPIC}), None)  # not a group's feed: given events, never asks for more
    first = asyncio.ensure_future(anext(idle))
    await asyncio.sleep(0.05)
    set_bus(SlowRingBus())  # the consumers handle the events while the rings go out, before settle
    async with asyncio.timeout(5):
        async with unit_of_work() as work:
            await work.record("referral.published", [TOPIC], {"referralId": 1})
            await work.record("referral.published", ["provider:2"], {"referralId": 2})  # one each
    ids = [event.id for event in work.events]
    assert sorted(handled) == ids
    assert (await asyncio.wait_for(first, 5)).id == ids[0]
    for consumer in consumers:
        consumer.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    await idle.aclose()


async def test_a_feed_that_does_not_ask_for_more_holds_the_use_case_up_only_so_long(settle, monkeypatch) -> None:
    monkeypatch.setattr(settle_module, "SETTLE_SECONDS", 0.2)
    stream = GroupFeed(settle).events(frozenset({TOPIC}))
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    (mine,) = await asyncio.wait_for(write_events(1), 5)
    assert asyncio.get_running_loop().time() - started >= 0.2, "it waited for the feed, up to the limit"
    assert (await asyncio.wait_for(first, 5)).id == mine  # given, but it never asks for the next one
    (later,) = await asyncio.wait_for(write_events(1), 5)
    assert await next_ids(stream, 1) == [later]
    await stream.aclose()
