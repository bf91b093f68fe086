"""Dashboard benchmark: the live figures at 100x the demo with history, against one hand-written SQL statement.

    python bench/dashboard_bench.py                 # SQLite, 100x the demo
    python bench/dashboard_bench.py --postgres      # PostgreSQL at 127.0.0.1:5432 as well
    python bench/dashboard_bench.py --scale 10 --rounds 5 --runs 20

Loads the demo (server.demo.seed.seed_demo, through the services) into a fresh database, then copies every row
the figures read (referrals, offers, broadcast recipients and their responses, placements, vacancies)
scale - 1 more times with bulk inserts. Each copied referral keeps its offers, recipients and placement
(copies point at copies, so the unique references, the one live offer per provider per referral and the one
placement per referral and offer all hold) and its whole chain is moved back by the same random time, up to
--history-days (two years by default): history, of which the 30-day windows hold a small part. Copies moved
back more than two weeks that were still open are closed (withdrawn, their offers no longer live), and the
active placements of copies moved back more than 180 days have ended (150 days after they started), as a real
exchange's old referrals and placements have: the active placements (whose reviews the council figures list)
stay about as many as the demo's.

The baseline is the same figures computed by one hand-written SQL statement per organisation (REFERENCE_*
below: scalar subqueries, medians by window functions), which the figures are checked against. Timing is in
interleaved rounds (figures, statement, figures, statement...; --runs calls each per round), reporting the
median and range over the rounds of each side's p50 and of their ratio.

Goals (issue 21): for council_figures (Kent County Council) and provider_figures (Harbour Fostering) at 100x,
p50 / the statement's p50 <= 2 and p50 <= 50 ms on every database measured. One verdict line per goal; exit 0
when all are met.
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
from server.database import generate_schemas, tortoise_config
from server.demo.seed import seed_demo
from server.domain.vocabulary import PlacementKind, PlacementStatus, ReferralStatus, Urgency, VacancyStatus
from server.models import BroadcastRecipient, Council, Offer, Placement, Provider, Referral, Vacancy
from server.repositories.statements import Statement
from server.services import districts
from server.services.dashboard import WEEKS, WINDOW, council_figures, provider_figures

GOAL_MS = 50.0
GOAL_RATIO = 2.0
RUNS = 20
ROUNDS = 5
HISTORY_DAYS = 730
CLOSED_AFTER = timedelta(days=14)
PLACEMENTS_ENDED_AFTER = timedelta(days=180)
COUNCIL_ONS_CODE = "E10000016"  # Kent County Council: the demo's busiest council
PROVIDER_NAME = "Harbour"  # Harbour Fostering
COPIED: tuple[type[Model], ...] = (Referral, Offer, BroadcastRecipient, Placement, Vacancy)  # in foreign-key order


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> float:
    """p50 in milliseconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def row_counts(council_id: int, provider_id: int) -> dict[str, int]:
    since = datetime.now(UTC) - WINDOW
    counts = {model.__name__: await model.all().count() for model in COPIED}
    counts["council referrals"] = await Referral.filter(council_id=council_id).count()
    counts["council published <=30d"] = await Referral.filter(council_id=council_id, published_at__gte=since).count()
    counts["council placements"] = await Placement.filter(council_id=council_id).count()
    counts["provider sent"] = await BroadcastRecipient.filter(provider_id=provider_id).count()
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


