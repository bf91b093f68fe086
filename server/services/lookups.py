"""Fetching one object for an actor: missing and forbidden look the same."""

from __future__ import annotations

from collections.abc import Sequence

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import ReferralStatus
from server.models import Lot, LotMembership, Offer, Placement, Referral
from server.repositories.referrals import provider_inbox_page, referral_by_id
from server.services.errors import not_found


async def referral_for(actor: Actor, referral_id: int, field: str = "referralId") -> Referral:
    referral = await referral_by_id(referral_id)
    if referral is None or not await policy.may_view_referral(actor, referral):
        raise not_found("referral", field)
    return referral


async def inbox_page(
    actor: Actor, *, statuses: Sequence[ReferralStatus], before_id: int | None, columns: Sequence[str] | None,
    limit: int,
) -> list[Referral] | None:  # fmt: skip
    """A provider's inbox page (the referrals policy.scope_referrals lets its staff see, of these statuses, newest
    first, below `before_id`) in one plain statement; None when the actor's scope is not one provider's inbox,
    for the caller to read its scope the ordinary way."""
    provider_id = policy.inbox_provider(actor)
    if provider_id is None:
        return None
    return await provider_inbox_page(provider_id, statuses=statuses, before_id=before_id, columns=columns, limit=limit)


async def offer_for(actor: Actor, offer_id: int, field: str = "offerId") -> Offer:
    offer = await Offer.get_or_none(id=offer_id).select_related("referral")
    if offer is None or not policy.may_view_offer(actor, offer, offer.referral.council_id):
        raise not_found("offer", field)
    return offer


async def placement_for(actor: Actor, placement_id: int, field: str = "placementId") -> Placement:
    placement = await policy.scope_placements(actor, Placement.filter(id=placement_id)).first()
    if placement is None:
        raise not_found("placement", field)
    return placement


async def lot_for(actor: Actor, lot_id: int, field: str = "lotId") -> Lot:
    """A lot of a framework the actor sees, with its framework."""
    lot = await policy.scope_lots(actor, Lot.filter(id=lot_id)).select_related("framework").first()
    if lot is None:
        raise not_found("lot", field)
    return lot


async def membership_for(actor: Actor, membership_id: int, field: str = "membershipId") -> LotMembership:
    """A provider sees its own memberships; councils those on the frameworks they see."""
    membership = await policy.scope_lot_memberships(actor, LotMembership.filter(id=membership_id)).first()
    if membership is None:
        raise not_found("membership", field)
    return membership
