"""Matching and pricing as the API shows them: best matches with reasons, the fee quote, offer ranking."""

from __future__ import annotations

import strawberry

from schema.ids import to_global_id
from schema.types.offers import FeeLine, MatchReason
from server.domain.matching import MatchResult
from server.domain.vocabulary import ResourceKind


@strawberry.type
class Match:
    resource_id: strawberry.ID = strawberry.field(description="A CarerHousehold or ChildrensHome id.")
    resource_kind: str
    label: str
    district: str
    eligible: bool
    score: float
    distance_miles: float | None
    reasons: list[MatchReason]

    @classmethod
    def of(cls, result: MatchResult) -> Match:
        candidate = result.candidate
        type_name = "CarerHousehold" if candidate.kind is ResourceKind.CARER_HOUSEHOLD else "ChildrensHome"
        return cls(
            resource_id=to_global_id(type_name, candidate.id),
            resource_kind=type_name,
            label=candidate.label,
            district=candidate.district,
            eligible=result.eligible,
            score=result.score,
            distance_miles=round(result.distance_miles, 1) if result.distance_miles is not None else None,
            reasons=[MatchReason(met=r.met, text=r.text, hard=r.hard) for r in result.reasons],
        )


@strawberry.type
class FeeQuote:
    weekly_fee_pence: int
    lines: list[FeeLine]
    is_spot: bool


@strawberry.type
class OfferRanking:
    offer_id: strawberry.ID
    rank: int
    quality: float = strawberry.field(description="The fit: the offered household's or home's match score.")
    cost: float = strawberry.field(description="100 for the lowest weekly fee, dearer offers less in proportion.")
    total: float = strawberry.field(description="quality and cost weighted by the framework's percentages.")
    quality_weight_percent: int
    cost_weight_percent: int
    explanation: str = strawberry.field(description="Why the offer has its rank, in words.")
