"""Framework-tier pricing: the schedule price in force, supplements, extras and how money reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from server.domain.pricing import (
    Extra,
    FeeLine,
    FeeLineKind,
    PricingError,
    PricingRequest,
    Quote,
    ScheduleEntry,
    SupplementRate,
    format_pence,
    framework_quote,
    price_offer,
)
from server.domain.vocabulary import AgeBand, NeedLevel, SupplementKind, SupplementUnit

# A provider's schedule on a lot: the 2025/26 prices, then an uplift from 1 April 2026.
ENTRIES = (
    ScheduleEntry(1, AgeBand.AGE_0_4, NeedLevel.STANDARD, 78_000, date(2025, 4, 1)),
    ScheduleEntry(2, AgeBand.AGE_5_10, NeedLevel.STANDARD, 85_000, date(2025, 4, 1)),
    ScheduleEntry(3, AgeBand.AGE_11_15, NeedLevel.STANDARD, 90_000, date(2025, 4, 1), date(2026, 3, 31)),
    ScheduleEntry(4, AgeBand.AGE_11_15, NeedLevel.STANDARD, 95_000, date(2026, 4, 1)),
    ScheduleEntry(5, AgeBand.AGE_11_15, NeedLevel.ADDITIONAL_SUPPORT, 112_500, date(2025, 4, 1)),
    ScheduleEntry(6, AgeBand.AGE_11_15, NeedLevel.SPECIALIST, 145_000, date(2025, 4, 1)),
    ScheduleEntry(7, AgeBand.AGE_16_18, NeedLevel.STANDARD, 98_050, date(2025, 4, 1)),
    ScheduleEntry(8, AgeBand.AGE_16_18, NeedLevel.INTENSIVE_SUPPORT, 160_000, date(2025, 4, 1)),
)

SUPPLEMENTS = (
    SupplementRate(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 15_000, date(2025, 4, 1)),
    SupplementRate(SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, 10_000, date(2025, 4, 1)),
    SupplementRate(SupplementKind.SIBLING, SupplementUnit.PER_CHILD, 20_000, date(2025, 4, 1)),
    SupplementRate(SupplementKind.ADDITIONAL_SUPPORT_HOURS, SupplementUnit.PER_HOUR, 2_500, date(2025, 4, 1)),
)

ON = date(2026, 6, 1)


def request(**changes: object) -> PricingRequest:
    base = PricingRequest(
        age_years=13,
        need_level=NeedLevel.STANDARD,
        solo=False,
        emergency=False,
        additional_siblings=0,
        additional_support_hours=0,
        on=ON,
    )
    return replace(base, **changes)


def base_line(quote: Quote) -> FeeLine:
    (line,) = (line for line in quote.lines if line.kind is FeeLineKind.BASE)
    return line


# --- the schedule price in force ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "need_level", "entry_id", "label"),
    [
        pytest.param(0, NeedLevel.STANDARD, 1, "Framework fee: age 0-4, standard need", id="newborn is in 0-4"),
        pytest.param(4, NeedLevel.STANDARD, 1, "Framework fee: age 0-4, standard need", id="four is still 0-4"),
        pytest.param(5, NeedLevel.STANDARD, 2, "Framework fee: age 5-10, standard need", id="five starts 5-10"),
        pytest.param(10, NeedLevel.STANDARD, 2, "Framework fee: age 5-10, standard need", id="ten is still 5-10"),
        pytest.param(11, NeedLevel.STANDARD, 4, "Framework fee: age 11-15, standard need", id="eleven starts 11-15"),
        pytest.param(15, NeedLevel.STANDARD, 4, "Framework fee: age 11-15, standard need", id="fifteen is 11-15"),
        pytest.param(16, NeedLevel.STANDARD, 7, "Framework fee: age 16-18, standard need", id="sixteen starts 16-18"),
        pytest.param(18, NeedLevel.STANDARD, 7, "Framework fee: age 16-18, standard need", id="eighteen is 16-18"),
        pytest.param(
            13,
            NeedLevel.ADDITIONAL_SUPPORT,
            5,
            "Framework fee: age 11-15, with additional support",
            id="need level with additional support",
        ),
        pytest.param(
            13, NeedLevel.SPECIALIST, 6, "Framework fee: age 11-15, specialist need", id="specialist need level"
        ),
        pytest.param(
            17,
            NeedLevel.INTENSIVE_SUPPORT,
            8,
            "Framework fee: age 16-18, with intensive support",
            id="need level with intensive support",
        ),
    ],
)
def test_price_is_chosen_by_age_band_and_need_level(age: int, need_level: NeedLevel, entry_id: int, label: str) -> None:
    quote = framework_quote(ENTRIES, (), request(age_years=age, need_level=need_level))
    entry = next(entry for entry in ENTRIES if entry.id == entry_id)
    assert quote.schedule_entry_id == entry_id
    assert quote.lines == (FeeLine(label, entry.weekly_fee_pence, FeeLineKind.BASE),)
    assert quote.weekly_fee_pence == entry.weekly_fee_pence


@pytest.mark.parametrize(
    ("on", "entry_id", "fee"),
    [
        pytest.param(date(2025, 4, 1), 3, 90_000, id="first day of the old price"),
        pytest.param(date(2026, 3, 31), 3, 90_000, id="last day of the old price is inclusive"),
        pytest.param(date(2026, 4, 1), 4, 95_000, id="uplift applies from its first day"),
        pytest.param(date(2030, 1, 1), 4, 95_000, id="open-ended price stays in force"),
    ],
)
def test_price_in_force_on_the_date(on: date, entry_id: int, fee: int) -> None:
    quote = framework_quote(ENTRIES, (), request(on=on))
    assert (quote.schedule_entry_id, quote.weekly_fee_pence) == (entry_id, fee)


def test_uplift_entered_without_closing_the_old_price_takes_the_latest() -> None:
    entries = (
        ScheduleEntry(20, AgeBand.AGE_11_15, NeedLevel.STANDARD, 90_000, date(2025, 4, 1)),
        ScheduleEntry(21, AgeBand.AGE_11_15, NeedLevel.STANDARD, 96_000, date(2026, 4, 1)),
        ScheduleEntry(22, AgeBand.AGE_11_15, NeedLevel.STANDARD, 99_000, date(2027, 4, 1)),
    )
    assert framework_quote(entries, (), request(on=date(2026, 6, 1))).schedule_entry_id == 21
    assert framework_quote(entries, (), request(on=date(2026, 3, 31))).schedule_entry_id == 20


def test_two_prices_from_the_same_day_take_the_later_entry() -> None:
    entries = (
        ScheduleEntry(31, AgeBand.AGE_11_15, NeedLevel.STANDARD, 96_000, date(2026, 4, 1)),
        ScheduleEntry(30, AgeBand.AGE_11_15, NeedLevel.STANDARD, 95_000, date(2026, 4, 1)),
    )
    assert framework_quote(entries, (), request()).schedule_entry_id == 31


@pytest.mark.parametrize(
    ("entries", "changes", "message"),
    [
        pytest.param(
            ENTRIES,
            {"age_years": 13, "need_level": NeedLevel.INTENSIVE_SUPPORT, "on": date(2026, 11, 22)},
            "No framework price for age band 11-15, need level With intensive support on 2026-11-22",
            id="no price for that need level",
        ),
        pytest.param(
            ENTRIES,
            {"on": date(2025, 3, 31)},
            "No framework price for age band 11-15, need level Standard on 2025-03-31",
            id="before the schedule starts",
        ),
        pytest.param(
            ENTRIES[:3],
            {"on": date(2026, 11, 22)},
            "No framework price for age band 11-15, need level Standard on 2026-11-22",
            id="after the only price ended",
        ),
        pytest.param(
            (),
            {"on": date(2026, 11, 22)},
            "No framework price for age band 11-15, need level Standard on 2026-11-22",
            id="provider has no schedule",
        ),
        pytest.param(
            ENTRIES,
            {"age_years": 19},
            "Age 19 is outside the framework's age bands (0-18), so it has no framework price",
            id="care leaver over 18",
        ),
        pytest.param(
            ENTRIES,
            {"additional_siblings": -1},
            "Siblings and additional support hours cannot be negative.",
            id="negative siblings",
        ),
    ],
)
def test_missing_schedule_price_is_explained(
    entries: tuple[ScheduleEntry, ...], changes: dict[str, object], message: str
) -> None:
    with pytest.raises(PricingError) as raised:
        framework_quote(entries, SUPPLEMENTS, request(**changes))
    assert str(raised.value) == message


def test_pricing_error_is_a_value_error() -> None:
    assert issubclass(PricingError, ValueError)


# --- supplements -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "supplement_lines"),
    [
        pytest.param({}, [], id="no supplements for a standard placement"),
        pytest.param({"solo": True}, [("Solo placement supplement", 15_000)], id="solo placement"),
        pytest.param({"emergency": True}, [("Emergency placement supplement", 10_000)], id="emergency placement"),
        pytest.param({"additional_siblings": 1}, [("Sibling supplement × 1", 20_000)], id="one sibling"),
        pytest.param({"additional_siblings": 2}, [("Sibling supplement × 2", 40_000)], id="two siblings"),
        pytest.param(
            {"additional_support_hours": 6},
            [("Additional support 6 h/week × £25.00", 15_000)],
            id="six support hours a week",
        ),
        pytest.param(
            {"solo": True, "emergency": True, "additional_siblings": 2, "additional_support_hours": 6},
            [
                ("Solo placement supplement", 15_000),
                ("Emergency placement supplement", 10_000),
                ("Sibling supplement × 2", 40_000),
                ("Additional support 6 h/week × £25.00", 15_000),
            ],
            id="every supplement in a fixed order",
        ),
    ],
)
def test_supplements_apply_to_what_the_referral_asks(
    changes: dict[str, object], supplement_lines: list[tuple[str, int]]
) -> None:
    quote = framework_quote(ENTRIES, SUPPLEMENTS, request(**changes))
    assert base_line(quote) == FeeLine("Framework fee: age 11-15, standard need", 95_000, FeeLineKind.BASE)
    assert [(line.label, line.amount_pence) for line in quote.lines[1:]] == supplement_lines
    assert all(line.kind is FeeLineKind.SUPPLEMENT for line in quote.lines[1:])
    assert quote.weekly_fee_pence == 95_000 + sum(amount for _, amount in supplement_lines)


def test_supplements_not_in_the_schedule_are_not_added() -> None:
    quote = framework_quote(ENTRIES, SUPPLEMENTS[:1], request(emergency=True, additional_siblings=1))
    assert quote.lines == (base_line(quote),)


@pytest.mark.parametrize(
    ("on", "amount"),
    [
        pytest.param(date(2026, 3, 31), 15_000, id="old solo rate on its last day"),
        pytest.param(date(2026, 4, 1), 17_500, id="new solo rate from its first day"),
    ],
)
def test_supplement_rate_in_force_on_the_date(on: date, amount: int) -> None:
    supplements = (
        SupplementRate(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 15_000, date(2025, 4, 1), date(2026, 3, 31)),
        SupplementRate(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 17_500, date(2026, 4, 1)),
    )
    quote = framework_quote(ENTRIES, supplements, request(solo=True, on=on))
    assert quote.lines[1] == FeeLine("Solo placement supplement", amount, FeeLineKind.SUPPLEMENT)


def test_later_supplement_rate_supersedes_one_left_open() -> None:
    supplements = (
        SupplementRate(SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, 12_000, date(2026, 4, 1)),
        SupplementRate(SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, 10_000, date(2025, 4, 1)),
    )
    quote = framework_quote(ENTRIES, supplements, request(emergency=True))
    assert quote.lines[1].amount_pence == 12_000


def test_supplement_not_yet_in_force_is_not_added() -> None:
    supplements = (SupplementRate(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 15_000, date(2026, 7, 1)),)
    assert len(framework_quote(ENTRIES, supplements, request(solo=True)).lines) == 1


def test_flat_weekly_sibling_supplement_is_paid_once_for_the_group() -> None:
    supplements = (SupplementRate(SupplementKind.SIBLING, SupplementUnit.PER_WEEK, 25_000, date(2025, 4, 1)),)
    quote = framework_quote(ENTRIES, supplements, request(additional_siblings=3))
    assert quote.lines[1] == FeeLine("Sibling supplement", 25_000, FeeLineKind.SUPPLEMENT)


def test_quote_total_is_the_sum_of_its_lines() -> None:
    quote = Quote(4, (FeeLine("a", 100, FeeLineKind.BASE), FeeLine("b", 250, FeeLineKind.SUPPLEMENT)))
    assert quote.weekly_fee_pence == 350


# --- extras beyond the schedule ------------------------------------------------------------------


def test_offer_at_schedule_price_does_not_differ_from_schedule() -> None:
    quote = framework_quote(ENTRIES, SUPPLEMENTS, request(solo=True))
    priced = price_offer(quote, [])
    assert priced.weekly_fee_pence == 110_000
    assert priced.lines == quote.lines
    assert priced.differs_from_schedule is False


def test_justified_extras_are_itemised_and_flag_the_offer() -> None:
    quote = framework_quote(ENTRIES, SUPPLEMENTS, request(solo=True))
    priced = price_offer(
        quote,
        [
            Extra("  Waking night staff ", 35_000, "Child goes missing at night; agreed with the social worker"),
            Extra("Transport to school", 12_550, "Keeps the child at the same school, 14 miles away"),
        ],
    )
    assert priced.lines == (
        *quote.lines,
        FeeLine("Extra: Waking night staff", 35_000, FeeLineKind.EXTRA),
        FeeLine("Extra: Transport to school", 12_550, FeeLineKind.EXTRA),
    )
    assert priced.weekly_fee_pence == 110_000 + 35_000 + 12_550
    assert priced.differs_from_schedule is True


def test_price_without_a_schedule_entry_differs_from_schedule() -> None:
    spot = Quote(None, (FeeLine("Spot purchase weekly fee", 450_000, FeeLineKind.BASE),))
    assert price_offer(spot, []).differs_from_schedule is True


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            Extra("Waking night staff", 35_000, "  "),
            "Extra 2 (Waking night staff) needs a justification for the council.",
            id="extra without justification",
        ),
        pytest.param(
            Extra("Waking night staff", 0, "Goes missing at night"),
            "Extra 2 (Waking night staff) must be a positive weekly amount.",
            id="extra of nothing",
        ),
        pytest.param(
            Extra("Discount", -5_000, "Goodwill"),
            "Extra 2 (Discount) must be a positive weekly amount.",
            id="negative extra",
        ),
        pytest.param(
            Extra(" ", 35_000, "Goes missing at night"),
            "Extra 2 needs a label saying what it pays for.",
            id="extra without a label",
        ),
    ],
)
def test_extras_must_be_labelled_positive_and_justified(extra: Extra, message: str) -> None:
    quote = framework_quote(ENTRIES, (), request())
    valid = Extra("Transport to school", 12_550, "Keeps the child at the same school")
    with pytest.raises(PricingError) as raised:
        price_offer(quote, [valid, extra])
    assert str(raised.value) == message


# --- money as people read it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (90_000, "£900.00"),
        (123_450, "£1,234.50"),
        (455_700, "£4,557.00"),
        (657_600_000, "£6,576,000.00"),
        (-2_500, "-£25.00"),
    ],
)
def test_format_pence(pence: int, text: str) -> None:
    assert format_pence(pence) == text
