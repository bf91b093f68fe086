"""Signing in and out, API tokens, and administration (providers, framework membership, prices, users)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry

from schema.context import Info
from schema.enums import (
    AgeBand,
    LeftReason,
    NeedLevel,
    OfstedJudgement,
    ProviderSector,
    ProviderType,
    Role,
    SupplementKind,
    SupplementUnit,
)
from schema.errors import UserError, attempt, input_error, user_errors
from schema.ids import from_global_id, to_global_id
from schema.types.frameworks import LotMembershipNode
from schema.types.organisations import ProviderNode
from schema.types.users import UserNode
from server.auth.actor import Actor
from server.models import AccessToken, User
from server.services import accounts, administration
from server.services.administration import PriceLine, SupplementLine
from server.services.errors import ErrorCode, ServiceError


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(description="Send as Authorization: Bearer <token>. Lasts 12 hours.")
    expires_at: datetime | None
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError]


@strawberry.input
class CreateApiTokenInput:
    name: str
    days: int = 365


@strawberry.type
class ApiTokenPayload:
    token: str | None = strawberry.field(description="Shown once: store it now.")
    token_id: strawberry.ID | None
    expires_at: datetime | None
    errors: list[UserError]


@strawberry.input
class RevokeApiTokenInput:
    token_id: strawberry.ID


@strawberry.input
class CreateUserInput:
    email: str
    password: str
    display_name: str
    role: Role
    council_id: strawberry.ID | None = None
    provider_id: strawberry.ID | None = None


@strawberry.type
class UserPayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.input
class OnboardProviderInput:
    name: str
    provider_type: ProviderType
    ofsted_urn: str
    ofsted_judgement: OfstedJudgement
    district: str
    sector: ProviderSector = ProviderSector.PR4
    ofsted_judgement_date: date | None = None


@strawberry.type
class ProviderPayload:
    provider: ProviderNode | None
    errors: list[UserError]


@strawberry.input
class AddProviderToLotInput:
    lot_id: strawberry.ID
    provider_id: strawberry.ID
    tier: int
    joined_on: date


@strawberry.input
class RemoveProviderFromLotInput:
    membership_id: strawberry.ID
    left_on: date
    reason: LeftReason


@strawberry.input
class PriceInput:
    age_band: AgeBand
    need_level: NeedLevel
    weekly_fee_pence: int


@strawberry.input
class SupplementInput:
    kind: SupplementKind
    unit: SupplementUnit
    amount_pence: int


@strawberry.input
class SetPriceScheduleInput:
    membership_id: strawberry.ID
    effective_from: date
    prices: list[PriceInput]
    supplements: list[SupplementInput] = strawberry.field(default_factory=list)


@strawberry.type
class MembershipPayload:
    membership: LotMembershipNode | None
    errors: list[UserError]


def _pk(value: strawberry.ID | None, type_name: str) -> int | None:
    return None if value is None else (from_global_id(value, type_name) or 0)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Sign in with email and password; returns a bearer token.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        try:
            user = await accounts.authenticate(input.email, input.password, info.context.client_address)
        except ServiceError as error:
            return LoginPayload(token=None, expires_at=None, user=None, errors=user_errors(error))
        token, row = await accounts.issue_token(user, "login")
        return LoginPayload(token=token, expires_at=row.expires_at, user=user, errors=[])

    @strawberry.mutation(description="Revoke the token (or portal session) this request was made with.")
    async def logout(self, info: Info) -> LogoutPayload:
        if info.context.token is None:
            return LogoutPayload(
                ok=False, errors=input_error(None, "You are not signed in.", ErrorCode.UNAUTHENTICATED)
            )
        return LogoutPayload(ok=await accounts.revoke_token(info.context.token), errors=[])

    @strawberry.mutation(description="A long-lived token for an integration, stored hashed; shown once.")
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> ApiTokenPayload:
        async def create(actor: Actor) -> tuple[str, AccessToken]:
            if not 1 <= input.days <= 730:
                raise ServiceError(ErrorCode.INVALID, "API tokens last between 1 and 730 days.", "days")
            if not input.name.strip():
                raise ServiceError(ErrorCode.REQUIRED, "Name the integration the token is for.", "name")
            user = await User.get(id=actor.user_id)
            return await accounts.issue_token(user, "api", name=input.name.strip(), lifetime=timedelta(days=input.days))

        result, errors = await attempt(info.context.actor, create)
        if result is None:
            return ApiTokenPayload(token=None, token_id=None, expires_at=None, errors=errors)
        token, row = result
        return ApiTokenPayload(
            token=token, token_id=to_global_id("ApiToken", row.id), expires_at=row.expires_at, errors=[]
        )

    @strawberry.mutation
    async def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> LogoutPayload:
        async def revoke(actor: Actor) -> bool:
            if not await accounts.revoke_token_by_id(actor, _pk(input.token_id, "ApiToken") or 0):
                raise ServiceError(ErrorCode.NOT_FOUND, "No API token of yours with that id.", "tokenId")
            return True

        ok, errors = await attempt(info.context.actor, revoke)
        return LogoutPayload(ok=bool(ok), errors=errors)

    @strawberry.mutation(description="Admins create any account; provider admins their own staff.")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        user, errors = await attempt(
            info.context.actor,
            lambda actor: accounts.create_user(
                actor,
                email=input.email,
                password=input.password,
                display_name=input.display_name,
                role=input.role,
                council_id=_pk(input.council_id, "Council"),
                provider_id=_pk(input.provider_id, "Provider"),
            ),
        )
        return UserPayload(user=user, errors=errors)

    @strawberry.mutation(description="Platform admins: register an Ofsted-registered provider on the exchange.")
    async def onboard_provider(self, info: Info, input: OnboardProviderInput) -> ProviderPayload:
        provider, errors = await attempt(
            info.context.actor,
            lambda actor: administration.onboard_provider(
                actor,
                name=input.name,
                provider_type=input.provider_type,
                ofsted_urn=input.ofsted_urn,
                ofsted_judgement=input.ofsted_judgement,
                district=input.district,
                sector=input.sector,
                ofsted_judgement_date=input.ofsted_judgement_date,
            ),
        )
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="Lead commissioners and admins: put a provider on a lot at a tier.")
    async def add_provider_to_lot(self, info: Info, input: AddProviderToLotInput) -> MembershipPayload:
        membership, errors = await attempt(
            info.context.actor,
            lambda actor: administration.add_provider_to_lot(
                actor,
                lot_id=_pk(input.lot_id, "Lot") or 0,
                provider_id=_pk(input.provider_id, "Provider") or 0,
                tier=input.tier,
                joined_on=input.joined_on,
            ),
        )
        return MembershipPayload(membership=membership, errors=errors)

    @strawberry.mutation(description="A provider leaves a lot (terminated, merged or withdrew).")
    async def remove_provider_from_lot(self, info: Info, input: RemoveProviderFromLotInput) -> MembershipPayload:
        membership, errors = await attempt(
            info.context.actor,
            lambda actor: administration.remove_provider_from_lot(
                actor,
                membership_id=_pk(input.membership_id, "LotMembership") or 0,
                left_on=input.left_on,
                reason=input.reason,
            ),
        )
        return MembershipPayload(membership=membership, errors=errors)

    @strawberry.mutation(description="Set a member's framework-tier prices and supplements from a date.")
    async def set_price_schedule(self, info: Info, input: SetPriceScheduleInput) -> MembershipPayload:
        membership, errors = await attempt(
            info.context.actor,
            lambda actor: administration.set_price_schedule(
                actor,
                membership_id=_pk(input.membership_id, "LotMembership") or 0,
                effective_from=input.effective_from,
                prices=[PriceLine(p.age_band, p.need_level, p.weekly_fee_pence) for p in input.prices],
                supplements=[SupplementLine(s.kind, s.unit, s.amount_pence) for s in input.supplements],
            ),
        )
        return MembershipPayload(membership=membership, errors=errors)
