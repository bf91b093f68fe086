"""Fixtures for the scale tests: a scratch PostgreSQL marketplace, Redis, uvicorn processes, gql feeds."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from bench.harness.scratch_postgres import scratch_postgres_database
from bench.harness.servers import Prepared, ServerProcess, free_port, port_open, prepare_database, running
from tests.conftest import IN_CI, require_postgres

INBOX = """subscription Inbox($after: String) {
  referralInbox(after: $after) { cursor event referral { reference status } }
}"""

# A private Redis on a free port, so that stopping it mid-test never touches the machine's own.
# (Chosen once per run through the environment: pytest may import this conftest under two module names.)
REDIS_PORT = int(os.environ.setdefault("PLACEMENT_EXCHANGE_TEST_REDIS_PORT", str(free_port())))
BUS_REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    str(REDIS_PORT),
    "--save",
    "",
    "--appendonly",
    "no",
]


@pytest.fixture(scope="module")
def postgres_market() -> Iterator[Prepared]:
    """A fresh, uniquely named PostgreSQL database holding the test marketplace; dropped afterwards."""
    require_postgres()
    with scratch_postgres_database("pe_scale") as database_url:
        yield prepare_database(database_url)


@pytest.fixture
def two_servers(postgres_market: Prepared, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Processes A and B on one PostgreSQL database, rung by one Redis; both stopped however the test ends."""
    require_redis_server()
    start_redis()
    a = ServerProcess("A", postgres_market.database_url, tmp_path, redis_url=BUS_REDIS_URL)
    b = ServerProcess("B", postgres_market.database_url, tmp_path, redis_url=BUS_REDIS_URL)
    try:
        with running(a, b):
            yield a, b
    finally:
        stop_redis()


# --- Redis, stopped and started for real -------------------------------------------------------


def require_redis_server() -> None:
    if shutil.which("redis-server"):
        return
    message = "redis-server is needed for the scale tests (apt-get install redis-server)"
    if IN_CI:
        pytest.fail(f"CI must not skip Redis tests. {message}")
    pytest.skip(message)


def stop_redis(timeout: float = 10.0) -> None:
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True, timeout=timeout)
    _wait_for(lambda: not port_open(REDIS_PORT), timeout, "Redis to stop")


def start_redis(timeout: float = 10.0) -> None:
    if port_open(REDIS_PORT):
        return
    subprocess.run(REDIS_START, check=True, capture_output=True, timeout=timeout)
    _wait_for(_redis_answers, timeout, "Redis to answer PING")


def _redis_answers() -> bool:
    result = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True, timeout=5)
    return result.stdout.strip() == "PONG"


def bus_listeners() -> int:
    """How many connections are subscribed to the event bus channel right now."""
    result = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "pubsub", "numsub", "placement-exchange:events"],
        capture_output=True,
        text=True,
        timeout=5,
    )
    lines = result.stdout.split()
    return int(lines[1]) if len(lines) == 2 and lines[1].isdigit() else 0


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)


# --- a provider's inbox through the Python gql client ------------------------------------------


class InboxFeed:
    """referralInbox over gql's WebsocketsTransport (graphql-transport-ws), pumped into a queue by a task."""

    def __init__(self, ws_url: str, token: str, after: str | None) -> None:
        transport = WebsocketsTransport(
            url=ws_url,
            init_payload={"Authorization": f"Bearer {token}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            connect_timeout=5,
            ack_timeout=5,
            close_timeout=2,
        )
        self._client = Client(transport=transport)
        self._request = GraphQLRequest(INBOX, variable_values={"after": after})
        self._messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> InboxFeed:
        self._task = asyncio.create_task(self._pump())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._task, 5)

    async def _pump(self) -> None:
        async with self._client as session:
            async for result in session.subscribe(self._request):
                await self._messages.put(result["referralInbox"])

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next message; raises TimeoutError, or whatever ended the connection."""
        assert self._task is not None
        if self._messages.empty() and self._task.done():
            raise ConnectionError(f"the subscription ended: {self._task.exception()!r}")
        getter = asyncio.ensure_future(self._messages.get())
        done, _ = await asyncio.wait({getter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self._task in done:
            raise ConnectionError(f"the subscription ended: {self._task.exception()!r}")
        raise TimeoutError(f"no inbox message within {timeout} s")

    async def ended(self, timeout: float = 10.0) -> BaseException | None:
        """Wait for the connection to end (the server went away); returns why."""
        assert self._task is not None
        await asyncio.wait({self._task}, timeout=timeout)
        if not self._task.done():
            raise TimeoutError(f"the subscription was still open after {timeout} s")
        return None if self._task.cancelled() else self._task.exception()
