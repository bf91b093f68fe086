"""Matching benchmark: rank 10,000 (and, on request, 100,000) carer households for one referral.

In the same run it times the raw indexed SQL query that fetches the candidates
(the very statement `candidates_for` sends, executed bare: the floor any ranking
must stand on). The two are timed in interleaved rounds (raw, ranked, raw, ranked...,
--runs calls each per round) and the median and range over the rounds of each
side's p50 and of their ratio are printed, with one verdict line per goal.
Goals (issues 7 and 21): at 10,000 households, p50 under 50 ms, and ranked / raw <= 2
for both rankings.

Two ways of ranking are measured:
- market: the ranked eligible households of the whole market (what the spot
  escalation runs), with kind, duration and distance narrowed in SQL;
- explained: every age-fitting household, each with why it does or does not
  fit (what a provider's "best matches" shows for its own households).

The households carry history, as a live exchange's do (the candidate statement
counts each one's active placements and finds its first open vacancy): each has
0-3 ended placements, three in ten one active, and half a vacancy (open or
closed), each placement with its own placed referral, broadcast (answered) and
accepted offer; all bulk-inserted (server.repositories.statements.insert_rows).

    python bench/matching_bench.py                 # SQLite
    python bench/matching_bench.py --postgres      # PostgreSQL at 127.0.0.1:5432 as well
    python bench/matching_bench.py --sizes 10000 100000 --rounds 5 --runs 10
    python bench/matching_bench.py --web-collector   # with the web process's garbage collector settings

By default the process keeps CPython's collector thresholds, as the tests do. The web process, which serves
"best matches", collects far less often and freezes what start-up made (server.collector); --web-collector
measures both sides under those settings instead (set after the data is built and the calls warmed up).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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
from server import collector
from server.database import generate_schemas, tortoise_config
from server.domain import vocabulary as v
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    Council,
    Offer,
    Placement,
    Provider,
    Referral,
    User,
    Vacancy,
)
from server.repositories.candidates import candidate_query
from server.repositories.statements import insert_rows
from server.services.districts import district_directory
from server.services.matching import best_matches, profile_of

GOAL_RATIO = 2.0
GOAL_MS = 50.0
GOAL_SIZE = 10_000
ROUNDS = 5
DISTRICTS = ["ME14", "ME15", "ME16", "ME4", "ME7", "CT1", "TN23", "TN1", "DA1", "SO15", "PO1", "BH1", "NG1", "DE1"]
RUNS = 10


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
    await add_history(rng, council.id, author.id)
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


async def add_history(rng: random.Random, council_id: int, author_id: int) -> None:
    """Ended and active placements (each with its referral, broadcast and accepted offer) and vacancies."""
    households = await CarerHousehold.all().order_by("id").values_list("id", "provider_id")
    now = datetime.now(UTC)
    placements: list[tuple[int, int, bool, datetime]] = []  # household, provider, active, when
    vacancies = []
    for household, provider in households:
        for _ in range(rng.randint(0, 3)):
            placements.append((household, provider, False, now - timedelta(days=rng.uniform(60, 1500))))
        if rng.random() < 0.3:
            placements.append((household, provider, True, now - timedelta(days=rng.uniform(1, 300))))
        if rng.random() < 0.5:
            is_open = rng.random() < 0.4
            vacancies.append(
                {
                    "provider_id": provider,
                    "carer_household_id": household,
                    "places": 1,
                    "available_from": (now + timedelta(days=rng.randint(-30, 60))).date(),
                    "status": v.VacancyStatus.OPEN if is_open else v.VacancyStatus.CLOSED,
                }
            )
    await insert_rows(
        Referral,
        [
            {
                "reference": f"HIS-{n:07d}",
                "council_id": council_id,
                "author_id": author_id,
                "placement_kind": v.PlacementKind.CORE_FOSTERING,
                "duration": v.Duration.LONG_TERM,
                "urgency": v.Urgency.WITHIN_5_DAYS,
                "required_by": when,
                "age_years": 12,
                "gender": v.Gender.FEMALE,
                "home_district": "ME14",
                "status": v.ReferralStatus.PLACED,
                "published_at": when - timedelta(days=2),
            }
            for n, (_, _, _, when) in enumerate(placements)
        ],
    )
    referral_ids = await Referral.filter(reference__startswith="HIS-").order_by("id").values_list("id", flat=True)
    await insert_rows(
        BroadcastRecipient,
        [
            {"referral_id": r, "provider_id": p, "tier": 1, "sent_at": when - timedelta(days=2), "responded_at": when}
            for r, (_, p, _, when) in zip(referral_ids, placements, strict=True)
        ],
    )
    await insert_rows(
        Offer,
        [
            {
                "referral_id": r,
                "provider_id": p,
                "carer_household_id": h,
                "weekly_fee_pence": 85_000,
                "fee_basis": v.FeeBasis.FRAMEWORK,
                "start_date": when.date(),
                "status": v.OfferStatus.ACCEPTED,
                "live": None,
                "submitted_at": when - timedelta(days=1),
            }
            for r, (h, p, _, when) in zip(referral_ids, placements, strict=True)
        ],
    )
    offer_ids = dict(await Offer.filter(status=v.OfferStatus.ACCEPTED).values_list("referral_id", "id"))
    await insert_rows(
        Placement,
        [
            {
                "referral_id": r,
                "offer_id": offer_ids[r],
                "council_id": council_id,
                "provider_id": p,
                "carer_household_id": h,
                "placement_type": v.PlacementType.U1,
                "start_date": when.date(),
                "weekly_fee_pence": 85_000,
                "fee_basis": v.FeeBasis.FRAMEWORK,
                "ipa_reference": f"IPA-H-{n:07d}",
                "status": v.PlacementStatus.ACTIVE if active else v.PlacementStatus.ENDED,
                "end_date": None if active else (when + timedelta(days=120)).date(),
            }
            for n, (r, (h, p, active, when)) in enumerate(zip(referral_ids, placements, strict=True))
        ],
    )
    await insert_rows(Vacancy, vacancies)


async def timed(call, runs: int = RUNS) -> tuple[float, float]:
    """The call's p50 over `runs` calls and its CPU time per call (time.process_time: this process's threads,
    SQLite's included; not PostgreSQL's server), both in ms."""
    samples = []
    cpu = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, (time.process_time() - cpu) / runs * 1000


async def measure(
    database_url: str, households: int, rounds: int, runs: int, web_collector: bool = False
) -> dict[str, dict]:
    """For each ranking: its result count, and per round the raw statement's and the ranking's p50 (ms)."""
    thresholds = gc.get_threshold()
    EXECUTOR_CACHE.clear()  # compiled INSERTs are cached by connection name, not dialect
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await generate_schemas()
        started = time.perf_counter()
        referral = await build(households)
        built = time.perf_counter() - started
        connection = connections.get("default")
        directory = await district_directory()
        sides = {}
        for mode, eligible_only in (("market", True), ("explained", False)):
            query = candidate_query(
                profile_of(referral),
                dialect=connection.capabilities.dialect,
                directory=directory,
                eligible_only=eligible_only,
            )
            results = await best_matches(referral, eligible_only=eligible_only)  # warm: directory, statement caches
            raw = await connection.execute_query(query.sql, list(query.params))
            sides[mode] = {
                "results": len(results),
                "rows": len(raw[1]),
                "raw": [],
                "ranked": [],
                "raw_cpu": [],
                "ranked_cpu": [],
                "calls": (
                    lambda q=query: connection.execute_query(q.sql, list(q.params)),
                    lambda e=eligible_only: best_matches(referral, eligible_only=e),
                ),
            }
        if web_collector:
            collector.tune()
            collector.freeze_start_up()
        for _ in range(rounds):
            for side in sides.values():
                raw_call, ranked_call = side["calls"]
                for name, call in (("raw", raw_call), ("ranked", ranked_call)):
                    p50, cpu = await timed(call, runs)
                    side[name].append(p50)
                    side[f"{name}_cpu"].append(cpu)
        counts = {
            "placements": await Placement.all().count(),
            "active": await Placement.filter(status=v.PlacementStatus.ACTIVE).count(),
            "vacancies": await Vacancy.all().count(),
        }
        return {"built": built, "counts": counts, "sides": sides}
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        await connections.close_all()


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.2f} ({ordered[0]:.2f}-{ordered[-1]:.2f})"


def report(database: str, size: int, result: dict) -> bool:
    counts = result["counts"]
    print(
        f"\n== {database}, {size:,} households, built in {result['built']:.1f}s with {counts['placements']:,} "
        f"placements ({counts['active']:,} active) and {counts['vacancies']:,} vacancies"
    )
    print(f"{'ranking':<10} {'rows':>7} {'results':>8} {'raw p50 ms':>22} {'ranked p50 ms':>22} {'ratio':>20}")
    ok = True
    for mode, side in result["sides"].items():
        ratios = [r / q for r, q in zip(side["ranked"], side["raw"], strict=True)]
        print(
            f"{mode:<10} {side['rows']:>7,} {side['results']:>8,} {spread(side['raw']):>22} "
            f"{spread(side['ranked']):>22} {spread(ratios):>20}"
        )
        raw_cpu, ranked_cpu = statistics.median(side["raw_cpu"]), statistics.median(side["ranked_cpu"])
        print(
            f"{'':<10} CPU per call (median of rounds): raw {raw_cpu:.1f} ms, ranked {ranked_cpu:.1f} ms, "
            f"ratio {ranked_cpu / raw_cpu:.2f}"
        )
        if size != GOAL_SIZE:
            continue
        ratio, p50 = statistics.median(ratios), statistics.median(side["ranked"])
        met = ratio <= GOAL_RATIO
        ok &= met
        print(
            f"goal {database} {mode} ranked / raw at {size:,} <= {GOAL_RATIO}: {ratio:.2f} {'met' if met else 'MISSED'}"
        )
        met = p50 <= GOAL_MS
        ok &= met
        print(f"goal {database} {mode} p50 at {size:,} <= {GOAL_MS:.0f} ms: {p50:.1f} ms {'met' if met else 'MISSED'}")
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres", action="store_true", help="also run on PostgreSQL (POSTGRES_TEST_URL, default 127.0.0.1:5432)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[GOAL_SIZE])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"calls per side per round (default {RUNS})")
    parser.add_argument(
        "--web-collector", action="store_true", help="the web process's collector settings (server.collector)"
    )
    args = parser.parse_args()
    ok = True
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
            result = await measure(url, size, args.rounds, args.runs, args.web_collector)
            ok = report("sqlite", size, result) and ok
        if args.postgres:
            async with async_scratch_postgres_database("pe_matching_bench") as url:
                result = await measure(url, size, args.rounds, args.runs, args.web_collector)
                ok = report("postgres", size, result) and ok
    gc_settings = "the web process's collector" if args.web_collector else "CPython's default collector"
    print(
        f"\n{'PASS' if ok else 'FAIL'}: matching, {args.rounds} interleaved rounds of {args.runs} calls, {gc_settings}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
