"""Re-openings: the windows in which providers apply to join a framework's lots, and their applications."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.context import Info
from schema.enums import AgeBand, JoinApplicationStatus, NeedLevel
from schema.ids import to_global_id
from schema.permissions import AUTH
from schema.types.frameworks import LotMembershipNode
from schema.types.organisations import ProviderNode
from server.models import JoinApplication, Lot, Reopening
from server.services import reopenings
from server.services.reopenings import lot_words


@strawberry.type(name="ReopeningLot", description="A lot open to applications in a re-opening.")
class ReopeningLot:
    id: strawberry.ID
    code: str
    name: str
    age_bands: list[AgeBand]
    need_levels: list[NeedLevel]

    @classmethod
    def of(cls, lot: Lot) -> ReopeningLot:
        return cls(
            id=to_global_id("Lot", lot.id),
            code=lot.code,
            name=lot.name,
            age_bands=[AgeBand(band) for band in lot.age_bands],
            need_levels=[NeedLevel(level) for level in lot.need_levels],
        )


@strawberry.type(name="Reopening", description="A window in which providers apply to join a framework's lots.")
class ReopeningNode:
    opens_on: date
    closes_on: date

    @strawberry.field
    def id(self, root: Reopening) -> strawberry.ID:
        return to_global_id("Reopening", root.id)

    @strawberry.field(description="The framework's id.")
    def framework_id(self, root: Reopening) -> strawberry.ID:
        return to_global_id("Framework", root.framework_id)

    @strawberry.field
    def framework_name(self, root: Reopening) -> str:
        return root.framework.name

    @strawberry.field(description="The lots open to applications.")
    def lots(self, root: Reopening) -> list[ReopeningLot]:
        return [ReopeningLot.of(lot) for lot in sorted(root.lots, key=lambda lot: lot.code)]

    @strawberry.field(description="Open today: provider admins may apply.")
    def is_open(self, root: Reopening) -> bool:
        return root.opens_on <= reopenings.today() <= root.closes_on


@strawberry.type(name="JoinApplication", description="A provider's application to join a lot at a re-opening.")
class JoinApplicationNode:
    status: JoinApplicationStatus
    statement: str = strawberry.field(description="What the provider offers the lot.")
    applied_at: datetime
    decided_at: datetime | None

    @strawberry.field
    def id(self, root: JoinApplication) -> strawberry.ID:
        return to_global_id("JoinApplication", root.id)

    @strawberry.field
    def lot(self, root: JoinApplication) -> ReopeningLot:
        return ReopeningLot.of(root.lot)

    @strawberry.field(description="The lot in words: its code and name.")
    def lot_name(self, root: JoinApplication) -> str:
        return lot_words(root.lot)

    @strawberry.field
    def framework_name(self, root: JoinApplication) -> str:
        return root.lot.framework.name

    @strawberry.field
    def provider(self, root: JoinApplication) -> ProviderNode:
        return root.provider

    @strawberry.field(description="Why it was refused, as the provider is told it; null unless refused.")
    def refusal_reason(self, root: JoinApplication) -> str | None:
        return root.refusal_reason or None

    @strawberry.field(description="The place on the lot an approval created.")
    async def membership(self, root: JoinApplication, info: Info) -> LotMembershipNode | None:
        if root.membership_id is None:
            return None
        await root.fetch_related("membership")
        return root.membership


@strawberry.type
class ReopeningQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="Re-openings, latest first: provider staff see every window open today (an invitation to "
        "every provider); councils their frameworks' windows, past ones too; admins all.",
    )
    async def reopenings(self, info: Info) -> list[ReopeningNode]:
        assert info.context.actor is not None
        return await reopenings.reopenings(info.context.actor)

    @strawberry.field(
        permission_classes=AUTH,
        description="Applications to join lots, latest first: the lead council's commissioners see their "
        "frameworks'; a provider's staff their own; admins all; anyone else none.",
    )
    async def join_applications(
        self, info: Info, status: JoinApplicationStatus | None = None
    ) -> list[JoinApplicationNode]:
        assert info.context.actor is not None
        return await reopenings.join_applications(info.context.actor, status)
