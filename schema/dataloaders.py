"""One DataLoader per relation a list can touch, built fresh per request (or per subscription event).

Each loader's docstring says how tenancy holds for it, in one of three ways:
- "Scoped": it narrows what it loads through server.auth.policy, with the actor it was built for, so a
  provider's loader can only ever load what that provider may see, whatever ids it is asked for;
- "Reached only through scoped parents": it loads by id whatever it is asked, and only the fields it names
  ask it, each on an object that was itself loaded scoped (tests/api/test_loader_scoping.py checks the list);
- "Not tenant data": the directory of organisations, which every signed-in user may read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.auth import policy
from server.auth.actor import Actor
from server.domain.matching import MatchResult
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Council,
    Framework,
    Lot,
    LotMembership,
    MembershipSuspension,
    Offer,
    OfstedRegisterEntry,
    Placement,
    PriceScheduleEntry,
    Provider,
    Referral,
    Supplement,
)
from server.repositories.offers import providers_offers
from server.repositories.statements import rows_by_ids
from server.services import matching

M = TypeVar("M", bound=Model)


async def _by_id(query: QuerySet[M], ids: Sequence[int]) -> list[M | None]:
    rows = {row.id: row for row in await query.filter(id__in=list(set(ids)))}
    return [rows.get(i) for i in ids]


async def _rows_by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    """_by_id for loaders that load whatever they are asked: one plain statement (server.repositories)."""
    rows = {row.id: row for row in await rows_by_ids(model, list(set(ids)))}
    return [rows.get(i) for i in ids]


async def _offers_of_providers(keys: Sequence[tuple[int, int]]) -> list[list[Offer]]:
    """Each (provider, referral): that provider's offers on that referral, oldest first, read in one statement."""
    grouped: dict[tuple[int, int], list[Offer]] = defaultdict(list)
    providers = list(dict.fromkeys(provider for provider, _ in keys))
    referrals = list(dict.fromkeys(referral for _, referral in keys))
    for offer in await providers_offers(providers, referrals):
        grouped[(offer.provider_id, offer.referral_id)].append(offer)
    return [grouped.get(key, []) for key in keys]


async def _grouped(query: QuerySet[M], key: str, ids: Sequence[int]) -> list[list[M]]:
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in await query.filter(**{f"{key}__in": list(set(ids))}):
        grouped[getattr(row, key)].append(row)
    return [grouped.get(i, []) for i in ids]


