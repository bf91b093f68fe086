"""Who is asking: the one value every service and policy check receives."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.vocabulary import Role
from server.models import User


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role
    council_id: int | None = None
    provider_id: int | None = None
    email: str = ""

    @property
    def is_council(self) -> bool:
        return self.role.is_council and self.council_id is not None

    @property
    def is_provider(self) -> bool:
        return self.role.is_provider and self.provider_id is not None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.PLATFORM_ADMIN

    @property
    def topics(self) -> tuple[str, ...]:
        """Event topics this actor's organisation is concerned by."""
        if self.is_admin:
            return ("admin",)
        if self.is_council:
            return (f"council:{self.council_id}",)
        if self.is_provider:
            return (f"provider:{self.provider_id}",)
        return ()

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            user_id=user.id,
            role=Role(user.role),
            council_id=user.council_id,
            provider_id=user.provider_id,
            email=user.email,
        )
