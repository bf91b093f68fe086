"""uvicorn's HTTP protocol with a deadline for a request's headers.

uvicorn times out idle keep-alive connections but not a client that sends its headers a byte at a time (or
connects and sends nothing): each such connection is held open for as long as the client likes. This protocol
gives every request HTTP_HEADER_TIMEOUT_SECONDS (10 by default) from its first byte, or from the connection's
opening, to finish its headers, and closes the connection otherwise. The Procfile and `serve` use it
(`--http server.http_protocol:HeaderTimeoutProtocol`); tests/test_http_protocol.py holds it to uvicorn's
private callbacks, which pyproject pins.
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0


def header_timeout_seconds() -> float:
    from server.settings import SettingsError, _seconds

    try:
        return _seconds("HTTP_HEADER_TIMEOUT_SECONDS", os.environ.get("HTTP_HEADER_TIMEOUT_SECONDS", "10"))
    except SettingsError:
        return DEFAULT_HEADER_TIMEOUT_SECONDS


class HeaderTimeoutProtocol(HttpToolsProtocol):
    header_timeout: float = header_timeout_seconds()
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
