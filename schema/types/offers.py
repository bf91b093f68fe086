"""Offers and placements as the API shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry

from schema.context import Info
from schema.enums import (
    FeeBasis,
    LegalStatus,
    OfferDeclineReason,
    OfferStatus,
    PlacementStatus,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlacementChanged,
)
from schema.ids import to_global_id
from schema.types.organisations import CouncilNode, ProviderNode
from schema.types.resources import CarerHouseholdNode, ChildrensHomeNode
from server.auth import policy
from server.domain import placement_notice
from server.domain import vocabulary as v
from server.models import Offer, Placement, PlacementLegalStatusChange, PlacementReview, User
from server.services import placement_life

if TYPE_CHECKING:
    from schema.types.placement_life import FeePeriod, PlacementReviewNode, PlacementSide
    from schema.types.referrals import ReferralNode


@strawberry.type
class FeeLine:
    label: str
    amount_pence: int
    kind: str


# Required-by is a moment; a start is a day in England.
LOCAL_TIME = ZoneInfo("Europe/London")


@strawberry.type
class MatchReason:
    met: bool
    text: str
    hard: bool = strawberry.field(description="A constraint: unmet means the resource cannot take the child.")


@strawberry.type
class OfferExtra:
    label: str
    amount_pence: int
    justification: str


@strawberry.type(name="Offer")
class OfferNode:
    weekly_fee_pence: int
    fee_basis: FeeBasis
    differs_from_schedule: bool = strawberry.field(
        description="True when itemised extras take the fee beyond the framework price schedule."
    )
    start_date: date
    matching_statement: str
    distance_miles: float | None
    status: OfferStatus
    submitted_at: datetime
    decided_at: datetime | None

    @strawberry.field
    def id(self, root: Offer) -> strawberry.ID:
        return to_global_id("Offer", root.id)

    @strawberry.field
    def fee_breakdown(self, root: Offer) -> list[FeeLine]:
        return [
            FeeLine(label=line["label"], amount_pence=line["amount_pence"], kind=line.get("kind", "base"))
            for line in root.fee_breakdown
        ]

    @strawberry.field
    def extras(self, root: Offer) -> list[OfferExtra]:
        return [OfferExtra(**extra) for extra in root.extras]

    @strawberry.field
    def is_spot(self, root: Offer) -> bool:
        return root.fee_basis == "spot"

    @strawberry.field
    async def provider(self, root: Offer, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field(description="Who made it, when that provider has since merged into `provider`; else null.")
    async def original_provider(self, root: Offer, info: Info) -> ProviderNode | None:
        if root.original_provider_id is None:
            return None
        return await info.context.loaders.provider.load(root.original_provider_id)

    @strawberry.field(description='"Made by A, now part of B" when A has since merged into B; else null.')
    async def made_by(self, root: Offer, info: Info) -> str | None:
        return await made_by_words(info, root.original_provider_id, root.provider_id)

    @strawberry.field
    async def referral(
        self, root: Offer, info: Info
    ) -> Annotated[ReferralNode, strawberry.lazy("schema.types.referrals")]:
        return await info.context.loaders.referral.load(root.referral_id)

    @strawberry.field
    async def carer_household(self, root: Offer, info: Info) -> CarerHouseholdNode | None:
        if root.carer_household_id is None:
            return None
        return await info.context.loaders.carer_household.load(root.carer_household_id)

    @strawberry.field
    async def childrens_home(self, root: Offer, info: Info) -> ChildrensHomeNode | None:
        if root.childrens_home_id is None:
            return None
        return await info.context.loaders.childrens_home.load(root.childrens_home_id)

    @strawberry.field(description="The start is on a later day than the referral's required-by (emergency timing).")
    async def starts_after_required_by(self, root: Offer, info: Info) -> bool:
        referral = await info.context.loaders.referral.load(root.referral_id)
        return referral is not None and root.start_date > referral.required_by.astimezone(LOCAL_TIME).date()

    @strawberry.field(
        description="Why the council declined the offer: for that council and the offering provider only."
    )
    async def decline_reason(self, root: Offer, info: Info) -> OfferDeclineReason | None:
        return root.decline_reason if await _may_see_decision(root, info) else None

    @strawberry.field(description="The council's note on declining, as the provider is told it; null for others.")
    async def decline_note(self, root: Offer, info: Info) -> str | None:
        return root.decline_note if root.decline_reason and await _may_see_decision(root, info) else None

    @strawberry.field(
        description="Why the offered household or home fits the child (or does not): the reasons behind the "
        "offer's fit, from the same matching as the provider's best matches."
    )
    async def match_reasons(self, root: Offer, info: Info) -> list[MatchReason]:
        matches = await info.context.loaders.matches_by_referral.load(root.referral_id)
        key = (
            ("carer_household", root.carer_household_id)
            if root.carer_household_id
            else (
                "childrens_home",
                root.childrens_home_id,
            )
        )
        result = matches.get(key)
        if result is None:
            return []
        return [MatchReason(met=r.met, text=r.text, hard=r.hard) for r in result.reasons]


async def _may_see_decision(root: Offer, info: Info) -> bool:
    actor = info.context.actor
    referral = await info.context.loaders.referral.load(root.referral_id)
    return (
        actor is not None and referral is not None and policy.may_see_offer_decision(actor, root, referral.council_id)
    )


@strawberry.type(name="Placement", description="A placement made under an Individual Placement Agreement (IPA).")
class PlacementNode:
    ipa_reference: str
    placement_type: PlacementType
    start_date: date
    weekly_fee_pence: int
    fee_basis: FeeBasis
    distance_miles: float | None
    inside_council_area: bool | None
    status: PlacementStatus
    end_date: date | None
    end_reason: ReasonPlacementChanged | None
    planned_ending: bool | None
    notice_given_on: date | None
    # The placements data standard and the SSDA903 return (issue 20): set by setPlacementStandardDetails.
    education_continuity: bool | None
    location_preferred: bool | None = strawberry.field(description="The location was the preferred one.")
    siblings_placed_together: int | None
    care_ceased_reason: ReasonEpisodeCeased | None = strawberry.field(
        description="SSDA903 REC: why the child stopped being looked after when the placement ended."
    )

    @strawberry.field
    def id(self, root: Placement) -> strawberry.ID:
        return to_global_id("Placement", root.id)

    @strawberry.field(
        description="Whether 28 days' notice was given before the end (computed, from the actual end once ended, "
        "else the intended end); false for an ending without notice; null while running without notice."
    )
    def twenty_eight_days_given(self, root: Placement) -> bool | None:
        return placement_notice.twenty_eight_days_given(root)

    @strawberry.field
    async def council(self, root: Placement, info: Info) -> CouncilNode:
        return await info.context.loaders.council.load(root.council_id)

    @strawberry.field
    async def provider(self, root: Placement, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field(description="Who made it, when that provider has since merged into `provider`; else null.")
    async def original_provider(self, root: Placement, info: Info) -> ProviderNode | None:
        if root.original_provider_id is None:
            return None
        return await info.context.loaders.provider.load(root.original_provider_id)

    @strawberry.field(description='"Made by A, now part of B" when A has since merged into B; else null.')
    async def made_by(self, root: Placement, info: Info) -> str | None:
        return await made_by_words(info, root.original_provider_id, root.provider_id)

    @strawberry.field
    async def referral(
        self, root: Placement, info: Info
    ) -> Annotated[ReferralNode, strawberry.lazy("schema.types.referrals")]:
        return await info.context.loaders.referral.load(root.referral_id)

    @strawberry.field
    async def carer_household(self, root: Placement, info: Info) -> CarerHouseholdNode | None:
        if root.carer_household_id is None:
            return None
        return await info.context.loaders.carer_household.load(root.carer_household_id)

    @strawberry.field
    async def childrens_home(self, root: Placement, info: Info) -> ChildrensHomeNode | None:
        if root.childrens_home_id is None:
            return None
        return await info.context.loaders.childrens_home.load(root.childrens_home_id)

    @strawberry.field(description="The day the child actually moved in, once confirmed.")
    def actual_start_date(self, root: Placement) -> date | None:
        return root.actual_start_date

    @strawberry.field(description="The intended end date given with notice.")
    def notice_intended_end(self, root: Placement) -> date | None:
        return root.notice_intended_end

    @strawberry.field(description="Who gave notice: the council or the provider.")
    def notice_given_by(
        self, root: Placement
    ) -> Annotated[PlacementSide, strawberry.lazy("schema.types.placement_life")] | None:
        return root.notice_given_by

    @strawberry.field(description="The person who gave notice, for the two parties.")
    async def notice_given_by_name(self, root: Placement) -> str | None:
        if root.notice_given_by_user_id is None:
            return None
        user = await User.get_or_none(id=root.notice_given_by_user_id)
        return user.display_name if user else None

    @strawberry.field(description="Days between notice and the intended end (computed).")
    def notice_days(self, root: Placement) -> int | None:
        return placement_life.notice_days(root)

    @strawberry.field(description="Notice of fewer than the contractual 28 days was given (computed).")
    def short_notice(self, root: Placement) -> bool | None:
        return placement_life.short_notice(root)

    @strawberry.field(description="Both the council and the provider confirmed the placement agreement.")
    def agreement_confirmed(self, root: Placement) -> bool:
        return root.council_confirmed_at is not None and root.provider_confirmed_at is not None

    @strawberry.field(description="The agreement's fee, then each change with its effective date.")
    async def fee_history(
        self, root: Placement
    ) -> list[Annotated[FeePeriod, strawberry.lazy("schema.types.placement_life")]]:
        from schema.types.placement_life import FeePeriod as Node

        return [
            Node(
                weekly_fee_pence=p.weekly_fee_pence,
                effective_from=p.effective_from,
                reason=p.reason,
                proposed_by=p.proposed_by,
                agreed=p.agreed,
            )
            for p in await placement_life.fee_history(root)
        ]

    @strawberry.field(description="The weekly fee in force on a day (agreed changes only).")
    async def fee_on(self, root: Placement, day: date) -> int:
        return await placement_life.fee_on(root, day)

    @strawberry.field(description="The child's reviews of this placement, oldest first.")
    async def reviews(
        self, root: Placement
    ) -> list[Annotated[PlacementReviewNode, strawberry.lazy("schema.types.placement_life")]]:
        from schema.types.placement_life import PlacementReviewNode as Node

        return [
            Node(
                held_on=r.held_on,
                attendance=[v.ReviewAttendee(a) for a in r.attendance],
                sdq_total=r.sdq_total,
                notes=r.notes,
            )
            for r in await PlacementReview.filter(placement_id=root.id).order_by("held_on", "id")
        ]

    @strawberry.field(description="When the next statutory review is due: 20 working days, 3 months, then 6.")
    async def next_review_due(self, root: Placement) -> date | None:
        if root.status is not v.PlacementStatus.ACTIVE:
            return None
        return placement_life.next_review_due(placement_life.started_on(root), await placement_life.review_dates(root))

    @strawberry.field(description="The next review's due date has passed.")
    async def review_overdue(self, root: Placement) -> bool:
        if root.status is not v.PlacementStatus.ACTIVE:
            return False
        due = placement_life.next_review_due(placement_life.started_on(root), await placement_life.review_dates(root))
        return due < datetime.now(UTC).date()

    @strawberry.field(description="The fostering referral started from this placement by a step-across.")
    async def step_across_referral(
        self, root: Placement, info: Info
    ) -> Annotated[ReferralNode, strawberry.lazy("schema.types.referrals")] | None:
        if root.step_across_referral_id is None:
            return None
        return await info.context.loaders.referral.load(root.step_across_referral_id)

    @strawberry.field(description="Changes of the child's legal status during the placement (each a new 903 episode).")
    async def legal_status_changes(self, root: Placement) -> list[LegalStatusChange]:
        return [
            LegalStatusChange(legal_status=c.legal_status, effective_from=c.effective_from)
            for c in await PlacementLegalStatusChange.filter(placement_id=root.id).order_by("effective_from", "id")
        ]


@strawberry.type(description="The child's legal status from a day of the placement.")
class LegalStatusChange:
    legal_status: LegalStatus
    effective_from: date


async def made_by_words(info: Info, original_provider_id: int | None, provider_id: int) -> str | None:
    """A merger's history in words: "Made by Harbour Fostering, now part of Oakleaf Care"."""
    if original_provider_id is None:
        return None
    original, now = await info.context.loaders.provider.load_many([original_provider_id, provider_id])
    return f"Made by {original.name}, now part of {now.name}"
