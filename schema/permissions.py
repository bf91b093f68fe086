"""Field permission classes: who may ask at all (what they may see is server.auth.policy's answer)."""

from __future__ import annotations

from strawberry.permission import BasePermission

from schema.context import Info


class IsAuthenticated(BasePermission):
    message = "Sign in first: send Authorization: Bearer <token>."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: object, info: Info, **kwargs: object) -> bool:
        return info.context.actor is not None


AUTH = [IsAuthenticated]
