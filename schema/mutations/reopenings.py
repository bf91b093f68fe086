"""Re-openings: the lead commissioners open a window; provider admins apply to join; the lead decides."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.enums import AgeBand, JoinDecision, NeedLevel
from schema.errors import UserError, attempt
from schema.ids import from_global_id
from schema.types.reopenings import JoinApplicationNode, ReopeningNode
from server.models import JoinApplication, Reopening
from server.services import reopenings
from server.services.administration import PriceLine
from server.services.reopenings import Approval


def _pk(value: strawberry.ID | None, type_name: str) -> int:
    return 0 if value is None else (from_global_id(value, type_name) or 0)


@strawberry.input(description="A window in which providers may apply to join some of the framework's lots.")
class OpenReopeningInput:
    framework_id: strawberry.ID
    opens_on: date
    closes_on: date = strawberry.field(description="The last day applications are taken.")
    lot_ids: list[strawberry.ID] = strawberry.field(description="The lots open to applications.")


@strawberry.input(description="Apply, for your organisation, to join a lot while a re-opening is open.")
class ApplyToJoinLotInput:
    lot_id: strawberry.ID
    statement: str = strawberry.field(
        description="What your organisation offers the lot, shortly. Read by the lead council; must not identify "
        "a child (the anonymisation guard)."
    )


@strawberry.input(description="A weekly fee for an age band and level of need.")
class JoinPriceInput:
    age_band: AgeBand
    need_level: NeedLevel
    weekly_fee_pence: int


@strawberry.input(description="Approve (with a tier and a price schedule) or refuse (with a reason).")
class DecideJoinApplicationInput:
    application_id: strawberry.ID
    decision: JoinDecision
    tier: int | None = strawberry.field(default=None, description="To approve: the tier it joins at (1 first).")
    prices: list[JoinPriceInput] = strawberry.field(
        default_factory=list, description="To approve: its weekly fees by age band and level of need."
    )
    effective_from: date | None = strawberry.field(
        default=None, description="To approve: when the prices take effect (default: today, the day it joins)."
    )
    reason: str = strawberry.field(
        default="", description="To refuse: why, as the provider is told it (the anonymisation guard)."
    )


@strawberry.type
class ReopeningPayload:
    reopening: ReopeningNode | None
    errors: list[UserError]


@strawberry.type
class JoinApplicationPayload:
    application: JoinApplicationNode | None
    errors: list[UserError]


async def _loaded(reopening: Reopening | None) -> Reopening | None:
    if reopening is not None:
        await reopening.fetch_related("lots", "framework")
    return reopening


async def _application(application_id: int) -> JoinApplication:
    return await JoinApplication.get(id=application_id).select_related("lot__framework", "provider")


@strawberry.type
class ReopeningMutations:
    @strawberry.mutation(description="The framework's lead commissioners and admins: open a re-opening of lots.")
    async def open_reopening(self, info: Info, input: OpenReopeningInput) -> ReopeningPayload:
        reopening, errors = await attempt(
            info.context.actor,
            lambda actor: reopenings.open_reopening(
                actor,
                framework_id=_pk(input.framework_id, "Framework"),
                opens_on=input.opens_on,
                closes_on=input.closes_on,
                lot_ids=[_pk(lot_id, "Lot") for lot_id in input.lot_ids],
            ),
        )
        return ReopeningPayload(reopening=await _loaded(reopening), errors=errors)

    @strawberry.mutation(description="A provider's admins: apply to join a lot of an open re-opening.")
    async def apply_to_join_lot(self, info: Info, input: ApplyToJoinLotInput) -> JoinApplicationPayload:
        application, errors = await attempt(
            info.context.actor,
            lambda actor: reopenings.apply_to_join_lot(
                actor, lot_id=_pk(input.lot_id, "Lot"), statement=input.statement
            ),
        )
        loaded = await _application(application.id) if application else None
        return JoinApplicationPayload(application=loaded, errors=errors)

    @strawberry.mutation(
        description="The framework's lead commissioners and admins: approve an application with a tier and prices "
        "(the provider joins the lot today) or refuse it with a reason."
    )
    async def decide_join_application(self, info: Info, input: DecideJoinApplicationInput) -> JoinApplicationPayload:
        approval = (
            Approval(
                tier=input.tier,
                prices=[PriceLine(p.age_band, p.need_level, p.weekly_fee_pence) for p in input.prices],
                effective_from=input.effective_from,
            )
            if input.tier is not None
            else None
        )
        application, errors = await attempt(
            info.context.actor,
            lambda actor: reopenings.decide_join_application(
                actor,
                application_id=_pk(input.application_id, "JoinApplication"),
                decision=input.decision,
                approval=approval,
                reason=input.reason,
            ),
        )
        loaded = await _application(application.id) if application else None
        return JoinApplicationPayload(application=loaded, errors=errors)
