"""Contract-export benchmark: the XLSX of a year's placements on a 14-council consortium with 3 years of history.

    python bench/contract_export_bench.py                  # SQLite
    python bench/contract_export_bench.py --postgres       # PostgreSQL at 127.0.0.1:5432 as well
    python bench/contract_export_bench.py --per-year 12000 --runs 5

Builds the test marketplace (bench.harness.marketplace, through the services), adds twelve more member councils
(14 in all), then bulk-inserts three financial years of history: `--per-year` placements a year (default
10,000; 30,000 in all), each with its referral and accepted offer, spread over the councils and the three
framework providers, a quarter of them ended (planned or not, with or without 28 days' notice), some spot.
It times `placements_year_xlsx` (the portal's and the CLI's export, the policy check and the query included)
for the lead commissioner over the middle year, and as a baseline in the same run one indexed count of that
year's placements. It checks the workbook holds every placement of the year.

Goal (the issue): the XLSX of a year's placements in <= 2 s (p50, and every run). Exit 0 when it holds.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.transactions import in_transaction

from bench.harness.marketplace import Marketplace, build_marketplace
from bench.harness.scratch_postgres import async_scratch_postgres_database
from server.database import generate_schemas, tortoise_config
from server.domain.vocabulary import (
    Duration,
    FeeBasis,
    Gender,
    OfferStatus,
    PlacementKind,
    PlacementStatus,
    PlacementType,
    ReasonPlacementChanged,
    ReferralStatus,
    Urgency,
)
from server.models import Council, Offer, Placement, Referral
from server.services import districts
from server.services.contract_exports import financial_year, placements_year_xlsx
from server.services.offers import copied_from as offer_copies
from server.services.placements import copied_from

GOAL_SECONDS = 2.0
YEARS = (2023, 2024, 2025)
MEASURED_YEAR = 2024
EXTRA_COUNCILS = 12


async def add_councils(market: Marketplace) -> list[Council]:
    councils = [market.kent, market.medway]
    for n in range(EXTRA_COUNCILS):
        council = await Council.create(
            name=f"Consortium member {n + 1} (bench)",
            ons_code=f"E0699{n:04d}",
            region="South East",
            district=f"TN{n + 1}",
            reference_prefix=f"B{n:02d}",
            districts=[f"TN{n + 1}"],
        )
        await market.framework.member_councils.add(council)
        councils.append(council)
    return councils


async def add_history(market: Marketplace, councils: list[Council], per_year: int, seed: int = 2026) -> int:
    """`per_year` placements in each financial year of YEARS, with their referrals and offers, bulk inserted."""
    rng = random.Random(seed)
    providers = [market.providers[key] for key in ("harbour", "oakleaf", "northdowns")]
    author = market.users["kent_officer"]
    referrals, offers, placements = [], [], []
    n = 0
    for year in YEARS:
        starts_on, _ = financial_year(year)
        for _ in range(per_year):
            n += 1
            council = councils[n % len(councils)]
            provider = providers[n % len(providers)]
            start = starts_on + timedelta(days=rng.randrange(365))
            at = datetime(start.year, start.month, start.day, 9, tzinfo=UTC) - timedelta(days=rng.randrange(1, 10))
            spot = rng.random() < 0.15
            fee = rng.randrange(70_000, 120_000)
            referrals.append(
                Referral(
                    id=n,
                    reference=f"BEN-{year}-{n:06d}",
                    council_id=council.id,
                    author_id=author.id,
                    framework_id=None if spot else market.framework.id,
                    lot_id=None if spot else market.core_lot.id,
                    placement_kind=PlacementKind.CORE_FOSTERING,
                    duration=Duration.LONG_TERM,
                    urgency=Urgency.WITHIN_5_DAYS,
                    required_by=at + timedelta(days=5),
                    status=ReferralStatus.PLACED,
                    age_years=rng.randrange(5, 17),
                    gender=Gender.FEMALE if n % 2 else Gender.MALE,
                    home_district=council.district,
                    published_at=at,
                    closed_at=at + timedelta(days=2),
                )
            )
            offers.append(
                Offer(
                    id=n,
                    referral_id=n,
                    provider_id=provider.id,
                    weekly_fee_pence=fee,
                    fee_basis=FeeBasis.SPOT if spot else FeeBasis.FRAMEWORK,
                    start_date=start,
                    status=OfferStatus.ACCEPTED,
                    live=None,
                    decided_at=at + timedelta(days=2),
                    **offer_copies(referrals[-1]),
                )
            )
            ended = rng.random() < 0.25
            end = start + timedelta(days=rng.randrange(30, 300)) if ended else None
            miles = round(rng.uniform(1, 60), 1)
            placements.append(
                Placement(
                    id=n,
                    referral_id=n,
                    **copied_from(referrals[-1]),
                    offer_id=n,
                    council_id=council.id,
                    provider_id=provider.id,
                    placement_type=PlacementType.U6,
                    start_date=start,
                    weekly_fee_pence=fee,
                    fee_basis=FeeBasis.SPOT if spot else FeeBasis.FRAMEWORK,
                    ipa_reference=f"BEN-IPA-{n:06d}",
                    distance_miles=miles,
                    inside_council_area=miles < 15,
                    status=PlacementStatus.ENDED if ended else PlacementStatus.ACTIVE,
                    end_date=end,
                    end_reason=ReasonPlacementChanged.CREQB if ended else None,
                    planned_ending=(rng.random() < 0.6) if ended else None,
                    notice_given_on=(end - timedelta(days=rng.choice((7, 28, 35)))) if ended else None,
                )
            )
    async with in_transaction() as connection:
        for model, rows in ((Referral, referrals), (Offer, offers), (Placement, placements)):
            await model.bulk_create(rows, batch_size=2000, using_db=connection)
    return n


async def measure(database_url: str, per_year: int, runs: int) -> dict[str, Any]:
    EXECUTOR_CACHE.clear()
    districts.forget_directory()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await generate_schemas()
        market = await build_marketplace()
        councils = await add_councils(market)
        started = time.perf_counter()
        total = await add_history(market, councils, per_year)
        built = time.perf_counter() - started
        commissioner = market.actor("kent_commissioner")
        starts_on, ends_on = financial_year(MEASURED_YEAR)
        in_year = await Placement.filter(start_date__gte=starts_on, start_date__lte=ends_on).count()

        async def export() -> bytes:
            return (await placements_year_xlsx(commissioner, market.framework.id, MEASURED_YEAR)).content

        content = await export()  # warm-up, and the check that nothing is missing
        rows = sum(1 for _ in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(min_row=2))
        samples, baseline = [], []
        for _ in range(runs):
            started = time.perf_counter()
            await export()
            samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            await Placement.filter(start_date__gte=starts_on, start_date__lte=ends_on).count()
            baseline.append(time.perf_counter() - started)
        return {
            "total": total,
            "built": built,
            "in_year": in_year,
            "rows": rows,
            "bytes": len(content),
            "p50": statistics.median(samples),
            "max": max(samples),
            "baseline": statistics.median(baseline),
        }
    finally:
        await connections.close_all()
        EXECUTOR_CACHE.clear()
        districts.forget_directory()


def report(database: str, result: dict[str, Any]) -> bool:
    complete = result["rows"] == result["in_year"]
    holds = complete and result["p50"] <= GOAL_SECONDS and result["max"] <= GOAL_SECONDS
    print(
        f"\n== {database}: {result['total']:,} placements over {len(YEARS)} years on 14 councils "
        f"(built in {result['built']:.1f}s)"
    )
    print(
        f"XLSX of {MEASURED_YEAR}-{(MEASURED_YEAR + 1) % 100:02d}: {result['rows']:,} rows "
        f"({result['in_year']:,} placements started that year), {result['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"p50 {result['p50']:.2f}s, slowest {result['max']:.2f}s; baseline (one indexed count) "
        f"{result['baseline'] * 1000:.1f} ms, ratio {result['p50'] / max(result['baseline'], 1e-9):,.0f}x"
    )
    return holds


async def run(args: argparse.Namespace) -> bool:
    verdicts = {}
    with tempfile.TemporaryDirectory() as folder:
        result = await measure(f"sqlite://{Path(folder) / 'bench.sqlite3'}", args.per_year, args.runs)
        verdicts["SQLite"] = report("SQLite", result)
    if args.postgres:
        async with async_scratch_postgres_database("contract_export_bench") as url:
            verdicts["PostgreSQL"] = report("PostgreSQL", await measure(url, args.per_year, args.runs))
    holds = all(verdicts.values())
    where = ", ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in verdicts.items())
    print(
        f"\nVERDICT: {'PASS' if holds else 'FAIL'}: the XLSX of a year's placements "
        f"{'is' if holds else 'is not'} within {GOAL_SECONDS:.0f} s ({where})"
    )
    return holds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-year", type=int, default=10_000, help="placements started in each financial year")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also measure PostgreSQL at 127.0.0.1:5432")
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(run(args)) else 1)


if __name__ == "__main__":
    main()
