"""Matching a child to carer households and children's homes: who can take the child, who fits best, and why."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from server.domain.matching import (
    DEFAULT_WEIGHTS,
    Candidate,
    ChildProfile,
    MatchResult,
    OfferForRanking,
    RankedOffer,
    Reason,
    ScoreWeights,
    TrackRecord,
    age_window,
    assess,
    rank,
    rank_offers,
)
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

REQUIRED_BY = date(2026, 6, 1)


def child(**changes: object) -> ChildProfile:
    """A 14-year-old needing long-term core fostering within 30 miles of Chatham, nothing else asked."""
    base = ChildProfile(
        age_years=14,
        placement_kind=PlacementKind.CORE_FOSTERING,
        duration=Duration.LONG_TERM,
        siblings_to_place_together=0,
        home_district="ME4",
        max_distance_miles=30,
        needs=frozenset(),
        risks_to_child=frozenset(),
        risks_to_others=frozenset(),
        communication_needs=frozenset(),
        languages=frozenset(),
        adaptations=frozenset(),
        faith="",
        living_alongside=LivingAlongside.NO_PREFERENCE,
        pets=PetsPreference.UNKNOWN,
        additional_support=frozenset(),
        required_by=REQUIRED_BY,
    )
    return replace(base, **changes)


def household(**changes: object) -> Candidate:
    """An empty two-place household approved for ages 8-17, core fostering and sibling groups."""
    base = Candidate(
        kind=ResourceKind.CARER_HOUSEHOLD,
        id=1,
        provider_id=10,
        label="HH-0001",
        district="ME5",
        min_age=8,
        max_age=17,
        places=2,
        children_placed=0,
        free_from=date(2026, 5, 1),
        placement_kinds=frozenset({PlacementKind.CORE_FOSTERING, PlacementKind.SIBLING_GROUP}),
        durations=frozenset({Duration.SHORT_TERM, Duration.LONG_TERM}),
        languages=frozenset(),
        communication=frozenset(),
        adaptations=frozenset(),
        has_pets=False,
        solo_only=False,
        manageable_risks_to_child=frozenset(),
        manageable_risks_to_others=frozenset(),
        specialisms=frozenset(),
        additional_support=frozenset(),
        faiths=frozenset(),
        ofsted_judgement=OfstedJudgement.GOOD,
    )
    return base._replace(**changes)


def home(**changes: object) -> Candidate:
    """A four-bed children's home, two children living there, judged Good."""
    base = household(
        kind=ResourceKind.CHILDRENS_HOME,
        id=2,
        label="Oak House",
        min_age=10,
        max_age=17,
        places=4,
        children_placed=2,
        placement_kinds=frozenset({PlacementKind.CHILDRENS_HOME}),
        durations=frozenset(Duration),
    )
    return base._replace(**changes)


def residential(**changes: object) -> ChildProfile:
    return child(placement_kind=PlacementKind.CHILDRENS_HOME, **changes)


def reason(result: MatchResult, text: str) -> Reason:
    found = [r for r in result.reasons if r.text == text]
    assert found, f"no reason {text!r} in {[r.text for r in result.reasons]}"
    return found[0]


def only(**weights: float) -> ScoreWeights:
    """Weights that score one component alone, so the score is that component x 100."""
    zero = {"distance": 0, "specialisms": 0, "language_and_culture": 0, "ofsted": 0, "track_record": 0}
    return ScoreWeights(**{**zero, **weights})


# --- hard constraints: each one both ways -------------------------------------------------------

