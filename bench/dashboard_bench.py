"""Dashboard benchmark: the live figures on the demo data at 1x and at 10x its size.

    python bench/dashboard_bench.py                 # SQLite
    python bench/dashboard_bench.py --postgres      # PostgreSQL at 127.0.0.1:5432 as well
    python bench/dashboard_bench.py --scale 100 --runs 50

Loads the demo (server.demo.seed.seed_demo, through the services) into a fresh
database, times council_figures for Kent County Council and provider_figures for
Harbour Fostering, then copies every row the figures read (referrals, offers,
broadcast recipients, placements, vacancies) scale - 1 more times with bulk
inserts and times them again. Each copied referral keeps its offers, recipients
and placement (copies point at copies, so the unique references, the one live
offer per provider per referral and the one placement per referral and offer
all hold) and its whole chain is moved back by the same random 0-48 hours, so
the intervals the figures measure are kept and the 30-day windows hold ~scale
times the rows. As a baseline in the same run it times one trivial indexed
query, Referral.filter(council_id=...).count(), and prints the figures' cost
relative to it and the 10x/1x ratio (well under 10 means the work does not grow
with the data).

Goal (the issue): figures stay fast at 10x - p50 at 10x <= 50 ms for both
figures on every database measured. Exit 0 when it holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bench.harness.scratch_postgres import async_scratch_postgres_database
from server.database import tortoise_config
from server.demo.seed import seed_demo
from server.models import BroadcastRecipient, Council, Offer, Placement, Provider, Referral, Vacancy
from server.services import districts
from server.services.dashboard import WINDOW, council_figures, provider_figures

GOAL_MS = 50.0
RUNS = 30
JITTER_HOURS = 48
COUNCIL_ONS_CODE = "E10000016"  # Kent County Council: the demo's busiest council
PROVIDER_NAME = "Harbour"  # Harbour Fostering
COPIED: tuple[type[Model], ...] = (Referral, Offer, BroadcastRecipient, Placement, Vacancy)  # in foreign-key order


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds, after one warm-up call."""
    await call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[-1]


async def row_counts(council_id: int, provider_id: int) -> dict[str, int]:
    since = datetime.now(UTC) - WINDOW
    counts = {model.__name__: await model.all().count() for model in COPIED}
    counts["council published <=30d"] = await Referral.filter(council_id=council_id, published_at__gte=since).count()
    counts["provider sent <=30d"] = await BroadcastRecipient.filter(provider_id=provider_id, sent_at__gte=since).count()
    return counts


def _shifted(value: Any, shift: timedelta) -> Any:
    if isinstance(value, datetime):
        return value + shift
    if isinstance(value, date):
        return value + timedelta(days=round(shift / timedelta(days=1)))
    return value


def _copy(model: type[Model], row: dict[str, Any], shift: timedelta, **changes: Any) -> Model:
    auto_now = {name for name, f in model._meta.fields_map.items() if getattr(f, "auto_now", False)}
    values = {name: _shifted(value, shift) for name, value in row.items() if name not in auto_now}
    return model(**(values | changes))


async def scale_up(factor: int, seed: int = 2026) -> None:
    """Copy the figures' rows factor - 1 more times: copy k of row id i gets id i + k * max(id)."""
    rng = random.Random(seed)
    rows = {model: await model.all().order_by("id").values(*model._meta.fields_db_projection) for model in COPIED}
    stride = {model: max((row["id"] for row in rows[model]), default=0) for model in COPIED}
    copies: dict[type[Model], list[Model]] = {model: [] for model in COPIED}
    for k in range(1, factor):
        shift = {row["id"]: -timedelta(hours=rng.uniform(0, JITTER_HOURS)) for row in rows[Referral]}

        def referral_id(old: int, k: int = k) -> int:
            return old + k * stride[Referral]

        for row in rows[Referral]:
            copies[Referral].append(
                _copy(Referral, row, shift[row["id"]], id=referral_id(row["id"]), reference=f"{row['reference']}-{k}")
            )
        for row in rows[Offer]:
            copies[Offer].append(
                _copy(
                    Offer,
                    row,
                    shift[row["referral_id"]],
                    id=row["id"] + k * stride[Offer],
                    referral_id=referral_id(row["referral_id"]),
                )
            )
        for row in rows[BroadcastRecipient]:
            copies[BroadcastRecipient].append(
                _copy(
                    BroadcastRecipient,
                    row,
                    shift[row["referral_id"]],
                    id=row["id"] + k * stride[BroadcastRecipient],
                    referral_id=referral_id(row["referral_id"]),
                )
            )
        for row in rows[Placement]:
            copies[Placement].append(
                _copy(
                    Placement,
                    row,
                    shift[row["referral_id"]],
                    id=row["id"] + k * stride[Placement],
                    referral_id=referral_id(row["referral_id"]),
                    offer_id=row["offer_id"] + k * stride[Offer],
                    ipa_reference=f"{row['ipa_reference']}-{k}",
                )
            )
        for row in rows[Vacancy]:
            copies[Vacancy].append(
                _copy(Vacancy, row, -timedelta(hours=rng.uniform(0, JITTER_HOURS)), id=row["id"] + k * stride[Vacancy])
            )
    async with in_transaction() as connection:
        for model in COPIED:
            await model.bulk_create(copies[model], batch_size=1000, using_db=connection)
        if connection.capabilities.dialect == "postgres":  # ids were explicit: move the sequences past them
            for model in COPIED:
                table = model._meta.db_table
                await connection.execute_query(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )


