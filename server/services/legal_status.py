"""A change of the child's legal status during a placement (a care order made, an accommodation under
section 20 becoming a care order ...): recorded by the placing council from the day it took effect. Each one
starts a new SSDA903 episode (server.services.ssda903)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import LegalStatus
from server.models import Placement, PlacementLegalStatusChange, Referral
from server.services import placement_life
from server.services.errors import ServiceError, denied, invalid, wrong_state
from server.services.unit_of_work import unit_of_work


async def status_on(placement: Placement, day: date) -> LegalStatus | None:
    """The legal status in force on a day of the placement: the last change on or before it, else the referral's."""
    change = (
        await PlacementLegalStatusChange.filter(placement_id=placement.id, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )
    if change is not None:
        return change.legal_status
    return (await Referral.get(id=placement.referral_id)).legal_status


async def record_legal_status_change(
    actor: Actor, placement_id: int, *, legal_status: LegalStatus, effective_from: date
) -> PlacementLegalStatusChange:
    placement = await placement_life.readable_placement(actor, placement_id)
    if not policy.may_record_placement_facts(actor, placement):
        raise denied("The placing council's placement officers record a change of legal status.")
    problems: list[ServiceError] = []
    if effective_from > datetime.now(UTC).date():
        problems.append(invalid("effectiveFrom", "A change of legal status is recorded once it took effect."))
    if effective_from < placement_life.started_on(placement):
        problems.append(invalid("effectiveFrom", "The change takes effect on or after the placement's start."))
    if placement.end_date is not None and effective_from > placement.end_date:
        problems.append(invalid("effectiveFrom", "The placement had ended by then."))
    if problems:
        raise ServiceError.many(problems)
    if await status_on(placement, effective_from) is legal_status:
        raise wrong_state(f"The legal status was already {legal_status.value} on that day.", "legalStatus")
    if await PlacementLegalStatusChange.exists(placement_id=placement.id, effective_from=effective_from):
        raise wrong_state("A change of legal status is already recorded from that day.", "effectiveFrom")
    async with unit_of_work() as work:
        change = await PlacementLegalStatusChange.create(
            placement_id=placement.id,
            legal_status=legal_status,
            effective_from=effective_from,
            recorded_by_id=actor.user_id,
        )
        await work.record(
            "placement.legalStatusChanged",
            [f"council:{placement.council_id}", f"referral:{placement.referral_id}"],
            {"placementId": placement.id, "referralId": placement.referral_id},
        )
    return change