@dataclass
class Loaders:
    actor: Actor | None
    council: DataLoader[int, Council | None] = field(init=False)
    provider: DataLoader[int, Provider | None] = field(init=False)
    framework: DataLoader[int, Framework | None] = field(init=False)
    lot: DataLoader[int, Lot | None] = field(init=False)
    referral: DataLoader[int, Referral | None] = field(init=False)
    carer_household: DataLoader[int, CarerHousehold | None] = field(init=False)
    childrens_home: DataLoader[int, ChildrensHome | None] = field(init=False)
    offers_by_referral: DataLoader[int, list[Offer]] = field(init=False)
    live_offer_count: DataLoader[int, int] = field(init=False)
    recipients_by_referral: DataLoader[int, list[BroadcastRecipient]] = field(init=False)
    my_recipient: DataLoader[int, BroadcastRecipient | None] = field(init=False)
    lots_by_framework: DataLoader[int, list[Lot]] = field(init=False)
    member_councils_by_framework: DataLoader[int, list[Council]] = field(init=False)
    memberships_by_lot: DataLoader[int, list[LotMembership]] = field(init=False)
    memberships_by_provider: DataLoader[int, list[LotMembership]] = field(init=False)
    price_schedule_by_membership: DataLoader[int, list[PriceScheduleEntry]] = field(init=False)
    supplements_by_membership: DataLoader[int, list[Supplement]] = field(init=False)
    placement_by_referral: DataLoader[int, Placement | None] = field(init=False)
    matches_by_referral: DataLoader[int, dict[tuple[str, int], MatchResult]] = field(init=False)
    suspensions_by_membership: DataLoader[int, list[MembershipSuspension]] = field(init=False)
    ofsted_entry_by_urn: DataLoader[str, OfstedRegisterEntry | None] = field(init=False)

    def __post_init__(self) -> None:
        # Each loader is made when it is first asked for (__getattr__): an event's subscribers of a hundred
        # organisations each get a set, and most selections touch one or two of its loaders.
        self._event: EventLoaders | None = None

    def __getattr__(self, name: str) -> DataLoader:
        """Only called for a loader not made yet: the event's shared one (see sharing), else a new one."""
        if name not in LOADER_NAMES:
            raise AttributeError(name)
        shared = self.__dict__.get("_event")
        loader = getattr(shared.common, name) if shared is not None and name in ACTOR_FREE else None
        if loader is None:
            # The batch function is given the actor, not these loaders: a loader holding a method bound to the
            # object that holds it would be a reference cycle, kept (with everything it loaded) until a full
            # collection rather than freed by reference counting as soon as the request or event is done.
            loader = DataLoader(partial(getattr(Loaders, f"_{name}"), self.actor))
        setattr(self, name, loader)
        return loader

    def primed(self, rows: Iterable[Model]) -> Loaders:
        """Rows already in hand (an event's, see UnitOfWork.record) answer their by-id loader without a query.

        They skip the scoping of a scoped loader: an event's rows reach only the subscribers its topics name,
        and those were chosen from who may see them when the event was written.
        """
        for row in rows:
            name = PRIMED_BY_MODEL.get(type(row))
            if name is not None:
                getattr(self, name).prime(row.pk, row)
        return self

    def sharing(self, event: EventLoaders) -> Loaders:
        """These loaders, with the ones whose answers do not depend on who asks taken from the event's shared set,
        and, for provider staff, their own offers read in the statement that reads every provider's (see
        EventLoaders): one event's subscribers of every organisation load each such row once."""
        self._event = event  # its ACTOR_FREE loaders are taken from it when first asked for (__getattr__)
        provider_id = policy.own_offers_provider(self.actor) if self.actor is not None else None
        if provider_id is not None:
            offers = event.providers_offers

            async def own_offers(referral_ids: Sequence[int]) -> list[list[Offer]]:
                """Scoped: policy.own_offers_provider (the asking provider's own offers, as scope_offers)."""
                return await offers.load_many([(provider_id, referral_id) for referral_id in referral_ids])

            self.offers_by_referral = DataLoader(own_offers)
        return self

    # --- by id ------------------------------------------------------------------------------------------

    @staticmethod
    async def _council(actor: Actor | None, ids: Sequence[int]) -> list[Council | None]:
        """Not tenant data: councils' names and codes are public."""
        return await _rows_by_id(Council, ids)

    @staticmethod
    async def _provider(actor: Actor | None, ids: Sequence[int]) -> list[Provider | None]:
        """Not tenant data: providers are on Ofsted's public register."""
        return await _rows_by_id(Provider, ids)

    @staticmethod
    async def _framework(actor: Actor | None, ids: Sequence[int]) -> list[Framework | None]:
        """Reached only through scoped parents: Referral.framework, Referral.responseDeadline, Lot.framework,
        ContractReview.framework."""
        return await _rows_by_id(Framework, ids)

    @staticmethod
    async def _lot(actor: Actor | None, ids: Sequence[int]) -> list[Lot | None]:
        """Reached only through scoped parents: Referral.lot, LotMembership.lot."""
        return await _rows_by_id(Lot, ids)

    @staticmethod
    async def _referral(actor: Actor | None, ids: Sequence[int]) -> list[Referral | None]:
        """Scoped: policy.scope_referrals (a provider loads only the referrals sent to it)."""
        if actor is None:
            return [None for _ in ids]
        return await _by_id(policy.scope_referrals(actor, Referral.all()), ids)

    @staticmethod
    async def _carer_household(actor: Actor | None, ids: Sequence[int]) -> list[CarerHousehold | None]:
        """Reached only through scoped parents: Offer.carerHousehold, Placement.carerHousehold, \
Vacancy.carerHousehold, Vacancy.placementKinds, Vacancy.minAge, Vacancy.maxAge, Vacancy.district."""
        return await _rows_by_id(CarerHousehold, ids)

    @staticmethod
    async def _childrens_home(actor: Actor | None, ids: Sequence[int]) -> list[ChildrensHome | None]:
        """Reached only through scoped parents: Offer.childrensHome, Placement.childrensHome, Vacancy.childrensHome, \
Vacancy.placementKinds, Vacancy.minAge, Vacancy.maxAge, Vacancy.district."""
        return await _rows_by_id(ChildrensHome, ids)

    # --- by referral ------------------------------------------------------------------------------------

    @staticmethod
    async def _offers_by_referral(actor: Actor | None, referral_ids: Sequence[int]) -> list[list[Offer]]:
        """Scoped: policy.scope_offers (a provider loads only its own offers)."""
        if actor is None:
            return [[] for _ in referral_ids]
        provider_id = policy.own_offers_provider(actor)
        if provider_id is not None:  # a duty desk's own offers: one plain statement
            return await _offers_of_providers([(provider_id, referral_id) for referral_id in referral_ids])
        query = policy.scope_offers(actor, Offer.all()).order_by("submitted_at", "id")
        return await _grouped(query, "referral_id", referral_ids)

    @staticmethod
    async def _matches_by_referral(
        actor: Actor | None, referral_ids: Sequence[int]
    ) -> list[dict[tuple[str, int], MatchResult]]:
        """Reached only through scoped parents: Offer.matchReasons. The offering providers' households and homes
        matched to the referral, by (kind, id)."""
        found = []
        for referral_id in referral_ids:
            referral = await Referral.get_or_none(id=referral_id)
            # Only the offers the asker sees: a provider's own, so only its own households are matched.
            offers = Offer.filter(referral_id=referral_id)
            visible = policy.scope_offers(actor, offers) if actor else offers.filter(id__in=[])
            provider_ids = set(await visible.values_list("provider_id", flat=True))
            results = await matching.best_matches(referral, provider_ids) if referral and provider_ids else []
            found.append({(r.candidate.kind.value, r.candidate.id): r for r in results})
        return found

    @staticmethod
    async def _live_offer_count(actor: Actor | None, referral_ids: Sequence[int]) -> list[int]:
        """Scoped: policy.scope_offers (a provider counts only its own)."""
        if actor is None:
            return [0 for _ in referral_ids]
        rows = (
            await policy.scope_offers(actor, Offer.filter(referral_id__in=list(set(referral_ids)), live=1))
            .group_by("referral_id")
            .annotate(n=Count("id"))
            .values("referral_id", "n")
        )
        counts = {row["referral_id"]: row["n"] for row in rows}
        return [counts.get(i, 0) for i in referral_ids]

    @staticmethod
    async def _recipients_by_referral(
        actor: Actor | None, referral_ids: Sequence[int]
    ) -> list[list[BroadcastRecipient]]:
        """Scoped: policy.scope_broadcast_recipients (a provider loads only its own row)."""
        if actor is None:
            return [[] for _ in referral_ids]
        query = policy.scope_broadcast_recipients(actor, BroadcastRecipient.all()).order_by("tier", "id")
        return await _grouped(query, "referral_id", referral_ids)

    @staticmethod
    async def _my_recipient(actor: Actor | None, referral_ids: Sequence[int]) -> list[BroadcastRecipient | None]:
        """Scoped: the asking provider's own row, and nothing for anyone without a referral inbox."""
        if actor is None or not policy.has_referral_inbox(actor):
            return [None for _ in referral_ids]
        # For provider staff the scope is exactly their own organisation's rows.
        query = policy.scope_broadcast_recipients(
            actor, BroadcastRecipient.filter(referral_id__in=list(set(referral_ids)))
        )
        rows = {row.referral_id: row for row in await query}
        return [rows.get(i) for i in referral_ids]

    @staticmethod
    async def _placement_by_referral(actor: Actor | None, referral_ids: Sequence[int]) -> list[Placement | None]:
        """Scoped: policy.scope_placements (the placing council's and the placed provider's)."""
        if actor is None:
            return [None for _ in referral_ids]
        query = policy.scope_placements(actor, Placement.filter(referral_id__in=list(set(referral_ids))))
        rows = {p.referral_id: p for p in await query}
        return [rows.get(i) for i in referral_ids]

    # --- frameworks -------------------------------------------------------------------------------------

    @staticmethod
    async def _lots_by_framework(actor: Actor | None, framework_ids: Sequence[int]) -> list[list[Lot]]:
        """Reached only through scoped parents: Framework.lots."""
        return await _grouped(Lot.all().order_by("code"), "framework_id", framework_ids)

    @staticmethod
    async def _member_councils_by_framework(actor: Actor | None, framework_ids: Sequence[int]) -> list[list[Council]]:
        """Not tenant data: which councils buy through a framework is public, as the councils are."""
        rows = await Framework.filter(id__in=list(set(framework_ids))).prefetch_related("member_councils")
        members = {row.id: sorted(row.member_councils, key=lambda council: council.name) for row in rows}
        return [members.get(i, []) for i in framework_ids]

    @staticmethod
    async def _memberships_by_lot(actor: Actor | None, lot_ids: Sequence[int]) -> list[list[LotMembership]]:
        """Scoped: policy.scope_lot_memberships (a provider loads only its own membership)."""
        if actor is None:
            return [[] for _ in lot_ids]
        query = policy.scope_lot_memberships(actor, LotMembership.all()).order_by("tier", "provider_id")
        return await _grouped(query, "lot_id", lot_ids)

    @staticmethod
    async def _memberships_by_provider(actor: Actor | None, provider_ids: Sequence[int]) -> list[list[LotMembership]]:
        """Scoped: policy.scope_lot_memberships (a provider loads only its own; a council its frameworks')."""
        if actor is None:
            return [[] for _ in provider_ids]
        query = policy.scope_lot_memberships(actor, LotMembership.all()).order_by("lot_id", "tier")
        return await _grouped(query, "provider_id", provider_ids)

    @staticmethod
    async def _price_schedule_by_membership(
        actor: Actor | None, membership_ids: Sequence[int]
    ) -> list[list[PriceScheduleEntry]]:
        """Scoped: policy.scope_price_entries (a provider loads only its own prices)."""
        if actor is None:
            return [[] for _ in membership_ids]
        query = policy.scope_price_entries(actor, PriceScheduleEntry.all()).order_by(
            "age_band", "need_level", "-effective_from"
        )
        return await _grouped(query, "membership_id", membership_ids)

    @staticmethod
    async def _supplements_by_membership(actor: Actor | None, membership_ids: Sequence[int]) -> list[list[Supplement]]:
        """Scoped: policy.scope_supplements (a provider loads only its own supplements)."""
        if actor is None:
            return [[] for _ in membership_ids]
        query = policy.scope_supplements(actor, Supplement.all()).order_by("kind", "-effective_from")
        return await _grouped(query, "membership_id", membership_ids)

    # --- suspensions and Ofsted's register (schema/types/suspensions.py) ---------------------------------

    @staticmethod
    async def _suspensions_by_membership(
        actor: Actor | None, membership_ids: Sequence[int]
    ) -> list[list[MembershipSuspension]]:
        """Reached only through scoped parents: LotMembership.suspension, LotMembership.suspensions."""
        return await _grouped(
            MembershipSuspension.all().order_by("-created_at", "-id"), "membership_id", membership_ids
        )

    @staticmethod
    async def _ofsted_entry_by_urn(actor: Actor | None, urns: Sequence[str]) -> list[OfstedRegisterEntry | None]:
        """Not tenant data: Ofsted's public register of providers, as last imported."""
        rows = {row.urn: row for row in await OfstedRegisterEntry.filter(urn__in=list(set(urns)))}
        return [rows.get(urn) for urn in urns]