async def measure(database_url: str, factor: int, runs: int) -> dict[str, Any]:
    EXECUTOR_CACHE.clear()  # compiled INSERTs are cached by connection name, not dialect
    districts.forget_directory()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await Tortoise.generate_schemas()
        started = time.perf_counter()
        await seed_demo()
        seeded = time.perf_counter() - started
        council = await Council.get(ons_code=COUNCIL_ONS_CODE)
        provider = await Provider.get(name__icontains=PROVIDER_NAME)
        result: dict[str, Any] = {"council": council.name, "provider": provider.name, "seeded": seeded}

        async def run_all(label: str) -> None:
            result[label] = {
                "rows": await row_counts(council.id, provider.id),
                "council": await timed(lambda: council_figures(council.id), runs),
                "provider": await timed(lambda: provider_figures(provider.id), runs),
                "baseline": await timed(lambda: Referral.filter(council_id=council.id).count(), runs),
                "figures": (await council_figures(council.id), await provider_figures(provider.id)),
            }

        await run_all("1x")
        started = time.perf_counter()
        await scale_up(factor)
        result["scaled"] = time.perf_counter() - started
        await run_all("Nx")
        return result
    finally:
        await connections.close_all()
        EXECUTOR_CACHE.clear()
        districts.forget_directory()


def report(database: str, factor: int, result: dict[str, Any]) -> bool:
    one, many = result["1x"], result["Nx"]
    print(f"\n== {database}: demo seeded in {result['seeded']:.1f}s, copied to {factor}x in {result['scaled']:.2f}s")
    print(f"{'rows':<26} {'1x':>7} {f'{factor}x':>7} {'ratio':>6}")
    for name, count in one["rows"].items():
        scaled = many["rows"][name]
        print(f"{name:<26} {count:>7,} {scaled:>7,} {scaled / count if count else 0:>6.1f}")
    council_1, provider_1 = one["figures"]
    council_n, provider_n = many["figures"]
    print(
        f"check: {result['council']} open referrals {sum(council_1.open_by_urgency.values())} -> "
        f"{sum(council_n.open_by_urgency.values())}, framework+spot placements "
        f"{council_1.framework_placements + council_1.spot_placements} -> "
        f"{council_n.framework_placements + council_n.spot_placements}; {result['provider']} referrals received "
        f"{provider_1.referrals_received} -> {provider_n.referrals_received}"
    )
    print(
        f"{'query':<36} {'1x p50':>8} {'1x p95':>8} {f'{factor}x p50':>8} {f'{factor}x p95':>8} "
        f"{f'{factor}x/1x':>7} {'/count':>7}"
    )
    base = many["baseline"][0]
    rows = [
        (f"council_figures ({result['council']})", "council"),
        (f"provider_figures ({result['provider']})", "provider"),
        ("baseline Referral...count()", "baseline"),
    ]
    for label, key in rows:
        (p50_1, p95_1), (p50_n, p95_n) = one[key], many[key]
        print(
            f"{label:<36} {p50_1:>6.2f}ms {p95_1:>6.2f}ms {p50_n:>6.2f}ms {p95_n:>6.2f}ms "
            f"{p50_n / p50_1:>7.2f} {p50_n / base:>7.1f}"
        )
    ok = max(many["council"][0], many["provider"][0]) <= GOAL_MS
    print(f"goal: p50 at {factor}x <= {GOAL_MS:.0f} ms for both figures: {'met' if ok else 'NOT met'}")
    return ok


async def main(factor: int, runs: int, postgres: bool) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        result = await measure(f"sqlite://{Path(folder) / 'bench.sqlite3'}", factor, runs)
        ok = report("sqlite", factor, result) and ok
    if postgres:
        async with async_scratch_postgres_database("pe_dashboard_bench") as url:
            result = await measure(url, factor, runs)
            ok = report("postgres", factor, result) and ok
    print(f"\n{'PASS' if ok else 'FAIL'}: dashboard figures at {factor}x, {runs} runs each")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--scale", type=int, default=10, help="how many times the demo's rows (default 10)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed calls per figure (default {RUNS})")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.scale, arguments.runs, arguments.postgres)))
