"""Contract-management exports: a quarter's KPI tables as CSV (one table) or XLSX (one workbook, a sheet per
table), and a year's placements as XLSX. The portal's download routes and `placement-exchange export-quarter`
both call these, so a file from the CLI is the file the page gives; the figures come from the one function
that computes them for the API too (server.services.contract_figures), under the same policy."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import PlacementKind, PlacementSide
from server.models import Framework
from server.repositories.placement_exports import placements_started_between
from server.services import contract_figures
from server.services.errors import invalid, not_found
from server.services.xlsx_rows import rows_xlsx

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
NOTICE_DAYS = 28
NEAR_MILES = 20
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


class KpiRowLike(Protocol):
    label: str
    cells: Sequence[Any]
    referral_references: Sequence[str]
    placement_references: Sequence[str]


class KpiTableLike(Protocol):
    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[KpiRowLike]


@dataclass(frozen=True)
class Export:
    """A file to hand over: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


# --- writing tables -----------------------------------------------------------------


def _header(table: KpiTableLike) -> list[str]:
    return [*table.columns, "Placements (IPA references)", "Referrals (references)"]


def _values(row: KpiRowLike) -> list[Any]:
    return [row.label, *row.cells, " ".join(row.placement_references), " ".join(row.referral_references)]


def _spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if _NUMBER.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return int(number) if number == number.to_integral_value() and "." not in text else float(number)
    if len(text) > 1 and text[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def table_csv(table: KpiTableLike) -> bytes:
    """One table as CSV (UTF-8 with a byte-order mark, so Excel reads £ and accents), a header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header(table))
    for row in table.rows:
        writer.writerow(_spreadsheet_safe(value) for value in _values(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_UNSAFE.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def tables_xlsx(tables: Iterable[KpiTableLike], heading: str) -> bytes:
    """One workbook, a sheet per table (named by its title), each headed by what the figures are of."""
    # openpyxl (175 modules, some 6 MB) is imported by the first workbook, not by every process at start-up.
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        sheet.append([_bold(sheet, f"{heading}: {table.title}")])
        sheet.append([_bold(sheet, name) for name in _header(table)])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in _values(row)])
    if not book.worksheets:
        book.create_sheet("No figures").append(["No figures for this quarter"])
    return _saved(book)


_MONEY = re.compile(r"£(-?[\d,]+\.\d\d)")
_RATE = re.compile(r"(-?\d+(?:\.\d+)?)%")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Money ("£1,234.56") and rates ("12.5%") as numbers a spreadsheet can add up, shown as written."""
    from openpyxl.cell import WriteOnlyCell

    text = value if isinstance(value, str) else ""
    if money := _MONEY.fullmatch(text):
        cell = WriteOnlyCell(sheet, value=float(money.group(1).replace(",", "")))
        cell.number_format = "£#,##0.00"
        return cell
    if share := _RATE.fullmatch(text):
        cell = WriteOnlyCell(sheet, value=float(share.group(1)) / 100)
        cell.number_format = "0.0%"
        return cell
    return _spreadsheet_safe(value)


def _bold(sheet: Any, value: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_format(fmt: str, field: str = "format") -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise invalid(field, "Choose csv or xlsx.")
    return fmt


# --- a year's placements ----------------------------------------------------------------

PLACEMENT_COLUMNS = (
    "IPA reference",
    "Referral",
    "Placing council",
    "Provider",
    "Purchased under",
    "Lot",
    "Placement kind",
    "Placement type (DfE)",
    "Start",
    "End",
    "Ending",
    "Reason ended (DfE)",
    "Notice given on",
    "Notice given by",
    "28 days' notice",
    "Weekly fee (£)",
    "Distance (miles)",
    "Inside council area",
    "Within 20 miles",
)


def financial_year(start_year: int) -> tuple[date, date]:
    """A financial year, April to March: 2026 is 1 April 2026 to 31 March 2027."""
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse_year(text: str, field: str = "year") -> int:
    """A financial year as people write it, "2026-27" (or just its first year, "2026")."""
    found = re.fullmatch(r"(20\d\d)(?:-(\d\d))?", text.strip())
    if not found or (found.group(2) and int(found.group(2)) != (int(found.group(1)) + 1) % 100):
        raise invalid(field, "Write a financial year like 2026-27.")
    return int(found.group(1))


def _purchased_under(framework_id: int | None, framework: Framework) -> str:
    if framework_id is None:
        return "Spot purchase"
    if framework_id == framework.id:
        return "This framework"
    if framework_id == framework.predecessor_id:
        return "Previous framework"
    return "Another framework"


def _notice_kept(row: dict[str, Any]) -> str:
    """Whether the contractual 28 days' written notice was given: computed, never typed."""
    if row["end_date"] is None:
        return ""
    given = row["notice_given_on"]
    return "Yes" if given is not None and (row["end_date"] - given).days >= NOTICE_DAYS else "No"


def _code(value: Any) -> str:
    """A DfE code as stored (an enum member or its value)."""
    return "" if value is None else str(getattr(value, "value", value))


def _label(enum: type, value: Any) -> str:
    return enum(value).label if value is not None else ""


def _placement_line(row: dict[str, Any], framework: Framework) -> list[Any]:
    miles = row["distance_miles"]
    ending = "" if row["planned_ending"] is None else ("Planned" if row["planned_ending"] else "Unplanned")
    inside = row["inside_council_area"]
    return [
        row["ipa_reference"],
        row["referral__reference"],
        row["council__name"],
        row["provider__name"],
        _purchased_under(row["referral__framework_id"], framework),
        row["referral__lot__code"] or "",
        _label(PlacementKind, row["referral__placement_kind"]),
        _code(row["placement_type"]),
        row["start_date"],
        row["end_date"],
        ending,
        _code(row["end_reason"]),
        row["notice_given_on"],
        _label(PlacementSide, row["notice_given_by"]),
        _notice_kept(row),
        round(row["weekly_fee_pence"] / 100, 2),
        round(miles, 1) if miles is not None else None,
        "" if inside is None else ("Yes" if inside else "No"),
        "" if miles is None else ("Yes" if miles <= NEAR_MILES else "No"),
    ]


async def placements_year_xlsx(actor: Actor, framework_id: int, start_year: int) -> Export:
    """The placements the actor may see that started in a financial year, on the framework's member councils:
    the lead council's commissioners get every member's; a member council its own; a provider its own."""
    framework = await _readable_framework(actor, framework_id)
    scope = await policy.placement_export_scope(actor, framework)
    if scope is None:
        raise not_found("framework", "frameworkId")
    council_ids, provider_id = scope
    starts_on, ends_on = financial_year(start_year)
    rows = await placements_started_between(starts_on, ends_on, council_ids=council_ids, provider_id=provider_id)
    # Streamed (server.services.xlsx_rows): openpyxl's cell objects cost seconds for a consortium's year.
    content = rows_xlsx(
        sheet_title(f"Placements {year_label(start_year)}", set()),
        PLACEMENT_COLUMNS,
        (_placement_line(row, framework) for row in rows),
    )
    return Export(f"{framework.reference}-placements-{year_label(start_year)}.xlsx", XLSX, content)


async def _readable_framework(actor: Actor, framework_id: int) -> Framework:
    framework = await policy.scope_frameworks(actor, Framework.filter(id=framework_id)).first()
    if framework is None:
        raise not_found("framework", "frameworkId")
    return framework


# --- a quarter's tables: a framework's, a member council's, a provider's scorecard ------------------


@dataclass(frozen=True)
class QuarterScope:
    """Which quarter's figures: a framework's (lead commissioners), one of its member councils' or one of its
    providers' scorecard, by database ids; `quarter` as written ("2026-Q3")."""

    framework_id: int
    quarter: str
    council_id: int | None = None
    provider_id: int | None = None


@dataclass
class QuarterTables:
    heading: str  # "Kent & Medway IFP framework: Q3 2026-27 (October to December 2026)"
    stem: str  # a file name's start: "KM-IFP-2022-2026-Q3"
    view: Any
    tables: list[Any]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]


async def quarter_tables(actor: Actor, scope: QuarterScope) -> QuarterTables:
    """The view and its KPI tables, with the references behind each row, from the one function the API uses;
    the same policy decides (missing for anyone who may not see them)."""
    if scope.provider_id is not None:
        view = await contract_figures.provider_scorecard(actor, scope.provider_id, scope.framework_id, scope.quarter)
        who, slug = view.provider.name, f"-{_slug(view.provider.name)}"
    elif scope.council_id is not None:
        view = await contract_figures.council_quarter(actor, scope.council_id, scope.quarter, scope.framework_id)
        who, slug = view.council.name, f"-{_slug(view.council.name)}"
    else:
        view = await contract_figures.framework_quarter(actor, scope.framework_id, scope.quarter)
        who, slug = view.framework.name, ""
    tables = await contract_figures.tables_for(view, with_references=True)
    return QuarterTables(
        f"{who}: {view.quarter.label}", f"{view.framework.reference}{slug}-{view.quarter}", view, tables
    )


async def quarter_export(actor: Actor, scope: QuarterScope, fmt: str, table_key: str | None = None) -> Export:
    """The XLSX of every table (a sheet each), or the CSV of the table named by its key."""
    fmt = check_format(fmt)
    found = await quarter_tables(actor, scope)
    if fmt == "xlsx":
        return Export(f"{found.stem}.xlsx", XLSX, tables_xlsx(found.tables, found.heading))
    table = next((t for t in found.tables if t.key == table_key), None)
    if table is None:
        keys = ", ".join(t.key for t in found.tables)
        raise not_found(f"table (one of {keys})", "table")
    return Export(f"{found.stem}-{table.key}.csv", CSV, table_csv(table))
