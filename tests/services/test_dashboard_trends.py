"""The dashboard's weekly trends: eight Monday-to-Sunday weeks, oldest first, counting only the caller's own work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace, build_marketplace
from server.models import BroadcastRecipient, Offer, Placement, Referral
from server.services import dashboard, offers
from tests.services.test_referrals_and_offers import offer_details


@pytest.fixture
async def market(db: str) -> Marketplace:
    return await build_marketplace()


def test_the_weeks_are_the_eight_mondays_up_to_this_one() -> None:
    weeks = dashboard.weeks_ending(datetime(2026, 12, 2, 13, 0, tzinfo=UTC))  # a Wednesday
    assert weeks[-1] == date(2026, 11, 30) and weeks[0] == date(2026, 10, 12)
    assert len(weeks) == dashboard.WEEKS == 8
    assert all(monday.weekday() == 0 for monday in weeks)
    assert weeks == sorted(weeks)


async def test_council_trend_counts_its_referrals_offers_and_placements_by_week(market: Marketplace) -> None:
    now = datetime.now(UTC)
    placed = await market.referral()
    offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, placed, "harbour"))
    await offers.accept_offer(market.actor("kent_officer"), offer.id)
    older = await market.referral()
    three_weeks_ago = now - timedelta(weeks=3)
    await Referral.filter(id=older.id).update(published_at=three_weeks_ago)
    await Offer.filter(
        id=(await offers.submit_offer(market.actor("oakleaf"), offer_details(market, older, "oakleaf"))).id
    ).update(submitted_at=three_weeks_ago)
    ancient = await market.referral()  # before the eight weeks: not in the trend
    await Referral.filter(id=ancient.id).update(published_at=now - timedelta(weeks=9))
    await market.referral("medway_officer")  # another council's: never counted

    at = datetime.now(UTC)  # after everything happened
    this_week = dashboard.weeks_ending(at)[-1]
    figures = await dashboard.council_figures(market.kent.id, at)
    weeks = {week.week_starting: week for week in figures.weekly}
    assert list(weeks) == dashboard.weeks_ending(at)
    assert (weeks[this_week].referrals, weeks[this_week].offers, weeks[this_week].placements) == (1, 1, 1)
    earlier = weeks[this_week - timedelta(weeks=3)]
    assert (earlier.referrals, earlier.offers, earlier.placements) == (1, 1, 0)
    assert sum(w.referrals for w in figures.weekly) == 2
    assert sum(w.offers for w in figures.weekly) == 2
    assert sum(w.placements for w in figures.weekly) == 1

    medway = await dashboard.council_figures(market.medway.id, at)
    assert sum(w.referrals for w in medway.weekly) == 1
    assert sum(w.offers + w.placements for w in medway.weekly) == 0


async def test_provider_trend_counts_referrals_sent_to_it_offers_it_made_and_placements_it_won(
    market: Marketplace,
) -> None:
    won = await market.referral()
    offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, won, "harbour"))
    await offers.accept_offer(market.actor("kent_officer"), offer.id)
    lost = await market.referral()
    await offers.submit_offer(market.actor("oakleaf"), offer_details(market, lost, "oakleaf"))
    sent_to_harbour = await BroadcastRecipient.filter(provider_id=market.providers["harbour"].id).count()

    at = datetime.now(UTC)
    this_week = dashboard.weeks_ending(at)[-1]
    harbour = await dashboard.provider_figures(market.providers["harbour"].id, at)
    week = harbour.weekly[-1]
    assert harbour.weekly[-1].week_starting == this_week and len(harbour.weekly) == 8
    assert (week.referrals, week.offers, week.placements) == (sent_to_harbour, 1, 1)
    assert sent_to_harbour == 2
    assert sum(w.offers + w.placements for w in harbour.weekly[:-1]) == 0

    oakleaf = await dashboard.provider_figures(market.providers["oakleaf"].id, at)
    assert (oakleaf.weekly[-1].offers, oakleaf.weekly[-1].placements) == (1, 0)
    assert await Placement.filter(provider_id=market.providers["oakleaf"].id).count() == 0
