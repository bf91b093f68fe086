"""Mixed-load benchmark: duty desks polling their inboxes while a council publishes and providers offer.

    python bench/mixed_bench.py                  # SQLite
    python bench/mixed_bench.py --postgres       # and PostgreSQL at 127.0.0.1:5432
    python bench/mixed_bench.py --seconds 30 --providers 50 --runs 3

One server process (`uvicorn server.asgi:app`, as the Procfile runs the web process) on a database holding the
test marketplace plus `--providers` agencies on the core lot's first tier, so every referral reaches all of
them. Then, for `--seconds`:
- the agencies' duty desks ask for their inboxes in a closed loop (the next request as soon as the last answer
  arrives), each request with the next desk's own token, from wrk (apt-get install wrk) with one connection per
  desk: a Python client tops out at a few hundred requests a second and would set the pace itself;
- the council publishes one referral a second (create the draft, then publish: the broadcast);
- a few agencies offer on each new referral shortly after it reaches them.

Reports the inbox's p50/p99 latency and requests a second, the publish's p50/p99 (the publishReferral call)
and how many publishes completed in the window, over `--runs` runs (median and range), and one verdict line
per goal:
- inbox p99 <= 100 ms
- publish p99 <= 150 ms
- every publish completed
Exit 0 when all hold on every database measured, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness.scratch_postgres import scratch_postgres_database
from bench.harness.servers import (
    CREATE_REFERRAL,
    INBOX,
    LOGIN,
    PUBLISH_REFERRAL,
    Prepared,
    ServerProcess,
    prepare_database,
    running,
)
from bench.harness.wrk import require_wrk

GOAL_INBOX_P99 = 0.100
GOAL_PUBLISH_P99 = 0.150
OFFERS_PER_REFERRAL = 3
WRK_SCRIPT = """
tokens = {TOKENS}
counter = 0
failed = 0
local threads = {}
wrk.method = "POST"
wrk.body = [==[BODY]==]
function setup(thread) table.insert(threads, thread) end
function request()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]}
  return wrk.format("POST", nil, headers, wrk.body)
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local bad = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do bad = bad + thread:get("failed") end
  io.write(string.format("MIXED p50=%d p99=%d requests=%d failed=%d\\n",
    latency:percentile(50), latency:percentile(99), summary.requests, bad))
