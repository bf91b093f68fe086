"""Queries: every read is scoped by the asking actor through server.auth.policy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from schema.context import Info
from schema.enums import PlacementKind, PlacementStatus, ReferralStatus, Urgency
from schema.ids import from_global_id, to_global_id
from schema.permissions import AUTH
from schema.selection import node_fields
from schema.types.dashboard import Dashboard, dashboard_for
from schema.types.frameworks import FrameworkNode
from schema.types.matching import FeeQuote, Match, OfferRanking
from schema.types.offers import FeeLine, OfferNode, PlacementNode
from schema.types.pagination import Connection, page_size, paginate, paginate_read
from schema.types.referrals import ReferralNode, prime_referral_page, referral_columns
from schema.types.resources import CarerHouseholdNode, ChildrensHomeNode, VacancyNode
from schema.types.users import UserNode
from server.auth import policy
from server.domain.vocabulary import VacancyStatus
from server.events.log import latest_event_id
from server.models import CarerHousehold, ChildrensHome, Framework, Offer, Placement, Referral, User, Vacancy
from server.services import lookups, matching, quotes, referrals
from server.services.districts import district_directory
from server.services.errors import ServiceError


@strawberry.input
class ReferralFilter:
    status: list[ReferralStatus] | None = None
    urgency: list[Urgency] | None = None
    framework_id: strawberry.ID | None = None
    placement_kind: list[PlacementKind] | None = None
    created_since: datetime | None = None


@strawberry.input
class VacancyFilter:
    placement_kind: PlacementKind | None = None
    age: int | None = None
    available_by: date | None = None
    within_miles: int | None = None
    of_district: str | None = strawberry.field(default=None, description="Postcode district, e.g. ME14")
    include_closed: bool = False


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=AUTH,
        description="The cursor of the newest event. Read it before loading a list, then subscribe with "
        "`after` it: whatever happens in between is replayed, so nothing is missed.",
    )
    async def live_cursor(self, info: Info) -> str:
        return str(await latest_event_id())

    @strawberry.field(description="The signed-in user; null when not signed in.")
    async def me(self, info: Info) -> UserNode | None:
        actor = info.context.actor
        return await User.get_or_none(id=actor.user_id) if actor else None

    @strawberry.field(permission_classes=AUTH, description="Newest first. Providers see referrals sent to them.")
    async def referrals(
        self, info: Info, first: int | None = None, after: str | None = None, filter: ReferralFilter | None = None
    ) -> Connection[ReferralNode]:
        asked = node_fields(info)
        columns = referral_columns(asked)
        page = await _provider_inbox(info, first, after, filter, columns)
        if page is None:
            query = policy.scope_referrals(info.context.actor, Referral.all())
            if filter is not None:
                query = _filter_referrals(query, filter)
            page = await paginate(query, first, after, columns)
        await prime_referral_page(info, asked, [edge.node for edge in page.edges])
        return page

    @strawberry.field(permission_classes=AUTH)
    async def referral(self, info: Info, id: strawberry.ID) -> ReferralNode | None:
        pk = from_global_id(id, "Referral")
        if pk is None:
            return None
        try:
            found = await lookups.referral_for(info.context.actor, pk)
        except ServiceError:
            return None
        await referrals.record_viewed(info.context.actor, found)
        return found

    @strawberry.field(permission_classes=AUTH, description="Offers on one referral (providers: only their own).")
    async def offers(self, info: Info, referral_id: strawberry.ID) -> list[OfferNode]:
        pk = from_global_id(referral_id, "Referral")
        if pk is None:
            return []
        return await policy.scope_offers(info.context.actor, Offer.filter(referral_id=pk)).order_by("submitted_at")

    @strawberry.field(permission_classes=AUTH, description="The asking provider's offers, newest first.")
    async def my_offers(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[OfferNode]:
        return await paginate(policy.scope_my_offers(info.context.actor, Offer.all()), first, after)

    @strawberry.field(permission_classes=AUTH)
    async def vacancies(
        self, info: Info, first: int | None = None, after: str | None = None, filter: VacancyFilter | None = None
    ) -> Connection[VacancyNode]:
        query = policy.scope_vacancies(info.context.actor, Vacancy.all())
        filter = filter or VacancyFilter()
        if not filter.include_closed:
            query = query.filter(status=VacancyStatus.OPEN)
        query = await filter_vacancies(query, filter)
        return await paginate(query, first, after)

    @strawberry.field(permission_classes=AUTH, description="Frameworks you are a member of, with lots and tiers.")
    async def frameworks(self, info: Info) -> list[FrameworkNode]:
        return await policy.scope_frameworks(info.context.actor, Framework.all()).order_by("name")

    @strawberry.field(permission_classes=AUTH)
    async def placements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: PlacementStatus | None = None,
        search: Annotated[
            str | None, strawberry.argument(description="Part of the IPA or referral reference, e.g. KEN-2026")
        ] = None,
    ) -> Connection[PlacementNode]:
        query = policy.scope_placements(info.context.actor, Placement.all())
        if status is not None:
            query = query.filter(status=status)
        if search and search.strip():
            words = search.strip()
            query = query.filter(Q(ipa_reference__icontains=words) | Q(referral__reference__icontains=words))
        return await paginate(query, first, after)

    @strawberry.field(permission_classes=AUTH, description="Your organisation's carer households.")
    async def carer_households(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[CarerHouseholdNode]:
        return await paginate(policy.scope_carer_households(info.context.actor, CarerHousehold.all()), first, after)

    @strawberry.field(
        permission_classes=AUTH,
        description="Provider staff: your households or homes for a referral, "
        "best first, with the reasons each fits or does not.",
    )
    async def best_matches(self, info: Info, referral_id: strawberry.ID) -> list[Match]:
        actor = info.context.actor
        referral = await _referral_to_answer(info, referral_id)
        if referral is None:
            return []
        return [Match.of(result) for result in await matching.best_matches(referral, [actor.provider_id])]

    @strawberry.field(
        permission_classes=AUTH,
        description="Provider staff: your framework-tier fee for a referral, "
        "with its breakdown (null when the referral came to you as a spot purchase).",
    )
    async def fee_quote(self, info: Info, referral_id: strawberry.ID) -> FeeQuote | None:
        actor = info.context.actor
        referral = await _referral_to_answer(info, referral_id)
        if referral is None:
            return None
        quote = await quotes.quote_for(referral, actor.provider_id)
        if quote is None:
            return None
        return FeeQuote(
            weekly_fee_pence=quote.weekly_fee_pence,
            is_spot=False,
            lines=[
                FeeLine(label=line.label, amount_pence=line.amount_pence, kind=line.kind.value) for line in quote.lines
            ],
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="The council's ranking of the live offers on a referral, "
        "weighted by the framework's quality and cost percentages.",
    )
    async def offer_ranking(self, info: Info, referral_id: strawberry.ID) -> list[OfferRanking]:
        referral = await _visible_referral(info, referral_id)
        if referral is None or not policy.may_oversee_referral(info.context.actor, referral):
            return []
        ranking = await quotes.ranking_of_live_offers(referral)
        return [
            OfferRanking(
                offer_id=to_global_id("Offer", r.offer_id),
                rank=r.rank,
                quality=r.quality,
                cost=r.cost,
                total=r.total,
                quality_weight_percent=ranking.quality_weight_percent,
                cost_weight_percent=ranking.cost_weight_percent,
                explanation=ranking.explanations[r.offer_id],
            )
            for r in ranking.offers
        ]

    @strawberry.field(permission_classes=AUTH, description="Your organisation's figures (see the dashboard feed).")
    async def dashboard(self, info: Info) -> Dashboard:
        return await dashboard_for(info.context.actor)

    @strawberry.field(permission_classes=AUTH, description="Your organisation's children's homes.")
    async def childrens_homes(self, info: Info) -> list[ChildrensHomeNode]:
        return await policy.scope_childrens_homes(info.context.actor, ChildrensHome.all()).order_by("name")


async def _visible_referral(info: Info, referral_id: strawberry.ID) -> Referral | None:
    pk = from_global_id(referral_id, "Referral")
    if pk is None:
        return None
    try:
        return await lookups.referral_for(info.context.actor, pk)
    except ServiceError:
        return None


async def _referral_to_answer(info: Info, referral_id: strawberry.ID) -> Referral | None:
    """A referral the asking provider was sent, to match its resources to or price: None for anyone else."""
    if not policy.has_referral_inbox(info.context.actor):
        return None
    return await _visible_referral(info, referral_id)


async def _provider_inbox(
    info: Info, first: int | None, after: str | None, filter: ReferralFilter | None, columns: list[str] | None
) -> Connection[ReferralNode] | None:
    """A duty desk's inbox (a provider's referrals, by status at most) read in one plain statement; None for any
    other asker or filter, which the ordinary query answers."""
    if filter is not None and (filter.urgency or filter.placement_kind or filter.framework_id is not None
                               or filter.created_since is not None):  # fmt: skip
        return None
    statuses = list(dict.fromkeys(filter.status)) if filter is not None and filter.status else []
    page_size(first)  # out of bounds is the same error on either path, before anything is read

    async def read(before_id: int | None, limit: int) -> list[Referral]:
        rows = await lookups.inbox_page(actor, statuses=statuses, before_id=before_id, columns=columns, limit=limit)
        return rows or []  # never None here: the policy was asked just before

    actor = info.context.actor
    if policy.inbox_provider(actor) is None:
        return None
    return await paginate_read(read, first, after)


def _filter_referrals(query: QuerySet[Referral], filter: ReferralFilter) -> QuerySet[Referral]:
    if filter.status:
        query = query.filter(status__in=list(filter.status))
    if filter.urgency:
        query = query.filter(urgency__in=list(filter.urgency))
    if filter.placement_kind:
        query = query.filter(placement_kind__in=list(filter.placement_kind))
    if filter.framework_id is not None:
        query = query.filter(framework_id=from_global_id(filter.framework_id, "Framework") or 0)
    if filter.created_since is not None:
        query = query.filter(created_at__gte=filter.created_since)
    return query


async def filter_vacancies(query: QuerySet[Vacancy], filter: VacancyFilter) -> QuerySet[Vacancy]:
    if filter.available_by is not None:
        query = query.filter(available_from__lte=filter.available_by)
    if filter.age is not None:
        query = query.filter(
            Q(carer_household__min_age__lte=filter.age, carer_household__max_age__gte=filter.age)
            | Q(childrens_home__min_age__lte=filter.age, childrens_home__max_age__gte=filter.age)
        )
    if filter.placement_kind is not None:
        if filter.placement_kind.is_residential:
            query = query.filter(childrens_home_id__isnull=False)
        else:
            # JSON containment differs between SQLite and PostgreSQL: match the few households in Python.
            households = await CarerHousehold.filter(vacancies__status=VacancyStatus.OPEN).values(
                "id", "placement_kinds"
            )
            approved = [row["id"] for row in households if filter.placement_kind.value in row["placement_kinds"]]
            query = query.filter(carer_household_id__in=approved)
    if filter.within_miles is not None and filter.of_district:
        directory = await district_directory()
        nearby = [code for code, _ in directory.within(filter.of_district.strip().upper(), filter.within_miles)]
        query = query.filter(Q(carer_household__district__in=nearby) | Q(childrens_home__district__in=nearby))
    return query
