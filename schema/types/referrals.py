"""The referral as the API shows it: only the anonymised profile, to councils and to providers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.enums import (
    Adaptation,
    AdditionalSupport,
    AgeBand,
    CategoryOfNeed,
    CommunicationNeed,
    DeclineReason,
    Duration,
    Gender,
    LegalStatus,
    LivingAlongside,
    Need,
    NeedLevel,
    PetsPreference,
    PlacementKind,
    ReferralStatus,
    RiskToChild,
    RiskToOthers,
    Setting,
    Suitability,
    Urgency,
)
from schema.ids import to_global_id
from schema.types.frameworks import FrameworkNode, LotNode
from schema.types.offers import OfferNode, PlacementNode
from schema.types.organisations import CouncilNode, ProviderNode
from server.auth import policy
from server.domain import vocabulary as v
from server.models import BroadcastRecipient, Referral


@strawberry.type
class SettingSuitability:
    setting: Setting
    suitability: Suitability


@strawberry.type(name="BroadcastRecipient", description="A provider considered for a referral, and what it did.")
class BroadcastRecipientNode:
    tier: int | None
    is_spot: bool
    excluded_reason: str | None
    sent_at: datetime | None
    viewed_at: datetime | None
    responded_at: datetime | None
    decline_reason: DeclineReason | None
    decline_note: str

    @strawberry.field
    async def provider(self, root: BroadcastRecipient, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)


@strawberry.type(name="Referral")
class ReferralNode:
    reference: str
    status: ReferralStatus
    placement_kind: PlacementKind
    duration: Duration
    urgency: Urgency
    need_level: NeedLevel
    required_by: datetime
    age_years: int
    gender: Gender
    siblings_to_place_together: int
    home_district: str
    max_distance_miles: int
    languages: list[str]
    faith: str
    cultural_needs: str
    living_alongside: LivingAlongside
    pets: PetsPreference
    additional_support_hours: int
    deprivation_of_liberty: bool
    legal_status: LegalStatus | None
    category_of_need: CategoryOfNeed | None
    summary: str
    current_tier: int | None
    tier_deadline: datetime | None
    escalated_to_spot: bool
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None

    @strawberry.field
    def id(self, root: Referral) -> strawberry.ID:
        return to_global_id("Referral", root.id)

    @strawberry.field
    def age_band(self, root: Referral) -> AgeBand:
        return v.AgeBand.for_age(root.age_years)

    @strawberry.field
    def needs(self, root: Referral) -> list[Need]:
        return root.needs

    @strawberry.field
    def risks_to_child(self, root: Referral) -> list[RiskToChild]:
        return root.risks_to_child

    @strawberry.field
    def risks_to_others(self, root: Referral) -> list[RiskToOthers]:
        return root.risks_to_others

    @strawberry.field
    def communication_needs(self, root: Referral) -> list[CommunicationNeed]:
        return root.communication_needs

    @strawberry.field
    def adaptations(self, root: Referral) -> list[Adaptation]:
        return root.adaptations

    @strawberry.field
    def additional_support(self, root: Referral) -> list[AdditionalSupport]:
        return root.additional_support

    @strawberry.field
    def setting_suitability(self, root: Referral) -> list[SettingSuitability]:
        return [
            SettingSuitability(setting=v.Setting(setting), suitability=v.Suitability(value))
            for setting, value in sorted(root.setting_suitability.items())
        ]

    @strawberry.field
    async def council(self, root: Referral, info: Info) -> CouncilNode:
        return await info.context.loaders.council.load(root.council_id)

    @strawberry.field
    async def framework(self, root: Referral, info: Info) -> FrameworkNode | None:
        return await info.context.loaders.framework.load(root.framework_id) if root.framework_id else None

    @strawberry.field
    async def lot(self, root: Referral, info: Info) -> LotNode | None:
        return await info.context.loaders.lot.load(root.lot_id) if root.lot_id else None

    @strawberry.field(description="Offers on this referral: all of them for the council, only its own for a provider.")
    async def offers(self, root: Referral, info: Info) -> list[OfferNode]:
        return await info.context.loaders.offers_by_referral.load(root.id)

    @strawberry.field(description="Live offers (the council's view); null for providers.")
    async def live_offer_count(self, root: Referral, info: Info) -> int | None:
        if not _oversees(root, info):
            return None
        return await info.context.loaders.live_offer_count.load(root.id)

    @strawberry.field(description="The asking provider's own live offer, if any.")
    async def my_offer(self, root: Referral, info: Info) -> OfferNode | None:
        actor = info.context.actor
        if actor is None or not policy.has_referral_inbox(actor):
            return None
        offers = await info.context.loaders.offers_by_referral.load(root.id)
        live = [offer for offer in offers if offer.live == 1]
        return live[-1] if live else (offers[-1] if offers else None)

    @strawberry.field(description="When this provider was sent the referral, viewed it, responded or declined.")
    async def my_broadcast(self, root: Referral, info: Info) -> BroadcastRecipientNode | None:
        return await info.context.loaders.my_recipient.load(root.id)

    @strawberry.field(description="Council only: who was asked, who viewed, who declined and why, who was left out.")
    async def recipients(self, root: Referral, info: Info) -> list[BroadcastRecipientNode] | None:
        if not _oversees(root, info):
            return None
        return await info.context.loaders.recipients_by_referral.load(root.id)

    @strawberry.field
    async def placement(self, root: Referral, info: Info) -> PlacementNode | None:
        return await info.context.loaders.placement_by_referral.load(root.id)


def _oversees(root: Referral, info: Info) -> bool:
    actor = info.context.actor
    return actor is not None and policy.may_oversee_referral(actor, root)
