"""The hub's bounded queues: a burst is read from the table, a subscriber that stops reading is cut off;
and the events this process commits, handed to its hub without reading them back (what the live groups
do with them before the use case carries on: tests/live/test_settle.py).

The hub runs here on its own over the test's database and an in-process bus, with a tiny queue, so
that the two ways of falling behind can be told apart without a server: a burst bigger than the queue
(a bulk cascade) must reach a subscriber that keeps reading, in order and complete; a subscriber that
stops reading must be cut off with the cursor to resume from once it is further behind live than
`max_lag`, and its queue must never hold more than its limit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from tortoise.transactions import in_transaction

from server.events import hub as hub_module
from server.events.bus import InProcessBus, set_bus
from server.events.hub import EventHub, SubscriberLagging, current_hub, set_hub
from server.events.log import events_after
from server.models import Event, EventTopic, Referral
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


# --- events committed in this process -------------------------------------------------------------------


@pytest.fixture
async def local_hub(hub: EventHub, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[EventHub, list[int]]]:
    """The hub as the app runs it (this process's hub), and the cursors of its reads of the table."""
    reads: list[int] = []

    async def counted(after: int, topics: list[str] | None = None, limit: int = 500) -> list:
        reads.append(after)
        return await events_after(after, topics, limit)

    monkeypatch.setattr(hub_module, "events_after", counted)
    previous = current_hub()
    set_hub(hub)
    try:
        yield hub, reads
    finally:
        set_hub(previous)


async def next_ids(stream: AsyncIterator, count: int) -> list[int]:
    return [(await asyncio.wait_for(anext(stream), 5)).id for _ in range(count)]


async def test_events_committed_here_reach_subscribers_without_a_read_of_the_table(local_hub) -> None:
    hub, reads = local_hub
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    reads.clear()
    async with unit_of_work() as work:
        await work.record("referral.published", [TOPIC, "council:1"], {"referralId": 7, "tier": None, "ids": [1, 2]})
        await work.record("referral.cascaded", [TOPIC], {"referralId": 7})
    handed = work.events
    assert hub.position == handed[-1].id, "taken as the transaction committed, before any task switch"
    received = [await asyncio.wait_for(first, 5), await asyncio.wait_for(anext(stream), 5)]
    await stream.aclose()
    assert reads == [], "nothing was read back from the table"
    # Exactly what a reader of the table gets: same topics, payload through JSON, timestamp.
    assert received == handed == await events_after(handed[0].id - 1)


async def test_an_event_after_one_not_yet_read_waits_for_the_table(local_hub) -> None:
    hub, reads = local_hub
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    # Another process committed an event whose ring has not arrived: this hub has not read it.
    elsewhere = await Event.create(type="referral.published", payload={"referralId": 1})
    await EventTopic.create(event_id=elsewhere.id, topic=TOPIC)
    (mine,) = await write_events(1)
    assert hub.position < elsewhere.id, "not handed over: the event before it has not been read"
    assert await asyncio.wait_for(first, 5) == (await events_after(elsewhere.id - 1))[0]
    assert await next_ids(stream, 1) == [mine]
    await stream.aclose()
    assert reads, "read from the table, in order"


async def test_a_commit_during_a_read_of_the_table_is_delivered_once(local_hub, monkeypatch) -> None:
    hub, _ = local_hub
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    reading, release = asyncio.Event(), asyncio.Event()
    counted = hub_module.events_after

    async def slow(after: int, topics: list[str] | None = None, limit: int = 500) -> list:
        reading.set()
        await release.wait()
        return await counted(after, topics, limit)

    monkeypatch.setattr(hub_module, "events_after", slow)
    (earlier,) = await write_events(1, topic="provider:2")  # handed over; then make the hub read the table
    hub._wake.set()
    await asyncio.wait_for(reading.wait(), 5)
    (mine,) = await write_events(1)  # committed while the hub is reading: left to the table
    assert hub.position == earlier
    release.set()
    assert await asyncio.wait_for(first, 5) == (await events_after(mine - 1))[0]
    extra = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.3)
    assert not extra.done(), "delivered once"
    extra.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await extra
    await stream.aclose()


async def test_the_rows_an_event_is_about_travel_with_it_in_this_process_only(local_hub, market) -> None:
    from bench.harness.marketplace import referral_details
    from server.services import referrals

    hub, _ = local_hub
    officer = market.actor("kent_officer")
    draft = await referrals.create_referral(officer, referral_details(market))
    topic = f"provider:{market.providers['harbour'].id}"
    stream = hub.stream(frozenset({topic}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    await referrals.publish_referral(officer, draft.id)
    event = await asyncio.wait_for(first, 5)
    await stream.aclose()
    (referral,) = event.loaded
    stored = await Referral.get(id=draft.id)
    assert isinstance(referral, Referral) and referral.id == draft.id
    assert (referral.status, referral.current_tier, referral.tier_deadline, referral.published_at) == (
        stored.status, stored.current_tier, stored.tier_deadline, stored.published_at
    )  # fmt: skip
    (from_table,) = await events_after(event.id - 1, [topic])
    assert from_table == event and from_table.loaded == ()


async def test_events_become_visible_in_id_order_across_concurrent_transactions(db: str) -> None:
    """The order lock: a transaction that has written an event holds back the next writer's event id."""
    first_written, release = asyncio.Event(), asyncio.Event()

    async def first() -> int:
        async with unit_of_work() as work:
            event = await work.record("referral.published", [TOPIC], {"referralId": 1})
            first_written.set()
            await release.wait()
        return event.id

    async def second() -> int:
        await first_written.wait()
        async with unit_of_work() as work:
            event = await work.record("referral.published", [TOPIC], {"referralId": 2})
        return event.id

    one, two = asyncio.ensure_future(first()), asyncio.ensure_future(second())
    await asyncio.wait_for(first_written.wait(), 5)
    await asyncio.sleep(0.3)
    assert not two.done(), "the second writer waits for the first transaction to end"
    release.set()
    first_id, second_id = await asyncio.wait_for(asyncio.gather(one, two), 5)
    assert second_id > first_id
    assert [event.id for event in await events_after(first_id - 1)] == [first_id, second_id]


async def test_events_of_a_unit_of_work_inside_a_rolled_back_transaction_are_never_delivered(local_hub) -> None:
    """Nested in an enclosing transaction, a unit of work only releases a savepoint: nothing is handed over."""
    hub, _ = local_hub
    stream = hub.stream(frozenset({TOPIC}), None)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    before = hub.position

    class Undone(Exception):
        """Rolls the enclosing transaction back."""

    with contextlib.suppress(Undone):
        async with in_transaction():
            async with unit_of_work() as work:
                await work.record("referral.published", [TOPIC], {"referralId": 1})
            assert hub.position == before, "not handed over before the enclosing transaction commits"
            raise Undone
    (real,) = await write_events(1)
    received = await asyncio.wait_for(first, 5)
    await stream.aclose()
    assert received.id == real and received.payload == {"referralId": 0}
