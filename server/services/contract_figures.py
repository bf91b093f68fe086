"""The commissioner's quarter: a framework's, a member council's and a provider's contract-management figures
by financial-year quarter ("2026-Q3" is October to December 2026; Q1 is April to June), with trends over the
last eight quarters and the referrals and placements behind each counted figure.

Who is counted. A framework's figures count the work of its member councils: every placement they made that
ran in the quarter, whichever way it was bought, split "under this framework" (the referral was on it), "under
a previous or another framework" (on its predecessor, or any other framework) and "spot" (escalated to spot
purchase, or on no framework). A council's figures count its own work; a provider's the same framework
population narrowed to its placements and to the referrals sent to it.

Who sees what (server.auth.policy): the framework's lead commissioners see everything, every member council
and every provider; a member council its own figures (drillable) beside the consortium's totals (not
drillable); a provider its own scorecard (drillable) beside the consortium's average per provider (never
another provider's figures). Anyone else: the framework, council or provider is missing.

The export contract (h17b's CSV, XLSX, printable report and the `export-quarter` CLI call it):

    view = await framework_quarter(actor, framework_id, "2026-Q3")   # or council_quarter / provider_scorecard
    tables = await tables_for(view, with_references=True)

`tables_for` gives one `KpiTable` per KPI, in the order a report prints them, each with `key` (stable, for
file names and anchors), `title`, `columns` (the header row) and `rows`; each `KpiRow` has its `label` (the
first column's text), `cells` (the other columns, already formatted as text: counts as integers, money as
"£1,234.56", rates as "12.5%", hours as "36.0", an absent value as ""), and with `with_references=True` the
`referral_references` and `placement_references` (IPA references) behind the row, at most 200 of each; rows
that count nothing drillable, or the consortium's totals beside a member council's or a provider's own, carry
none. The tables of a view are the same whichever way they are asked for (GraphQL `tables`, or here).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.auth import policy
from server.auth.actor import Actor
from server.domain.quarters import Quarter
from server.domain.vocabulary import (
    AgeBand,
    AllegationOutcome,
    DeclineReason,
    Need,
    PlacementKind,
    PurchaseRoute,
)
from server.models import Council, Framework, LotMembership, Provider
from server.repositories import contract_figures as figures_sql
from server.repositories.contract_figures import Drill, Population
from server.services.errors import invalid, not_found

TREND_QUARTERS = 8


def parse_quarter(written: str, field_name: str = "quarter") -> Quarter:
    try:
        return Quarter.parse(written)
    except ValueError as error:
        raise invalid(field_name, str(error)) from error


def current_quarter() -> Quarter:
    return Quarter.of(datetime.now(UTC).date())


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Count:
    """A counted figure and, lazily, the referrals and placements behind it."""

    value: int
    population: Population | None = None  # None: not drillable for this viewer
    quarter: Quarter | None = None
    drill: Drill | None = None
    _references: tuple[list[str], list[str]] | None = None

    async def references(self) -> tuple[list[str], list[str]]:
        """(referral references, IPA references), at most 200 of each."""
        if self.drill is None or self.population is None or self.quarter is None or self.value == 0:
            return [], []
        if self._references is None:
            self._references = await figures_sql.references(self.population, self.quarter, self.drill)
        return self._references


@dataclass
class Breakdown:
    key: str
    label: str
    count: Count


@dataclass
class RouteFigures:
    route: PurchaseRoute
    placements: Count
    spend_pence: int


@dataclass
class AverageFee:
    key: str
    label: str
    placements: Count
    average_weekly_fee_pence: int


@dataclass
class FeedbackAverages:
    responses: int
    needs_met: float | None
    communication: float | None
    stability: float | None

    @property
    def overall(self) -> float | None:
        scores = [s for s in (self.needs_met, self.communication, self.stability) if s is not None]
        return round(sum(scores) / len(scores), 2) if scores else None


@dataclass
class QuarterFigures:
    """Everything in the issue's "Figures" paragraph, for one population and quarter."""

    placements_started: Count
    placements_active: Count
    placements_ended: Count
    planned_endings: Count
    unplanned_endings: Count
    endings_without_notice: Count
    allegations: list[Breakdown]  # by outcome, every outcome listed
    allegations_total: int
    feedback: FeedbackAverages
    distance: list[Breakdown]  # the DfE's inside/outside the council's area x within/over 20 miles, and unknown
    routes: list[RouteFigures]
    spend_pence: int
    fee_by_kind: list[AverageFee]
    fee_by_age_band: list[AverageFee]
    referrals_published: Count
    referrals_placed: Count
    median_hours_to_first_offer: float | None
    median_hours_to_placement: float | None
    offers: int
    referrals_sent_to_providers: int
    referrals_answered: int
    median_response_hours: float | None
    declines_by_reason: list[Breakdown]
    sufficiency_gaps: Count
    gaps_unfilled: Count
    gaps_escalated_to_spot: Count
    gaps_by_need: list[Breakdown]
    gaps_by_age_band: list[Breakdown]
    gaps_by_district: list[Breakdown]

    @property
    def unplanned_rate(self) -> float | None:
        """Unplanned endings as a share of endings (0-1)."""
        ended = self.placements_ended.value
        return round(self.unplanned_endings.value / ended, 4) if ended else None

    @property
    def offers_per_referral(self) -> float | None:
        published = self.referrals_published.value
        return round(self.offers / published, 2) if published else None

    @property
    def response_rate(self) -> float | None:
        """Share (0-1) of referrals sent to providers that they answered, with an offer or a decline."""
        sent = self.referrals_sent_to_providers
        return round(self.referrals_answered / sent, 4) if sent else None

    @property
    def inside_council_area(self) -> int:
        return sum(b.count.value for b in self.distance if b.key.startswith("inside"))

    @property
    def within_20_miles(self) -> int:
        return sum(b.count.value for b in self.distance if b.key.endswith("_within"))


