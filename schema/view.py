"""The GraphQL endpoint: HTTP and websockets, authenticated by bearer token or portal session."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, MutableMapping
from datetime import timedelta
from hashlib import sha256
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import PreExecutionError

from schema.context import Context
from schema.live import GroupFeed, LiveGroups, grouping
from schema.live_frames import frame_writer
from server.auth.actor import Actor
from server.services.accounts import token_actor
from server.settings import Settings

SESSION_COOKIE = "px_session"
CSRF_HEADER = "x-csrf-token"


def csrf_token_for(settings: Settings, session_token: str) -> str:
    """Tied to the session: a page from another site can neither read nor forge it."""
    return hmac.new(settings.secret_key.encode(), f"csrf:{session_token}".encode(), sha256).hexdigest()


def bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# Where a layer in front of the view (the response cache) leaves what it found the request's token belongs to,
# checked against the database during this request, so that the view does not look the token up again.
CHECKED_TOKEN = "placement_exchange.checked_token"


def note_checked_token(scope: MutableMapping[str, Any], token: str, actor: Actor | None) -> None:
    """token_actor's answer for this request's token: the view reuses it (see CHECKED_TOKEN)."""
    scope[CHECKED_TOKEN] = (token, actor)


def request_token(settings: Settings, request: Request) -> str | None:
    """The bearer token, or the portal's session when the request proves it comes from our own pages (CSRF)."""
    token = bearer_token(request.headers)
    if token is None:
        session = request.cookies.get(SESSION_COOKIE)
        expected = csrf_token_for(settings, session) if session else None
        if session and hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), expected or ""):
            token = session
    return token


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with identical live subscriptions sharing one execution (see schema.live)."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        view: GraphQLApp = self.view  # type: ignore[assignment]
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

        prefix = f'{{"id":{view.encode_json(operation.id)},"type":"next","payload":'
        send = self.websocket.ws.send  # type: ignore[attr-defined]
        member = view.live.join(
            found,
            start,
            view.encode_json,
            # Straight to the socket's ASGI send: this runs once per member for every event.
            lambda text: send({"type": "websocket.send", "text": text}),
            prefix,
            frame_writer(self.websocket.ws.scope),  # type: ignore[attr-defined]
        )
        try:
            async for item in member.items():
                if isinstance(item.result, PreExecutionError):
                    await self._handle_pre_execution_error(operation, item.result)  # as strawberry would
                    return
                if operation.completed:
                    return
                await self._send_text(member.message(item))
            if member.cut_off and not operation.completed:
                await self._send_text(prefix + member.lagging_payload(view.encode_json) + "}")
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


class GraphQLApp(GraphQL):
    graphql_transport_ws_handler_class = LiveTransportWSHandler

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if not settings.is_production else None,
            allow_queries_via_get=False,
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=20,
        )
        self.settings = settings
        self.live = LiveGroups()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        actor, token = None, None
        if isinstance(request, Request):
            actor, token = await self._http_actor(request)
            if isinstance(response, Response):
                context = Context(request, response, self.settings, actor, token, _client(request))
                response.headers["X-Request-Id"] = context.request_id
                return context
        return Context(request, response, self.settings, actor, token, _client(request))

    async def _http_actor(self, request: Request) -> tuple[Actor | None, str | None]:
        token = request_token(self.settings, request)
        if token is None:
            return None, None
        checked = request.scope.get(CHECKED_TOKEN)
        actor = checked[1] if checked is not None and checked[0] == token else await token_actor(token)
        return (actor, token) if actor else (None, None)

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        """Authenticate the websocket from connection_init's payload or the portal's session cookie."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        websocket: WebSocket = context.request
        token = bearer_token({k.lower(): v for k, v in params.items()}) or websocket.cookies.get(SESSION_COOKIE)
        actor = await token_actor(token) if token else None
        if actor is None:
            raise ConnectionRejectionError({"message": 'Sign in first: send {"Authorization": "Bearer ..."}.'})
        context.actor = actor
        context.token = token
        context.fresh_loaders()
        return None


def _client(request: Request | WebSocket) -> str:
    return request.client.host if request.client else ""
