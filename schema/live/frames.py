"""A shared live message written straight to each member's socket, as websockets' broadcast() does.

Through ASGI a message passes Starlette's WebSocket, its exception middleware, uvicorn's send and
websockets' frame serialisation: about 15 µs of Python per message, which for 1,000 members of a group
is the largest part of delivering one event. A `next` message of a group is the same bytes for every
member but for its operation id, so here it is framed by hand (a server's frames are never masked) and
written to the connection's transport in one call.

Only when that is exactly what the ordinary path would do, checked at every write: the server is uvicorn
with its websockets-sansio protocol (its default), the handshake is done, the connection is open with no
close sent, no extension (compression) was negotiated, and the transport is not paused by flow control.
Otherwise `write` says no and the member uses the ordinary send, which waits when it must (see
schema.live.member.LiveMember). Pings, pongs and closes keep going through uvicorn; each of our writes is one
whole frame, so they never interleave inside a frame.

uvicorn's ASGI `send` is the protocol's bound method, but Starlette's exception middleware wraps it, so
`RawSend` (outermost ASGI middleware) keeps the server's own `send` in the websocket scope.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn without websockets: the ordinary path only
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

SCOPE_KEY = "placement_exchange.server_send"
TEXT_FIN = 0x81  # FIN bit and the text opcode

FrameWriter = Callable[[bytes, bytes], bool]


class RawSend:
    """Keeps the server's own ASGI `send` of a websocket in its scope (see frame_writer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)


def frame_writer(scope: Scope) -> FrameWriter | None:
    """write(head, body) puts head + body on the socket as one text frame now, or returns False.

    None when the connection is not one this can write to (another server or websocket implementation).
    """
    protocol = getattr(scope.get(SCOPE_KEY), "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None

    def write(head: bytes, body: bytes) -> bool:
        connection = protocol.conn
        transport = protocol.transport
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or connection.state is not State.OPEN
            or connection.extensions
            or connection.expect_continuation_frame
            or not protocol.writable.is_set()
            or transport.is_closing()
        ):
            return False
        transport.write(_header(len(head) + len(body)) + head + body)
        return True

    return write


def _header(length: int) -> bytes:
    if length < 126:
        return bytes((TEXT_FIN, length))
    if length < 1 << 16:
        return bytes((TEXT_FIN, 126)) + length.to_bytes(2, "big")
    return bytes((TEXT_FIN, 127)) + length.to_bytes(8, "big")
