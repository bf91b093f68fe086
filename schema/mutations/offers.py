from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import DeclineReason, OfferDeclineReason, ReasonPlacementChanged
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.offers import OfferNode, PlacementNode
from schema.types.referrals import BroadcastRecipientNode, ReferralNode
from server.domain import vocabulary as v
from server.domain.pricing import Extra
from server.services import offers, placements
from server.services.offers import OfferDetails


@strawberry.input(description="A cost beyond the framework price schedule, itemised and justified.")
class ExtraInput:
    label: str
    amount_pence: int
    justification: str


@strawberry.input
class SubmitOfferInput:
    referral_id: strawberry.ID
    start_date: date
    carer_household_id: strawberry.ID | None = None
    childrens_home_id: strawberry.ID | None = None
    matching_statement: str = ""
    extras: list[ExtraInput] = strawberry.field(default_factory=list)
    spot_weekly_fee_pence: int | None = strawberry.field(default=None, description="Spot offers only.")


@strawberry.input
class OfferIdInput:
    id: strawberry.ID


@strawberry.input(description="The council declines an offer: the reason (and note) are told to the provider.")
class DeclineOfferInput:
    offer_id: strawberry.ID
    reason: OfferDeclineReason = strawberry.field(
        description="Why; OTHER needs a note. ANOTHER_OFFER_ACCEPTED is recorded by accepting another offer."
    )
    note: str = strawberry.field(default="", description="Told to the provider: no detail that identifies the child.")


@strawberry.input
class DeclineReferralInput:
    referral_id: strawberry.ID
    reason: DeclineReason
    note: str = ""


@strawberry.input
class EndPlacementInput:
    id: strawberry.ID
    end_date: date
    reason: ReasonPlacementChanged
    planned: bool
    notice_given_on: date | None = None


@strawberry.type
class OfferPayload:
    offer: OfferNode | None
    errors: list[UserError]


@strawberry.type
class AcceptOfferPayload:
    placement: PlacementNode | None
    offer: OfferNode | None
    errors: list[UserError]


@strawberry.type
class DeclineReferralPayload:
    referral: ReferralNode | None
    broadcast: BroadcastRecipientNode | None
    errors: list[UserError]


@strawberry.type
class PlacementPayload:
    placement: PlacementNode | None
    errors: list[UserError]


def _pk(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None else (from_global_id(value, type_name) or 0)


@strawberry.type
class OfferMutations:
    @strawberry.mutation(description="Offer a carer household or home at the framework-tier price.")
    async def submit_offer(self, info: Info, input: SubmitOfferInput) -> OfferPayload:
        details = OfferDetails(
            referral_id=_pk(input.referral_id, "Referral") or 0,
            start_date=input.start_date,
            carer_household_id=_pk(input.carer_household_id, "CarerHousehold"),
            childrens_home_id=_pk(input.childrens_home_id, "ChildrensHome"),
            matching_statement=input.matching_statement,
            extras=[Extra(e.label, e.amount_pence, e.justification) for e in input.extras],
            spot_weekly_fee_pence=input.spot_weekly_fee_pence,
        )
        offer, errors = await attempt(info.context.actor, lambda actor: offers.submit_offer(actor, details))
        return OfferPayload(offer=offer, errors=errors)

    @strawberry.mutation
    async def withdraw_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        offer, errors = await attempt(
            info.context.actor, lambda actor: offers.withdraw_offer(actor, _pk(input.id, "Offer") or 0)
        )
        return OfferPayload(offer=offer, errors=errors)

    @strawberry.mutation
    async def shortlist_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        offer, errors = await attempt(
            info.context.actor, lambda actor: offers.shortlist_offer(actor, _pk(input.id, "Offer") or 0)
        )
        return OfferPayload(offer=offer, errors=errors)

    @strawberry.mutation
    async def decline_offer(self, info: Info, input: DeclineOfferInput) -> OfferPayload:
        offer, errors = await attempt(
            info.context.actor,
            lambda actor: offers.decline_offer(
                actor, _pk(input.offer_id, "Offer") or 0, v.OfferDeclineReason(input.reason), input.note
            ),
        )
        return OfferPayload(offer=offer, errors=errors)

    @strawberry.mutation(description="Accept an offer: it becomes the placement, the others are declined.")
    async def accept_offer(self, info: Info, input: OfferIdInput) -> AcceptOfferPayload:
        placement, errors = await attempt(
            info.context.actor, lambda actor: offers.accept_offer(actor, _pk(input.id, "Offer") or 0)
        )
        offer = await placement.offer if placement else None
        return AcceptOfferPayload(placement=placement, offer=offer, errors=errors)

    @strawberry.mutation(description="Your organisation cannot offer: say why, so the council knows.")
    async def decline_referral(self, info: Info, input: DeclineReferralInput) -> DeclineReferralPayload:
        recipient, errors = await attempt(
            info.context.actor,
            lambda actor: offers.decline_referral(
                actor, _pk(input.referral_id, "Referral") or 0, input.reason, input.note
            ),
        )
        referral = await recipient.referral if recipient else None
        return DeclineReferralPayload(referral=referral, broadcast=recipient, errors=errors)

    @strawberry.mutation
    async def end_placement(self, info: Info, input: EndPlacementInput) -> PlacementPayload:
        placement, errors = await attempt(
            info.context.actor,
            lambda actor: placements.end_placement(
                actor,
                _pk(input.id, "Placement") or 0,
                end_date=input.end_date,
                reason=input.reason,
                planned=input.planned,
                notice_given_on=input.notice_given_on,
            ),
        )
        return PlacementPayload(placement=placement, errors=errors)
