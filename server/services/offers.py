"""Offer use cases: providers submit, withdraw or decline; councils shortlist, accept, decline.

Accepting is the one place where races matter: two officers (or one double
click) must never make two placements. The referral's OPEN -> PLACED change is
a conditional update, and Placement.referral is unique, which hold on SQLite
(where select_for_update does nothing) and on PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.pricing import Extra, PricingError, framework_quote, price_offer
from server.domain.vocabulary import (
    CallOffStatus,
    DeclineReason,
    FeeBasis,
    OfferDeclineReason,
    OfferStatus,
    OfstedJudgement,
    ProviderStatus,
    ReferralStatus,
    Role,
)
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Framework,
    LotMembership,
    Offer,
    Placement,
    Provider,
    Referral,
)
from server.outbox.kinds import Notification
from server.services import block_call_off, placements, pricing_data
from server.services.districts import district_directory
from server.services.errors import ErrorCode, ServiceError, denied, invalid, not_found, wrong_state
from server.services.free_text import identifying_problems
from server.services.lookups import offer_for, referral_for
from server.services.notify_context import referral_context
from server.services.referrals import close_for_providers
from server.services.unit_of_work import Audience, UnitOfWork, unit_of_work

LIVE = (OfferStatus.SUBMITTED, OfferStatus.SHORTLISTED)


@dataclass
class OfferDetails:
    referral_id: int
    start_date: date
    carer_household_id: int | None = None
    childrens_home_id: int | None = None
    matching_statement: str = ""
    extras: list[Extra] = field(default_factory=list)
    spot_weekly_fee_pence: int | None = None


def copied_from(referral: Referral | Mapping[str, Any]) -> dict[str, Any]:
    """What an offer keeps of its referral (a model, or a row of one being loaded) for the contract figures: the
    placing council and when the referral was published."""
    value = referral.get if isinstance(referral, Mapping) else partial(getattr, referral)
    return {"council_id": value("council_id"), "referral_published_at": value("published_at")}


async def submit_offer(actor: Actor, details: OfferDetails) -> Offer:
    referral = await referral_for(actor, details.referral_id)
    if not await policy.may_respond_to_referral(actor, referral):
        raise denied("Only staff of a provider the referral was sent to can offer.")
    if referral.status is not ReferralStatus.OPEN:
        raise wrong_state(f"This referral is {referral.status.label.lower()}: offers are closed.", "referralId")
    recipient = await BroadcastRecipient.get(referral_id=referral.id, provider_id=actor.provider_id)
    # Called off a block contract first: an offer of the block place is at the block price, member or not.
    call_off = await block_call_off.holding_call_off(referral.id, actor.provider_id)
    if call_off is not None and not block_call_off.names_the_place(
        call_off, details.carer_household_id, details.childrens_home_id
    ):
        call_off = None
    membership = None if call_off else await _eligible_membership(referral, recipient, actor.provider_id)
    resource = await _resource(actor, details)
    problems = identifying_problems(
        [("matchingStatement", details.matching_statement)]
        + [(f"extras.{i}.label", extra.label) for i, extra in enumerate(details.extras)]
        + [(f"extras.{i}.justification", extra.justification) for i, extra in enumerate(details.extras)]
    )
    if not details.matching_statement.strip():
        problems.append(
            ServiceError(
                ErrorCode.REQUIRED,
                "Say why this is a good match: how the household or home meets the child's needs.",
                "matchingStatement",
            )
        )
    if details.start_date < datetime.now(UTC).date():
        problems.append(invalid("startDate", "The start date has passed."))
    if problems:
        raise ServiceError.many(problems)
    if call_off is not None and details.spot_weekly_fee_pence is not None:
        raise invalid("spotWeeklyFeePence", "An offer of a block place is at the block contract's weekly price.")
    price = block_call_off.block_price(call_off) if call_off else await _price(referral, membership, details)
    directory = await district_directory()
    miles = directory.miles_between(resource.district, referral.home_district)
    try:
        async with unit_of_work() as work:
            offer = await Offer.create(
                referral_id=referral.id,
                provider_id=actor.provider_id,
                carer_household_id=details.carer_household_id,
                childrens_home_id=details.childrens_home_id,
                start_date=details.start_date,
                matching_statement=details.matching_statement.strip(),
                distance_miles=round(miles, 1) if miles is not None else None,
                **copied_from(referral),
                **price,
            )
            await BroadcastRecipient.filter(id=recipient.id, responded_at__isnull=True).update(
                responded_at=datetime.now(UTC)
            )
            if call_off is not None:
                await block_call_off.offered(call_off, offer)
            await _tell_council(work, referral, "offer.submitted", offer)
    except IntegrityError as error:
        raise ServiceError(
            ErrorCode.DUPLICATE,
            "Your organisation already has a live offer on this referral: withdraw it first to offer again.",
            "referralId",
        ) from error
    return offer


async def _eligible_membership(
    referral: Referral, recipient: BroadcastRecipient, provider_id: int
) -> LotMembership | None:
    """Framework members on the referral's lot (active, not left, judged well enough), or spot recipients."""
    provider = await Provider.get(id=provider_id)
    if provider.status is not ProviderStatus.ACTIVE:
        raise ServiceError(ErrorCode.NOT_ELIGIBLE, "Your organisation is not active on the exchange.", "referralId")
    if recipient.is_spot:
        return None
    membership = await LotMembership.get_or_none(lot_id=referral.lot_id, provider_id=provider_id)
    framework = await Framework.get(id=referral.framework_id)
    today = datetime.now(UTC).date()
    if membership is None or (membership.left_on is not None and membership.left_on <= today):
        raise ServiceError(ErrorCode.NOT_ELIGIBLE, "Your organisation is not on this framework lot.", "referralId")
    if not OfstedJudgement(provider.ofsted_judgement).meets(OfstedJudgement(framework.minimum_ofsted_judgement)):
        raise ServiceError(
            ErrorCode.NOT_ELIGIBLE,
            "Your Ofsted judgement is below this framework's minimum, so you cannot offer on it.",
            "referralId",
        )
    return membership


