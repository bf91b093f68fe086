"""Call-off before the market: a referral that fits a free block place goes first to that place's provider.

At publishing, when the council (itself or through a consortium) has a block contract in force with a place of the
referral's kind that is open and free on the day the child needs a home, and the matching rules
(server.domain.matching) find the place's home or household fits the child, the referral is sent to that provider
alone, for the contract's call-off window. Every framework tier is recorded as waiting (current tier 0), so the
ordinary tier cascade (server.services.broadcast.cascade_one) sends it to the market's first tier when the window
passes or the provider declines. The provider answers with an offer at the block price (fee basis BLOCK);
accepting it fills the place.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from server.domain.block_occupancy import is_free
from server.domain.vocabulary import CallOffStatus, FeeBasis, PlacementKind, ReferralStatus, ResourceKind
from server.models import BlockCallOff, BlockContract, BlockPlace, BroadcastRecipient, Offer, Placement, Referral
from server.outbox.kinds import Notification
from server.repositories import block_contracts as repository
from server.services.broadcast import BroadcastPlan, cascade_one
from server.services.matching import best_matches
from server.services.notify_context import referral_context
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

log = logging.getLogger(__name__)

CALL_OFF_TIER = 0  # the referral's current tier while a block provider has it first


def _resource_key(place: BlockPlace) -> tuple[ResourceKind, int]:
    if place.childrens_home_id is not None:
        return ResourceKind.CHILDRENS_HOME, place.childrens_home_id
    return ResourceKind.CARER_HOUSEHOLD, place.carer_household_id  # type: ignore[return-value]


async def free_place_for(referral: Referral) -> tuple[BlockContract, BlockPlace] | None:
    """The first free block place the referral fits, of a contract its council is party to; None if there is none."""
    on: date = referral.required_by.date()
    residential = PlacementKind(referral.placement_kind).is_residential
    contracts = await repository.contracts_in_force_for(referral.council_id, None, on)
    candidates = [
        (contract, place)
        for contract in contracts
        for place in contract.places
        if place.council_id in (None, referral.council_id) and residential == (place.childrens_home_id is not None)
    ]
    if not candidates:
        return None
    ids = [place.id for _, place in candidates]
    stays, held = await repository.stays_by_place(ids), await repository.held_place_ids(ids)
    free = [
        (contract, place)
        for contract, place in candidates
        if place.id not in held and is_free(repository.terms_of(contract, place), stays.get(place.id, []), on)
    ]
    if not free:
        return None
    matches = await best_matches(referral, {c.provider_id for c, _ in free}, track_records_count=False)
    fitting = {(m.candidate.kind, m.candidate.id) for m in matches if m.eligible}
    return next(((c, p) for c, p in free if _resource_key(p) in fitting), None)


async def offer_first(
    work: UnitOfWork,
    referral: Referral,
    plan: BroadcastPlan,
    contract: BlockContract,
    place: BlockPlace,
    now: datetime,
) -> BlockCallOff:
    """Inside the publishing unit of work: send to the block provider alone; every tier of the plan waits."""
    provider_id = contract.provider_id
    closes_at = now + timedelta(hours=contract.call_off_window_hours)
    call_off = await BlockCallOff.create(
        referral_id=referral.id, place_id=place.id, provider_id=provider_id, offered_at=now, closes_at=closes_at
    )
    tier_of = {p: tier for tier, ids in plan.tiers.items() for p in ids}
    of_referral = {"referral_id": referral.id, "council_id": referral.council_id}
    rows = [
        {**of_referral, "provider_id": p, "tier": tier, "sent_at": None}
        for tier, ids in plan.tiers.items()
        for p in ids
        if p != provider_id
    ]
    rows.append({**of_referral, "provider_id": provider_id, "tier": tier_of.get(provider_id), "sent_at": now})
    rows += [
        {**of_referral, "provider_id": p, "excluded_reason": reason}
        for p, reason in plan.exclusions.items()
        if p != provider_id
    ]
    work.insert(BroadcastRecipient, rows)
    topics = [f"council:{referral.council_id}", f"referral:{referral.id}", f"provider:{provider_id}"]
    await work.notify(
        Notification.REFERRAL_BROADCAST,
        Audience.of_providers([provider_id]),
        {
            **referral_context(referral),
            "spot": False,
            "block_contract": contract.reference,
            "window_hours": contract.call_off_window_hours,
        },
        key=f"referral.called_off.{referral.id}",
    )
    await work.record(
        "referral.published",
        topics,
        {
            "referralId": referral.id,
            "reference": referral.reference,
            "status": referral.status.value,
            "tier": CALL_OFF_TIER,
            "spot": False,
            "providerIds": [provider_id],
            "blockContractId": contract.id,
            "blockPlaceId": place.id,
            "callOffClosesAt": closes_at.isoformat(),
        },
        loaded=(referral,),
    )
    return call_off


async def holding_call_off(referral_id: int, provider_id: int) -> BlockCallOff | None:
    """The provider's call-off on the referral while it holds the place (offered first, or offered on)."""
    return await BlockCallOff.get_or_none(
        referral_id=referral_id, provider_id=provider_id, status__in=list(repository.HOLDING)
    ).select_related("place", "place__contract")


