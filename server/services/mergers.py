"""Provider mergers: provider A merges into provider B on a date, in one unit of work.

What passes to B: A's carer households, children's homes and vacancies; its live offers and its active
placements (with the offers they were made on), each keeping A as its `original_provider` so that the history
shows who made it ("now part of B"); its places on framework lots, where B is not already on the lot (at the
tier and prices the admin gives, or else A's own tier and prices carried across), while A's places end on the
merger date (reason "merged"). A's users move to B or are deactivated (their sessions and tokens revoked), as
the admin chooses. A is marked merged into B: no longer broadcast to, no longer able to offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import LeftReason, MergedUsers, OfferStatus, PlacementStatus, ProviderStatus, Role
from server.models import (
    AccessToken,
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Framework,
    Lot,
    LotMembership,
    Offer,
    Placement,
    PriceScheduleEntry,
    Provider,
    ProviderMerger,
    Referral,
    Supplement,
    User,
    Vacancy,
)
from server.outbox.kinds import Notification
from server.services.administration import PriceLine
from server.services.errors import ServiceError, denied, invalid, not_found, wrong_state
from server.services.framework_changes import audit_change
from server.services.reopenings import (
    MAX_TIER,
    council_ids,
    email_context,
    join_lot,
    price_problems,
    today,
    write_prices,
)
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work


@dataclass
class LotTerms:
    """B's tier and prices on a lot A was on and B was not; prices empty: A's carried across."""

    lot_id: int
    tier: int
    prices: list[PriceLine] = field(default_factory=list)


async def merge_providers(
    actor: Actor,
    *,
    merged_provider_id: int,
    into_provider_id: int,
    merged_on: date,
    users: MergedUsers,
    lot_terms: Sequence[LotTerms] = (),
) -> ProviderMerger:
    if not policy.may_merge_providers(actor):
        raise denied("Only platform admins record a merger of providers.")
    merged = await Provider.get_or_none(id=merged_provider_id)
    into = await Provider.get_or_none(id=into_provider_id)
    if merged is None:
        raise not_found("provider", "mergedProviderId")
    if into is None:
        raise not_found("provider", "intoProviderId")
    problems = []
    if merged.id == into.id:
        problems.append(invalid("intoProviderId", "A provider cannot merge into itself: choose another."))
    if merged.status is ProviderStatus.MERGED:
        problems.append(wrong_state(f"{merged.name} has merged already.", "mergedProviderId"))
    if into.status in (ProviderStatus.MERGED, ProviderStatus.CLOSED):
        problems.append(wrong_state(f"{into.name} is {into.status.label.lower()}: choose another.", "intoProviderId"))
    if merged_on > today():
        problems.append(invalid("mergedOn", "Record a merger on or after the day it takes effect."))
    places = await LotMembership.filter(provider_id=merged.id, left_on__isnull=True).select_related("lot__framework")
    survivor_lots = set(
        await LotMembership.filter(provider_id=into.id, left_on__isnull=True).values_list("lot_id", flat=True)
    )
    terms = {}
    for i, term in enumerate(lot_terms):
        place = next((p for p in places if p.lot_id == term.lot_id), None)
        if place is None:
            problems.append(invalid(f"lotTerms.{i}.lotId", f"{merged.name} is not on that lot."))
        elif term.lot_id in survivor_lots:
            problems.append(
                invalid(f"lotTerms.{i}.lotId", f"{into.name} is on {place.lot.code} already: its place stands.")
            )
        else:
            if not 1 <= term.tier <= MAX_TIER:
                problems.append(invalid(f"lotTerms.{i}.tier", f"Tiers run from 1 (preferred) to {MAX_TIER}."))
            if term.prices:
                problems += price_problems(place.lot, term.prices, f"lotTerms.{i}.prices")
            terms[term.lot_id] = term
    if problems:
        raise ServiceError.many(problems)
    async with unit_of_work() as work:
        moved = await _move_resources(merged, into)
        moved |= await _move_market(merged, into)
        frameworks = await _move_places(work, actor, merged, into, places, survivor_lots, terms, merged_on)
        moved["lotPlaces"] = len(places)
        moved["users"] = await _settle_users(merged, into, users)
        await Provider.filter(id=merged.id).update(status=ProviderStatus.MERGED, merged_into_id=into.id)
        merger = await ProviderMerger.create(
            merged_provider_id=merged.id,
            into_provider_id=into.id,
            merged_on=merged_on,
            users=users,
            moved=moved,
            made_by_id=actor.user_id or None,
        )
        await _announce(work, actor, merger, merged, into, frameworks, moved)
    return merger


async def _move_resources(merged: Provider, into: Provider) -> dict[str, int]:
    """Households (a reference B uses already gets A's id after it), homes and vacancies pass to B."""
    taken = set(await CarerHousehold.filter(provider_id=into.id).values_list("reference", flat=True))
    for household in await CarerHousehold.filter(provider_id=merged.id, reference__in=list(taken)):
        suffix = f"-P{merged.id}"
        await CarerHousehold.filter(id=household.id).update(reference=household.reference[: 40 - len(suffix)] + suffix)
    return {
        "carerHouseholds": await CarerHousehold.filter(provider_id=merged.id).update(provider_id=into.id),
        "childrensHomes": await ChildrensHome.filter(provider_id=merged.id).update(provider_id=into.id),
        "vacancies": await Vacancy.filter(provider_id=merged.id).update(provider_id=into.id),
    }


async def _move_market(merged: Provider, into: Provider) -> dict[str, int]:
    """Live offers and active placements (with their accepted offers) pass to B, keeping A as who made them.

    Where B has a live offer of its own on the same referral, A's is withdrawn (one live offer a provider).
    B is made a recipient of every referral it now holds an offer or a placement on, so that it sees them."""
    survivor_live = await Offer.filter(provider_id=into.id, live=1).values_list("referral_id", flat=True)
    withdrawn = await Offer.filter(provider_id=merged.id, live=1, referral_id__in=list(survivor_live)).update(
        status=OfferStatus.WITHDRAWN, live=None
    )
    placements = await Placement.filter(provider_id=merged.id, status=PlacementStatus.ACTIVE)
    placed_offer_ids = [placement.offer_id for placement in placements]
    live_ids = list(await Offer.filter(provider_id=merged.id, live=1).values_list("id", flat=True))
    offer_ids = live_ids + placed_offer_ids
    referral_ids = set(await Offer.filter(id__in=offer_ids).values_list("referral_id", flat=True))
    await Offer.filter(id__in=offer_ids, original_provider_id__isnull=True).update(original_provider_id=merged.id)
    await Offer.filter(id__in=offer_ids).update(provider_id=into.id)
    placement_ids = [placement.id for placement in placements]
    await Placement.filter(id__in=placement_ids, original_provider_id__isnull=True).update(
        original_provider_id=merged.id
    )
    await Placement.filter(id__in=placement_ids).update(provider_id=into.id)
    await _make_recipient(merged, into, referral_ids)
    return {"offers": len(live_ids), "offersWithdrawn": withdrawn, "placements": len(placement_ids)}


async def _make_recipient(merged: Provider, into: Provider, referral_ids: set[int]) -> None:
    sent = {
        row.referral_id: row
        for row in await BroadcastRecipient.filter(provider_id=merged.id, referral_id__in=list(referral_ids))
    }
    placing = dict(await Referral.filter(id__in=list(referral_ids)).values_list("id", "council_id"))
    now = datetime.now(UTC)
    for referral_id in sorted(referral_ids):
        origin = sent.get(referral_id)
        sent_at = origin.sent_at if origin and origin.sent_at else now
        row = await BroadcastRecipient.get_or_none(referral_id=referral_id, provider_id=into.id)
        if row is None:
            await BroadcastRecipient.create(
                referral_id=referral_id,
                council_id=placing[referral_id],
                provider_id=into.id,
                tier=origin.tier if origin else None,
                sent_at=sent_at,
            )
        elif row.sent_at is None:
            await BroadcastRecipient.filter(id=row.id).update(sent_at=sent_at, excluded_reason=None)


async def _move_places(
    work: UnitOfWork,
    actor: Actor,
    merged: Provider,
    into: Provider,
    places: list[LotMembership],
    survivor_lots: set[int],
    terms: dict[int, LotTerms],
    merged_on: date,
) -> dict[int, Framework]:
    """A's places end on the merger date; B joins the lots it was not on. The frameworks touched, by id."""
    frameworks: dict[int, Framework] = {}
    for place in places:
        lot: Lot = place.lot
        frameworks[lot.framework_id] = lot.framework
        await LotMembership.filter(id=place.id).update(left_on=merged_on, left_reason=LeftReason.MERGED)
        after: dict[str, object] = {"leftOn": merged_on.isoformat(), "leftReason": LeftReason.MERGED.value}
        if lot.id not in survivor_lots:
            term = terms.get(lot.id)
            tier = term.tier if term else place.tier
            membership = await join_lot(lot.id, into.id, tier, merged_on)
            if term and term.prices:
                await write_prices(membership.id, merged_on, term.prices)
            else:
                await _carry_prices(place.id, membership.id, merged_on)
            after |= {"passedTo": into.name, "tier": tier}
        else:
            after |= {"passedTo": None, "survivorPlaceStands": True}
        audit_change(
            work,
            "provider.merged",
            actor=actor,
            framework_id=lot.framework_id,
            provider_id=merged.id,
            subject=f"{merged.name} merged into {into.name} on {lot.code}",
            before={"provider": merged.name, "tier": place.tier, "leftOn": None},
            after=after,
        )
    return frameworks


async def _carry_prices(from_membership: int, to_membership: int, merged_on: date) -> None:
    """A's prices in force (and its supplements) become B's on the lot, from the merger date."""
    prices = await PriceScheduleEntry.filter(membership_id=from_membership, effective_to__isnull=True)
    await write_prices(
        to_membership, merged_on, [PriceLine(p.age_band, p.need_level, p.weekly_fee_pence) for p in prices]
    )
    await Supplement.filter(membership_id=to_membership, effective_to__isnull=True).update(
        effective_to=merged_on - timedelta(days=1)
    )
    supplements = await Supplement.filter(membership_id=from_membership, effective_to__isnull=True)
    await Supplement.bulk_create(
        [
            Supplement(
                membership_id=to_membership,
                kind=s.kind,
                unit=s.unit,
                amount_pence=s.amount_pence,
                effective_from=merged_on,
            )
            for s in supplements
        ]
    )


async def _settle_users(merged: Provider, into: Provider, users: MergedUsers) -> int:
    ids = list(await User.filter(provider_id=merged.id).values_list("id", flat=True))
    if users is MergedUsers.MOVE:
        await User.filter(id__in=ids).update(provider_id=into.id)
    else:
        await User.filter(id__in=ids).update(is_active=False)
        await AccessToken.filter(user_id__in=ids, revoked_at__isnull=True).update(revoked_at=datetime.now(UTC))
    return len(ids)


async def _announce(
    work: UnitOfWork,
    actor: Actor,
    merger: ProviderMerger,
    merged: Provider,
    into: Provider,
    frameworks: dict[int, Framework],
    moved: dict[str, int],
) -> None:
    audit_change(
        work,
        "provider.merged",
        actor=actor,
        provider_id=into.id,
        subject=f"{merged.name} merged into {into.name}",
        before={"provider": merged.name, "status": merged.status.value},
        after={"mergedInto": into.name, "mergedOn": merger.merged_on.isoformat(), "moved": moved},
    )
    councils: set[int] = set()
    for framework in frameworks.values():
        members = await council_ids(framework)
        councils |= set(members)
        await work.notify(
            Notification.FRAMEWORK_MEMBERSHIP,
            Audience.of_councils(members, Role.COMMISSIONER),
            email_context(
                "merged",
                framework.name,
                provider=merged.name,
                into=into.name,
                merged_on=f"{merger.merged_on:%d %b %Y}",
            ),
            key=f"merger.{merger.id}.{framework.id}",
        )
    placing = await Referral.filter(offers__provider_id=into.id, offers__original_provider_id=merged.id).values_list(
        "council_id", flat=True
    )
    councils |= set(placing)
    await work.record(
        "provider.merged",
        [
            f"provider:{merged.id}",
            f"provider:{into.id}",
            "admin",
            *(f"framework:{f}" for f in sorted(frameworks)),
            *(f"council:{c}" for c in sorted(councils)),
        ],
        {"mergerId": merger.id, "mergedProviderId": merged.id, "intoProviderId": into.id},
    )


async def merger_of(provider_id: int) -> ProviderMerger | None:
    return await ProviderMerger.get_or_none(merged_provider_id=provider_id)