async def _resource(actor: Actor, details: OfferDetails) -> CarerHousehold | ChildrensHome:
    if (details.carer_household_id is None) == (details.childrens_home_id is None):
        raise invalid("carerHouseholdId", "Offer exactly one carer household or one children's home.")
    if details.carer_household_id is not None:
        household = await CarerHousehold.get_or_none(id=details.carer_household_id, provider_id=actor.provider_id)
        if household is None or not household.is_active:
            raise not_found("carer household of yours", "carerHouseholdId")
        return household
    home = await ChildrensHome.get_or_none(id=details.childrens_home_id, provider_id=actor.provider_id)
    if home is None or not home.is_active:
        raise not_found("children's home of yours", "childrensHomeId")
    return home


async def _price(referral: Referral, membership: LotMembership | None, details: OfferDetails) -> dict:
    if membership is None:
        fee = details.spot_weekly_fee_pence
        if fee is None or fee <= 0:
            raise invalid("spotWeeklyFeePence", "A spot offer needs its weekly fee.")
        return {
            "weekly_fee_pence": fee,
            "fee_basis": FeeBasis.SPOT,
            "differs_from_schedule": False,
            "fee_breakdown": [{"label": "Spot purchase weekly fee", "amount_pence": fee, "kind": "base"}],
        }
    if details.spot_weekly_fee_pence is not None:
        raise invalid("spotWeeklyFeePence", "This is a framework referral: the fee comes from your price schedule.")
    entries, supplements = await pricing_data.schedule_of(membership.id)
    try:
        quote = framework_quote(entries, supplements, pricing_data.request_for(referral))
        priced = price_offer(quote, details.extras)
    except PricingError as error:
        raise ServiceError(ErrorCode.NO_PRICE, str(error), "extras" if details.extras else "referralId") from error
    return {
        "weekly_fee_pence": priced.weekly_fee_pence,
        "fee_basis": FeeBasis.FRAMEWORK,
        "price_schedule_entry_id": quote.schedule_entry_id,
        "fee_breakdown": [pricing_data.line_json(line) for line in priced.lines],
        "extras": [
            {"label": e.label, "amount_pence": e.amount_pence, "justification": e.justification} for e in details.extras
        ],
        "differs_from_schedule": priced.differs_from_schedule,
    }


async def withdraw_offer(actor: Actor, offer_id: int) -> Offer:
    offer = await offer_for(actor, offer_id)
    if not policy.may_manage_own_offer(actor, offer):
        raise denied("Only the provider that made an offer can withdraw it.")
    return await _move(offer, LIVE, OfferStatus.WITHDRAWN, "offer.withdrawn")


async def shortlist_offer(actor: Actor, offer_id: int) -> Offer:
    offer = await _council_offer(actor, offer_id)
    return await _move(offer, (OfferStatus.SUBMITTED,), OfferStatus.SHORTLISTED, "offer.shortlisted")


