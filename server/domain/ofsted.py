"""Ofsted's published provider-level data for children's social care, read for an import (pure: no database).

The columns, by their names in Ofsted's file (compared without case or extra spaces): URN, Provider type,
Setting name, Local authority, Inspection date, Inspection type, Overall effectiveness. The judgement is coded
1 Outstanding, 2 Good, 3 Requires improvement to be good, 4 Inadequate, 5 (or empty, or "not judged") not
judged. Dates are written DD/MM/YYYY (ISO dates are read too). Good rows are kept when others are bad; each bad
row is reported by its 1-based line number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from server.domain.geography import RowError
from server.domain.vocabulary import OfstedJudgement

COLUMNS = (
    "URN",
    "Provider type",
    "Setting name",
    "Local authority",
    "Inspection date",
    "Inspection type",
    "Overall effectiveness",
)
REQUIRED = ("URN", "Inspection date", "Overall effectiveness")

JUDGEMENT_CODES: dict[str, OfstedJudgement | None] = {
    "1": OfstedJudgement.OUTSTANDING,
    "2": OfstedJudgement.GOOD,
    "3": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "4": OfstedJudgement.INADEQUATE,
    "5": None,
    "": None,
    "not judged": None,
}
_URN = re.compile(r"^[A-Z0-9]{6,10}$")


@dataclass(frozen=True)
class OfstedRow:
    line: int
    urn: str
    provider_type: str
    setting_name: str
    local_authority: str
    inspection_date: date | None
    inspection_type: str
    judgement: OfstedJudgement | None  # None: not judged


@dataclass(frozen=True)
class OfstedParse:
    rows: list[OfstedRow]
    errors: list[RowError]


def _name(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lstrip("\ufeff").strip().lower())


def parse_date(text: str) -> date:
    text = text.strip()
    for layout in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_ofsted_csv(lines: Iterable[str], today: date) -> OfstedParse:
    """The file's rows (a URN given twice: the later row is reported bad), and its bad rows by line."""
    reader = csv.reader(lines)
    header: dict[str, int] | None = None
    rows: list[OfstedRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        number = reader.line_num
        if header is None:
            names = [_name(cell) for cell in record]
            missing = [column for column in REQUIRED if column.lower() not in names]
            if missing:
                return OfstedParse([], [RowError(number, f"the header has no column {', '.join(missing)}")])
            header = {column: names.index(column.lower()) for column in COLUMNS if column.lower() in names}
            continue
        row = _row(record, header, number, today, errors)
        if row is None:
            continue
        if row.urn in seen:
            errors.append(RowError(number, f"URN {row.urn} is already on line {seen[row.urn]}"))
            continue
        seen[row.urn] = number
        rows.append(row)
    if header is None:
        errors.append(RowError(1, "the file is empty"))
    return OfstedParse(rows, errors)


def _row(
    record: list[str], header: dict[str, int], number: int, today: date, errors: list[RowError]
) -> OfstedRow | None:
    def cell(column: str) -> str:
        index = header.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    urn = cell("URN").upper()
    if not _URN.match(urn):
        errors.append(RowError(number, f"URN {urn or '(empty)'} is not an Ofsted URN (6 to 10 letters and digits)"))
        return None
    code = cell("Overall effectiveness").lower()
    if code not in JUDGEMENT_CODES:
        errors.append(RowError(number, f"overall effectiveness {code!r} is not 1, 2, 3, 4 or 5 (not judged)"))
        return None
    inspected = cell("Inspection date")
    try:
        inspection_date = parse_date(inspected) if inspected else None
    except ValueError:
        errors.append(RowError(number, f"inspection date {inspected!r} is not a date (DD/MM/YYYY)"))
        return None
    if inspection_date is not None and inspection_date > today:
        errors.append(RowError(number, f"inspection date {inspected} is in the future"))
        return None
    judgement = JUDGEMENT_CODES[code]
    if judgement is not None and inspection_date is None:
        errors.append(RowError(number, "a judged inspection needs its inspection date"))
        return None
    return OfstedRow(
        line=number,
        urn=urn,
        provider_type=cell("Provider type")[:80],
        setting_name=cell("Setting name")[:160],
        local_authority=cell("Local authority")[:80],
        inspection_date=inspection_date,
        inspection_type=cell("Inspection type")[:80],
        judgement=judgement,
    )