end
"""
SUBMIT_OFFER = (
    """mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { field message } } }"""
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Load:
    def __init__(self, base_url: str, prepared: Prepared, agencies: list[str]) -> None:
        self.base_url = base_url
        self.prepared = prepared
        self.agencies = agencies
        self.tokens: dict[str, str] = {}
        self.inbox_p50 = self.inbox_p99 = float("nan")
        self.inbox_requests = 0
        self.publish: list[float] = []
        self.offers: list[float] = []
        self.failures: list[str] = []
        self.published = 0
        self.asked = 0
        self.server_cpu = float("nan")  # CPU seconds the server process used in the window (all its threads)

    async def call(self, client: httpx.AsyncClient, query: str, variables: dict, token: str | None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{response.status_code}: {str(body)[:300]}")
        return body["data"]

    async def sign_in(self, client: httpx.AsyncClient) -> None:
        for key in [*self.agencies, "kent_officer"]:
            variables = {"input": {"email": self.prepared.emails[key], "password": self.prepared.password}}
            self.tokens[key] = (await self.call(client, LOGIN, variables, None))["login"]["token"]

    async def poll(self, seconds: int) -> None:
        """The duty desks' inboxes from wrk (one connection per desk, each request with the next desk's token):
        a Python client would top out at a few hundred requests a second and set the pace itself."""
        tokens = ", ".join(f'"{self.tokens[key]}"' for key in self.agencies)
        script = WRK_SCRIPT.replace("TOKENS", tokens).replace("BODY", json.dumps({"query": INBOX}))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(script)
        try:
            wrk = await asyncio.create_subprocess_exec(
                "wrk", "-t", "1", "-c", str(len(self.agencies)), "-d", f"{seconds}s", "--timeout", "10s",
                "-s", file.name, f"{self.base_url}/graphql",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            output = (await wrk.communicate())[0].decode()
        finally:
            os.unlink(file.name)
        found = re.search(r"MIXED p50=([\d.]+) p99=([\d.]+) requests=(\d+) failed=(\d+)", output)
        if found is None:
            self.failures.append(f"wrk: {output[-300:]}")
            return
        self.inbox_p50, self.inbox_p99 = float(found.group(1)) / 1e6, float(found.group(2)) / 1e6
        self.inbox_requests = int(found.group(3))
        if int(found.group(4)):
            self.failures.append(f"inbox: {found.group(4)} answers were not a clean 200")

    async def council(self, client: httpx.AsyncClient, seconds: int, offering: list[asyncio.Task]) -> None:
        start = time.monotonic()
        for second in range(seconds):
            await asyncio.sleep(max(0.0, start + second - time.monotonic()))
            self.asked += 1
            offering.append(asyncio.create_task(self.publish_one(client)))

    async def publish_one(self, client: httpx.AsyncClient) -> None:
        token = self.tokens["kent_officer"]
        details = {
            "frameworkId": self.prepared.framework_id,
            "lotId": self.prepared.lot_id,
            "placementKind": "CORE_FOSTERING",
            "duration": "LONG_TERM",
            "urgency": "WITHIN_5_DAYS",
            "needLevel": "STANDARD",
            "requiredBy": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "ageYears": 12,
            "gender": "MALE",
            "homeDistrict": "ME14",
            "maxDistanceMiles": 40,
            "summary": "Settled at school; enjoys cricket and drawing. Needs help with bedtime routines.",
        }
        try:
            created = (await self.call(client, CREATE_REFERRAL, {"input": details}, token))["createReferral"]
            referral_id = created["referral"]["id"]
            started = time.perf_counter()
            published = await self.call(client, PUBLISH_REFERRAL, {"input": {"id": referral_id}}, token)
            self.publish.append(time.perf_counter() - started)
            if published["publishReferral"]["errors"]:
                raise RuntimeError(str(published["publishReferral"]["errors"]))
            self.published += 1
        except (httpx.HTTPError, RuntimeError, KeyError, TypeError) as error:
            self.failures.append(f"publish: {error}")
            return
        await asyncio.gather(
            *(self.offer(client, key, referral_id) for key in random.sample(self.agencies, OFFERS_PER_REFERRAL))
        )

    async def offer(self, client: httpx.AsyncClient, key: str, referral_id: str) -> None:
        await asyncio.sleep(random.uniform(0.1, 0.5))
        variables = {
            "input": {
                "referralId": referral_id,
                "carerHouseholdId": self.prepared.household_ids[key],
                "startDate": (datetime.now(UTC).date() + timedelta(days=1)).isoformat(),
                "matchingStatement": "Experienced carers close to home; a spare room and a school place nearby.",
            }
        }
        started = time.perf_counter()
        try:
            await self.call(client, SUBMIT_OFFER, variables, self.tokens[key])
        except (httpx.HTTPError, RuntimeError) as error:
            self.failures.append(f"offer: {error}")
            return
        self.offers.append(time.perf_counter() - started)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) process `pid` has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_run(
    base_url: str, prepared: Prepared, agencies: list[str], seconds: int, on_ready=None, server_pid: int | None = None
) -> Load:
    load = Load(base_url, prepared, agencies)
    limits = httpx.Limits(max_connections=len(agencies) + 20, max_keepalive_connections=len(agencies) + 20)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        await load.sign_in(client)
        if on_ready is not None:
            on_ready()  # the profiler starts here: sign-in (an Argon2 hash each) is not the load
        offering: list[asyncio.Task] = []
        cpu_before = process_cpu(server_pid) if server_pid else float("nan")
        pollers = asyncio.create_task(load.poll(seconds))
        await load.council(client, seconds, offering)
        await pollers
        await asyncio.gather(*offering)
        if server_pid:
            load.server_cpu = process_cpu(server_pid) - cpu_before
    return load


def measure(name: str, database_url: str, args: argparse.Namespace, folder: Path) -> list[Load]:
    prepared = prepare_database(database_url, extra_providers=args.providers)
    agencies = [f"agency{number:02d}" for number in range(1, args.providers + 1)]
    loads = []
    for run in range(args.runs):
        server = ServerProcess(f"mixed-{name}-{run}", database_url, folder)
        with running(server):
            spies: list[subprocess.Popen] = []
            ready = None
            if args.profile and run == 0:
                ready = partial(_start_profiler, spies, server.pid, args, f"{args.profile}.{name}.txt")
            loads.append(asyncio.run(one_run(server.base_url, prepared, agencies, args.seconds, ready, server.pid)))
            for spy in spies:
                spy.wait(timeout=60)
    return loads


def _start_profiler(spies: list[subprocess.Popen], pid: int, args: argparse.Namespace, path: str) -> None:
    """py-spy sampling the server for the run, as collapsed stacks (one line per stack and its sample count)."""
    if shutil.which("py-spy") is None:
        sys.exit("--profile needs py-spy: pip install py-spy")
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(args.seconds), "--rate", "200"]
    command += ["--format", "raw", "--output", path, "--nonblocking"]
    spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def report(name: str, loads: list[Load], seconds: int) -> bool:
    def spread(values: list[float], unit: float = 1000) -> str:
        return f"{statistics.median(values) * unit:7.1f} ({min(values) * unit:.1f}-{max(values) * unit:.1f})"

    inbox_p50 = [load.inbox_p50 for load in loads]
    inbox_p99 = [load.inbox_p99 for load in loads]
    rate = [load.inbox_requests / seconds for load in loads]
    publish_p50 = [percentile(load.publish, 0.50) for load in loads]
    publish_p99 = [percentile(load.publish, 0.99) for load in loads]
    offer_p99 = [percentile(load.offers, 0.99) for load in loads]
    print(f"{name}: {len(loads)} runs of {seconds} s, median (min-max)")
    print(f"  inbox    p50 ms {spread(inbox_p50)}   p99 ms {spread(inbox_p99)}   req/s {spread(rate, 1)}")
    print(f"  publish  p50 ms {spread(publish_p50)}   p99 ms {spread(publish_p99)}")
    print(f"  offer    p99 ms {spread(offer_p99)}")
    # How much of a core the server got: below 1.0 under a closed loop, the machine's other load took the rest.
    cores = [load.server_cpu / seconds for load in loads]
    per_request = [load.server_cpu / max(1, load.inbox_requests) for load in loads]
    print(
        f"  server   CPU cores {spread(cores, 1)}   CPU µs per inbox request (all its work) {spread(per_request, 1e6)}"
    )
    completed = [f"{load.published}/{load.asked}" for load in loads]
    print(
        f"  publishes completed per run: {', '.join(completed)}; failures: {sum(len(load.failures) for load in loads)}"
    )
    for failure in sorted({f for load in loads for f in load.failures})[:5]:
        print(f"    {failure}")
    verdict = {True: "MET", False: "MISSED"}
    inbox_ok = statistics.median(inbox_p99) <= GOAL_INBOX_P99
    publish_ok = statistics.median(publish_p99) <= GOAL_PUBLISH_P99
    all_ok = all(load.published == load.asked for load in loads) and not any(load.failures for load in loads)
    print(f"VERDICT {name} inbox p99 <= {GOAL_INBOX_P99 * 1000:.0f} ms: {verdict[inbox_ok]}")
    print(f"VERDICT {name} publish p99 <= {GOAL_PUBLISH_P99 * 1000:.0f} ms: {verdict[publish_ok]}")
    print(f"VERDICT {name} every publish completed: {verdict[all_ok]}")
    return inbox_ok and publish_ok and all_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--providers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="measure PostgreSQL at 127.0.0.1:5432 as well")
    parser.add_argument("--profile", help="py-spy the server's first run into PROFILE.<database>.txt (collapsed)")
    args = parser.parse_args()
    require_wrk("bench/mixed_bench.py")  # before any database is built: the desks' load is wrk's
    folder = Path(tempfile.mkdtemp(prefix="mixed-bench-"))
    met = report("sqlite", measure("sqlite", f"sqlite://{folder / 'exchange.sqlite3'}", args, folder), args.seconds)
    if args.postgres:
        with scratch_postgres_database("mixed_bench") as database_url:
            met = report("postgres", measure("postgres", database_url, args, folder), args.seconds) and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