LOADER_NAMES = frozenset(name for name in Loaders.__dataclass_fields__ if name != "actor")

# The by-id loader an event's row of each model primes (Loaders.primed).
PRIMED_BY_MODEL: dict[type[Model], str] = {
    Council: "council",
    Provider: "provider",
    Framework: "framework",
    Lot: "lot",
    Referral: "referral",
    CarerHousehold: "carer_household",
    ChildrensHome: "childrens_home",
}

# The loaders whose answers do not depend on who asks ("Not tenant data" or "Reached only through scoped parents"
# above): what one of them loads for one subscriber of an event is what it would load for any other.
ACTOR_FREE = frozenset(
    (
        "council",
        "provider",
        "framework",
        "lot",
        "carer_household",
        "childrens_home",
        "lots_by_framework",
        "member_councils_by_framework",
        "suspensions_by_membership",
        "ofsted_entry_by_urn",
    )
)


class EventLoaders:
    """What the loaders of one event's subscribers share across organisations (Loaders.sharing).

    An event reaches a hundred providers' live groups at once; each group's loaders are its own scope's, so each
    read the same framework and lot, and its provider's offers on the referral, in a statement of its own. Here
    the actor-free loaders are one set for all of them, and the providers' own offers one loader keyed by
    (provider, referral): the groups' loads, made in the same turn of the event loop, become one statement, and
    each provider is handed only the offers whose provider is itself.
    """

    def __init__(self, rows: Iterable[Model] = ()) -> None:
        self.common = Loaders(None).primed(rows)  # only its ACTOR_FREE loaders are lent out
        self.providers_offers: DataLoader[tuple[int, int], list[Offer]] = DataLoader(self._providers_offers)

    @staticmethod
    async def _providers_offers(keys: Sequence[tuple[int, int]]) -> list[list[Offer]]:
        """Each (provider, referral): that provider's offers on that referral, oldest first."""
        return await _offers_of_providers(keys)
