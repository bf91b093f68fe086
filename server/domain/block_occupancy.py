"""Occupancy and voids of block-contracted places, day by day: pure functions over plain dates.

A place is open on a day from its own start (a ramp starts places over months) within the contract's term. It is
occupied on a day when a placement that filled it has started and not yet ended (the end date is the day the
child leaves: not a night in the place). An open day that is not occupied is a void day, paid at the contract's
void rate; an occupied day is paid at the weekly price. Money is in pence, a seventh of the weekly rate a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Stay:
    """A placement in a place: from its (actual) start to its end (None: still there)."""

    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class PlaceTerms:
    """When a place is paid for and at what rates."""

    opens_on: date  # the later of the place's start and the contract's
    closes_on: date  # the contract's end (the last day paid)
    weekly_price_pence: int
    void_weekly_pence: int


@dataclass(frozen=True)
class Occupancy:
    """A place's, or a contract's, figures over a period (both ends included)."""

    from_date: date
    to_date: date
    open_days: int
    occupied_days: int
    void_days: int
    occupied_cost_pence: int
    void_cost_pence: int

    @property
    def utilisation_percent(self) -> float:
        """Occupied days as a share of the days the places were open (0 when none were)."""
        return round(100 * self.occupied_days / self.open_days, 1) if self.open_days else 0.0

    @property
    def total_cost_pence(self) -> int:
        return self.occupied_cost_pence + self.void_cost_pence


def _days(start: date, end: date) -> int:
    return max((end - start).days + 1, 0)


def _occupied_nights(stays: Iterable[Stay], first: date, last: date) -> set[date]:
    nights: set[date] = set()
    for stay in stays:
        start = max(stay.starts_on, first)
        end = min(stay.ends_on - timedelta(days=1) if stay.ends_on else last, last)
        day = start
        while day <= end:
            nights.add(day)
            day += timedelta(days=1)
    return nights


def place_occupancy(terms: PlaceTerms, stays: Sequence[Stay], from_date: date, to_date: date) -> Occupancy:
    """One place's open, occupied and void days over [from_date, to_date], and what they cost."""
    first, last = max(from_date, terms.opens_on), min(to_date, terms.closes_on)
    open_days = _days(first, last)
    occupied = len(_occupied_nights(stays, first, last)) if open_days else 0
    void = open_days - occupied
    return Occupancy(
        from_date=from_date,
        to_date=to_date,
        open_days=open_days,
        occupied_days=occupied,
        void_days=void,
        occupied_cost_pence=round(occupied * terms.weekly_price_pence / 7),
        void_cost_pence=round(void * terms.void_weekly_pence / 7),
    )


def total(figures: Iterable[Occupancy], from_date: date, to_date: date) -> Occupancy:
    """The places' figures added up: a contract's occupancy."""
    rows = list(figures)
    return Occupancy(
        from_date=from_date,
        to_date=to_date,
        open_days=sum(f.open_days for f in rows),
        occupied_days=sum(f.occupied_days for f in rows),
        void_days=sum(f.void_days for f in rows),
        occupied_cost_pence=sum(f.occupied_cost_pence for f in rows),
        void_cost_pence=sum(f.void_cost_pence for f in rows),
    )


def is_free(terms: PlaceTerms, stays: Sequence[Stay], on: date) -> bool:
    """Open on the day and nobody in it nor coming to it (a stay ending that day leaves it free)."""
    if not terms.opens_on <= on <= terms.closes_on:
        return False
    return not any(s.ends_on is None or on < s.ends_on for s in stays)