HARD = [
    # age
    pytest.param(
        child(), household(), 12.0, True, "Approved for ages 8-17: the child is 14", id="household approved for the age"
    ),
    pytest.param(
        child(age_years=17),
        household(),
        12.0,
        True,
        "Approved for ages 8-17: the child is 17",
        id="oldest approved age",
    ),
    pytest.param(
        child(age_years=8),
        household(),
        12.0,
        True,
        "Approved for ages 8-17: the child is 8",
        id="youngest approved age",
    ),
    pytest.param(
        child(age_years=14),
        household(max_age=12),
        12.0,
        False,
        "Approved for ages 8-12: the child is 14",
        id="household approved only for younger children cannot take a teenager",
    ),
    pytest.param(
        child(age_years=5),
        household(),
        12.0,
        False,
        "Approved for ages 8-17: the child is 5",
        id="household approved for older children cannot take a five year old",
    ),
    # placement kind
    pytest.param(
        child(), household(), 12.0, True, "Approved for core fostering", id="household approved for core fostering"
    ),
    pytest.param(
        child(placement_kind=PlacementKind.PARENT_AND_CHILD),
        household(),
        12.0,
        False,
        "Not approved for parent and child placements",
        id="household not approved for parent and child",
    ),
    pytest.param(
        child(placement_kind=PlacementKind.SOLO),
        household(),
        12.0,
        False,
        "Not approved for solo placements",
        id="household not approved for solo placements",
    ),
    pytest.param(
        residential(),
        household(placement_kinds=frozenset(PlacementKind)),
        12.0,
        False,
        "A foster household: the referral asks for a children's home bed",
        id="foster household cannot fill a children's home referral",
    ),
    pytest.param(
        child(),
        home(),
        12.0,
        False,
        "A children's home: the referral asks for core fostering",
        id="children's home cannot fill a fostering referral",
    ),
    pytest.param(
        residential(),
        home(),
        12.0,
        True,
        "A children's home bed, as the referral asks",
        id="children's home fills a children's home referral",
    ),
    # duration
    pytest.param(
        child(), household(), 12.0, True, "Takes long-term or permanent placements", id="household takes long term"
    ),
    pytest.param(
        child(duration=Duration.REMAND),
        household(),
        12.0,
        False,
        "Does not take remand placements",
        id="household that does not take remand cannot take a remanded child",
    ),
    pytest.param(
        child(duration=Duration.EMERGENCY),
        household(durations=frozenset({Duration.EMERGENCY})),
        12.0,
        True,
        "Takes emergency placements",
        id="emergency carers take an emergency",
    ),
    pytest.param(
        residential(duration=Duration.REMAND),
        home(durations=frozenset()),
        12.0,
        True,
        "A children's home bed, as the referral asks",
        id="children's home takes any duration",
    ),
    # a place free in time
    pytest.param(
        child(), household(), 12.0, True, "A place is free from 1 May 2026", id="place free before it is needed"
    ),
    pytest.param(
        child(),
        household(free_from=REQUIRED_BY),
        12.0,
        True,
        "A place is free from 1 Jun 2026",
        id="place free on the day it is needed",
    ),
    pytest.param(
        child(),
        household(free_from=date(2026, 6, 2)),
        12.0,
        False,
        "No place free until 2 Jun 2026: needed by 1 Jun 2026",
        id="place free the day after it is needed is too late",
    ),
    pytest.param(
        child(),
        household(free_from=None),
        12.0,
        False,
        "No place known to be free",
        id="household with no place known free",
    ),
    # room for the child and siblings
    pytest.param(child(), household(), 12.0, True, "Room for the child: 2 of 2 places free", id="room for one child"),
    pytest.param(
        child(siblings_to_place_together=2),
        household(places=4, children_placed=1),
        12.0,
        True,
        "Room for 3 siblings together: 3 of 4 places free",
        id="room to keep three siblings together",
    ),
    pytest.param(
        child(siblings_to_place_together=2),
        household(places=3, children_placed=1),
        12.0,
        False,
        "No room for 3 siblings together: 2 of 3 places free",
        id="household cannot split a sibling group for lack of room",
    ),
    pytest.param(
        child(),
        household(places=1, children_placed=1),
        12.0,
        False,
        "No room for the child: 0 of 1 place free",
        id="full household has no room",
    ),
    pytest.param(
        residential(),
        home(places=4, children_placed=4),
        12.0,
        False,
        "No room for the child: 0 of 4 places free",
        id="full children's home has no bed",
    ),
    # solo, both ways
    pytest.param(
        child(living_alongside=LivingAlongside.SOLO_RECOMMENDED),
        household(),
        12.0,
        True,
        "Solo placement: no other children placed",
        id="child recommended to live alone goes to an empty household",
    ),
    pytest.param(
        child(living_alongside=LivingAlongside.SOLO_RECOMMENDED),
        household(places=3, children_placed=1),
        12.0,
        False,
        "Solo placement needed, but 1 other child already placed",
        id="child recommended to live alone cannot join a household with a child placed",
    ),
    pytest.param(
        child(placement_kind=PlacementKind.SOLO),
        household(placement_kinds=frozenset({PlacementKind.SOLO}), places=3, children_placed=2),
        12.0,
        False,
        "Solo placement needed, but 2 other children already placed",
        id="solo placement cannot join two children already placed",
    ),
    pytest.param(
        residential(living_alongside=LivingAlongside.SOLO_RECOMMENDED),
        home(children_placed=0, solo_only=True, places=1),
        12.0,
        True,
        "Solo placement: no other children placed",
        id="solo children's home for a child recommended to live alone",
    ),
    pytest.param(
        residential(living_alongside=LivingAlongside.SOLO_RECOMMENDED),
        home(),
        12.0,
        False,
        "Solo placement needed, but 2 other children already placed",
        id="child recommended to live alone cannot have a bed in a shared home",
    ),
    pytest.param(
        child(),
        household(solo_only=True, places=1),
        12.0,
        True,
        "Solo-only household: one child at a time",
        id="solo-only household takes a single child",
    ),
    pytest.param(
        child(siblings_to_place_together=1),
        household(solo_only=True, places=3),
        12.0,
        False,
        "Solo-only household: cannot take siblings",
        id="solo-only household cannot take siblings",
    ),
    pytest.param(
        child(),
        household(solo_only=True, places=2, children_placed=1),
        12.0,
        False,
        "Solo-only household: already has a child placed",
        id="solo-only household with a child placed cannot take another",
    ),
    # pets
    pytest.param(
        child(pets=PetsPreference.MUST),
        household(has_pets=False),
        12.0,
        False,
        "No pets: the child must live with pets",
        id="household without pets cannot take child who must live with pets",
    ),
    pytest.param(
        child(pets=PetsPreference.MUST),
        household(has_pets=True),
        12.0,
        True,
        "Has pets, as the child needs",
        id="household with pets for child who must live with pets",
    ),
    pytest.param(
        child(pets=PetsPreference.NO),
        household(has_pets=True),
        12.0,
        False,
        "Has pets: the child cannot live with pets",
        id="household with pets cannot take child who cannot live with pets",
    ),
    pytest.param(
        child(pets=PetsPreference.NO),
        household(has_pets=False),
        12.0,
        True,
        "No pets in the household",
        id="household without pets for child who cannot live with pets",
    ),
    # risks
    pytest.param(
        child(risks_to_child=frozenset({RiskToChild.GOING_MISSING, RiskToChild.CRIMINAL_EXPLOITATION})),
        household(manageable_risks_to_child=frozenset({RiskToChild.GOING_MISSING})),
        12.0,
        False,
        "Cannot manage risks to the child: Criminal exploitation",
        id="household that cannot manage criminal exploitation cannot take an exploited child",
    ),
    pytest.param(
        child(risks_to_child=frozenset({RiskToChild.GOING_MISSING, RiskToChild.CRIMINAL_EXPLOITATION})),
        household(manageable_risks_to_child=frozenset(RiskToChild)),
        12.0,
        True,
        "Can manage the risks to the child: Criminal exploitation, Going missing",
        id="household trained for exploitation and missing episodes",
    ),
    pytest.param(
        child(risks_to_others=frozenset({RiskToOthers.FIRE_SETTING})),
        household(manageable_risks_to_others=frozenset({RiskToOthers.PHYSICAL_HARM})),
        12.0,
        False,
        "Cannot manage risks to others: Fire-setting",
        id="household that cannot manage fire-setting",
    ),
    pytest.param(
        child(risks_to_others=frozenset({RiskToOthers.HARM_TO_ANIMALS})),
        household(manageable_risks_to_others=frozenset({RiskToOthers.HARM_TO_ANIMALS})),
        12.0,
        True,
        "Can manage the risks to others: Harm to animals",
        id="household that can manage harm to animals",
    ),
    pytest.param(
        child(risks_to_child=frozenset({RiskToChild.OTHER}), risks_to_others=frozenset({RiskToOthers.OTHER})),
        household(manageable_risks_to_child=frozenset({RiskToChild.OTHER})),
        12.0,
        False,
        "Cannot manage risks to others: Other risk to others or property",
        id="other risk to the child managed does not cover other risk to others",
    ),
    # distance
    pytest.param(child(), household(), 30.0, True, "Within the child's 30-mile limit", id="at the distance limit"),
    pytest.param(
        child(),
        household(),
        31.0,
        False,
        "31 miles from home: beyond the child's 30-mile limit",
        id="beyond the distance limit",
    ),
    pytest.param(
        child(),
        household(),
        30.4,
        False,
        "30.4 miles from home: beyond the child's 30-mile limit",
        id="just beyond the limit is not rounded into it",
    ),
    pytest.param(
        child(),
        household(district="ZZ9"),
        None,
        True,
        "Distance from ME4 to ZZ9 unknown, so not excluded",
        id="unknown distance does not exclude",
    ),
    # children's home registration
    pytest.param(
        residential(),
        home(ofsted_judgement=OfstedJudgement.INADEQUATE),
        12.0,
        False,
        "Judged Inadequate by Ofsted",
        id="inadequate children's home cannot take a child",
    ),
    pytest.param(
        residential(),
        home(registered=False),
        12.0,
        False,
        "Not registered with Ofsted",
        id="unregistered children's home cannot take a child",
    ),
    pytest.param(
        residential(),
        home(ofsted_judgement=OfstedJudgement.NOT_YET_INSPECTED),
        12.0,
        True,
        "Registered with Ofsted (Not yet inspected)",
        id="newly registered children's home can take a child",
    ),
    pytest.param(
        residential(),
        home(ofsted_judgement=OfstedJudgement.REQUIRES_IMPROVEMENT),
        12.0,
        True,
        "Registered with Ofsted (Requires improvement to be good)",
        id="children's home requiring improvement can take a child",
    ),
    # adaptations
    pytest.param(
        child(adaptations=frozenset({Adaptation.WHEELCHAIR_ACCESS, Adaptation.HOIST})),
        household(adaptations=frozenset({Adaptation.WHEELCHAIR_ACCESS})),
        12.0,
        False,
        "Missing adaptations: Hoist / moving and handling equipment",
        id="household without a hoist cannot take a child who needs one",
    ),
    pytest.param(
        child(adaptations=frozenset({Adaptation.WHEELCHAIR_ACCESS})),
        household(adaptations=frozenset({Adaptation.WHEELCHAIR_ACCESS, Adaptation.GROUND_FLOOR_BEDROOM})),
        12.0,
        True,
        "Has the adaptations needed: Wheelchair access",
        id="wheelchair accessible household",
    ),
]


