"""How far this process knows the data has moved on: for caches that must never serve what changed.

A version is made of the newest events this process's hub has read (rung by the bus, or at its next poll)
and this process's own commits, which count at once, so whoever changed something reads it back changed.

`data_version()` moves with every change anywhere. `version_for(topics)` moves only with the changes that
concern those organisations ("provider:3", "council:1": the topics every event names, server.events.log) or
concern everyone (platform changes, and commits whose reach is not known): what a provider's inbox or a
council's lists depend on, so one provider's offer does not throw away every other provider's kept answers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from server.events.hub import current_hub
from server.events.log import organisation_topics

_local_changes = 0
_local_by_topic: dict[str, int] = {}


def note_local_change(topics: Iterable[str] | None = None) -> None:
    """Call after committing a change in this process (units of work do it themselves), with the topics of
    whom it concerns when known; without them it concerns everyone."""
    global _local_changes
    scoped = organisation_topics(topics) if topics is not None else None
    if scoped is None:
        _local_changes += 1
        return
    for topic in scoped:
        _local_by_topic[topic] = _local_by_topic.get(topic, 0) + 1


def data_version() -> tuple[int, int, int]:
    hub = current_hub()
    return (hub.position if hub is not None else -1, _local_changes, sum(_local_by_topic.values()))


def version_for(topics: tuple[str, ...]) -> Hashable:
    """What an answer that concerns only these organisation topics depends on; everything, without topics."""
    if not topics or organisation_topics(topics) is None:
        return data_version()
    hub = current_hub()
    seen = hub.positions(topics) if hub is not None else (-1,)
    return (seen, _local_changes, tuple(_local_by_topic.get(topic, 0) for topic in topics))
