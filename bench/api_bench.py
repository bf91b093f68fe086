"""API throughput benchmark: a provider's inbox over GraphQL, against the same bytes served bare.

One run prepares a marketplace (20 open referrals, Harbour has offered on half of them), starts two
uvicorn processes with the same settings (one worker, --log-level warning, loopback, each on a free
port) and drives both with the same load generator for the same time:

- the real app (server.asgi:app) answering Harbour's inbox query with its bearer token;
- a bare Starlette endpoint returning that query's response, captured once from the real app, from memory.

It prints the requests/s of each and their ratio, and a VERDICT line per goal: ratio >= 0.10, and >= 0.03
uncached (below). On Linux it also prints the CPU time the uncached and bare servers spent per request (from
/proc): their ratio does not move with the load that other processes put on the machine meanwhile, as
requests/s do.

The real app answers a signed-in caller's repeated query from memory while nothing has changed
(schema/response_cache.py), as it is deployed. A third server, the same app with GRAPHQL_CACHE_SECONDS=0,
works every request out in full; its figure and ratio are printed too ("uncached").

    python bench/api_bench.py                    # SQLite (a temporary file)
    python bench/api_bench.py --postgres         # PostgreSQL at 127.0.0.1:5432 as well
    python bench/api_bench.py --duration 20 --connections 32 --load streams

The load generator is wrk when it is installed (apt-get install wrk), otherwise --connections
in-process workers speaking keep-alive HTTP/1.1 over asyncio streams (checking every response). --profile FILE records the GraphQL server
with py-spy during the measured run (a speedscope JSON to open at https://www.speedscope.app).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.harness.scratch_postgres import scratch_postgres_database
from bench.harness.servers import INBOX, free_port
from bench.harness.wrk import require_wrk

ROOT = Path(__file__).resolve().parents[1]
BODY_FILE_VARIABLE = "API_BENCH_BODY_FILE"
GOAL = 0.10
UNCACHED_GOAL = 0.03  # every request worked out in full (GRAPHQL_CACHE_SECONDS=0)
REFERRALS = 20


# --- the baseline: the same bytes, from memory ------------------------------------------------------------


def baseline_app() -> Starlette:
    """`uvicorn api_bench:baseline_app --factory`: reads the body like any POST endpoint, answers from memory."""
    body = Path(os.environ[BODY_FILE_VARIABLE]).read_bytes()

    async def graphql(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status": "ok"}', media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)])


# --- the data -------------------------------------------------------------------------------------------------


async def prepare(database_url: str) -> str:
    """A marketplace with 20 open referrals, Harbour's offer on half of them; returns Harbour's bearer token."""
    from datetime import UTC, datetime, timedelta

    from tortoise import Tortoise, connections
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from bench.harness.marketplace import build_marketplace
    from server.database import generate_schemas, tortoise_config
    from server.events.bus import InProcessBus, set_bus
    from server.services import accounts, offers
    from server.services.offers import OfferDetails

    EXECUTOR_CACHE.clear()  # compiled INSERTs are cached by connection name, not by dialect
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await generate_schemas()
        set_bus(InProcessBus())
        market = await build_marketplace()
        harbour = market.actor("harbour")
        start = datetime.now(UTC).date() + timedelta(days=2)
        for n in range(REFERRALS):
            referral = await market.referral()
            if n % 2 == 0:
                await offers.submit_offer(
                    harbour,
                    OfferDetails(
                        referral_id=referral.id,
                        carer_household_id=market.households["harbour"],
                        start_date=start,
                        matching_statement="Experienced with teenagers; a settled household near the school.",
                    ),
                )
        token, _ = await accounts.issue_token(market.users["harbour"], "api", name="API benchmark")
        return token
    finally:
        await connections.close_all()


# --- the servers ----------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def uvicorn(name: str, app: list[str], env: dict[str, str], folder: Path) -> Iterator[Server]:
    """One worker on loopback at --log-level warning: the same settings for both servers."""
    port = free_port()
    log = folder / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Shutdown can hang when the event hub loses its cancellation: do not wait for ever.
            process.kill()
            process.wait()


def wait_until_ready(server: Server, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} server exited:\n{server.log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    sys.exit(f"{server.name} server did not answer within {timeout:.0f}s:\n{server.log.read_text()}")


def capture(server: Server, token: str) -> bytes:
    """The real response, checked: 20 open referrals with framework and lot, Harbour's offer on 10."""
    import httpx

    response = httpx.post(
        f"{server.url}/graphql", json={"query": INBOX}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        sys.exit(f"the inbox query failed: {body['errors']}")
    nodes = [edge["node"] for edge in body["data"]["referrals"]["edges"]]
    offered = sum(1 for node in nodes if node["myOffer"])
    if len(nodes) != REFERRALS or offered != REFERRALS // 2 or not all(n["framework"] and n["lot"] for n in nodes):
        sys.exit(f"unexpected inbox: {len(nodes)} referrals, {offered} with Harbour's offer")
    return response.content


# --- the load ---------------------------------------------------------------------------------------------------


@dataclass
class Load:
    tool: str
    duration: float
    connections: int
    token: str

    @property
    def payload(self) -> str:
        return json.dumps({"query": INBOX})

    def run(self, server: Server, expected: bytes, duration: float | None = None) -> float:
        duration = duration or self.duration
        if self.tool == "wrk":
            return self._wrk(server, duration)
        return asyncio.run(self._streams(server, expected, duration))

    def _wrk(self, server: Server, duration: float) -> float:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                'wrk.method = "POST"\n'
                f"wrk.body = [==[{self.payload}]==]\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.headers["Authorization"] = "Bearer {self.token}"\n'
            )
        try:
            result = subprocess.run(
                [
                    "wrk",
                    "-t",
                    "1",
                    "-c",
                    str(self.connections),
                    "-d",
                    f"{duration:.0f}s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.name,
                    f"{server.url}/graphql",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            os.unlink(script.name)
        if failed := re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout):
            sys.exit(f"{server.name}: {failed.group(1)} failed responses\n{result.stdout}")
        if errors := re.search(r"Socket errors: .*", result.stdout):
            print(f"  {server.name}: {errors.group(0)}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))

    async def _streams(self, server: Server, expected: bytes, duration: float) -> float:
        """Keep-alive HTTP/1.1 on raw asyncio streams, one request in flight per connection.

        Not httpx: on this kind of machine its client tops out at a few hundred requests/s, so it, not the
        bare server, would set the baseline's pace and flatter the ratio.
        """
        host, port = server.url.removeprefix("http://").split(":")
        payload = self.payload.encode()
        request = (
            f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        done = 0
        stop = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal done
            reader, writer = await asyncio.open_connection(host, int(port))
            try:
                while time.perf_counter() < stop:
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                    body = await reader.readexactly(length)
                    if not head.startswith(b"HTTP/1.1 200") or body != expected:
                        sys.exit(f"{server.name}: unexpected response {head.splitlines()[0].decode()}")
                    done += 1
            finally:
                writer.close()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.connections)))
        return done / (time.perf_counter() - started)