@pytest.mark.parametrize(("profile", "candidate", "distance", "eligible", "text"), HARD)
def test_hard_constraint(
    profile: ChildProfile, candidate: Candidate, distance: float | None, eligible: bool, text: str
) -> None:
    result = assess(profile, candidate, distance)
    assert result.eligible is eligible
    assert reason(result, text) == Reason(eligible, text, True)
    # Exactly the one constraint the row is about decides it.
    assert [r.text for r in result.unmet] == ([] if eligible else [text])
    if not eligible:
        assert result.score == 0.0
    else:
        assert result.score > 0.0


@pytest.mark.parametrize("pets", [PetsPreference.CAN, PetsPreference.UNKNOWN])
@pytest.mark.parametrize("has_pets", [True, False])
def test_pets_do_not_matter_when_the_child_can_live_with_them_or_nobody_knows(
    pets: PetsPreference, has_pets: bool
) -> None:
    result = assess(child(pets=pets), household(has_pets=has_pets), 12.0)
    assert result.eligible
    assert not any("pets" in r.text for r in result.reasons)


def test_child_without_risks_adaptations_or_solo_needs_gets_no_reasons_about_them() -> None:
    texts = [r.text for r in assess(child(), household(), 12.0).reasons]
    assert not any(word in text for text in texts for word in ("risk", "adaptation", "Solo", "pets"))


