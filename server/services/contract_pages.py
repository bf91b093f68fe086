"""What the contract-management pages need before their scripts ask the API: whether the reader may open the
page at all (the same policy as the figures: denied looks like missing), its title, and the drill-down from a
figure's references to the referral and placement pages the reader may open."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth import policy
from server.auth.actor import Actor
from server.models import Council, Framework, LotMembership, Placement, Provider, Referral
from server.services.errors import not_found
from server.services.lookups import referral_for
from server.services.placement_life import readable_placement


@dataclass(frozen=True)
class ContractPage:
    framework: Framework
    title: str
    council: Council | None = None
    provider: Provider | None = None


async def framework_page(actor: Actor, framework_id: int) -> ContractPage:
    framework = await Framework.get_or_none(id=framework_id)
    if framework is None or not policy.may_see_framework_figures(actor, framework):
        raise not_found("framework", "frameworkId")
    return ContractPage(framework, f"Contract management: {framework.name}")


async def council_page(actor: Actor, framework_id: int, council_id: int) -> ContractPage:
    framework = await Framework.get_or_none(id=framework_id)
    council = await Council.get_or_none(id=council_id)
    if (
        framework is None
        or council is None
        or not await framework.member_councils.filter(id=council.id).exists()
        or not policy.may_see_council_figures(actor, framework, council.id)
    ):
        raise not_found("council", "councilId")
    return ContractPage(framework, f"{council.name}: quarter on {framework.name}", council=council)


async def scorecard_page(actor: Actor, framework_id: int, provider_id: int) -> ContractPage:
    framework = await Framework.get_or_none(id=framework_id)
    provider = await Provider.get_or_none(id=provider_id)
    if (
        framework is None
        or provider is None
        or not policy.may_see_provider_scorecard(actor, framework, provider.id)
        or not await LotMembership.exists(lot__framework_id=framework.id, provider_id=provider.id)
    ):
        raise not_found("provider on this framework", "providerId")
    return ContractPage(framework, f"{provider.name}: scorecard on {framework.name}", provider=provider)


async def referral_by_reference(actor: Actor, reference: str) -> int:
    """The referral's id, for a reader who may open it (else missing)."""
    referral = await Referral.get_or_none(reference=reference[:20])
    if referral is None:
        raise not_found("referral", "reference")
    return (await referral_for(actor, referral.id, "reference")).id


async def placement_by_reference(actor: Actor, ipa_reference: str) -> int:
    """The placement's id, for a reader who may open it (else missing)."""
    placement = await Placement.get_or_none(ipa_reference=ipa_reference[:24])
    if placement is None:
        raise not_found("placement", "reference")
    return (await readable_placement(actor, placement.id)).id
