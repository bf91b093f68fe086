"""The hub's bounded queues: a burst is read from the table, a subscriber that stops reading is cut off.

The hub runs here on its own over the test's database and an in-process bus, with a tiny queue, so
that the two ways of falling behind can be told apart without a server: a burst bigger than the queue
(a bulk cascade) must reach a subscriber that keeps reading, in order and complete; a subscriber that
stops reading must be cut off with the cursor to resume from once it is further behind live than
`max_lag`, and its queue must never hold more than its limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from server.events.bus import InProcessBus, set_bus
from server.events.hub import EventHub, SubscriberLagging
from server.services.unit_of_work import unit_of_work

QUEUE = 5
TOPIC = "provider:1"


@pytest.fixture
async def hub(db: str) -> AsyncIterator[EventHub]:
    bus = InProcessBus()
    set_bus(bus)
    hub = EventHub(bus, queue_limit=QUEUE, max_lag=0.5)
    await hub.start()
    yield hub
    await hub.stop()


async def write_events(count: int, topic: str = TOPIC) -> list[int]:
    """`count` events in one transaction: the hub finds them all at its next read of the log."""
    async with unit_of_work() as work:
        for number in range(count):
            await work.record("referral.published", [topic], {"referralId": number})
    return [event.id for event in work.events]


async def test_burst_bigger_than_the_queue_reaches_a_subscriber_that_keeps_reading(hub: EventHub) -> None:
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)  # subscribed: live from here
    burst = await write_events(6 * QUEUE)
    received = [(await asyncio.wait_for(first, 5)).id]
    while len(received) < len(burst):
        received.append((await asyncio.wait_for(anext(stream), 5)).id)
    await stream.aclose()
    assert received == burst


async def test_catching_up_from_the_table_skips_other_providers_events(hub: EventHub) -> None:
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    mine = []
    async with unit_of_work() as work:
        for number in range(4 * QUEUE):
            topic = TOPIC if number % 2 else "provider:2"
            event = await work.record("referral.published", [topic], {"referralId": number})
            if topic == TOPIC:
                mine.append(event.id)
    received = [(await asyncio.wait_for(first, 5)).id]
    while len(received) < len(mine):
        received.append((await asyncio.wait_for(anext(stream), 5)).id)
    await stream.aclose()
    assert received == mine


async def test_subscriber_that_stops_reading_is_cut_off_with_its_cursor(hub: EventHub) -> None:
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    (opening,) = await write_events(1)
    assert (await asyncio.wait_for(first, 5)).id == opening

    # It stops reading while events keep coming, for longer than max_lag.
    for _ in range(4):
        await write_events(QUEUE)
        await asyncio.sleep(0.2)
    (subscriber,) = {s for subscribers in hub._by_topic.values() for s in subscribers}
    assert subscriber.queue.qsize() <= QUEUE, "the queue stays bounded"

    with pytest.raises(SubscriberLagging) as cut_off:
        await asyncio.wait_for(anext(stream), 5)
    assert cut_off.value.cursor == opening
    assert f'after: "{opening}"' in str(cut_off.value)
    assert hub.subscriber_count == 0, "the cut-off subscriber is gone"


async def test_resuming_from_the_cut_off_cursor_loses_and_repeats_nothing(hub: EventHub) -> None:
    (opening,) = await write_events(1)
    missed = []
    for _ in range(3):
        missed += await write_events(QUEUE)
    resumed = hub.stream(frozenset({TOPIC}), opening)
    received = [(await asyncio.wait_for(anext(resumed), 5)).id for _ in missed]
    await resumed.aclose()
    assert received == missed
