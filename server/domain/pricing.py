"""Framework-tier pricing: the weekly fee from a provider's price schedule, with its breakdown.

Pure functions over plain data (DESIGN.md): the service layer loads a lot
membership's schedule entries and supplements; these functions pick the price in
force on a date and itemise it in lines a duty worker can check against the
framework's published schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from server.domain.vocabulary import AgeBand, NeedLevel, SupplementKind, SupplementUnit


class PricingError(ValueError):
    """No price can be given; the message says why in plain words."""


class FeeLineKind(str, Enum):
    BASE = "base"
    SUPPLEMENT = "supplement"
    EXTRA = "extra"


@dataclass(frozen=True)
class ScheduleEntry:
    id: int
    age_band: AgeBand
    need_level: NeedLevel
    weekly_fee_pence: int
    effective_from: date
    effective_to: date | None = None


@dataclass(frozen=True)
class SupplementRate:
    kind: SupplementKind
    unit: SupplementUnit
    amount_pence: int
    effective_from: date
    effective_to: date | None = None


@dataclass(frozen=True)
class PricingRequest:
    age_years: int
    need_level: NeedLevel
    solo: bool
    emergency: bool
    additional_siblings: int
    additional_support_hours: int
    on: date


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount_pence: int
    kind: FeeLineKind


@dataclass(frozen=True)
class Quote:
    # None when the price does not come from a schedule (a spot purchase).
    schedule_entry_id: int | None
    lines: tuple[FeeLine, ...]

    @property
    def weekly_fee_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)


@dataclass(frozen=True)
class Extra:
    """A cost beyond the schedule (e.g. a 2:1 staffing ratio), itemised and justified for the council."""

    label: str
    amount_pence: int
    justification: str


@dataclass(frozen=True)
class PricedOffer:
    weekly_fee_pence: int
    lines: tuple[FeeLine, ...]
    differs_from_schedule: bool


# How a need level reads after "Framework fee: age 11-15, ..." on a fee line.
_NEED_LEVEL_WORDS: dict[NeedLevel, str] = {
    NeedLevel.STANDARD: "standard need",
    NeedLevel.ADDITIONAL_SUPPORT: "with additional support",
    NeedLevel.INTENSIVE_SUPPORT: "with intensive support",
    NeedLevel.SPECIALIST: "specialist need",
}

_SUPPLEMENT_WORDS: dict[SupplementKind, str] = {
    SupplementKind.SOLO: "Solo placement supplement",
    SupplementKind.EMERGENCY: "Emergency placement supplement",
    SupplementKind.SIBLING: "Sibling supplement",
    SupplementKind.ADDITIONAL_SUPPORT_HOURS: "Additional support",
}


def format_pence(pence: int) -> str:
    """Money as a duty worker writes it: "£1,234.50"."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def _in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


def _supplement_line(rate: SupplementRate, request: PricingRequest) -> FeeLine | None:
    applies = {
        SupplementKind.SOLO: request.solo,
        SupplementKind.EMERGENCY: request.emergency,
        SupplementKind.SIBLING: request.additional_siblings > 0,
        SupplementKind.ADDITIONAL_SUPPORT_HOURS: request.additional_support_hours > 0,
    }[rate.kind]
    if not applies:
        return None
    words = _SUPPLEMENT_WORDS[rate.kind]
    # The unit, as agreed at tender, says what the amount is multiplied by; a
    # flat weekly sibling supplement is paid once however many siblings come.
    if rate.unit is SupplementUnit.PER_CHILD:
        quantity = request.additional_siblings
        label = f"{words} × {quantity}"
    elif rate.unit is SupplementUnit.PER_HOUR:
        quantity = request.additional_support_hours
        label = f"{words} {quantity} h/week × {format_pence(rate.amount_pence)}"
    else:
        quantity = 1
        label = words
    if quantity <= 0:
        return None
    return FeeLine(label, rate.amount_pence * quantity, FeeLineKind.SUPPLEMENT)


def framework_quote(
    entries: Sequence[ScheduleEntry], supplements: Sequence[SupplementRate], request: PricingRequest
) -> Quote:
    """The schedule price in force on the request date for the child's age band and need level, with supplements."""
    if request.additional_siblings < 0 or request.additional_support_hours < 0:
        raise PricingError("Siblings and additional support hours cannot be negative.")
    try:
        band = AgeBand.for_age(request.age_years)
    except ValueError:
        raise PricingError(
            f"Age {request.age_years} is outside the framework's age bands (0-18), so it has no framework price"
        ) from None
    in_force = [
        entry
        for entry in entries
        if entry.age_band is band
        and entry.need_level is request.need_level
        and _in_force(entry.effective_from, entry.effective_to, request.on)
    ]
    if not in_force:
        raise PricingError(
            f"No framework price for age band {band.value}, need level {request.need_level.label} "
            f"on {request.on.isoformat()}"
        )
    # Overlapping entries happen when an uplift is entered without closing the
    # old price; the newer price is the one agreed, and the later id the later entry.
    entry = max(in_force, key=lambda e: (e.effective_from, e.id))
    lines = [
        FeeLine(
            f"Framework fee: age {band.value}, {_NEED_LEVEL_WORDS[request.need_level]}",
            entry.weekly_fee_pence,
            FeeLineKind.BASE,
        )
    ]
    latest: dict[SupplementKind, SupplementRate] = {}
    for rate in supplements:
        if _in_force(rate.effective_from, rate.effective_to, request.on):
            current = latest.get(rate.kind)
            if current is None or rate.effective_from >= current.effective_from:
                latest[rate.kind] = rate
    for kind in SupplementKind:  # a fixed order, so breakdowns read the same on every offer
        rate = latest.get(kind)
        line = _supplement_line(rate, request) if rate is not None else None
        if line is not None:
            lines.append(line)
    return Quote(entry.id, tuple(lines))


def price_offer(quote: Quote, extras: Sequence[Extra]) -> PricedOffer:
    """Extras beyond the schedule must be itemised and justified; the council sees such offers flagged."""
    lines = list(quote.lines)
    for number, extra in enumerate(extras, start=1):
        label = extra.label.strip()
        if not label:
            raise PricingError(f"Extra {number} needs a label saying what it pays for.")
        if extra.amount_pence <= 0:
            raise PricingError(f"Extra {number} ({label}) must be a positive weekly amount.")
        if not extra.justification.strip():
            raise PricingError(f"Extra {number} ({label}) needs a justification for the council.")
        lines.append(FeeLine(f"Extra: {label}", extra.amount_pence, FeeLineKind.EXTRA))
    differs = bool(extras) or quote.schedule_entry_id is None
    return PricedOffer(sum(line.amount_pence for line in lines), tuple(lines), differs)