def _label(enum: type, value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


DISTANCE_LABELS = {
    "inside_within": "Inside the council's area, within 20 miles",
    "inside_over": "Inside the council's area, over 20 miles",
    "outside_within": "Outside the council's area, within 20 miles",
    "outside_over": "Outside the council's area, over 20 miles",
    "unknown_any": "Distance or area not known",
}


FIGURE_GROUPS = ("all", "kind", "age_band")


def _fees(groups: figures_sql.PlacementGroups, dimension: str) -> list[tuple[str, int, float]]:
    """(placement kind or age band, placements, average weekly fee in pence), in order of the kind or band."""
    return sorted((key, int(row["n"]), row["fee"]) for (dim, key), row in groups.items() if dim == dimension)


def _lines_of(groups: figures_sql.PlacementGroups, dimension: str) -> dict[int, dict[str, float]]:
    return {int(key): row for (dim, key), row in groups.items() if dim == dimension}


async def _already(value: object) -> object:
    return value


def _given(value: object) -> Awaitable | None:
    """An awaitable of what the caller has read or is reading, to stand in `gather` for the statement it saves."""
    if value is None or isinstance(value, Awaitable):
        return value
    return _already(value)


async def quarter_figures(
    population: Population,
    quarter: Quarter,
    *,
    drillable: bool = True,
    answers: figures_sql.Responses | Awaitable[figures_sql.Responses] | None = None,
    groups: figures_sql.PlacementGroups | Awaitable[figures_sql.PlacementGroups] | None = None,
) -> QuarterFigures:
    """Every figure for the population and quarter, in a few aggregate statements (`answers`: the providers'
    responses of the same population and quarter, `groups` its placement groups, when the caller has read them
    or is reading them: a task it also awaits)."""
    seen = population if drillable else None

    def count(value: float | int, table: str, condition: str, arg: str = "") -> Count:
        return Count(int(value or 0), seen, quarter, Drill(table, condition, arg))

    # The statements are independent: on PostgreSQL each runs on its own pooled connection at the same time
    # (SQLite's one connection takes them in turn).
    groups, answers, referred, offered, to_placement, outcomes, feedback, by_need = await asyncio.gather(
        _given(groups) or figures_sql.placement_groups(population, quarter, FIGURE_GROUPS),
        _given(answers) or figures_sql.responses(population, quarter),
        figures_sql.referral_counts(population, quarter),
        figures_sql.offer_figures(population, quarter),
        figures_sql.median_hours_to_placement(population, quarter),
        figures_sql.allegations_by_outcome(population, quarter),
        figures_sql.feedback_averages(population, quarter),
        figures_sql.gaps_by_need(population, quarter),
    )
    placed = groups.get(("all", "all"), {})
    by_kind, by_band = _fees(groups, "kind"), _fees(groups, "age_band")
    sent, answered, response_hours = answers.sent, answers.answered, answers.median_hours
    declines = answers.declines
    # The gaps by age band and district come with the referral counts (one scan); by need, from the needs' lists.
    gaps = {"need": by_need, "age_band": referred.pop("gap_age_band", []), "district": referred.pop("gap_district", [])}

    def p(key: str) -> float:
        return placed.get(key, 0)

    return QuarterFigures(
        placements_started=count(p("started"), "placements", "started"),
        placements_active=count(p("active"), "placements", "active"),
        placements_ended=count(p("ended"), "placements", "ended"),
        planned_endings=count(p("planned"), "placements", "planned"),
        unplanned_endings=count(p("unplanned"), "placements", "unplanned"),
        endings_without_notice=count(p("without_notice"), "placements", "without_notice"),
        allegations=[
            Breakdown(o.value, o.label, count(outcomes.get(o.value, 0), "allegations", "outcome", o.value))
            for o in AllegationOutcome
        ],
        allegations_total=sum(outcomes.values()),
        feedback=FeedbackAverages(
            responses=int(feedback.get("n") or 0),
            needs_met=feedback.get("needs_met"),
            communication=feedback.get("communication"),
            stability=feedback.get("stability"),
        ),
        distance=[
            Breakdown(key, DISTANCE_LABELS[key], count(p(f"distance_{key}"), "placements", "distance", key))
            for key in figures_sql.DISTANCES
        ],
        routes=[
            RouteFigures(
                PurchaseRoute(route),
                count(p(f"route_{route}"), "placements", "route", route),
                round(p(f"spend_{route}")),
            )
            for route in figures_sql.ROUTES
        ],
        spend_pence=round(sum(p(f"spend_{route}") for route in figures_sql.ROUTES)),
        fee_by_kind=[
            AverageFee(kind, _label(PlacementKind, kind), count(n, "placements", "kind", kind), round(fee))
            for kind, n, fee in by_kind
        ],
        fee_by_age_band=[
            AverageFee(band, _label(AgeBand, band), count(n, "placements", "age_band", band), round(fee))
            for band, n, fee in by_band
        ],
        referrals_published=count(referred.get("published", 0), "referrals", "published"),
        referrals_placed=count(referred.get("placed", 0), "referrals", "placed"),
        median_hours_to_first_offer=offered.median_hours_to_first,
        median_hours_to_placement=to_placement,
        offers=offered.offers,
        referrals_sent_to_providers=sent,
        referrals_answered=answered,
        median_response_hours=response_hours,
        declines_by_reason=[
            Breakdown(reason, _label(DeclineReason, reason), count(n, "referrals", "declined", reason))
            for reason, n in declines
        ],
        sufficiency_gaps=count(referred.get("gap", 0), "referrals", "gap"),
        gaps_unfilled=count(referred.get("unfilled", 0), "referrals", "unfilled"),
        gaps_escalated_to_spot=count(referred.get("escalated", 0), "referrals", "escalated"),
        gaps_by_need=[
            Breakdown(need, _label(Need, need), count(n, "referrals", "gap_need", need)) for need, n in gaps["need"]
        ],
        gaps_by_age_band=[
            Breakdown(band, _label(AgeBand, band), count(n, "referrals", "gap_age_band", band))
            for band, n in gaps["age_band"]
        ],
        gaps_by_district=[
            Breakdown(district, district, count(n, "referrals", "gap_district", district))
            for district, n in gaps["district"]
        ],
    )


# --- trends ----------------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    quarter: Quarter
    placements_started: int
    placements_active: int
    placements_ended: int
    unplanned_endings: int
    endings_without_notice: int
    allegations: int
    spend_pence: int

    @property
    def unplanned_rate(self) -> float | None:
        return round(self.unplanned_endings / self.placements_ended, 4) if self.placements_ended else None


async def trend(population: Population, quarter: Quarter) -> list[TrendPoint]:
    """The last eight quarters ending with this one, oldest first."""
    quarters = quarter.last(TREND_QUARTERS)
    # One after the other: the placements' scan, the longest statement of a view, asks for its connection as
    # soon as this runs (server.sqlite's readers take statements in the order they are asked for).
    placed = await figures_sql.placement_trend(population, quarters)
    alleged = await figures_sql.allegation_trend(population, quarters)
    points = []
    for q in quarters:
        row = placed.get(q, {})
        points.append(
            TrendPoint(
                quarter=q,
                placements_started=int(row.get("started", 0)),
                placements_active=int(row.get("active", 0)),
                placements_ended=int(row.get("ended", 0)),
                unplanned_endings=int(row.get("unplanned", 0)),
                endings_without_notice=int(row.get("without_notice", 0)),
                allegations=alleged.get(q, 0),
                spend_pence=round(row.get("spend", 0)),
            )
        )
    return points


# --- the views -------------------------------------------------------------------------------------


@dataclass
class OrganisationLine:
    """One member council's or one provider's line in a framework's quarter (the lead commissioners' view)."""

    id: int
    name: str
    placements_active: Count
    placements_started: Count
    placements_ended: Count
    unplanned_endings: Count
    endings_without_notice: Count
    inside_council_area: int
    within_20_miles: int
    spend_pence: int
    referrals_sent: int | None = None  # providers only
    referrals_answered: int | None = None
    median_response_hours: float | None = None

    @property
    def response_rate(self) -> float | None:
        if not self.referrals_sent:
            return None
        return round((self.referrals_answered or 0) / self.referrals_sent, 4)


@dataclass
class FrameworkQuarterView:
    framework: Framework
    quarter: Quarter
    figures: QuarterFigures
    councils: list[OrganisationLine]
    providers: list[OrganisationLine]
    trend: list[TrendPoint]
    kind: str = "framework"


@dataclass
class CouncilQuarterView:
    framework: Framework
    council: Council
    quarter: Quarter
    figures: QuarterFigures  # the council's own, drillable
    consortium: QuarterFigures  # the framework's totals, not drillable
    trend: list[TrendPoint]
    consortium_trend: list[TrendPoint]
    kind: str = "council"


@dataclass
class ScorecardLine:
    key: str
    label: str
    own: float | None
    consortium_average: float | None


@dataclass
class ProviderScorecardView:
    framework: Framework
    provider: Provider
    quarter: Quarter
    figures: QuarterFigures  # the provider's own, drillable
    providers_compared: int
    lines: list[ScorecardLine]  # its own beside the consortium's average per provider
    trend: list[TrendPoint]
    kind: str = "provider"


async def _framework_population(framework: Framework, quarter: Quarter) -> Population:
    members = await Framework.filter(id=framework.id).values_list("member_councils__id", flat=True)
    providers = await LotMembership.filter(lot__framework_id=framework.id).values_list("provider_id", flat=True)
    return Population(
        framework_id=framework.id,
        council_ids=tuple(sorted({m for m in members if m is not None})),
        framework_provider_ids=tuple(sorted(set(providers))),
    )


async def _framework(framework_id: int) -> Framework | None:
    return await Framework.get_or_none(id=framework_id)


async def framework_quarter(actor: Actor, framework_id: int, quarter: str) -> FrameworkQuarterView:
    """The lead commissioners' view: the consortium's figures, every member council and provider, the trend."""
    framework = await _framework(framework_id)
    if framework is None or not policy.may_see_framework_figures(actor, framework):
        raise not_found("framework", "frameworkId")
    q = parse_quarter(quarter)
    population = await _framework_population(framework, q)
    # Every statement of the view under way at once, the longest (the trend's eight quarters) first: asked for
    # last, it ran alone at the end. The totals and every council's and provider's line come from the same
    # placement groups and broadcasts, read once; the councils' and providers' names meanwhile.
    reading_trend = asyncio.ensure_future(trend(population, q))
    reading_groups = asyncio.ensure_future(
        figures_sql.placement_groups(population, q, (*FIGURE_GROUPS, "council", "provider"))
    )
    reading_answers = asyncio.ensure_future(figures_sql.responses(population, q))
    reading_names = asyncio.ensure_future(_organisation_names(population))
    figures = await quarter_figures(population, q, answers=reading_answers, groups=reading_groups)
    trend_points, (council_names, provider_names) = await reading_trend, await reading_names
    groups, answers = reading_groups.result(), reading_answers.result()
    councils = _council_lines(population, q, groups, council_names)
    providers = await _provider_lines(population, q, answers, groups, provider_names)
    return FrameworkQuarterView(
        framework=framework, quarter=q, figures=figures, councils=councils, providers=providers, trend=trend_points
    )


def _line(population: Population, q: Quarter, key: str, pk: int, name: str, row: dict[str, float]) -> OrganisationLine:
    def count(figure: str) -> Count:
        return Count(int(row.get(figure, 0)), population, q, Drill("placements", figure, ""))

    def narrowed(figure: str) -> Count:
        # Drill into this organisation's rows only.
        narrowed_pop = (
            Population(population.framework_id, (pk,), population.provider_id, population.framework_provider_ids)
            if key == "council"
            else Population(population.framework_id, population.council_ids, pk, population.framework_provider_ids)
        )
        return Count(int(row.get(figure, 0)), narrowed_pop, q, Drill("placements", figure, ""))

    return OrganisationLine(
        id=pk,
        name=name,
        placements_active=narrowed("active"),
        placements_started=narrowed("started"),
        placements_ended=narrowed("ended"),
        unplanned_endings=narrowed("unplanned"),
        endings_without_notice=narrowed("without_notice"),
        inside_council_area=int(row.get("inside", 0)),
        within_20_miles=int(row.get("within", 0)),
        spend_pence=round(row.get("spend", 0)),
    )


async def _organisation_names(population: Population) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the member councils and of the providers on the framework's lots."""
    councils, providers = await asyncio.gather(
        Council.filter(id__in=list(population.council_ids)).values_list("id", "name"),
        Provider.filter(id__in=list(population.framework_provider_ids)).values_list("id", "name"),
    )
    return dict(councils), dict(providers)


def _council_lines(
    population: Population, q: Quarter, groups: figures_sql.PlacementGroups, names: dict[int, str]
) -> list[OrganisationLine]:
    rows = _lines_of(groups, "council")
    councils = sorted(names.items(), key=lambda pair: (pair[1], pair[0]))
    return [_line(population, q, "council", pk, name, rows.get(pk, {})) for pk, name in councils]


async def _provider_lines(
    population: Population,
    q: Quarter,
    answers: figures_sql.Responses,
    groups: figures_sql.PlacementGroups,
    names: dict[int, str],
) -> list[OrganisationLine]:
    """A line per provider on the framework's lots, and per provider no longer on them with placements or
    broadcasts in the quarter (a provider that left, or one merged away)."""
    rows = _lines_of(groups, "provider")
    responses = answers.by_provider
    others = (set(rows) | set(responses)) - set(names)
    if others:
        names = {**names, **dict(await Provider.filter(id__in=list(others)).values_list("id", "name"))}
    lines = []
    for pk, name in sorted(names.items(), key=lambda pair: (pair[1], pair[0])):
        line = _line(population, q, "provider", pk, name, rows.get(pk, {}))
        sent, answered, hours = responses.get(pk, (0, 0, None))
        line.referrals_sent, line.referrals_answered, line.median_response_hours = sent, answered, hours
        lines.append(line)
    return lines


async def council_quarter(
    actor: Actor, council_id: int, quarter: str, framework_id: int | None = None
) -> CouncilQuarterView:
    """A member council's own figures beside its consortium's totals (the framework named, else its first)."""
    council = await Council.get_or_none(id=council_id)
    if council is None:
        raise not_found("council", "councilId")
    frameworks = Framework.filter(member_councils__id=council.id)
    if framework_id is not None:
        frameworks = frameworks.filter(id=framework_id)
    framework = await frameworks.order_by("name").first()
    if framework is None or not policy.may_see_council_figures(actor, framework, council.id):
        raise not_found("council", "councilId")
    q = parse_quarter(quarter)
    consortium = await _framework_population(framework, q)
    own = Population(framework.id, (council.id,), None, ())
    # The trends' scans, the longest statements, first (see framework_quarter).
    reading_trends = asyncio.ensure_future(asyncio.gather(trend(consortium, q), trend(own, q)))
    figures, consortium_figures = await asyncio.gather(
        quarter_figures(own, q),
        quarter_figures(consortium, q, drillable=policy.is_lead_commissioner(actor, framework)),
    )
    consortium_trend, own_trend = await reading_trends
    return CouncilQuarterView(
        framework=framework,
        council=council,
        quarter=q,
        figures=figures,
        consortium=consortium_figures,
        trend=own_trend,
        consortium_trend=consortium_trend,
    )


SCORECARD_LINES: tuple[tuple[str, str], ...] = (
    ("placementsActive", "Placements active"),
    ("placementsStarted", "Placements started"),
    ("placementsEnded", "Placements ended"),
    ("unplannedEndings", "Unplanned endings"),
    ("unplannedRate", "Unplanned endings (share of endings)"),
    ("endingsWithoutNotice", "Endings without 28 days' notice"),
    ("allegations", "Allegations"),
    ("substantiatedAllegations", "Allegations substantiated"),
    ("feedbackOverall", "Feedback, overall (1-5)"),
    ("insideCouncilArea", "Placements inside the council's area"),
    ("within20Miles", "Placements within 20 miles"),
    ("spendPence", "Spend (pence)"),
    ("responseRate", "Response rate"),
    ("medianResponseHours", "Median hours to respond"),
    ("offers", "Offers made"),
)


def _scorecard_values(f: QuarterFigures) -> dict[str, float | None]:
    substantiated = next(b.count.value for b in f.allegations if b.key == AllegationOutcome.SUBSTANTIATED.value)
    return {
        "placementsActive": f.placements_active.value,
        "placementsStarted": f.placements_started.value,
        "placementsEnded": f.placements_ended.value,
        "unplannedEndings": f.unplanned_endings.value,
        "unplannedRate": f.unplanned_rate,
        "endingsWithoutNotice": f.endings_without_notice.value,
        "allegations": f.allegations_total,
        "substantiatedAllegations": substantiated,
        "feedbackOverall": f.feedback.overall,
        "insideCouncilArea": f.inside_council_area,
        "within20Miles": f.within_20_miles,
        "spendPence": f.spend_pence,
        "responseRate": f.response_rate,
        "medianResponseHours": f.median_response_hours,
        "offers": f.offers,
    }


async def _consortium_scorecard_values(population: Population, q: Quarter) -> dict[str, float | None]:
    """`_scorecard_values` of the consortium's quarter, reading only the figures the scorecard's lines show
    (the same statements as `quarter_figures`, without the referrals', gaps' and declines' ones)."""
    groups, outcomes, feedback, answers, offers = await asyncio.gather(
        figures_sql.placement_groups(population, q, ("all",), routes=False),
        figures_sql.allegations_by_outcome(population, q),
        figures_sql.feedback_averages(population, q),
        figures_sql.responses(population, q, totals_only=True),
        figures_sql.offer_count(population, q),
    )
    placed = groups.get(("all", "all"), {})
    ended, unplanned = int(placed.get("ended", 0)), int(placed.get("unplanned", 0))
    scores = FeedbackAverages(
        responses=int(feedback.get("n") or 0),
        needs_met=feedback.get("needs_met"),
        communication=feedback.get("communication"),
        stability=feedback.get("stability"),
    )
    return {
        "placementsActive": int(placed.get("active", 0)),
        "placementsStarted": int(placed.get("started", 0)),
        "placementsEnded": ended,
        "unplannedEndings": unplanned,
        "unplannedRate": round(unplanned / ended, 4) if ended else None,
        "endingsWithoutNotice": int(placed.get("without_notice", 0)),
        "allegations": sum(outcomes.values()),
        "substantiatedAllegations": outcomes.get(AllegationOutcome.SUBSTANTIATED.value, 0),
        "feedbackOverall": scores.overall,
        "insideCouncilArea": sum(
            int(placed.get(f"distance_{k}", 0)) for k in figures_sql.DISTANCES if k.startswith("inside")
        ),
        "within20Miles": sum(
            int(placed.get(f"distance_{k}", 0)) for k in figures_sql.DISTANCES if k.endswith("_within")
        ),
        "spendPence": round(placed.get("spend", 0)),
        "responseRate": round(answers.answered / answers.sent, 4) if answers.sent else None,
        "medianResponseHours": answers.median_hours,
        "offers": offers,
    }


# Rates, scores and medians are the consortium's own; counts and money are divided by the providers compared.
_NOT_DIVIDED = {"unplannedRate", "feedbackOverall", "responseRate", "medianResponseHours"}


async def provider_scorecard(actor: Actor, provider_id: int, framework_id: int, quarter: str) -> ProviderScorecardView:
    """A provider's own figures beside the consortium's average per provider on the framework."""
    framework = await _framework(framework_id)
    provider = await Provider.get_or_none(id=provider_id)
    if (
        framework is None
        or provider is None
        or not policy.may_see_provider_scorecard(actor, framework, provider.id)
        or not await LotMembership.exists(lot__framework_id=framework.id, provider_id=provider.id)
    ):
        raise not_found("provider on this framework", "providerId")
    q = parse_quarter(quarter)
    consortium = await _framework_population(framework, q)
    own = Population(framework.id, consortium.council_ids, provider.id, consortium.framework_provider_ids)
    reading_trend = asyncio.ensure_future(trend(own, q))  # the longest statement first (see framework_quarter)
    mine, totals, compared = await asyncio.gather(
        quarter_figures(own, q), _consortium_scorecard_values(consortium, q), _providers_on(framework, q)
    )
    own_trend = await reading_trend
    own_values = _scorecard_values(mine)
    lines = []
    for key, label in SCORECARD_LINES:
        total = totals[key]
        average = total if key in _NOT_DIVIDED or total is None else round(total / max(compared, 1), 2)
        lines.append(ScorecardLine(key, label, own_values[key], average))
    return ProviderScorecardView(
        framework=framework,
        provider=provider,
        quarter=q,
        figures=mine,
        providers_compared=compared,
        lines=lines,
        trend=own_trend,
    )


async def _providers_on(framework: Framework, q: Quarter) -> int:
    """Providers on the framework's lots at some time in the quarter."""
    memberships = LotMembership.filter(lot__framework_id=framework.id, joined_on__lte=q.ends_on)
    ids = await memberships.values_list("provider_id", "left_on")
    return len({pid for pid, left in ids if left is None or left >= q.starts_on})


# --- tables: the one export-friendly shape -----------------------------------------------------------


@dataclass
class KpiRow:
    label: str
    cells: list[str]
    count: Count | None = None
    referral_references: list[str] = field(default_factory=list)
    placement_references: list[str] = field(default_factory=list)

    async def references(self) -> tuple[list[str], list[str]]:
        return await self.count.references() if self.count is not None else ([], [])


@dataclass
class KpiTable:
    key: str
    title: str
    columns: list[str]
    rows: list[KpiRow]


def money(pence: float | int | None) -> str:
    return "" if pence is None else f"£{pence / 100:,.2f}"


def rate(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


View = FrameworkQuarterView | CouncilQuarterView | ProviderScorecardView


async def tables_for(view: View, *, with_references: bool = False) -> list[KpiTable]:
    """Every KPI of a view as tables (see the module's docstring: the export contract)."""
    if isinstance(view, CouncilQuarterView):
        tables = _compare_tables(view.figures, view.consortium, view.council.name, "Consortium total")
        tables.append(_trend_table(view.trend, f"{view.council.name}: the last eight quarters"))
    elif isinstance(view, ProviderScorecardView):
        tables = [_scorecard_table(view), *_figure_tables(view.figures)]
        tables.append(_trend_table(view.trend, f"{view.provider.name}: the last eight quarters"))
    else:
        tables = _figure_tables(view.figures)
        tables.append(_organisation_table("councils", "Member councils", view.councils, providers=False))
        tables.append(_organisation_table("providers", "Providers", view.providers, providers=True))
        tables.append(_trend_table(view.trend, "The last eight quarters"))
    if with_references:
        for table in tables:
            for row in table.rows:
                row.referral_references, row.placement_references = await row.references()
    return tables


def _count_row(label: str, count: Count, *more: str) -> KpiRow:
    return KpiRow(label, [number(count.value), *more], count)


def _figure_tables(f: QuarterFigures) -> list[KpiTable]:
    return [
        KpiTable(
            "placements",
            "Placements started, active and ended",
            ["Figure", "Placements"],
            [
                _count_row("Started", f.placements_started),
                _count_row("Active", f.placements_active),
                _count_row("Ended", f.placements_ended),
            ],
        ),
        KpiTable(
            "endings",
            "Endings",
            ["Ending", "Placements", "Share of endings"],
            [
                _count_row("Planned", f.planned_endings, rate(_share(f.planned_endings.value, f.placements_ended))),
                _count_row("Unplanned", f.unplanned_endings, rate(f.unplanned_rate)),
                _count_row(
                    "Without 28 days' notice",
                    f.endings_without_notice,
                    rate(_share(f.endings_without_notice.value, f.placements_ended)),
                ),
            ],
        ),
        KpiTable(
            "allegations",
            "Allegations by outcome",
            ["Outcome", "Allegations"],
            [_count_row(b.label, b.count) for b in f.allegations],
        ),
        KpiTable(
            "feedback",
            "Feedback from social workers and reviewing officers (1-5)",
            ["Question", "Average score", "Responses"],
            [
                KpiRow(
                    "How well the placement meets the child's needs",
                    [number2(f.feedback.needs_met), number(f.feedback.responses)],
                ),
                KpiRow(
                    "Communication with the provider", [number2(f.feedback.communication), number(f.feedback.responses)]
                ),
                KpiRow("Stability", [number2(f.feedback.stability), number(f.feedback.responses)]),
                KpiRow("Overall", [number2(f.feedback.overall), number(f.feedback.responses)]),
            ],
        ),
        KpiTable(
            "distance",
            "Distance from home (as the DfE reports it)",
            ["Where", "Placements"],
            [_count_row(b.label, b.count) for b in f.distance],
        ),
        KpiTable(
            "routes",
            "Placements and spend: this framework, a previous one, spot",
            ["Route", "Placements", "Spend in the quarter"],
            [_count_row(r.route.label, r.placements, money(r.spend_pence)) for r in f.routes],
        ),
        KpiTable(
            "fee_by_kind",
            "Average weekly fee by placement kind",
            ["Kind of placement", "Placements", "Average weekly fee"],
            [_count_row(a.label, a.placements, money(a.average_weekly_fee_pence)) for a in f.fee_by_kind],
        ),
        KpiTable(
            "fee_by_age_band",
            "Average weekly fee by age band",
            ["Age band", "Placements", "Average weekly fee"],
            [_count_row(a.label, a.placements, money(a.average_weekly_fee_pence)) for a in f.fee_by_age_band],
        ),
        KpiTable(
            "referrals",
            "Referrals, offers and time to place",
            ["Figure", "Value"],
            [
                _count_row("Referrals published", f.referrals_published),
                _count_row("Referrals placed", f.referrals_placed),
                KpiRow("Offers", [number(f.offers)]),
                KpiRow("Offers per referral", [number2(f.offers_per_referral)]),
                KpiRow("Median hours from publishing to first offer", [number(f.median_hours_to_first_offer)]),
                KpiRow("Median hours from publishing to placement", [number(f.median_hours_to_placement)]),
            ],
        ),
        KpiTable(
            "responses",
            "Providers' responses",
            ["Figure", "Value"],
            [
                KpiRow("Referrals sent to providers", [number(f.referrals_sent_to_providers)]),
                KpiRow("Answered (an offer or a decline)", [number(f.referrals_answered)]),
                KpiRow("Response rate", [rate(f.response_rate)]),
                KpiRow("Median hours to respond", [number(f.median_response_hours)]),
            ],
        ),
        KpiTable(
            "declines",
            "Declines by reason",
            ["Reason", "Referrals"],
            [_count_row(b.label, b.count) for b in f.declines_by_reason],
        ),
        KpiTable(
            "gaps",
            "Sufficiency gaps: referrals unfilled or escalated to spot",
            ["Gap", "Referrals"],
            [
                _count_row("Unfilled or escalated to spot", f.sufficiency_gaps),
                _count_row("Unfilled (closed without a placement)", f.gaps_unfilled),
                _count_row("Escalated to spot purchase", f.gaps_escalated_to_spot),
            ],
        ),
        KpiTable(
            "gaps_by_need",
            "Sufficiency gaps by need",
            ["Need", "Referrals"],
            [_count_row(b.label, b.count) for b in f.gaps_by_need],
        ),
        KpiTable(
            "gaps_by_age_band",
            "Sufficiency gaps by age band",
            ["Age band", "Referrals"],
            [_count_row(b.label, b.count) for b in f.gaps_by_age_band],
        ),
        KpiTable(
            "gaps_by_district",
            "Sufficiency gaps by home district",
            ["Home district", "Referrals"],
            [_count_row(b.label, b.count) for b in f.gaps_by_district],
        ),
    ]


def number2(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(part: int, whole: Count) -> float | None:
    return round(part / whole.value, 4) if whole.value else None


def _compare_tables(own: QuarterFigures, consortium: QuarterFigures, own_name: str, other_name: str) -> list[KpiTable]:
    """Each of the council's tables with the consortium's figure as one more column (the council's rows drill)."""
    tables = []
    for mine, theirs in zip(_figure_tables(own), _figure_tables(consortium), strict=True):
        by_label = {row.label: row for row in theirs.rows}
        rows = [
            KpiRow(
                row.label,
                [*row.cells, *(by_label[row.label].cells if row.label in by_label else [""] * len(row.cells))],
                row.count,
            )
            for row in mine.rows
        ]
        for label, row in by_label.items():
            if label not in {r.label for r in mine.rows}:
                rows.append(KpiRow(label, [""] * len(row.cells) + row.cells))
        extra = [f"{c} ({other_name})" for c in mine.columns[1:]]
        columns = [mine.columns[0], *(f"{c} ({own_name})" for c in mine.columns[1:]), *extra]
        tables.append(KpiTable(mine.key, mine.title, columns, rows))
    return tables


def _scorecard_table(view: ProviderScorecardView) -> KpiTable:
    def shown(key: str, value: float | None) -> str:
        if key in ("unplannedRate", "responseRate"):
            return rate(value)
        if key == "spendPence":
            return money(value)
        return number2(value) if key == "feedbackOverall" else number(value)

    return KpiTable(
        "scorecard",
        f"{view.provider.name} beside the consortium's average ({view.providers_compared} providers)",
        ["Figure", view.provider.name, "Consortium average per provider"],
        [
            KpiRow(line.label, [shown(line.key, line.own), shown(line.key, line.consortium_average)])
            for line in view.lines
        ],
    )


def _organisation_table(key: str, title: str, lines: list[OrganisationLine], *, providers: bool) -> KpiTable:
    columns = [
        "Name",
        "Active",
        "Started",
        "Ended",
        "Unplanned",
        "Without notice",
        "Inside area",
        "Within 20 miles",
        "Spend",
    ]
    if providers:
        columns += ["Referrals sent", "Response rate", "Median hours to respond"]
    rows = []
    for line in lines:
        cells = [
            number(line.placements_active.value),
            number(line.placements_started.value),
            number(line.placements_ended.value),
            number(line.unplanned_endings.value),
            number(line.endings_without_notice.value),
            number(line.inside_council_area),
            number(line.within_20_miles),
            money(line.spend_pence),
        ]
        if providers:
            cells += [number(line.referrals_sent), rate(line.response_rate), number(line.median_response_hours)]
        rows.append(KpiRow(line.name, cells, line.placements_active))
    return KpiTable(key, title, columns, rows)


def _trend_table(points: list[TrendPoint], title: str) -> KpiTable:
    return KpiTable(
        "trend",
        title,
        [
            "Quarter",
            "Started",
            "Active",
            "Ended",
            "Unplanned",
            "Unplanned rate",
            "Without notice",
            "Allegations",
            "Spend",
        ],
        [
            KpiRow(
                str(p.quarter),
                [
                    number(p.placements_started),
                    number(p.placements_active),
                    number(p.placements_ended),
                    number(p.unplanned_endings),
                    rate(p.unplanned_rate),
                    number(p.endings_without_notice),
                    number(p.allegations),
                    money(p.spend_pence),
                ],
            )
            for p in points
        ],
    )
