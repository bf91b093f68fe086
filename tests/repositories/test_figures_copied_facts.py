"""What the contract figures read without the referral: each broadcast row's placing council, each placement's
kind, child's age and framework (migration 0019), each offer's placing council and each offer's and placement's
referral publishing time (migration 0021), written with the row and filled by the migration for rows written
before it. On SQLite and PostgreSQL."""

from __future__ import annotations

import importlib

from tortoise import connections
from tortoise.migrations.operations import RunSQL

from bench.harness.marketplace import Marketplace
from server.models import BroadcastRecipient, Offer, Placement, Referral

MIGRATION = importlib.import_module("server.migrations.0019_figures_copied_facts").Migration
PUBLISHING = importlib.import_module("server.migrations.0021_offer_and_placement_publishing").Migration


async def _placed(market: Marketplace) -> tuple[Referral, Placement]:
    placement = await market.placement()
    return await Referral.get(id=placement.referral_id), placement


def _facts(referral: Referral) -> tuple:
    return (referral.placement_kind, referral.age_years, referral.framework_id)


async def test_a_placement_and_its_broadcasts_keep_the_referrals_facts(market: Marketplace) -> None:
    referral, placement = await _placed(market)
    assert referral.framework_id is not None and not referral.escalated_to_spot
    assert (placement.placement_kind, placement.age_years, placement.framework_id) == _facts(referral)
    councils = await BroadcastRecipient.filter(referral_id=referral.id).values_list("council_id", flat=True)
    assert councils and set(councils) == {referral.council_id}
    assert referral.published_at is not None and placement.referral_published_at == referral.published_at
    offers = await Offer.filter(referral_id=referral.id).values_list("council_id", "referral_published_at")
    assert offers and set(offers) == {(referral.council_id, referral.published_at)}


async def test_migration_0021_fills_the_offers_and_placements_written_before_it(market: Marketplace) -> None:
    referral, placement = await _placed(market)
    await Offer.all().update(council_id=None, referral_published_at=None)
    await Placement.all().update(referral_published_at=None)
    backfills = [op for op in PUBLISHING.operations if isinstance(op, RunSQL)]
    assert len(backfills) == 2
    for op in backfills:
        await connections.get("default").execute_script(op.sql)
    assert (await Placement.get(id=placement.id)).referral_published_at == referral.published_at
    offers = await Offer.filter(referral_id=referral.id).values_list("council_id", "referral_published_at")
    assert offers and set(offers) == {(referral.council_id, referral.published_at)}


async def test_the_migration_fills_rows_written_before_it(market: Marketplace) -> None:
    referral, placement = await _placed(market)
    spot_referral, spot_placement = await _placed(market)
    await Referral.filter(id=spot_referral.id).update(escalated_to_spot=True)
    # The rows as they were before migration 0019: nothing copied.
    await BroadcastRecipient.all().update(council_id=None)
    await Placement.all().update(placement_kind=None, age_years=None, framework_id=None)
    connection = connections.get("default")
    backfills = [op for op in MIGRATION.operations if isinstance(op, RunSQL)]
    assert len(backfills) == 2
    for op in backfills:
        await connection.execute_script(op.sql)
    filled = await Placement.get(id=placement.id)
    assert (filled.placement_kind, filled.age_years, filled.framework_id) == _facts(referral)
    spot = await Placement.get(id=spot_placement.id)
    assert (spot.placement_kind, spot.age_years, spot.framework_id) == (
        spot_referral.placement_kind,
        spot_referral.age_years,
        None,
    )
    rows = await BroadcastRecipient.filter(referral_id__in=[referral.id, spot_referral.id]).values_list(
        "referral_id", "council_id"
    )
    assert rows and all(council == referral.council_id for _, council in rows)


def test_age_bands_and_routes_named_in_python_agree_with_the_statements_cases() -> None:
    import sqlite3

    from server.repositories.contract_figures import Population, _age_band, age_band_of, route_of

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE p (age_years INTEGER)")
    ages = [None, -1, 0, 4, 5, 10, 11, 15, 16, 18, 19]
    connection.executemany("INSERT INTO p VALUES (?)", [(age,) for age in ages])
    in_sql = [band for (band,) in connection.execute(f"SELECT {_age_band('p')} FROM p ORDER BY rowid")]
    assert in_sql == [age_band_of(age) for age in ages]
    assert in_sql[2:10] == ["0-4", "0-4", "5-10", "5-10", "11-15", "11-15", "16-18", "16-18"]
    seen_from = Population(framework_id=7, council_ids=(1,))
    assert [route_of(seen_from, f) for f in (7, 3, None)] == ["this_framework", "previous_framework", "spot"]
