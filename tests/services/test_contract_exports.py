"""Contract-management exports: a year's placements as a workbook, and KPI tables as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import ReasonPlacementChanged
from server.models import Placement
from server.services import offers
from server.services.contract_exports import (
    PLACEMENT_COLUMNS,
    parse_year,
    placements_year_xlsx,
    sheet_title,
    table_csv,
    tables_xlsx,
)
from server.services.errors import ServiceError
from tests.services.test_referrals_and_offers import offer_details


@dataclass
class Row:
    label: str
    cells: list
    referral_references: list[str] = field(default_factory=list)
    placement_references: list[str] = field(default_factory=list)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]


ENDINGS = Table(
    "endings",
    "Endings: planned and unplanned",
    ["Council", "Planned", "Unplanned", "Unplanned rate"],
    [
        Row("Kent County Council", ["3", "1", "25%"], ["KEN-2026-00001"], ["KEN-IPA-1", "KEN-IPA-2"]),
        Row('=HYPERLINK("x")', [0, None, "-"]),
    ],
)


async def _placement(market: Marketplace, key: str, officer: str = "kent_officer") -> Placement:
    referral = await market.referral(officer)
    offer = await offers.submit_offer(market.actor(key), offer_details(market, referral, key))
    await offers.accept_offer(market.actor(officer), offer.id)
    return await Placement.get(referral_id=referral.id)


def test_a_table_as_csv_has_its_columns_then_the_references_behind_each_figure() -> None:
    text = table_csv(ENDINGS).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Council",
        "Planned",
        "Unplanned",
        "Unplanned rate",
        "Placements (IPA references)",
        "Referrals (references)",
    ]
    assert rows[1] == ["Kent County Council", "3", "1", "25%", "KEN-IPA-1 KEN-IPA-2", "KEN-2026-00001"]
    # A label a spreadsheet would run as a formula stays text.
    assert rows[2][0] == '\'=HYPERLINK("x")' and rows[2][1:4] == ["0", "", "-"]


def test_a_workbook_has_a_sheet_per_table_with_numbers_as_numbers() -> None:
    other = Table(
        "offers",
        "Offers per referral",
        ["Council", "Offers per referral", "Spend"],
        [Row("Medway", ["2.5", "£1,234.56"])],
    )
    book = load_workbook(io.BytesIO(tables_xlsx([ENDINGS, other], "KM-IFP-2022 2026-Q3")))
    assert book.sheetnames == ["Endings  planned and unplanned", "Offers per referral"]
    sheet = book["Endings  planned and unplanned"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "KM-IFP-2022 2026-Q3: Endings: planned and unplanned"
    assert values[1][:4] == [
        "Council",
        "Planned",
        "Unplanned",
        "Unplanned rate",
    ]
    assert values[2][:4] == ["Kent County Council", 3, 1, 0.25]  # a rate as a number, shown as 25.0%
    assert sheet.cell(3, 4).number_format == "0.0%"
    assert book["Offers per referral"].cell(3, 2).value == 2.5
    assert book["Offers per referral"].cell(3, 3).value == 1234.56


def test_sheet_names_follow_excels_rules() -> None:
    taken: set[str] = set()
    long = "Average weekly fee by placement kind and by age band"
    assert sheet_title(long, taken) == long[:31]
    assert sheet_title(long, taken) == long[:27] + " (2)"
    assert sheet_title("Declines / reasons?", taken) == "Declines   reasons"


def test_a_financial_year_is_written_like_2026_27() -> None:
    assert parse_year("2026-27") == parse_year("2026") == 2026
    for wrong in ("2026-28", "26-27", "2026-Q3", ""):
        with pytest.raises(ServiceError) as raised:
            parse_year(wrong)
        assert raised.value.field == "year"


async def test_the_lead_commissioner_gets_every_members_placements_of_the_year(market: Marketplace) -> None:
    kent = await _placement(market, "harbour")
    medway = await _placement(market, "oakleaf", "medway_officer")
    await Placement.filter(id=kent.id).update(start_date=date(2026, 5, 4))
    await Placement.filter(id=medway.id).update(
        start_date=date(2026, 6, 1),
        end_date=date(2026, 9, 30),
        planned_ending=False,
        end_reason=ReasonPlacementChanged.CREQB,
        notice_given_on=date(2026, 9, 16),
        status="ended",
        distance_miles=24.26,
        inside_council_area=False,
    )
    last_year = await _placement(market, "harbour")
    await Placement.filter(id=last_year.id).update(start_date=date(2026, 3, 31))  # the year before

    export = await placements_year_xlsx(market.actor("kent_commissioner"), market.framework.id, 2026)
    assert export.filename == "KM-IFP-2022-placements-2026-27.xlsx"
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(PLACEMENT_COLUMNS)
    by_ipa = {row[0]: dict(zip(PLACEMENT_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_ipa) == {kent.ipa_reference, medway.ipa_reference}
    ended = by_ipa[medway.ipa_reference]
    assert ended["Placing council"] == "Medway Council" and ended["Purchased under"] == "This framework"
    assert ended["Ending"] == "Unplanned" and ended["Reason ended (DfE)"] == "CREQB"
    assert ended["28 days' notice"] == "No"  # 14 days given
    assert ended["Weekly fee (£)"] == medway.weekly_fee_pence / 100
    assert (ended["Distance (miles)"], ended["Inside council area"], ended["Within 20 miles"]) == (24.3, "No", "No")
    assert by_ipa[kent.ipa_reference]["28 days' notice"] is None  # still going: an empty cell

    # A member council sees its own; a provider its own; anyone else gets "missing".
    medway_rows = await placements_year_xlsx(market.actor("medway_officer"), market.framework.id, 2026)
    assert [
        r[0] for r in load_workbook(io.BytesIO(medway_rows.content)).active.iter_rows(min_row=2, values_only=True)
    ] == [medway.ipa_reference]
    harbour_rows = await placements_year_xlsx(market.actor("harbour"), market.framework.id, 2026)
    assert [
        r[0] for r in load_workbook(io.BytesIO(harbour_rows.content)).active.iter_rows(min_row=2, values_only=True)
    ] == [kent.ipa_reference]
    for who in ("spot", "admin"):
        with pytest.raises(ServiceError) as raised:
            await placements_year_xlsx(market.actor(who), market.framework.id, 2026)
        assert raised.value.code.value == "NOT_FOUND"


def test_the_streamed_sheet_keeps_text_numbers_and_dates_as_written() -> None:
    from server.services.xlsx_rows import rows_xlsx

    content = rows_xlsx(
        "Placements 2026-27",
        ["Text", "Number", "Date", "Yes/no", "Empty"],
        [["Kent & Medway <lot 1>\x07", 12.5, date(2026, 10, 1), True, None], ["=SUM(A1)", 3, None, False, ""]],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Placements 2026-27" and sheet.freeze_panes == "A2"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Text", "Number", "Date", "Yes/no", "Empty"]
    assert rows[1][:4] == ["Kent & Medway <lot 1>", 12.5, datetime(2026, 10, 1), "Yes"]
    assert rows[2][:4] == ["'=SUM(A1)", 3, None, "No"]
    assert sheet["C2"].is_date
