"""A framework's life: create (or re-tender from a predecessor), edit, extend, its lots, and terminations.
Lead council commissioners and platform admins only (server.auth.policy)."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import AgeBand, LeftReason, NeedLevel, OfstedJudgement, PlacementKind
from schema.errors import UserError, attempt
from schema.ids import from_global_id, to_global_id
from schema.types.frameworks import FrameworkNode, LotMembershipNode, LotNode
from server.domain import vocabulary as v
from server.services import framework_life
from server.services.framework_life import FrameworkDetails, LotDetails, MatchingWeights


@strawberry.input(description="A tier's response window, in hours, before the referral cascades to the next tier.")
class TierWindowInput:
    tier: int
    hours: int


@strawberry.input(description="Matching weights of the soft components of fit; scaled to 100 when scoring.")
class MatchingWeightsInput:
    distance: int
    specialisms: int
    language_and_culture: int
    ofsted: int
    track_record: int


@strawberry.input
class CreateFrameworkInput:
    reference: str
    name: str
    lead_council_id: strawberry.ID
    starts_on: date
    ends_on: date
    member_council_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The lead council is always one; left out with copyFrom: the predecessor's."
    )
    extension_options: str = ""
    minimum_ofsted_judgement: OfstedJudgement = v.OfstedJudgement.REQUIRES_IMPROVEMENT
    tier_response_hours: int = 24
    emergency_response_hours: int = 4
    tier_windows: list[TierWindowInput] = strawberry.field(default_factory=list)
    quality_weight_percent: int = 60
    cost_weight_percent: int = 40
    matching_weights: MatchingWeightsInput | None = None
    copy_from: strawberry.ID | None = strawberry.field(
        default=None, description="A predecessor to re-tender: its lots, members and prices are copied."
    )


@strawberry.input(description="Only the values given change.")
class UpdateFrameworkInput:
    id: strawberry.ID
    reference: str | None = None
    name: str | None = None
    member_council_ids: list[strawberry.ID] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    extension_options: str | None = None
    minimum_ofsted_judgement: OfstedJudgement | None = None
    tier_response_hours: int | None = None
    emergency_response_hours: int | None = None
    tier_windows: list[TierWindowInput] | None = None
    quality_weight_percent: int | None = None
    cost_weight_percent: int | None = None
    matching_weights: MatchingWeightsInput | None = None


@strawberry.input(description="Take an extension: the new end date and the decision that took it.")
class ExtendFrameworkInput:
    id: strawberry.ID
    ends_on: date
    decision_reference: str
    decision_date: date


@strawberry.input
class CreateLotInput:
    framework_id: strawberry.ID
    code: str
    name: str
    placement_kinds: list[PlacementKind]
    age_bands: list[AgeBand] = strawberry.field(default_factory=list)
    need_levels: list[NeedLevel] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the values given change.")
class UpdateLotInput:
    id: strawberry.ID
    code: str | None = None
    name: str | None = None
    placement_kinds: list[PlacementKind] | None = None
    age_bands: list[AgeBand] | None = None
    need_levels: list[NeedLevel] | None = None


@strawberry.input(description="End a provider's membership of a lot, today or on a date passed.")
class TerminateMembershipInput:
    membership_id: strawberry.ID
    left_on: date
    reason: LeftReason = v.LeftReason.TERMINATED


@strawberry.type
class FrameworkPayload:
    framework: FrameworkNode | None
    errors: list[UserError]


@strawberry.type
class LotPayload:
    lot: LotNode | None
    errors: list[UserError]


@strawberry.type
class TerminationPayload:
    membership: LotMembershipNode | None
    withdrawn_offer_ids: list[strawberry.ID] = strawberry.field(description="The live offers withdrawn with it.")
    errors: list[UserError]


def _pk(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None else (from_global_id(value, type_name) or 0)


def _weights(given: MatchingWeightsInput | None) -> MatchingWeights | None:
    if given is None:
        return None
    return MatchingWeights(
        given.distance, given.specialisms, given.language_and_culture, given.ofsted, given.track_record
    )


def _windows(given: list[TierWindowInput] | None) -> dict[int, int] | None:
    return None if given is None else {window.tier: window.hours for window in given}


def _members(given: list[strawberry.ID] | None) -> list[int] | None:
    return None if given is None else [_pk(council, "Council") or 0 for council in given]


def _details(input: CreateFrameworkInput | UpdateFrameworkInput) -> FrameworkDetails:
    return FrameworkDetails(
        reference=input.reference,
        name=input.name,
        member_council_ids=_members(input.member_council_ids),
        starts_on=input.starts_on,
        ends_on=input.ends_on,
        extension_options=input.extension_options,
        minimum_ofsted_judgement=input.minimum_ofsted_judgement,
        tier_response_hours=input.tier_response_hours,
        emergency_response_hours=input.emergency_response_hours,
        tier_windows=_windows(input.tier_windows),
        quality_weight_percent=input.quality_weight_percent,
        cost_weight_percent=input.cost_weight_percent,
        matching_weights=_weights(input.matching_weights),
    )


def _lot(input: CreateLotInput | UpdateLotInput) -> LotDetails:
    return LotDetails(
        code=input.code,
        name=input.name,
        placement_kinds=input.placement_kinds,
        age_bands=input.age_bands,
        need_levels=input.need_levels,
    )


@strawberry.type
class FrameworkLifeMutations:
    @strawberry.mutation(description="Lead council commissioners and admins: a new framework, or a successor.")
    async def create_framework(self, info: Info, input: CreateFrameworkInput) -> FrameworkPayload:
        details = _details(input)
        details.lead_council_id = _pk(input.lead_council_id, "Council")
        framework, errors = await attempt(
            info.context.actor,
            lambda actor: framework_life.create_framework(
                actor, details, copy_from_id=_pk(input.copy_from, "Framework")
            ),
        )
        return FrameworkPayload(framework=framework, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Change a framework's terms: only the values given change; each is audited.")
    async def update_framework(self, info: Info, input: UpdateFrameworkInput) -> FrameworkPayload:
        framework, errors = await attempt(
            info.context.actor,
            lambda actor: framework_life.update_framework(actor, _pk(input.id, "Framework") or 0, _details(input)),
        )
        return FrameworkPayload(framework=framework, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Take an extension of the framework's term, with the decision behind it.")
    async def extend_framework(self, info: Info, input: ExtendFrameworkInput) -> FrameworkPayload:
        framework, errors = await attempt(
            info.context.actor,
            lambda actor: framework_life.extend_framework(
                actor,
                _pk(input.id, "Framework") or 0,
                ends_on=input.ends_on,
                decision_reference=input.decision_reference,
                decision_date=input.decision_date,
            ),
        )
        return FrameworkPayload(framework=framework, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Add a lot to a framework: the placement kinds, age bands and needs it covers.")
    async def create_lot(self, info: Info, input: CreateLotInput) -> LotPayload:
        lot, errors = await attempt(
            info.context.actor,
            lambda actor: framework_life.create_lot(actor, _pk(input.framework_id, "Framework") or 0, _lot(input)),
        )
        return LotPayload(lot=lot, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Change a lot: only the values given change.")
    async def update_lot(self, info: Info, input: UpdateLotInput) -> LotPayload:
        lot, errors = await attempt(
            info.context.actor, lambda actor: framework_life.update_lot(actor, _pk(input.id, "Lot") or 0, _lot(input))
        )
        return LotPayload(lot=lot, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(
        description="End a provider's membership of a lot: no new referrals on it, its live offers there "
        "withdrawn (the provider told); its placements carry on."
    )
    async def terminate_membership(self, info: Info, input: TerminateMembershipInput) -> TerminationPayload:
        ended, errors = await attempt(
            info.context.actor,
            lambda actor: framework_life.terminate_membership(
                actor, _pk(input.membership_id, "LotMembership") or 0, left_on=input.left_on, reason=input.reason
            ),
        )
        if ended is None:
            return TerminationPayload(membership=None, withdrawn_offer_ids=[], errors=errors)
        return TerminationPayload(
            membership=ended.membership,  # type: ignore[arg-type]
            withdrawn_offer_ids=[to_global_id("Offer", pk) for pk in ended.withdrawn_offer_ids],
            errors=[],
        )
