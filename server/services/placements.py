"""Placements: made when an offer is accepted, ended planned or unplanned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import (
    Duration,
    PlacementStatus,
    PlacementType,
    ReasonPlacementChanged,
    Role,
)
from server.models import Council, Framework, Offer, Placement, Referral
from server.outbox.kinds import Notification
from server.services.errors import ServiceError, denied, invalid, wrong_state
from server.services.lookups import placement_for
from server.services.unit_of_work import Audience, unit_of_work

NOTICE_DAYS = 28


def placement_type_for(referral: Referral, offer: Offer) -> PlacementType:
    """The DfE code: a children's home is K2; fostering with another carer is U4 (long term) or U6."""
    if offer.childrens_home_id is not None:
        return PlacementType.K2
    return PlacementType.U4 if referral.duration is Duration.LONG_TERM else PlacementType.U6


async def create_from(offer: Offer, referral: Referral) -> Placement:
    """Inside the accepting transaction: the unique referral_id makes a second placement impossible."""
    council = await Council.get(id=referral.council_id)
    resource_district = await _resource_district(offer)
    return await Placement.create(
        referral_id=referral.id,
        offer_id=offer.id,
        council_id=referral.council_id,
        provider_id=offer.provider_id,
        carer_household_id=offer.carer_household_id,
        childrens_home_id=offer.childrens_home_id,
        placement_type=placement_type_for(referral, offer),
        start_date=offer.start_date,
        weekly_fee_pence=offer.weekly_fee_pence,
        fee_basis=offer.fee_basis,
        ipa_reference=f"IPA-{referral.reference}",
        distance_miles=offer.distance_miles,
        inside_council_area=resource_district in council.districts if council.districts else None,
        **copied_from(referral),
    )


def copied_from(referral: Referral | Mapping[str, Any]) -> dict[str, Any]:
    """What a placement keeps of its referral (a model, or a row of one being loaded) for the contract figures:
    the kind, the child's age, the framework it was called off under (none when it went to spot purchase) and
    when it was published."""
    value = referral.get if isinstance(referral, Mapping) else partial(getattr, referral)
    return {
        "placement_kind": value("placement_kind"),
        "age_years": value("age_years"),
        "framework_id": None if value("escalated_to_spot") else value("framework_id"),
        "referral_published_at": value("published_at"),
    }


async def _resource_district(offer: Offer) -> str | None:
    if offer.carer_household_id:
        await offer.fetch_related("carer_household")
        return offer.carer_household.district
    await offer.fetch_related("childrens_home")
    return offer.childrens_home.district


async def end_placement(
    actor: Actor,
    placement_id: int,
    *,
    end_date: date,
    reason: ReasonPlacementChanged,
    planned: bool,
    notice_given_on: date | None = None,
) -> Placement:
    placement = await placement_for(actor, placement_id)
    if notice_given_on is None:
        notice_given_on = placement.notice_given_on  # the notice given with giveNotice, if any
    if not policy.may_end_placement(actor, placement):
        raise denied("Only the placing council or the provider can end this placement.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise wrong_state("This placement has already ended.", "placementId")
    problems = []
    if end_date < placement.start_date:
        problems.append(invalid("endDate", "A placement cannot end before it started."))
    if notice_given_on is not None and notice_given_on > end_date:
        problems.append(invalid("noticeGivenOn", "Notice is given on or before the end date."))
    if problems:
        raise ServiceError.many(problems)
    without_notice = notice_given_on is None or (end_date - notice_given_on).days < NOTICE_DAYS
    async with unit_of_work() as work:
        changed = await Placement.filter(id=placement.id, status=PlacementStatus.ACTIVE).update(
            status=PlacementStatus.ENDED,
            end_date=end_date,
            end_reason=reason,
            planned_ending=planned,
            notice_given_on=notice_given_on,
        )
        if not changed:
            raise wrong_state("This placement has already ended.", "placementId")
        await placement.refresh_from_db()
        referral = await Referral.get(id=placement.referral_id)
        event = await work.record(
            "placement.ended",
            [
                f"council:{placement.council_id}",
                f"provider:{placement.provider_id}",
                f"referral:{referral.id}",
                # The commissioners' contract figures move (issue 17).
                *await framework_topics_of(placement.council_id),
            ],
            {
                "placementId": placement.id,
                "referralId": referral.id,
                "reference": referral.reference,
                "planned": planned,
                "withoutNotice": without_notice,
                "reason": reason.value,
            },
        )
        if not planned or without_notice:
            await work.notify(
                Notification.PLACEMENT_ENDED_UNPLANNED,
                await _commissioners_for(referral),
                {
                    "reference": referral.reference,
                    "ipa_reference": placement.ipa_reference,
                    "reason": reason.label,
                    "planned": planned,
                    "without_notice": without_notice,
                    "end_date": end_date.isoformat(),
                    "referral_id": referral.id,
                },
                key=str(event.id),
            )
    return placement


async def framework_topics_of(council_id: int) -> list[str]:
    """`framework:<id>` of every framework the council is a member of, whose contract figures its placements move,
    and `council:<id>` of each one's lead council, whose commissioners read those figures (so their kept answers
    and their `dashboard` subscription move too)."""
    rows = await Framework.filter(member_councils__id=council_id).values_list("id", "lead_council_id")
    return topics_of_frameworks(rows, council_id)


def topics_of_frameworks(rows: list[tuple[int, int]], council_id: int | None) -> list[str]:
    frameworks = sorted({f"framework:{framework}" for framework, _ in rows})
    leads = sorted({f"council:{lead}" for _, lead in rows if lead != council_id})
    return frameworks + leads


async def _commissioners_for(referral: Referral) -> Audience:
    """The framework's commissioners (its lead council), else the placing council's."""
    council_id = referral.council_id
    if referral.framework_id:
        council_id = (await Framework.get(id=referral.framework_id)).lead_council_id
    return Audience.of_councils([council_id], Role.COMMISSIONER)
