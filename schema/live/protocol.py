"""graphql-transport-ws, with identical live subscriptions sharing one execution (see schema.live).

strawberry's handler runs every other operation as usual; a subscription that can join a group
(schema.live.grouping) becomes a member of it instead, and this connection only sends what its member
is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import PreExecutionError

from schema.context import Context
from schema.live.feed import GroupFeed
from schema.live.frames import frame_writer
from schema.live.grouping import grouping
from schema.live.groups import LiveGroups
from schema.live.sockets import LiveRefusal
from server.outage import is_outage

DATABASE_UNAVAILABLE = (1013, "Database unavailable: try again shortly")


class _Admission:
    """What both protocols do around strawberry's handling: a refused connection_init closes the socket with its
    own code and reason (too many sockets; the database not answering), and a closed socket is no longer counted
    against its user."""

    websocket: Any
    view: Any

    async def handle(self) -> None:
        try:
            await super().handle()  # type: ignore[misc]
        finally:
            self.view.live_sockets.release(self.websocket.ws)

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)  # type: ignore[misc]
        except LiveRefusal as refusal:
            await self.websocket.close(code=refusal.code, reason=refusal.reason)
        except Exception as fault:
            if not await is_outage(fault):
                raise
            await self.websocket.close(code=DATABASE_UNAVAILABLE[0], reason=DATABASE_UNAVAILABLE[1])


class LegacyWSHandler(_Admission, BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol, admitted as graphql-transport-ws is. It carries subscriptions only: a query
    or mutation sent over it is refused with the protocol's own error message, saying where to send it."""

    async def handle_start(self, message: Any) -> None:
        if self.connection_acknowledged and not _is_subscription(message.get("payload", {})):
            refusal = "graphql-ws carries subscriptions only: send queries and mutations to POST /graphql."
            await self.send_message({"type": "error", "id": message["id"], "payload": {"message": refusal}})
            return
        await super().handle_start(message)


def _is_subscription(payload: dict[str, Any]) -> bool:
    """Whether the operation to run is a subscription; a document that does not parse is left to strawberry,
    which answers it with the parse error."""
    try:
        document = parse(payload.get("query") or "")
    except GraphQLError:
        return True
    name = payload.get("operationName")
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    chosen = [node for node in operations if name is None or (node.name and node.name.value == name)]
    return not chosen or chosen[0].operation is OperationType.SUBSCRIPTION


class LiveTransportWSHandler(_Admission, BaseGraphQLTransportWSHandler[Context, None]):
    """The view it serves has `live` (its LiveGroups) and `encode_json`, as schema.view.GraphQLApp does."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        found = grouping(
            operation.query,
            operation.variables,
            operation.operation_name,
            self.context.actor,
            self.schema._schema,  # type: ignore[attr-defined]
        )
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