async def scale_up(factor: int, history_days: float, seed: int = 2026) -> None:
    """Copy the figures' rows factor - 1 more times: copy k of row id i gets id i + k * max(id), and each
    referral's chain is moved back by one random time of up to history_days."""
    rng = random.Random(seed)
    rows = {model: await model.all().order_by("id").values(*model._meta.fields_db_projection) for model in COPIED}
    stride = {model: max((row["id"] for row in rows[model]), default=0) for model in COPIED}
    copies: dict[type[Model], list[Model]] = {model: [] for model in COPIED}
    for k in range(1, factor):
        shift = {row["id"]: -timedelta(days=rng.uniform(0, history_days)) for row in rows[Referral]}
        closed = {old for old, back in shift.items() if -back > CLOSED_AFTER}

        def referral_id(old: int, k: int = k) -> int:
            return old + k * stride[Referral]

        for row in rows[Referral]:
            status = {"status": ReferralStatus.WITHDRAWN} if row["id"] in closed and row["status"] == "open" else {}
            copies[Referral].append(
                _copy(
                    Referral,
                    row,
                    shift[row["id"]],
                    id=referral_id(row["id"]),
                    reference=f"{row['reference']}-{k}",
                    **status,
                )
            )
        for row in rows[Offer]:
            ended = {"live": None} if row["referral_id"] in closed else {}
            copies[Offer].append(
                _copy(
                    Offer,
                    row,
                    shift[row["referral_id"]],
                    id=row["id"] + k * stride[Offer],
                    referral_id=referral_id(row["referral_id"]),
                    **ended,
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
            back = shift[row["referral_id"]]
            ended = {}
            if -back > PLACEMENTS_ENDED_AFTER and row["status"] == PlacementStatus.ACTIVE:
                ended = {"status": PlacementStatus.ENDED, "end_date": (row["start_date"] + back) + timedelta(days=150)}
            copies[Placement].append(
                _copy(
                    Placement,
                    row,
                    back,
                    **ended,
                    id=row["id"] + k * stride[Placement],
                    referral_id=referral_id(row["referral_id"]),
                    offer_id=row["offer_id"] + k * stride[Offer],
                    ipa_reference=f"{row['ipa_reference']}-{k}",
                )
            )
        for row in rows[Vacancy]:
            back = -timedelta(days=rng.uniform(0, history_days))
            ended = {"status": VacancyStatus.CLOSED} if -back > CLOSED_AFTER and row["status"] == "open" else {}
            copies[Vacancy].append(_copy(Vacancy, row, back, id=row["id"] + k * stride[Vacancy], **ended))
    async with in_transaction() as connection:
        for model in COPIED:  # bulk_create: executemany, 1,000 rows a batch
            await model.bulk_create(copies[model], batch_size=1000, using_db=connection)
        if connection.capabilities.dialect == "postgres":  # ids were explicit: move the sequences past them
            for model in COPIED:
                table = model._meta.db_table
                await connection.execute_query(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )


# --- the reference: each organisation's figures in one hand-written statement ------------------------------


def _median(values_sql: str) -> str:
    """The median of the column v that `values_sql` selects (NULL when it selects nothing), in plain SQL."""
    return (
        f"(SELECT AVG(v) FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS c "
        f"FROM ({values_sql}) source) ranked WHERE rn IN ((c + 1) / 2, (c + 2) / 2))"
    )


def _hours(dialect: str, start: str, end: str) -> str:
    if dialect == "postgres":
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0"
    return f"(julianday({end}) - julianday({start})) * 24.0"


def reference_council(dialect: str, council_id: int, now: datetime) -> tuple[str, list[Any]]:
    """CouncilFigures' numbers (but reviews due) in one statement: a cross join of one-row aggregates, each
    table scanned once, the outer SELECT naming one column per number in check_council's order."""
    params: list[Any] = []

    def p(value: Any) -> str:
        params.append(value)
        return "?"

    since, month = now - WINDOW, now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    weeks = _weeks(now)
    urgencies = ", ".join(
        f"SUM(CASE WHEN urgency = {p(u.value)} THEN 1 ELSE 0 END) AS u{n}" for n, u in enumerate(Urgency)
    )
    open_part = (
        f"SELECT {urgencies}, SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = r.id) "
        f"THEN 1 ELSE 0 END) AS without_offer FROM referral r WHERE r.council_id = {p(council_id)} "
        "AND r.status = 'open'"
    )
    first_waits = (
        f"SELECT {_hours(dialect, 'r.published_at', 'MIN(o.submitted_at)')} AS v FROM referral r JOIN offer o "
        f"ON o.referral_id = r.id WHERE r.council_id = {p(council_id)} AND r.published_at >= {p(since)} "
        "GROUP BY r.id, r.published_at"
    )
    median_part = f"SELECT {_median(first_waits)} AS median"

    def by_week(column: str, prefix: str) -> str:
        return ", ".join(
            f"SUM(CASE WHEN {column} >= {p(start)} AND {column} < {p(end)} THEN 1 ELSE 0 END) AS {prefix}{n}"
            for n, (start, end) in enumerate(weeks)
        )

    # Each part's text is written in order, so that its values are bound in the order of their `?`.
    referral_part = (
        f"SELECT SUM(CASE WHEN published_at >= {p(since)} THEN 1 ELSE 0 END) AS published, "
        f"{by_week('published_at', 'rw')} "
        f"FROM referral WHERE council_id = {p(council_id)} AND published_at >= {p(min(since, weeks[0][0]))}"
    )
    offer_part = (
        f"SELECT SUM(CASE WHEN r.published_at >= {p(since)} THEN 1 ELSE 0 END) AS offered, "
        f"{by_week('o.submitted_at', 'ow')} "
        f"FROM offer o JOIN referral r ON r.id = o.referral_id WHERE r.council_id = {p(council_id)}"
    )
    placement_part = (
        f"SELECT SUM(CASE WHEN pl.created_at >= {p(month)} THEN 1 ELSE 0 END) AS month, "
        "COUNT(pl.inside_council_area) AS known_area, "
        "SUM(CASE WHEN pl.inside_council_area THEN 1 ELSE 0 END) AS inside, "
        "COUNT(pl.distance_miles) AS known_distance, "
        "SUM(CASE WHEN pl.distance_miles <= 20 THEN 1 ELSE 0 END) AS near, "
        "SUM(CASE WHEN pl.fee_basis = 'spot' THEN 1 ELSE 0 END) AS spot, COUNT(*) AS total, "
        + ", ".join(
            f"SUM(CASE WHEN r.placement_kind = {p(kind.value)} THEN pl.weekly_fee_pence END) AS ks{n}, "
            f"SUM(CASE WHEN r.placement_kind = {p(kind.value)} THEN 1 ELSE 0 END) AS kc{n}"
            for n, kind in enumerate(PlacementKind)
        )
        + f", {by_week('pl.created_at', 'pw')} FROM placement pl LEFT JOIN referral r ON r.id = pl.referral_id "
        f"WHERE pl.council_id = {p(council_id)}"
    )
    columns = [f"u{n}" for n in range(len(Urgency))] + ["without_offer", "median", "published", "offered", "month"]
    columns += ["known_area", "inside", "known_distance", "near", "spot", "total"]
    columns += [c for n in range(len(PlacementKind)) for c in (f"ks{n}", f"kc{n}")]
    columns += [c for n in range(len(weeks)) for c in (f"rw{n}", f"ow{n}", f"pw{n}")]
    parts = (open_part, median_part, referral_part, offer_part, placement_part)
    joined = " CROSS JOIN ".join(f"({part}) t{n}" for n, part in enumerate(parts))
    return f"SELECT {', '.join(f'COALESCE({c}, 0)' if c != 'median' else c for c in columns)} FROM {joined}", params


def reference_provider(dialect: str, provider_id: int, now: datetime) -> tuple[str, list[Any]]:
    """ProviderFigures' numbers in one statement, as reference_council."""
    params: list[Any] = []

    def p(value: Any) -> str:
        params.append(value)
        return "?"

    since = now - WINDOW
    weeks = _weeks(now)

    def by_week(column: str, prefix: str) -> str:
        return ", ".join(
            f"SUM(CASE WHEN {column} >= {p(start)} AND {column} < {p(end)} THEN 1 ELSE 0 END) AS {prefix}{n}"
            for n, (start, end) in enumerate(weeks)
        )

    sent_part = (
        f"SELECT SUM(CASE WHEN sent_at >= {p(since)} THEN 1 ELSE 0 END) AS received, "
        f"SUM(CASE WHEN sent_at >= {p(since)} AND responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded, "
        f"{by_week('sent_at', 'sw')} FROM broadcast_recipient WHERE provider_id = {p(provider_id)} "
        f"AND sent_at >= {p(min(since, weeks[0][0]))}"
    )
    median_part = (
        "SELECT "
        + _median(
            f"SELECT {_hours(dialect, 'sent_at', 'responded_at')} AS v FROM broadcast_recipient WHERE provider_id = "
            f"{p(provider_id)} AND sent_at >= {p(since)} AND responded_at IS NOT NULL"
        )
        + " AS median"
    )
    offer_part = (
        "SELECT SUM(CASE WHEN live = 1 THEN 1 ELSE 0 END) AS live, "
        "SUM(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) AS accepted, "
        "SUM(CASE WHEN status = 'declined' THEN 1 ELSE 0 END) AS declined, "
        f"{by_week('submitted_at', 'ow')} FROM offer WHERE provider_id = {p(provider_id)}"
    )
    vacancy_part = f"SELECT COUNT(*) AS vacancies FROM vacancy WHERE provider_id = {p(provider_id)} AND status = 'open'"
    placement_part = (
        f"SELECT {by_week('created_at', 'pw')} FROM placement WHERE provider_id = {p(provider_id)} "
        f"AND created_at >= {p(weeks[0][0])}"
    )
    columns = ["received", "responded", "median", "live", "accepted", "declined", "vacancies"]
    columns += [c for n in range(len(weeks)) for c in (f"sw{n}", f"ow{n}", f"pw{n}")]
    parts = (sent_part, median_part, offer_part, vacancy_part, placement_part)
    joined = " CROSS JOIN ".join(f"({part}) t{n}" for n, part in enumerate(parts))
    return f"SELECT {', '.join(f'COALESCE({c}, 0)' if c != 'median' else c for c in columns)} FROM {joined}", params


def _weeks(now: datetime) -> list[tuple[datetime, datetime]]:
    """The trend's weeks as [start, end) (the last one ends just after now)."""
    today = now.astimezone(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), UTC)
    starts = [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    return list(zip(starts, [*starts[1:], now + timedelta(microseconds=1)], strict=True))


async def run_reference(text: str, params: list[Any]) -> list[Any]:
    connection = connections.get("default")
    return list((await Statement(text).tuples(*params, connection=connection))[0])


def check_council(figures: Any, reference: list[Any]) -> list[str]:
    """Where the service's council figures differ from the statement's (empty when they agree)."""
    values = iter(reference)
    problems = []

    def expect(name: str, got: Any, want: Any) -> None:
        if got != want:
            problems.append(f"{name}: figures {got!r}, statement {want!r}")

    for u in Urgency:
        expect(f"open {u.value}", figures.open_by_urgency.get(u.value, 0), next(values))
    expect("open without offer", figures.open_without_offer, next(values))
    median = next(values)
    expect("median hours to first offer", figures.median_hours_to_first_offer, _round(median, 1))
    published, offered = next(values), next(values)
    expect("offers per referral", figures.offers_per_referral, round(offered / published, 2) if published else None)
    expect("placements this month", figures.placements_this_month, next(values))
    known_area, inside, known_distance, near, spot, total = (next(values) for _ in range(6))
    expect("share inside area", figures.share_inside_area, round(inside / known_area, 3) if known_area else None)
    expect(
        "share within 20 miles",
        figures.share_within_20_miles,
        round(near / known_distance, 3) if known_distance else None,
    )
    expect("spot placements", figures.spot_placements, spot)
    expect("framework placements", figures.framework_placements, total - spot)
    fees = {}
    for kind in PlacementKind:
        fee_sum, count = next(values), next(values)
        if count:
            fees[kind.value] = round(int(fee_sum) / count)
    expect("average weekly fee by kind", figures.average_weekly_fee_by_kind, dict(sorted(fees.items())))
    for week in figures.weekly:
        expect(
            f"week {week.week_starting}",
            (week.referrals, week.offers, week.placements),
            tuple(next(values) for _ in range(3)),
        )
    return problems


def check_provider(figures: Any, reference: list[Any]) -> list[str]:
    values = iter(reference)
    problems = []

    def expect(name: str, got: Any, want: Any) -> None:
        if got != want:
            problems.append(f"{name}: figures {got!r}, statement {want!r}")

    received, responded, median = next(values), next(values), next(values)
    expect("referrals received", figures.referrals_received, received)
    expect("response rate", figures.response_rate, round(responded / received, 3) if received else None)
    expect("median response hours", figures.median_response_hours, _round(median, 1))
    expect("offers live", figures.offers_live, next(values))
    accepted, declined = next(values), next(values)
    expect(
        "acceptance rate",
        figures.acceptance_rate,
        round(accepted / (accepted + declined), 3) if accepted + declined else None,
    )
    expect("vacancies open", figures.vacancies_open, next(values))
    for week in figures.weekly:
        expect(
            f"week {week.week_starting}",
            (week.referrals, week.offers, week.placements),
            tuple(next(values) for _ in range(3)),
        )
    return problems


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


# --- the measurement ----------------------------------------------------------------------------------------


async def measure(database_url: str, factor: int, history_days: float, rounds: int, runs: int) -> dict[str, Any]:
    EXECUTOR_CACHE.clear()  # compiled INSERTs are cached by connection name, not dialect
    districts.forget_directory()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await generate_schemas()
        started = time.perf_counter()
        await seed_demo()
        seeded = time.perf_counter() - started
        council = await Council.get(ons_code=COUNCIL_ONS_CODE)
        provider = await Provider.get(name__icontains=PROVIDER_NAME)
        started = time.perf_counter()
        await scale_up(factor, history_days)
        scaled = time.perf_counter() - started
        dialect = connections.get("default").capabilities.dialect
        result: dict[str, Any] = {
            "council": council.name,
            "provider": provider.name,
            "seeded": seeded,
            "scaled": scaled,
            "rows": await row_counts(council.id, provider.id),
        }
        now = datetime.now(UTC)
        council_sql = reference_council(dialect, council.id, now)
        provider_sql = reference_provider(dialect, provider.id, now)
        result["problems"] = check_council(
            await council_figures(council.id, now), await run_reference(*council_sql)
        ) + check_provider(await provider_figures(provider.id, now), await run_reference(*provider_sql))
        sides = {
            "council": (lambda: council_figures(council.id, now), lambda: run_reference(*council_sql)),
            "provider": (lambda: provider_figures(provider.id, now), lambda: run_reference(*provider_sql)),
        }
        for name, (figures, statement) in sides.items():  # warm both
            await figures()
            await statement()
            result.setdefault("timing", {})[name] = {"figures": [], "statement": []}
        for _ in range(rounds):  # interleaved: each round times both sides of both figure sets
            for name, (figures, statement) in sides.items():
                result["timing"][name]["figures"].append(await timed(figures, runs))
                result["timing"][name]["statement"].append(await timed(statement, runs))
        return result
    finally:
        await connections.close_all()
        EXECUTOR_CACHE.clear()
        districts.forget_directory()


def spread(values: list[float], digits: int = 2) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.{digits}f} ({ordered[0]:.{digits}f}-{ordered[-1]:.{digits}f})"


def report(database: str, factor: int, result: dict[str, Any]) -> bool:
    print(f"\n== {database}: demo seeded in {result['seeded']:.1f}s, copied to {factor}x in {result['scaled']:.1f}s")
    for name, count in result["rows"].items():
        print(f"  {name:<26} {count:>9,}")
    ok = True
    if result["problems"]:
        ok = False
        print("the figures differ from the statement's:\n  " + "\n  ".join(result["problems"]))
    else:
        print("the figures equal the statement's")
    print(f"{'figures':<34} {'p50 ms, median (range)':>24} {'statement p50 ms':>22} {'ratio':>20}")
    for name, label in (("council", result["council"]), ("provider", result["provider"])):
        figures, statement = result["timing"][name]["figures"], result["timing"][name]["statement"]
        ratios = [f / s for f, s in zip(figures, statement, strict=True)]
        print(f"{name + ' (' + label + ')':<34} {spread(figures):>24} {spread(statement):>22} {spread(ratios):>20}")
        ratio, p50 = statistics.median(ratios), statistics.median(figures)
        met = ratio <= GOAL_RATIO
        ok &= met
        print(
            f"goal {database} {name} figures / one statement at {factor}x <= {GOAL_RATIO}: {ratio:.2f} {'met' if met else 'MISSED'}"
        )
        met = p50 <= GOAL_MS
        ok &= met
        print(
            f"goal {database} {name} figures p50 at {factor}x <= {GOAL_MS:.0f} ms: {p50:.1f} ms {'met' if met else 'MISSED'}"
        )
    return ok


async def main(factor: int, history_days: float, rounds: int, runs: int, postgres: bool) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        result = await measure(f"sqlite://{Path(folder) / 'bench.sqlite3'}", factor, history_days, rounds, runs)
        ok = report("sqlite", factor, result) and ok
    if postgres:
        async with async_scratch_postgres_database("pe_dashboard_bench") as url:
            result = await measure(url, factor, history_days, rounds, runs)
            ok = report("postgres", factor, result) and ok
    print(f"\n{'PASS' if ok else 'FAIL'}: dashboard figures at {factor}x, {rounds} rounds of {runs} calls")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--scale", type=int, default=100, help="how many times the demo's rows (default 100)")
    parser.add_argument("--history-days", type=float, default=HISTORY_DAYS, help="copies spread over this many days")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"calls per side per round (default {RUNS})")
    arguments = parser.parse_args()
    sys.exit(
        asyncio.run(main(arguments.scale, arguments.history_days, arguments.rounds, arguments.runs, arguments.postgres))
    )
