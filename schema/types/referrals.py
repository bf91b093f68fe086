"""The referral as the API shows it: only the anonymised profile, to councils and to providers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from inspect import isawaitable

import strawberry
from strawberry.dataloader import DataLoader

from schema import enums
from schema.context import Info
from schema.ids import to_global_id
from schema.referral_profile import with_profile
from schema.selection import columns_for, now_or_later, prime_many
from schema.types.frameworks import FrameworkNode, LotNode
from schema.types.offers import OfferNode, PlacementNode
from schema.types.organisations import CouncilNode, ProviderNode
from server.auth import policy
from server.domain import vocabulary as v
from server.models import BroadcastRecipient, Offer, Referral
from server.services.broadcast import response_window


@strawberry.type(name="BroadcastRecipient", description="A provider considered for a referral, and what it did.")
class BroadcastRecipientNode:
    tier: int | None
    is_spot: bool
    excluded_reason: str | None
    sent_at: datetime | None
    viewed_at: datetime | None
    responded_at: datetime | None
    decline_reason: enums.DeclineReason | None
    decline_note: str

    @strawberry.field
    async def provider(self, root: BroadcastRecipient, info: Info) -> ProviderNode:
        return await info.context.loaders.provider.load(root.provider_id)


@strawberry.type(name="Referral")
@with_profile(after="status", converted_after="age_band")
class ReferralNode:
    """The profile's fields (server.domain.referral_profile) are added by `with_profile`; these are the exchange's."""

    reference: str
    status: enums.ReferralStatus
    current_tier: int | None
    tier_deadline: datetime | None
    escalated_to_spot: bool
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    withdrawal_reason: str = strawberry.field(
        description="Why the council withdrew it, as it told the providers it was sent to (empty otherwise)."
    )

    @strawberry.field
    def id(self, root: Referral) -> strawberry.ID:
        return to_global_id("Referral", root.id)

    @strawberry.field
    def age_band(self, root: Referral) -> enums.AgeBand:
        return v.AgeBand.for_age(root.age_years)

    # The relations a list of referrals shows on every item are answered at once when the list primed their
    # loaders (page_of_referrals); else they are loaded, batched, as usual.
    @strawberry.field
    def council(self, root: Referral, info: Info) -> CouncilNode:
        return now_or_later(info.context.loaders.council, root.council_id)

    @strawberry.field
    def framework(self, root: Referral, info: Info) -> FrameworkNode | None:
        return now_or_later(info.context.loaders.framework, root.framework_id) if root.framework_id else None

    @strawberry.field
    def lot(self, root: Referral, info: Info) -> LotNode | None:
        return now_or_later(info.context.loaders.lot, root.lot_id) if root.lot_id else None

    @strawberry.field(description="Offers on this referral: all of them for the council, only its own for a provider.")
    async def offers(self, root: Referral, info: Info) -> list[OfferNode]:
        return await info.context.loaders.offers_by_referral.load(root.id)

    @strawberry.field(description="Live offers (the council's view); null for providers.")
    async def live_offer_count(self, root: Referral, info: Info) -> int | None:
        if not _oversees(root, info):
            return None
        return await info.context.loaders.live_offer_count.load(root.id)

    @strawberry.field(description="The asking provider's own live offer, if any.")
    def my_offer(self, root: Referral, info: Info) -> OfferNode | None:
        actor = info.context.actor
        if actor is None or not policy.has_referral_inbox(actor):
            return None
        offers = now_or_later(info.context.loaders.offers_by_referral, root.id)
        return _latest_later(offers) if isawaitable(offers) else _latest(offers)

    @strawberry.field(description="When this provider was sent the referral, viewed it, responded or declined.")
    async def my_broadcast(self, root: Referral, info: Info) -> BroadcastRecipientNode | None:
        return await info.context.loaders.my_recipient.load(root.id)

    @strawberry.field(
        description="The asking provider's: when its tier's window to respond ends (sent to it, plus the framework's "
        "response window, shorter when needed today); null for a spot request or one not sent to it."
    )
    async def response_deadline(self, root: Referral, info: Info) -> datetime | None:
        recipient = await info.context.loaders.my_recipient.load(root.id)
        if recipient is None or recipient.sent_at is None or recipient.is_spot or root.framework_id is None:
            return None
        framework = await info.context.loaders.framework.load(root.framework_id)
        return recipient.sent_at + response_window(framework, root) if framework else None

    @strawberry.field(description="Council only: who was asked, who viewed, who declined and why, who was left out.")
    async def recipients(self, root: Referral, info: Info) -> list[BroadcastRecipientNode] | None:
        if not _oversees(root, info):
            return None
        return await info.context.loaders.recipients_by_referral.load(root.id)

    @strawberry.field
    async def placement(self, root: Referral, info: Info) -> PlacementNode | None:
        return await info.context.loaders.placement_by_referral.load(root.id)

    @strawberry.field(description="The placement this referral was started from by a step-across (step-down), "
                      "for those who may read that placement.")  # fmt: skip
    async def stepped_across_from(self, root: Referral, info: Info) -> PlacementNode | None:
        from server.services.placement_life import stepped_across_from

        placement = await stepped_across_from(root.id)
        actor = info.context.actor
        if placement is None or actor is None or not policy.may_read_placement(actor, placement):
            return None
        return placement


def _latest(offers: Sequence[Offer]) -> Offer | None:
    """The provider's live offer, else its latest (its offers on one referral, oldest first)."""
    live = [offer for offer in offers if offer.live == 1]
    return live[-1] if live else (offers[-1] if offers else None)


async def _latest_later(offers: Awaitable[list[Offer]]) -> Offer | None:
    return _latest(await offers)


# What each resolved field reads of the referral's row; plain fields read the column of their own name.
NEEDS: dict[str, frozenset[str]] = {
    "id": frozenset({"id"}),
    "ageBand": frozenset({"age_years"}),
    "council": frozenset({"council_id"}),
    "framework": frozenset({"framework_id"}),
    "lot": frozenset({"lot_id"}),
    "offers": frozenset({"id"}),
    "liveOfferCount": frozenset({"id", "council_id"}),
    "myOffer": frozenset({"id"}),
    "myBroadcast": frozenset({"id"}),
    "responseDeadline": frozenset({"id", "framework_id", "urgency"}),
    "recipients": frozenset({"id", "council_id"}),
    "placement": frozenset({"id"}),
}
ALWAYS = frozenset({"id", "council_id", "status"})  # what the policy asks of any referral it is shown


def referral_columns(asked: set[str] | None) -> list[str] | None:
    return columns_for(Referral, asked, NEEDS, ALWAYS)


async def prime_referral_page(info: Info, asked: set[str] | None, page: Sequence[Referral]) -> None:
    """Load, in one go for the page, the relations asked of every referral, so each item answers at once."""
    if not page or asked is None:
        return
    loaders = info.context.loaders
    keys: dict[str, tuple[DataLoader, Callable[[Referral], int | None]]] = {
        "council": (loaders.council, lambda r: r.council_id),
        "framework": (loaders.framework, lambda r: r.framework_id),
        "lot": (loaders.lot, lambda r: r.lot_id),
        "myOffer": (loaders.offers_by_referral, lambda r: r.id),
    }
    asked_for = [(loader, key) for name, (loader, key) in keys.items() if name in asked]  # their columns were read
    await prime_many(*((loader, [k for r in page if (k := key(r))]) for loader, key in asked_for))


def _oversees(root: Referral, info: Info) -> bool:
    actor = info.context.actor
    return actor is not None and policy.may_oversee_referral(actor, root)
