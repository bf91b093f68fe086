from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.enums import Role
from schema.ids import to_global_id
from schema.types.organisations import CouncilNode, ProviderNode
from server.models import User


@strawberry.type(name="User")
class UserNode:
    email: str
    display_name: str
    role: Role
    last_login_at: datetime | None

    @strawberry.field
    def id(self, root: User) -> strawberry.ID:
        return to_global_id("User", root.id)

    @strawberry.field
    async def council(self, root: User, info: Info) -> CouncilNode | None:
        return await info.context.loaders.council.load(root.council_id) if root.council_id else None

    @strawberry.field
    async def provider(self, root: User, info: Info) -> ProviderNode | None:
        return await info.context.loaders.provider.load(root.provider_id) if root.provider_id else None
