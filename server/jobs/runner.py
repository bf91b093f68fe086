"""Runs the exchange's clocks in turn, every few seconds, until told to stop.

A failing job is logged and the others still run: one bad referral, or a database blip, must not stop the
cascade for everyone. The jobs record events (the cascade re-broadcasts): the process that runs them rings
the same bus as the web processes, so their subscribers hear.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from server.background import running_loop
from server.jobs.deadlines import warn_deadlines
from server.jobs.reviews import warn_reviews_due
from server.services.block_call_off import lapse_due
from server.services.broadcast import cascade_due
from server.settings import Settings

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[int]]  # returns how much it did: referrals moved, warnings queued


CLOCKS: tuple[Job, ...] = (
    Job("block call-off windows", lapse_due),  # before the cascade: a lapsed call-off goes to the first tier
    Job("tier cascade", cascade_due),
    Job("deadline warnings", warn_deadlines),
    Job("reviews due", warn_reviews_due),
)


class JobRunner:
    def __init__(self, jobs: Sequence[Job] = CLOCKS, *, interval: float = INTERVAL_SECONDS) -> None:
        self.jobs = tuple(jobs)
        self.interval = interval

    async def run_cycle(self) -> int:
        """Every job once, in order. Returns how much they did altogether."""
        done = 0
        for job in self.jobs:
            try:
                done += await job.run()
            except Exception:  # one failing job must not stop the others, nor the next cycle
                log.exception("job %s failed; carrying on", job.name)
        return done

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("jobs started: %s", ", ".join(job.name for job in self.jobs))
        while not stop.is_set():
            await self.run_cycle()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
        log.info("jobs stopped")


@asynccontextmanager
async def run_in_process(settings: Settings) -> AsyncIterator[JobRunner]:
    """The clocks inside the web process (WORKER_IN_PROCESS) while the app runs."""
    runner = JobRunner()
    async with running_loop("jobs", runner.run_forever):
        yield runner
