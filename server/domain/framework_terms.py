"""A framework's terms as pure rules: its term and extensions, its response windows by tier, and its weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from server.domain.matching import DEFAULT_WEIGHTS, ScoreWeights

MAX_TIER = 5
# A response window from an hour to a fortnight: the field's tiers give 24 hours, emergencies 4.
MIN_WINDOW_HOURS, MAX_WINDOW_HOURS = 1, 24 * 14
WEIGHT_NAMES = tuple(field.name for field in fields(ScoreWeights))


def term_end(ends_on: date, extended_to: date | None) -> date:
    """The last day in force: the latest extension's end, else the original end."""
    return extended_to if extended_to is not None and extended_to > ends_on else ends_on


def in_force(starts_on: date, ends_on: date, extended_to: date | None, day: date) -> bool:
    return starts_on <= day <= term_end(ends_on, extended_to)


def not_in_force_reason(starts_on: date, ends_on: date, extended_to: date | None, day: date) -> str | None:
    """Why a framework takes no new referral on `day`, in words; None when it is in force."""
    if day < starts_on:
        return f"The framework starts on {starts_on:%d %B %Y}: it takes no referrals before then."
    end = term_end(ends_on, extended_to)
    if day > end:
        return (
            f"The framework ended on {end:%d %B %Y}: it takes no new referrals "
            "(its placements carry on). Extend it, or use its successor."
        )
    return None


def window_hours(by_tier: Mapping[str, int], default_hours: int, tier: int | None) -> int:
    """The response window of a tier: its own where the framework gives one, else the framework's default."""
    if tier is not None and str(tier) in by_tier:
        return int(by_tier[str(tier)])
    return default_hours


def score_weights(stored: Mapping[str, Any] | None) -> ScoreWeights:
    """The framework's matching weights (missing names take the default's), or DEFAULT_WEIGHTS."""
    if not stored:
        return DEFAULT_WEIGHTS
    return ScoreWeights(**{**asdict(DEFAULT_WEIGHTS), **{k: float(v) for k, v in stored.items() if k in WEIGHT_NAMES}})


def term_problems(starts_on: date, ends_on: date) -> list[tuple[str, str]]:
    if ends_on <= starts_on:
        return [("endsOn", "The end date must be after the start date.")]
    return []


def ranking_weight_problems(quality: int, cost: int) -> list[tuple[str, str]]:
    if quality < 0 or cost < 0 or quality + cost != 100:
        return [
            (
                "qualityWeightPercent",
                f"Quality and cost weights must add up to 100 (given {quality} and {cost}, making {quality + cost}).",
            )
        ]
    return []


def window_problems(by_tier: Mapping[int, int], field: str = "tierWindows") -> list[tuple[str, str]]:
    problems = []
    for i, (tier, hours) in enumerate(sorted(by_tier.items())):
        if not 1 <= tier <= MAX_TIER:
            problems.append((f"{field}.{i}.tier", f"Tiers run from 1 to {MAX_TIER}."))
        if not MIN_WINDOW_HOURS <= hours <= MAX_WINDOW_HOURS:
            problems.append(
                (f"{field}.{i}.hours", f"A response window is {MIN_WINDOW_HOURS} to {MAX_WINDOW_HOURS} hours.")
            )
    return problems


def matching_weight_problems(weights: Mapping[str, float]) -> list[tuple[str, str]]:
    """Each weight zero or more, at least one above zero (they are scaled to 100 when scoring)."""
    problems = [
        (f"matchingWeights.{name}", "A matching weight is zero or more.")
        for name, value in weights.items()
        if value < 0
    ]
    if not problems and sum(weights.values()) <= 0:
        problems.append(("matchingWeights", "At least one matching weight must be above zero."))
    return problems
