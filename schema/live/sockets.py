"""How many live connections one user holds on this server process, and refusing the one too many.

Each socket is counted from the moment its connection_init is accepted until it closes. The cap
(LIVE_MAX_SOCKETS_PER_USER, 10 by default) is per process: behind a load balancer a user may hold this many on
each. One socket carries up to 20 subscriptions, so an integrator needs few.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

MAX_SOCKETS_PER_USER = 10


class LiveRefusal(Exception):
    """Close the websocket with this code and reason instead of acknowledging it."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class LiveSockets:
    def __init__(self, limit: int = MAX_SOCKETS_PER_USER) -> None:
        self.limit = limit
        self._by_user: Counter[int] = Counter()
        self._owner: dict[int, int] = {}  # id(websocket) -> user id

    def claim(self, user_id: int, websocket: Any) -> None:
        if id(websocket) in self._owner:
            return
        if self._by_user[user_id] >= self.limit:
            raise LiveRefusal(4429, f"Too many live connections for this user (at most {self.limit}): close one first")
        self._by_user[user_id] += 1
        self._owner[id(websocket)] = user_id

    def release(self, websocket: Any) -> None:
        user_id = self._owner.pop(id(websocket), None)
        if user_id is not None:
            self._by_user[user_id] -= 1
            if not self._by_user[user_id]:
                del self._by_user[user_id]

    def held_by(self, user_id: int) -> int:
        return self._by_user[user_id]
