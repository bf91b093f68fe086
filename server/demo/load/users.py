"""The demo accounts (users.csv), created through the use case in file order."""

from __future__ import annotations

from server.auth.actor import Actor
from server.demo.load.context import ADMIN, Demo
from server.domain.vocabulary import Role
from server.services.accounts import create_user


async def load(demo: Demo) -> None:
    for spec in demo.world.users:
        user = await create_user(
            ADMIN,
            email=spec.email,
            password=spec.password,
            display_name=spec.display_name,
            role=spec.role,
            council_id=demo.councils[spec.council].id if spec.council else None,
            provider_id=demo.providers[spec.provider].id if spec.provider else None,
        )
        if spec.role is Role.PLACEMENT_OFFICER and spec.council:
            demo.officers.setdefault(spec.council, Actor.of(user))
        elif spec.role is Role.PROVIDER_RESPONDER and spec.provider:
            demo.duty.setdefault(spec.provider, Actor.of(user))
