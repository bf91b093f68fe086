"""The one hook a process runs after a unit of work has committed events and handed them to its hub.

The app registers it (its live delivery: schema.live.settle), since nothing in server/ may import the
schema; without one, committing is done once the bus has rung.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from server.events.log import LoggedEvent

AfterCommit = Callable[[Sequence[LoggedEvent]], Awaitable[None]]

_hook: AfterCommit | None = None


def set_after_commit(hook: AfterCommit | None) -> None:
    global _hook
    _hook = hook


def after_commit_hook() -> AfterCommit | None:
    return _hook


async def after_commit(events: Sequence[LoggedEvent]) -> None:
    """Run the hook for events committed in this process (and handed to its hub)."""
    if _hook is not None and events:
        await _hook(events)