def test_every_unmet_constraint_is_listed() -> None:
    profile = child(pets=PetsPreference.MUST, risks_to_others=frozenset({RiskToOthers.FIRE_SETTING}))
    result = assess(profile, household(max_age=12, free_from=None), 45.0)
    assert [r.text for r in result.unmet] == [
        "Approved for ages 8-12: the child is 14",
        "No place known to be free",
        "No pets: the child must live with pets",
        "Cannot manage risks to others: Fire-setting",
        "45 miles from home: beyond the child's 30-mile limit",
    ]
    assert not result.eligible and result.score == 0.0


def _random_candidate(rng: random.Random, number: int) -> Candidate:
    """Mostly a household that could take the default child, with each attribute sometimes changed."""

    def sometimes(usual: object, other: object) -> object:
        return other if rng.random() < 0.15 else usual

    def some(values: list, most: int) -> frozenset:
        return frozenset(rng.sample(values, rng.randint(0, most)))

    places = rng.randint(1, 4)
    return household(
        kind=sometimes(ResourceKind.CARER_HOUSEHOLD, ResourceKind.CHILDRENS_HOME),
        id=number,
        label=f"R-{number:05d}",
        min_age=sometimes(8, rng.randint(0, 18)),
        max_age=sometimes(17, rng.randint(0, 18)),
        places=places,
        children_placed=sometimes(0, rng.randint(0, places)),
        free_from=rng.choice([None, date(2026, 5, 1), REQUIRED_BY, date(2026, 7, 1), date(2026, 1, 1)]),
        placement_kinds=sometimes(frozenset(PlacementKind), some(list(PlacementKind), 4)),
        durations=sometimes(frozenset(Duration), some(list(Duration), 3)),
        adaptations=some(list(Adaptation), 4),
        has_pets=rng.random() < 0.5,
        solo_only=rng.random() < 0.2,
        manageable_risks_to_child=sometimes(frozenset(RiskToChild), some(list(RiskToChild), 4)),
        manageable_risks_to_others=sometimes(frozenset(RiskToOthers), some(list(RiskToOthers), 3)),
        ofsted_judgement=rng.choice(list(OfstedJudgement)),
        registered=rng.random() < 0.9,
    )


def _random_child(rng: random.Random) -> ChildProfile:
    return child(
        age_years=rng.choice([rng.randint(0, 18), 14]),
        placement_kind=rng.choice([*PlacementKind, PlacementKind.CORE_FOSTERING, PlacementKind.CORE_FOSTERING]),
        duration=rng.choice(list(Duration)),
        siblings_to_place_together=rng.choice([0, 0, 1, 2]),
        living_alongside=rng.choice(list(LivingAlongside)),
        pets=rng.choice(list(PetsPreference)),
        risks_to_child=frozenset(rng.sample(list(RiskToChild), rng.randint(0, 2))),
        risks_to_others=frozenset(rng.sample(list(RiskToOthers), rng.randint(0, 1))),
        adaptations=frozenset(rng.sample(list(Adaptation), rng.randint(0, 1))),
    )


def test_eligibility_always_agrees_with_the_constraints_shown() -> None:
    rng = random.Random(20260401)
    eligible_seen = 0
    for number in range(3000):
        profile = _random_child(rng)
        distance = rng.choice([None, 5.0, 19.6, 20.4, 29.9, 30.0, 30.2, 55.0])
        result = assess(profile, _random_candidate(rng, number), distance)
        hard = [r for r in result.reasons if r.hard]
        assert result.eligible == all(r.met for r in hard), [r.text for r in hard]
        eligible_seen += result.eligible
    assert 100 < eligible_seen < 2900  # the sample exercises both outcomes


# --- soft score: each component on its own -------------------------------------------------------


