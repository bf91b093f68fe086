"""graphql-transport-ws, with identical live subscriptions sharing one execution (see schema.live).

strawberry's handler runs every other operation as usual; a subscription that can join a group
(schema.live.grouping) becomes a member of it instead, and this connection only sends what its member
is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import PreExecutionError

from schema.context import Context
from schema.live.feed import GroupFeed
from schema.live.frames import frame_writer
from schema.live.grouping import grouping
from schema.live.groups import LiveGroups


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """The view it serves has `live` (its LiveGroups) and `encode_json`, as schema.view.GraphQLApp does."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        found = grouping(operation.query, operation.variables, operation.operation_name, self.context.actor)
        if found is None:
            await super().run_operation(operation)
            return

        def start(feed: GroupFeed) -> Awaitable[Any]:
            shared = self.context.detached(live_feed=feed)
            return self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=shared,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )

        groups: LiveGroups = self.view.live  # type: ignore[attr-defined]
        encode: Callable[[Any], str] = self.view.encode_json
        prefix = f'{{"id":{encode(operation.id)},"type":"next","payload":'
        member = groups.join(found, start, encode, prefix, frame_writer(self.websocket.ws.scope))  # type: ignore[attr-defined]
        try:
            async for item in member.items():
                if isinstance(item.result, PreExecutionError):
                    await self._handle_pre_execution_error(operation, item.result)  # as strawberry would
                    return
                if operation.completed:
                    return
                await self._send_text(member.message(item))
            if member.cut_off and not operation.completed:
                await self._send_text(prefix + member.lagging_payload(encode) + "}")
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except (WebSocketDisconnected, WebSocketDisconnect, _OperationStreamClosed):
            return  # the connection is gone, or a bad document closed it
        finally:
            member.end()

    async def _send_text(self, text: str) -> None:
        try:
            await self.websocket.ws.send_text(text)  # type: ignore[attr-defined]
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error
