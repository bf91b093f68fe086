"""Dashboard figures for a council or a provider."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.enums import PlacementKind, Urgency
from schema.ids import to_global_id
from server.auth.actor import Actor
from server.domain import vocabulary as v
from server.services.dashboard import CouncilFigures, ProviderFigures, WeekFigures, figures_for


@strawberry.type
class UrgencyCount:
    urgency: Urgency
    count: int


@strawberry.type
class KindFee:
    placement_kind: PlacementKind
    average_weekly_fee_pence: int


@strawberry.type(description="One week (Monday to Sunday, UTC) of an organisation's activity, for trend charts.")
class DashboardWeek:
    week_starting: date = strawberry.field(description="The Monday the week starts")
    referrals: int = strawberry.field(
        description="Council: referrals it published that week. Provider: referrals it was sent."
    )
    offers: int = strawberry.field(description="Council: offers it received. Provider: offers it made.")
    placements: int = strawberry.field(description="Council: placements it made. Provider: placements it won.")


def dashboard_weeks(weeks: list[WeekFigures]) -> list[DashboardWeek]:
    return [DashboardWeek(**vars(week)) for week in weeks]


@strawberry.type(description="A placement whose next statutory review is overdue or due within 14 days.")
class ReviewDueNode:
    placement_id: strawberry.ID
    ipa_reference: str
    due_on: date
    overdue: bool


@strawberry.type
class CouncilDashboard:
    open_by_urgency: list[UrgencyCount]
    open_without_offer: int
    median_hours_to_first_offer: float | None = strawberry.field(description="Last 30 days")
    offers_per_referral: float | None = strawberry.field(description="Referrals published in the last 30 days")
    placements_this_month: int
    share_inside_area: float | None
    share_within_20_miles: float | None
    framework_placements: int
    spot_placements: int
    average_weekly_fee_by_kind: list[KindFee]
    weekly: list[DashboardWeek] = strawberry.field(description="This week and the seven before it, oldest first")
    reviews_overdue: int = strawberry.field(default=0, description="Active placements whose review is overdue")
    reviews_due_soon: int = strawberry.field(default=0, description="Reviews due within 14 days, not yet overdue")
    reviews_due: list[ReviewDueNode] = strawberry.field(
        default_factory=list, description="Overdue and soon-due reviews, soonest first"
    )


@strawberry.type
class ProviderDashboard:
    referrals_received: int = strawberry.field(description="Last 30 days")
    response_rate: float | None
    median_response_hours: float | None
    offers_live: int
    acceptance_rate: float | None
    vacancies_open: int
    weekly: list[DashboardWeek] = strawberry.field(description="This week and the seven before it, oldest first")


@strawberry.type
class Dashboard:
    council: CouncilDashboard | None = None
    provider: ProviderDashboard | None = None


def council_dashboard(figures: CouncilFigures) -> CouncilDashboard:
    return CouncilDashboard(
        open_by_urgency=[UrgencyCount(urgency=u, count=figures.open_by_urgency.get(u.value, 0)) for u in v.Urgency],
        open_without_offer=figures.open_without_offer,
        median_hours_to_first_offer=figures.median_hours_to_first_offer,
        offers_per_referral=figures.offers_per_referral,
        placements_this_month=figures.placements_this_month,
        share_inside_area=figures.share_inside_area,
        share_within_20_miles=figures.share_within_20_miles,
        framework_placements=figures.framework_placements,
        spot_placements=figures.spot_placements,
        average_weekly_fee_by_kind=[
            KindFee(placement_kind=v.PlacementKind(kind), average_weekly_fee_pence=fee)
            for kind, fee in figures.average_weekly_fee_by_kind.items()
        ],
        weekly=dashboard_weeks(figures.weekly),
        reviews_overdue=sum(1 for r in figures.reviews_due if r.overdue),
        reviews_due_soon=sum(1 for r in figures.reviews_due if not r.overdue),
        reviews_due=[
            ReviewDueNode(
                placement_id=to_global_id("Placement", r.placement_id),
                ipa_reference=r.ipa_reference,
                due_on=r.due_on,
                overdue=r.overdue,
            )
            for r in figures.reviews_due
        ],
    )


async def dashboard_for(actor: Actor) -> Dashboard:
    figures = await figures_for(actor)
    if isinstance(figures, CouncilFigures):
        return Dashboard(council=council_dashboard(figures))
    if isinstance(figures, ProviderFigures):
        return Dashboard(provider=ProviderDashboard(**{**vars(figures), "weekly": dashboard_weeks(figures.weekly)}))
    return Dashboard()
