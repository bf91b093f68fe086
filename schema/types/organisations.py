from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.enums import OfstedJudgement, ProviderSector, ProviderStatus, ProviderType
from schema.ids import to_global_id
from schema.types.suspensions import ofsted_source
from server.models import Council, Provider

if TYPE_CHECKING:
    from schema.types.frameworks import LotMembershipNode


MAX_MERGER_CHAIN = 10  # A into B into C ...: far more than any provider's history


@strawberry.type(name="Council")
class CouncilNode:
    name: str
    ons_code: str
    region: str
    district: str

    @strawberry.field
    def id(self, root: Council) -> strawberry.ID:
        return to_global_id("Council", root.id)


@strawberry.type(name="Provider")
class ProviderNode:
    name: str
    provider_type: ProviderType
    sector: ProviderSector
    ofsted_urn: str
    ofsted_judgement: OfstedJudgement
    ofsted_judgement_date: date | None
    district: str
    status: ProviderStatus

    @strawberry.field
    def id(self, root: Provider) -> strawberry.ID:
        return to_global_id("Provider", root.id)

    @strawberry.field(
        description="Its places on framework lots, left ones included (a provider sees its own; councils those on "
        "their frameworks; admins all)."
    )
    async def memberships(
        self, root: Provider, info: Info
    ) -> list[Annotated[LotMembershipNode, strawberry.lazy("schema.types.frameworks")]]:
        return await info.context.loaders.memberships_by_provider.load(root.id)

    @strawberry.field(description="The provider this one merged into, if it has merged.")
    async def merged_into(self, root: Provider, info: Info) -> ProviderNode | None:
        if root.merged_into_id is None:
            return None
        return await info.context.loaders.provider.load(root.merged_into_id)

    @strawberry.field(
        description='"Now part of B", for a provider that merged into B (or into a provider that B, in turn, '
        "merged into: the one that continues); null otherwise."
    )
    async def now_part_of(self, root: Provider, info: Info) -> str | None:
        into, steps = root, 0
        while into is not None and into.merged_into_id is not None and steps < MAX_MERGER_CHAIN:
            into, steps = await info.context.loaders.provider.load(into.merged_into_id), steps + 1
        return f"Now part of {into.name}" if into is not None and steps else None

    @strawberry.field(
        description='Where its Ofsted judgement and date come from: "Ofsted import, <date>" when they are Ofsted\'s '
        'published data as last imported, else "Entered on the exchange".'
    )
    async def ofsted_source(self, root: Provider, info: Info) -> str:
        return ofsted_source(root, await info.context.loaders.ofsted_entry_by_urn.load(root.ofsted_urn))
