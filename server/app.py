"""The ASGI application: GraphQL API, websockets, the portal and health checks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from schema.endpoint import LazyGraphQL
from schema.live.frames import RawSend
from schema.response_cache import GraphQLResponseCache
from server import collector
from server.database import close_database, init_database
from server.events.after_commit import after_commit_hook, set_after_commit
from server.events.bus import bus_for, set_bus
from server.events.hub import EventHub, set_hub
from server.health import healthz, readyz
from server.outage import DatabaseOutage
from server.request_limits import RequestSizeLimit
from server.services import child_records
from server.settings import Settings
from web.assets_served import portal_stylesheets
from web.routes import exception_handlers as web_exception_handlers
from web.routes import routes as web_routes

if TYPE_CHECKING:
    from schema.live.groups import LiveGroups
    from schema.live.sockets import LiveSockets

log = logging.getLogger(__name__)

# A long-running part (the outbox worker, the dev mailbox, the clocks of server.jobs):
# given the settings, an async context manager that runs it while the app runs.
BackgroundPart = Callable[[Settings], AbstractAsyncContextManager[object]]


def create_app(
    settings: Settings | None = None,
    *,
    background: list[BackgroundPart] | None = None,
    manage_database: bool = True,
    tune_collector: bool = False,
) -> Starlette:
    """manage_database=False lets tests that already initialised Tortoise share their connection.

    tune_collector: the web process's garbage collector settings (server.collector), for server.asgi only."""
    settings = settings or Settings.from_env()
    child_records.configure(settings)  # the data key ring and the provider's access window

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_database:
                await init_database(settings)
                stack.push_async_callback(close_database)
            bus = bus_for(settings.redis_url)
            await bus.start()
            set_bus(bus)
            stack.push_async_callback(bus.stop)
            hub = EventHub(bus, max_lag=settings.live_max_lag_seconds)
            await hub.start()
            set_hub(hub)
            stack.push_async_callback(hub.stop)
            # Live delivery (schema.live) lets a use case's events reach this process's subscribers first.
            stack.callback(set_after_commit, after_commit_hook())
            set_after_commit(graphql.settle)
            for part in background or []:
                await stack.enter_async_context(part(settings))
            app.state.draining = False
            yield
            app.state.draining = True  # /readyz says no while the rest shuts down

    # Built by the first API request (schema/endpoint.py): start-up imports neither strawberry nor the schema.
    if tune_collector:
        collector.tune()
    graphql = LazyGraphQL(settings, on_built=collector.freeze_start_up if tune_collector else None)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *web_routes(settings),
        *([] if settings.is_production else _dev_mailbox_routes()),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        debug=False,
        exception_handlers=web_exception_handlers,
        # Repeated reads answered from memory while nothing they could show has changed (schema/response_cache.py).
        # RawSend: the server's own websocket send, for writing shared live messages (schema/live/frames.py).
        # RequestSizeLimit first: a body over the limit is refused before anything reads it.
        # DatabaseOutage: a database that stops answering is a 503 the client can retry, never a 500 page.
        middleware=[
            Middleware(DatabaseOutage),
            Middleware(RequestSizeLimit),
            Middleware(RawSend),
            Middleware(GraphQLResponseCache, settings=settings),
        ],
    )
    app.state = _AppState()
    app.state.settings = settings
    app.state.graphql = graphql
    return app


class _AppState(State):
    """app.state; its `live` (the shared live subscriptions) and `live_sockets`, for tests and diagnostics, build
    the GraphQL endpoint if no request has yet."""

    @property
    def live(self) -> LiveGroups:
        return self.graphql.live

    @property
    def live_sockets(self) -> LiveSockets:
        return self.graphql.live_sockets


def _dev_mailbox_routes() -> list[BaseRoute]:
    """The dev mailbox's pages, outside production only: a production process never imports it (nor aiosmtpd)."""
    from notifications.dev_mailbox import mailbox_routes

    return mailbox_routes(portal_stylesheets)
