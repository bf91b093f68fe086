"""How far this process knows the data has moved on: for caches that must never serve what changed.

The version is (the newest event this process's hub has read, this process's own commits). Every change
made through a unit of work writes an event, which every process's hub reads (rung by the bus, or at its
next poll); a process's own commits count at once, so whoever changed something reads it back changed.
"""

from __future__ import annotations

from server.events.hub import current_hub

_local_changes = 0


def note_local_change() -> None:
    """Call after committing a change in this process (units of work do it themselves)."""
    global _local_changes
    _local_changes += 1


def data_version() -> tuple[int, int]:
    hub = current_hub()
    return (hub.position if hub is not None else -1, _local_changes)
