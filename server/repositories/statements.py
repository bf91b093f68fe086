"""The one statement builder: plain SQL written once, run on SQLite and PostgreSQL, and the row helpers.

Only modules of this package write SQL; services call their named functions. This module is also the only
place that reaches into tortoise's internals (a model's `_meta`, `Model._init_from_db`): the plain
statements of the hot paths must read and write rows exactly as tortoise's own queries do (the same
columns, the same conversions of values, the same model objects), and tortoise has no public API for that.
Keeping it here means a tortoise upgrade that changes those internals breaks one module, whose tests
(tests/test_database.py) compare it with the ORM.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


class Statement:
    """A statement written once, for the few paths where composing it costs more than running it.

    Tortoise composes every query with pypika: 0.5-1 ms of Python, against about 0.2 ms for the round trip
    to PostgreSQL. The hot paths (the token check that starts every request, the publishing of events) say
    their SQL once instead. It is written with `?` placeholders; PostgreSQL gets $1, $2, ... in their
    place (asyncpg then prepares it once per connection). Every `?` is a placeholder: never write one in a
    string literal (or PostgreSQL's jsonb `?` operator); bind the value instead. Values are bound as given:
    SQLite returns timestamps as text, which `as_datetime` reads.
    """

    def __init__(self, text: str) -> None:
        self.sqlite = text

    @cached_property
    def postgres(self) -> str:
        """Worked out when first needed: a multi-row INSERT for SQLite has a placeholder per value."""
        counter = itertools.count(1)
        return re.sub(r"\?", lambda _: f"${next(counter)}", self.sqlite)

    def text_for(self, connection: BaseDBAsyncClient) -> str:
        return self.postgres if connection.capabilities.dialect == "postgres" else self.sqlite

    async def rows(self, *params: Any, connection: BaseDBAsyncClient | None = None) -> list[dict[str, Any]]:
        connection = connection or connections.get("default")
        return await connection.execute_query_dict(self.text_for(connection), list(params))

    async def tuples(self, *params: Any, connection: BaseDBAsyncClient | None = None) -> Sequence[Sequence[Any]]:
        """The rows as the driver gives them (indexed by position, no dict built): for reads of thousands."""
        connection = connection or connections.get("default")
        _, rows = await connection.execute_query(self.text_for(connection), list(params))
        return rows

    async def execute(self, *params: Any, connection: BaseDBAsyncClient | None = None) -> int:
        """Runs it; returns how many rows it changed."""
        connection = connection or connections.get("default")
        changed, _ = await connection.execute_query(self.text_for(connection), list(params))
        return changed


class Composer:
    """Writes a statement whose shape depends on its inputs (which filters, how many values): the parts
    that differ between SQLite and PostgreSQL, and the values to bind, in order.

    Placeholders are `?`, as in any Statement: the text written with it is made a Statement and run with
    `params`.
    """

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgres"
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    def one_of(self, values: Iterable[Any]) -> str:
        return ", ".join(self.param(value) for value in values)

    def json_list_has(self, column: str, value: str) -> str:
        """The JSON list stored in `column` holds `value`."""
        if self.postgres:
            return f"{column} @> {self.param(json.dumps([value]))}::jsonb"
        # Lists are stored as compact JSON; a quoted code matches only that whole code.
        return f"instr({column}, {self.param(json.dumps(value))}) > 0"

    def median(self, expression: str) -> str:
        """The aggregate median of a numeric expression (nulls left out; the mean of the middle two when even).
        SQLite's is server.sqlite's `median`, registered on every connection."""
        if self.postgres:
            return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST({expression} AS DOUBLE PRECISION))"
        return f"median({expression})"

    def median_high(self, expression: str) -> str:
        """The aggregate upper median of a numeric expression: the middle value, or the upper of the middle two
        when even (nulls left out); a value of the expression itself, never a mean. SQLite's is server.sqlite's
        `median_high`; PostgreSQL's `percentile_disc(0.5)` over the values in descending order is the value at
        ascending position n // 2 + 1."""
        if self.postgres:
            return f"percentile_disc(0.5) WITHIN GROUP (ORDER BY {expression} DESC)"
        return f"median_high({expression})"

    def hours_between(self, start: str, end: str) -> str:
        """Hours from the timestamp column `start` to `end`, as a float. PostgreSQL: `date_part`, a double, not
        `EXTRACT`, a numeric since PostgreSQL 14 (its arithmetic several times slower, over a quarter's rows)."""
        if self.postgres:
            return f"date_part('epoch', {end} - {start}) / 3600.0"
        return f"(julianday({end}) - julianday({start})) * 24.0"


def as_datetime(value: datetime | str | None) -> datetime | None:
    """A timestamp column's value read by a Statement: PostgreSQL gives datetimes, SQLite ISO text (UTC)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_date(value: date | str | None) -> date | None:
    """A date column's value read by a Statement (SQLite gives ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


M = TypeVar("M", bound=Model)
_BY_ID: dict[type[Model], Statement] = {}


async def row_by_id(model: type[M], pk: int) -> M | None:
    """`model.get_or_none(id=pk)` for the hot paths: one plain statement, the row turned into the model
    exactly as tortoise turns the rows of its own selects."""
    statement = _BY_ID.get(model)
    if statement is None:
        meta = model._meta
        statement = _BY_ID[model] = Statement(f'SELECT * FROM "{meta.db_table}" WHERE "{meta.db_pk_column}" = ?')
    found = await model_rows(model, statement, pk, connection=model._meta.db)
    return found[0] if found else None


# Statements for up to a page of ids (pagination's largest page) are kept, one per model and count.
_KEPT_ID_COUNT = 100
_BY_IDS: dict[tuple[type[Model], int], Statement] = {}


async def rows_by_ids(model: type[M], pks: Sequence[int]) -> list[M]:
    """`model.filter(id__in=pks)` for the hot paths (a DataLoader's batch by id): one plain statement, the rows
    turned into the model exactly as tortoise turns the rows of its own selects; in no particular order."""
    if not pks:
        return []
    key = (model, len(pks))
    statement = _BY_IDS.get(key)
    if statement is None:
        meta = model._meta
        statement = Statement(
            f'SELECT * FROM "{meta.db_table}" WHERE "{meta.db_pk_column}" IN ({", ".join("?" * len(pks))})'
        )
        if len(pks) <= _KEPT_ID_COUNT:
            _BY_IDS[key] = statement
    return await model_rows(model, statement, *pks, connection=model._meta.db)


async def model_rows(
    model: type[M], statement: Statement, *params: Any, connection: BaseDBAsyncClient | None = None
) -> list[M]:
    """The whole rows of `model`'s table that a statement gives (`SELECT *`, or `... RETURNING *`), as model
    objects built exactly as tortoise builds those of its own selects (`Model._init_from_db`, which converts
    each column's value): stored rows, which can be saved like any other."""
    return [model._init_from_db(**row) for row in await statement.rows(*params, connection=connection)]


def column_field(model: type[Model], name: str) -> Any:
    """A model's field, for its `to_db_value` / `to_python_value`: a statement that writes or reads that
    column converts values as tortoise's own queries do."""
    return model._meta.fields_map[name]


# Both databases allow 32,766 or more bound values in one statement.
MAX_BOUND_VALUES = 30_000


async def insert_rows(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, connection: BaseDBAsyncClient | None = None
) -> None:
    """`model.bulk_create` for the hot paths: multi-row INSERTs of plain values, no model objects built.

    A column a row does not name takes the model's default (its `default`, or now for an auto_now(_add)
    timestamp); every value goes through its field's `to_db_value`, as tortoise's own inserts do.
    """
    connection = connection or connections.get("default")
    await execute_all(insert_statements(model, rows, connection.capabilities.dialect), connection=connection)


async def execute_all(statements: Sequence[tuple[str, list[Any]]], *, connection: BaseDBAsyncClient) -> None:
    """Runs statements given as (SQL with `?` placeholders, values), such as insert_statements gives, in order."""
    for sql, values in statements:
        await Statement(sql).execute(*values, connection=connection)


def insert_statements(
    model: type[Model], rows: Sequence[Mapping[str, Any]], dialect: str
) -> list[tuple[str, list[Any]]]:
    """The INSERTs of insert_rows, as (SQL with `?` placeholders, values).

    PostgreSQL: one statement binding an array per column (`unnest`), whose text is the same whatever the
    number of rows, so that each connection prepares it once. SQLite: multi-row VALUES, one statement per
    30,000 bound values.
    """
    if not rows:
        return []
    meta = model._meta
    columns = [
        (meta.fields_map[name], column)
        for name, column in meta.fields_db_projection.items()
        if column not in meta.generated_db_fields
    ]
    names = [field.model_field_name for field, _ in columns]
    unknown = {key for row in rows for key in row} - set(names)
    if unknown:
        raise ValueError(f"{model.__name__} has no column for {sorted(unknown)} (give the *_id of a relation)")
    now = datetime.now(UTC)
    # Per column, once: its name, how its value is stored, and what a row that does not name it takes.
    plan = []
    for (field, _), name in zip(columns, names, strict=True):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default, call = now, False
        else:
            default, call = field.default, callable(field.default)
        plan.append((name, field.to_db_value, default, call))
    values: list[Any] = []
    append = values.append
    for row in rows:
        for name, to_db_value, default, call in plan:
            if name in row:
                value = row[name]
            else:
                value = default() if call else default
            append(to_db_value(value, model))
    quoted = ", ".join(f'"{column}"' for _, column in columns)
    if dialect == "postgres":
        # Arrays of the base type (VARCHAR, not VARCHAR(40)): a cast would cut a value too long for its
        # column without a word, where storing it into the column refuses it, as any other insert does.
        arrays = ", ".join(f"?::{_base_type(field)}[]" for field, _ in columns)
        sql = f'INSERT INTO "{meta.db_table}" ({quoted}) SELECT * FROM unnest({arrays})'
        return [(sql, [values[index :: len(columns)] for index in range(len(columns))])]
    head = f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES '
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per_statement = max(1, MAX_BOUND_VALUES // len(columns))
    statements = []
    for start in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - start)
        chunk = values[start * len(columns) : (start + count) * len(columns)]
        statements.append((head + ", ".join([one] * count), chunk))
    return statements


def _base_type(field: Any) -> str:
    return field.get_for_dialect("postgres", "SQL_TYPE").split("(")[0]
