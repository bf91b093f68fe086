"""Running a loop (the outbox worker, the exchange's clocks) beside the web app, and stopping it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 10.0


@asynccontextmanager
async def running_loop(name: str, run_forever: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    """Run `run_forever(stop)` as a task while the block runs; on leaving, set `stop` and wait for it, at most
    STOP_TIMEOUT_SECONDS before cancelling it."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("%s did not stop within %s s; cancelled", name, STOP_TIMEOUT_SECONDS)
        with contextlib.suppress(asyncio.CancelledError):
            await task
