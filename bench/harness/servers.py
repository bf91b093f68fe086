"""Real server processes for the scale tests and the fan-out bench.

A prepared database (schema + the test marketplace, built through the services),
uvicorn processes started on free loopback ports and always stopped, and a small
GraphQL-over-HTTP client that signs in and publishes referrals the way a council's
system would. No pytest here: bench/fanout_bench.py uses it too.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]

# A duty desk's inbox, as the portal asks for it (bench/api_bench.py, bench/mixed_bench.py).
INBOX = """{ referrals(first: 20, filter: {status: [OPEN]}) { edges { node {
  id reference urgency requiredBy ageBand placementKind homeDistrict
  framework { name } lot { code name } myOffer { id status weeklyFeePence }
} } } }"""
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token errors { code message } } }"
CREATE_REFERRAL = """mutation($input: CreateReferralInput!) {
  createReferral(input: $input) { referral { id reference } errors { field code message } } }"""
PUBLISH_REFERRAL = """mutation($input: ReferralIdInput!) {
  publishReferral(input: $input) { referral { reference status } errors { field code message } } }"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- the database ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """What a client needs to know about the prepared marketplace."""

    database_url: str
    emails: dict[str, str]
    password: str
    framework_id: str  # global ids, as the API takes them
    lot_id: str
    provider_ids: dict[str, int]
    published_referral_id: int  # one referral already broadcast to harbour and oakleaf (tier 1)
    household_ids: dict[str, str] = field(default_factory=dict)  # each provider's carer household, global id


KENT_DISTRICTS = [f"ME{n}" for n in range(1, 21)] + [f"CT{n}" for n in range(1, 22)] + [f"TN{n}" for n in range(1, 31)]


def prepare_database(database_url: str, extra_providers: int = 0) -> Prepared:
    """Schema plus the test marketplace, built through the services; call with no event loop running.

    extra_providers: that many more agencies on the core lot's first tier ("agency01", ...), each with a duty
    desk user and a household in a Kent district, for loads of many organisations."""
    from tortoise import Tortoise, connections
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from bench.harness.marketplace import PASSWORD, add_provider, build_marketplace
    from schema.ids import to_global_id
    from server.database import generate_schemas, tortoise_config
    from server.domain.vocabulary import OfstedJudgement
    from server.services import districts

    async def build() -> Prepared:
        # Compiled INSERTs are cached by connection name, not dialect: forget another database's.
        EXECUTOR_CACHE.clear()
        districts.forget_directory()
        await Tortoise.init(config=tortoise_config(database_url))
        try:
            await generate_schemas()
            market = await build_marketplace()
            for number in range(1, extra_providers + 1):
                key = f"agency{number:02d}"
                district = KENT_DISTRICTS[number % len(KENT_DISTRICTS)]
                await add_provider(
                    market, key, f"Agency {number:02d} (test)", f"SC8{number:05d}", OfstedJudgement.GOOD, district,
                    1, 80_000 + 250 * number,
                )  # fmt: skip
            referral = await market.referral()
            return Prepared(
                database_url=database_url,
                emails={key: user.email for key, user in market.users.items()},
                password=PASSWORD,
                framework_id=to_global_id("Framework", market.framework.id),
                lot_id=to_global_id("Lot", market.core_lot.id),
                provider_ids={key: provider.id for key, provider in market.providers.items()},
                published_referral_id=referral.id,
                household_ids={key: to_global_id("CarerHousehold", pk) for key, pk in market.households.items()},
            )
        finally:
            await connections.close_all()
            EXECUTOR_CACHE.clear()
            districts.forget_directory()

    return asyncio.run(build())


async def latest_event_id(database_url: str) -> int:
    """The newest event id, read straight from the table (a cursor to subscribe 'from now')."""
    if database_url.startswith("sqlite://"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite://")) as connection:
            (value,) = connection.execute("SELECT COALESCE(MAX(id), 0) FROM event").fetchone()
        return int(value)
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1), timeout=10)
    try:
        return int(await connection.fetchval("SELECT COALESCE(MAX(id), 0) FROM event"))
    finally:
        await connection.close()


# --- server processes ------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """`python -m uvicorn server.asgi:app` on a loopback port; its output goes to a log file."""

    name: str
    database_url: str
    log_dir: Path
    redis_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None, f"server {self.name} is not running"
        return self.process.pid

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"server-{self.name}.log"

    def start(self, timeout: float = 30.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it (start several, then wait_ready on each)."""
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "APP_ENV": "development",
            "BASE_URL": self.base_url,
            "WORKER_IN_PROCESS": "false",
        }  # the web process alone: no outbox worker, cascade clock or mailbox
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- start #{self.starts} on port {self.port}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "server.asgi:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--ws-per-message-deflate",
                    "false",
                ],  # as the Procfile runs it
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server {self.name} did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to say goodbye to its clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS from /proc), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line in /proc/<pid>/status")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@contextmanager
def running(*servers: ServerProcess) -> Iterator[tuple[ServerProcess, ...]]:
    """Start the servers; stop every one of them however the block ends."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


# --- GraphQL over HTTP -------------------------------------------------------------------------


class GraphQLError(AssertionError):
    pass


class Api:
    """The HTTP side of one server: sign in, create and publish referrals."""

    def __init__(self, base_url: str, prepared: Prepared, timeout: float = 15.0) -> None:
        self.prepared = prepared
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.tokens: dict[str, str] = {}

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.aclose()

    async def call(self, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLError(f"HTTP {response.status_code}: {body}")
        return body["data"]

    async def token(self, user_key: str) -> str:
        """A bearer token from the `login` mutation (cached per user)."""
        if user_key not in self.tokens:
            credentials = {"email": self.prepared.emails[user_key], "password": self.prepared.password}
            login = (await self.call(LOGIN, {"input": credentials}))["login"]
            if not login["token"]:
                raise GraphQLError(f"login failed for {user_key}: {login['errors']}")
            self.tokens[user_key] = login["token"]
        return self.tokens[user_key]

    async def create_referral(self, council_user: str = "kent_officer", **changes: Any) -> str:
        """A draft referral's global id (not yet broadcast)."""
        details = {
            "frameworkId": self.prepared.framework_id,
            "lotId": self.prepared.lot_id,
            "placementKind": "CORE_FOSTERING",
            "duration": "LONG_TERM",
            "urgency": "WITHIN_5_DAYS",
            "needLevel": "STANDARD",
            "requiredBy": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "ageYears": 13,
            "gender": "FEMALE",
            "homeDistrict": "ME14",
            "maxDistanceMiles": 30,
            "summary": "Settled at school in Year 9; enjoys football and art. Needs help with routines.",
            **changes,
        }
        token = await self.token(council_user)
        created = (await self.call(CREATE_REFERRAL, {"input": details}, token))["createReferral"]
        if created["errors"]:
            raise GraphQLError(f"createReferral: {created['errors']}")
        return created["referral"]["id"]

    async def publish_referral(self, referral_id: str, council_user: str = "kent_officer") -> str:
        """Broadcast the draft to the first tier; returns its reference."""
        token = await self.token(council_user)
        published = (await self.call(PUBLISH_REFERRAL, {"input": {"id": referral_id}}, token))["publishReferral"]
        if published["errors"]:
            raise GraphQLError(f"publishReferral: {published['errors']}")
        assert published["referral"]["status"] == "OPEN", published
        return published["referral"]["reference"]

    async def broadcast_referral(self, council_user: str = "kent_officer", **changes: Any) -> str:
        return await self.publish_referral(await self.create_referral(council_user, **changes), council_user)
