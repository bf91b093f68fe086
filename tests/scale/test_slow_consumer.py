"""A duty desk whose connection stops reading is cut off with a cursor, not buffered forever.

The hub gives each subscriber a bounded queue (server.events.hub.QUEUE_LIMIT). A client
that stops reading while a stream of referrals arrives must be told it fell behind and
how to resume with `after`; the server's memory must stay bounded meanwhile; a neighbour
that keeps reading gets everything; and resuming from the cursor loses and repeats nothing.

The events are written by another process through the unit of work (as a second server
or the cascade clock would), about a referral broadcast to Harbour over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.harness.servers import ROOT, Api, Prepared, ServerProcess, prepare_database, running
from schema.ids import from_global_id
from server.events.hub import QUEUE_LIMIT
from tests.scale.raw_socket import RawGraphQLSocket

RSS_GROWTH_LIMIT_MB = 50
MAX_LAG = 2.0
# A case summary near the 4,000-character limit, asked for several times over (aliases), and a client
# that neither offers compression nor keeps a big receive buffer: each message is ~20 KB on the wire,
# so a client that stops reading fills the kernel's buffers after a couple of hundred messages and the
# server's sends block. Only then does the subscriber's queue in the hub fill up.
SUMMARY = " ".join(
    f"Week {week}: settled at school, enjoys football and art, needs help with routines at bedtime and "
    "in the mornings, and sees a sibling at weekends with support from the social worker."
    for week in range(1, 21)
)
FAT_INBOX = """subscription Inbox($after: String) { referralInbox(after: $after) { cursor event referral {
  reference status summary a: summary b: summary c: summary d: summary placementKind duration urgency
  needLevel requiredBy ageYears gender homeDistrict maxDistanceMiles createdAt publishedAt } } }"""
THIN_INBOX = "subscription($after: String) { referralInbox(after: $after) { cursor } }"
SLOW_CLIENT = {"receive_buffer": 4096, "max_queue": 2, "compression": None}


def _server(tmp_path: Path, **env: str) -> Iterator[tuple[Prepared, ServerProcess]]:
    prepared = prepare_database(f"sqlite://{tmp_path / 'exchange.sqlite3'}")
    server = ServerProcess("slow-consumer", prepared.database_url, tmp_path, extra_env=env)
    with running(server):
        yield prepared, server


@pytest.fixture
def market_server(tmp_path: Path) -> Iterator[tuple[Prepared, ServerProcess]]:
    yield from _server(tmp_path)


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[tuple[Prepared, ServerProcess]]:
    """Cuts off whoever is more than 2 s behind live (30 s by default), so the test need not wait long."""
    yield from _server(tmp_path, LIVE_MAX_LAG_SECONDS=str(MAX_LAG))


async def test_duty_desk_that_stops_reading_is_cut_off_with_a_cursor_and_resumes_losing_nothing(
    impatient_server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, server = impatient_server
    async with Api(server.base_url, prepared) as api:
        token = await api.token("harbour")
        draft = await api.create_referral(summary=SUMMARY)
        await api.publish_referral(draft)
        referral_id = from_global_id(draft, "Referral")
        assert referral_id is not None
    stream_length = 2 * QUEUE_LIMIT

    slow = await RawGraphQLSocket.connect(server.ws_url, token, **SLOW_CLIENT)
    neighbour = await RawGraphQLSocket.connect(server.ws_url, token)
    try:
        slow_id = await slow.subscribe(FAT_INBOX, {"after": "0"})
        neighbour_id = await neighbour.subscribe(FAT_INBOX, {"after": "0"})
        # Both subscriptions are live once each has replayed what was broadcast so far.
        replayed = await _read(slow, slow_id, 2, timeout=10)
        assert await _read(neighbour, neighbour_id, 2, timeout=10) == replayed

        rss_before = server.rss_mb()
        async with _PeakRss(server) as peak:
            # From here until the stream is over the slow client reads nothing; its neighbour reads on.
            reading = asyncio.create_task(_read(neighbour, neighbour_id, stream_length, timeout=90))
            # A steady ~150 events a second, well under QUEUE_LIMIT per poll of the hub.
            stream = await _produce(prepared, referral_id, stream_length, per_transaction=15, pause=0.1)
            neighbour_cursors = await reading
            rss_after = server.rss_mb()

        slow.set_receive_buffer(4 * 1024 * 1024)  # it reads again, with a normal window
        before_cut_off, refusal = await _read_until_cut_off(slow, slow_id, timeout=30)
        resume_from = _RESUME.search(refusal)
        assert resume_from, refusal
        resumed_id = await slow.subscribe(FAT_INBOX, {"after": resume_from.group(1)})
        resumed = await _read(slow, resumed_id, len(stream) - len(before_cut_off), timeout=10)
        with pytest.raises(TimeoutError):
            await slow.receive(timeout=1.0)
    finally:
        await asyncio.gather(slow.close(), neighbour.close(), return_exceptions=True)

    assert neighbour_cursors == stream, "the neighbour that kept reading got every event, in order"
    assert len(before_cut_off) < len(stream), "the client that stopped reading was cut off"
    assert "fell too far behind" in refusal
    assert int(resume_from.group(1)) == (before_cut_off or replayed)[-1]
    assert before_cut_off + resumed == stream, "resuming from the cursor lost and repeated nothing"
    growth = max(rss_after, peak.peak) - rss_before
    assert growth < RSS_GROWTH_LIMIT_MB, (
        f"server RSS {rss_before:.0f} MB before, peak {peak.peak:.0f} MB, {rss_after:.0f} MB after the stream"
    )


async def test_duty_desk_that_keeps_reading_is_not_cut_off_by_a_burst_bigger_than_its_queue(
    market_server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, server = market_server
    async with Api(server.base_url, prepared) as api:
        token = await api.token("harbour")
    reader = await RawGraphQLSocket.connect(server.ws_url, token)
    try:
        operation = await reader.subscribe(THIN_INBOX, {"after": "0"})
        await _read(reader, operation, 1, timeout=10)  # live: it has replayed the prepared broadcast
        # One transaction in another process (a bulk cascade, say): the hub finds it all at its next read.
        reading = asyncio.create_task(_read(reader, operation, 3 * QUEUE_LIMIT, timeout=60))
        burst = await _produce(
            prepared, prepared.published_referral_id, 3 * QUEUE_LIMIT, per_transaction=3 * QUEUE_LIMIT, pause=0
        )
        assert await reading == burst
    finally:
        await reader.close()


def _data(message: dict, operation: str) -> dict:
    assert message["type"] == "next" and message["id"] == operation, message
    assert not message["payload"].get("errors"), message
    return message["payload"]["data"]["referralInbox"]


async def _produce(
    prepared: Prepared, referral_id: int, count: int, *, per_transaction: int, pause: float
) -> list[int]:
    """The new events' ids, written by another process through the unit of work."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.scale.produce_events",
        prepared.database_url,
        str(prepared.provider_ids["harbour"]),
        str(referral_id),
        str(count),
        str(per_transaction),
        str(pause),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    written = json.loads(out)
    return list(range(written["first"], written["last"] + 1))


