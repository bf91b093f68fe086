"""Live feeds over websockets (graphql-transport-ws, and legacy graphql-ws).

Every message carries the cursor of the event that caused it; `after` replays
from the event table and then continues live. Permission is decided per event
and subscriber from the event's topics, which were computed from who may see
it when it was written (a provider's topic is on an event only if the referral
was sent to it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry

from schema.context import Info
from schema.dataloaders import EventLoaders, Loaders
from schema.enums import OfferDeclineReason
from schema.ids import from_global_id
from schema.queries import VacancyFilter, filter_vacancies
from schema.types.dashboard import Dashboard, dashboard_for
from schema.types.offers import OfferNode
from schema.types.questions import ReferralQuestion
from schema.types.referrals import ReferralNode
from schema.types.resources import VacancyNode
from server.auth import policy
from server.auth.actor import Actor
from server.domain import vocabulary as v
from server.events.hub import get_hub
from server.events.log import LoggedEvent, latest_event_id, parse_cursor
from server.models import Offer, Vacancy
from server.services import lookups, questions
from server.services.errors import ServiceError

DASHBOARD_MIN_INTERVAL = 1.0


class SubscriptionRefused(Exception):
    """Shown to the client (not masked): why the subscription cannot start."""


@strawberry.type
class InboxMessage:
    cursor: str
    event: str = strawberry.field(
        description="referral.published / cascaded / withdrawn / placed, or offer.* for your own offers"
    )
    referral: ReferralNode
    decline_reason: OfferDeclineReason | None = strawberry.field(
        default=None, description="offer.declined: why the council declined your offer"
    )


@strawberry.type
class OfferUpdate:
    cursor: str
    event: str = strawberry.field(
        description="offer.submitted / withdrawn / shortlisted / accepted / declined, "
        "referral.declined (a provider cannot offer)"
    )
    offer: OfferNode | None
    referral: ReferralNode
    provider_name: str | None


@strawberry.type
class QuestionMessage:
    cursor: str
    event: str = strawberry.field(description="question.asked / question.answered")
    question: ReferralQuestion


@strawberry.type
class VacancyMessage:
    cursor: str
    event: str
    vacancy: VacancyNode


@strawberry.type
class DashboardMessage:
    cursor: str
    dashboard: Dashboard


def _actor(info: Info) -> Actor:
    actor = info.context.actor
    if actor is None:
        raise SubscriptionRefused("Sign in first.")
    return actor


def _cursor(after: str | None) -> int | None:
    try:
        return parse_cursor(after)
    except ValueError as error:
        raise SubscriptionRefused(str(error)) from error


def _events(info: Info, topics: frozenset[str], after: int | None) -> AsyncIterator[LoggedEvent]:
    """The hub's stream from the cursor; for a shared live subscription, its group's feed (schema.live.feed)."""
    feed = info.context.live_feed
    return feed.events(topics) if feed is not None else get_hub().stream(topics, after)


async def _offer(actor: Actor, event: LoggedEvent) -> Offer | None:
    """The offer an event is about, as the subscriber may see it (a referral.declined event has none)."""
    if "offerId" not in event.payload:
        return None
    return await policy.scope_offers(actor, Offer.filter(id=event.payload["offerId"])).first()


def _shared_loaders(info: Info, event: LoggedEvent, actor: Actor) -> Loaders:
    """Fresh per event (never stale), shared by every subscriber of the same scope; what does not depend on the
    scope (EventLoaders) shared by every subscriber of the event."""
    scope = (actor.role.value, actor.council_id, actor.provider_id)
    per_event = info.context.per_event
    shared = per_event.get(event.id, "event loaders", lambda: EventLoaders(event.loaded))
    loaders = per_event.get(event.id, ("loaders", scope), lambda: Loaders(actor).sharing(shared).primed(event.loaded))
    info.context.loaders = loaders
    return loaders


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Provider staff: referrals sent to your organisation, live.")
    async def referral_inbox(self, info: Info, after: str | None = None) -> AsyncGenerator[InboxMessage, None]:
        actor = _actor(info)
        if not policy.has_referral_inbox(actor):
            raise SubscriptionRefused("The referral inbox is for provider staff.")
        topic = f"provider:{actor.provider_id}"
        async for event in _events(info, frozenset({topic}), _cursor(after)):
            # Its own offers' news too (shortlisted, accepted, declined): offer events name only the offering provider.
            if not event.type.startswith(("referral.", "offer.")) or topic not in event.topics:
                continue
            loaders = _shared_loaders(info, event, actor)
            referral = await loaders.referral.load(event.payload["referralId"])
            if referral is not None:
                reason = event.payload.get("declineReason") if event.type == "offer.declined" else None
                yield InboxMessage(
                    cursor=event.cursor,
                    event=event.type,
                    referral=referral,
                    decline_reason=v.OfferDeclineReason(reason) if reason else None,
                )

    @strawberry.subscription(description="The council's view of one referral: offers and declines as they happen.")
    async def offer_updates(
        self, info: Info, referral_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[OfferUpdate, None]:
        actor = _actor(info)
        pk = from_global_id(referral_id, "Referral")
        try:
            referral = await lookups.referral_for(actor, pk or 0)
        except ServiceError as error:
            raise SubscriptionRefused(error.message) from error
        if not policy.may_oversee_referral(actor, referral):
            raise SubscriptionRefused("Offer updates are for the council that owns the referral.")
        async for event in _events(info, frozenset({f"referral:{referral.id}"}), _cursor(after)):
            if not (event.type.startswith("offer.") or event.type == "referral.declined"):
                continue
            loaders = _shared_loaders(info, event, actor)
            offer = await _offer(actor, event)
            provider = await loaders.provider.load(event.payload["providerId"])
            yield OfferUpdate(
                cursor=event.cursor,
                event=event.type,
                offer=offer,
                referral=await loaders.referral.load(referral.id),
                provider_name=provider.name if provider else None,
            )

    @strawberry.subscription(
        description="Questions on one referral and their answers, live: for the owning council every question "
        "asked; for a provider it was sent to, its own questions and the answers that concern it."
    )
    async def referral_questions(
        self, info: Info, referral_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[QuestionMessage, None]:
        actor = _actor(info)
        pk = from_global_id(referral_id, "Referral")
        try:
            referral = await lookups.referral_for(actor, pk or 0)
        except ServiceError as error:
            raise SubscriptionRefused(error.message) from error
        if policy.may_oversee_referral(actor, referral):
            topic = f"referral:{referral.id}"
        elif await policy.may_ask_question(actor, referral):
            topic = f"provider:{actor.provider_id}"  # named on a question's events only when they concern it
        else:
            raise SubscriptionRefused("Questions are for the council and the providers the referral was sent to.")
        async for event in _events(info, frozenset({topic}), _cursor(after)):
            if not event.type.startswith("question.") or topic not in event.topics:
                continue
            if event.payload.get("referralId") != referral.id:
                continue
            view = await questions.question_for(actor, referral, event.payload["questionId"])
            if view is not None:
                yield QuestionMessage(cursor=event.cursor, event=event.type, question=ReferralQuestion.of(view))

    @strawberry.subscription(description="Council staff: vacancies on your frameworks' providers, live.")
    async def vacancy_feed(
        self, info: Info, after: str | None = None, filter: VacancyFilter | None = None
    ) -> AsyncGenerator[VacancyMessage, None]:
        actor = _actor(info)
        if not policy.may_watch_vacancies(actor):
            raise SubscriptionRefused("The vacancy feed is for council staff.")
        topics = frozenset(actor.topics)
        async for event in _events(info, topics, _cursor(after)):
            if not event.type.startswith("vacancy.") or not (topics & event.topics):
                continue
            _shared_loaders(info, event, actor)
            query = policy.scope_vacancies(actor, Vacancy.filter(id=event.payload["vacancyId"]))
            if filter is not None:
                query = await filter_vacancies(query, VacancyFilter(**{**vars(filter), "include_closed": True}))
            vacancy = await query.first()
            if vacancy is not None:
                yield VacancyMessage(cursor=event.cursor, event=event.type, vacancy=vacancy)

    @strawberry.subscription(description="Your organisation's figures, pushed as they change (at most once a second).")
    async def dashboard(self, info: Info, after: str | None = None) -> AsyncGenerator[DashboardMessage, None]:
        """A snapshot needs no replay: `after` is accepted, and the first message is always the current figures."""
        actor = _actor(info)
        if not policy.has_dashboard(actor):
            raise SubscriptionRefused("Dashboards are for council and provider staff.")
        _cursor(after)
        clock = asyncio.get_running_loop().time
        yield DashboardMessage(cursor=str(await latest_event_id()), dashboard=await dashboard_for(actor))
        last_sent = clock()
        async for event in get_hub().stream(frozenset(actor.topics), None, coalesce=True):
            wait = DASHBOARD_MIN_INTERVAL - (clock() - last_sent)
            if wait > 0:
                await asyncio.sleep(wait)
            figures = await dashboard_for(actor)
            last_sent = clock()
            yield DashboardMessage(cursor=event.cursor, dashboard=figures)
