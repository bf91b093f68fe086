"""graphql-transport-ws spoken by hand over a plain `websockets` connection, for the scale tests."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any


class RawGraphQLSocket:
    """graphql-transport-ws spoken by hand, so that a test controls exactly when it reads."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._next_id = 0

    @classmethod
    async def connect(
        cls, url: str, token: str, *, receive_buffer: int | None = None, **options: Any
    ) -> RawGraphQLSocket:
        """Connect, send connection_init with the bearer token, wait for connection_ack.

        receive_buffer: a small SO_RCVBUF makes a client that stops reading felt by the server at once.
        """
        from websockets.asyncio.client import connect
        from websockets.typing import Subprotocol

        if receive_buffer is not None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.setblocking(False)
            host, port = url.removeprefix("ws://").split("/", 1)[0].split(":")
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, int(port))), 5)
            options["sock"] = sock
        options.setdefault("ping_interval", None)
        options.setdefault("open_timeout", 10)
        connection = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], **options)
        raw = cls(connection)
        await raw.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        ack = await raw.receive(timeout=10)
        if ack["type"] != "connection_ack":
            await connection.close()
            raise ConnectionError(f"expected connection_ack, got {ack}")
        return raw

    def set_receive_buffer(self, size: int) -> None:
        """Widen (or narrow) the TCP receive window of an open connection."""
        self.connection.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        operation = str(self._next_id)
        await self.send(
            {"id": operation, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )
        return operation

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next protocol message, answering pings and skipping pongs."""
        while True:
            message = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            if message["type"] != "pong":
                return message

    async def close(self) -> None:
        await asyncio.wait_for(self.connection.close(), 5)