@pytest.mark.parametrize(
    ("distance", "score", "text", "met"),
    [
        pytest.param(0.0, 100.0, "0 miles from home (within 20 miles)", True, id="same district"),
        pytest.param(1.2, 100.0, "1 mile from home (within 20 miles)", True, id="one mile"),
        pytest.param(
            12.0, 100.0, "12 miles from home (within 20 miles)", True, id="twelve miles is strongly preferred"
        ),
        pytest.param(20.0, 100.0, "20 miles from home (within 20 miles)", True, id="twenty miles still full marks"),
        pytest.param(
            20.3,
            97.0,
            "20.3 miles from home: within the child's 30-mile limit, not within 20 miles",
            False,
            id="just over 20 is not rounded down",
        ),
        pytest.param(
            25.0,
            50.0,
            "25 miles from home: within the child's 30-mile limit, not within 20 miles",
            False,
            id="halfway to the limit",
        ),
        pytest.param(
            30.0,
            0.0,
            "30 miles from home: within the child's 30-mile limit, not within 20 miles",
            False,
            id="at the limit scores nothing",
        ),
        pytest.param(
            38.0,
            0.0,
            "38 miles from home, more than the child's 30 miles",
            False,
            id="past the child's own limit, said against it",
        ),
        pytest.param(None, 50.0, "Distance from home unknown", False, id="unknown distance is scored halfway"),
    ],
)
def test_distance_component(distance: float | None, score: float, text: str, met: bool) -> None:
    result = assess(child(), household(), distance, weights=only(distance=1))
    assert result.score == score
    assert reason(result, text) == Reason(met, text, False)


def test_distance_within_20_miles_scores_full_when_the_limit_is_20() -> None:
    result = assess(child(max_distance_miles=20), household(), 19.0, weights=only(distance=1))
    assert result.score == 100.0


@pytest.mark.parametrize(
    ("needs", "support", "specialisms", "offered", "score", "texts"),
    [
        pytest.param(
            {Need.TRAUMA, Need.GOING_MISSING, Need.SELF_HARM},
            set(),
            {Need.TRAUMA, Need.GOING_MISSING, Need.AUTISM},
            set(),
            66.7,
            [(False, "Specialisms meet 2 of 3 needs: Trauma, Going missing (not Self-harm)")],
            id="specialisms meet two of three needs",
        ),
        pytest.param(
            {Need.SEXUAL_EXPLOITATION},
            set(),
            {Need.SEXUAL_EXPLOITATION},
            set(),
            100.0,
            [(True, "Specialisms meet 1 of 1 need: Sexual exploitation")],
            id="specialism meets the one need",
        ),
        pytest.param(
            {Need.AUTISM, Need.LEARNING_DISABILITY},
            set(),
            set(),
            set(),
            0.0,
            [(False, "Specialisms meet 0 of 2 needs (not Learning disability, Autism)")],
            id="no specialism for the needs",
        ),
        pytest.param(
            set(),
            set(),
            {Need.TRAUMA},
            set(),
            100.0,
            [],
            id="child with no needs recorded",
        ),
        pytest.param(
            {Need.TRAUMA},
            {AdditionalSupport.THERAPEUTIC_SUPPORT, AdditionalSupport.TRANSPORT_TO_SCHOOL},
            {Need.TRAUMA},
            {AdditionalSupport.THERAPEUTIC_SUPPORT},
            66.7,
            [
                (True, "Specialisms meet 1 of 1 need: Trauma"),
                (False, "Offers 1 of 2 kinds of support asked for: Therapeutic support (not Transport to school)"),
            ],
            id="support asked for counts with the needs",
        ),
        pytest.param(
            set(),
            {AdditionalSupport.RESPITE_WORKER},
            set(),
            {AdditionalSupport.RESPITE_WORKER},
            100.0,
            [(True, "Offers the support asked for: Respite worker")],
            id="offers the respite worker asked for",
        ),
        pytest.param(
            set(),
            {AdditionalSupport.EXTRA_SUPERVISION},
            set(),
            set(),
            0.0,
            [(False, "Does not offer the support asked for: Extra supervision")],
            id="does not offer extra supervision",
        ),
    ],
)
def test_specialisms_component(
    needs: set[Need],
    support: set[AdditionalSupport],
    specialisms: set[Need],
    offered: set[AdditionalSupport],
    score: float,
    texts: list[tuple[bool, str]],
) -> None:
    profile = child(needs=frozenset(needs), additional_support=frozenset(support))
    candidate = household(specialisms=frozenset(specialisms), additional_support=frozenset(offered))
    result = assess(profile, candidate, 12.0, weights=only(specialisms=1))
    assert result.score == score
    soft = [(r.met, r.text) for r in result.reasons if not r.hard and ("Specialisms" in r.text or "support" in r.text)]
    assert soft == texts


