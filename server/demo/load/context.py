"""What the phases share: the world read from the data files, the clock, the one random stream, and what is written.

All randomness comes from one `random.Random(SEED)`, drawn in the same order every run: two runs give the same
demo (apart from the dates, which are relative to today). A phase that draws must keep its order of draws.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.auth.actor import Actor
from server.demo.world import World, load_world
from server.domain.geography import DistrictDirectory
from server.domain.vocabulary import Role
from server.models import Council, Event, Framework, Lot, OutboxMessage, Provider

SEED = 2026
ADMIN = Actor(user_id=0, role=Role.PLATFORM_ADMIN)


@dataclass
class Place:
    """A carer household or children's home, as the loader tracks its places."""

    id: int
    provider_id: int
    district: str
    min_age: int
    max_age: int
    places: int
    kinds: frozenset[str]
    is_home: bool


@dataclass
class Demo:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    world: World = field(default_factory=load_world)
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    directory: DistrictDirectory | None = None
    # What the phases wrote, by the keys of the data files.
    councils: dict[str, Council] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    frameworks: dict[str, Framework] = field(default_factory=dict)
    lots: dict[tuple[str, str], Lot] = field(default_factory=dict)
    officers: dict[str, Actor] = field(default_factory=dict)  # council key -> its first placement officer
    duty: dict[str, Actor] = field(default_factory=dict)  # provider key -> its responder
    places: list[Place] = field(default_factory=list)
    by_ref: dict[tuple[bool, int], Place] = field(default_factory=dict)  # (is_home, id)
    placed: Counter[tuple[bool, int]] = field(default_factory=Counter)  # (is_home, id) -> children placed now
    unfilled: list[str] = field(default_factory=list)  # cases the matching could not fill as planned (diagnostics)
    needed_by: dict[int, datetime] = field(default_factory=dict)  # referral id -> real need date (see history)
    event_floor: int = 0
    outbox_floor: int = 0

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def districts(self) -> DistrictDirectory:
        assert self.directory is not None, "the reference phase loads the districts first"
        return self.directory

    def provider_key(self, provider_id: int) -> str:
        return next(key for key, provider in self.providers.items() if provider.id == provider_id)

    # --- back-dating ---------------------------------------------------------------------------------------------

    async def floors(self) -> None:
        """From here on, `stamp` back-dates the events and emails written."""
        self.event_floor = await _max_id(Event)
        self.outbox_floor = await _max_id(OutboxMessage)

    async def stamp(self, when: datetime) -> None:
        """Events and emails written since the last stamp happened at `when`."""
        ids = await Event.filter(id__gt=self.event_floor).values_list("id", flat=True)
        if ids:
            await Event.filter(id__in=ids).update(created_at=when)
            self.event_floor = max(ids)
        ids = await OutboxMessage.filter(id__gt=self.outbox_floor).values_list("id", flat=True)
        if ids:
            await OutboxMessage.filter(id__in=ids).update(created_at=when)
            self.outbox_floor = max(ids)

    def before_now(self, when: datetime, margin_minutes: int = 5) -> datetime:
        return min(when, self.now - timedelta(minutes=margin_minutes))


async def _max_id(model: type[Event] | type[OutboxMessage]) -> int:
    ids = await model.all().order_by("-id").limit(1).values_list("id", flat=True)
    return ids[0] if ids else 0
