"""What the contract-management pages need before their scripts ask the API: whether the reader may open the
page at all (the same policy as the figures: denied looks like missing), its title, and the drill-down from a
figure's references to the referral and placement pages the reader may open."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q

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


@dataclass
class ContractIndex:
    led: list[Framework] = field(default_factory=list)  # frameworks whose figures the reader sees whole
    member_of: list[Framework] = field(default_factory=list)  # its council's quarter on each
    provider_on: list[Framework] = field(default_factory=list)  # its provider's scorecard on each


async def contract_index(actor: Actor) -> ContractIndex:
    index = ContractIndex()
    if actor.is_council:
        members = set(await Framework.filter(member_councils__id=actor.council_id).values_list("id", flat=True))
        led_or_member = Q(id__in=list(members)) | Q(lead_council_id=actor.council_id)
        for framework in await Framework.filter(led_or_member).order_by("name"):
            if policy.may_see_framework_figures(actor, framework):
                index.led.append(framework)
            if framework.id in members:
                index.member_of.append(framework)
    elif actor.is_provider:
        ids = await LotMembership.filter(provider_id=actor.provider_id).values_list("lot__framework_id", flat=True)
        index.provider_on = list(await Framework.filter(id__in=list(set(ids))).order_by("name"))
    return index


async def council_reference_prefix(actor: Actor) -> str:
    """The reader's council's reference prefix ("KEN"): the page links its own council's references."""
    if not actor.is_council:
        return ""
    council = await Council.get_or_none(id=actor.council_id)
    return council.reference_prefix if council else ""