@pytest.mark.parametrize(
    ("profile_changes", "candidate_changes", "score", "texts"),
    [
        pytest.param(
            {"languages": frozenset({"Arabic"})},
            {"languages": frozenset({"arabic", "French"})},
            100.0,
            [(True, "Speaks Arabic")],
            id="speaks the child's language whatever the spelling case",
        ),
        pytest.param(
            {"languages": frozenset({"Tigrinya", "Arabic"})},
            {"languages": frozenset({"Arabic"})},
            50.0,
            [(True, "Speaks Arabic"), (False, "Does not speak Tigrinya")],
            id="speaks one of two languages",
        ),
        pytest.param(
            {"languages": frozenset({"English"})},
            {"languages": frozenset()},
            100.0,
            [(True, "Speaks English")],
            id="every household speaks English",
        ),
        pytest.param(
            {"communication_needs": frozenset({CommunicationNeed.BSL})},
            {"communication": frozenset({CommunicationNeed.BSL})},
            100.0,
            [(True, "Uses British Sign Language")],
            id="signs with a deaf child",
        ),
        pytest.param(
            {"communication_needs": frozenset({CommunicationNeed.MAKATON, CommunicationNeed.ESOL})},
            {"communication": frozenset({CommunicationNeed.ESOL})},
            50.0,
            [(True, "Supports a child learning English (ESOL)"), (False, "Does not use Makaton")],
            id="supports ESOL but not Makaton",
        ),
        pytest.param(
            {"faith": "Muslim"},
            {"faiths": frozenset({"muslim "})},
            100.0,
            [(True, "Shares the child's faith (Muslim)")],
            id="shares the child's faith whatever the case",
        ),
        pytest.param(
            {"faith": "Sikh"},
            {"faiths": frozenset({"Christian"})},
            0.0,
            [(False, "Does not share the child's faith (Sikh)")],
            id="does not share the child's faith",
        ),
        pytest.param(
            {"languages": frozenset({"Urdu"}), "faith": "Muslim"},
            {"languages": frozenset({"Urdu"})},
            50.0,
            [(True, "Speaks Urdu"), (False, "Does not share the child's faith (Muslim)")],
            id="language met faith not",
        ),
        pytest.param({}, {}, 100.0, [], id="nothing asked on language or culture"),
    ],
)
def test_language_and_culture_component(
    profile_changes: dict[str, object],
    candidate_changes: dict[str, object],
    score: float,
    texts: list[tuple[bool, str]],
) -> None:
    result = assess(
        child(**profile_changes), household(**candidate_changes), 12.0, weights=only(language_and_culture=1)
    )
    assert result.score == score
    culture = [
        (r.met, r.text) for r in result.reasons if r.text.split()[0] in {"Speaks", "Does", "Uses", "Supports", "Shares"}
    ]
    assert culture == texts


@pytest.mark.parametrize(
    ("judgement", "score", "met"),
    [
        (OfstedJudgement.OUTSTANDING, 100.0, True),
        (OfstedJudgement.GOOD, 75.0, True),
        (OfstedJudgement.REQUIRES_IMPROVEMENT, 40.0, False),
        (OfstedJudgement.NOT_YET_INSPECTED, 40.0, False),
    ],
)
def test_ofsted_component(judgement: OfstedJudgement, score: float, met: bool) -> None:
    result = assess(child(), household(ofsted_judgement=judgement), 12.0, weights=only(ofsted=1))
    assert result.score == score
    assert reason(result, f"Ofsted: {judgement.label}") == Reason(met, f"Ofsted: {judgement.label}", False)


def test_inadequate_fostering_agency_scores_nothing_on_ofsted() -> None:
    # Households are not barred by their agency's judgement (the framework's minimum is checked when it
    # broadcasts); they simply score nothing for it.
    result = assess(child(), household(ofsted_judgement=OfstedJudgement.INADEQUATE), 12.0, weights=only(ofsted=1))
    assert result.eligible and result.score == 0.0


@pytest.mark.parametrize(
    ("track", "score", "texts"),
    [
        pytest.param(None, 50.0, [(False, "No track record on the exchange yet")], id="new provider is neutral"),
        pytest.param(
            TrackRecord(0, 0, None), 50.0, [(False, "No track record on the exchange yet")], id="empty record"
        ),
        pytest.param(
            TrackRecord(20, 0, 0.5),
            99.5,
            [(True, "0 unplanned endings in 20 placements"), (True, "Usually answers referrals within an hour")],
            id="no disruptions and answers at once",
        ),
        pytest.param(
            TrackRecord(10, 1, 24.0),
            70.0,
            [(True, "1 unplanned ending in 10 placements"), (True, "Usually answers referrals within 24 hours")],
            id="one in ten ended unplanned, answers within the tier window",
        ),
        pytest.param(
            TrackRecord(4, 2, 48.0),
            25.0,
            [(False, "2 unplanned endings in 4 placements"), (False, "Usually answers referrals within 48 hours")],
            id="half ended unplanned and slow to answer",
        ),
        pytest.param(
            TrackRecord(1, 0, None),
            75.0,
            [(True, "0 unplanned endings in 1 placement")],
            id="one placement and no response times",
        ),
        pytest.param(
            TrackRecord(0, 0, 12.0),
            62.5,
            [(True, "Usually answers referrals within 12 hours")],
            id="answers but never placed",
        ),
    ],
)
def test_track_record_component(track: TrackRecord | None, score: float, texts: list[tuple[bool, str]]) -> None:
    result = assess(child(), household(), 12.0, track, weights=only(track_record=1))
    assert result.score == score
    assert [(r.met, r.text) for r in result.reasons[-len(texts) :]] == texts


