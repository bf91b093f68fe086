"""Matching a child's anonymised profile to carer households and children's homes.

Pure functions over plain data: hard constraints decide eligibility, soft
components score the eligible, and every result says why in words a duty
worker understands. The database narrows candidates first (age window,
provider, active) so this runs over hundreds, not the whole market.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CommunicationNeed,
    Duration,
    LivingAlongside,
    Need,
    OfstedJudgement,
    PetsPreference,
    PlacementKind,
    ResourceKind,
    RiskToChild,
    RiskToOthers,
)

NEAR_MILES = 20.0


@dataclass(frozen=True)
class ChildProfile:
    age_years: int
    placement_kind: PlacementKind
    duration: Duration
    siblings_to_place_together: int
    home_district: str
    max_distance_miles: int
    needs: frozenset[Need]
    risks_to_child: frozenset[RiskToChild]
    risks_to_others: frozenset[RiskToOthers]
    communication_needs: frozenset[CommunicationNeed]
    languages: frozenset[str]
    adaptations: frozenset[Adaptation]
    faith: str
    living_alongside: LivingAlongside
    pets: PetsPreference
    additional_support: frozenset[AdditionalSupport]
    required_by: date

    @property
    def children(self) -> int:
        return 1 + self.siblings_to_place_together

    @property
    def solo(self) -> bool:
        return self.placement_kind is PlacementKind.SOLO or self.living_alongside is LivingAlongside.SOLO_RECOMMENDED


@dataclass(frozen=True)
class Candidate:
    kind: ResourceKind
    id: int
    provider_id: int
    label: str
    district: str
    min_age: int
    max_age: int
    places: int
    children_placed: int
    free_from: date | None
    placement_kinds: frozenset[PlacementKind]
    durations: frozenset[Duration]
    languages: frozenset[str]
    communication: frozenset[CommunicationNeed]
    adaptations: frozenset[Adaptation]
    has_pets: bool
    solo_only: bool
    manageable_risks_to_child: frozenset[RiskToChild]
    manageable_risks_to_others: frozenset[RiskToOthers]
    specialisms: frozenset[Need]
    additional_support: frozenset[AdditionalSupport]
    faiths: frozenset[str]
    ofsted_judgement: OfstedJudgement
    registered: bool = True


@dataclass(frozen=True)
class TrackRecord:
    placements: int
    unplanned_endings: int
    median_response_hours: float | None


@dataclass(frozen=True)
class Reason:
    met: bool
    text: str
    hard: bool


@dataclass(frozen=True)
class MatchResult:
    candidate: Candidate
    eligible: bool
    score: float
    distance_miles: float | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ScoreWeights:
    distance: float = 35
    specialisms: float = 25
    language_and_culture: float = 15
    ofsted: float = 15
    track_record: float = 10

    @property
    def total(self) -> float:
        return self.distance + self.specialisms + self.language_and_culture + self.ofsted + self.track_record


DEFAULT_WEIGHTS = ScoreWeights()
_OFSTED_SCORE = {
    OfstedJudgement.OUTSTANDING: 1.0,
    OfstedJudgement.GOOD: 0.75,
    OfstedJudgement.REQUIRES_IMPROVEMENT: 0.4,
    OfstedJudgement.NOT_YET_INSPECTED: 0.4,
    OfstedJudgement.INADEQUATE: 0.0,
}


def age_window(profile: ChildProfile) -> tuple[int, int]:
    """Candidates must be approved for this age: min_age <= age <= max_age (an indexed prefilter)."""
    return profile.age_years, profile.age_years


def _words(items: Iterable[object]) -> str:
    return ", ".join(getattr(item, "label", str(item)) for item in sorted(items, key=str))


def _hard_reasons(profile: ChildProfile, c: Candidate, distance: float | None) -> list[Reason]:
    reasons = []
    home = c.kind is ResourceKind.CHILDRENS_HOME
    reasons.append(
        Reason(
            c.min_age <= profile.age_years <= c.max_age,
            f"Approved for ages {c.min_age}-{c.max_age}: the child is {profile.age_years}",
            True,
        )
    )
    if home:
        reasons.append(
            Reason(
                profile.placement_kind.is_residential,
                "A children's home bed"
                + (
                    ""
                    if profile.placement_kind.is_residential
                    else f": the referral asks for {profile.placement_kind.label}"
                ),
                True,
            )
        )
        reasons.append(
            Reason(
                c.registered and c.ofsted_judgement is not OfstedJudgement.INADEQUATE,
                f"Ofsted registration: {c.ofsted_judgement.label}",
                True,
            )
        )
    else:
        kind_ok = profile.placement_kind in c.placement_kinds
        reasons.append(
            Reason(
                kind_ok, f"{'Approved' if kind_ok else 'Not approved'} for {profile.placement_kind.label.lower()}", True
            )
        )
        duration_ok = profile.duration in c.durations
        reasons.append(
            Reason(
                duration_ok,
                f"{'Takes' if duration_ok else 'Does not take'} {profile.duration.label.lower()} placements",
                True,
            )
        )
    free = c.free_from is not None and c.free_from <= profile.required_by
    if c.free_from is None:
        text = "No place known to be free"
    elif free:
        text = f"A place is free from {c.free_from:%d %b %Y}"
    else:
        text = f"No place free until {c.free_from:%d %b %Y}, after the required date"
    reasons.append(Reason(free, text, True))
    spare = c.places - c.children_placed
    group = profile.children
    reasons.append(
        Reason(
            group <= spare,
            f"{spare} of {c.places} places free for {'the child' if group == 1 else f'{group} siblings together'}",
            True,
        )
    )
    if profile.solo:
        reasons.append(
            Reason(
                c.children_placed == 0,
                "Solo placement: no other children placed"
                if c.children_placed == 0
                else f"Solo placement needed, but {c.children_placed} other child(ren) placed",
                True,
            )
        )
    if c.solo_only:
        reasons.append(
            Reason(
                group == 1 and c.children_placed == 0,
                "Solo-only household: one child at a time"
                if group == 1
                else "Solo-only household cannot take siblings",
                True,
            )
        )
    if profile.pets is PetsPreference.MUST:
        reasons.append(
            Reason(
                c.has_pets,
                "Has pets, as the child needs" if c.has_pets else "No pets: the child must live with pets",
                True,
            )
        )
    elif profile.pets is PetsPreference.NO:
        reasons.append(
            Reason(
                not c.has_pets,
                "No pets in the home" if not c.has_pets else "Has pets: the child cannot live with pets",
                True,
            )
        )
    unmanaged = (profile.risks_to_child - c.manageable_risks_to_child) | (
        profile.risks_to_others - c.manageable_risks_to_others
    )
    if profile.risks_to_child or profile.risks_to_others:
        reasons.append(
            Reason(
                not unmanaged,
                "Can manage the risks described" if not unmanaged else f"Cannot manage: {_words(unmanaged)}",
                True,
            )
        )
    missing = profile.adaptations - c.adaptations
    if profile.adaptations:
        reasons.append(
            Reason(
                not missing,
                "Has the adaptations needed" if not missing else f"Missing adaptations: {_words(missing)}",
                True,
            )
        )
    if distance is None:
        reasons.append(Reason(True, f"Distance from {profile.home_district} unknown", True))
    else:
        within = distance <= profile.max_distance_miles
        reasons.append(
            Reason(
                within,
                f"{distance:.0f} miles from home"
                + ("" if within else f", beyond the {profile.max_distance_miles}-mile limit"),
                True,
            )
        )
    return reasons


def _soft(
    profile: ChildProfile, c: Candidate, distance: float | None, track: TrackRecord | None, weights: ScoreWeights
) -> tuple[float, list[Reason]]:
    reasons: list[Reason] = []
    if distance is None:
        distance_score = 0.5
    elif distance <= NEAR_MILES:
        distance_score = 1.0
        reasons.append(Reason(True, f"{distance:.0f} miles from home (within 20 miles)", False))
    else:
        span = max(profile.max_distance_miles - NEAR_MILES, 1.0)
        distance_score = max(0.0, 1 - (distance - NEAR_MILES) / span)
        reasons.append(Reason(False, f"{distance:.0f} miles from home (more than 20 miles)", False))
    if profile.needs:
        met = profile.needs & c.specialisms
        specialism_score = len(met) / len(profile.needs)
        reasons.append(
            Reason(
                bool(met),
                f"Specialisms meet {len(met)} of {len(profile.needs)} needs" + (f": {_words(met)}" if met else ""),
                False,
            )
        )
    else:
        specialism_score = 1.0
    wanted = len(profile.languages) + len(profile.communication_needs) + (1 if profile.faith else 0)
    languages = {lang.lower() for lang in profile.languages} & {lang.lower() for lang in c.languages}
    communication = profile.communication_needs & c.communication
    faith = bool(profile.faith) and profile.faith.strip().lower() in {f.lower() for f in c.faiths}
    for language in sorted(languages):
        reasons.append(Reason(True, f"Speaks {language.title()}", False))
    for need in sorted(profile.communication_needs, key=str):
        reasons.append(
            Reason(need in communication, f"{'Uses' if need in communication else 'Does not use'} {need.label}", False)
        )
    if profile.faith:
        reasons.append(
            Reason(faith, f"{'Shares' if faith else 'Does not share'} the child's faith ({profile.faith})", False)
        )
    culture_score = (len(languages) + len(communication) + int(faith)) / wanted if wanted else 1.0
    ofsted_score = _OFSTED_SCORE[c.ofsted_judgement]
    reasons.append(Reason(ofsted_score >= 0.75, f"Ofsted: {c.ofsted_judgement.label}", False))
    if track is None or (track.placements == 0 and track.median_response_hours is None):
        track_score = 0.5
    else:
        endings = 1 - min(1.0, track.unplanned_endings / track.placements) if track.placements else 0.5
        speed = 0.5 if track.median_response_hours is None else max(0.0, 1 - track.median_response_hours / 48)
        track_score = (endings + speed) / 2
        if track.placements:
            reasons.append(
                Reason(
                    track.unplanned_endings == 0,
                    f"{track.unplanned_endings} unplanned ending(s) in {track.placements} placement(s)",
                    False,
                )
            )
        if track.median_response_hours is not None:
            reasons.append(
                Reason(
                    track.median_response_hours <= 24,
                    f"Usually answers within {track.median_response_hours:.0f} hours",
                    False,
                )
            )
    score = (
        (
            weights.distance * distance_score
            + weights.specialisms * specialism_score
            + weights.language_and_culture * culture_score
            + weights.ofsted * ofsted_score
            + weights.track_record * track_score
        )
        / weights.total
        * 100
    )
    return round(score, 1), reasons


def assess(
    profile: ChildProfile,
    candidate: Candidate,
    distance_miles: float | None,
    track: TrackRecord | None = None,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> MatchResult:
    hard = _hard_reasons(profile, candidate, distance_miles)
    eligible = all(reason.met for reason in hard)
    score, soft = _soft(profile, candidate, distance_miles, track, weights)
    return MatchResult(candidate, eligible, score if eligible else 0.0, distance_miles, tuple(hard + soft))


def rank(
    profile: ChildProfile,
    candidates: Iterable[Candidate],
    distances: Mapping[str, float | None],
    tracks: Mapping[int, TrackRecord] | None = None,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> list[MatchResult]:
    tracks = tracks or {}
    results = [assess(profile, c, distances.get(c.district), tracks.get(c.provider_id), weights) for c in candidates]
    far = float("inf")
    results.sort(
        key=lambda r: (
            not r.eligible,
            -r.score,
            r.distance_miles if r.distance_miles is not None else far,
            r.candidate.label,
        )
    )
    return results


@dataclass(frozen=True)
class OfferForRanking:
    offer_id: int
    match_score: float
    weekly_fee_pence: int


@dataclass(frozen=True)
class RankedOffer:
    offer_id: int
    quality: float
    cost: float
    total: float
    rank: int


def rank_offers(
    offers: Sequence[OfferForRanking], quality_weight_percent: int = 60, cost_weight_percent: int = 40
) -> list[RankedOffer]:
    """Quality and cost weighted as the framework says (e.g. 60/40); the cheapest scores 100 on cost."""
    if quality_weight_percent + cost_weight_percent != 100:
        raise ValueError("Quality and cost weights must add up to 100.")
    if not offers:
        return []
    cheapest = min(offer.weekly_fee_pence for offer in offers)
    scored = []
    for offer in offers:
        cost = 100 * cheapest / offer.weekly_fee_pence if offer.weekly_fee_pence > 0 else 0.0
        total = (quality_weight_percent * offer.match_score + cost_weight_percent * cost) / 100
        scored.append((offer, round(cost, 1), round(total, 1)))
    scored.sort(key=lambda item: (-item[2], item[0].weekly_fee_pence, item[0].offer_id))
    return [
        RankedOffer(offer.offer_id, offer.match_score, cost, total, position)
        for position, (offer, cost, total) in enumerate(scored, start=1)
    ]
