"""Two server processes on one PostgreSQL database, rung by Redis: the events table is the truth.

A provider's duty desk subscribes on process A (Python `gql` client, graphql-transport-ws,
bearer token from the `login` mutation in connection_init); the council publishes through
process B over HTTP. Redis restarting or process A crashing loses nothing.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bench.harness.servers import Api, Prepared, ServerProcess, latest_event_id
from tests.scale.conftest import InboxFeed, bus_listeners, start_redis, stop_redis

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_duty_desk_on_one_process_hears_a_referral_published_through_another(
    two_servers: tuple[ServerProcess, ServerProcess], postgres_market: Prepared
) -> None:
    a, b = two_servers
    async with Api(a.base_url, postgres_market) as on_a, Api(b.base_url, postgres_market) as on_b:
        harbour = await on_a.token("harbour")
        after = str(await latest_event_id(postgres_market.database_url))
        async with InboxFeed(a.ws_url, harbour, after) as inbox:
            # The first message proves the subscription is live on A; the second is timed.
            warm_up = await on_b.broadcast_referral()
            assert (await inbox.next(timeout=10))["referral"]["reference"] == warm_up
            assert bus_listeners() >= 2, "both processes listen on the Redis bus"

            draft = await on_b.create_referral()
            started = time.monotonic()
            reference = await on_b.publish_referral(draft)
            message = await inbox.next(timeout=5)
            elapsed = time.monotonic() - started

    assert message["event"] == "referral.published"
    assert message["referral"] == {"reference": reference, "status": "OPEN"}
    assert int(message["cursor"]) > int(after)
    assert elapsed < 5, f"delivered across processes in {elapsed:.2f} s"


async def test_nothing_is_lost_while_redis_restarts(
    two_servers: tuple[ServerProcess, ServerProcess], postgres_market: Prepared
) -> None:
    a, b = two_servers
    try:
        async with Api(a.base_url, postgres_market) as on_a, Api(b.base_url, postgres_market) as on_b:
            harbour = await on_a.token("harbour")
            await on_b.token("kent_officer")
            after = str(await latest_event_id(postgres_market.database_url))
            async with InboxFeed(a.ws_url, harbour, after) as inbox:
                warm_up = await on_b.broadcast_referral()
                assert (await inbox.next(timeout=10))["referral"]["reference"] == warm_up

                await asyncio.to_thread(stop_redis)
                started = time.monotonic()
                # The event row commits with the referral; the failed ring is tolerated.
                published_without_redis = await on_b.broadcast_referral()
                publish_seconds = time.monotonic() - started
                await asyncio.sleep(1.0)  # an outage, not a blip: the bus readers retry meanwhile
                await asyncio.to_thread(start_redis)

                message = await inbox.next(timeout=10)
                assert message["referral"]["reference"] == published_without_redis
                assert message["event"] == "referral.published"
                assert publish_seconds < 5, f"publishing with Redis down took {publish_seconds:.1f} s"

                # Both processes' bus readers reconnect, and rings carry news again.
                await _eventually(lambda: bus_listeners() >= 2, timeout=10, what="both bus readers to resubscribe")
                after_restart = await on_b.broadcast_referral()
                assert (await inbox.next(timeout=5))["referral"]["reference"] == after_restart
                with pytest.raises(TimeoutError):
                    await inbox.next(timeout=2.5)  # and nothing twice
    finally:
        await asyncio.to_thread(start_redis)


async def test_reconnecting_with_the_last_cursor_after_a_crash_replays_exactly_what_was_missed(
    two_servers: tuple[ServerProcess, ServerProcess], postgres_market: Prepared
) -> None:
    a, b = two_servers
    async with Api(b.base_url, postgres_market) as on_b:
        harbour = await on_b.token("harbour")  # tokens live in the database: good on every process
        after = str(await latest_event_id(postgres_market.database_url))
        async with InboxFeed(a.ws_url, harbour, after) as inbox:
            seen = await on_b.broadcast_referral()
            last = await inbox.next(timeout=10)
            assert last["referral"]["reference"] == seen
            await asyncio.to_thread(a.kill)
            assert await inbox.ended(timeout=10) is not None, "the client noticed the server went away"

        missed = [await on_b.broadcast_referral(), await on_b.broadcast_referral()]
        await asyncio.to_thread(a.start)

        async with InboxFeed(a.ws_url, harbour, last["cursor"]) as inbox:
            replayed = [await inbox.next(timeout=10), await inbox.next(timeout=10)]
            assert [m["referral"]["reference"] for m in replayed] == missed
            cursors = [int(m["cursor"]) for m in replayed]
            assert int(last["cursor"]) < cursors[0] < cursors[1]
            with pytest.raises(TimeoutError):
                await inbox.next(timeout=2.5)  # longer than the hub's poll: truly nothing more


async def _eventually(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.2)


async def test_a_read_remembered_on_one_process_is_not_stale_after_a_change_through_another(
    two_servers: tuple[ServerProcess, ServerProcess], postgres_market: Prepared
) -> None:
    """The response cache of process A (schema/response_cache.py) follows the event log, not its own clock."""
    a, b = two_servers
    inbox = "{ referrals(first: 50, filter: {status: [OPEN]}) { edges { node { reference } } } }"
    async with Api(a.base_url, postgres_market) as on_a, Api(b.base_url, postgres_market) as on_b:
        harbour = await on_a.token("harbour")

        async def references() -> set[str]:
            data = await on_a.call(inbox, {}, harbour)
            return {edge["node"]["reference"] for edge in data["referrals"]["edges"]}

        before = await references()
        assert await references() == before  # asked twice: the second from A's memory
        started = time.monotonic()
        published = await on_b.broadcast_referral()
        while published not in await references():
            # Well inside GRAPHQL_CACHE_SECONDS (10): the event moved A's data version, not the age limit.
            assert time.monotonic() - started < 5, "process A kept answering from memory after the change"
            await asyncio.sleep(0.05)