async def _read(socket: RawGraphQLSocket, operation: str, count: int, timeout: float) -> list[int]:
    """The cursors of the next `count` messages, which must all be data."""
    deadline = time.monotonic() + timeout
    cursors: list[int] = []
    while len(cursors) < count:
        message = await socket.receive(timeout=max(0.1, deadline - time.monotonic()))
        cursors.append(int(_data(message, operation)["cursor"]))
    return cursors


async def _read_until_cut_off(socket: RawGraphQLSocket, operation: str, timeout: float) -> tuple[list[int], str]:
    """Drain what was sent before the cut-off; return those cursors and the refusal's message."""
    deadline = time.monotonic() + timeout
    cursors: list[int] = []
    while True:
        message = await socket.receive(timeout=max(0.1, deadline - time.monotonic()))
        assert message.get("id") == operation, message
        payload = message.get("payload")
        errors = payload.get("errors") if message["type"] == "next" else payload
        if message["type"] == "error" or errors:
            if message["type"] == "next":  # graphql-transport-ws: the errors, then `complete`
                assert await socket.receive(timeout=5) == {"id": operation, "type": "complete"}
            return cursors, " ".join(error["message"] for error in errors)
        assert message["type"] == "next", f"the stream ended without saying why: {message}"
        cursors.append(int(_data(message, operation)["cursor"]))


class _PeakRss:
    """Samples the server's RSS every 50 ms while the block runs."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.peak = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _PeakRss:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.server.rss_mb())
            await asyncio.sleep(0.05)


_RESUME = re.compile(r'after: "(\d+)"')
