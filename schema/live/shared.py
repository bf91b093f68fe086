"""Work done once per event and shared by every subscriber that needs it (loaded rows, fresh loaders)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

SIZE = 2048  # entries: a few per event, for the events of the last moments


class PerEvent:
    """One endpoint's cache of it (LiveGroups.per_event): what was built for an event, by key."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._built: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()

    def get(self, event_id: int, key: Hashable, build: Callable[[], Any]) -> Any:
        """build(), once for this event and key; the same object for every later caller."""
        cache_key = (event_id, key)
        if cache_key not in self._built:
            self._built[cache_key] = build()
            while len(self._built) > self._size:
                self._built.popitem(last=False)
        return self._built[cache_key]
