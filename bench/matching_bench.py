"""Matching benchmark: rank 10,000 and 100,000 carer households for one referral.

In the same run it times the raw indexed SQL query that fetches the candidates
(the very statement `candidates_for` sends, executed bare: the floor any ranking
must stand on) and prints p50 of both and their ratio.
Goals (issue 7): p50 under 50 ms at 10,000; ratio <= 2.

Two ways of ranking are measured:
- market: the ranked eligible households of the whole market (what the spot
  escalation runs), with kind, duration and distance narrowed in SQL;
- explained: every age-fitting household, each with why it does or does not
  fit (what a provider's "best matches" shows for its own households).

    python bench/matching_bench.py                 # SQLite
    python bench/matching_bench.py --postgres      # PostgreSQL at 127.0.0.1:5432 as well
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bench.harness.scratch_postgres import async_scratch_postgres_database
from server.database import tortoise_config
from server.domain import vocabulary as v
from server.models import CarerHousehold, Council, Provider, Referral, User
from server.repositories.candidates import candidate_query
from server.services.districts import district_directory
from server.services.matching import best_matches, profile_of

DISTRICTS = ["ME14", "ME15", "ME16", "ME4", "ME7", "CT1", "TN23", "TN1", "DA1", "SO15", "PO1", "BH1", "NG1", "DE1"]
RUNS = 15


async def build(households: int, seed: int = 2026) -> Referral:
    rng = random.Random(seed)
    council = await Council.create(
        name="Bench Council", ons_code="E00000001", region="South East", district="ME14", reference_prefix="BEN"
    )
    author = await User.create(
        email="bench@example.org",
        display_name="Bench",
        password_hash="x",
        role=v.Role.PLACEMENT_OFFICER,
        council=council,
    )
    providers = [
        await Provider.create(
            name=f"Bench Provider {i}",
            provider_type=v.ProviderType.IFA,
            ofsted_urn=f"SC{800000 + i}",
            ofsted_judgement=v.OfstedJudgement.GOOD,
            district=rng.choice(DISTRICTS),
        )
        for i in range(50)
    ]
    kinds = [k.value for k in v.PlacementKind if not k.is_residential]
    rows = []
    for i in range(households):
        low = rng.randint(0, 12)
        rows.append(
            CarerHousehold(
                provider_id=rng.choice(providers).id,
                reference=f"H-{i:06d}",
                district=rng.choice(DISTRICTS),
                min_age=low,
                max_age=min(18, low + rng.randint(2, 10)),
                approved_places=rng.randint(1, 3),
                placement_kinds=rng.sample(kinds, 3),
                durations=[d.value for d in rng.sample(list(v.Duration), 3)],
                languages=rng.sample(["Arabic", "Polish", "Urdu", "Romanian"], rng.randint(0, 1)),
                has_pets=rng.random() < 0.4,
                solo_only=rng.random() < 0.1,
                manageable_risks_to_child=[r.value for r in rng.sample(list(v.RiskToChild), 3)],
                specialisms=[n.value for n in rng.sample(list(v.Need), 4)],
            )
        )
    await CarerHousehold.bulk_create(rows, batch_size=1000)  # PostgreSQL takes at most 32,767 arguments
    return await Referral.create(
        reference="BEN-2026-00001",
        council=council,
        author=author,
        placement_kind=v.PlacementKind.CORE_FOSTERING,
        duration=v.Duration.LONG_TERM,
        urgency=v.Urgency.WITHIN_5_DAYS,
        required_by=datetime.now(UTC) + timedelta(days=3),
        age_years=13,
        gender=v.Gender.MALE,
        home_district="ME14",
        max_distance_miles=40,
        needs=[v.Need.TRAUMA.value, v.Need.GOING_MISSING.value],
        risks_to_child=[v.RiskToChild.GOING_MISSING.value],
    )


async def timed(call, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


async def measure(database_url: str, households: int) -> list[tuple[str, float, float, int]]:
    EXECUTOR_CACHE.clear()  # compiled INSERTs are cached by connection name, not dialect
    await Tortoise.init(config=tortoise_config(database_url))
    await Tortoise.generate_schemas()
    referral = await build(households)
    connection = connections.get("default")
    directory = await district_directory()
    rows = []
    for mode, eligible_only in (("market", True), ("explained", False)):
        query = candidate_query(
            profile_of(referral),
            dialect=connection.capabilities.dialect,
            directory=directory,
            eligible_only=eligible_only,
        )
        results = await best_matches(referral, eligible_only=eligible_only)  # warm: directory, statement caches
        raw = await timed(lambda q=query: connection.execute_query(q.sql, list(q.params)))
        ranked = await timed(lambda e=eligible_only: best_matches(referral, eligible_only=e))
        rows.append((mode, raw, ranked, len(results)))
    await connections.close_all()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres", action="store_true", help="also run on PostgreSQL (POSTGRES_TEST_URL, default 127.0.0.1:5432)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(
        f"{'database':<10} {'households':>10} {'ranking':<10} {'results':>8} {'raw SQL p50':>12} "
        f"{'ranked p50':>11} {'ratio':>6}"
    )

    def report(database: str, size: int, rows: list[tuple[str, float, float, int]]) -> None:
        for mode, raw, ranked, n in rows:
            print(f"{database:<10} {size:>10,} {mode:<10} {n:>8,} {raw:>10.1f}ms {ranked:>9.1f}ms {ranked / raw:>6.2f}")

    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            report("sqlite", size, await measure(f"sqlite://{Path(folder) / 'bench.sqlite3'}", size))
        if args.postgres:
            async with async_scratch_postgres_database("pe_matching_bench") as url:
                report("postgres", size, await measure(url, size))


if __name__ == "__main__":
    asyncio.run(main())
