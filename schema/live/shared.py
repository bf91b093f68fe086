"""Work done once per event and shared by every subscriber that needs it (loaded rows, fresh loaders)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

EVENTS = 8  # the events of the last moments: every group handles an event within moments of the others


class PerEvent:
    """One endpoint's cache of it (LiveGroups.per_event): what was built for an event, by key.

    Kept for the newest few events only, whatever their number of keys: an event reaching a hundred
    organisations builds a hundred sets of loaders, which are garbage as soon as its groups are done with it.
    """

    def __init__(self, events: int = EVENTS) -> None:
        self._events = events
        self._built: OrderedDict[int, dict[Hashable, Any]] = OrderedDict()

    def get(self, event_id: int, key: Hashable, build: Callable[[], Any]) -> Any:
        """build(), once for this event and key; the same object for every later caller."""
        built = self._built.get(event_id)
        if built is None:
            built = self._built[event_id] = {}
            while len(self._built) > self._events:
                self._built.popitem(last=False)
        if key not in built:
            built[key] = build()
        return built[key]
