"""The bad-input sweep: every mutation and every query argument of the served schema, sent wrong types, overlong
strings, out-of-range numbers and dates, unknown and foreign ids, unknown enum values, control characters, NUL
bytes and lone surrogates. No answer is a masked fault or an HTTP 500, every refusal of a mutation names its field,
no secret reaches the log, and the log grows by a bounded amount per bad request. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from schema.build import MASKED_MESSAGE, build_schema
from schema.ids import to_global_id
from tests.api.conftest import Api

SECRET = "sweep-secret-password-x"
MAX_LOG_PER_REQUEST = 1_000  # characters of log a bad request may add, on average


def _valid(kind: GraphQLInputType) -> Any:
    """A plausible value of the type: the sweep replaces one part of it at a time with something bad."""
    if isinstance(kind, GraphQLNonNull):
        return _valid(kind.of_type)
    if isinstance(kind, GraphQLList):
        return [_valid(kind.of_type)]
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: _valid(field.type)
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is None
        }
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    return {
        "String": SECRET,
        "ID": to_global_id("Referral", 1),
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Date": datetime.now(UTC).date().isoformat(),
        "DateTime": datetime.now(UTC).isoformat(),
    }.get(kind.name, "x")


def _bad_values(kind: GraphQLInputType) -> list[Any]:
    named = get_named_type(kind)
    wrong_type: list[Any] = [{"nested": 1}, [1, 2]]
    if isinstance(kind, GraphQLNonNull):
        wrong_type.append(None)
    if isinstance(named, GraphQLEnumType):
        values = ["NOT_A_VALUE", 7]
    elif isinstance(named, GraphQLScalarType) and named.name == "String":
        values = ["s" * 100_000, "a\x00b", "a\ud800b", "\x1b[31mred", 12]
    elif isinstance(named, GraphQLScalarType) and named.name == "Int":
        values = [2**31, -(2**31) - 1, -1, 2_147_483_647, "1", 1.5]
    elif isinstance(named, GraphQLScalarType) and named.name == "ID":
        values = [
            to_global_id("Referral", 10**30),
            to_global_id("Referral", 2**63),
            "UmVmZXJyYWw6wrI",  # "Referral:²"
            to_global_id("Council", 99_999),
            "",
            "not base64 !",
            5.5,
        ]
    elif isinstance(named, GraphQLScalarType) and named.name in ("Date", "DateTime"):
        values = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59+00:00", "soon"]
    else:
        values = []
    if isinstance(kind, GraphQLList) or isinstance(getattr(kind, "of_type", None), GraphQLList):
        item = _valid(kind)
        values.append((item * 10_000)[:10_000] if isinstance(item, list) else [item] * 10_000)
    return values + wrong_type


def _variants(kind: GraphQLInputType, base: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(where, value): the valid value with one leaf (or the whole value) replaced by a bad one."""
    for bad in _bad_values(kind):
        yield ".".join(path) or "(whole)", bad
    named = get_named_type(kind)
    if isinstance(named, GraphQLInputObjectType) and isinstance(base, dict):
        for name, field in named.fields.items():
            inner = base.get(name, None if is_leaf_type(get_named_type(field.type)) else _valid(field.type))
            for where, bad in _variants(field.type, inner, (*path, name)):
                yield where, {**base, name: bad}


def _selection(field: GraphQLField) -> str:
    result = get_named_type(field.type)
    if not isinstance(result, GraphQLObjectType):
        return ""
    if "errors" in result.fields:
        return "{ __typename errors { field code message } }"
    return "{ __typename }"


def _operations(api: Api) -> Iterator[tuple[str, str, GraphQLField, str, GraphQLInputType]]:
    served = build_schema(production=False)._schema  # the same schema the app serves
    for kind, root in (("mutation", served.mutation_type), ("query", served.query_type)):
        for name, field in root.fields.items():
            for argument_name, argument in field.args.items():
                yield kind, name, field, argument_name, argument.type


async def _send(api: Api, document: str, variables: dict[str, Any], as_: str) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"query": document, "variables": variables})
    response = await api.client.post(
        "/graphql",
        content=body.encode(),
        headers={"content-type": "application/json", "Authorization": f"Bearer {api.tokens[as_]}"},
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("as_", ["admin", "harbour"])
async def test_every_argument_refuses_bad_input_with_a_typed_answer(
    api: Api, caplog: pytest.LogCaptureFixture, as_: str
) -> None:
    caplog.set_level(logging.INFO)
    problems: list[str] = []
    sent = 0
    for kind, name, field, argument_name, argument_type in _operations(api):
        others = {
            other: _valid(spec.type)
            for other, spec in field.args.items()
            if other != argument_name and isinstance(spec.type, GraphQLNonNull)
        }
        declared = ", ".join(f"${other}: {spec.type}" for other, spec in field.args.items())
        passed = ", ".join(f"{other}: ${other}" for other in field.args)
        document = f"{kind}({declared}) {{ {name}({passed}) {_selection(field)} }}"
        for where, bad in _variants(argument_type, _valid(argument_type)):
            status, body = await _send(api, document, {**others, argument_name: bad}, as_)
            sent += 1
            label = f"{name}({argument_name}) {where}"
            if status >= 500:
                problems.append(f"{label}: HTTP {status}")
                continue
            messages = [error.get("message") for error in body.get("errors") or []]
            if MASKED_MESSAGE in messages:
                problems.append(f"{label}: masked")
            payload = (body.get("data") or {}).get(name)
            if isinstance(payload, dict) and kind == "mutation":
                untyped = [error for error in payload.get("errors") or [] if not error.get("field")]
                if untyped and untyped[0]["code"] not in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
                    problems.append(f"{label}: refusal without a field: {untyped}")
    assert sent > 500
    assert problems == [], "\n".join(problems[:40])
    assert SECRET not in caplog.text
    assert len(caplog.text) / sent < MAX_LOG_PER_REQUEST
