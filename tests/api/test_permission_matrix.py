"""The permission matrix: every query, mutation and subscription, for every role, on its own side and the other.

Columns (ROLES): placement officer, commissioner, provider responder, provider admin, platform admin,
anonymous; each written "own other", `A` allowed and `-` denied.

"own" is the Kent / Harbour side of the world: a Kent referral broadcast to Harbour, Harbour's offer,
household, home, vacancy and placement, the Kent & Medway framework Kent leads. "other" is the
Medway / Oakleaf side: a Medway referral sent only to Oakleaf, Oakleaf's offer, household, home and
placement, a framework Medway leads and Kent is not on, the vacancy of a provider on none of Kent's
frameworks. The platform admin and the anonymous caller are asked about the same two sides. Where no
input can name another organisation (logout, createApiToken, onboardProvider) "other" repeats the call.

Denied means, for a query, that the object is absent: null, an empty list, or a list without it (a
refused object looks exactly like a missing one). For a mutation: errors coded PERMISSION_DENIED,
NOT_FOUND or UNAUTHENTICATED, no result, and not one row of the database changed. For a subscription, over
a real websocket and replayed from the start of the event log: the anonymous caller's connection is closed
with 4403, a signed-in caller is refused with an error or never sent the target.

An operation of the served schema without a row here fails test_every_operation_has_a_row.
Everything is built through the services users hit (children's homes excepted: no use case writes them yet).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from tortoise import Tortoise, connections

from bench.harness.marketplace import ADMIN, PASSWORD, SCHEDULE_START, Marketplace, referral_details
from schema.ids import to_global_id
from server.app import create_app
from server.auth import policy
from server.auth.actor import Actor
from server.domain.child_details import ChildDetails
from server.domain.vocabulary import (
    AgeBand,
    AllegationCategory,
    AllegationReporter,
    ChildDocumentKind,
    Duration,
    FeedbackGiver,
    NeedLevel,
    OfstedJudgement,
    OutboxStatus,
    PlacementKind,
    ProviderType,
    ReferralStatus,
    ReviewActionOwner,
    Role,
)
from server.models import (
    ChildrensHome,
    ContractReview,
    ContractReviewAction,
    Framework,
    LoginAttempt,
    Lot,
    LotMembership,
    MembershipSuspension,
    Offer,
    OutboxMessage,
    Placement,
    Referral,
    Vacancy,
)
from server.outbox.kinds import Notification, kinds_for
from server.services import (
    accounts,
    administration,
    broadcast,
    child_records,
    contract_records,
    data_standards,
    offers,
    questions,
    reopenings,
    resources,
    suspensions,
    vacancies,
)
from server.services.administration import PriceLine
from server.services.offers import OfferDetails
from server.services.referrals import create_referral, publish_referral
from server.services.unit_of_work import unit_of_work
from tests.api.conftest import Api
from tests.api.conftest import test_settings as settings_for
from tests.live.conftest import GraphQLSocket

Scope = Literal["own", "other"]
SCOPES: tuple[Scope, Scope] = ("own", "other")

# Role -> the signed-in user who plays it (a key of Api.tokens); None is the anonymous caller.
ROLES: dict[str, str | None] = {
    "placement_officer": "kent_officer",
    "commissioner": "kent_commissioner",
    "provider_responder": "harbour",
    "provider_admin": "harbour_admin",
    "platform_admin": "admin",
    "anonymous": None,
}

# The side each role belongs to, and its counterpart: (council user, provider user).
SIDES: dict[Scope, tuple[str, str]] = {"own": ("kent_officer", "harbour"), "other": ("medway_officer", "oakleaf")}

#                         officer  commiss.  respond.  prov.adm  p.admin  anonymous
QUERIES: dict[str, str] = {
    "me": "A-       A-        A-        A-        A-       --",
    "liveCursor": "A-       A-        A-        A-        A-       --",
    "referrals": "A-       A-        A-        A-        AA       --",
    "referral": "A-       A-        A-        A-        AA       --",
    "offers": "A-       A-        A-        A-        AA       --",
    "myOffers": "--       --        A-        A-        --       --",
    "vacancies": "A-       A-        A-        A-        AA       --",
    "frameworks": "A-       A-        A-        A-        AA       --",
    "placements": "A-       A-        A-        A-        AA       --",
    "carerHouseholds": "--       --        A-        A-        AA       --",
    "childrensHomes": "--       --        A-        A-        AA       --",
    "bestMatches": "--       --        A-        A-        --       --",
    "feeQuote": "--       --        A-        A-        --       --",
    "offerRanking": "A-       A-        --        --        AA       --",
    "dashboard": "A-       A-        A-        A-        --       --",
    "notificationPreferences": "A-       A-        A-        A-        A-       --",
    "parkedEmails": "--       --        --        --        AA       --",
    "providers": "--       A-        --        --        AA       --",
    "councils": "AA       AA        AA        AA        AA       --",
    "users": "--       --        --        A-        AA       --",
    "apiTokens": "A-       A-        A-        A-        AA       --",
    "grantableRoles": "--       --        --        A-        A-       --",
    "childRecord": "A-       --        A-        A-        --       --",
    "referralDocument": "A-       --        A-        A-        --       --",
    "accessAudit": "A-       --        --        --        --       --",
    "sharedDocuments": "A-       --        A-        A-        --       --",
    "placementAgreement": "A-       A-        A-        A-        --       --",
    "referralQuestions": "A-       A-        A-        A-        AA       --",
    # Re-openings (issue 18): an open window is an invitation to every provider; councils see their frameworks'.
    "reopenings": "A-       A-        AA        AA        AA       --",
    "joinApplications": "--       A-        A-        A-        AA       --",
    "placementsStandardExport": "A-       --        --        --        --       --",
    "placementsStandardBulkExport": "A-       --        --        --        --       --",
    "ssda903Episodes": "A-       --        --        --        --       --",
    "blockContracts": "A-       A-        A-        A-        AA       --",
    "blockPlaceOptions": "--       AA        --        --        AA       --",
    # Contract management (issue 17). Medway, whose allegation is "other", is a member of the framework Kent leads:
    # its lead commissioners read the allegations of every member council.
    "frameworkQuarter": "--       A-        --        --        --       --",
    "councilQuarter": "A-       A-        --        --        --       --",
    "providerScorecard": "--       A-        A-        A-        --       --",
    "allegations": "A-       AA        A-        A-        --       --",
    "contractReviews": "--       A-        A-        A-        --       --",
    "placementFeedback": "A-       AA        A-        A-        --       --",
}

#                            officer  commiss.  respond.  prov.adm  p.admin  anonymous
MUTATIONS: dict[str, str] = {
    "login": "A-       A-        A-        A-        A-       A-",
    "logout": "AA       AA        AA        AA        AA       --",
    "createApiToken": "AA       AA        AA        AA        AA       --",
    "revokeApiToken": "A-       A-        A-        A-        AA       --",
    "createUser": "--       --        --        A-        AA       --",
    "onboardProvider": "--       --        --        --        AA       --",
    "addProviderToLot": "--       A-        --        --        AA       --",
    "removeProviderFromLot": "--       A-        --        --        AA       --",
    "setPriceSchedule": "--       A-        --        --        AA       --",
    "createReferral": "A-       --        --        --        --       --",
    "updateReferral": "A-       --        --        --        --       --",
    "publishReferral": "A-       --        --        --        --       --",
    "escalateToSpot": "A-       --        --        --        --       --",
    "withdrawReferral": "A-       --        --        --        --       --",
    "submitOffer": "--       --        A-        A-        --       --",
    "withdrawOffer": "--       --        A-        A-        --       --",
    "shortlistOffer": "A-       --        --        --        --       --",
    "declineOffer": "A-       --        --        --        --       --",
    "acceptOffer": "A-       --        --        --        --       --",
    "declineReferral": "--       --        A-        A-        --       --",
    "endPlacement": "A-       --        A-        A-        --       --",
    "postVacancy": "--       --        A-        A-        --       --",
    "updateVacancy": "--       --        A-        A-        AA       --",
    "closeVacancy": "--       --        A-        A-        AA       --",
    "createCarerHousehold": "--       --        A-        A-        AA       --",
    "updateCarerHousehold": "--       --        A-        A-        AA       --",
    "createChildrensHome": "--       --        A-        A-        AA       --",
    "updateChildrensHome": "--       --        A-        A-        AA       --",
    "setNotificationPreference": "AA       AA        AA        AA        --       --",
    "retryParkedEmail": "--       --        --        --        AA       --",
    "saveChildRecord": "A-       --        --        --        --       --",
    "addReferralDocument": "A-       --        --        --        --       --",
    "revokeChildRecordAccess": "A-       --        --        --        --       --",
    "shareDocuments": "A-       --        --        --        --       --",
    "confirmPlacementAgreement": "A-       --        A-        A-        --       --",
    "confirmPlacementStart": "A-       --        A-        A-        --       --",
    "changePlacementFee": "A-       --        A-        A-        --       --",
    "recordPlacementReview": "A-       --        --        --        --       --",
    "giveNotice": "A-       --        A-        A-        --       --",
    "startStepAcross": "A-       --        --        --        --       --",
    "askQuestion": "--       --        A-        A-        --       --",
    "answerQuestion": "A-       --        --        --        --       --",
    # A framework's life: own is the framework Kent leads, other the one Medway leads.
    "createFramework": "--       A-        --        --        AA       --",
    "updateFramework": "--       A-        --        --        AA       --",
    "extendFramework": "--       A-        --        --        AA       --",
    "createLot": "--       A-        --        --        AA       --",
    "updateLot": "--       A-        --        --        AA       --",
    "terminateMembership": "--       A-        --        --        AA       --",
    # Re-openings and mergers (issue 18): a provider admin may apply to any framework's open re-opening.
    "openReopening": "--       A-        --        --        AA       --",
    "applyToJoinLot": "--       --        --        AA        --       --",
    "decideJoinApplication": "--       A-        --        --        AA       --",
    "mergeProviders": "--       --        --        --        AA       --",
    "suspendMembership": "--       A-        --        --        AA       --",
    "liftSuspension": "--       A-        --        --        AA       --",
    "importPlacementsStandard": "AA       --        --        --        --       --",
    "recordLegalStatusChange": "A-       --        --        --        --       --",
    "setPlacementStandardDetails": "A-       --        --        --        --       --",
    "createBlockContract": "--       A-        --        --        AA       --",
    "updateBlockContract": "--       A-        --        --        AA       --",
    "recordAllegation": "A-       A-        A-        A-        --       --",
    "updateAllegation": "A-       A-        A-        A-        --       --",
    "recordPlacementFeedback": "A-       A-        --        --        --       --",
    "recordContractReview": "--       A-        --        --        --       --",
    "updateContractReviewAction": "--       A-        --        --        --       --",
}

#                              officer  commiss.  respond.  prov.adm  p.admin  anonymous
SUBSCRIPTIONS: dict[str, str] = {
    "referralInbox": "--       --        A-        A-        --       --",
    "offerUpdates": "A-       A-        --        --        AA       --",
    "vacancyFeed": "A-       A-        --        --        --       --",
    "dashboard": "A-       A-        A-        A-        --       --",
    "referralQuestions": "A-       A-        A-        A-        AA       --",
    "contractFiguresChanged": "--       A-        --        --        --       --",
}

DENIED_CODES = frozenset({"PERMISSION_DENIED", "NOT_FOUND", "UNAUTHENTICATED"})


def cells(row: str) -> list[tuple[str, Scope, bool]]:
    """(role, scope, allowed) for each of a row's twelve cells."""
    pairs = row.split()
    assert len(pairs) == len(ROLES) and all(len(p) == 2 and set(p) <= {"A", "-"} for p in pairs), row
    return [
        (role, scope, mark == "A")
        for role, pair in zip(ROLES, pairs, strict=True)
        for scope, mark in zip(SCOPES, pair, strict=True)
    ]


