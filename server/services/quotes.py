"""Fee quotes for providers and the weighted ranking of offers for councils."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.matching import OfferForRanking, RankedOffer, explain_ranking, rank_offers
from server.domain.pricing import FeeLine, FeeLineKind, PricingError, Quote, framework_quote
from server.models import Framework, LotMembership, Offer, Referral
from server.services import block_call_off, pricing_data
from server.services.matching import best_matches


async def quote_for(referral: Referral, provider_id: int) -> Quote | None:
    """The provider's framework-tier price for this referral, or its block price while a block place of its has the
    referral first (call-off before the market), or None (spot, or no schedule entry)."""
    call_off = await block_call_off.holding_call_off(referral.id, provider_id)
    if call_off is not None:
        contract = call_off.place.contract
        label = f"Block contract {contract.reference} weekly price"
        return Quote(schedule_entry_id=None, lines=(FeeLine(label, contract.weekly_price_pence, FeeLineKind.BASE),))
    if referral.lot_id is None:
        return None
    membership = await LotMembership.get_or_none(lot_id=referral.lot_id, provider_id=provider_id)
    if membership is None:
        return None
    entries, supplements = await pricing_data.schedule_of(membership.id)
    try:
        return framework_quote(entries, supplements, pricing_data.request_for(referral))
    except PricingError:
        return None


@dataclass(frozen=True)
class Ranking:
    """The ranked live offers, with the framework's weights and why each offer has its rank."""

    offers: list[RankedOffer]
    quality_weight_percent: int
    cost_weight_percent: int
    explanations: dict[int, str]


async def ranking_of_live_offers(referral: Referral) -> Ranking:
    quality_weight, cost_weight = await _weights(referral)
    ranked = await rank_live_offers(referral)
    return Ranking(ranked, quality_weight, cost_weight, explain_ranking(ranked, quality_weight, cost_weight))


async def _weights(referral: Referral) -> tuple[int, int]:
    if referral.framework_id:
        framework = await Framework.get(id=referral.framework_id)
        return framework.quality_weight_percent, framework.cost_weight_percent
    return 60, 40


async def rank_live_offers(referral: Referral) -> list[RankedOffer]:
    offers = await Offer.filter(referral_id=referral.id, live=1)
    if not offers:
        return []
    matches = await best_matches(referral, {offer.provider_id for offer in offers})
    scores = {(m.candidate.kind.value, m.candidate.id): m.score for m in matches}
    quality_weight, cost_weight = await _weights(referral)
    ranked_input = [
        OfferForRanking(
            offer_id=offer.id,
            match_score=scores.get(
                ("carer_household", offer.carer_household_id)
                if offer.carer_household_id
                else ("childrens_home", offer.childrens_home_id),
                0.0,
            ),
            weekly_fee_pence=offer.weekly_fee_pence,
        )
        for offer in offers
    ]
    return rank_offers(ranked_input, quality_weight, cost_weight)
