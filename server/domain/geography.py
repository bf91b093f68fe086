"""Postcode districts and great-circle distances between them (pure, stdlib only)."""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

EARTH_RADIUS_MILES = 3958.8
OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
BUNDLED_CSV = Path(__file__).resolve().parent.parent / "demo" / "data" / "postcode_districts.csv"
UK_LATITUDE = (49.0, 61.0)
UK_LONGITUDE = (-9.0, 2.5)


def normalise_district(text: str) -> str:
    code = text.strip().upper()
    if not OUTWARD_CODE.match(code):
        raise ValueError(f"{text.strip()!r} is not a postcode district (outward code) such as ME14 or SO15")
    return code


def great_circle_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class District:
    outward_code: str
    latitude: float
    longitude: float
    area: str = ""


class DistrictDirectory:
    def __init__(self, districts: dict[str, District]) -> None:
        self._districts = dict(districts)

    @classmethod
    def from_csv(cls, path: Path) -> DistrictDirectory:
        result = parse_postcode_csv(path.read_text(encoding="utf-8-sig").splitlines())
        return cls({d.outward_code: d for d in result.rows})

    def get(self, code: str) -> District | None:
        return self._districts.get(code.strip().upper())

    def miles_between(self, a: str, b: str) -> float | None:
        first, second = self.get(a), self.get(b)
        if first is None or second is None:
            return None
        return great_circle_miles(first.latitude, first.longitude, second.latitude, second.longitude)

    def within(self, origin: str, miles: float) -> list[tuple[str, float]]:
        centre = self.get(origin)
        if centre is None:
            return []
        found = []
        for district in self._districts.values():
            distance = great_circle_miles(centre.latitude, centre.longitude, district.latitude, district.longitude)
            if distance <= miles:
                found.append((district.outward_code, distance))
        return sorted(found, key=lambda item: (item[1], item[0]))

    def __len__(self) -> int:
        return len(self._districts)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip().upper() in self._districts

    def __iter__(self) -> Iterator[District]:
        return iter(self._districts.values())


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


_CODE_COLUMNS = ("outward_code", "outcode", "postcode_district", "district", "postcode district")
_LAT_COLUMNS = ("latitude", "lat")
_LON_COLUMNS = ("longitude", "lon", "lng", "long")


def parse_postcode_csv(lines: Iterable[str]) -> ParseResult:
    """Good rows are kept even when others are bad; each bad row is reported with its line number."""
    rows: dict[str, District] = {}
    errors: list[RowError] = []
    columns = (0, 1, 2, None)
    for number, record in enumerate(csv.reader(lines), start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        lowered = [cell.strip().lower() for cell in record]
        if number == 1 and any(name in lowered for name in _CODE_COLUMNS + _LAT_COLUMNS):
            columns = _header_columns(lowered)
            if None in columns[:3]:
                errors.append(RowError(1, "header needs outward_code, latitude and longitude columns"))
                return ParseResult([], errors)
            continue
        district = _district(record, columns, number, errors)
        if district is not None:
            rows[district.outward_code] = district
    return ParseResult(list(rows.values()), errors)


def _header_columns(names: list[str]) -> tuple[int | None, int | None, int | None, int | None]:
    def find(options: tuple[str, ...]) -> int | None:
        return next((i for i, name in enumerate(names) if name in options), None)

    return find(_CODE_COLUMNS), find(_LAT_COLUMNS), find(_LON_COLUMNS), find(("area", "name", "town"))


def _district(
    record: list[str], columns: tuple[int | None, ...], number: int, errors: list[RowError]
) -> District | None:
    code_at, lat_at, lon_at, area_at = columns
    if max(i for i in (code_at, lat_at, lon_at) if i is not None) >= len(record):
        errors.append(RowError(number, "missing column: expected outward code, latitude, longitude"))
        return None
    try:
        code = normalise_district(record[code_at])
    except ValueError as error:
        errors.append(RowError(number, str(error)))
        return None
    try:
        latitude, longitude = float(record[lat_at]), float(record[lon_at])
    except ValueError:
        errors.append(
            RowError(number, f"latitude and longitude must be numbers, not {record[lat_at]!r}, {record[lon_at]!r}")
        )
        return None
    if not UK_LATITUDE[0] <= latitude <= UK_LATITUDE[1]:
        errors.append(RowError(number, f"latitude {latitude} is outside the UK ({UK_LATITUDE[0]} to {UK_LATITUDE[1]})"))
        return None
    if not UK_LONGITUDE[0] <= longitude <= UK_LONGITUDE[1]:
        errors.append(
            RowError(number, f"longitude {longitude} is outside the UK ({UK_LONGITUDE[0]} to {UK_LONGITUDE[1]})")
        )
        return None
    area = record[area_at].strip() if area_at is not None and area_at < len(record) else ""
    return District(code, latitude, longitude, area)