def verdict(allowed: bool) -> str:
    return "allowed" if allowed else "denied"


# --- the world ---------------------------------------------------------------------------------------


@dataclass
class World:
    """The marketplace plus a Medway-led framework, two sides of everything, and factories for fresh objects."""

    api: Api
    market: Marketplace
    medway_framework: Framework
    medway_lot: Lot
    medway_spare_lot: Lot
    households: dict[str, int] = field(default_factory=dict)  # provider key -> a six-place household
    targets: dict[str, dict[Scope, str]] = field(default_factory=dict)  # kind -> scope -> global id
    offers: dict[str, Offer] = field(default_factory=dict)  # harbour_on_kent, oakleaf_on_kent, oakleaf_on_medway
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    # scope -> (referral, document) ids of a placed referral whose child's record was saved, made on first use
    child_records: dict[Scope, tuple[int, int]] = field(default_factory=dict)
    shared_documents: dict[Scope, int] = field(default_factory=dict)  # scope -> referral with a shared document
    asked: dict[Scope, int] = field(default_factory=dict)  # scope -> referral its provider asked a question on

    def user_id(self, key: str) -> str:
        return to_global_id("User", self.market.users[key].id)

    async def referral(self, side: Scope, *, publish: bool = True) -> Referral:
        """Kent's go to Harbour and Oakleaf (tier 1) and Northdowns (tier 2); Medway's only to Oakleaf."""
        if side == "own":
            return await self.market.referral("kent_officer", publish=publish)
        officer = self.market.actor("medway_officer")
        details = referral_details(
            self.market,
            framework_id=self.medway_framework.id,
            lot_id=self.medway_lot.id,
            home_district="ME4",
            max_distance_miles=40,
        )
        referral = await create_referral(officer, details)
        return await publish_referral(officer, referral.id) if publish else referral

    async def exhausted_referral(self, side: Scope) -> Referral:
        """Every framework tier has been sent to and none is pending: ready for spot purchase."""
        referral = await self.referral(side)
        if referral.tier_deadline is not None:
            async with unit_of_work() as work:
                await broadcast.cascade_one(work, referral, datetime.now(UTC))
            await referral.refresh_from_db()
        return referral

    async def offer(self, side: Scope, referral: Referral | None = None) -> Offer:
        provider = SIDES[side][1]
        referral = referral or await self.referral(side)
        return await offers.submit_offer(
            self.market.actor(provider),
            OfferDetails(
                referral_id=referral.id,
                carer_household_id=self.households[provider],
                start_date=datetime.now(UTC).date() + timedelta(days=2),
                matching_statement="Experienced with teenagers; settled household near school.",
            ),
        )

    async def placement(self, side: Scope) -> Placement:
        offer = await self.offer(side)
        return await offers.accept_offer(self.market.actor(SIDES[side][0]), offer.id)

    async def vacancy(self, provider: str) -> Vacancy:
        return await vacancies.post_vacancy(
            self.market.actor(provider),
            vacancies.VacancyDetails(
                places=1, carer_household_id=self.households[provider], note="Free from the start of term."
            ),
        )

    async def household(self, provider: str, *, places: int = 1, youngest: int = 0, oldest: int = 5) -> int:
        n = next(self.serial)
        household = await resources.create_carer_household(
            self.market.actor(provider),
            self.market.providers[provider].id,
            resources.HouseholdDetails(
                reference=f"{provider.upper()}-{n:03d}",
                district=self.market.providers[provider].district,
                min_age=youngest,
                max_age=oldest,
                approved_places=places,
                placement_kinds=[PlacementKind.CORE_FOSTERING.value, PlacementKind.SOLO.value],
                durations=[d.value for d in Duration],
            ),
        )
        return household.id

    async def spare_membership(self, side: Scope) -> LotMembership:
        """Harbour on Kent's enhanced lot, Oakleaf on Medway's spare lot: nothing is broadcast on either."""
        lot = self.market.enhanced_lot if side == "own" else self.medway_spare_lot
        provider = self.market.providers[SIDES[side][1]]
        return await administration.add_provider_to_lot(
            ADMIN, lot_id=lot.id, provider_id=provider.id, tier=1, joined_on=date(2024, 4, 1)
        )

    async def api_token(self, user: str, kind: str = "api") -> tuple[str, int]:
        token, row = await accounts.issue_token(self.market.users[user], kind, name="Case management sync")
        return token, row.id

    async def spare_session(self, user: str) -> str:
        """A second sign-in, for a caller that logs out without losing the session the matrix uses."""
        token, _ = await self.api_token(user, "login")
        key = f"{user}-spare-{next(self.serial)}"
        self.api.tokens[key] = token
        return key


async def build_world(api: Api, market: Marketplace) -> World:
    medway = await Framework.create(
        reference="MW-SPEC-2024",
        name="Medway specialist fostering",
        lead_council=market.medway,
        starts_on=date(2024, 4, 1),
        ends_on=date(2028, 3, 31),
        minimum_ofsted_judgement=OfstedJudgement.GOOD,
    )
    await medway.member_councils.add(market.medway)
    bands = [b.value for b in (AgeBand.AGE_5_10, AgeBand.AGE_11_15, AgeBand.AGE_16_18)]
    levels = [NeedLevel.STANDARD.value, NeedLevel.ADDITIONAL_SUPPORT.value]
    lot = await Lot.create(
        framework=medway,
        code="MLOT1",
        name="Core fostering",
        placement_kinds=[PlacementKind.CORE_FOSTERING.value],
        age_bands=bands,
        need_levels=levels,
    )
    spare = await Lot.create(
        framework=medway,
        code="MLOT2",
        name="Solo placements",
        placement_kinds=[PlacementKind.SOLO.value],
        age_bands=bands,
        need_levels=levels,
    )
    world = World(api, market, medway, lot, spare)

    oakleaf = await administration.add_provider_to_lot(
        ADMIN, lot_id=lot.id, provider_id=market.providers["oakleaf"].id, tier=1, joined_on=date(2024, 4, 1)
    )
    await administration.set_price_schedule(
        ADMIN,
        membership_id=oakleaf.id,
        effective_from=SCHEDULE_START,
        prices=[PriceLine(AgeBand(band), NeedLevel(level), 95_000) for band in bands for level in levels],
        supplements=[],
    )
    # The spot provider is on Medway's framework only: Kent must not see its vacancies.
    await administration.add_provider_to_lot(
        ADMIN, lot_id=spare.id, provider_id=market.providers["spot"].id, tier=1, joined_on=date(2024, 4, 1)
    )

    harbour_admin = await accounts.create_user(
        None,
        email="manager@harbour.test",
        password=PASSWORD,
        display_name="Harbour registered manager",
        role=Role.PROVIDER_ADMIN,
        provider_id=market.providers["harbour"].id,
    )
    market.users["harbour_admin"] = harbour_admin
    await api.sign_in("harbour_admin", harbour_admin.email)

    for key in ("harbour", "oakleaf", "spot"):
        world.households[key] = await world.household(key, places=6, youngest=8, oldest=17)
    homes = {
        key: await ChildrensHome.create(
            provider=market.providers[key],
            name=f"{key.title()} House",
            ofsted_urn=urn,
            beds=3,
            min_age=10,
            max_age=17,
            district=market.providers[key].district,
            ofsted_judgement=OfstedJudgement.GOOD,
        )
        for key, urn in (("harbour", "SC910001"), ("oakleaf", "SC910002"))
    }

    kent, medway_open = await world.referral("own"), await world.referral("other")
    harbour_offer = await world.offer("own", kent)
    oakleaf_offer = await world.offer("other", medway_open)
    world.offers = {
        "harbour_on_kent": harbour_offer,
        "oakleaf_on_medway": oakleaf_offer,
        # Oakleaf competes with Harbour on Kent's referral.
        "oakleaf_on_kent": await world.offer("other", kent),
    }
    placements = {side: await world.placement(side) for side in SCOPES}
    vacancy = {key: await world.vacancy(key) for key in ("harbour", "oakleaf", "spot")}

    def ids(type_name: str, own: int, other: int) -> dict[Scope, str]:
        return {"own": to_global_id(type_name, own), "other": to_global_id(type_name, other)}

    world.targets = {
        "referral": ids("Referral", kent.id, medway_open.id),
        "offer": ids("Offer", harbour_offer.id, oakleaf_offer.id),
        "placement": ids("Placement", placements["own"].id, placements["other"].id),
        "vacancy": ids("Vacancy", vacancy["harbour"].id, vacancy["spot"].id),
        "framework": ids("Framework", market.framework.id, medway.id),
        "household": ids("CarerHousehold", world.households["harbour"], world.households["oakleaf"]),
        "home": ids("ChildrensHome", homes["harbour"].id, homes["oakleaf"].id),
    }
    return world


@pytest.fixture
async def world(api: Api, market: Marketplace) -> AsyncIterator[World]:
    yield await build_world(api, market)
    # Let the event hub take the last commit's ring before the app stops: on Python 3.11, stopping it
    # in that very tick loses the cancellation (asyncio.wait_for in EventHub._run) and the test hangs.
    await asyncio.sleep(0.05)


