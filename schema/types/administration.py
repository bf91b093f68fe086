"""Administration reads: the providers on the exchange, user accounts, API tokens, and what may be granted."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.enums import Role
from schema.ids import to_global_id
from schema.permissions import AUTH
from schema.types.organisations import CouncilNode, ProviderNode
from schema.types.pagination import Connection, paginate
from schema.types.users import UserNode
from server.auth import policy
from server.models import AccessToken, Council, Provider, User


@strawberry.type(description="An API token, described: never the token itself, which is shown once, when made.")
class ApiToken:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The token's first characters, to tell it apart from the others.")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    owner: UserNode

    @classmethod
    def of(cls, row: AccessToken) -> ApiToken:
        return cls(
            id=to_global_id("ApiToken", row.id),
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            owner=row.user,
        )


@strawberry.type
class AdministrationQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="Providers on the exchange, by name, with their places on lots (platform admins and "
        "commissioners, who put providers on lots; others see none).",
    )
    async def providers(self, info: Info) -> list[ProviderNode]:
        assert info.context.actor is not None  # AUTH
        return await policy.scope_providers(info.context.actor, Provider.all()).order_by("name")

    @strawberry.field(permission_classes=AUTH, description="Councils on the exchange, by name (a public directory).")
    async def councils(self, info: Info) -> list[CouncilNode]:
        return await Council.all().order_by("name")

    @strawberry.field(
        permission_classes=AUTH,
        description="User accounts, newest first: platform admins see everyone, provider admins their own staff, "
        "others none.",
    )
    async def users(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[UserNode]:
        assert info.context.actor is not None  # AUTH
        return await paginate(policy.scope_users(info.context.actor, User.all()), first, after)

    @strawberry.field(
        permission_classes=AUTH,
        description="API tokens, newest first: your own (platform admins: everyone's), revoked ones included. "
        "Never the token itself.",
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        assert info.context.actor is not None  # AUTH
        query = policy.scope_api_tokens(info.context.actor, AccessToken.all())
        return [ApiToken.of(row) for row in await query.select_related("user").order_by("-id").limit(200)]

    @strawberry.field(
        permission_classes=AUTH, description="The roles you may give a new account with createUser (none: empty)."
    )
    async def grantable_roles(self, info: Info) -> list[Role]:
        assert info.context.actor is not None  # AUTH
        return policy.grantable_roles(info.context.actor)
