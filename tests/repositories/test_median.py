"""`Composer.median`: the same middle value on SQLite (server.sqlite's `median` aggregate) and PostgreSQL
(`percentile_cont(0.5)`): odd and even counts, nulls left out, none at all, and per group."""

from __future__ import annotations

import pytest
from tortoise import connections

from server.repositories.statements import Composer, Statement

ROWS = [("a", 10.0), ("a", 1.0), ("a", 2.0), ("b", 4.0), ("b", 1.5), ("b", None), ("b", 9.0), ("b", 5.0), ("c", None)]
VALUES = "WITH x(grp, h) AS ({}) ".format(
    " UNION ALL ".join(
        f"SELECT '{grp}', " + ("CAST(NULL AS DOUBLE PRECISION)" if h is None else f"CAST({h} AS DOUBLE PRECISION)")
        for grp, h in ROWS
    )
)


async def _medians(tail: str) -> dict[str, float | None]:
    connection = connections.get("default")
    s = Composer(connection.capabilities.dialect)
    rows = await Statement(VALUES + tail.format(median=s.median("h"))).rows(connection=connection)
    return {row["grp"]: row["m"] for row in rows}


async def test_median_per_group_and_whole(db: str) -> None:
    per_group = await _medians("SELECT grp, {median} AS m FROM x GROUP BY grp")
    # a: 1, 2, 10 -> 2 (not the mean); b: 1.5, 4, 5, 9 (the null left out) -> the mean of the middle two;
    # c: only a null -> none.
    assert per_group == {"a": 2.0, "b": pytest.approx(4.5), "c": None}
    whole = await _medians("SELECT 'all' AS grp, {median} AS m FROM x")
    assert whole == {"all": 4.0}  # 1, 1.5, 2, 4, 5, 9, 10


async def test_median_of_no_rows_is_null(db: str) -> None:
    assert await _medians("SELECT 'none' AS grp, {median} AS m FROM x WHERE grp = 'z'") == {"none": None}


async def test_median_high_is_the_upper_middle_value_per_group(db: str) -> None:
    connection = connections.get("default")
    s = Composer(connection.capabilities.dialect)
    rows = await Statement(VALUES + f"SELECT grp, {s.median_high('h')} AS m FROM x GROUP BY grp").rows(
        connection=connection
    )
    # a: 1, 2, 10 -> 2; b: 1.5, 4, 5, 9 (the null left out) -> 5, the upper middle, a value that occurs;
    # c: only a null -> none.
    assert {row["grp"]: row["m"] for row in rows} == {"a": 2.0, "b": 5.0, "c": None}
