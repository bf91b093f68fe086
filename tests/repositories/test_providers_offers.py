"""Providers' own offers on a page of referrals in one plain statement (repositories.offers.providers_offers):
the rows the ORM gives for the same filter, oldest first; never another provider's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from server.models import Offer
from server.repositories.offers import providers_offers
from server.services import offers
from server.services.offers import OfferDetails


async def _offer(market: Marketplace, key: str, referral_id: int) -> None:
    await offers.submit_offer(
        market.actor(key),
        OfferDetails(
            referral_id=referral_id,
            carer_household_id=market.households[key],
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="Experienced carers for this age group, near the child's school.",
        ),
    )


async def test_providers_offers_are_the_orms_rows_for_the_same_filter(db: str, market: Marketplace) -> None:
    referrals = [await market.referral() for _ in range(3)]
    for referral in referrals:
        await _offer(market, "harbour", referral.id)
    await _offer(market, "oakleaf", referrals[0].id)
    harbour, oakleaf = market.providers["harbour"].id, market.providers["oakleaf"].id
    ids = [referral.id for referral in referrals]
    for providers in ([harbour], [oakleaf], [harbour, oakleaf]):
        for asked in (ids, ids[:1], ids[1:]):
            plain = await providers_offers(providers, asked)
            orm = await Offer.filter(provider_id__in=providers, referral_id__in=asked).order_by("submitted_at", "id")
            assert [(o.id, o.provider_id, o.referral_id, o.status, o.weekly_fee_pence) for o in plain] == [
                (o.id, o.provider_id, o.referral_id, o.status, o.weekly_fee_pence) for o in orm
            ]
    assert {offer.provider_id for offer in await providers_offers([oakleaf], ids)} == {oakleaf}
    assert await providers_offers([], ids) == [] and await providers_offers([harbour], []) == []