def test_fewer_unplanned_endings_and_faster_answers_score_higher() -> None:
    def score(track: TrackRecord) -> float:
        return assess(child(), household(), 12.0, track).score

    assert score(TrackRecord(20, 1, 6.0)) > score(TrackRecord(20, 5, 6.0))
    assert score(TrackRecord(20, 1, 2.0)) > score(TrackRecord(20, 1, 30.0))


def test_default_weights_add_up_to_100() -> None:
    assert DEFAULT_WEIGHTS == ScoreWeights(35, 25, 15, 15, 10)
    assert DEFAULT_WEIGHTS.total == 100


def test_perfect_match_scores_100_and_components_add_up() -> None:
    profile = child(needs=frozenset({Need.TRAUMA}), languages=frozenset({"Polish"}), faith="Catholic")
    best = household(
        specialisms=frozenset({Need.TRAUMA}),
        languages=frozenset({"Polish"}),
        faiths=frozenset({"Catholic"}),
        ofsted_judgement=OfstedJudgement.OUTSTANDING,
    )
    assert assess(profile, best, 3.0, TrackRecord(30, 0, 0.0)).score == 100.0
    # 25 of at most 30 miles halves the distance component (35 -> 17.5); no track record is neutral (10 -> 5).
    assert assess(profile, best, 25.0).score == 100 - 17.5 - 5


def test_weights_are_scaled_to_100_whatever_their_total() -> None:
    doubled = ScoreWeights(70, 50, 30, 30, 20)
    profile = child(needs=frozenset({Need.TRAUMA, Need.NEGLECT}))
    candidate = household(specialisms=frozenset({Need.TRAUMA}))
    assert assess(profile, candidate, 25.0, weights=doubled).score == assess(profile, candidate, 25.0).score


