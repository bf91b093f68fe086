"""Framework-tier pricing: the weekly fee from a provider's price schedule, with its breakdown."""

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
    schedule_entry_id: int | None
    lines: tuple[FeeLine, ...]

    @property
    def weekly_fee_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)


@dataclass(frozen=True)
class Extra:
    label: str
    amount_pence: int
    justification: str


@dataclass(frozen=True)
class PricedOffer:
    weekly_fee_pence: int
    lines: tuple[FeeLine, ...]
    differs_from_schedule: bool


def format_pence(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def _effective(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


def framework_quote(
    entries: Sequence[ScheduleEntry], supplements: Sequence[SupplementRate], request: PricingRequest
) -> Quote:
    band = AgeBand.for_age(request.age_years)
    matching = [
        entry
        for entry in entries
        if entry.age_band is band
        and entry.need_level is request.need_level
        and _effective(entry.effective_from, entry.effective_to, request.on)
    ]
    if not matching:
        raise PricingError(
            f"No framework price for age band {band.value}, need level {request.need_level.label} "
            f"on {request.on.isoformat()}"
        )
    entry = max(matching, key=lambda e: e.effective_from)
    lines = [
        FeeLine(
            f"Framework fee: age {band.value}, {request.need_level.label.lower()} need",
            entry.weekly_fee_pence,
            FeeLineKind.BASE,
        )
    ]
    rates = {
        rate.kind: rate
        for rate in sorted(supplements, key=lambda r: r.effective_from)
        if _effective(rate.effective_from, rate.effective_to, request.on)
    }
    if request.solo and SupplementKind.SOLO in rates:
        lines.append(
            FeeLine("Solo placement supplement", rates[SupplementKind.SOLO].amount_pence, FeeLineKind.SUPPLEMENT)
        )
    if request.emergency and SupplementKind.EMERGENCY in rates:
        lines.append(
            FeeLine(
                "Emergency placement supplement", rates[SupplementKind.EMERGENCY].amount_pence, FeeLineKind.SUPPLEMENT
            )
        )
    if request.additional_siblings > 0 and SupplementKind.SIBLING in rates:
        rate = rates[SupplementKind.SIBLING].amount_pence
        lines.append(
            FeeLine(
                f"Sibling supplement × {request.additional_siblings}",
                rate * request.additional_siblings,
                FeeLineKind.SUPPLEMENT,
            )
        )
    if request.additional_support_hours > 0 and SupplementKind.ADDITIONAL_SUPPORT_HOURS in rates:
        rate = rates[SupplementKind.ADDITIONAL_SUPPORT_HOURS].amount_pence
        lines.append(
            FeeLine(
                f"Additional support {request.additional_support_hours} h/week × {format_pence(rate)}",
                rate * request.additional_support_hours,
                FeeLineKind.SUPPLEMENT,
            )
        )
    return Quote(entry.id, tuple(lines))


def price_offer(quote: Quote, extras: Sequence[Extra]) -> PricedOffer:
    """Extras beyond the schedule must be itemised and justified; the council sees such offers flagged."""
    lines = list(quote.lines)
    for number, extra in enumerate(extras, start=1):
        if not extra.label.strip():
            raise PricingError(f"Extra {number} needs a label saying what it pays for.")
        if extra.amount_pence <= 0:
            raise PricingError(f"Extra {number} ({extra.label}) must be a positive weekly amount.")
        if not extra.justification.strip():
            raise PricingError(f"Extra {number} ({extra.label}) needs a justification for the council.")
        lines.append(FeeLine(f"Extra: {extra.label.strip()}", extra.amount_pence, FeeLineKind.EXTRA))
    return PricedOffer(sum(line.amount_pence for line in lines), tuple(lines), bool(extras))
