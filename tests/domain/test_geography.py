"""Postcode districts, distances and the import parser."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from server.domain.geography import (
    BUNDLED_CSV,
    District,
    DistrictDirectory,
    ParseResult,
    RowError,
    bundled_directory,
    great_circle_miles,
    normalise_district,
    parse_postcode_csv,
)

REQUIRED_DISTRICTS = ["ME14", "ME4", "CT1", "TN23", "DA1", "SO15", "PO1", "BH1", "DT1", "NG1", "DE1", "S40"]


@pytest.fixture
def directory() -> DistrictDirectory:
    return bundled_directory()


def small_directory() -> DistrictDirectory:
    return DistrictDirectory(
        {
            "ME14": District("ME14", 51.280, 0.530, "Maidstone"),
            "ME15": District("ME15", 51.255, 0.535, "Maidstone"),
            "ME4": District("ME4", 51.380, 0.530, "Chatham"),
            "CT1": District("CT1", 51.280, 1.080, "Canterbury"),
            "NG1": District("NG1", 52.954, -1.150, "Nottingham"),
        }
    )


# --- distances ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected", "tolerance"),
    [
        ("ME14", "CT1", 25, 4),  # Maidstone to Canterbury
        # Maidstone to Nottingham is about 136 miles in a straight line (further by road).
        ("ME14", "NG1", 137, 12),
        ("ME14", "SE1", 31, 4),  # Maidstone to central London
        ("SO15", "PO1", 17, 3),  # Southampton to Portsmouth
        ("NG1", "DE1", 14, 3),  # Nottingham to Derby
        ("DE1", "S40", 22, 3),  # Derby to Chesterfield
        ("BH1", "DT1", 27, 4),  # Bournemouth to Dorchester
    ],
)
def test_known_distances(directory: DistrictDirectory, a: str, b: str, expected: float, tolerance: float) -> None:
    miles = directory.miles_between(a, b)
    assert miles is not None
    assert abs(miles - expected) <= tolerance, f"{a} to {b}: {miles:.1f} miles"


def test_great_circle_one_degree_of_latitude_is_about_69_miles() -> None:
    assert great_circle_miles(51.0, 0.0, 52.0, 0.0) == pytest.approx(69.09, abs=0.05)


def test_great_circle_is_symmetric_and_zero_for_the_same_point() -> None:
    there = great_circle_miles(51.28, 0.53, 52.954, -1.15)
    back = great_circle_miles(52.954, -1.15, 51.28, 0.53)
    assert there == pytest.approx(back)
    assert great_circle_miles(51.28, 0.53, 51.28, 0.53) == 0.0


def test_great_circle_antipodes_do_not_raise() -> None:
    assert great_circle_miles(0.0, 0.0, 0.0, 180.0) == pytest.approx(3958.8 * 3.141592653589793)


def test_miles_between_is_symmetric(directory: DistrictDirectory) -> None:
    for a, b in [("ME14", "CT1"), ("TN23", "DA1"), ("SO15", "NG1"), ("PO30", "S40")]:
        assert directory.miles_between(a, b) == pytest.approx(directory.miles_between(b, a))


def test_miles_between_a_district_and_itself_is_zero(directory: DistrictDirectory) -> None:
    assert directory.miles_between("ME14", "ME14") == 0.0
    assert directory.miles_between(" me14", "ME14 ") == 0.0


def test_miles_between_unknown_district_is_none(directory: DistrictDirectory) -> None:
    assert directory.miles_between("ME14", "ZE1") is None
    assert directory.miles_between("ZE1", "ME14") is None
    assert directory.miles_between("not a code", "ME14") is None


# --- the directory -----------------------------------------------------------------------------


def test_get_contains_and_len() -> None:
    small = small_directory()
    assert len(small) == 5
    assert "ME14" in small
    assert "me14 " in small
    assert "ZE1" not in small
    assert 14 not in small
    district = small.get(" ct1")
    assert district == District("CT1", 51.280, 1.080, "Canterbury")
    assert small.get("ZE1") is None
    assert {d.outward_code for d in small} == {"ME14", "ME15", "ME4", "CT1", "NG1"}


def test_directory_keys_are_normalised() -> None:
    directory = DistrictDirectory({"me14 ": District("ME14", 51.28, 0.53)})
    assert directory.get("ME14") is not None


def test_within_is_sorted_by_distance_and_includes_the_origin() -> None:
    found = small_directory().within("ME14", 30)
    codes = [code for code, _ in found]
    assert codes == ["ME14", "ME15", "ME4", "CT1"]
    distances = [miles for _, miles in found]
    assert distances == sorted(distances)
    assert distances[0] == 0.0
    assert all(miles <= 30 for miles in distances)


def test_within_excludes_far_districts_and_handles_unknown_origin() -> None:
    small = small_directory()
    assert [code for code, _ in small.within("ME14", 5)] == ["ME14", "ME15"]
    assert small.within("ZE1", 100) == []
    assert small.within("ME14", -1) == []


def test_within_on_bundled_directory(directory: DistrictDirectory) -> None:
    near_maidstone = dict(directory.within("ME14", 10))
    assert {"ME14", "ME15", "ME16", "ME4", "ME20"} <= near_maidstone.keys()
    assert "CT1" not in near_maidstone
    assert "NG1" not in near_maidstone


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ME14", "ME14"),
        (" me14 ", "ME14"),
        ("ct1", "CT1"),
        ("S40", "S40"),
        ("e1", "E1"),
        ("sw1a", "SW1A"),
        ("W1", "W1"),
        ("\tTN23\n", "TN23"),
    ],
)
def test_normalise_district_accepts(text: str, expected: str) -> None:
    assert normalise_district(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ME14 5AB", "ME145AB", "ME", "14", "ABC1", "M E14", "ME1-4", "ME1AB", "1ME", "ME14!"],
)
def test_normalise_district_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a postcode district"):
        normalise_district(text)


# --- the bundled file --------------------------------------------------------------------------


def bundled_rows() -> list[dict[str, str]]:
    with Path(BUNDLED_CSV).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_bundled_csv_has_the_documented_header() -> None:
    with Path(BUNDLED_CSV).open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "outward_code,latitude,longitude,area"


def test_bundled_csv_has_no_duplicate_codes() -> None:
    codes = [row["outward_code"] for row in bundled_rows()]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    assert duplicates == []


def test_bundled_csv_parses_without_errors() -> None:
    result = parse_postcode_csv(Path(BUNDLED_CSV).read_text(encoding="utf-8").splitlines())
    assert result.errors == []
    assert len(result.rows) == len(bundled_rows())


def test_bundled_directory_loads(directory: DistrictDirectory) -> None:
    assert len(directory) > 300
    assert len(directory) == len(bundled_rows())
    assert DistrictDirectory.bundled() is directory
    assert bundled_directory() is directory


def test_bundled_rows_are_in_the_uk_and_named(directory: DistrictDirectory) -> None:
    for district in directory:
        assert normalise_district(district.outward_code) == district.outward_code
        assert 49.0 <= district.latitude <= 61.0, district
        assert -9.0 <= district.longitude <= 2.5, district
        assert district.area, district


@pytest.mark.parametrize("code", REQUIRED_DISTRICTS)
def test_bundled_has_required_districts(directory: DistrictDirectory, code: str) -> None:
    assert code in directory


def test_bundled_has_out_of_area_london_districts(directory: DistrictDirectory) -> None:
    for code in ["SE1", "SE9", "SE18", "E1", "N1", "SW1A", "W1"]:
        assert code in directory


def test_from_csv_accepts_str_path(tmp_path: Path) -> None:
    path = tmp_path / "districts.csv"
    path.write_text("\ufeffoutward_code,latitude,longitude,area\nME14,51.28,0.53,Maidstone\n", encoding="utf-8")
    loaded = DistrictDirectory.from_csv(str(path))
    assert loaded.get("ME14") == District("ME14", 51.28, 0.53, "Maidstone")


# --- the import parser -------------------------------------------------------------------------


MIXED_FILE = """\
outward_code,latitude,longitude,area
ME14,51.28,0.53,Maidstone
ME14 5AB,51.28,0.53,Full postcode
CT1,north,1.08,Canterbury
TN23,51.14,0.86,Ashford

