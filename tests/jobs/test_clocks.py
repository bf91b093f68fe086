"""The exchange's clocks (server.jobs): run in turn, one failure does not stop the others, and the web
process runs them when WORKER_IN_PROCESS says so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import Urgency
from server.jobs.runner import CLOCKS, Job, JobRunner, run_in_process
from server.models import Referral
from server.settings import Settings


def test_the_worker_runs_the_cascade_and_the_deadline_warnings() -> None:
    assert [job.name for job in CLOCKS] == [
        "block call-off windows",
        "tier cascade",
        "deadline warnings",
        "reviews due",
    ]


async def test_a_failing_job_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[str] = []

    async def broken() -> int:
        ran.append("broken")
        raise RuntimeError("database blip")

    async def healthy() -> int:
        ran.append("healthy")
        return 2

    runner = JobRunner([Job("broken", broken), Job("healthy", healthy)])
    assert await runner.run_cycle() == 2
    assert await runner.run_cycle() == 2
    assert ran == ["broken", "healthy", "broken", "healthy"]
    assert "job broken failed" in caplog.text


async def test_web_process_cascades_a_referral_whose_tier_window_closed(db: str, market: Marketplace) -> None:
    referral = await market.referral(urgency=Urgency.TODAY)
    assert referral.current_tier == 1
    await Referral.filter(id=referral.id).update(tier_deadline=datetime.now(UTC) - timedelta(minutes=1))

    settings = Settings.from_env({"DATABASE_URL": db, "APP_ENV": "development"})
    async with run_in_process(settings), asyncio.timeout(10):
        while True:  # the runner's first cycle starts at once
            if (await Referral.get(id=referral.id)).current_tier == 2:
                break
            await asyncio.sleep(0.05)
    await referral.refresh_from_db()
    assert referral.current_tier == 2 and referral.tier_deadline is None
