"""Contract-management benchmark: a 14-council consortium with three years of history.

    python bench/contract_bench.py                 # SQLite
    python bench/contract_bench.py --postgres      # PostgreSQL at 127.0.0.1:5432 as well
    python bench/contract_bench.py --placements 30000 --referrals 100000 --runs 40
    python bench/contract_bench.py --sqlite-file /tmp/contract_bench.sqlite3   # build once, reuse after

Builds a fresh database: 14 member councils on one framework (the first leads), 40 providers on its lot with a
carer household each, and, over the twelve quarters before today's, --referrals referrals (published, sent to
three providers each, with offers and declines), --placements of them placed (with their accepted offer; ended
planned or unplanned, some with notice), allegations and feedback. The rows are written with plain multi-row
INSERTs (server.repositories.statements.insert_rows), not through the services: the point is the size.

Then it times, through the services the GraphQL queries call, the framework's quarter
(contract_figures.framework_quarter: every figure, every council and provider, the eight-quarter trend) and a
provider's scorecard (contract_figures.provider_scorecard), for random quarters of the three years: --rounds
rounds of --runs calls of each, the two taking turns call by call. It prints the median and range over the
rounds of each round's p50 and p99, the CPU time per call, and one verdict line per goal, on the medians:
p50 <= 100 ms and p99 <= 300 ms. Exit 0 when every goal holds. The goals are absolute (the issue's), not ratios:
no bare statement computes the same figures.
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
from server.auth.actor import Actor
from server.database import generate_schemas, tortoise_config
from server.domain.quarters import Quarter
from server.domain.vocabulary import (
    AllegationCategory,
    AllegationOutcome,
    AllegationReporter,
    DeclineReason,
    Duration,
    FeedbackGiver,
    Gender,
    NeedLevel,
    OfferStatus,
    OfstedJudgement,
    PlacementKind,
    PlacementSide,
    PlacementStatus,
    PlacementType,
    ProviderType,
    ReasonPlacementChanged,
    ReferralStatus,
    Role,
    Urgency,
)
from server.models import (
    Allegation,
    BroadcastRecipient,
    CarerHousehold,
    Council,
    Framework,
    Lot,
    LotMembership,
    Offer,
    Placement,
    PlacementFeedback,
    Provider,
    Referral,
    User,
)
from server.repositories.statements import insert_rows
from server.repositories.track_records import bulk_load
from server.services import contract_figures, districts
from server.services.offers import copied_from as offer_copies
from server.services.placements import copied_from

COUNCILS = 14
PROVIDERS = 40
QUARTERS = 12
GOAL_P50_MS = 100.0
GOAL_P99_MS = 300.0
NEEDS = ["self_harm", "going_missing", "criminal_exploitation", "trauma", "autism", "neglect"]
KINDS = [
    PlacementKind.CORE_FOSTERING,
    PlacementKind.ENHANCED_FOSTERING,
    PlacementKind.SOLO,
    PlacementKind.SIBLING_GROUP,
]
CHUNK = 5_000


async def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        await insert_rows(model, rows[start : start + CHUNK])


async def build(placements: int, referrals: int, seed: int = 17) -> tuple[Framework, Actor, Provider, list[Quarter]]:
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    quarters = Quarter.of(today).previous().last(QUARTERS)
    first_day = quarters[0].starts_on
    span_days = (quarters[-1].ends_on - first_day).days
    councils = []
    for i in range(COUNCILS):
        councils.append(
            await Council.create(
                name=f"Bench Council {i:02d}",
                ons_code=f"E1{i:07d}",
                region="South Central",
                district=f"SO{i + 1}",
                reference_prefix=f"B{i:02d}",
                districts=[f"SO{i + 1}", f"SO{i + 31}"],
            )
        )
    framework = await Framework.create(
        reference="BENCH-IFA",
        name="Bench consortium IFA framework",
        lead_council=councils[0],
        starts_on=first_day,
        ends_on=first_day + timedelta(days=365 * 4),
    )
    await framework.member_councils.add(*councils)
    lot = await Lot.create(
        framework=framework, code="LOT1", name="Core fostering", placement_kinds=[k.value for k in KINDS]
    )
    providers = []
    for i in range(PROVIDERS):
        provider = await Provider.create(
            name=f"Bench Provider {i:02d}",
            provider_type=ProviderType.IFA,
            ofsted_urn=f"SC{800000 + i}",
            ofsted_judgement=OfstedJudgement.GOOD,
            district=f"SO{i % 30 + 1}",
        )
        await LotMembership.create(lot=lot, provider=provider, tier=1 + i % 3, joined_on=first_day)
        providers.append(provider)
    households = [
        await CarerHousehold.create(
            provider=p, reference=f"H{p.id}", district=p.district, min_age=0, max_age=18, approved_places=6
        )
        for p in providers
    ]
    lead = await User.create(
        email="lead@bench.test",
        display_name="Bench lead commissioner",
        password_hash="x",
        role=Role.COMMISSIONER,
        council=councils[0],
    )
    authors = [
        await User.create(
            email=f"officer{c.id}@bench.test",
            display_name="Bench officer",
            password_hash="x",
            role=Role.PLACEMENT_OFFICER,
            council=c,
        )
        for c in councils
    ]

    referral_rows, recipient_rows, offer_rows, placement_rows = [], [], [], []
    placed = set(rng.sample(range(referrals), placements))
    for n in range(referrals):
        c = n % COUNCILS
        published = datetime.combine(first_day + timedelta(days=rng.randrange(span_days)), datetime.min.time(), UTC)
        published += timedelta(hours=rng.randrange(8, 18))
        is_placed = n in placed
        escalated = rng.random() < 0.08
        status = (
            ReferralStatus.PLACED
            if is_placed
            else rng.choice([ReferralStatus.UNFILLED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN])
        )
        referral_rows.append(
            {
                "reference": f"B{c:02d}-{n:07d}",
                "council_id": councils[c].id,
                "author_id": authors[c].id,
                "framework_id": None if escalated and rng.random() < 0.5 else framework.id,
                "lot_id": lot.id,
                "placement_kind": rng.choice(KINDS),
                "duration": Duration.LONG_TERM,
                "urgency": Urgency.WITHIN_5_DAYS,
                "need_level": NeedLevel.STANDARD,
                "required_by": published + timedelta(days=5),
                "status": status,
                "age_years": rng.randrange(0, 18),
                "gender": rng.choice([Gender.FEMALE, Gender.MALE]),
                "home_district": f"SO{c + 1}",
                "needs": rng.sample(NEEDS, rng.randrange(0, 3)),
                "escalated_to_spot": escalated,
                "published_at": published,
                "created_at": published - timedelta(hours=2),
                "closed_at": published + timedelta(days=3),
            }
        )
        chosen = rng.sample(range(PROVIDERS), 3)
        winner = chosen[0] if is_placed else None
        for p in chosen:
            answered = rng.random() < 0.8 or p == winner
            hours = rng.uniform(0.5, 40)
            offered = p == winner or (answered and rng.random() < 0.3)
            recipient_rows.append(
                {
                    "referral_id": n,
                    "council_id": councils[c].id,
                    "provider_id": providers[p].id,
                    "tier": 1,
                    "sent_at": published,
                    "responded_at": published + timedelta(hours=hours) if answered else None,
                    "decline_reason": rng.choice(list(DeclineReason)) if answered and not offered else None,
                }
            )
            if offered:
                offer_rows.append(
                    {
                        "referral_id": n,
                        "provider_id": providers[p].id,
                        "carer_household_id": households[p].id,
                        "weekly_fee_pence": rng.randrange(70_000, 130_000),
                        "fee_basis": "framework",
                        "start_date": (published + timedelta(days=3)).date(),
                        "status": OfferStatus.ACCEPTED if p == winner else OfferStatus.DECLINED,
                        "live": None,
                        "submitted_at": published + timedelta(hours=hours),
                        **offer_copies(referral_rows[-1]),
                    }
                )
                if p == winner:
                    start = (published + timedelta(days=3)).date()
                    ends = rng.random() < 0.6
                    end = start + timedelta(days=rng.randrange(20, 700)) if ends else None
                    if end is not None and end >= today:
                        end = None
                    notice = (
                        end - timedelta(days=rng.choice([0, 7, 14, 28, 35, 60])) if end and rng.random() < 0.7 else None
                    )
                    placement_rows.append(
                        {
                            "referral_id": n,
                            **copied_from(referral_rows[-1]),
                            "offer_id": (n, providers[p].id),
                            "council_id": councils[c].id,
                            "provider_id": providers[p].id,
                            "carer_household_id": households[p].id,
                            "placement_type": PlacementType.U4,
                            "start_date": start,
                            "weekly_fee_pence": offer_rows[-1]["weekly_fee_pence"],
                            "fee_basis": "framework",
                            "ipa_reference": f"IPA-B{c:02d}-{n:07d}",
                            "distance_miles": rng.uniform(1, 60),
                            "inside_council_area": rng.random() < 0.35,
                            "status": PlacementStatus.ENDED if end else PlacementStatus.ACTIVE,
                            "end_date": end,
                            "end_reason": ReasonPlacementChanged.CARPL if end else None,
                            "planned_ending": (rng.random() < 0.7) if end else None,
                            "notice_given_on": notice,
                            "created_at": published + timedelta(hours=hours + rng.uniform(1, 48)),
                        }
                    )
    # Rows name their referral by its number and their offer by (referral number, provider): the ids the
    # database gave are read back after each insert.
    await _insert(Referral, referral_rows)
    referral_ids = dict(await Referral.all().values_list("reference", "id"))
    by_number = [referral_ids[row["reference"]] for row in referral_rows]
    for row in (*recipient_rows, *offer_rows, *placement_rows):
        row["referral_id"] = by_number[row["referral_id"]]
    await _insert(Offer, offer_rows)
    offer_ids = {(r, p): i for i, r, p in await Offer.all().values_list("id", "referral_id", "provider_id")}
    for row in placement_rows:
        number, provider_id = row["offer_id"]
        row["offer_id"] = offer_ids[(by_number[number], provider_id)]
    async with bulk_load():  # the track-record triggers off: counted once after
        await _insert(BroadcastRecipient, recipient_rows)
        await _insert(Placement, placement_rows)
    placement_ids = await Placement.all().values_list(
        "id", "council_id", "provider_id", "carer_household_id", "start_date"
    )
    allegation_rows, feedback_rows = [], []
    for pid, council_id, provider_id, household_id, start in rng.sample(placement_ids, min(1500, len(placement_ids))):
        reported = min(start + timedelta(days=rng.randrange(1, 300)), today - timedelta(days=1))
        outcome = rng.choice(list(AllegationOutcome))
        allegation_rows.append(
            {
                "reported_on": reported,
                "provider_id": provider_id,
                "council_id": council_id,
                "carer_household_id": household_id,
                "placement_id": pid,
                "category": rng.choice(list(AllegationCategory)),
                "reported_by": rng.choice(list(AllegationReporter)),
                "outcome": outcome,
                "concluded_on": None if outcome is AllegationOutcome.OPEN else reported + timedelta(days=30),
                "recorded_by_side": PlacementSide.COUNCIL,
                "recorded_by_id": lead.id,
            }
        )
    for pid, _, _, _, start in rng.sample(placement_ids, min(8000, len(placement_ids))):
        feedback_rows.append(
            {
                "placement_id": pid,
                "given_on": min(start + timedelta(days=rng.randrange(10, 365)), today - timedelta(days=1)),
                "given_by": rng.choice(list(FeedbackGiver)),
                "needs_met": rng.randrange(1, 6),
                "communication": rng.randrange(1, 6),
                "stability": rng.randrange(1, 6),
                "recorded_by_id": lead.id,
            }
        )
    await _insert(Allegation, allegation_rows)
    await _insert(PlacementFeedback, feedback_rows)
    if connections.get("default").capabilities.dialect == "postgres":
        # As autovacuum leaves a table soon after a bulk load: statistics, and the visibility map that lets an
        # index-only scan skip the table.
        for table in ("referral", "offer", "broadcast_recipient", "placement", "allegation", "placement_feedback"):
            await connections.get("default").execute_script(f"VACUUM (ANALYZE) {table}")
    else:
        # Statistics, and the write-ahead log folded back into the file, as a checkpoint does after a load
        # (a kept file is reopened so: the last connection to close checkpoints).
        await connections.get("default").execute_script("ANALYZE")
        await connections.get("default").execute_script("PRAGMA wal_checkpoint(TRUNCATE)")
    return framework, Actor.of(lead), providers[0], quarters


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _built() -> tuple[Framework, Actor, Provider, list[Quarter]] | None:
    """The population of an earlier run of the same size and day (a kept SQLite file), if there is one."""
    framework = await Framework.get_or_none(reference="BENCH-IFA")
    if framework is None:
        return None
    lead = await User.get(email="lead@bench.test")
    provider = await Provider.filter(name="Bench Provider 00").first()
    quarters = Quarter.of(datetime.now(UTC).date()).previous().last(QUARTERS)
    if provider is None or framework.starts_on != quarters[0].starts_on:
        return None
    return framework, Actor.of(lead), provider, quarters


async def measure(
    database_url: str, args: argparse.Namespace, reuse: bool = False
) -> list[tuple[str, list[tuple[float, float]], float]]:
    EXECUTOR_CACHE.clear()
    districts.forget_directory()
    await Tortoise.init(config=tortoise_config(database_url))
    await generate_schemas(safe=True)
    try:
        began = time.perf_counter()
        kept = await _built() if reuse else None
        if kept is not None and (await Placement.all().count(), await Referral.all().count()) == (
            args.placements,
            args.referrals,
        ):
            framework, lead, provider, quarters = kept
            print(f"  reused the kept database ({args.referrals:,} referrals, {args.placements:,} placements)")
        elif kept is not None:
            raise SystemExit("the kept SQLite file holds another size: delete it or name another --sqlite-file")
        else:
            framework, lead, provider, quarters = await build(args.placements, args.referrals)
            print(
                f"  built {args.referrals:,} referrals, {args.placements:,} placements "
                f"in {time.perf_counter() - began:.1f} s"
            )
        rng = random.Random(1)
        calls = (
            ("frameworkQuarter", lambda q: contract_figures.framework_quarter(lead, framework.id, str(q))),
            (
                "providerScorecard",
                lambda q: contract_figures.provider_scorecard(lead, provider.id, framework.id, str(q)),
            ),
        )
        for _, call in calls:
            await call(quarters[-1])  # warm the statement caches
        # Rounds, the two views taking turns call by call; each call a random quarter of the three years.
        rounds: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in calls}
        cpu: dict[str, list[float]] = {name: [] for name, _ in calls}
        for _ in range(args.rounds):
            times: dict[str, list[float]] = {name: [] for name, _ in calls}
            for _ in range(args.runs):
                for name, call in calls:
                    quarter = rng.choice(quarters)
                    started, used = time.perf_counter(), time.process_time()
                    await call(quarter)
                    times[name].append((time.perf_counter() - started) * 1000)
                    cpu[name].append((time.process_time() - used) * 1000)
            for name, taken in times.items():
                rounds[name].append((statistics.median(taken), _percentile(taken, 0.99)))
        return [(name, per_round, statistics.median(cpu[name])) for name, per_round in rounds.items()]
    finally:
        await connections.close_all()


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ms ({min(values):.1f}-{max(values):.1f})"


def _verdicts(database: str, results: list[tuple[str, list[tuple[float, float]], float]]) -> bool:
    """A line per view (the median and range over the rounds of each round's p50 and p99, and the median CPU
    time of this process per call: SQLite's work, and PostgreSQL's client side), then a verdict line per goal,
    on the median over the rounds."""
    ok = True
    for name, per_round, cpu in results:
        p50s, p99s = [p50 for p50, _ in per_round], [p99 for _, p99 in per_round]
        print(
            f"  {database} {name}: p50 {_spread(p50s)}, p99 {_spread(p99s)} over {len(per_round)} rounds; "
            f"CPU {cpu:.1f} ms a call"
        )
    for name, per_round, _ in results:
        p50 = statistics.median(p50 for p50, _ in per_round)
        p99 = statistics.median(p99 for _, p99 in per_round)
        for label, value, goal in (("p50", p50, GOAL_P50_MS), ("p99", p99, GOAL_P99_MS)):
            held = value <= goal
            ok = ok and held
            print(f"{'PASS' if held else 'FAIL'} {database} {name} {label} {value:.1f} ms <= {goal:.0f} ms")
    return ok


def _kept_file(path: str) -> tuple[Path, bool]:
    """(the absolute path, whether an earlier run left the database there)."""
    kept = Path(path).resolve()
    return kept, kept.exists()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--placements", type=int, default=30_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="calls of each view per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--sqlite-file",
        type=_kept_file,
        help="keep the built SQLite database here and reuse it on later runs",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    ok = True
    if args.sqlite_file and not args.skip_sqlite:
        print("SQLite:")
        kept, reuse = args.sqlite_file
        ok = _verdicts("sqlite", await measure(f"sqlite://{kept}", args, reuse=reuse)) and ok
    elif not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            ok = _verdicts("sqlite", await measure(f"sqlite://{folder}/contract_bench.sqlite3", args)) and ok
    if args.postgres:
        print("PostgreSQL:")
        async with async_scratch_postgres_database("contract_bench") as url:
            ok = _verdicts("postgres", await measure(url, args)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
