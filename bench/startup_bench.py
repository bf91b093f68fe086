"""Start-up benchmark: how long a fresh process takes to answer, and what it holds in memory once idle.

    python bench/startup_bench.py               # 7 rounds
    python bench/startup_bench.py --rounds 15

Each round starts, in turn (interleaved, so a busy machine slows both sides alike):
- the baseline: a bare Starlette app under the same uvicorn, answering /healthz from memory (bench/startup_apps.py,
  which imports nothing of the benchmark's own);
- the stack's floor: the same app with tortoise-orm, strawberry and graphql-core imported (a one-field schema
  built) and none of the exchange's code, for what the libraries alone cost;
- the exchange as the embedded default runs it (`uvicorn server.asgi:app`: SQLite, the outbox worker, the clocks
  and the dev mailbox in the same process, as `make demo` does).

For each it times, from the moment the process is spawned: the first 200 from /healthz, and for the exchange also
the first answer to a GraphQL query (`{ me { id } }`, signed out), so a schema built late still counts, and the
server process's own CPU seconds at each (less swayed by a busy machine than wall time). Then it
waits for the process to settle and reads its resident memory (VmRSS). Prints the median and range of each figure
over the rounds and one verdict line per goal:

- cold start to first 200 <= 0.5 s
- idle resident memory <= 50 MB

Exit 0 when both hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness.servers import ROOT, free_port, prepare_database

GOAL_START_SECONDS = 0.5
GOAL_RSS_MB = 50.0
SETTLE_SECONDS = 1.5
ANSWER_TIMEOUT = 120.0  # a loaded machine can take tens of seconds to import anything


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/<pid>/status")


def _cpu_seconds(pid: int) -> float:
    """The process's own CPU time so far (user + system, /proc/PID/stat): less swayed by a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _until(client: httpx.Client, request: httpx.Request, started: float, process: subprocess.Popen) -> float:
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            if client.send(request).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        if time.perf_counter() - started > ANSWER_TIMEOUT:
            raise RuntimeError(f"no answer within {ANSWER_TIMEOUT:.0f} s")
        time.sleep(0.005)


def start_once(app: list[str], env: dict[str, str], graphql: bool) -> dict[str, float]:
    port = free_port()
    env = {**env, "BASE_URL": f"http://127.0.0.1:{port}", "DEV_MAILBOX_PORT": str(free_port())}
    command = [sys.executable, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    with httpx.Client(timeout=2) as client:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            figures = {
                "first 200": _until(
                    client, client.build_request("GET", f"http://127.0.0.1:{port}/healthz"), started, process
                )
            }
            figures["CPU to first 200"] = _cpu_seconds(process.pid)
            if graphql:
                query = client.build_request(
                    "POST", f"http://127.0.0.1:{port}/graphql", json={"query": "{ me { id } }"}
                )
                figures["first GraphQL answer"] = _until(client, query, started, process)
                figures["CPU to GraphQL answer"] = _cpu_seconds(process.pid)
            time.sleep(SETTLE_SECONDS)
            figures["idle RSS MB"] = _rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    database_url = f"sqlite://{folder / 'exchange.sqlite3'}"
    prepare_database(database_url)
    base_env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SMTP_URL")}
    exchange_env = {**base_env, "DATABASE_URL": database_url, "APP_ENV": "development", "WORKER_IN_PROCESS": "true"}
    sides = {
        "bare Starlette": (["bench.startup_apps:bare_app", "--factory"], base_env, False),
        "stack floor": (["bench.startup_apps:stack_app", "--factory"], base_env, False),
        "exchange": (["server.asgi:app"], exchange_env, True),
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    start_once(*sides["exchange"])  # warm the bytecode caches once, unmeasured, as any deployed process has them
    for _ in range(args.rounds):
        for name, side in sides.items():
            results[name].append(start_once(*side))

    print(f"start-up over {args.rounds} interleaved rounds: median (min-max)")
    for name, rounds in results.items():
        for figure in rounds[0]:
            values = [r[figure] for r in rounds]
            unit = "" if figure.endswith("MB") else " s"
            print(
                f"  {name:<15} {figure:<22} {statistics.median(values):7.3f}{unit} ({min(values):.3f}-{max(values):.3f})"
            )
    first = [r["first 200"] for r in results["exchange"]]
    bare = [r["first 200"] for r in results["bare Starlette"]]
    ratios = [mine / theirs for mine, theirs in zip(first, bare, strict=True)]
    print(
        f"  first 200, exchange / bare, per round: median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
    )
    start = statistics.median(first)
    rss = statistics.median(r["idle RSS MB"] for r in results["exchange"])
    start_ok, rss_ok = start <= GOAL_START_SECONDS, rss <= GOAL_RSS_MB
    verdict = {True: "MET", False: "MISSED"}
    print(f"VERDICT cold start to first 200 <= {GOAL_START_SECONDS} s: {verdict[start_ok]} ({start:.3f} s median)")
    print(f"VERDICT idle resident memory <= {GOAL_RSS_MB:.0f} MB: {verdict[rss_ok]} ({rss:.1f} MB median)")
    return 0 if start_ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
