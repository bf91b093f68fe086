"""One DataLoader per relation a list can touch, built fresh per request (or per subscription event).

Loaders that return tenant-scoped data (offers on a referral) take the actor,
so a provider's loader can only ever load its own offers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model

from server.auth import policy
from server.auth.actor import Actor
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Council,
    Framework,
    Lot,
    LotMembership,
    Offer,
    Placement,
    Provider,
    Referral,
    User,
)

M = TypeVar("M", bound=Model)


def _by_id(model: type[M]) -> Callable[[Sequence[int]], Any]:
    async def load(ids: Sequence[int]) -> list[M | None]:
        rows = {row.id: row for row in await model.filter(id__in=list(set(ids)))}
        return [rows.get(i) for i in ids]

    return load


@dataclass
class Loaders:
    actor: Actor | None
    council: DataLoader[int, Council | None] = field(init=False)
    provider: DataLoader[int, Provider | None] = field(init=False)
    framework: DataLoader[int, Framework | None] = field(init=False)
    lot: DataLoader[int, Lot | None] = field(init=False)
    referral: DataLoader[int, Referral | None] = field(init=False)
    user: DataLoader[int, User | None] = field(init=False)
    carer_household: DataLoader[int, CarerHousehold | None] = field(init=False)
    childrens_home: DataLoader[int, ChildrensHome | None] = field(init=False)
    offers_by_referral: DataLoader[int, list[Offer]] = field(init=False)
    live_offer_count: DataLoader[int, int] = field(init=False)
    recipients_by_referral: DataLoader[int, list[BroadcastRecipient]] = field(init=False)
    my_recipient: DataLoader[int, BroadcastRecipient | None] = field(init=False)
    lots_by_framework: DataLoader[int, list[Lot]] = field(init=False)
    memberships_by_lot: DataLoader[int, list[LotMembership]] = field(init=False)
    placement_by_referral: DataLoader[int, Placement | None] = field(init=False)

    def __post_init__(self) -> None:
        self.council = DataLoader(_by_id(Council))
        self.provider = DataLoader(_by_id(Provider))
        self.framework = DataLoader(_by_id(Framework))
        self.lot = DataLoader(_by_id(Lot))
        self.referral = DataLoader(_by_id(Referral))
        self.user = DataLoader(_by_id(User))
        self.carer_household = DataLoader(_by_id(CarerHousehold))
        self.childrens_home = DataLoader(_by_id(ChildrensHome))
        self.offers_by_referral = DataLoader(self._offers_by_referral)
        self.live_offer_count = DataLoader(self._live_offer_count)
        self.recipients_by_referral = DataLoader(self._recipients_by_referral)
        self.my_recipient = DataLoader(self._my_recipient)
        self.lots_by_framework = DataLoader(self._lots_by_framework)
        self.memberships_by_lot = DataLoader(self._memberships_by_lot)
        self.placement_by_referral = DataLoader(self._placement_by_referral)

    def primed(self, rows: Iterable[Model]) -> Loaders:
        """Rows already in hand (an event's, see UnitOfWork.record) answer their by-id loader without a query."""
        by_model = {
            Council: self.council,
            Provider: self.provider,
            Framework: self.framework,
            Lot: self.lot,
            Referral: self.referral,
            User: self.user,
            CarerHousehold: self.carer_household,
            ChildrensHome: self.childrens_home,
        }
        for row in rows:
            loader = by_model.get(type(row))
            if loader is not None:
                loader.prime(row.pk, row)
        return self

    async def _offers_by_referral(self, referral_ids: Sequence[int]) -> list[list[Offer]]:
        if self.actor is None:
            return [[] for _ in referral_ids]
        grouped: dict[int, list[Offer]] = defaultdict(list)
        query = policy.scope_offers(self.actor, Offer.filter(referral_id__in=list(set(referral_ids))))
        for offer in await query.order_by("submitted_at", "id"):
            grouped[offer.referral_id].append(offer)
        return [grouped.get(i, []) for i in referral_ids]

    async def _live_offer_count(self, referral_ids: Sequence[int]) -> list[int]:
        rows = (
            await Offer.filter(referral_id__in=list(set(referral_ids)), live=1)
            .group_by("referral_id")
            .annotate(n=Count("id"))
            .values("referral_id", "n")
        )
        counts = {row["referral_id"]: row["n"] for row in rows}
        return [counts.get(i, 0) for i in referral_ids]

    async def _recipients_by_referral(self, referral_ids: Sequence[int]) -> list[list[BroadcastRecipient]]:
        grouped: dict[int, list[BroadcastRecipient]] = defaultdict(list)
        for row in await BroadcastRecipient.filter(referral_id__in=list(set(referral_ids))).order_by("tier", "id"):
            grouped[row.referral_id].append(row)
        return [grouped.get(i, []) for i in referral_ids]

    async def _my_recipient(self, referral_ids: Sequence[int]) -> list[BroadcastRecipient | None]:
        if self.actor is None or self.actor.provider_id is None:
            return [None for _ in referral_ids]
        rows = {
            row.referral_id: row
            for row in await BroadcastRecipient.filter(
                referral_id__in=list(set(referral_ids)), provider_id=self.actor.provider_id
            )
        }
        return [rows.get(i) for i in referral_ids]

    async def _lots_by_framework(self, framework_ids: Sequence[int]) -> list[list[Lot]]:
        grouped: dict[int, list[Lot]] = defaultdict(list)
        for lot in await Lot.filter(framework_id__in=list(set(framework_ids))).order_by("code"):
            grouped[lot.framework_id].append(lot)
        return [grouped.get(i, []) for i in framework_ids]

    async def _memberships_by_lot(self, lot_ids: Sequence[int]) -> list[list[LotMembership]]:
        grouped: dict[int, list[LotMembership]] = defaultdict(list)
        for row in await LotMembership.filter(lot_id__in=list(set(lot_ids))).order_by("tier", "provider_id"):
            grouped[row.lot_id].append(row)
        return [grouped.get(i, []) for i in lot_ids]

    async def _placement_by_referral(self, referral_ids: Sequence[int]) -> list[Placement | None]:
        rows = {p.referral_id: p for p in await Placement.filter(referral_id__in=list(set(referral_ids)))}
        return [rows.get(i) for i in referral_ids]
