"""The Individual Placement Agreement and the placement's life: confirmations, start, fees, reviews, notice,
step-across. The agreement names the child only for the placing council's officers and the chosen provider
(its read is audited as the child record's are); its answers are never kept by the response cache."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.enums import PlacementKind
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.permissions import AUTH
from schema.types.child_records import ChildRecord, ReferralDocument
from schema.types.offers import PlacementNode
from schema.types.referrals import ReferralNode
from server.domain import vocabulary as v
from server.services import placement_life
from server.services.errors import ServiceError
from server.services.placement_life import AgreementView

PlacementSide = strawberry.enum(v.PlacementSide, description="Which party to the agreement acted")
ReviewAttendee = strawberry.enum(v.ReviewAttendee, description="Who attended a child's review")


@strawberry.type(description="A line of the agreed weekly fee's breakdown.")
class AgreementFeeLine:
    label: str
    amount_pence: int


@strawberry.type(description="A party's confirmation of the agreement: who and when.")
class AgreementConfirmation:
    side: PlacementSide
    user_name: str
    at: datetime


@strawberry.type(description="The Individual Placement Agreement, drafted by the exchange from what it holds.")
class PlacementAgreement:
    placement: PlacementNode
    ipa_reference: str
    council_name: str
    provider_name: str
    resource_name: str
    resource_kind: str
    planned_start: date
    actual_start: date | None
    weekly_fee_pence: int = strawberry.field(description="The weekly fee agreed at acceptance.")
    fee_lines: list[AgreementFeeLine]
    framework_name: str | None
    framework_reference: str | None = strawberry.field(description="The framework whose terms apply.")
    notice_days: int
    placement_plan: ReferralDocument | None
    child: ChildRecord | None = strawberry.field(
        description="The child's identified record: the placing council's officers and the chosen provider only."
    )
    confirmations: list[AgreementConfirmation]
    confirmed: bool = strawberry.field(description="Both the council and the provider confirmed it.")

    @classmethod
    def of(cls, view: AgreementView) -> PlacementAgreement:
        return cls(
            placement=view.placement,  # type: ignore[arg-type]
            ipa_reference=view.placement.ipa_reference,
            council_name=view.council_name,
            provider_name=view.provider_name,
            resource_name=view.resource_name,
            resource_kind=view.resource_kind,
            planned_start=view.planned_start,
            actual_start=view.actual_start,
            weekly_fee_pence=view.weekly_fee_pence,
            fee_lines=[AgreementFeeLine(label=line.label, amount_pence=line.amount_pence) for line in view.fee_lines],
            framework_name=view.framework_name,
            framework_reference=view.framework_reference,
            notice_days=view.notice_days,
            placement_plan=ReferralDocument.of(view.placement_plan) if view.placement_plan else None,
            child=ChildRecord.of(view.child) if view.child else None,
            confirmations=[
                AgreementConfirmation(side=c.side, user_name=c.user_name, at=c.at) for c in view.confirmations
            ],
            confirmed=view.confirmed,
        )


@strawberry.type(description="A weekly fee from a date: the agreement's, then each change (agreed or awaiting).")
class FeePeriod:
    weekly_fee_pence: int
    effective_from: date
    reason: str
    proposed_by: PlacementSide | None
    agreed: bool


@strawberry.type(description="A looked-after child's review of the placement.")
class PlacementReviewNode:
    held_on: date
    attendance: list[ReviewAttendee]
    sdq_total: int | None = strawberry.field(description="Strengths and Difficulties Questionnaire total, 0-40.")
    notes: str


def _placement(value: strawberry.ID) -> int:
    return from_global_id(value, "Placement") or 0


@strawberry.type
class PlacementLifeQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="A placement's Individual Placement Agreement: the placing council's staff and the placement's "
        "provider; null for anyone else.",
    )
    async def placement_agreement(self, info: Info, placement_id: strawberry.ID) -> PlacementAgreement | None:
        pk = from_global_id(placement_id, "Placement")
        if pk is None or info.context.actor is None:
            return None
        try:
            view = await placement_life.agreement(info.context.actor, pk)
        except ServiceError:
            return None
        return PlacementAgreement.of(view)


@strawberry.input
class PlacementIdInput:
    placement_id: strawberry.ID


@strawberry.input
class ConfirmPlacementStartInput:
    placement_id: strawberry.ID
    started_on: date = strawberry.field(description="The day the child actually moved in.")


@strawberry.input(description="A new weekly fee from a date, proposed by one side; the other agrees it.")
class ChangePlacementFeeInput:
    placement_id: strawberry.ID
    weekly_fee_pence: int | None = strawberry.field(
        default=None, description="The new weekly fee; leave out with agree: true to agree the change awaiting you."
    )
    effective_from: date | None = None
    reason: str = strawberry.field(default="", description="Told to the other side: nothing that identifies the child.")
    agree: bool = strawberry.field(default=False, description="Agree the change the other side proposed.")


@strawberry.input
class RecordPlacementReviewInput:
    placement_id: strawberry.ID
    held_on: date
    attendance: list[ReviewAttendee]
    sdq_total: int | None = None
    notes: str = ""


@strawberry.input(description="Notice to end the placement: whether 28 days were given is computed.")
class GiveNoticeInput:
    placement_id: strawberry.ID
    given_on: date
    intended_end: date


@strawberry.input(description="From a residential placement, a linked draft fostering referral (step-down).")
class StartStepAcrossInput:
    placement_id: strawberry.ID
    placement_kind: PlacementKind


@strawberry.type
class PlacementAgreementPayload:
    agreement: PlacementAgreement | None
    errors: list[UserError]


@strawberry.type
class PlacementLifePayload:
    placement: PlacementNode | None
    errors: list[UserError]


@strawberry.type
class PlacementReviewPayload:
    placement: PlacementNode | None
    review: PlacementReviewNode | None
    errors: list[UserError]


@strawberry.type
class StepAcrossPayload:
    referral: ReferralNode | None
    placement: PlacementNode | None
    errors: list[UserError]


@strawberry.type
class PlacementLifeMutations:
    @strawberry.mutation(description="Your side confirms the placement agreement (once: again is refused).")
    async def confirm_placement_agreement(self, info: Info, input: PlacementIdInput) -> PlacementAgreementPayload:
        view, errors = await attempt(
            info.context.actor, lambda actor: placement_life.confirm_agreement(actor, _placement(input.placement_id))
        )
        return PlacementAgreementPayload(agreement=PlacementAgreement.of(view) if view else None, errors=errors)

    @strawberry.mutation(description="The day the placement actually started (it may differ from the planned start).")
    async def confirm_placement_start(self, info: Info, input: ConfirmPlacementStartInput) -> PlacementLifePayload:
        placement, errors = await attempt(
            info.context.actor,
            lambda actor: placement_life.confirm_start(actor, _placement(input.placement_id), input.started_on),
        )
        return PlacementLifePayload(placement=placement, errors=errors)

    @strawberry.mutation(description="Propose a new weekly fee from a date, or agree the one the other side proposed.")
    async def change_placement_fee(self, info: Info, input: ChangePlacementFeeInput) -> PlacementLifePayload:
        pk = _placement(input.placement_id)

        async def run(actor):
            if input.agree:
                return await placement_life.agree_fee_change(actor, pk)
            problems = []
            if input.weekly_fee_pence is None:
                problems.append(placement_life.invalid("weeklyFeePence", "Give the new weekly fee."))
            if input.effective_from is None:
                problems.append(placement_life.invalid("effectiveFrom", "Give the day the new fee takes effect."))
            if problems:
                raise ServiceError.many(problems)
            assert input.weekly_fee_pence is not None and input.effective_from is not None
            return await placement_life.change_fee(
                actor,
                pk,
                weekly_fee_pence=input.weekly_fee_pence,
                effective_from=input.effective_from,
                reason=input.reason,
            )

        placement, errors = await attempt(info.context.actor, run)
        return PlacementLifePayload(placement=placement, errors=errors)

    @strawberry.mutation(description="Record a looked-after child's review of the placement (placing council).")
    async def record_placement_review(self, info: Info, input: RecordPlacementReviewInput) -> PlacementReviewPayload:
        review, errors = await attempt(
            info.context.actor,
            lambda actor: placement_life.record_review(
                actor,
                _placement(input.placement_id),
                held_on=input.held_on,
                attendance=[v.ReviewAttendee(a) for a in input.attendance],
                sdq_total=input.sdq_total,
                notes=input.notes,
            ),
        )
        placement = await review.placement if review else None
        node = (
            PlacementReviewNode(
                held_on=review.held_on,
                attendance=[v.ReviewAttendee(a) for a in review.attendance],
                sdq_total=review.sdq_total,
                notes=review.notes,
            )
            if review
            else None
        )
        return PlacementReviewPayload(placement=placement, review=node, errors=errors)

    @strawberry.mutation(description="Either side gives notice to end the placement, with the intended end date.")
    async def give_notice(self, info: Info, input: GiveNoticeInput) -> PlacementLifePayload:
        placement, errors = await attempt(
            info.context.actor,
            lambda actor: placement_life.give_notice(
                actor, _placement(input.placement_id), given_on=input.given_on, intended_end=input.intended_end
            ),
        )
        return PlacementLifePayload(placement=placement, errors=errors)

    @strawberry.mutation(description="From a residential placement, start a linked fostering referral (a draft).")
    async def start_step_across(self, info: Info, input: StartStepAcrossInput) -> StepAcrossPayload:
        referral, errors = await attempt(
            info.context.actor,
            lambda actor: placement_life.start_step_across(
                actor, _placement(input.placement_id), v.PlacementKind(input.placement_kind)
            ),
        )
        placement = await placement_life.stepped_across_from(referral.id) if referral else None
        return StepAcrossPayload(referral=referral, placement=placement, errors=errors)
