"""The dashboard's figures are aggregates in the database: equal to one hand-written statement's (the dashboard
bench's reference) on a built marketplace with history, and read as a few one-row statements whatever the
history holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections

from bench.dashboard_bench import check_council, check_provider, reference_council, reference_provider, run_reference
from bench.harness.marketplace import Marketplace, build_marketplace
from server.models import BroadcastRecipient, Offer, Placement, Referral
from server.services import dashboard, offers
from tests.api.conftest import statements_run
from tests.services.test_referrals_and_offers import offer_details


@pytest.fixture
async def market(db: str) -> Marketplace:
    return await build_marketplace()


async def _history(market: Marketplace, winners: list[str], ago: timedelta) -> None:
    """A referral for each of `winners`, offered on by Harbour and Oakleaf, the winner's offer accepted (a
    placement in its household of two places); one more left open with Oakleaf's offer only, and one with
    none; everything moved back by `ago`."""
    for winner in winners:
        referral = await market.referral()
        made = {
            key: await offers.submit_offer(market.actor(key), offer_details(market, referral, key))
            for key in ("harbour", "oakleaf")
        }
        await offers.accept_offer(market.actor("kent_officer"), made[winner].id)
    waiting = await market.referral()
    await offers.submit_offer(market.actor("oakleaf"), offer_details(market, waiting, "oakleaf"))
    await market.referral()  # open, no offer yet
    if ago:
        back = datetime.now(UTC) - ago
        await Referral.filter(published_at__gte=back).update(published_at=back)
        await Offer.filter(submitted_at__gte=back).update(submitted_at=back + timedelta(hours=5))
        await BroadcastRecipient.filter(sent_at__gte=back).update(sent_at=back)
        await Placement.filter(created_at__gte=back).update(created_at=back + timedelta(hours=9))


async def test_council_and_provider_figures_equal_one_statement_s(market: Marketplace, db: str) -> None:
    await _history(market, ["harbour"], ago=timedelta(days=40))  # outside the 30-day window, inside the trend
    await _history(market, ["oakleaf", "harbour"], ago=timedelta(0))
    await BroadcastRecipient.filter(provider_id=market.providers["harbour"].id).limit(1).update(responded_at=None)
    now = datetime.now(UTC)
    dialect = connections.get("default").capabilities.dialect
    council = await dashboard.council_figures(market.kent.id, now)
    assert check_council(council, await run_reference(*reference_council(dialect, market.kent.id, now))) == []
    assert council.open_without_offer == 2 and council.framework_placements == 3
    assert council.offers_per_referral is not None and council.median_hours_to_first_offer is not None
    for key in ("harbour", "oakleaf", "northdowns"):
        provider_id = market.providers[key].id
        figures = await dashboard.provider_figures(provider_id, now)
        assert check_provider(figures, await run_reference(*reference_provider(dialect, provider_id, now))) == []
    harbour = await dashboard.provider_figures(market.providers["harbour"].id, now)
    assert harbour.acceptance_rate == round(2 / 3, 3) and harbour.referrals_received > 0


async def test_the_figures_read_a_fixed_number_of_one_row_statements_however_long_the_history(
    market: Marketplace,
) -> None:
    async def statements_for_figures() -> list[str]:
        with statements_run(lambda query: 'FROM "event' not in query) as run:
            await dashboard.council_figures(market.kent.id)
            await dashboard.provider_figures(market.providers["harbour"].id)
        return list(run)

    await _history(market, ["harbour"], ago=timedelta(days=400))
    short = await statements_for_figures()
    await _history(market, ["oakleaf", "harbour"], ago=timedelta(days=200))
    long = await statements_for_figures()
    assert len(long) == len(short)
    # No statement selects a placement's or an offer's own columns: the database counts and sums them.
    for column in ("inside_council_area", "weekly_fee_pence", "submitted_at", "responded_at"):
        selecting = [q for q in long if q.split(" FROM ", 1)[0].count(f'"{column}"') or f"SELECT {column}" in q]
        assert selecting == [], column