# Chosen by an officer; ANOTHER_OFFER_ACCEPTED is recorded by accepting another offer, never chosen.
CHOSEN_DECLINE_REASONS = tuple(r for r in OfferDeclineReason if r is not OfferDeclineReason.ANOTHER_OFFER_ACCEPTED)


async def decline_offer(actor: Actor, offer_id: int, reason: OfferDeclineReason, note: str = "") -> Offer:
    """The council declines an offer with a reason (and a note, needed for OTHER), both told to the provider."""
    offer = await _council_offer(actor, offer_id)
    note = note.strip()
    problems = identifying_problems([("note", note)])
    if reason is OfferDeclineReason.ANOTHER_OFFER_ACCEPTED:
        problems.append(invalid("reason", "Accepting another offer declines this one by itself: choose a reason."))
    if reason is OfferDeclineReason.OTHER and not note:
        problems.append(ServiceError(ErrorCode.REQUIRED, "Say in the note why the offer is declined.", "note"))
    if problems:
        raise ServiceError.many(problems)
    return await _move(offer, LIVE, OfferStatus.DECLINED, "offer.declined", decline_reason=reason, decline_note=note)


async def _council_offer(actor: Actor, offer_id: int) -> Offer:
    offer = await offer_for(actor, offer_id)
    if not policy.may_decide_offers(actor, offer.referral):
        raise denied("Only the council's placement officers decide on offers.")
    if offer.referral.status is not ReferralStatus.OPEN:
        raise wrong_state(f"The referral is {offer.referral.status.label.lower()}.", "offerId")
    return offer


async def _move(
    offer: Offer, allowed: tuple[OfferStatus, ...], to: OfferStatus, event_type: str, **decision: object
) -> Offer:
    if offer.status not in allowed:
        raise wrong_state(f"This offer is {offer.status.label.lower()}: it cannot be {to.label.lower()}.", "offerId")
    still_live = to in LIVE
    async with unit_of_work() as work:
        changed = await Offer.filter(id=offer.id, status__in=list(allowed)).update(
            status=to,
            live=1 if still_live else None,
            decided_at=None if still_live else datetime.now(UTC),
            updated_at=datetime.now(UTC),
            **decision,
        )
        if not changed:
            raise wrong_state("The offer changed meanwhile; reload it.", "offerId")
        await offer.refresh_from_db()
        if event_type == "offer.withdrawn":
            await _tell_council(work, offer.referral, event_type, offer)
        else:
            await _tell_provider(work, offer.referral, event_type, offer)
        if not still_live and offer.fee_basis is FeeBasis.BLOCK:
            # The block place is let go: the referral goes to the market if it was still waiting on it.
            await block_call_off.release(
                work, offer.referral, offer.provider_id, CallOffStatus.RELEASED, datetime.now(UTC)
            )
    return offer


async def accept_offer(actor: Actor, offer_id: int) -> Placement:
    """Accept one offer: exactly one placement, the other live offers declined, the referral closed."""
    offer = await _council_offer(actor, offer_id)
    if offer.status not in LIVE:
        raise wrong_state(f"This offer is {offer.status.label.lower()}: only a live offer can be accepted.", "offerId")
    referral: Referral = offer.referral
    now = datetime.now(UTC)
    try:
        async with unit_of_work() as work:
            won = await Referral.filter(id=referral.id, status=ReferralStatus.OPEN).update(
                status=ReferralStatus.PLACED, closed_at=now, updated_at=now, tier_deadline=None
            )
            accepted = won and await Offer.filter(id=offer.id, status__in=list(LIVE)).update(
                status=OfferStatus.ACCEPTED, live=None, decided_at=now, updated_at=now
            )
            if not accepted:
                raise ServiceError(ErrorCode.ALREADY_DECIDED, "This referral has already been placed.", "offerId")
            await offer.refresh_from_db()
            await referral.refresh_from_db()
            placement = await placements.create_from(offer, referral)
            if offer.fee_basis is FeeBasis.BLOCK:
                await block_call_off.filled(work, offer, placement)
            others = await Offer.filter(referral_id=referral.id, status__in=list(LIVE))
            await Offer.filter(id__in=[o.id for o in others]).update(
                status=OfferStatus.DECLINED,
                live=None,
                decided_at=now,
                updated_at=now,
                decline_reason=OfferDeclineReason.ANOTHER_OFFER_ACCEPTED,
                decline_note="",
            )
            await _tell_provider(
                work, referral, "offer.accepted", offer, also=await placements.framework_topics_of(referral.council_id)
            )
            for other in others:
                other.status = OfferStatus.DECLINED
                other.decline_reason = OfferDeclineReason.ANOTHER_OFFER_ACCEPTED
                other.decline_note = ""
                await _tell_provider(work, referral, "offer.declined", other)
            await close_for_providers(work, referral, "referral.placed", placed_with=offer.provider_id)
    except IntegrityError as error:
        raise ServiceError(ErrorCode.ALREADY_DECIDED, "This referral has already been placed.", "offerId") from error
    return placement


