"""Matching a child's anonymised profile to carer households and children's homes.

Pure functions over plain data (DESIGN.md): hard constraints decide
eligibility, soft components score the eligible, and every result says why in
words a duty worker understands. The database narrows candidates first (the
age window, the provider, active resources).

Ranking is the hot path (a whole market can be ranked at once), so eligibility
and score are computed with plain comparisons, and the reasons, which a person
reads for a handful of results, are put into words only when first read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import NamedTuple

from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    CommunicationNeed,
    Duration,
    LabelledEnum,
    LivingAlongside,
    Need,
    OfstedJudgement,
    PetsPreference,
    PlacementKind,
    ResourceKind,
    RiskToChild,
    RiskToOthers,
)

# The DfE reports placements within 20 miles of home; frameworks (D2N2) aim for it.
NEAR_MILES = 20.0
# A provider answering no faster than two tier windows (2 x 24 h) earns nothing for speed.
SLOWEST_RESPONSE_HOURS = 48.0
# Up to one unplanned ending in ten placements still reads as a good record.
GOOD_UNPLANNED_SHARE = 0.1
# Every household in England can speak English with a child; carers list other languages.
_ASSUMED_LANGUAGE = "english"


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
        """The child and the brothers and sisters placed with them."""
        return 1 + self.siblings_to_place_together

    @property
    def solo(self) -> bool:
        return self.placement_kind is PlacementKind.SOLO or self.living_alongside is LivingAlongside.SOLO_RECOMMENDED


class Candidate(NamedTuple):
    """A household or home as matching reads it: a value (read-only, equal when every field is).

    A tuple: an explained ranking builds one for every household whose ages fit, and a repository makes them
    from its columns with tuple.__new__, without a Python __init__ per row (a slotted dataclass's cost 0.45 µs
    a household). Fields are read by name (unpacking all 24 of a tuple subclass costs more than the few
    that eligibility reads).
    """

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
class ScoreWeights:
    """Relative weights of the soft components; any positive total is scaled to 0-100."""

    distance: float = 35
    specialisms: float = 25
    language_and_culture: float = 15
    ofsted: float = 15
    track_record: float = 10

    def __post_init__(self) -> None:
        weights = (self.distance, self.specialisms, self.language_and_culture, self.ofsted, self.track_record)
        if any(weight < 0 for weight in weights) or sum(weights) <= 0:
            raise ValueError("Score weights must be zero or more, and at least one must be above zero.")

    @property
    def total(self) -> float:
        return self.distance + self.specialisms + self.language_and_culture + self.ofsted + self.track_record


DEFAULT_WEIGHTS = ScoreWeights()

_OFSTED_SCORE: dict[OfstedJudgement, float] = {
    OfstedJudgement.OUTSTANDING: 1.0,
    OfstedJudgement.GOOD: 0.75,
    OfstedJudgement.REQUIRES_IMPROVEMENT: 0.4,
    OfstedJudgement.NOT_YET_INSPECTED: 0.4,
    OfstedJudgement.INADEQUATE: 0.0,
}

# "Approved for ..." / "Not approved for ..." reads naturally with these.
_KIND_WORDS: dict[PlacementKind, str] = {
    PlacementKind.CORE_FOSTERING: "core fostering",
    PlacementKind.ENHANCED_FOSTERING: "enhanced or complex fostering",
    PlacementKind.SPECIALIST_FOSTERING: "specialist or therapeutic fostering",
    PlacementKind.PARENT_AND_CHILD: "parent and child placements",
    PlacementKind.SIBLING_GROUP: "sibling groups",
    PlacementKind.SOLO: "solo placements",
    PlacementKind.DISABLED_CHILDREN: "disabled children",
    PlacementKind.STEP_DOWN: "step-down from residential care",
    PlacementKind.CHILDRENS_HOME: "a children's home bed",
}

_DURATION_WORDS: dict[Duration, str] = {
    Duration.EMERGENCY: "emergency placements",
    Duration.SHORT_TERM: "short-term placements",
    Duration.LONG_TERM: "long-term or permanent placements",
    Duration.RESPITE: "respite or short breaks",
    Duration.REMAND: "remand placements",
}

_COMMUNICATION_WORDS: dict[CommunicationNeed, tuple[str, str]] = {
    CommunicationNeed.ESOL: (
        "Supports a child learning English (ESOL)",
        "No support for a child learning English (ESOL)",
    ),
    CommunicationNeed.BSL: ("Uses British Sign Language", "Does not use British Sign Language"),
    CommunicationNeed.MAKATON: ("Uses Makaton", "Does not use Makaton"),
    CommunicationNeed.OTHER: (
        "Meets the child's other communication need",
        "Does not meet the child's other communication need",
    ),
}


def age_window(profile: ChildProfile) -> tuple[int, int]:
    """(low, high) for the indexed prefilter min_age <= high and max_age >= low: approval must cover the age."""
    return profile.age_years, profile.age_years


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _in_order(items: Iterable[LabelledEnum]) -> list[LabelledEnum]:
    # Declaration order is the order the referral form shows, so lists read the same everywhere.
    return sorted(items, key=lambda item: list(type(item)).index(item))


def _words(items: Iterable[LabelledEnum]) -> str:
    return ", ".join(item.label for item in _in_order(items))


def _date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _miles(distance: float, *thresholds: float) -> str:
    whole = round(distance)
    # A rounded figure must not contradict the limit written beside it ("20 miles, more than 20 miles").
    if any((whole <= limit) != (distance <= limit) for limit in thresholds):
        return f"{distance:.1f} miles"
    return _plural(whole, "mile")


def _casefolded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().casefold() for value in values)


class _Matcher:
    """One child's profile prepared once, then compared with many candidates."""

    def __init__(self, profile: ChildProfile, weights: ScoreWeights) -> None:
        self.profile = profile
        self.weights = weights
        self.age = profile.age_years
        self.kind = profile.placement_kind
        self.residential = profile.placement_kind.is_residential
        self.duration = profile.duration
        self.required_by = profile.required_by
        self.group = profile.children
        self.solo = profile.solo
        self.pets_must = profile.pets is PetsPreference.MUST
        self.pets_no = profile.pets is PetsPreference.NO
        self.risks_to_child = profile.risks_to_child
        self.risks_to_others = profile.risks_to_others
        self.adaptations = profile.adaptations
        self.max_distance = profile.max_distance_miles
        self.needs = profile.needs
        self.support = profile.additional_support
        self.communication = profile.communication_needs
        # Languages compare case-insensitively, but reasons quote the referral's own spelling.
        self.languages = {language.strip().casefold(): language.strip() for language in profile.languages}
        self.faith = profile.faith.strip().casefold()
        self.culture_wanted = len(self.languages) + len(self.communication) + (1 if self.faith else 0)
        self.specialisms_wanted = len(self.needs) + len(self.support)
        total = weights.total
        self.w_distance = weights.distance / total * 100
        self.w_specialisms = weights.specialisms / total * 100
        self.w_culture = weights.language_and_culture / total * 100
        self.w_ofsted = weights.ofsted / total * 100
        self.w_track = weights.track_record / total * 100
        # Candidates share a handful of language and faith lists; fold each list once, not per candidate.
        self._spoken: dict[frozenset[str], frozenset[str]] = {}
        self._language_counts: dict[frozenset[str], int] = {}
        self._faiths: dict[frozenset[str], bool] = {}

    # --- eligibility and score: the hot path -----------------------------------------

    def eligible(self, c: Candidate, distance: float | None) -> bool:
        # The same rules, in words, are in hard_reasons; tests check that the two agree.
        if not c.min_age <= self.age <= c.max_age:
            return False
        if c.kind is ResourceKind.CHILDRENS_HOME:
            if not self.residential or not c.registered or c.ofsted_judgement is OfstedJudgement.INADEQUATE:
                return False
        elif self.residential or self.kind not in c.placement_kinds or self.duration not in c.durations:
            return False
        if c.free_from is None or c.free_from > self.required_by:
            return False
        if self.group > c.places - c.children_placed:
            return False
        if self.solo and c.children_placed:
            return False
        if c.solo_only and (self.group != 1 or c.children_placed):
            return False
        if c.has_pets:
            if self.pets_no:
                return False
        elif self.pets_must:
            return False
        if self.risks_to_child and not self.risks_to_child <= c.manageable_risks_to_child:
            return False
        if self.risks_to_others and not self.risks_to_others <= c.manageable_risks_to_others:
            return False
        if self.adaptations and not self.adaptations <= c.adaptations:
            return False
        return distance is None or distance <= self.max_distance

    def spoken(self, c: Candidate) -> frozenset[str]:
        spoken = self._spoken.get(c.languages)
        if spoken is None:
            spoken = self._spoken[c.languages] = _casefolded(c.languages) | {_ASSUMED_LANGUAGE}
        return spoken

    def languages_spoken(self, c: Candidate) -> int:
        count = self._language_counts.get(c.languages)
        if count is None:
            count = self._language_counts[c.languages] = len(self.languages.keys() & self.spoken(c))
        return count

    def shares_faith(self, c: Candidate) -> bool:
        shared = self._faiths.get(c.faiths)
        if shared is None:
            shared = self._faiths[c.faiths] = bool(self.faith) and self.faith in _casefolded(c.faiths)
        return shared

    @staticmethod
    def track_score(track: TrackRecord | None) -> float:
        if track is None:
            return 0.5  # new to the exchange: neither rewarded nor punished
        if track.placements > 0:
            endings = 1.0 - min(1.0, track.unplanned_endings / track.placements)
        else:
            endings = 0.5
        if track.median_response_hours is None:
            speed = 0.5
        else:
            speed = min(1.0, max(0.0, 1.0 - track.median_response_hours / SLOWEST_RESPONSE_HOURS))
        return (endings + speed) / 2

    def score(self, c: Candidate, distance: float | None, track_score: float) -> float:
        if distance is None:
            near = 0.5
        elif distance <= NEAR_MILES:
            near = 1.0
        elif self.max_distance > NEAR_MILES:
            near = max(0.0, 1.0 - (distance - NEAR_MILES) / (self.max_distance - NEAR_MILES))
        else:
            near = 0.0
        score = self.w_distance * near + self.w_ofsted * _OFSTED_SCORE[c.ofsted_judgement] + self.w_track * track_score
        # Additional support asked for counts alongside needs: both are what the child needs the carers to bring.
        if self.specialisms_wanted:
            met = len(self.needs & c.specialisms) + len(self.support & c.additional_support)
            score += self.w_specialisms * met / self.specialisms_wanted
        else:
            score += self.w_specialisms
        if self.culture_wanted:
            met = len(self.communication & c.communication) if self.communication else 0
            if self.languages:
                met += self.languages_spoken(c)
            if self.faith and self.shares_faith(c):
                met += 1
            score += self.w_culture * met / self.culture_wanted
        else:
            score += self.w_culture
        # Half-up to one decimal; round(x, 1) is several times slower and scores are never negative.
        return min(1000, int(score * 10 + 0.5)) / 10

    def result(self, c: Candidate, distance: float | None, track: TrackRecord | None) -> MatchResult:
        if self.eligible(c, distance):
            return MatchResult(c, True, self.score(c, distance, self.track_score(track)), distance, self, track)
        return MatchResult(c, False, 0.0, distance, self, track)

    # --- the same, in words ------------------------------------------------------------

    def reasons(self, c: Candidate, distance: float | None, track: TrackRecord | None) -> tuple[Reason, ...]:
        return (*self.hard_reasons(c, distance), *self.soft_reasons(c, distance, track))

    def hard_reasons(self, c: Candidate, distance: float | None) -> list[Reason]:
        p = self.profile
        home = c.kind is ResourceKind.CHILDRENS_HOME
        noun = "home" if home else "household"
        reasons = [
            Reason(
                c.min_age <= self.age <= c.max_age,
                f"Approved for ages {c.min_age}-{c.max_age}: the child is {self.age}",
                True,
            )
        ]
        if home:
            if self.residential:
                reasons.append(Reason(True, "A children's home bed, as the referral asks", True))
            else:
                reasons.append(
                    Reason(False, f"A children's home: the referral asks for {_KIND_WORDS[self.kind]}", True)
                )
            if not c.registered:
                reasons.append(Reason(False, "Not registered with Ofsted", True))
            elif c.ofsted_judgement is OfstedJudgement.INADEQUATE:
                reasons.append(Reason(False, "Judged Inadequate by Ofsted", True))
            else:
                reasons.append(Reason(True, f"Registered with Ofsted ({c.ofsted_judgement.label})", True))
        else:
            if self.residential:
                reasons.append(Reason(False, "A foster household: the referral asks for a children's home bed", True))
            elif self.kind in c.placement_kinds:
                reasons.append(Reason(True, f"Approved for {_KIND_WORDS[self.kind]}", True))
            else:
                reasons.append(Reason(False, f"Not approved for {_KIND_WORDS[self.kind]}", True))
            if self.duration in c.durations:
                reasons.append(Reason(True, f"Takes {_DURATION_WORDS[self.duration]}", True))
            else:
                reasons.append(Reason(False, f"Does not take {_DURATION_WORDS[self.duration]}", True))

        if c.free_from is None:
            reasons.append(Reason(False, "No place known to be free", True))
        elif c.free_from <= self.required_by:
            reasons.append(Reason(True, f"A place is free from {_date(c.free_from)}", True))
        else:
            reasons.append(
                Reason(
                    False,
                    f"No place free until {_date(c.free_from)}: needed by {_date(self.required_by)}",
                    True,
                )
            )

        spare = c.places - c.children_placed
        who = "the child" if self.group == 1 else f"{self.group} siblings together"
        places = f"{max(spare, 0)} of {_plural(c.places, 'place')} free"
        if self.group <= spare:
            reasons.append(Reason(True, f"Room for {who}: {places}", True))
        else:
            reasons.append(Reason(False, f"No room for {who}: {places}", True))

        if self.solo:
            if c.children_placed:
                placed = _plural(c.children_placed, "other child", "other children")
                reasons.append(Reason(False, f"Solo placement needed, but {placed} already placed", True))
            else:
                reasons.append(Reason(True, "Solo placement: no other children placed", True))
        if c.solo_only:
            if self.group != 1:
                reasons.append(Reason(False, f"Solo-only {noun}: cannot take siblings", True))
            elif c.children_placed:
                reasons.append(Reason(False, f"Solo-only {noun}: already has a child placed", True))
            else:
                reasons.append(Reason(True, f"Solo-only {noun}: one child at a time", True))

        if self.pets_must:
            if c.has_pets:
                reasons.append(Reason(True, "Has pets, as the child needs", True))
            else:
                reasons.append(Reason(False, "No pets: the child must live with pets", True))
        elif self.pets_no:
            if c.has_pets:
                reasons.append(Reason(False, "Has pets: the child cannot live with pets", True))
            else:
                reasons.append(Reason(True, f"No pets in the {noun}", True))

        # Risks to the child and to others are kept apart: their enums share values ("other").
        for risks, manageable, whom in (
            (p.risks_to_child, c.manageable_risks_to_child, "the child"),
            (p.risks_to_others, c.manageable_risks_to_others, "others"),
        ):
            if not risks:
                continue
            unmanaged = risks - manageable
            if unmanaged:
                reasons.append(Reason(False, f"Cannot manage risks to {whom}: {_words(unmanaged)}", True))
            else:
                reasons.append(Reason(True, f"Can manage the risks to {whom}: {_words(risks)}", True))

        if p.adaptations:
            missing = p.adaptations - c.adaptations
            if missing:
                reasons.append(Reason(False, f"Missing adaptations: {_words(missing)}", True))
            else:
                reasons.append(Reason(True, f"Has the adaptations needed: {_words(p.adaptations)}", True))

        if distance is None:
            reasons.append(
                Reason(True, f"Distance from {p.home_district} to {c.district} unknown, so not excluded", True)
            )
        elif distance <= self.max_distance:
            reasons.append(Reason(True, f"Within the child's {self.max_distance}-mile limit", True))
        else:
            miles = _miles(distance, self.max_distance)
            reasons.append(Reason(False, f"{miles} from home: beyond the child's {self.max_distance}-mile limit", True))
        return reasons

    def soft_reasons(self, c: Candidate, distance: float | None, track: TrackRecord | None) -> list[Reason]:
        reasons = []
        if distance is None:
            reasons.append(Reason(False, "Distance from home unknown", False))
        elif distance <= NEAR_MILES:
            reasons.append(Reason(True, f"{_miles(distance, NEAR_MILES)} from home (within 20 miles)", False))
        elif distance <= self.max_distance:
            # Judged against this child's own limit: "38 miles (more than 20)" read as a breach of a 40-mile one.
            miles = _miles(distance, NEAR_MILES, self.max_distance)
            text = f"{miles} from home: within the child's {self.max_distance}-mile limit, not within 20 miles"
            reasons.append(Reason(False, text, False))
        else:
            miles = _miles(distance, self.max_distance)
            reasons.append(Reason(False, f"{miles} from home, more than the child's {self.max_distance} miles", False))

        if self.needs:
            met, unmet = self.needs & c.specialisms, self.needs - c.specialisms
            text = f"Specialisms meet {len(met)} of {_plural(len(self.needs), 'need')}"
            if met:
                text += f": {_words(met)}"
            if unmet:
                text += f" (not {_words(unmet)})"
            reasons.append(Reason(not unmet, text, False))
        if self.support:
            met, unmet = self.support & c.additional_support, self.support - c.additional_support
            if not unmet:
                text = f"Offers the support asked for: {_words(met)}"
            elif not met:
                text = f"Does not offer the support asked for: {_words(unmet)}"
            else:
                text = f"Offers {len(met)} of {len(self.support)} kinds of support asked for: {_words(met)}"
                text += f" (not {_words(unmet)})"
            reasons.append(Reason(not unmet, text, False))

        spoken = self.spoken(c)
        for folded, language in sorted(self.languages.items()):
            if folded in spoken:
                reasons.append(Reason(True, f"Speaks {language}", False))
            else:
                reasons.append(Reason(False, f"Does not speak {language}", False))
        for need in _in_order(self.communication):
            met_text, unmet_text = _COMMUNICATION_WORDS[need]
            if need in c.communication:
                reasons.append(Reason(True, met_text, False))
            else:
                reasons.append(Reason(False, unmet_text, False))
        if self.faith:
            faith = self.profile.faith.strip()
            if self.shares_faith(c):
                reasons.append(Reason(True, f"Shares the child's faith ({faith})", False))
            else:
                reasons.append(Reason(False, f"Does not share the child's faith ({faith})", False))

        judgement = c.ofsted_judgement
        reasons.append(Reason(_OFSTED_SCORE[judgement] >= 0.75, f"Ofsted: {judgement.label}", False))

        if track is None or (track.placements == 0 and track.median_response_hours is None):
            reasons.append(Reason(False, "No track record on the exchange yet", False))
        else:
            if track.placements:
                share = track.unplanned_endings / track.placements
                text = (
                    f"{_plural(track.unplanned_endings, 'unplanned ending')} "
                    f"in {_plural(track.placements, 'placement')}"
                )
                reasons.append(Reason(share <= GOOD_UNPLANNED_SHARE, text, False))
            hours = track.median_response_hours
            if hours is not None:
                within = "an hour" if hours <= 1 else _plural(round(hours), "hour")
                reasons.append(Reason(hours <= 24, f"Usually answers referrals within {within}", False))
        return reasons


