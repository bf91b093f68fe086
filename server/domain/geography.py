"""Postcode districts and great-circle distances between them (pure, stdlib only).

Referrals carry only a postcode district ("ME14"), never a full postcode, so
the district centroid is the finest location the marketplace may use. Distances
are straight-line miles between centroids: good enough to rank providers and to
test "within 20 miles of home" goals, not a travel time.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

EARTH_RADIUS_MILES = 3958.8
OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
BUNDLED_CSV = Path(__file__).resolve().parent.parent / "demo" / "data" / "postcode_districts.csv"
# Generous boxes around the UK (Scilly to Shetland, Northern Ireland to Lowestoft): they catch swapped
# columns and sign slips in imported files without rejecting any real district.
UK_LATITUDE = (49.0, 61.0)
UK_LONGITUDE = (-9.0, 2.5)


def normalise_district(text: str) -> str:
    """The canonical form of a postcode district, e.g. " me14 " -> "ME14"; ValueError if it is not one."""
    code = text.strip().upper()
    if not OUTWARD_CODE.match(code):
        raise ValueError(
            f"{text.strip()!r} is not a postcode district: give the first half of a postcode, such as ME14 or SO15"
        )
    return code


def great_circle_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # Rounding can push `a` a hair above 1 for near-antipodal points, and asin would then raise.
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class District:
    outward_code: str
    latitude: float
    longitude: float
    area: str = ""


class DistrictDirectory:
    """Known districts by outward code. Look-ups are forgiving about case and spaces because codes come from forms."""

    def __init__(self, districts: Mapping[str, District]) -> None:
        self._districts: dict[str, District] = {_key(code): district for code, district in districts.items()}
        self._beyond: dict[tuple[str, float], tuple[str, ...]] = {}

    @classmethod
    def from_csv(cls, path: str | Path) -> DistrictDirectory:
        # utf-8-sig: files saved from Excel start with a byte-order mark that would otherwise hide the header.
        result = parse_postcode_csv(Path(path).read_text(encoding="utf-8-sig").splitlines())
        return cls({district.outward_code: district for district in result.rows})

    @classmethod
    def bundled(cls) -> DistrictDirectory:
        """The demo districts shipped with the code; shared, so loaded once per process."""
        return bundled_directory()

    def get(self, code: str) -> District | None:
        return self._districts.get(_key(code))

    def miles_between(self, a: str, b: str) -> float | None:
        """None when either district is unknown: callers must not mistake "no data" for "far away"."""
        first, second = self.get(a), self.get(b)
        if first is None or second is None:
            return None
        return great_circle_miles(first.latitude, first.longitude, second.latitude, second.longitude)

    def within(self, origin: str, miles: float) -> list[tuple[str, float]]:
        """(code, miles) for every district within `miles` of `origin`, itself included, nearest first.

        An unknown origin gives an empty list rather than an error, as with `miles_between`.
        """
        centre = self.get(origin)
        if centre is None:
            return []
        found: list[tuple[str, float]] = []
        for district in self._districts.values():
            distance = great_circle_miles(centre.latitude, centre.longitude, district.latitude, district.longitude)
            if distance <= miles:
                found.append((district.outward_code, distance))
        # Ties broken by code so the order is stable between runs.
        return sorted(found, key=lambda item: (item[1], item[0]))

    def beyond(self, origin: str, miles: float) -> tuple[str, ...]:
        """Every known district further than `miles` from `origin`, by code; none when `origin` is unknown.

        Districts the directory does not know are in neither list: their distance is unknown, not far.
        Remembered per (origin, miles): matching asks the same question for each referral it ranks.
        """
        key = (_key(origin), miles)
        found = self._beyond.get(key)
        if found is None:
            # The same call, argument order included, that matching uses for each candidate's distance.
            distances = ((d.outward_code, self.miles_between(d.outward_code, origin)) for d in self._districts.values())
            found = tuple(sorted(code for code, distance in distances if distance is not None and distance > miles))
            if len(self._beyond) > 4096:
                self._beyond.clear()
            self._beyond[key] = found
        return found

    def __len__(self) -> int:
        return len(self._districts)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and _key(code) in self._districts

    def __iter__(self) -> Iterator[District]:
        return iter(self._districts.values())


def _key(code: str) -> str:
    return code.strip().upper()


@functools.cache
def bundled_directory() -> DistrictDirectory:
    return DistrictDirectory.from_csv(BUNDLED_CSV)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ParseResult:
    rows: list[District]
    errors: list[RowError]


# Names seen in published postcode-district files (ONS, Doogal, Ordnance Survey extracts); compared after
# lower-casing and turning spaces and hyphens into underscores.
_CODE_NAMES = frozenset({"outward_code", "outwardcode", "outcode", "postcode_district", "district", "postcode"})
_LATITUDE_NAMES = frozenset({"latitude", "lat"})
_LONGITUDE_NAMES = frozenset({"longitude", "lon", "lng", "long"})
_AREA_NAMES = frozenset({"area", "name", "town", "place", "locality", "post_town"})
_KNOWN_NAMES = _CODE_NAMES | _LATITUDE_NAMES | _LONGITUDE_NAMES


@dataclass(frozen=True)
class _Columns:
    code: int
    latitude: int
    longitude: int
    area: int | None


# A file without a header is read in the same order as the bundled one.
_DEFAULT_COLUMNS = _Columns(code=0, latitude=1, longitude=2, area=3)


def parse_postcode_csv(lines: Iterable[str]) -> ParseResult:
    """Read districts for an import. Good rows are kept even when others are bad, so one typo in a
    3,000-row file does not block the rest; each bad row is reported by its 1-based line number so the
    person importing can find it in their spreadsheet. A repeated code replaces the earlier one.
    """
    rows: dict[str, District] = {}
    errors: list[RowError] = []
    columns = _DEFAULT_COLUMNS
    seen_first_row = False
    reader = csv.reader(lines)
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        # line_num counts physical lines read, so it stays right after blank lines.
        number = reader.line_num
        if not seen_first_row:
            seen_first_row = True
            names = [_column_name(cell) for cell in record]
            if _KNOWN_NAMES.intersection(names):
                header_columns, problem = _header_columns(names)
                if header_columns is None:
                    # Without knowing which column is which, no row below can be read safely.
                    return ParseResult([], [RowError(number, problem)])
                columns = header_columns
                continue
        district = _district(record, columns, number, errors)
        if district is not None:
            rows[district.outward_code] = district
    return ParseResult(list(rows.values()), errors)


def _column_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def _header_columns(names: list[str]) -> tuple[_Columns | None, str]:
    def find(options: frozenset[str]) -> int | None:
        return next((i for i, name in enumerate(names) if name in options), None)

    code, latitude, longitude = find(_CODE_NAMES), find(_LATITUDE_NAMES), find(_LONGITUDE_NAMES)
    if code is None or latitude is None or longitude is None:
        missing = [
            label
            for label, at in (("outward_code", code), ("latitude", latitude), ("longitude", longitude))
            if at is None
        ]
        return None, f"missing column: the header needs outward_code, latitude and longitude; no {', '.join(missing)}"
    return _Columns(code, latitude, longitude, find(_AREA_NAMES)), ""


def _district(record: list[str], columns: _Columns, number: int, errors: list[RowError]) -> District | None:
    def cell(at: int) -> str:
        return record[at].strip() if at < len(record) else ""

    for label, at in (("outward code", columns.code), ("latitude", columns.latitude), ("longitude", columns.longitude)):
        if not cell(at):
            errors.append(RowError(number, f"missing column: no {label} (column {at + 1})"))
            return None
    try:
        code = normalise_district(cell(columns.code))
    except ValueError as error:
        errors.append(RowError(number, str(error)))
        return None
    # One error per bad row, so the count of errors is the count of rows skipped.
    latitude = _coordinate(cell(columns.latitude), "latitude", UK_LATITUDE, number, errors)
    if latitude is None:
        return None
    longitude = _coordinate(cell(columns.longitude), "longitude", UK_LONGITUDE, number, errors)
    if longitude is None:
        return None
    area = cell(columns.area) if columns.area is not None else ""
    return District(code, latitude, longitude, area)


def _coordinate(
    text: str, label: str, bounds: tuple[float, float], number: int, errors: list[RowError]
) -> float | None:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    # float() accepts "nan" and "inf", which are no more a position than "abc" is.
    if not math.isfinite(value):
        errors.append(RowError(number, f"{label} {text!r} is not a number"))
        return None
    low, high = bounds
    if not low <= value <= high:
        errors.append(RowError(number, f"{label} {value} is outside the UK ({low} to {high})"))
        return None
    return value
