"""Contract management over GraphQL: the records (allegations, placement feedback, contract reviews and their
actions) and the figures (a framework's quarter, a member council's quarter, a provider's scorecard), each with
the trend over the last eight quarters and `tables`, the export-friendly shape of every KPI
(server.services.contract_figures.tables_for, which the exports call too).

Denied looks like missing: a figure query for a framework, council or provider the caller may not see is null.
A quarter written wrongly is an INVALID error naming `quarter`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date

import strawberry
from graphql import GraphQLError

from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global_id, to_global_id
from schema.permissions import AUTH
from schema.subscriptions import SubscriptionRefused
from schema.types.frameworks import FrameworkNode
from schema.types.offers import PlacementNode
from schema.types.organisations import CouncilNode, ProviderNode
from server.auth import policy
from server.domain import vocabulary as v
from server.events.hub import get_hub
from server.events.log import parse_cursor
from server.models import Allegation, ContractReview, ContractReviewAction, Framework, PlacementFeedback
from server.services import contract_figures as figures
from server.services import contract_records as records
from server.services.errors import ServiceError

AllegationCategory = strawberry.enum(v.AllegationCategory)
AllegationOutcome = strawberry.enum(
    v.AllegationOutcome, description="Safeguarding outcome categories; OPEN: not concluded yet"
)
AllegationReporter = strawberry.enum(v.AllegationReporter)
FeedbackGiver = strawberry.enum(v.FeedbackGiver)
FeedbackOccasion = strawberry.enum(v.FeedbackOccasion)
ReviewActionStatus = strawberry.enum(v.ReviewActionStatus, description="OVERDUE is computed: open and past due")
ReviewActionOwner = strawberry.enum(v.ReviewActionOwner)
PurchaseRoute = strawberry.enum(v.PurchaseRoute)
RecordedBySide = strawberry.enum(v.PlacementSide, name="RecordedBySide", description="Who wrote the record")

QUARTER_HELP = 'A financial-year quarter written like "2026-Q3" (October to December 2026; Q1 is April to June).'


# --- records ---------------------------------------------------------------------------------------


@strawberry.type(name="Allegation", description="An allegation against a carer household or a children's home.")
class AllegationNode:
    reported_on: date
    category: AllegationCategory
    reported_by: AllegationReporter
    outcome: AllegationOutcome
    concluded_on: date | None
    summary: str
    recorded_by_side: RecordedBySide

    @strawberry.field
    def id(self, root: Allegation) -> strawberry.ID:
        return to_global_id("Allegation", root.id)

    @strawberry.field
    async def provider(self, root: Allegation, info: Info) -> ProviderNode | None:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field(description="The placing council, when there is one.")
    async def council(self, root: Allegation, info: Info) -> CouncilNode | None:
        return await info.context.loaders.council.load(root.council_id) if root.council_id else None

    @strawberry.field(description="The carer household's reference or the children's home's name.")
    async def resource_name(self, root: Allegation) -> str:
        if root.childrens_home_id:
            return (await root.childrens_home).name
        return (await root.carer_household).reference

    @strawberry.field(description="The placement's IPA reference, if the allegation concerns one.")
    async def placement_reference(self, root: Allegation) -> str | None:
        return (await root.placement).ipa_reference if root.placement_id else None

    @strawberry.field(description="Whether you may update it (the placing council's staff or the provider's).")
    def can_update(self, root: Allegation, info: Info) -> bool:
        actor = info.context.actor
        return actor is not None and policy.may_write_allegation(actor, root)


@strawberry.type(name="PlacementFeedback", description="A social worker's or reviewing officer's scores, 1-5.")
class PlacementFeedbackNode:
    given_on: date
    given_by: FeedbackGiver
    occasion: FeedbackOccasion
    needs_met: int
    communication: int
    stability: int
    comment: str

    @strawberry.field
    def id(self, root: PlacementFeedback) -> strawberry.ID:
        return to_global_id("PlacementFeedback", root.id)

    @strawberry.field(description="The placement's IPA reference.")
    async def placement_reference(self, root: PlacementFeedback) -> str:
        return (await root.placement).ipa_reference

    @strawberry.field(description="The placing council.")
    async def council(self, root: PlacementFeedback, info: Info) -> CouncilNode | None:
        return await info.context.loaders.council.load((await root.placement).council_id)

    @strawberry.field(description="The provider placed with.")
    async def provider(self, root: PlacementFeedback, info: Info) -> ProviderNode | None:
        return await info.context.loaders.provider.load((await root.placement).provider_id)


@strawberry.type(name="ContractReviewAction")
class ContractReviewActionNode:
    what: str
    owner: ReviewActionOwner
    due_on: date
    done_on: date | None

    @strawberry.field
    def id(self, root: ContractReviewAction) -> strawberry.ID:
        return to_global_id("ContractReviewAction", root.id)

    @strawberry.field(description="Open or done as recorded; overdue when open past its due date.")
    def status(self, root: ContractReviewAction) -> ReviewActionStatus:
        return records.action_status(root)


@strawberry.type(name="ContractReview", description="A dated contract review of a provider on a framework.")
class ContractReviewNode:
    held_on: date
    notes: str

    @strawberry.field
    def id(self, root: ContractReview) -> strawberry.ID:
        return to_global_id("ContractReview", root.id)

    @strawberry.field
    async def framework(self, root: ContractReview, info: Info) -> FrameworkNode | None:
        return await info.context.loaders.framework.load(root.framework_id)

    @strawberry.field
    async def provider(self, root: ContractReview, info: Info) -> ProviderNode | None:
        return await info.context.loaders.provider.load(root.provider_id)

    @strawberry.field
    async def actions(self, root: ContractReview) -> list[ContractReviewActionNode]:
        return list(await root.actions.all())  # type: ignore[arg-type]


# --- figures ---------------------------------------------------------------------------------------


@strawberry.type(description="A counted figure, with the referrals and placements behind it (at most 200 each).")
class FigureCount:
    value: int
    count: strawberry.Private[figures.Count]

    @strawberry.field(description="The referral references behind the figure (empty where not drillable for you).")
    async def referral_references(self) -> list[str]:
        return (await self.count.references())[0]

    @strawberry.field(description="The placements' IPA references behind the figure.")
    async def placement_references(self) -> list[str]:
        return (await self.count.references())[1]


def _count(count: figures.Count) -> FigureCount:
    return FigureCount(value=count.value, count=count)


@strawberry.type(description="One value of a breakdown (an outcome, a reason, a need, a band, a district).")
class FigureBreakdown:
    key: str
    label: str
    count: FigureCount


@strawberry.type
class RouteFigure:
    route: PurchaseRoute
    placements: FigureCount
    spend_pence: int = strawberry.field(description="The weekly fees of the days in the quarter, in pence.")


@strawberry.type
class AverageWeeklyFee:
    key: str
    label: str
    placements: FigureCount
    average_weekly_fee_pence: int


@strawberry.type
class FeedbackFigures:
    responses: int
    needs_met: float | None
    communication: float | None
    stability: float | None
    overall: float | None


@strawberry.type(description="Every contract-management figure of one population for one quarter.")
class QuarterFigures:
    placements_started: FigureCount
    placements_active: FigureCount = strawberry.field(description="Placements that ran at some time in the quarter.")
    placements_ended: FigureCount
    planned_endings: FigureCount
    unplanned_endings: FigureCount
    unplanned_rate: float | None = strawberry.field(description="Unplanned endings as a share of endings (0-1).")
    endings_without_notice: FigureCount = strawberry.field(
        description="Endings with no notice, or notice given fewer than 28 days before the end."
    )
    allegations: list[FigureBreakdown] = strawberry.field(description="Reported in the quarter, by outcome.")
    allegations_total: int
    feedback: FeedbackFigures
    distance: list[FigureBreakdown] = strawberry.field(
        description="Inside or outside the council's area, crossed with within or over 20 miles (as the DfE reports)."
    )
    inside_council_area: int
    within_20_miles: int
    routes: list[RouteFigure] = strawberry.field(description="Under this framework, a previous or another one, spot.")
    spend_pence: int
    fee_by_kind: list[AverageWeeklyFee]
    fee_by_age_band: list[AverageWeeklyFee]
    referrals_published: FigureCount
    referrals_placed: FigureCount
    median_hours_to_first_offer: float | None
    median_hours_to_placement: float | None
    offers: int
    offers_per_referral: float | None
    referrals_sent_to_providers: int
    referrals_answered: int
    response_rate: float | None
    median_response_hours: float | None
    declines_by_reason: list[FigureBreakdown]
    sufficiency_gaps: FigureCount = strawberry.field(description="Referrals unfilled or escalated to spot.")
    gaps_unfilled: FigureCount
    gaps_escalated_to_spot: FigureCount
    gaps_by_need: list[FigureBreakdown]
    gaps_by_age_band: list[FigureBreakdown]
    gaps_by_district: list[FigureBreakdown]

    @classmethod
    def of(cls, f: figures.QuarterFigures) -> QuarterFigures:
        def breakdown(items: list[figures.Breakdown]) -> list[FigureBreakdown]:
            return [FigureBreakdown(key=b.key, label=b.label, count=_count(b.count)) for b in items]

        def fees(items: list[figures.AverageFee]) -> list[AverageWeeklyFee]:
            return [
                AverageWeeklyFee(
                    key=a.key,
                    label=a.label,
                    placements=_count(a.placements),
                    average_weekly_fee_pence=a.average_weekly_fee_pence,
                )
                for a in items
            ]

        return cls(
            placements_started=_count(f.placements_started),
            placements_active=_count(f.placements_active),
            placements_ended=_count(f.placements_ended),
            planned_endings=_count(f.planned_endings),
            unplanned_endings=_count(f.unplanned_endings),
            unplanned_rate=f.unplanned_rate,
            endings_without_notice=_count(f.endings_without_notice),
            allegations=breakdown(f.allegations),
            allegations_total=f.allegations_total,
            feedback=FeedbackFigures(
                responses=f.feedback.responses,
                needs_met=f.feedback.needs_met,
                communication=f.feedback.communication,
                stability=f.feedback.stability,
                overall=f.feedback.overall,
            ),
            distance=breakdown(f.distance),
            inside_council_area=f.inside_council_area,
            within_20_miles=f.within_20_miles,
            routes=[
                RouteFigure(route=r.route, placements=_count(r.placements), spend_pence=r.spend_pence) for r in f.routes
            ],
            spend_pence=f.spend_pence,
            fee_by_kind=fees(f.fee_by_kind),
            fee_by_age_band=fees(f.fee_by_age_band),
            referrals_published=_count(f.referrals_published),
            referrals_placed=_count(f.referrals_placed),
            median_hours_to_first_offer=f.median_hours_to_first_offer,
            median_hours_to_placement=f.median_hours_to_placement,
            offers=f.offers,
            offers_per_referral=f.offers_per_referral,
            referrals_sent_to_providers=f.referrals_sent_to_providers,
            referrals_answered=f.referrals_answered,
            response_rate=f.response_rate,
            median_response_hours=f.median_response_hours,
            declines_by_reason=breakdown(f.declines_by_reason),
            sufficiency_gaps=_count(f.sufficiency_gaps),
            gaps_unfilled=_count(f.gaps_unfilled),
            gaps_escalated_to_spot=_count(f.gaps_escalated_to_spot),
            gaps_by_need=breakdown(f.gaps_by_need),
            gaps_by_age_band=breakdown(f.gaps_by_age_band),
            gaps_by_district=breakdown(f.gaps_by_district),
        )


@strawberry.type(description="One quarter of a trend.")
class TrendPoint:
    quarter: str
    placements_started: int
    placements_active: int
    placements_ended: int
    unplanned_endings: int
    unplanned_rate: float | None
    endings_without_notice: int
    allegations: int
    spend_pence: int

    @classmethod
    def of(cls, p: figures.TrendPoint) -> TrendPoint:
        return cls(
            quarter=str(p.quarter),
            placements_started=p.placements_started,
            placements_active=p.placements_active,
            placements_ended=p.placements_ended,
            unplanned_endings=p.unplanned_endings,
            unplanned_rate=p.unplanned_rate,
            endings_without_notice=p.endings_without_notice,
            allegations=p.allegations,
            spend_pence=p.spend_pence,
        )


@strawberry.type(description="A member council's or a provider's line in a framework's quarter.")
class OrganisationFigures:
    id: strawberry.ID
    name: str
    placements_active: FigureCount
    placements_started: FigureCount
    placements_ended: FigureCount
    unplanned_endings: FigureCount
    endings_without_notice: FigureCount
    inside_council_area: int
    within_20_miles: int
    spend_pence: int
    referrals_sent: int | None = strawberry.field(description="Providers only: referrals sent to it.")
    response_rate: float | None
    median_response_hours: float | None

    @classmethod
    def of(cls, line: figures.OrganisationLine, type_name: str) -> OrganisationFigures:
        return cls(
            id=to_global_id(type_name, line.id),
            name=line.name,
            placements_active=_count(line.placements_active),
            placements_started=_count(line.placements_started),
            placements_ended=_count(line.placements_ended),
            unplanned_endings=_count(line.unplanned_endings),
            endings_without_notice=_count(line.endings_without_notice),
            inside_council_area=line.inside_council_area,
            within_20_miles=line.within_20_miles,
            spend_pence=line.spend_pence,
            referrals_sent=line.referrals_sent,
            response_rate=line.response_rate,
            median_response_hours=line.median_response_hours,
        )


@strawberry.type(description="A row of a KPI table: its label, the other cells as text, and what is behind it.")
class KpiRow:
    label: str
    cells: list[str]
    row: strawberry.Private[figures.KpiRow]

    @strawberry.field
    async def referral_references(self) -> list[str]:
        return (await self.row.references())[0]

    @strawberry.field
    async def placement_references(self) -> list[str]:
        return (await self.row.references())[1]


@strawberry.type(description="One KPI as a table, as the CSV, XLSX and printed report give it.")
class KpiTable:
    key: str
    title: str
    columns: list[str]
    rows: list[KpiRow]


async def _tables(view: figures.View) -> list[KpiTable]:
    return [
        KpiTable(
            key=t.key,
            title=t.title,
            columns=t.columns,
            rows=[KpiRow(label=r.label, cells=r.cells, row=r) for r in t.rows],
        )
        for t in await figures.tables_for(view)
    ]


@strawberry.type(description="A framework's quarter: the consortium's figures, every member council and provider.")
class FrameworkQuarter:
    quarter: str
    label: str
    starts_on: date
    ends_on: date
    framework: FrameworkNode
    figures: QuarterFigures
    councils: list[OrganisationFigures]
    providers: list[OrganisationFigures]
    trend: list[TrendPoint] = strawberry.field(description="The last eight quarters ending with this one.")
    view: strawberry.Private[figures.FrameworkQuarterView]

    @strawberry.field
    async def tables(self) -> list[KpiTable]:
        return await _tables(self.view)


@strawberry.type(description="A member council's own figures beside its consortium's totals.")
class CouncilQuarter:
    quarter: str
    label: str
    starts_on: date
    ends_on: date
    council: CouncilNode
    framework: FrameworkNode
    figures: QuarterFigures
    consortium: QuarterFigures = strawberry.field(description="The framework's totals (not drillable).")
    trend: list[TrendPoint]
    consortium_trend: list[TrendPoint]
    view: strawberry.Private[figures.CouncilQuarterView]

    @strawberry.field
    async def tables(self) -> list[KpiTable]:
        return await _tables(self.view)


@strawberry.type(description="A figure of a provider's own beside the consortium's average per provider.")
class ScorecardLine:
    key: str
    label: str
    own: float | None
    consortium_average: float | None


@strawberry.type(description="A provider's scorecard on a framework: its own figures beside the consortium average.")
class ProviderScorecard:
    quarter: str
    label: str
    starts_on: date
    ends_on: date
    provider: ProviderNode
    framework: FrameworkNode
    figures: QuarterFigures
    providers_compared: int
    lines: list[ScorecardLine]
    trend: list[TrendPoint]
    view: strawberry.Private[figures.ProviderScorecardView]

    @strawberry.field
    async def tables(self) -> list[KpiTable]:
        return await _tables(self.view)


def _quarter_fields(q) -> dict:
    return {"quarter": str(q), "label": q.label, "starts_on": q.starts_on, "ends_on": q.ends_on}


async def _figures(use_case):
    """The view, None when missing or denied; a bad quarter is an INVALID error naming the field."""
    try:
        return await use_case()
    except ServiceError as error:
        if error.code.value == "INVALID":
            raise GraphQLError(error.message, extensions={"code": "INVALID", "field": error.field}) from error
        return None


def _pk(value: strawberry.ID | None, type_name: str) -> int:
    return (from_global_id(value, type_name) or 0) if value is not None else 0


@strawberry.type
class ContractQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="A framework's quarter: its lead commissioners only; null for anyone else. " + QUARTER_HELP,
    )
    async def framework_quarter(self, info: Info, framework_id: strawberry.ID, quarter: str) -> FrameworkQuarter | None:
        actor = info.context.actor
        view = await _figures(lambda: figures.framework_quarter(actor, _pk(framework_id, "Framework"), quarter))
        if view is None:
            return None
        return FrameworkQuarter(
            **_quarter_fields(view.quarter),
            framework=view.framework,  # type: ignore[arg-type]
            figures=QuarterFigures.of(view.figures),
            councils=[OrganisationFigures.of(line, "Council") for line in view.councils],
            providers=[OrganisationFigures.of(line, "Provider") for line in view.providers],
            trend=[TrendPoint.of(p) for p in view.trend],
            view=view,
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="A member council's quarter beside its consortium's totals: the council's staff and the "
        "framework's lead commissioners. frameworkId: which consortium (default: the council's first). " + QUARTER_HELP,
    )
    async def council_quarter(
        self, info: Info, council_id: strawberry.ID, quarter: str, framework_id: strawberry.ID | None = None
    ) -> CouncilQuarter | None:
        actor = info.context.actor
        framework_pk = _pk(framework_id, "Framework") if framework_id is not None else None
        view = await _figures(lambda: figures.council_quarter(actor, _pk(council_id, "Council"), quarter, framework_pk))
        if view is None:
            return None
        return CouncilQuarter(
            **_quarter_fields(view.quarter),
            council=view.council,  # type: ignore[arg-type]
            framework=view.framework,  # type: ignore[arg-type]
            figures=QuarterFigures.of(view.figures),
            consortium=QuarterFigures.of(view.consortium),
            trend=[TrendPoint.of(p) for p in view.trend],
            consortium_trend=[TrendPoint.of(p) for p in view.consortium_trend],
            view=view,
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="A provider's scorecard on a framework beside the consortium's average: the provider's staff "
        "and the framework's lead commissioners. " + QUARTER_HELP,
    )
    async def provider_scorecard(
        self, info: Info, provider_id: strawberry.ID, framework_id: strawberry.ID, quarter: str
    ) -> ProviderScorecard | None:
        actor = info.context.actor
        view = await _figures(
            lambda: figures.provider_scorecard(
                actor, _pk(provider_id, "Provider"), _pk(framework_id, "Framework"), quarter
            )
        )
        if view is None:
            return None
        return ProviderScorecard(
            **_quarter_fields(view.quarter),
            provider=view.provider,  # type: ignore[arg-type]
            framework=view.framework,  # type: ignore[arg-type]
            figures=QuarterFigures.of(view.figures),
            providers_compared=view.providers_compared,
            lines=[
                ScorecardLine(key=line.key, label=line.label, own=line.own, consortium_average=line.consortium_average)
                for line in view.lines
            ],
            trend=[TrendPoint.of(p) for p in view.trend],
            view=view,
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="Allegations you may read (the placing council, the provider, the framework's lead "
        "commissioners), newest first; narrowed to a framework's member councils or a provider.",
    )
    async def allegations(
        self, info: Info, framework_id: strawberry.ID | None = None, provider_id: strawberry.ID | None = None
    ) -> list[AllegationNode]:
        actor = info.context.actor
        if actor is None:
            return []
        found = await records.allegations(
            actor,
            **_narrowed_to(framework_id, provider_id),
        )
        return found  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=AUTH,
        description="Feedback on placements you may read (the placing council, the provider, the framework's lead "
        "commissioners), newest first; narrowed to a framework's member councils or a provider.",
    )
    async def placement_feedback(
        self, info: Info, framework_id: strawberry.ID | None = None, provider_id: strawberry.ID | None = None
    ) -> list[PlacementFeedbackNode]:
        actor = info.context.actor
        if actor is None:
            return []
        found = await records.placement_feedback(
            actor,
            **_narrowed_to(framework_id, provider_id),
        )
        return found  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=AUTH,
        description="Contract reviews you may read (the framework's lead commissioners; a provider its own).",
    )
    async def contract_reviews(
        self, info: Info, framework_id: strawberry.ID | None = None, provider_id: strawberry.ID | None = None
    ) -> list[ContractReviewNode]:
        actor = info.context.actor
        if actor is None:
            return []
        found = await records.contract_reviews(
            actor,
            **_narrowed_to(framework_id, provider_id),
        )
        return found  # type: ignore[return-value]


def _narrowed_to(framework_id: strawberry.ID | None, provider_id: strawberry.ID | None) -> dict[str, int | None]:
    """A records list's narrowing arguments, as the services take them."""
    return {
        "framework_id": _pk(framework_id, "Framework") if framework_id is not None else None,
        "provider_id": _pk(provider_id, "Provider") if provider_id is not None else None,
    }