class MatchResult(tuple):
    """A candidate's eligibility and score, with the reasons (put into words when first read).

    A value, as a frozen dataclass would be (read-only fields; equal when candidate, eligibility, score and
    distance are), but a tuple underneath: an explained ranking makes one for every household whose ages fit,
    and tuple.__new__ makes it several times faster than a frozen dataclass's __init__ sets its fields.
    """

    def __new__(
        cls,
        candidate: Candidate,
        eligible: bool,
        score: float,
        distance_miles: float | None,
        _matcher: _Matcher,
        _track: TrackRecord | None = None,
    ) -> MatchResult:
        return tuple.__new__(cls, (candidate, eligible, score, distance_miles, _matcher, _track))

    candidate: Candidate = property(itemgetter(0))  # type: ignore[assignment]
    eligible: bool = property(itemgetter(1))  # type: ignore[assignment]
    score: float = property(itemgetter(2))  # type: ignore[assignment]
    distance_miles: float | None = property(itemgetter(3))  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchResult):
            return NotImplemented
        return self[:4] == other[:4]

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self[:4])

    def __repr__(self) -> str:
        candidate, eligible, score, distance = self[:4]
        return (
            f"MatchResult(candidate={candidate!r}, eligible={eligible!r}, score={score!r}, distance_miles={distance!r})"
        )

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        candidate, _, _, distance, matcher, track = self
        return matcher.reasons(candidate, distance, track)

    @property
    def unmet(self) -> tuple[Reason, ...]:
        """The hard constraints that rule the candidate out, e.g. for a decline or an exclusion note."""
        return tuple(reason for reason in self.reasons if reason.hard and not reason.met)