async def decline_referral(actor: Actor, referral_id: int, reason: DeclineReason, note: str = "") -> BroadcastRecipient:
    """A provider cannot offer: the reason is kept so councils see why children go unmatched."""
    referral = await referral_for(actor, referral_id)
    if not await policy.may_respond_to_referral(actor, referral):
        raise denied("Only staff of a provider the referral was sent to can decline it.")
    if referral.status is not ReferralStatus.OPEN:
        raise wrong_state(f"This referral is {referral.status.label.lower()}.", "referralId")
    problems = identifying_problems([("note", note)])
    if problems:
        raise ServiceError.many(problems)
    if await Offer.filter(referral_id=referral.id, provider_id=actor.provider_id, live=1).exists():
        raise wrong_state("Withdraw your live offer before declining the referral.", "referralId")
    async with unit_of_work() as work:
        await BroadcastRecipient.filter(referral_id=referral.id, provider_id=actor.provider_id).update(
            decline_reason=reason, decline_note=note.strip(), responded_at=datetime.now(UTC)
        )
        recipient = await BroadcastRecipient.get(referral_id=referral.id, provider_id=actor.provider_id)
        event = await work.record(
            "referral.declined",
            [f"council:{referral.council_id}", f"referral:{referral.id}", f"provider:{actor.provider_id}"],
            {
                "referralId": referral.id,
                "reference": referral.reference,
                "providerId": actor.provider_id,
                "reason": reason.value,
            },
        )
        await work.notify(
            Notification.OFFER_ACTIVITY,
            _council_team(referral),
            {**referral_context(referral), "activity": "declined", "reason": reason.label},
            key=str(event.id),
        )
        # A block provider that cannot take the child lets the market have the referral at once.
        await block_call_off.release(work, referral, actor.provider_id, CallOffStatus.DECLINED, datetime.now(UTC))
    return recipient


def _council_team(referral: Referral) -> Audience:
    return Audience.of_councils([referral.council_id], Role.PLACEMENT_OFFICER)


async def _tell_council(work: UnitOfWork, referral: Referral, event_type: str, offer: Offer) -> None:
    event = await work.record(event_type, _offer_topics(referral, offer), _offer_payload(referral, offer))
    await work.notify(
        Notification.OFFER_ACTIVITY,
        _council_team(referral),
        {**referral_context(referral), "activity": event_type.split(".")[1]},
        key=str(event.id),
    )


async def _tell_provider(
    work: UnitOfWork, referral: Referral, event_type: str, offer: Offer, also: list[str] | None = None
) -> None:
    """also: more topics (an accepted offer makes a placement: the council's frameworks' figures move)."""
    topics = _offer_topics(referral, offer) + (also or [])
    event = await work.record(event_type, topics, _offer_payload(referral, offer))
    reason = OfferDeclineReason(offer.decline_reason) if offer.decline_reason else None
    await work.notify(
        Notification.OFFER_DECISION,
        Audience.of_providers([offer.provider_id]),
        {
            **referral_context(referral),
            "decision": event_type.split(".")[1],
            "decline_reason": reason.label if reason else "",
            "decline_note": offer.decline_note or "",
        },
        key=str(event.id),
    )


def _offer_topics(referral: Referral, offer: Offer) -> list[str]:
    return [f"council:{referral.council_id}", f"referral:{referral.id}", f"provider:{offer.provider_id}"]


def _offer_payload(referral: Referral, offer: Offer) -> dict:
    return {
        "referralId": referral.id,
        "reference": referral.reference,
        "offerId": offer.id,
        "providerId": offer.provider_id,
        "status": OfferStatus(offer.status).value,
        "declineReason": OfferDeclineReason(offer.decline_reason).value if offer.decline_reason else None,
    }


async def tell_council_of_withdrawal(work: UnitOfWork, referral: Referral, offer: Offer) -> None:
    """An offer withdrawn by the exchange (its provider left the lot): the council is told as of any withdrawal."""
    await _tell_council(work, referral, "offer.withdrawn", offer)