# --- mutations -------------------------------------------------------------------------------------


@strawberry.input(description="An allegation: name the placement, or the provider and its household or home.")
class RecordAllegationInput:
    reported_on: date
    category: AllegationCategory
    reported_by: AllegationReporter
    placement_id: strawberry.ID | None = None
    provider_id: strawberry.ID | None = None
    carer_household_id: strawberry.ID | None = None
    childrens_home_id: strawberry.ID | None = None
    outcome: AllegationOutcome = v.AllegationOutcome.OPEN
    concluded_on: date | None = None
    summary: str = strawberry.field(default="", description="Nothing that identifies the child.")


@strawberry.input(description="Change an allegation's outcome (with the day concluded), category or summary.")
class UpdateAllegationInput:
    allegation_id: strawberry.ID
    outcome: AllegationOutcome | None = None
    concluded_on: date | None = None
    category: AllegationCategory | None = None
    summary: str | None = strawberry.field(default=None, description="Nothing that identifies the child.")


@strawberry.input(description="Feedback from the child's social worker or reviewing officer, each score 1-5.")
class RecordPlacementFeedbackInput:
    placement_id: strawberry.ID
    given_on: date
    given_by: FeedbackGiver
    needs_met: int = strawberry.field(description="How well the placement meets the child's needs (1-5).")
    communication: int = strawberry.field(description="Communication with the provider (1-5).")
    stability: int = strawberry.field(description="Stability of the placement (1-5).")
    occasion: FeedbackOccasion = v.FeedbackOccasion.ANY_TIME
    comment: str = strawberry.field(default="", description="Nothing that identifies the child.")