@pytest.mark.parametrize(
    "weights",
    [
        pytest.param({"distance": -1}, id="negative weight"),
        pytest.param(
            {"distance": 0, "specialisms": 0, "language_and_culture": 0, "ofsted": 0, "track_record": 0}, id="all zero"
        ),
    ],
)
def test_score_weights_must_be_usable(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Score weights"):
        ScoreWeights(**weights)


# --- ranking candidates --------------------------------------------------------------------------


def test_rank_puts_eligible_first_then_best_score_then_nearest_then_label() -> None:
    profile = child(needs=frozenset({Need.TRAUMA}))
    trauma = frozenset({Need.TRAUMA})
    candidates = [
        household(id=1, label="HH-too-young", max_age=12, district="ME5", specialisms=trauma),
        household(id=2, label="HH-far", district="CT1"),
        household(id=3, label="HH-B-specialist", district="ME14", specialisms=trauma),
        household(id=4, label="HH-A-specialist", district="ME14", specialisms=trauma),
        household(id=5, label="HH-nearest-specialist", district="ME5", specialisms=trauma),
        household(id=6, label="HH-unknown-distance", district="ZZ9", specialisms=trauma),
        household(id=7, label="HH-full", places=1, children_placed=1, district="ME5"),
    ]
    distances = {"ME5": 4.0, "ME14": 8.0, "CT1": 27.0}
    results = rank(profile, candidates, distances)
    assert [(r.candidate.label, r.eligible, r.score) for r in results] == [
        # Three specialists score the same: the nearest first, then by label at equal distance.
        ("HH-nearest-specialist", True, 91.3),
        ("HH-A-specialist", True, 91.3),
        ("HH-B-specialist", True, 91.3),
        ("HH-unknown-distance", True, 73.8),
        ("HH-far", True, 41.8),
        # The ineligible come last, nearest first, then by label.
        ("HH-full", False, 0.0),
        ("HH-too-young", False, 0.0),
    ]


def test_rank_orders_equal_scores_by_distance_unknown_last_then_label() -> None:
    # Every candidate within 20 miles scores the same; unknown distance scores lower, so give it no distance weight.
    weights = only(ofsted=1)
    candidates = [
        household(id=1, label="C", district="ME14"),
        household(id=2, label="B", district="ZZ9"),
        household(id=3, label="A", district="ME14"),
        household(id=4, label="D", district="ME5"),
    ]
    results = rank(child(), candidates, {"ME14": 8.0, "ME5": 4.0}, weights=weights)
    assert [r.candidate.label for r in results] == ["D", "A", "C", "B"]
    assert len({r.score for r in results}) == 1


def test_rank_uses_each_providers_track_record() -> None:
    candidates = [household(id=1, label="HH-1", provider_id=10), household(id=2, label="HH-2", provider_id=20)]
    tracks = {20: TrackRecord(30, 0, 1.0), 10: TrackRecord(30, 12, 40.0)}
    results = rank(child(), candidates, {"ME5": 5.0}, tracks)
    assert [r.candidate.label for r in results] == ["HH-2", "HH-1"]
    assert results[0].score == assess(child(), candidates[1], 5.0, tracks[20]).score
    assert "Usually answers referrals within an hour" in [r.text for r in results[0].reasons]


def test_rank_gives_the_same_results_as_assessing_one_by_one() -> None:
    rng = random.Random(7)
    profile = child(age_years=12, needs=frozenset({Need.TRAUMA, Need.NEGLECT}), languages=frozenset({"Polish"}))
    candidates = [
        _random_candidate(rng, n)._replace(kind=ResourceKind.CARER_HOUSEHOLD, district=f"D{n % 7}") for n in range(300)
    ]
    distances: dict[str, float | None] = {f"D{n}": n * 7.0 for n in range(6)}
    results = rank(profile, candidates, distances)
    assert sorted(r.candidate.id for r in results) == list(range(300))
    for result in results:
        one = assess(profile, result.candidate, distances.get(result.candidate.district))
        assert (one.eligible, one.score, one.reasons) == (result.eligible, result.score, result.reasons)


def test_rank_of_nobody_is_empty() -> None:
    assert rank(child(), [], {}) == []


def test_age_window_prefilters_on_the_childs_age() -> None:
    low, high = age_window(child(age_years=14))
    assert (low, high) == (14, 14)
    # The database keeps min_age <= high and max_age >= low: exactly the households approved for 14.
    assert all(
        (c.min_age <= high and c.max_age >= low) == assess(child(), c, 12.0).eligible
        for c in (household(min_age=a, max_age=b) for a in range(0, 19, 3) for b in range(a, 19, 2))
    )


def test_results_are_values() -> None:
    first, second = assess(child(), household(), 12.0), assess(child(), household(), 12.0)
    assert first == second
    with pytest.raises(AttributeError):
        first.score = 1.0  # type: ignore[misc]
    assert "_matcher" not in repr(first)


# --- ranking offers for the council ----------------------------------------------------------------

OFFERS = [
    OfferForRanking(offer_id=1, match_score=80.0, weekly_fee_pence=100_000),
    OfferForRanking(offer_id=2, match_score=90.0, weekly_fee_pence=125_000),
    OfferForRanking(offer_id=3, match_score=70.0, weekly_fee_pence=90_000),
]


@pytest.mark.parametrize(
    ("quality", "cost", "expected"),
    [
        pytest.param(
            60,
            40,
            [
                RankedOffer(1, 80.0, 90.0, 84.0, 1),
                RankedOffer(2, 90.0, 72.0, 82.8, 2),
                RankedOffer(3, 70.0, 100.0, 82.0, 3),
            ],
            id="60 quality 40 cost",
        ),
        pytest.param(
            30,
            70,
            [
                RankedOffer(3, 70.0, 100.0, 91.0, 1),
                RankedOffer(1, 80.0, 90.0, 87.0, 2),
                RankedOffer(2, 90.0, 72.0, 77.4, 3),
            ],
            id="30 quality 70 cost favours the cheapest",
        ),
        pytest.param(
            100,
            0,
            [
                RankedOffer(2, 90.0, 72.0, 90.0, 1),
                RankedOffer(1, 80.0, 90.0, 80.0, 2),
                RankedOffer(3, 70.0, 100.0, 70.0, 3),
            ],
            id="quality only",
        ),
        pytest.param(
            0,
            100,
            [
                RankedOffer(3, 70.0, 100.0, 100.0, 1),
                RankedOffer(1, 80.0, 90.0, 90.0, 2),
                RankedOffer(2, 90.0, 72.0, 72.0, 3),
            ],
            id="cost only",
        ),
    ],
)
def test_rank_offers_by_quality_and_cost(quality: int, cost: int, expected: list[RankedOffer]) -> None:
    assert rank_offers(OFFERS, quality, cost) == expected


def test_rank_offers_defaults_to_60_40() -> None:
    assert rank_offers(OFFERS) == rank_offers(OFFERS, 60, 40)


def test_level_offers_rank_the_cheaper_first_then_the_earlier() -> None:
    offers = [
        OfferForRanking(offer_id=9, match_score=90.0, weekly_fee_pence=100_000),
        OfferForRanking(offer_id=5, match_score=100.0, weekly_fee_pence=110_000),  # 60 + 36.4 = 96.4
        OfferForRanking(offer_id=7, match_score=94.0, weekly_fee_pence=100_000),  # 56.4 + 40 = 96.4
        OfferForRanking(offer_id=4, match_score=94.0, weekly_fee_pence=100_000),
    ]
    ranked = rank_offers(offers)
    assert [(r.offer_id, r.total, r.rank) for r in ranked] == [(4, 96.4, 1), (7, 96.4, 2), (5, 96.4, 3), (9, 94.0, 4)]


def test_single_offer_is_the_cheapest() -> None:
    assert rank_offers([OfferForRanking(1, 55.0, 450_000)]) == [RankedOffer(1, 55.0, 100.0, 73.0, 1)]


def test_no_offers_no_ranking() -> None:
    assert rank_offers([]) == []


def test_offer_with_no_fee_scores_nothing_on_cost() -> None:
    ranked = rank_offers([OfferForRanking(1, 80.0, 0), OfferForRanking(2, 80.0, 100_000)])
    assert [(r.offer_id, r.cost) for r in ranked] == [(2, 100.0), (1, 0.0)]


@pytest.mark.parametrize(("quality", "cost"), [(60, 30), (50, 60), (110, -10), (0, 0)])
def test_rank_offers_weights_must_add_up_to_100(quality: int, cost: int) -> None:
    with pytest.raises(ValueError, match="add up to 100"):
        rank_offers(OFFERS, quality, cost)
