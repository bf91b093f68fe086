"""The GraphQL endpoint built by its first request: start-up imports neither strawberry nor the schema.

Building the schema (importing every type, resolver and mutation, and strawberry turning them into a
graphql-core schema) is most of what importing the app used to cost, and much of an idle process's memory.
A process that serves only the portal or health checks never pays it; the first API request pays it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.types import Receive, Scope, Send

from server.events.log import LoggedEvent
from server.settings import Settings

if TYPE_CHECKING:
    from schema.live.groups import LiveGroups
    from schema.live.sockets import LiveSockets
    from schema.view import GraphQLApp


class LazyGraphQL:
    """An ASGI app that builds schema.view.GraphQLApp (and its schema) the first time it is called or its live
    subscriptions are asked for, then hands every request to it."""

    def __init__(self, settings: Settings, on_built: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self._app: GraphQLApp | None = None
        self._on_built = on_built  # called once the schema is built (server.collector.freeze_start_up)

    @property
    def built(self) -> bool:
        return self._app is not None

    @property
    def app(self) -> GraphQLApp:
        if self._app is None:
            from schema.build import build_schema
            from schema.view import GraphQLApp

            self._app = GraphQLApp(build_schema(production=self.settings.is_production), self.settings)
            if self._on_built is not None:
                self._on_built()
        return self._app

    @property
    def schema(self) -> Any:
        """The strawberry schema it serves (built if need be)."""
        return self.app.schema

    @property
    def live(self) -> LiveGroups:
        return self.app.live

    @property
    def live_sockets(self) -> LiveSockets:
        return self.app.live_sockets

    async def settle(self, events: Sequence[LoggedEvent]) -> None:
        """The after-commit hook: wait for this process's live groups (none before the endpoint is built)."""
        if self._app is not None:
            await self._app.live.settle(events)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        await self.app(scope, receive, send)