@strawberry.input
class ContractReviewActionInput:
    what: str
    owner: ReviewActionOwner
    due_on: date


@strawberry.input(description="A contract review of a provider on a framework, with its actions.")
class RecordContractReviewInput:
    framework_id: strawberry.ID
    provider_id: strawberry.ID
    held_on: date
    notes: str = ""
    actions: list[ContractReviewActionInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Mark a contract review action done (or open again), or move its due date.")
class UpdateContractReviewActionInput:
    action_id: strawberry.ID
    done: bool
    done_on: date | None = None
    due_on: date | None = None


@strawberry.type
class AllegationPayload:
    allegation: AllegationNode | None
    errors: list[UserError]


@strawberry.type
class PlacementFeedbackPayload:
    feedback: PlacementFeedbackNode | None
    placement: PlacementNode | None
    errors: list[UserError]


@strawberry.type
class ContractReviewPayload:
    review: ContractReviewNode | None
    errors: list[UserError]


@strawberry.type
class ContractReviewActionPayload:
    action: ContractReviewActionNode | None
    errors: list[UserError]


@strawberry.type
class ContractMutations:
    @strawberry.mutation(description="Record an allegation (the placing council or the provider).")
    async def record_allegation(self, info: Info, input: RecordAllegationInput) -> AllegationPayload:
        details = records.AllegationDetails(
            reported_on=input.reported_on,
            category=v.AllegationCategory(input.category),
            reported_by=v.AllegationReporter(input.reported_by),
            placement_id=_pk(input.placement_id, "Placement") if input.placement_id is not None else None,
            provider_id=_pk(input.provider_id, "Provider") if input.provider_id is not None else None,
            carer_household_id=_pk(input.carer_household_id, "CarerHousehold")
            if input.carer_household_id is not None
            else None,
            childrens_home_id=_pk(input.childrens_home_id, "ChildrensHome")
            if input.childrens_home_id is not None
            else None,
            outcome=v.AllegationOutcome(input.outcome),
            concluded_on=input.concluded_on,
            summary=input.summary,
        )
        allegation, errors = await attempt(info.context.actor, lambda actor: records.record_allegation(actor, details))
        return AllegationPayload(allegation=allegation, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Update an allegation's outcome, category or summary.")
    async def update_allegation(self, info: Info, input: UpdateAllegationInput) -> AllegationPayload:
        allegation, errors = await attempt(
            info.context.actor,
            lambda actor: records.update_allegation(
                actor,
                _pk(input.allegation_id, "Allegation"),
                outcome=v.AllegationOutcome(input.outcome) if input.outcome is not None else None,
                concluded_on=input.concluded_on,
                category=v.AllegationCategory(input.category) if input.category is not None else None,
                summary=input.summary,
            ),
        )
        return AllegationPayload(allegation=allegation, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Record feedback on a placement (the placing council).")
    async def record_placement_feedback(
        self, info: Info, input: RecordPlacementFeedbackInput
    ) -> PlacementFeedbackPayload:
        details = records.FeedbackDetails(
            given_on=input.given_on,
            given_by=v.FeedbackGiver(input.given_by),
            needs_met=input.needs_met,
            communication=input.communication,
            stability=input.stability,
            occasion=v.FeedbackOccasion(input.occasion),
            comment=input.comment,
        )
        feedback, errors = await attempt(
            info.context.actor,
            lambda actor: records.record_placement_feedback(actor, _pk(input.placement_id, "Placement"), details),
        )
        placement = await feedback.placement if feedback else None
        return PlacementFeedbackPayload(feedback=feedback, placement=placement, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Record a contract review with a provider (the framework's lead commissioners).")
    async def record_contract_review(self, info: Info, input: RecordContractReviewInput) -> ContractReviewPayload:
        review, errors = await attempt(
            info.context.actor,
            lambda actor: records.record_contract_review(
                actor,
                framework_id=_pk(input.framework_id, "Framework"),
                provider_id=_pk(input.provider_id, "Provider"),
                held_on=input.held_on,
                notes=input.notes,
                actions=[
                    records.ActionDetails(what=a.what, owner=v.ReviewActionOwner(a.owner), due_on=a.due_on)
                    for a in input.actions
                ],
            ),
        )
        return ContractReviewPayload(review=review, errors=errors)  # type: ignore[arg-type]

    @strawberry.mutation(description="Mark a contract review's action done or open, or move its due date.")
    async def update_contract_review_action(
        self, info: Info, input: UpdateContractReviewActionInput
    ) -> ContractReviewActionPayload:
        action, errors = await attempt(
            info.context.actor,
            lambda actor: records.update_review_action(
                actor,
                _pk(input.action_id, "ContractReviewAction"),
                done=input.done,
                done_on=input.done_on,
                due_on=input.due_on,
            ),
        )
        return ContractReviewActionPayload(action=action, errors=errors)  # type: ignore[arg-type]


# --- live ------------------------------------------------------------------------------------------


@strawberry.type(description="Something that moves a framework's figures happened: refetch the quarter.")
class ContractFiguresChanged:
    cursor: str
    event: str = strawberry.field(
        description="placement.ended, offer.accepted (a placement made), placement.* (started, notice), "
        "allegation.*, placement.feedbackGiven, contractReview.*"
    )
    quarter: str = strawberry.field(description="The current quarter, whose figures move.")


@strawberry.type
class ContractSubscriptions:
    @strawberry.subscription(
        description="A framework's lead commissioners: a message each time its figures move (placements start "
        "and end, notices, allegations, feedback, reviews)."
    )
    async def contract_figures_changed(
        self, info: Info, framework_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[ContractFiguresChanged, None]:
        actor = info.context.actor
        framework = await Framework.get_or_none(id=_pk(framework_id, "Framework"))
        if actor is None or framework is None or not policy.may_see_framework_figures(actor, framework):
            raise SubscriptionRefused("Contract figures are for the framework's lead commissioners.")
        try:
            cursor = parse_cursor(after)
        except ValueError as error:
            raise SubscriptionRefused(str(error)) from error
        topic = f"framework:{framework.id}"
        async for event in get_hub().stream(frozenset({topic}), cursor):
            if topic in event.topics:
                yield ContractFiguresChanged(
                    cursor=event.cursor, event=event.type, quarter=str(figures.current_quarter())
                )
