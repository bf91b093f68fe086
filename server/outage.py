"""What a client is told when the database does not answer: a clear 503 it can retry, never a 500 page.

A request that meets a database fault before or outside GraphQL's own error handling (the token check starts
every request) comes here. If the fault is a lost connection, or the database no longer answers, the client
gets 503 with `Retry-After`: GraphQL clients a JSON error with the code SERVICE_UNAVAILABLE and a request id,
portal pages a short page. Any other fault is a bug and goes on to the server-error page as before.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, OperationalError

from server.repositories.health import database_answers

log = logging.getLogger("placement_exchange.outage")

RETRY_AFTER_SECONDS = 5
MESSAGE = "The exchange cannot reach its database just now. Nothing was changed; try again in a few seconds."


class DatabaseOutage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as fault:
            if started or not await is_outage(fault):
                raise
            request_id = secrets.token_hex(6)
            log.error("request %s: database unavailable (%s)", request_id, type(fault).__name__)
            await _answer(scope, send, request_id)


def is_connection_fault(fault: BaseException) -> bool:
    """A lost or refused database connection: always an outage, told without asking the database again."""
    return isinstance(fault, DBConnectionError | ConnectionError | OSError) or _is_driver_connection_error(fault)


async def is_outage(fault: BaseException) -> bool:
    """A lost or refused connection is an outage; any other database error is one only if the database has
    stopped answering (a bad statement is a bug, not an outage)."""
    if is_connection_fault(fault):
        return True
    return _is_database_error(fault) and not await database_answers()


def _is_database_error(fault: BaseException) -> bool:
    import asyncpg

    return isinstance(fault, OperationalError | asyncpg.PostgresError | asyncpg.InternalClientError | sqlite3.Error)


def _is_driver_connection_error(fault: BaseException) -> bool:
    import asyncpg

    return isinstance(
        fault,
        asyncpg.PostgresConnectionError | asyncpg.InterfaceError | asyncpg.CannotConnectNowError,
    )


async def _answer(scope: Scope, send: Send, request_id: str) -> None:
    wants_json = scope.get("path", "").startswith("/graphql") or any(
        name == b"accept" and b"json" in value for name, value in scope.get("headers", [])
    )
    if wants_json:
        body = json.dumps(
            {"data": None, "errors": [{"message": MESSAGE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
        ).encode()
        kind = b"application/json"
    else:
        body = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Try again shortly</title>"
            f"<main><h1>Try again shortly</h1><p>{MESSAGE}</p><p>Reference: {request_id}</p></main></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        (b"x-request-id", request_id.encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
