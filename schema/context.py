"""The per-request context: who is asking, their loaders, and the request id for logs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from schema.dataloaders import Loaders
from schema.live.shared import PerEvent
from server.auth.actor import Actor
from server.settings import Settings


@dataclass
class Context:
    request: Any
    response: Any
    settings: Settings
    actor: Actor | None
    token: str | None = None
    client_address: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    connection_params: dict[str, Any] | None = None
    # Set on the context a live group runs with: where its events come from (see schema.live.feed).
    live_feed: Any = None
    # What the endpoint's subscriptions build once per event and share (see schema.live.shared).
    per_event: PerEvent = field(default_factory=PerEvent)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.actor)

    def detached(self, *, live_feed: Any = None) -> Context:
        """The same actor and settings without this connection's request: for work shared by many connections."""
        return Context(
            None,
            None,
            self.settings,
            self.actor,
            request_id=self.request_id,
            live_feed=live_feed,
            per_event=self.per_event,
        )

    def fresh_loaders(self) -> Loaders:
        """Subscriptions reuse one context per connection: each event gets new loaders, never stale data."""
        self.loaders = Loaders(self.actor)
        return self.loaders


Info = StrawberryInfo[Context, None]