@contextlib.contextmanager
def profiling(server: Server, path: str | None, duration: float) -> Iterator[None]:
    if not path:
        yield
        return
    if shutil.which("py-spy") is None:
        sys.exit("--profile needs py-spy: pip install py-spy")
    recorder = subprocess.Popen(
        [
            "py-spy",
            "record",
            "--pid",
            str(server.process.pid),
            "--format",
            "speedscope",
            "--output",
            path,
            "--duration",
            str(int(duration)),
            "--rate",
            "200",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        recorder.wait(timeout=60)
        print(f"  profile of the GraphQL server: {path}")


# --- the run ----------------------------------------------------------------------------------------------------


def cpu_seconds(server: Server) -> float | None:
    """User and system CPU time the server process has used (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{server.process.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(load: Load, server: Server, expected: bytes) -> tuple[float, float | None]:
    """Requests/s, and the server's CPU milliseconds per request (None without /proc): the second does not
    depend on how much of the machine other processes take meanwhile, the first does."""
    before, started = cpu_seconds(server), time.perf_counter()
    rate = load.run(server, expected)
    after, wall = cpu_seconds(server), time.perf_counter() - started
    if before is None or after is None or not rate:
        return rate, None
    return rate, 1000 * (after - before) / (rate * wall)


def measure(database: str, database_url: str, token: str, load: Load, profile: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = {
            "DATABASE_URL": database_url,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATA_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        with (
            uvicorn("graphql", ["server.asgi:app"], env, folder) as real,
            uvicorn("uncached", ["server.asgi:app"], {**env, "GRAPHQL_CACHE_SECONDS": "0"}, folder) as uncached,
        ):
            expected = capture(real, token)
            if capture(uncached, token) != expected:
                sys.exit("the uncached server answered differently")
            (folder / "body.json").write_bytes(expected)
            with uvicorn(
                "baseline",
                ["api_bench:baseline_app", "--factory", "--app-dir", str(ROOT / "bench")],
                {BODY_FILE_VARIABLE: str(folder / "body.json")},
                folder,
            ) as bare:
                for server in (real, uncached, bare):
                    load.run(server, expected, duration=2)  # warm up: connections, caches, the pools
                with profiling(real, profile, load.duration):
                    graphql = load.run(real, expected)
                computed, computed_cpu = measured(load, uncached, expected)
                baseline, baseline_cpu = measured(load, bare, expected)
    ratio = graphql / baseline
    verdict = "meets" if ratio >= GOAL else "BELOW"
    print(
        f"{database:<10} {graphql:>12,.0f} {computed:>12,.0f} {baseline:>12,.0f} {ratio:>8.3f} "
        f"{computed / baseline:>10.3f}  {verdict} the goal of {GOAL:.2f}"
    )
    if computed_cpu and baseline_cpu:
        print(
            f"{'':<10} server CPU per request: uncached {computed_cpu:.2f} ms, bare {baseline_cpu:.3f} ms "
            f"(ratio by CPU {baseline_cpu / computed_cpu:.4f})"
        )
    verdict = {True: "MET", False: "MISSED"}
    print(f"VERDICT {database} inbox req/s / bare Starlette >= {GOAL:.2f}: {verdict[ratio >= GOAL]}")
    uncached_met = computed / baseline >= UNCACHED_GOAL
    print(f"VERDICT {database} uncached inbox req/s / bare Starlette >= {UNCACHED_GOAL:.2f}: {verdict[uncached_met]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per server (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument(
        "--load",
        choices=("wrk", "streams"),
        default="wrk" if shutil.which("wrk") else "streams",
        help="wrk if installed, else keep-alive HTTP on in-process asyncio streams",
    )
    parser.add_argument("--profile", metavar="FILE", help="record the GraphQL server with py-spy (speedscope JSON)")
    args = parser.parse_args()
    if args.load == "wrk":
        require_wrk("bench/api_bench.py --load wrk")

    print(
        f"Harbour's inbox ({REFERRALS} open referrals with framework, lot and its own offer), "
        f"{args.connections} connections for {args.duration:.0f}s each, load by {args.load}"
    )
    print(f"{'database':<10} {'graphql r/s':>12} {'uncached r/s':>12} {'bare r/s':>12} {'ratio':>8} {'uncached':>10}")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        token = asyncio.run(prepare(url))
        measure("sqlite", url, token, Load(args.load, args.duration, args.connections, token), args.profile)
    if args.postgres:
        with scratch_postgres_database("pe_api_bench") as url:
            token = asyncio.run(prepare(url))
            profile = f"{args.profile}.postgres.json" if args.profile else None
            measure("postgres", url, token, Load(args.load, args.duration, args.connections, token), profile)


if __name__ == "__main__":
    main()
