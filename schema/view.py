"""The GraphQL endpoint: HTTP and websockets, authenticated by bearer token or portal session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from schema.context import Context
from schema.live.groups import LiveGroups
from schema.live.protocol import LegacyWSHandler, LiveTransportWSHandler
from schema.live.sockets import LiveSockets
from schema.request_auth import CHECKED_TOKEN, SESSION_COOKIE, bearer_token, request_token
from schema.request_auth import CSRF_HEADER as CSRF_HEADER  # re-exported: where they were first defined
from schema.request_auth import csrf_token_for as csrf_token_for
from schema.request_auth import note_checked_token as note_checked_token
from server.auth.actor import Actor
from server.services.accounts import token_actor
from server.settings import Settings


class GraphQLApp(GraphQL):
    # Identical live subscriptions share one execution (schema.live); `live` holds this endpoint's groups.
    graphql_transport_ws_handler_class = LiveTransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

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
        self.live_sockets = LiveSockets(settings.live_max_sockets_per_user)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        actor, token = None, None
        if isinstance(request, Request):
            actor, token = await self._http_actor(request)
            if isinstance(response, Response):
                context = self._context(request, response, actor, token)
                response.headers["X-Request-Id"] = context.request_id
                return context
        return self._context(request, response, actor, token)

    def _context(self, request: Request | WebSocket, response: Any, actor: Actor | None, token: str | None) -> Context:
        return Context(request, response, self.settings, actor, token, _client(request), per_event=self.live.per_event)

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
        self.live_sockets.claim(actor.user_id, websocket)
        context.actor = actor
        context.token = token
        context.fresh_loaders()
        return None


def _client(request: Request | WebSocket) -> str:
    return request.client.host if request.client else ""