def assess(
    profile: ChildProfile,
    candidate: Candidate,
    distance_miles: float | None,
    track: TrackRecord | None = None,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> MatchResult:
    return _Matcher(profile, weights).result(candidate, distance_miles, track)


_FAR = float("inf")
_LABEL = attrgetter("label")
_PROVIDER = attrgetter("provider_id")


def _chosen_order(result: MatchResult) -> tuple[float, float, str]:
    candidate, _, score, distance = result[:4]  # by position: a tuple's items, without the properties' calls
    return (-score, _FAR if distance is None else distance, candidate.label)


def _far_last(distance: float | None) -> float:
    return _FAR if distance is None else distance


def rank(
    profile: ChildProfile,
    candidates: Iterable[Candidate],
    distances: Mapping[str, float | None],
    tracks: Mapping[int, TrackRecord] | None = None,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> list[MatchResult]:
    """Eligible first, best score first, then nearest (unknown distance last), then by label."""
    matcher = _Matcher(profile, weights)
    eligible = matcher.eligible
    score = matcher.score
    track_score = matcher.track_score
    distance_of = distances.get
    track_of = (tracks or {}).get
    track_scores: dict[int, float] = {}
    new_result = tuple.__new__  # what MatchResult.__new__ does, without its Python call
    chosen: list[MatchResult] = []
    # The ineligible, by their distance: most of an explained ranking. They all score 0, so their order is
    # nearest first, then by label; a few distances (one per district) are sorted, and each one's
    # candidates by label alone, without a key made for every one of thousands.
    excluded: dict[float | None, list[Candidate]] = {}
    for c in candidates:
        distance = distance_of(c.district)
        if eligible(c, distance):
            track = track_of(c.provider_id)
            points = track_scores.get(c.provider_id)
            if points is None:
                points = track_scores[c.provider_id] = track_score(track)
            chosen.append(new_result(MatchResult, (c, True, score(c, distance, points), distance, matcher, track)))
        else:
            group = excluded.get(distance)
            if group is None:
                group = excluded[distance] = []
            group.append(c)
    chosen.sort(key=_chosen_order)
    for distance in sorted(excluded, key=_far_last):
        group = excluded[distance]
        group.sort(key=_LABEL)
        chosen.extend(
            map(
                new_result,
                repeat(MatchResult),
                zip(
                    group,
                    repeat(False),
                    repeat(0.0),
                    repeat(distance),
                    repeat(matcher),
                    map(track_of, map(_PROVIDER, group)),
                ),
            )
        )
    return chosen


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
    """Quality and cost weighted as the framework says (e.g. 60/40); the cheapest offer scores 100 on cost."""
    if quality_weight_percent < 0 or cost_weight_percent < 0 or quality_weight_percent + cost_weight_percent != 100:
        raise ValueError(
            f"Quality and cost weights must be zero or more and add up to 100 "
            f"(given {quality_weight_percent} and {cost_weight_percent})."
        )
    if not offers:
        return []
    # A fee of zero or less is a data error, not a bargain: it scores nothing on cost and sets no benchmark.
    fees = [offer.weekly_fee_pence for offer in offers if offer.weekly_fee_pence > 0]
    cheapest = min(fees) if fees else 0
    scored = []
    for offer in offers:
        cost = 100 * cheapest / offer.weekly_fee_pence if offer.weekly_fee_pence > 0 else 0.0
        total = (quality_weight_percent * offer.match_score + cost_weight_percent * cost) / 100
        # Rounded before ordering so that offers the council sees as level are ordered by fee, not by noise.
        scored.append((offer, round(cost, 1), round(total, 1)))
    scored.sort(key=lambda item: (-item[2], item[0].weekly_fee_pence, item[0].offer_id))
    return [
        RankedOffer(offer.offer_id, offer.match_score, cost, total, position)
        for position, (offer, cost, total) in enumerate(scored, start=1)
    ]


def explain_ranking(
    ranked: Sequence[RankedOffer], quality_weight_percent: int = 60, cost_weight_percent: int = 40
) -> dict[int, str]:
    """Why each offer has its rank, in words: its weighted score, and what sets it apart from its neighbour.

    A council reading "fit 83.7" ranked above "fit 84.3" sees that the dearer offer lost on cost.
    """
    by_rank = {offer.rank: offer for offer in ranked}
    explained = {}
    for offer in ranked:
        text = (
            f"Score {offer.total:.1f} = fit {offer.quality:.1f} × {quality_weight_percent}% "
            f"+ cost {offer.cost:.1f} × {cost_weight_percent}% (the framework's weighting; "
            "the lowest weekly fee scores 100 on cost, dearer ones less in proportion)."
        )
        neighbour = by_rank.get(offer.rank + 1 if offer.rank == 1 else offer.rank - 1)
        if neighbour is not None:
            text += " " + _against(offer, neighbour)
        explained[offer.offer_id] = text
    return explained


def _against(offer: RankedOffer, other: RankedOffer) -> str:
    above = offer.rank < other.rank
    place = "Above" if above else "Below"
    if offer.total == other.total:
        return f"{place} rank {other.rank} on the same score: the lower weekly fee goes first."
    fit, cost = (offer.quality, other.quality), (offer.cost, other.cost)
    if above and fit[0] < fit[1]:
        return (
            f"Above rank {other.rank} despite a lower fit ({fit[0]:.1f} against {fit[1]:.1f}): "
            f"its lower fee scores {cost[0]:.1f} on cost against {cost[1]:.1f}."
        )
    if above and cost[0] < cost[1]:
        return f"Above rank {other.rank} despite a higher fee: its fit is {fit[0]:.1f} against {fit[1]:.1f}."
    if above:
        return f"Above rank {other.rank} on both fit and cost."
    if fit[0] > fit[1]:
        return (
            f"Below rank {other.rank} despite a higher fit ({fit[0]:.1f} against {fit[1]:.1f}): "
            f"its higher fee scores {cost[0]:.1f} on cost against {cost[1]:.1f}."
        )
    if cost[0] > cost[1]:
        return f"Below rank {other.rank} despite a lower fee: its fit is {fit[0]:.1f} against {fit[1]:.1f}."
    return f"Below rank {other.rank} on both fit and cost."