NG1,12.5,-1.15,Nottingham
DE1,52.92,-14.0,Derby
DA1,51.445
ct2,51.295,1.06,Canterbury
ME14,51.281,0.531,Maidstone again
"""


def test_parse_mixed_file_reports_line_numbers_and_keeps_good_rows() -> None:
    result = parse_postcode_csv(MIXED_FILE.splitlines())
    assert isinstance(result, ParseResult)
    assert [district.outward_code for district in result.rows] == ["ME14", "TN23", "CT2"]
    assert [error.line for error in result.errors] == [3, 4, 7, 8, 9]
    messages = {error.line: error.message for error in result.errors}
    assert "not a postcode district" in messages[3]
    assert "latitude" in messages[4] and "not a number" in messages[4]
    assert "latitude" in messages[7] and "outside the UK" in messages[7]
    assert "longitude" in messages[8] and "outside the UK" in messages[8]
    assert "missing column" in messages[9] and "longitude" in messages[9]


def test_parse_duplicate_code_last_wins_without_error() -> None:
    result = parse_postcode_csv(MIXED_FILE.splitlines())
    maidstone = next(d for d in result.rows if d.outward_code == "ME14")
    assert maidstone == District("ME14", 51.281, 0.531, "Maidstone again")
    assert 11 not in [error.line for error in result.errors]


def test_parse_file_without_header() -> None:
    result = parse_postcode_csv(["ME14,51.28,0.53,Maidstone", "CT1,51.28,1.08", "bad,51,0"])
    assert [d.outward_code for d in result.rows] == ["ME14", "CT1"]
    assert result.rows[0].area == "Maidstone"
    assert result.rows[1].area == ""
    assert result.errors == [RowError(3, result.errors[0].message)]


@pytest.mark.parametrize(
    "header",
    [
        "outcode,lat,lon",
        "Postcode District,Latitude,Longitude",
        "postcode_district,lat,lng",
        "\ufeffOutward Code,LATITUDE,LONGITUDE",
    ],
)
def test_parse_header_aliases(header: str) -> None:
    result = parse_postcode_csv([header, "me14,51.28,0.53"])
    assert result.errors == []
    assert result.rows == [District("ME14", 51.28, 0.53)]


def test_parse_header_in_any_column_order() -> None:
    result = parse_postcode_csv(["area,lng,lat,outcode", "Maidstone,0.53,51.28,ME14"])
    assert result.rows == [District("ME14", 51.28, 0.53, "Maidstone")]


def test_parse_header_missing_a_column_is_one_clear_error() -> None:
    result = parse_postcode_csv(["outward_code,latitude,area", "ME14,51.28,Maidstone"])
    assert result.rows == []
    assert len(result.errors) == 1
    assert result.errors[0].line == 1
    assert "missing column" in result.errors[0].message
    assert "longitude" in result.errors[0].message


def test_parse_header_after_blank_lines_keeps_real_line_numbers() -> None:
    result = parse_postcode_csv(["", "outward_code,latitude,longitude", "ME14,51.28,0.53", "CT1,x,1.08"])
    assert [d.outward_code for d in result.rows] == ["ME14"]
    assert [error.line for error in result.errors] == [4]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", ""])
def test_parse_rejects_non_finite_or_empty_latitude(value: str) -> None:
    result = parse_postcode_csv([f"ME14,{value},0.53"])
    assert result.rows == []
    assert len(result.errors) == 1
    assert "latitude" in result.errors[0].message


def test_parse_empty_input() -> None:
    assert parse_postcode_csv([]) == ParseResult([], [])
