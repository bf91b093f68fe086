"""Bounds on what one request may send, enforced before anything parses it."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A referral with every field at its bound is under 40 KB of JSON; the portal's forms are smaller still.
MAX_REQUEST_BYTES = 1_048_576
# uvicorn's --ws-max-size for the Procfile and `serve`: one websocket message (a subscribe with its variables).
MAX_WEBSOCKET_MESSAGE_BYTES = 262_144


class RequestTooLarge(Exception):
    """The body went past MAX_REQUEST_BYTES while the app was reading it."""


class RequestSizeLimit:
    """Refuses an HTTP body over `max_bytes` with 413: by its Content-Length before reading a byte, or as soon
    as a body sent without one (chunked) goes past the limit. The answer is a GraphQL-shaped JSON error so that
    API clients can read it; nothing of the body is kept or logged."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        limit = f"{self.max_bytes:,}"
        body = json.dumps(
            {
                "data": None,
                "errors": [
                    {
                        "message": f"The request body is larger than {limit} bytes.",
                        "extensions": {"code": "REQUEST_TOO_LARGE"},
                    }
                ],
            }
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None