async def ask(w: World, who: str | None, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The data, or None when the anonymous caller was refused outright (the only error a probe expects)."""
    body = await w.api(query, variables, as_=who)
    if body.get("errors"):
        codes = {error.get("extensions", {}).get("code") for error in body["errors"]}
        assert who is None and codes == {"UNAUTHENTICATED"}, body
        return None
    return body["data"]


# --- queries: each probe says whether the caller sees the target of that scope ------------------------

Probe = Callable[[World, str | None, Scope], Awaitable[bool]]


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


def _edges(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def _me(w: World, who: str | None, scope: Scope) -> bool:
    data = await ask(w, who, "{ me { id } }")
    me = data["me"] if data else None
    if me is None or who is None:
        return False
    return (me["id"] == w.user_id(who)) == (scope == "own")


async def _live_cursor(w: World, who: str | None, scope: Scope) -> bool:
    """Any signed-in user may read where the event log has got to; there is no other organisation's cursor."""
    data = await ask(w, who, "{ liveCursor }")
    return scope == "own" and data is not None and data["liveCursor"].isdigit()


def _listed(field_name: str, kind: str, *, connection: bool = True) -> Probe:
    async def probe(w: World, who: str | None, scope: Scope) -> bool:
        selection = "edges { node { id } }" if connection else "id"
        arguments = "(first: 100)" if connection else ""
        data = await ask(w, who, f"{{ {field_name}{arguments} {{ {selection} }} }}")
        if data is None:
            return False
        items = _edges(data[field_name]) if connection else data[field_name]
        return w.targets[kind][scope] in _ids(items)

    return probe


def _about_referral(field_name: str, selection: str, seen: Callable[[World, Scope, Any], bool]) -> Probe:
    async def probe(w: World, who: str | None, scope: Scope) -> bool:
        argument = "id" if field_name == "referral" else "referralId"
        data = await ask(
            w,
            who,
            f"query($r: ID!) {{ {field_name}({argument}: $r) {selection} }}",
            {"r": w.targets["referral"][scope]},
        )
        return data is not None and seen(w, scope, data[field_name])

    return probe


DASHBOARD_FIGURES = "{ council { openByUrgency { count } } provider { offersLive } }"


async def _dashboard(w: World, who: str | None, scope: Scope) -> bool:
    data = await ask(w, who, f"{{ dashboard {DASHBOARD_FIGURES} }}")
    if data is None or who is None:
        return False
    return await _figures_seen(w, who, scope, data["dashboard"])


async def _figures_seen(w: World, who: str, scope: Scope, dashboard: dict[str, Any]) -> bool:
    """Own: the caller's organisation has figures. Other: those figures count another organisation's work."""
    council, provider = dashboard["council"], dashboard["provider"]
    if scope == "own":
        return council is not None or provider is not None
    actor = w.market.actor(who)
    if council is not None:
        own_open = await Referral.filter(council_id=actor.council_id, status=ReferralStatus.OPEN).count()
        return sum(row["count"] for row in council["openByUrgency"]) != own_open
    if provider is not None:
        return provider["offersLive"] != await Offer.filter(provider_id=actor.provider_id, live=1).count()
    return False


async def _notification_preferences(w: World, who: str | None, scope: Scope) -> bool:
    """Own: the kinds of email the caller's role is sent. No argument can name anyone else's."""
    data = await ask(w, who, "{ notificationPreferences { notification } }")
    if data is None or who is None or scope == "other":
        return False
    sent = [kind.name for kind in kinds_for(w.market.actor(who).role)]
    return [preference["notification"] for preference in data["notificationPreferences"]] == sent


async def _parked_email(w: World) -> int:
    """An email parked as failed; parked mail names no organisation, so "other" repeats the call."""
    await w.market.referral()
    message = await OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("-id").first()
    assert message is not None
    await OutboxMessage.filter(id=message.id).update(status=OutboxStatus.FAILED, last_error="550 No such mailbox")
    return message.id


async def _parked_emails(w: World, who: str | None, scope: Scope) -> bool:
    target = _gid("ParkedEmail", await _parked_email(w))
    data = await ask(w, who, "{ parkedEmails(first: 100) { edges { node { id } } } }")
    return data is not None and target in [edge["node"]["id"] for edge in data["parkedEmails"]["edges"]]


async def _providers(w: World, who: str | None, scope: Scope) -> bool:
    """Own: Harbour's place on Kent's core lot; other: Oakleaf's on Medway's lot, which Kent is not on."""
    lot = w.market.core_lot if scope == "own" else w.medway_lot
    provider = w.market.providers[SIDES[scope][1]]
    target = _gid("LotMembership", (await LotMembership.get(lot_id=lot.id, provider_id=provider.id)).id)
    data = await ask(w, who, "{ providers { memberships { id } } }")
    return data is not None and target in {m["id"] for p in data["providers"] for m in p["memberships"]}


async def _councils(w: World, who: str | None, scope: Scope) -> bool:
    """The directory of councils is public: Kent and Medway alike, to anyone signed in."""
    council = w.market.kent if scope == "own" else w.market.medway
    data = await ask(w, who, "{ councils { id } }")
    return data is not None and _gid("Council", council.id) in _ids(data["councils"])


async def _users(w: World, who: str | None, scope: Scope) -> bool:
    """Own: Harbour's duty desk (the provider admin's own staff); other: Oakleaf's."""
    data = await ask(w, who, "{ users(first: 100) { edges { node { id } } } }")
    return data is not None and w.user_id(SIDES[scope][1]) in _ids(_edges(data["users"]))


async def _api_tokens(w: World, who: str | None, scope: Scope) -> bool:
    """Own: a token of the caller's; other: one of the other side's user of the same kind."""
    role = next(role for role, key in ROLES.items() if key == who)
    owner = (who or "kent_officer") if scope == "own" else _council_or_provider(role, "other")
    _, token_id = await w.api_token(owner)
    data = await ask(w, who, "{ apiTokens { id prefix } }")
    return data is not None and _gid("ApiToken", token_id) in _ids(data["apiTokens"])


async def _grantable_roles(w: World, who: str | None, scope: Scope) -> bool:
    """Own: the caller may grant roles, and createUser would let it grant each. No argument names anyone else."""
    data = await ask(w, who, "{ grantableRoles }")
    if data is None or who is None or scope == "other" or not data["grantableRoles"]:
        return False
    actor = w.market.actor(who)
    return all(policy.may_create_user(actor, Role[r], actor.provider_id) for r in data["grantableRoles"])


CHILD = {
    "fullName": "Amelia Rose Thornbury",
    "dateOfBirth": "2013-05-17",
    "nhsNumber": "943 476 5919",
    "socialWorkerName": "Priya Raman",
}
CARE_PLAN = base64.b64encode(b"%PDF-1.7\n%%EOF\n").decode()


async def _child_record_kept(w: World, referral: Referral) -> int:
    """The side's council saves the child's record and a care plan; the care plan's id."""
    officer = w.market.actor(SIDES["own" if referral.council_id == w.market.kent.id else "other"][0])
    await child_records.save_child_record(
        officer, referral.id, ChildDetails(**{_snake(k): v for k, v in CHILD.items()})
    )
    document = await child_records.add_document(
        officer, referral.id, kind=ChildDocumentKind.CARE_PLAN, file_name="Care plan.pdf", content_base64=CARE_PLAN
    )
    return document.id


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


async def _placed_child(w: World, scope: Scope) -> tuple[int, int]:
    """A referral of the side placed with the side's provider (Harbour, Oakleaf), its child's record kept."""
    if scope not in w.child_records:
        placement = await w.placement(scope)
        referral = await Referral.get(id=placement.referral_id)
        w.child_records[scope] = (referral.id, await _child_record_kept(w, referral))
    return w.child_records[scope]


async def _child_record(w: World, who: str | None, scope: Scope) -> bool:
    referral_id, _ = await _placed_child(w, scope)
    query = "query($r: ID!) { childRecord(referralId: $r) { fullName documents { fileName } } }"
    data = await ask(w, who, query, {"r": _gid("Referral", referral_id)})
    return data is not None and data["childRecord"] is not None and data["childRecord"]["fullName"] == CHILD["fullName"]


async def _referral_document(w: World, who: str | None, scope: Scope) -> bool:
    _, document_id = await _placed_child(w, scope)
    query = "query($d: ID!) { referralDocument(id: $d) { contentBase64 } }"
    data = await ask(w, who, query, {"d": _gid("ReferralDocument", document_id)})
    return (
        data is not None
        and data["referralDocument"] is not None
        and data["referralDocument"]["contentBase64"] == CARE_PLAN
    )


async def _access_audit(w: World, who: str | None, scope: Scope) -> bool:
    referral_id, _ = await _placed_child(w, scope)
    query = "query($r: ID!) { accessAudit(referralId: $r) { action } }"
    data = await ask(w, who, query, {"r": _gid("Referral", referral_id)})
    return data is not None and bool(data["accessAudit"])


async def _shared_document(w: World, scope: Scope) -> int:
    """A referral of the side whose council shortlisted its provider's offer and shared an anonymised document."""
    if scope not in w.shared_documents:
        offer = await w.offer(scope)
        referral = await Referral.get(id=offer.referral_id)
        document_id = await _child_record_kept(w, referral)
        officer = w.market.actor(SIDES[scope][0])
        await offers.shortlist_offer(officer, offer.id)
        await child_records.share_documents(officer, referral.id, [document_id], marked_anonymised=True)
        w.shared_documents[scope] = referral.id
    return w.shared_documents[scope]


async def _shared_documents(w: World, who: str | None, scope: Scope) -> bool:
    referral_id = await _shared_document(w, scope)
    query = "query($r: ID!) { sharedDocuments(referralId: $r) { fileName } }"
    data = await ask(w, who, query, {"r": _gid("Referral", referral_id)})
    return data is not None and data["sharedDocuments"] == [{"fileName": "Care plan.pdf"}]


async def _placement_agreement(w: World, who: str | None, scope: Scope) -> bool:
    placement = await w.placement(scope)
    query = "query($p: ID!) { placementAgreement(placementId: $p) { ipaReference } }"
    data = await ask(w, who, query, {"p": _gid("Placement", placement.id)})
    found = data["placementAgreement"] if data else None
    return found is not None and found["ipaReference"] == placement.ipa_reference


QUESTION = "Is a school place already arranged near the home?"


async def _asked(w: World, scope: Scope) -> int:
    """A referral of the side on which the side's provider (Harbour, Oakleaf) asked the council a question."""
    if scope not in w.asked:
        referral = await w.referral(scope)
        await questions.ask_question(w.market.actor(SIDES[scope][1]), referral.id, QUESTION)
        w.asked[scope] = referral.id
    return w.asked[scope]


async def _referral_questions(w: World, who: str | None, scope: Scope) -> bool:
    referral_id = await _asked(w, scope)
    query = "query($r: ID!) { referralQuestions(referralId: $r) { question } }"
    data = await ask(w, who, query, {"r": _gid("Referral", referral_id)})
    return data is not None and [q["question"] for q in data["referralQuestions"]] == [QUESTION]


# --- re-openings and mergers (issue 18) ---


async def _fresh_lot(w: World, scope: Scope) -> Lot:
    """A new lot on Kent's framework (own) or Medway's (other), with nobody on it."""
    framework = w.market.framework if scope == "own" else w.medway_framework
    return await Lot.create(
        framework=framework,
        code=f"R{next(w.serial)}",
        name="Re-opened lot",
        placement_kinds=[PlacementKind.CORE_FOSTERING.value],
        age_bands=w.market.core_lot.age_bands,
        need_levels=[NeedLevel.STANDARD.value],
    )


async def _open_window(w: World, scope: Scope) -> tuple[Lot, int]:
    """A fresh lot of the side's framework in a re-opening open today (opened by the platform admin)."""
    lot = await _fresh_lot(w, scope)
    today = datetime.now(UTC).date()
    window = await reopenings.open_reopening(
        w.market.actor("admin"),
        framework_id=lot.framework_id,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        lot_ids=[lot.id],
    )
    return lot, window.id


async def _provider_admin(w: World, provider: str) -> Actor:
    key = f"{provider}_admin"
    if key not in w.market.users:
        w.market.users[key] = await accounts.create_user(
            None,
            email=f"manager@{provider}.test",
            password=PASSWORD,
            display_name=f"{provider.title()} registered manager",
            role=Role.PROVIDER_ADMIN,
            provider_id=w.market.providers[provider].id,
        )
    return w.market.actor(key)


async def _application(w: World, scope: Scope, provider: str) -> int:
    """An application to join a fresh lot of the side's framework by `provider` (through its admin)."""
    lot, _ = await _open_window(w, scope)
    application = await reopenings.apply_to_join_lot(
        await _provider_admin(w, provider), lot_id=lot.id, statement="Ten carer households across the county."
    )
    return application.id


async def _reopenings(w: World, who: str | None, scope: Scope) -> bool:
    _, window_id = await _open_window(w, scope)
    data = await ask(w, who, "{ reopenings { id } }")
    return data is not None and _gid("Reopening", window_id) in _ids(data["reopenings"])


async def _join_applications(w: World, who: str | None, scope: Scope) -> bool:
    """Own: Harbour's application on Kent's framework; other: Oakleaf's on Medway's."""
    target = _gid("JoinApplication", await _application(w, scope, SIDES[scope][1]))
    data = await ask(w, who, "{ joinApplications { id } }")
    return data is not None and target in _ids(data["joinApplications"])


async def _standard_export(w: World, who: str | None, scope: Scope) -> bool:
    referral = await w.referral(scope)
    query = "query($r: ID!) { placementsStandardExport(referralId: $r) { document } }"
    data = await ask(w, who, query, {"r": _gid("Referral", referral.id)})
    found = data["placementsStandardExport"] if data else None
    return found is not None and found["document"]["placementExchange"]["reference"] == referral.reference


async def _standard_bulk_export(w: World, who: str | None, scope: Scope) -> bool:
    """Own: a referral of the caller's side written today; other: the other council's. No argument names a council."""
    referral = await w.referral(scope)
    today = _today()
    query = "query($s: Date!, $u: Date!) { placementsStandardBulkExport(since: $s, until: $u) { documents } }"
    data = await ask(w, who, query, {"s": today, "u": today})
    found = data["placementsStandardBulkExport"] if data else None
    return found is not None and referral.reference in {d["placementExchange"]["reference"] for d in found["documents"]}


async def _ssda903_episodes(w: World, who: str | None, scope: Scope) -> bool:
    council = w.market.kent if scope == "own" else w.market.medway
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 4 else today.year - 1
    query = "query($c: ID!, $y: Int!) { ssda903Episodes(councilId: $c, year: $y) { columns episodes { CHILD } } }"
    data = await ask(w, who, query, {"c": _gid("Council", council.id), "y": year})
    found = data["ssda903Episodes"] if data else None
    return found is not None and bool(found["episodes"])  # the world's placements started this year


async def _block_contract_input(w: World, scope: Scope) -> dict[str, Any]:
    """Own: Kent's block contract for a bed in Harbour's home; other: Medway's for a bed in Oakleaf's."""
    provider = w.market.providers[SIDES[scope][1]]
    council = w.market.kent if scope == "own" else w.market.medway
    home = await ChildrensHome.filter(provider_id=provider.id).first()
    assert home is not None
    return {
        "reference": f"BLOCK-{next(w.serial):03d}",
        "name": "Children's home beds",
        "providerId": _gid("Provider", provider.id),
        "councilId": _gid("Council", council.id),
        "startsOn": _today(-30),
        "endsOn": _today(365 * 3),
        "weeklyPricePence": 650_000,
        "voidBasis": "PERCENT_OF_PRICE",
        "voidPercent": 50,
        "places": [{"startsOn": _today(-30), "childrensHomeId": _gid("ChildrensHome", home.id)}],
    }


async def _block_contract_of(w: World, scope: Scope) -> str:
    """The side's block contract (made by the platform admin on first use): its global id."""
    made = w.targets.setdefault("blockContract", {})
    if scope not in made:
        query = "mutation($input: CreateBlockContractInput!) { createBlockContract(input: $input) "
        query += "{ blockContract { id } errors { message } } }"
        body = await w.api(query, {"input": await _block_contract_input(w, scope)}, as_="admin")
        made[scope] = body["data"]["createBlockContract"]["blockContract"]["id"]
    return made[scope]


async def _block_contracts(w: World, who: str | None, scope: Scope) -> bool:
    target = await _block_contract_of(w, scope)
    data = await ask(w, who, "{ blockContracts { id places { occupancy { voidDays } } } }")
    return data is not None and target in _ids(data["blockContracts"])


async def _block_place_options(w: World, who: str | None, scope: Scope) -> bool:
    """Any provider's homes, for whoever makes block contracts: own Harbour's, other Oakleaf's."""
    provider = w.market.providers[SIDES[scope][1]]
    home = await ChildrensHome.filter(provider_id=provider.id).first()
    assert home is not None
    query = "query($p: ID!) { blockPlaceOptions(providerId: $p) { resourceId } }"
    data = await ask(w, who, query, {"p": _gid("Provider", provider.id)})
    return data is not None and _gid("ChildrensHome", home.id) in {o["resourceId"] for o in data["blockPlaceOptions"]}


# --- contract management (issue 17) ---------------------------------------------------------------------


def _framework_of(w: World, scope: Scope) -> Framework:
    return w.market.framework if scope == "own" else w.medway_framework


async def _framework_quarter(w: World, who: str | None, scope: Scope) -> bool:
    query = 'query($f: ID!) { frameworkQuarter(frameworkId: $f, quarter: "2025-Q3") { quarter } }'
    data = await ask(w, who, query, {"f": _gid("Framework", _framework_of(w, scope).id)})
    return data is not None and data["frameworkQuarter"] is not None


async def _council_quarter(w: World, who: str | None, scope: Scope) -> bool:
    council = w.market.kent if scope == "own" else w.market.medway
    query = 'query($c: ID!, $f: ID!) { councilQuarter(councilId: $c, frameworkId: $f, quarter: "2025-Q3") { quarter } }'
    variables = {"c": _gid("Council", council.id), "f": _gid("Framework", _framework_of(w, scope).id)}
    data = await ask(w, who, query, variables)
    return data is not None and data["councilQuarter"] is not None


async def _provider_scorecard(w: World, who: str | None, scope: Scope) -> bool:
    provider = w.market.providers[SIDES[scope][1]]
    query = (
        'query($p: ID!, $f: ID!) { providerScorecard(providerId: $p, frameworkId: $f, quarter: "2025-Q3") { quarter } }'
    )
    variables = {"p": _gid("Provider", provider.id), "f": _gid("Framework", _framework_of(w, scope).id)}
    data = await ask(w, who, query, variables)
    return data is not None and data["providerScorecard"] is not None


async def _allegation(w: World, scope: Scope) -> int:
    """An allegation the side's council recorded on its placement with the side's provider."""
    placement = await w.placement(scope)
    allegation = await contract_records.record_allegation(
        w.market.actor(SIDES[scope][0]),
        contract_records.AllegationDetails(
            reported_on=datetime.now(UTC).date(),
            category=AllegationCategory.NEGLECT,
            reported_by=AllegationReporter.SOCIAL_WORKER,
            placement_id=placement.id,
        ),
    )
    return allegation.id


async def _allegations(w: World, who: str | None, scope: Scope) -> bool:
    target = _gid("Allegation", await _allegation(w, scope))
    data = await ask(w, who, "{ allegations { id } }")
    return data is not None and target in _ids(data["allegations"])


async def _placement_feedback(w: World, who: str | None, scope: Scope) -> bool:
    """Feedback the side's council recorded on its placement with the side's provider (started last week)."""
    placement = await w.placement(scope)
    await Placement.filter(id=placement.id).update(start_date=datetime.now(UTC).date() - timedelta(days=7))
    feedback = await contract_records.record_placement_feedback(
        w.market.actor(SIDES[scope][0]),
        placement.id,
        contract_records.FeedbackDetails(
            given_on=datetime.now(UTC).date(),
            given_by=FeedbackGiver.SOCIAL_WORKER,
            needs_met=4,
            communication=3,
            stability=5,
        ),
    )
    data = await ask(w, who, "{ placementFeedback { id } }")
    return data is not None and _gid("PlacementFeedback", feedback.id) in _ids(data["placementFeedback"])


def _lead_commissioner(w: World, scope: Scope) -> Actor:
    """Kent's commissioner, or one of Medway's (the matrix's users have none; an actor is enough here)."""
    if scope == "own":
        return w.market.actor("kent_commissioner")
    officer = w.market.users["medway_officer"]
    return Actor(user_id=officer.id, role=Role.COMMISSIONER, council_id=w.market.medway.id)


async def _contract_review(w: World, scope: Scope) -> ContractReview:
    return await contract_records.record_contract_review(
        _lead_commissioner(w, scope),
        framework_id=_framework_of(w, scope).id,
        provider_id=w.market.providers[SIDES[scope][1]].id,
        held_on=datetime.now(UTC).date(),
        notes="Quarterly review: occupancy and response times.",
        actions=[
            contract_records.ActionDetails(
                what="Send the carers' training plan.",
                owner=ReviewActionOwner.PROVIDER,
                due_on=datetime.now(UTC).date() + timedelta(days=30),
            )
        ],
    )


async def _contract_reviews(w: World, who: str | None, scope: Scope) -> bool:
    target = _gid("ContractReview", (await _contract_review(w, scope)).id)
    data = await ask(w, who, "{ contractReviews { id } }")
    return data is not None and target in _ids(data["contractReviews"])


QUERY_PROBES: dict[str, Probe] = {
    "me": _me,
    "liveCursor": _live_cursor,
    "referrals": _listed("referrals", "referral"),
    "referral": _about_referral("referral", "{ id }", lambda w, scope, found: found is not None),
    "offers": _about_referral("offers", "{ id }", lambda w, scope, found: w.targets["offer"][scope] in _ids(found)),
    "myOffers": _listed("myOffers", "offer"),
    "vacancies": _listed("vacancies", "vacancy"),
    "frameworks": _listed("frameworks", "framework", connection=False),
    "placements": _listed("placements", "placement"),
    "carerHouseholds": _listed("carerHouseholds", "household"),
    "childrensHomes": _listed("childrensHomes", "home", connection=False),
    "bestMatches": _about_referral("bestMatches", "{ resourceId }", lambda w, scope, found: bool(found)),
    "feeQuote": _about_referral("feeQuote", "{ weeklyFeePence }", lambda w, scope, found: found is not None),
    "offerRanking": _about_referral("offerRanking", "{ offerId }", lambda w, scope, found: bool(found)),
    "dashboard": _dashboard,
    "notificationPreferences": _notification_preferences,
    "parkedEmails": _parked_emails,
    "providers": _providers,
    "councils": _councils,
    "users": _users,
    "apiTokens": _api_tokens,
    "grantableRoles": _grantable_roles,
    "childRecord": _child_record,
    "referralDocument": _referral_document,
    "accessAudit": _access_audit,
    "sharedDocuments": _shared_documents,
    "placementAgreement": _placement_agreement,
    "referralQuestions": _referral_questions,
    "reopenings": _reopenings,
    "joinApplications": _join_applications,
    "placementsStandardExport": _standard_export,
    "placementsStandardBulkExport": _standard_bulk_export,
    "ssda903Episodes": _ssda903_episodes,
    "blockContracts": _block_contracts,
    "blockPlaceOptions": _block_place_options,
    "frameworkQuarter": _framework_quarter,
    "councilQuarter": _council_quarter,
    "providerScorecard": _provider_scorecard,
    "allegations": _allegations,
    "contractReviews": _contract_reviews,
    "placementFeedback": _placement_feedback,
}


# --- subscriptions: each probe replays the log from the start and watches for the target --------------

# How long a feed may stay quiet before the probe concludes it has replayed everything it is going to send.
QUIET_SECONDS = 1.0


async def _watch(w: World, who: str | None, document: str, variables: dict[str, Any], seen: Callable) -> bool:
    """True once a message shows the target; False when refused, or when the feed goes quiet without it."""
    transport = ASGIWebSocketTransport(app=w.api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with aconnect_ws("http://testserver/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            socket = GraphQLSocket(ws)
            auth = {"Authorization": f"Bearer {w.api.tokens[who]}"} if who else {}
            await socket.send({"type": "connection_init", "payload": auth})
            if who is None:
                with pytest.raises(WebSocketDisconnect) as closed:
                    await socket.receive()
                assert closed.value.code == 4403
                return False
            assert (await socket.receive())["type"] == "connection_ack"
            await socket.subscribe(document, variables)
            while True:
                try:
                    message = await socket.receive(timeout=QUIET_SECONDS)
                except TimeoutError:
                    return False
                if message["type"] != "next" or message["payload"].get("errors"):
                    assert message["type"] in ("error", "next"), message  # a refusal, said as the protocol says
                    return False
                if await seen(message["payload"]["data"]):
                    return True


def _feed(field_name: str, arguments: str, selection: str, kind: str, seen: Callable[[Any], str | None]) -> Probe:
    """A feed whose messages each name one object of the kind: does one name the target of the scope?"""

    async def probe(w: World, who: str | None, scope: Scope) -> bool:
        target = w.targets[kind][scope]
        variables = {"target": target} if "$target" in arguments else {}
        signature = "($target: ID!)" if variables else ""
        document = f"subscription{signature} {{ {field_name}({arguments}) {selection} }}"

        async def shows_target(data: dict[str, Any]) -> bool:
            return seen(data[field_name]) == target

        return await _watch(w, who, document, variables, shows_target)

    return probe


async def _dashboard_feed(w: World, who: str | None, scope: Scope) -> bool:
    async def figures(data: dict[str, Any]) -> bool:
        return await _figures_seen(w, who, scope, data["dashboard"]["dashboard"])

    document = f"subscription {{ dashboard {{ dashboard {DASHBOARD_FIGURES} }} }}"
    return await _watch(w, who, document, {}, figures)


async def _questions_feed(w: World, who: str | None, scope: Scope) -> bool:
    target = _gid("Referral", await _asked(w, scope))
    document = (
        'subscription($target: ID!) { referralQuestions(referralId: $target, after: "0") { question { referralId } } }'
    )

    async def shows_target(data: dict[str, Any]) -> bool:
        return data["referralQuestions"]["question"]["referralId"] == target

    return await _watch(w, who, document, {"target": target}, shows_target)


async def _contract_figures_feed(w: World, who: str | None, scope: Scope) -> bool:
    """The world's accepted offers made placements in member councils of both frameworks: replayed, they move
    the figures of the framework of the scope."""
    document = (
        'subscription($target: ID!) { contractFiguresChanged(frameworkId: $target, after: "0") { event quarter } }'
    )
    target = _gid("Framework", _framework_of(w, scope).id)

    async def moved(data: dict[str, Any]) -> bool:
        return data["contractFiguresChanged"]["event"] == "offer.accepted"

    return await _watch(w, who, document, {"target": target}, moved)


SUBSCRIPTION_PROBES: dict[str, Probe] = {
    "referralInbox": _feed(
        "referralInbox", 'after: "0"', "{ referral { id } }", "referral", lambda m: m["referral"]["id"]
    ),
    # Offers on the target referral arriving: the first message names the referral's offers' referral.
    "offerUpdates": _feed(
        "offerUpdates",
        'referralId: $target, after: "0"',
        "{ offer { referral { id } } }",
        "referral",
        lambda m: m["offer"]["referral"]["id"] if m["offer"] else None,
    ),
    "vacancyFeed": _feed("vacancyFeed", 'after: "0"', "{ vacancy { id } }", "vacancy", lambda m: m["vacancy"]["id"]),
    "dashboard": _dashboard_feed,
    "referralQuestions": _questions_feed,
    "contractFiguresChanged": _contract_figures_feed,
}


# --- mutations: each case makes a target of a scope (fresh for every allowed call) --------------------

Target = Callable[[World, Scope, str], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class MutationCase:
    input_type: str | None  # None: the mutation takes no input
    result: str  # the payload field holding what was made or changed
    target: Target  # (world, scope, role) -> the input
    scalar: bool = False
    per_role: bool = False  # the target depends on who asks (their own account, their own organisation)
    caller: Callable[[World, str | None], Awaitable[str | None]] | None = None  # who calls, if not the role's user
    also_denied_as: frozenset[str] = frozenset()

    def document(self, name: str) -> str:
        selection = self.result if self.scalar else f"{self.result} {{ __typename }}"
        payload = f"{{ {selection} errors {{ field code message }} }}"
        if self.input_type is None:
            return f"mutation {{ {name} {payload} }}"
        return f"mutation($input: {self.input_type}!) {{ {name}(input: $input) {payload} }}"


def _gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def _today(days: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def _council_or_provider(role: str, scope: Scope) -> str:
    """The other side's user of the same kind as the role (council staff for the admin and the anonymous)."""
    council, provider = SIDES[scope]
    return provider if role.startswith("provider") else council


async def _login(w: World, scope: Scope, role: str) -> dict[str, Any]:
    if scope == "own":
        return {"email": w.market.users[ROLES[role] or "kent_officer"].email, "password": PASSWORD}
    return {"email": w.market.users[_council_or_provider(role, "other")].email, "password": "not-my-password"}


async def _logout_caller(w: World, who: str | None) -> str | None:
    return await w.spare_session(who) if who else None


async def _no_input(w: World, scope: Scope, role: str) -> None:
    return None


async def _token_request(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"name": "Case management sync", "days": 30}


async def _api_token_input(w: World, scope: Scope, role: str) -> dict[str, Any]:
    owner = (ROLES[role] or "kent_officer") if scope == "own" else _council_or_provider(role, "other")
    _, token_id = await w.api_token(owner)
    return {"tokenId": _gid("ApiToken", token_id)}


async def _new_user(w: World, scope: Scope, role: str) -> dict[str, Any]:
    n = next(w.serial)
    if role in ("placement_officer", "commissioner"):
        council = w.market.kent if scope == "own" else w.market.medway
        return {
            "email": f"officer{n}@council.test",
            "password": PASSWORD,
            "displayName": "New officer",
            "role": "PLACEMENT_OFFICER",
            "councilId": _gid("Council", council.id),
        }
    provider = w.market.providers[SIDES[scope][1]]
    return {
        "email": f"duty{n}@provider.test",
        "password": PASSWORD,
        "displayName": "New duty worker",
        "role": "PROVIDER_RESPONDER",
        "providerId": _gid("Provider", provider.id),
    }


async def _new_provider(w: World, scope: Scope, role: str) -> dict[str, Any]:
    n = next(w.serial)
    return {
        "name": f"Medway Valley Fostering {n}",
        "providerType": "IFA",
        "ofstedUrn": f"SC95{n:04d}",
        "ofstedJudgement": "GOOD",
        "district": "ME7",
    }


async def _lot_place(w: World, scope: Scope, role: str) -> dict[str, Any]:
    lot = w.market.enhanced_lot if scope == "own" else w.medway_spare_lot
    return {
        "lotId": _gid("Lot", lot.id),
        "providerId": _gid("Provider", w.market.providers[SIDES[scope][1]].id),
        "tier": 2,
        "joinedOn": _today(),
    }


async def _leaving(w: World, scope: Scope, role: str) -> dict[str, Any]:
    membership = await w.spare_membership(scope)
    return {"membershipId": _gid("LotMembership", membership.id), "leftOn": _today(), "reason": "WITHDREW"}


async def _prices(w: World, scope: Scope, role: str) -> dict[str, Any]:
    membership = await w.spare_membership(scope)
    return {
        "membershipId": _gid("LotMembership", membership.id),
        "effectiveFrom": _today(1),
        "prices": [{"ageBand": "AGE_11_15", "needLevel": "STANDARD", "weeklyFeePence": 120_000}],
        "supplements": [{"kind": "SOLO", "unit": "PER_WEEK", "amountPence": 15_000}],
    }


async def _referral_input(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """Own: on the framework Kent is a member of. Other: on Medway's, which Kent is not on."""
    framework, lot = (w.market.framework, w.market.core_lot) if scope == "own" else (w.medway_framework, w.medway_lot)
    return {
        "frameworkId": _gid("Framework", framework.id),
        "lotId": _gid("Lot", lot.id),
        "placementKind": "CORE_FOSTERING",
        "duration": "LONG_TERM",
        "urgency": "WITHIN_5_DAYS",
        "requiredBy": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "ageYears": 12,
        "gender": "MALE",
        "homeDistrict": "ME14",
        "summary": "Enjoys football; settled at school in Year 7.",
    }


async def _draft_update(w: World, scope: Scope, role: str) -> dict[str, Any]:
    draft = await w.referral(scope, publish=False)
    return {"id": _gid("Referral", draft.id), "summary": "Now settled in Year 10; swims twice a week."}


async def _draft(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("Referral", (await w.referral(scope, publish=False)).id)}


async def _open(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("Referral", (await w.referral(scope)).id), "reason": "A relative came forward."}


async def _exhausted(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("Referral", (await w.exhausted_referral(scope)).id)}


async def _offering(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """Harbour offers its own household on Kent's referral (sent to it) or Medway's (not sent to it)."""
    referral = await w.referral(scope)
    return {
        "referralId": _gid("Referral", referral.id),
        "carerHouseholdId": _gid("CarerHousehold", w.households["harbour"]),
        "startDate": _today(2),
        "matchingStatement": "Experienced with teenagers who go missing.",
    }


async def _live_offer(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("Offer", (await w.offer(scope)).id)}


async def _declining_offer(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"offerId": _gid("Offer", (await w.offer(scope)).id), "reason": "COST", "note": "Above our budget."}


async def _declining(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {
        "referralId": _gid("Referral", (await w.referral(scope)).id),
        "reason": "NO_CAPACITY",
        "note": "Both households are full until the spring.",
    }


async def _ending(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await w.placement(scope)
    return {
        "id": _gid("Placement", placement.id),
        "endDate": _today(40),
        "reason": "CARPL",
        "planned": True,
        "noticeGivenOn": _today(5),
    }


async def _posting(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"carerHouseholdId": _gid("CarerHousehold", w.households[SIDES[scope][1]]), "places": 1}


async def _vacancy_update(w: World, scope: Scope, role: str) -> dict[str, Any]:
    vacancy = await w.vacancy(SIDES[scope][1])
    return {"id": _gid("Vacancy", vacancy.id), "places": 2, "note": "Two places from half term."}


async def _vacancy(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("Vacancy", (await w.vacancy(SIDES[scope][1])).id)}


async def _new_household(w: World, scope: Scope, role: str) -> dict[str, Any]:
    provider = w.market.providers[SIDES[scope][1]]
    return {
        "providerId": _gid("Provider", provider.id),
        "reference": f"NEW-{next(w.serial):03d}",
        "district": provider.district,
        "minAge": 0,
        "maxAge": 4,
        "approvedPlaces": 1,
        "placementKinds": ["CORE_FOSTERING"],
        "durations": ["RESPITE"],
    }


async def _household_update(w: World, scope: Scope, role: str) -> dict[str, Any]:
    household = await w.household(SIDES[scope][1])
    return {"id": _gid("CarerHousehold", household), "languages": ["Polish"]}


async def _new_home(w: World, scope: Scope, role: str) -> dict[str, Any]:
    provider = w.market.providers[SIDES[scope][1]]
    n = next(w.serial)
    return {
        "providerId": _gid("Provider", provider.id),
        "name": f"Matrix House {n}",
        "ofstedUrn": f"SC92{n:04d}",
        "beds": 3,
        "minAge": 10,
        "maxAge": 17,
        "district": provider.district,
        "ofstedJudgement": "GOOD",
    }


async def _home_update(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": w.targets["home"][scope], "beds": 4}


async def _preference_choice(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """A kind the role is sent (the platform admin and the anonymous caller: one nobody sends them)."""
    kinds = kinds_for(Role(role)) if ROLES[role] is not None else []
    return {"notification": (kinds[0] if kinds else Notification.OFFER_ACTIVITY).name, "delivery": "DIGEST"}


async def _parked(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": _gid("ParkedEmail", await _parked_email(w))}


async def _child_details(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"referralId": _gid("Referral", (await w.referral(scope)).id), **CHILD}


async def _child_document(w: World, scope: Scope, role: str) -> dict[str, Any]:
    referral = await w.referral(scope)
    await _child_record_kept(w, referral)
    return {"referralId": _gid("Referral", referral.id), "kind": "RISK_ASSESSMENT", "fileName": "Risk.pdf",
            "contentBase64": CARE_PLAN}  # fmt: skip


async def _child_access(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await w.placement(scope)
    referral = await Referral.get(id=placement.referral_id)
    await _child_record_kept(w, referral)
    return {"referralId": _gid("Referral", referral.id)}


async def _sharing(w: World, scope: Scope, role: str) -> dict[str, Any]:
    referral = await w.referral(scope)
    document_id = await _child_record_kept(w, referral)
    return {
        "referralId": _gid("Referral", referral.id),
        "documentIds": [_gid("ReferralDocument", document_id)],
        "markedAnonymised": True,
    }


async def _running(w: World, scope: Scope) -> Placement:
    """A fresh placement of the side that started 60 days ago (time travel, so reviews and notice can fall)."""
    placement = await w.placement(scope)
    await Placement.filter(id=placement.id).update(start_date=datetime.now(UTC).date() - timedelta(days=60))
    return await Placement.get(id=placement.id)


async def _placement_id(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"placementId": _gid("Placement", (await w.placement(scope)).id)}


async def _placement_start(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"placementId": _gid("Placement", (await w.placement(scope)).id), "startedOn": _today()}


async def _fee_change(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await w.placement(scope)
    return {"placementId": _gid("Placement", placement.id), "weeklyFeePence": 90_000,
            "effectiveFrom": (placement.start_date + timedelta(days=7)).isoformat(),
            "reason": "Extra staffing agreed."}  # fmt: skip


async def _review(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await _running(w, scope)
    return {"placementId": _gid("Placement", placement.id), "heldOn": _today(-10), "attendance": ["CHILD"],
            "sdqTotal": 12, "notes": "Settling well."}  # fmt: skip


async def _notice(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await _running(w, scope)
    return {"placementId": _gid("Placement", placement.id), "givenOn": _today(), "intendedEnd": _today(28)}


async def _step_across(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """The side's placement, in its provider's children's home (the world has no residential lot)."""
    placement = await w.placement(scope)
    home = await ChildrensHome.filter(provider_id=placement.provider_id).first()
    assert home is not None
    await Placement.filter(id=placement.id).update(childrens_home_id=home.id, carer_household_id=None)
    return {"placementId": _gid("Placement", placement.id), "placementKind": "CORE_FOSTERING"}


async def _question_to_ask(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"referralId": _gid("Referral", (await w.referral(scope)).id), "question": QUESTION}


async def _question_to_answer(w: World, scope: Scope, role: str) -> dict[str, Any]:
    referral = await w.referral(scope)
    asked = await questions.ask_question(w.market.actor(SIDES[scope][1]), referral.id, QUESTION)
    return {"questionId": _gid("ReferralQuestion", asked.id), "answer": "Yes, at the local secondary school."}


def _side_framework(w: World, scope: Scope) -> Framework:
    return w.market.framework if scope == "own" else w.medway_framework


async def _new_framework(w: World, scope: Scope, role: str) -> dict[str, Any]:
    council = w.market.kent if scope == "own" else w.market.medway
    n = next(w.serial)
    return {"reference": f"NEW-FW-{n}", "name": f"New framework {n}", "leadCouncilId": _gid("Council", council.id),
            "startsOn": _today(), "endsOn": _today(365 * 4)}  # fmt: skip


async def _framework_edit(w: World, scope: Scope, role: str) -> dict[str, Any]:
    framework = _side_framework(w, scope)
    return {"id": _gid("Framework", framework.id), "extensionOptions": f"up to {next(w.serial)} x 12 months"}


async def _framework_extension(w: World, scope: Scope, role: str) -> dict[str, Any]:
    framework = await Framework.get(id=_side_framework(w, scope).id)
    end = max(framework.ends_on, framework.extended_to or framework.ends_on) + timedelta(days=next(w.serial))
    return {"id": _gid("Framework", framework.id), "endsOn": end.isoformat(), "decisionReference": "ICD-2026-01",
            "decisionDate": _today(-1)}  # fmt: skip


async def _new_lot(w: World, scope: Scope, role: str) -> dict[str, Any]:
    framework = _side_framework(w, scope)
    return {"frameworkId": _gid("Framework", framework.id), "code": f"NEW{next(w.serial)}", "name": "Solo placements",
            "placementKinds": ["SOLO"]}  # fmt: skip


async def _lot_edit(w: World, scope: Scope, role: str) -> dict[str, Any]:
    lot = w.market.enhanced_lot if scope == "own" else w.medway_spare_lot
    return {"id": _gid("Lot", lot.id), "name": f"Enhanced fostering ({next(w.serial)})"}


async def _terminating(w: World, scope: Scope, role: str) -> dict[str, Any]:
    membership = await w.spare_membership(scope)
    return {"membershipId": _gid("LotMembership", membership.id), "leftOn": _today(), "reason": "TERMINATED"}


async def _reopening_input(w: World, scope: Scope, role: str) -> dict[str, Any]:
    lot = await _fresh_lot(w, scope)
    return {
        "frameworkId": _gid("Framework", lot.framework_id),
        "opensOn": _today(),
        "closesOn": _today(14),
        "lotIds": [_gid("Lot", lot.id)],
    }


async def _joining(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """A fresh lot of the side's framework, open today: a re-opening invites every provider."""
    lot, _ = await _open_window(w, scope)
    return {"lotId": _gid("Lot", lot.id), "statement": "Ten carer households across the county."}


async def _deciding(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """Harbour's application to a fresh lot of Kent's framework (own) or of Medway's (other)."""
    return {
        "applicationId": _gid("JoinApplication", await _application(w, scope, "harbour")),
        "decision": "APPROVE",
        "tier": 2,
        "prices": [{"ageBand": "AGE_11_15", "needLevel": "STANDARD", "weeklyFeePence": 90_000}],
    }


async def _merging(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """Two fresh providers, the first merging into the second; no input names an organisation's own."""
    fresh = []
    for _ in range(2):
        n = next(w.serial)
        provider = await administration.onboard_provider(
            ADMIN,
            name=f"Merging Fostering {n}",
            provider_type=ProviderType.IFA,
            ofsted_urn=f"SC97{n:04d}",
            ofsted_judgement=OfstedJudgement.GOOD,
            district="ME7",
        )
        fresh.append(provider)
    return {
        "mergedProviderId": _gid("Provider", fresh[0].id),
        "intoProviderId": _gid("Provider", fresh[1].id),
        "mergedOn": _today(),
        "users": "DEACTIVATE",
    }


async def _to_suspend(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """The side's spare membership, not suspended (an earlier call's suspension lifted)."""
    membership = await w.spare_membership(scope)
    await MembershipSuspension.filter(membership_id=membership.id, lifted_at__isnull=True).update(
        lifted_at=datetime.now(UTC)
    )
    return {"membershipId": _gid("LotMembership", membership.id), "reason": "Staffing below the agreed ratio."}


async def _to_lift(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """The side's spare membership, suspended by hand."""
    membership = await w.spare_membership(scope)
    if not await suspensions.open_suspension(membership.id):
        admin = w.market.actor("admin")
        await suspensions.suspend_membership(admin, membership_id=membership.id, reason="Complaint under review.")
    return {"membershipId": _gid("LotMembership", membership.id)}


async def _standard_document(w: World, scope: Scope, role: str) -> dict[str, Any]:
    """A Kent referral in the placements data standard: nothing in it names the importer's council, so "other"
    repeats the call."""
    referral = await w.referral("own", publish=False)
    return {"document": await data_standards.export_referral(w.market.actor("kent_officer"), referral.id)}


async def _legal_status_change(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await _running(w, scope)
    return {"placementId": _gid("Placement", placement.id), "legalStatus": "C2", "effectiveFrom": _today(-10)}


async def _standard_details(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await w.placement(scope)
    return {"placementId": _gid("Placement", placement.id), "educationContinuity": True, "siblingsPlacedTogether": 0}


async def _new_block_contract(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return await _block_contract_input(w, scope)


async def _block_contract_change(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"id": await _block_contract_of(w, scope), "name": f"Children's home beds (renamed {next(w.serial)})"}


async def _allegation_to_record(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await w.placement(scope)
    return {"placementId": _gid("Placement", placement.id), "reportedOn": _today(-3), "category": "NEGLECT",
            "reportedBy": "SOCIAL_WORKER", "summary": "Concerns about supervision at night."}  # fmt: skip


async def _allegation_to_update(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"allegationId": _gid("Allegation", await _allegation(w, scope)), "outcome": "UNFOUNDED",
            "concludedOn": _today()}  # fmt: skip


async def _feedback(w: World, scope: Scope, role: str) -> dict[str, Any]:
    placement = await _running(w, scope)
    return {"placementId": _gid("Placement", placement.id), "givenOn": _today(-1), "givenBy": "SOCIAL_WORKER",
            "needsMet": 4, "communication": 5, "stability": 4, "comment": "Settled and attending school."}  # fmt: skip


async def _review_to_record(w: World, scope: Scope, role: str) -> dict[str, Any]:
    return {"frameworkId": _gid("Framework", _framework_of(w, scope).id),
            "providerId": _gid("Provider", w.market.providers[SIDES[scope][1]].id), "heldOn": _today(-2),
            "notes": "Occupancy and response times reviewed.",
            "actions": [{"what": "Share the vacancy forecast.", "owner": "PROVIDER", "dueOn": _today(14)}]}  # fmt: skip


async def _review_action(w: World, scope: Scope, role: str) -> dict[str, Any]:
    review = await _contract_review(w, scope)
    action = await ContractReviewAction.filter(review_id=review.id).first()
    assert action is not None
    return {"actionId": _gid("ContractReviewAction", action.id), "done": True}


MUTATION_CASES: dict[str, MutationCase] = {
    # A refused sign-in is INVALID_CREDENTIALS: whose password was wrong is nobody's business.
    "login": MutationCase(
        "LoginInput", "token", _login, scalar=True, per_role=True, also_denied_as=frozenset({"INVALID_CREDENTIALS"})
    ),
    "logout": MutationCase(None, "ok", _no_input, scalar=True, caller=_logout_caller),
    "createApiToken": MutationCase("CreateApiTokenInput", "token", _token_request, scalar=True),
    "revokeApiToken": MutationCase("RevokeApiTokenInput", "ok", _api_token_input, scalar=True, per_role=True),
    "createUser": MutationCase("CreateUserInput", "user", _new_user, per_role=True),
    "onboardProvider": MutationCase("OnboardProviderInput", "provider", _new_provider),
    "addProviderToLot": MutationCase("AddProviderToLotInput", "membership", _lot_place),
    "removeProviderFromLot": MutationCase("RemoveProviderFromLotInput", "membership", _leaving),
    "setPriceSchedule": MutationCase("SetPriceScheduleInput", "membership", _prices),
    # Kent's officer naming Medway's framework is told "Your council is not a member of that framework"
    # (INVALID on frameworkId), the same answer as for a framework that does not exist.
    "createReferral": MutationCase(
        "CreateReferralInput", "referral", _referral_input, also_denied_as=frozenset({"INVALID"})
    ),
    "updateReferral": MutationCase("UpdateReferralInput", "referral", _draft_update),
    "publishReferral": MutationCase("ReferralIdInput", "referral", _draft),
    "escalateToSpot": MutationCase("ReferralIdInput", "referral", _exhausted),
    "withdrawReferral": MutationCase("WithdrawReferralInput", "referral", _open),
    "submitOffer": MutationCase("SubmitOfferInput", "offer", _offering),
    "withdrawOffer": MutationCase("OfferIdInput", "offer", _live_offer),
    "shortlistOffer": MutationCase("OfferIdInput", "offer", _live_offer),
    "declineOffer": MutationCase("DeclineOfferInput", "offer", _declining_offer),
    "acceptOffer": MutationCase("OfferIdInput", "placement", _live_offer),
    "declineReferral": MutationCase("DeclineReferralInput", "broadcast", _declining),
    "endPlacement": MutationCase("EndPlacementInput", "placement", _ending),
    "postVacancy": MutationCase("PostVacancyInput", "vacancy", _posting),
    "updateVacancy": MutationCase("UpdateVacancyInput", "vacancy", _vacancy_update),
    "closeVacancy": MutationCase("VacancyIdInput", "vacancy", _vacancy),
    "createCarerHousehold": MutationCase("CreateCarerHouseholdInput", "carerHousehold", _new_household),
    "updateCarerHousehold": MutationCase("UpdateCarerHouseholdInput", "carerHousehold", _household_update),
    "createChildrensHome": MutationCase("CreateChildrensHomeInput", "childrensHome", _new_home),
    "updateChildrensHome": MutationCase("UpdateChildrensHomeInput", "childrensHome", _home_update),
    # One's own email only, so "other" repeats the call. The platform admin is sent no email: whatever kind
    # it names is INVALID for it.
    "setNotificationPreference": MutationCase(
        "SetNotificationPreferenceInput",
        "preference",
        _preference_choice,
        per_role=True,
        also_denied_as=frozenset({"INVALID"}),
    ),
    "retryParkedEmail": MutationCase("RetryParkedEmailInput", "email", _parked),
    "saveChildRecord": MutationCase("SaveChildRecordInput", "childRecord", _child_details),
    "addReferralDocument": MutationCase("AddReferralDocumentInput", "document", _child_document),
    "revokeChildRecordAccess": MutationCase("RevokeChildRecordAccessInput", "childRecord", _child_access),
    "shareDocuments": MutationCase("ShareDocumentsInput", "documents", _sharing),
    "confirmPlacementAgreement": MutationCase("PlacementIdInput", "agreement", _placement_id),
    "confirmPlacementStart": MutationCase("ConfirmPlacementStartInput", "placement", _placement_start),
    "changePlacementFee": MutationCase("ChangePlacementFeeInput", "placement", _fee_change),
    "recordPlacementReview": MutationCase("RecordPlacementReviewInput", "review", _review),
    "giveNotice": MutationCase("GiveNoticeInput", "placement", _notice),
    "startStepAcross": MutationCase("StartStepAcrossInput", "referral", _step_across),
    "askQuestion": MutationCase("AskQuestionInput", "question", _question_to_ask),
    "answerQuestion": MutationCase("AnswerQuestionInput", "question", _question_to_answer),
    "createFramework": MutationCase("CreateFrameworkInput", "framework", _new_framework),
    "updateFramework": MutationCase("UpdateFrameworkInput", "framework", _framework_edit),
    "extendFramework": MutationCase("ExtendFrameworkInput", "framework", _framework_extension),
    "createLot": MutationCase("CreateLotInput", "lot", _new_lot),
    "updateLot": MutationCase("UpdateLotInput", "lot", _lot_edit),
    "terminateMembership": MutationCase("TerminateMembershipInput", "membership", _terminating),
    "openReopening": MutationCase("OpenReopeningInput", "reopening", _reopening_input),
    "applyToJoinLot": MutationCase("ApplyToJoinLotInput", "application", _joining),
    "decideJoinApplication": MutationCase("DecideJoinApplicationInput", "application", _deciding),
    "mergeProviders": MutationCase("MergeProvidersInput", "merger", _merging),
    "suspendMembership": MutationCase("SuspendMembershipInput", "suspension", _to_suspend),
    "liftSuspension": MutationCase("LiftSuspensionInput", "suspension", _to_lift),
    "importPlacementsStandard": MutationCase("ImportPlacementsStandardInput", "referral", _standard_document),
    "recordLegalStatusChange": MutationCase("RecordLegalStatusChangeInput", "placement", _legal_status_change),
    "setPlacementStandardDetails": MutationCase("SetPlacementStandardDetailsInput", "placement", _standard_details),
    "createBlockContract": MutationCase("CreateBlockContractInput", "blockContract", _new_block_contract),
    "updateBlockContract": MutationCase("UpdateBlockContractInput", "blockContract", _block_contract_change),
    "recordAllegation": MutationCase("RecordAllegationInput", "allegation", _allegation_to_record),
    "updateAllegation": MutationCase("UpdateAllegationInput", "allegation", _allegation_to_update),
    "recordPlacementFeedback": MutationCase("RecordPlacementFeedbackInput", "feedback", _feedback),
    "recordContractReview": MutationCase("RecordContractReviewInput", "review", _review_to_record),
    "updateContractReviewAction": MutationCase("UpdateContractReviewActionInput", "action", _review_action),
}


async def database_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a refused mutation changed nothing.

    Left out: sign-in attempts (an audit trail that records refusals too) and when a token was last used.
    """
    connection = connections.get("default")
    rows = {}
    for model in Tortoise.apps["models"].values():
        if model is LoginAttempt:
            continue
        meta = model._meta
        columns = ", ".join(
            f'"{column}"' for column in sorted(meta.fields_db_projection.values()) if column != "last_used_at"
        )
        _, found = await connection.execute_query(
            f'SELECT {columns} FROM "{meta.db_table}" ORDER BY "{meta.db_pk_column}"'
        )
        rows[meta.db_table] = [tuple(row) for row in found]
    return rows


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(table for table in before if before[table] != after[table])


# --- the tests ------------------------------------------------------------------------------------------


def served_operations() -> dict[str, set[str]]:
    """Each root type's field names, read from the schema the app serves."""
    app = create_app(settings_for("sqlite://:memory:"), manage_database=False)
    [graphql] = {route.app for route in app.routes if getattr(route, "path", None) == "/graphql"}
    served = graphql.schema
    return {
        kind: set(root.fields) if (root := getattr(served._schema, f"{kind}_type")) else set()
        for kind in ("query", "mutation", "subscription")
    }


def test_every_operation_has_a_row() -> None:
    rows = {"query": QUERIES, "mutation": MUTATIONS, "subscription": SUBSCRIPTIONS}
    for kind, names in served_operations().items():
        assert names == set(rows[kind]), (
            f"{kind} fields without a row in the matrix: {sorted(names - set(rows[kind]))}; "
            f"rows for {kind} fields that are not served: {sorted(set(rows[kind]) - names)}"
        )
    assert set(QUERY_PROBES) == set(QUERIES) and set(MUTATION_CASES) == set(MUTATIONS)
    assert set(SUBSCRIPTION_PROBES) == set(SUBSCRIPTIONS)
    for row in (*QUERIES.values(), *MUTATIONS.values(), *SUBSCRIPTIONS.values()):
        cells(row)


async def test_query_permission_matrix(world: World) -> None:
    wrong = []
    for name, row in QUERIES.items():
        for role, scope, allowed in cells(row):
            seen = await QUERY_PROBES[name](world, ROLES[role], scope)
            if seen != allowed:
                wrong.append(f"{name} as {role} on {scope}: expected {verdict(allowed)}, was {verdict(seen)}")
    assert not wrong, "\n".join(wrong)


async def test_subscription_permission_matrix(world: World) -> None:
    wrong = []
    for name, row in SUBSCRIPTIONS.items():
        for role, scope, allowed in cells(row):
            seen = await SUBSCRIPTION_PROBES[name](world, ROLES[role], scope)
            if seen != allowed:
                wrong.append(f"{name} as {role} on {scope}: expected {verdict(allowed)}, was {verdict(seen)}")
    assert not wrong, "\n".join(wrong)


async def test_mutation_permission_matrix(world: World) -> None:
    wrong = []
    for name, row in MUTATIONS.items():
        case = MUTATION_CASES[name]
        expected = cells(row)
        # Refusals first, all against targets made beforehand, each proven to change nothing.
        targets: dict[tuple[Scope, str], dict[str, Any] | None] = {}
        for role, scope, allowed in expected:
            key = (scope, role if case.per_role else "")
            if not allowed and key not in targets:
                targets[key] = await case.target(world, scope, role)
        before = await database_rows()
        for role, scope, allowed in expected:
            if allowed:
                continue
            payload = await _mutate(world, name, case, role, targets[(scope, role if case.per_role else "")])
            after = await database_rows()
            codes = {error["code"] for error in payload.get("errors") or []}
            problems = []
            if not codes or not codes <= DENIED_CODES | case.also_denied_as:
                problems.append(f"answered {payload}")
            elif payload.get(case.result):
                problems.append(f"returned {case.result} {payload[case.result]}")
            if changed := changed_tables(before, after):
                problems.append(f"changed {', '.join(changed)}")
            before = after
            if problems:
                wrong.append(f"{name} as {role} on {scope}: expected denied, but {'; '.join(problems)}")
        # Each allowed call gets a fresh target: the calls before it may have used theirs up.
        for role, scope, allowed in expected:
            if allowed:
                payload = await _mutate(world, name, case, role, await case.target(world, scope, role))
                if payload.get("errors") or not payload.get(case.result):
                    wrong.append(f"{name} as {role} on {scope}: expected allowed, but answered {payload}")
    assert not wrong, "\n".join(wrong)


async def _mutate(w: World, name: str, case: MutationCase, role: str, input: dict[str, Any] | None) -> dict[str, Any]:
    who = ROLES[role]
    caller = await case.caller(w, who) if case.caller else who
    body = await w.api(case.document(name), {"input": input} if input is not None else None, as_=caller)
    if body.get("errors") or body.get("data") is None:
        return {"errors": [{"code": "GRAPHQL_ERROR", "message": json.dumps(body)}]}
    return body["data"][name]


# --- the tenancy rules, one by one ----------------------------------------------------------------------

ON_A_REFERRAL = """query($id: ID!) {
  referral(id: $id) {
    liveOfferCount recipients { tier } myOffer { id }
    offers { id weeklyFeePence provider { name } }
  }
  offers(referralId: $id) { id weeklyFeePence }
  offerRanking(referralId: $id) { offerId }
}"""

FRAMEWORK_PRICES = """{ frameworks { name lots { code members {
  tier provider { name } priceSchedule { ageBand needLevel weeklyFeePence } supplements { kind amountPence }
} } } }"""

# The marketplace's schedules: each provider's base fee, +6,000 for ages 11-15, +11,000 for 16-18, at
# two need levels.
BASE_FEES = {
    "Harbour Fostering (test)": 82_000,
    "Oakleaf Care (test)": 86_500,
    "Northdowns Families (test)": 79_000,
    "Weald Family Placements (test)": 75_000,
}


def schedule(base: int) -> list[int]:
    return sorted(base + offset for offset in (0, 6_000, 11_000) for _ in range(2))


def members_by_lot(framework: dict[str, Any]) -> dict[str, dict[str, list[int]]]:
    """lot code -> provider name -> its weekly fees, lowest first."""
    return {
        lot["code"]: {
            m["provider"]["name"]: sorted(p["weeklyFeePence"] for p in m["priceSchedule"]) for m in lot["members"]
        }
        for lot in framework["lots"]
    }


async def test_provider_cannot_see_competitors_offer_or_price(world: World) -> None:
    referral = world.targets["referral"]["own"]
    harbours, oakleafs = world.offers["harbour_on_kent"], world.offers["oakleaf_on_kent"]
    assert harbours.weekly_fee_pence != oakleafs.weekly_fee_pence

    body = await world.api(ON_A_REFERRAL, {"id": referral}, as_="oakleaf")
    own = {"id": _gid("Offer", oakleafs.id), "weeklyFeePence": oakleafs.weekly_fee_pence}
    assert body["data"] == {
        "referral": {
            "liveOfferCount": None,
            "recipients": None,
            "myOffer": {"id": own["id"]},
            "offers": [{**own, "provider": {"name": "Oakleaf Care (test)"}}],
        },
        "offers": [own],
        "offerRanking": [],
    }
    text = json.dumps(body)
    assert _gid("Offer", harbours.id) not in text and str(harbours.weekly_fee_pence) not in text
    mine = await world.api("{ myOffers { edges { node { id } } } }", as_="oakleaf")
    oakleaf = world.market.providers["oakleaf"].id
    assert {node["id"] for node in _edges(mine["data"]["myOffers"])} == {
        _gid("Offer", pk) for pk in await Offer.filter(provider_id=oakleaf).values_list("id", flat=True)
    }

    council = (await world.api(ON_A_REFERRAL, {"id": referral}, as_="kent_officer"))["data"]
    assert council["referral"]["liveOfferCount"] == 2
    assert {o["weeklyFeePence"] for o in council["offers"]} == {harbours.weekly_fee_pence, oakleafs.weekly_fee_pence}
    assert len(council["offerRanking"]) == 2


async def test_other_council_cannot_see_referral(world: World) -> None:
    kents, medways = world.targets["referral"]["own"], world.targets["referral"]["other"]
    missing = _gid("Referral", 999_999)
    for council, theirs, ours in (("medway_officer", kents, medways), ("kent_officer", medways, kents)):
        refused = await world.api(ON_A_REFERRAL, {"id": theirs}, as_=council)
        absent = await world.api(ON_A_REFERRAL, {"id": missing}, as_=council)
        assert refused == absent == {"data": {"referral": None, "offers": [], "offerRanking": []}}
        listed = await world.api("{ referrals(first: 100) { edges { node { id } } } }", as_=council)
        assert {node["id"] for node in _edges(listed["data"]["referrals"])} >= {ours}
        assert theirs not in json.dumps(listed)

    withdraw = (
        "mutation($input: WithdrawReferralInput!) { withdrawReferral(input: $input) "
        "{ referral { id } errors { field code message } } }"
    )
    refused = await world.api(withdraw, {"input": {"id": kents}}, as_="medway_officer")
    absent = await world.api(withdraw, {"input": {"id": missing}}, as_="medway_officer")
    assert refused == absent
    assert refused["data"]["withdrawReferral"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await Referral.get(id=world.offers["harbour_on_kent"].referral_id)).status is ReferralStatus.OPEN


async def test_provider_cannot_see_referral_not_broadcast_to_it(world: World) -> None:
    referral = await world.referral("own")  # tier 1 now; Northdowns is tier 2; Weald and Surrey Hills never
    about = """query($id: ID!) { referral(id: $id) { id } bestMatches(referralId: $id) { resourceId }
                 feeQuote(referralId: $id) { weeklyFeePence } offers(referralId: $id) { id } }"""
    unseen = {"referral": None, "bestMatches": [], "feeQuote": None, "offers": []}
    variables = {"id": _gid("Referral", referral.id)}
    for provider in ("northdowns", "spot", "weald"):
        assert (await world.api(about, variables, as_=provider))["data"] == unseen, provider
        inbox = await world.api("{ referrals { edges { node { id } } } }", as_=provider)
        assert _edges(inbox["data"]["referrals"]) == [], provider
    declined = await world.api(
        "mutation($input: DeclineReferralInput!) { declineReferral(input: $input) { errors { code } } }",
        {"input": {"referralId": variables["id"], "reason": "NO_CAPACITY"}},
        as_="northdowns",
    )
    assert declined["data"]["declineReferral"]["errors"] == [{"code": "NOT_FOUND"}]
    medways = await world.api(about, {"id": world.targets["referral"]["other"]}, as_="harbour")
    assert medways["data"] == unseen

    # The tier 1 window closes without an offer: Northdowns is sent it, and sees its own price.
    async with unit_of_work() as work:
        assert await broadcast.cascade_one(work, referral, datetime.now(UTC) + timedelta(days=2))
    seen = (await world.api(about, variables, as_="northdowns"))["data"]
    assert seen["referral"] == {"id": variables["id"]} and seen["bestMatches"]
    assert seen["feeQuote"] == {"weeklyFeePence": BASE_FEES["Northdowns Families (test)"] + 6_000}
    assert (await world.api(about, variables, as_="spot"))["data"] == unseen


async def test_provider_sees_only_its_own_price_schedule(world: World) -> None:
    body = await world.api(FRAMEWORK_PRICES, as_="harbour")
    frameworks = body["data"]["frameworks"]
    assert [f["name"] for f in frameworks] == ["Kent & Medway IFP framework"]
    assert members_by_lot(frameworks[0]) == {
        "LOT1": {"Harbour Fostering (test)": schedule(BASE_FEES["Harbour Fostering (test)"])},
        "LOT2": {},
    }
    [membership] = frameworks[0]["lots"][0]["members"]
    assert {s["kind"] for s in membership["supplements"]} == {
        "SOLO",
        "EMERGENCY",
        "SIBLING",
        "ADDITIONAL_SUPPORT_HOURS",
    }

    # Nor through a referral it was sent: its lot and framework show Harbour alone.
    through_referral = await world.api(
        """query($id: ID!) { referral(id: $id) {
             lot { members { provider { name } priceSchedule { weeklyFeePence } supplements { amountPence } } }
             framework { lots { members { provider { name } priceSchedule { weeklyFeePence } } } } } }""",
        {"id": world.targets["referral"]["own"]},
        as_="harbour",
    )
    text = json.dumps(through_referral)
    assert "Harbour Fostering (test)" in text
    for competitor, base in BASE_FEES.items():
        if competitor != "Harbour Fostering (test)":
            assert competitor not in text and not any(str(fee) in text for fee in schedule(base))


async def test_council_sees_its_frameworks_prices(world: World) -> None:
    everyone = {name: schedule(base) for name, base in BASE_FEES.items()}
    for council in ("kent_officer", "kent_commissioner"):
        frameworks = (await world.api(FRAMEWORK_PRICES, as_=council))["data"]["frameworks"]
        assert [f["name"] for f in frameworks] == ["Kent & Medway IFP framework"], council
        assert members_by_lot(frameworks[0]) == {"LOT1": everyone, "LOT2": {}}, council
        assert all(m["supplements"] for m in frameworks[0]["lots"][0]["members"]), council

    # Medway is on both frameworks; Kent is not on Medway's and sees none of its prices.
    frameworks = (await world.api(FRAMEWORK_PRICES, as_="medway_officer"))["data"]["frameworks"]
    by_name = {f["name"]: members_by_lot(f) for f in frameworks}
    assert by_name["Kent & Medway IFP framework"]["LOT1"] == everyone
    assert by_name["Medway specialist fostering"]["MLOT1"] == {"Oakleaf Care (test)": [95_000] * 6}


MEMBERSHIP = "membership { id } errors { field code message }"
ADMINISTRATION = {
    "addProviderToLot": "AddProviderToLotInput",
    "removeProviderFromLot": "RemoveProviderFromLotInput",
    "setPriceSchedule": "SetPriceScheduleInput",
    "suspendMembership": "SuspendMembershipInput",
    "liftSuspension": "LiftSuspensionInput",
}


async def _administer(w: World, name: str, who: str, input: dict[str, Any]) -> dict[str, Any]:
    document = f"mutation($input: {ADMINISTRATION[name]}!) {{ {name}(input: $input) {{ {MEMBERSHIP} }} }}"
    return await w.api(document, {"input": input}, as_=who)


async def test_another_frameworks_lot_or_membership_answers_exactly_as_an_unknown_one(world: World) -> None:
    unknown_lot, unknown_membership = _gid("Lot", 999_999), _gid("LotMembership", 999_999)
    for who in ("kent_commissioner", "harbour"):
        # Kent is not on Medway's framework; Harbour is on no lot of it, and never sees Oakleaf's membership.
        theirs = await world.spare_membership("other")
        cases = {
            "addProviderToLot": (await _lot_place(world, "other", who), "lotId", unknown_lot),
            "removeProviderFromLot": (await _leaving(world, "other", who), "membershipId", unknown_membership),
            "setPriceSchedule": (await _prices(world, "other", who), "membershipId", unknown_membership),
            "suspendMembership": (await _to_suspend(world, "other", who), "membershipId", unknown_membership),
            "liftSuspension": (await _to_lift(world, "other", who), "membershipId", unknown_membership),
        }
        for name, (input, key, unknown) in cases.items():
            before = await database_rows()
            foreign = await _administer(world, name, who, input)
            absent = await _administer(world, name, who, {**input, key: unknown})
            assert foreign == absent, f"{name} as {who}: {foreign} != {absent}"
            [error] = foreign["data"][name]["errors"]
            assert error["code"] == "NOT_FOUND" and error["field"] == key
            assert changed_tables(before, await database_rows()) == []
        assert await LotMembership.exists(id=theirs.id, left_on__isnull=True)

    # Denied is kept for what the caller can see: Harbour's own membership, which only admins change.
    own = await world.spare_membership("own")
    refused = await _administer(
        world,
        "removeProviderFromLot",
        "harbour",
        {"membershipId": _gid("LotMembership", own.id), "leftOn": _today(), "reason": "WITHDREW"},
    )
    assert [e["code"] for e in refused["data"]["removeProviderFromLot"]["errors"]] == ["PERMISSION_DENIED"]


async def test_naming_another_provider_answers_exactly_as_naming_an_unknown_one(world: World) -> None:
    """Who can add households or staff is decided before anything is looked up: no id is confirmed."""
    oakleaf, unknown = _gid("Provider", world.market.providers["oakleaf"].id), _gid("Provider", 999_999)
    household = (
        "mutation($input: CreateCarerHouseholdInput!) { createCarerHousehold(input: $input) "
        "{ carerHousehold { id } errors { field code message } } }"
    )
    user = (
        "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } errors { field code message } } }"
    )
    for who, document, input in (
        ("harbour", household, await _new_household(world, "other", "provider_responder")),
        ("harbour_admin", user, await _new_user(world, "other", "provider_admin")),
    ):
        foreign = await world.api(document, {"input": input}, as_=who)
        absent = await world.api(document, {"input": {**input, "providerId": unknown}}, as_=who)
        assert input["providerId"] == oakleaf
        assert foreign == absent and "PERMISSION_DENIED" in json.dumps(foreign), (who, foreign)


async def _first_message(w: World, who: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    transport = ASGIWebSocketTransport(app=w.api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with aconnect_ws("http://testserver/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            socket = GraphQLSocket(ws)
            await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {w.api.tokens[who]}"}})
            assert (await socket.receive())["type"] == "connection_ack"
            await socket.subscribe(document, variables)
            return await socket.receive()


async def test_watching_another_councils_referral_is_refused_as_watching_an_unknown_one(world: World) -> None:
    document = "subscription($id: ID!) { offerUpdates(referralId: $id) { cursor } }"
    medways = await _first_message(world, "kent_officer", document, {"id": world.targets["referral"]["other"]})
    unknown = await _first_message(world, "kent_officer", document, {"id": _gid("Referral", 999_999)})
    assert medways == unknown
    assert [e["message"] for e in medways["payload"]["errors"]] == ["No referral with that id."], medways