def block_price(call_off: BlockCallOff) -> dict:
    """An offer on a block place is at the contract's weekly price."""
    contract = call_off.place.contract
    return {
        "weekly_fee_pence": contract.weekly_price_pence,
        "fee_basis": FeeBasis.BLOCK,
        "differs_from_schedule": False,
        "fee_breakdown": [
            {
                "label": f"Block contract {contract.reference} weekly price",
                "amount_pence": contract.weekly_price_pence,
                "kind": "base",
            }
        ],
    }


def names_the_place(call_off: BlockCallOff, carer_household_id: int | None, childrens_home_id: int | None) -> bool:
    place = call_off.place
    if place.childrens_home_id is not None:
        return childrens_home_id == place.childrens_home_id
    return carer_household_id is not None and carer_household_id == place.carer_household_id


async def offered(call_off: BlockCallOff, offer: Offer) -> None:
    """Inside the offer's unit of work: the call-off now waits on the council's decision."""
    await BlockCallOff.filter(id=call_off.id).update(status=CallOffStatus.OFFERED, offer_id=offer.id)


async def filled(work: UnitOfWork, offer: Offer, placement: Placement) -> None:
    """Inside the accepting unit of work: the offer was on a block place, which the placement now fills."""
    call_off = await BlockCallOff.get_or_none(offer_id=offer.id).select_related("place")
    if call_off is None:
        return
    await BlockCallOff.filter(id=call_off.id).update(
        status=CallOffStatus.FILLED, placement_id=placement.id, closed_at=datetime.now(UTC)
    )
    await work.record(
        "block_place.filled",
        [f"council:{placement.council_id}", f"provider:{placement.provider_id}"],
        {
            "blockContractId": call_off.place.contract_id,
            "blockPlaceId": call_off.place_id,
            "placementId": placement.id,
        },
    )


async def release(
    work: UnitOfWork, referral: Referral, provider_id: int, outcome: CallOffStatus, now: datetime
) -> bool:
    """The block provider declined, or its block offer was withdrawn or declined: the place is let go and, if the
    referral is still waiting on the call-off, it goes to the market's first tier now. Returns whether it did."""
    released = await BlockCallOff.filter(
        referral_id=referral.id, provider_id=provider_id, status__in=list(repository.HOLDING)
    ).update(status=outcome, closed_at=now)
    if not released:
        return False
    await referral.refresh_from_db()
    return await _to_market(work, referral, now)


async def _to_market(work: UnitOfWork, referral: Referral, now: datetime) -> bool:
    if referral.status is not ReferralStatus.OPEN or referral.current_tier != CALL_OFF_TIER:
        return False
    await Referral.filter(id=referral.id).update(tier_deadline=now)
    await referral.refresh_from_db()
    return await cascade_one(work, referral, now)


async def lapse_due(now: datetime | None = None) -> int:
    """The clock: call-offs whose window passed without an offer lapse, and their referral goes to the market.
    Returns how many lapsed."""
    now = now or datetime.now(UTC)
    lapsed = 0
    for call_off in await BlockCallOff.filter(status=CallOffStatus.OPEN, closes_at__lte=now):
        async with unit_of_work() as work:
            claimed = await BlockCallOff.filter(id=call_off.id, status=CallOffStatus.OPEN).update(
                status=CallOffStatus.LAPSED, closed_at=now
            )
            if not claimed:
                continue
            lapsed += 1
            referral = await Referral.get(id=call_off.referral_id)
            await _to_market(work, referral, now)
    return lapsed
