"""End to end: uvicorn on a free loopback port, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise, connections

from bench.harness.marketplace import PASSWORD, Marketplace, build_marketplace
from bench.harness.servers import free_port
from server.database import generate_schemas, tortoise_config
from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    base_url: str
    emails: dict[str, str]
    password: str = PASSWORD


def _prepare(database_url: str, more: Callable[[Marketplace], Awaitable[None]] | None) -> dict[str, str]:
    async def build() -> dict[str, str]:
        await Tortoise.init(config=tortoise_config(database_url))
        await generate_schemas()
        market = await build_marketplace()
        if more is not None:
            await more(market)
        emails = {key: user.email for key, user in market.users.items()}
        await connections.close_all()
        return emails

    return asyncio.run(build())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory)


def serve(
    tmp_path_factory: pytest.TempPathFactory, more: Callable[[Marketplace], Awaitable[None]] | None = None
) -> Iterator[Served]:
    """The demo's way of running (worker and dev mailbox in the server) on the test marketplace, plus whatever
    `more` adds to it through the services before the server starts (a module's own `served` fixture)."""
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed: apt-get install -y chromium (or run `make test`, which installs it)"
        if IN_CI:
            pytest.fail(f"CI must not skip browser tests. {message}")
        pytest.skip(message)
    database_url = f"sqlite://{tmp_path_factory.mktemp('e2e') / 'exchange.sqlite3'}"
    emails = _prepare(database_url, more)
    port = free_port()
    # As the demo runs it: the outbox worker and the dev mailbox (on a port of its own) inside the server.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_ENV": "development",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "WORKER_IN_PROCESS": "true",
        "DEV_MAILBOX_PORT": str(free_port()),
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the server did not answer /healthz within 30 s")
    yield Served(base_url, emails)
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def sign_in(page, served: Served, key: str) -> None:
    page.goto(f"{served.base_url}/sign-in")
    page.get_by_label("Email address").fill(served.emails[key])
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def make_required_choices(page, kind: str = "CORE_FOSTERING", urgency: str = "WITHIN_5_DAYS") -> None:
    """The new-referral form's required choices start empty: choose each, as an officer must."""
    page.get_by_label("Framework lot").select_option(index=1)
    page.get_by_label("Placement kind").select_option(kind)
    page.get_by_label("Duration").select_option("SHORT_TERM")
    page.get_by_label("Urgency").select_option(urgency)
    page.get_by_label("Level of need").select_option("STANDARD")
    page.get_by_label("Gender").select_option("FEMALE")


def publish_referral(
    officer, served: Served, *, age: int = 13, max_miles: int | None = None, summary: str | None = None
) -> tuple[str, str]:
    """A signed-in officer writes a referral on the form (home ME14, core fostering) and publishes it; returns
    the referral's id and reference, from the page it lands on."""
    officer.goto(f"{served.base_url}/referrals/new")
    officer.get_by_label("Age in years").fill(str(age))
    officer.get_by_label("Home postcode district").fill("ME14")
    if max_miles is not None:
        officer.get_by_label("Maximum distance (miles)").fill(str(max_miles))
    make_required_choices(officer)
    officer.get_by_label("Summary", exact=True).fill(summary or "Enjoys swimming and board games; settled at school.")
    officer.get_by_role("button", name="Save and publish").click()
    officer.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    return officer.url.rsplit("/", 1)[1], officer.locator("h1").inner_text().split()[0]
