"""Re-openings and mergers through the API, on SQLite and PostgreSQL.

A re-opening admits a provider (the spot provider, off every Kent lot) which then receives the next referral on
its lot at its tier; a merger moves households, offers and placements to the surviving provider with who made
each kept, the surviving provider's users see them, and the merged provider's deactivated users cannot sign in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import PASSWORD, Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import (
    Duration,
    FeeBasis,
    JoinApplicationStatus,
    LeftReason,
    PlacementKind,
    ProviderStatus,
    Role,
)
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    Event,
    EventTopic,
    FrameworkChange,
    JoinApplication,
    LotMembership,
    Offer,
    OutboxMessage,
    Placement,
    PriceScheduleEntry,
    Provider,
    User,
)
from server.services import accounts, offers, resources
from server.services.offers import OfferDetails
from tests.api.conftest import Api

ERRORS = "errors { field code message }"
OPEN = f"""mutation($input: OpenReopeningInput!) {{ openReopening(input: $input) {{
  reopening {{ id opensOn closesOn isOpen frameworkName lots {{ id code }} }} {ERRORS} }} }}"""
APPLY = f"""mutation($input: ApplyToJoinLotInput!) {{ applyToJoinLot(input: $input) {{
  application {{ id status statement lotName provider {{ name }} }} {ERRORS} }} }}"""
DECIDE = f"""mutation($input: DecideJoinApplicationInput!) {{ decideJoinApplication(input: $input) {{
  application {{ id status refusalReason membership {{ tier joinedOn priceSchedule {{ ageBand needLevel weeklyFeePence }} }} }}
  {ERRORS} }} }}"""
APPLICATIONS = "{ joinApplications { id status statement refusalReason provider { name } lot { code } } }"
MERGE = f"""mutation($input: MergeProvidersInput!) {{ mergeProviders(input: $input) {{
  merger {{ id mergedOn carerHouseholdsMoved offersMoved placementsMoved lotPlaces usersAffected
    mergedProvider {{ name status nowPartOf mergedInto {{ name }} }} intoProvider {{ name }} }} {ERRORS} }} }}"""

TODAY = datetime.now(UTC).date()
PRICES = [
    {"ageBand": band, "needLevel": level, "weeklyFeePence": fee}
    for band, fee in (("AGE_5_10", 80_000), ("AGE_11_15", 84_000), ("AGE_16_18", 88_000))
    for level in ("STANDARD", "ADDITIONAL_SUPPORT")
]


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def provider_admin(api: Api, market: Marketplace, key: str) -> str:
    """A provider admin of market.providers[key], signed in as f"{key}_admin"."""
    user = await accounts.create_user(
        None,
        email=f"manager@{key}.test",
        password=PASSWORD,
        display_name=f"{key.title()} registered manager",
        role=Role.PROVIDER_ADMIN,
        provider_id=market.providers[key].id,
    )
    market.users[f"{key}_admin"] = user
    await api.sign_in(f"{key}_admin", user.email)
    return f"{key}_admin"


async def household_for(market: Marketplace, key: str, reference: str) -> int:
    household = await resources.create_carer_household(
        market.actor(key),
        market.providers[key].id,
        resources.HouseholdDetails(
            reference=reference,
            district="ME15",
            min_age=8,
            max_age=17,
            approved_places=2,
            placement_kinds=[PlacementKind.CORE_FOSTERING.value],
            durations=[d.value for d in Duration],
        ),
    )
    return household.id


async def open_core_lot(api: Api, market: Marketplace) -> dict:
    body = await api(
        OPEN,
        {
            "input": {
                "frameworkId": gid("Framework", market.framework.id),
                "opensOn": TODAY.isoformat(),
                "closesOn": (TODAY + timedelta(days=28)).isoformat(),
                "lotIds": [gid("Lot", market.core_lot.id)],
            }
        },
        as_="kent_commissioner",
    )
    payload = body["data"]["openReopening"]
    assert payload["errors"] == [], payload
    return payload["reopening"]


async def test_a_reopening_admits_a_provider_which_then_receives_the_next_referral_on_its_lot_and_tier(
    api: Api, market: Marketplace
) -> None:
    spot = market.providers["spot"]
    await household_for(market, "spot", "SPOT-H1")
    spot_admin = await provider_admin(api, market, "spot")

    # Before the re-opening, the lot takes no applications.
    closed = await api(
        APPLY,
        {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": "Twelve carers in Kent."}},
        as_=spot_admin,
    )
    assert closed["data"]["applyToJoinLot"]["errors"][0]["code"] == "NOT_FOUND"

    reopening = await open_core_lot(api, market)
    assert reopening["isOpen"] and [lot["code"] for lot in reopening["lots"]] == ["LOT1"]
    assert await FrameworkChange.filter(framework_id=market.framework.id, action="reopening.opened").count() == 1

    # A duty worker cannot apply: only the provider's admins.
    responder = await api(
        APPLY, {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": "We have carers."}}, as_="spot"
    )
    assert responder["data"]["applyToJoinLot"]["errors"][0]["code"] == "PERMISSION_DENIED"

    statement = "Twelve approved carer households across west Kent, two of them for solo placements."
    applied = await api(
        APPLY, {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": statement}}, as_=spot_admin
    )
    application = applied["data"]["applyToJoinLot"]["application"]
    assert application["status"] == "PENDING" and application["statement"] == statement
    # The lead commissioner is told (without the statement) and sees it; Medway's officer does not.
    told = await OutboxMessage.filter(notification="framework_membership", user_id=market.users["kent_commissioner"].id)
    assert [m.context["what"] for m in told] == ["reopened", "applied"]
    assert statement not in str([m.context for m in told])
    seen = (await api(APPLICATIONS, as_="kent_commissioner"))["data"]["joinApplications"]
    assert [a["provider"]["name"] for a in seen] == [spot.name]
    assert (await api(APPLICATIONS, as_="medway_officer"))["data"]["joinApplications"] == []
    assert (await api(APPLICATIONS, as_="harbour"))["data"]["joinApplications"] == []

    # Approving needs a tier and prices the lot covers; a refused input changes nothing.
    bad = await api(
        DECIDE,
        {
            "input": {
                "applicationId": application["id"],
                "decision": "APPROVE",
                "tier": 1,
                "prices": [{"ageBand": "AGE_0_4", "needLevel": "STANDARD", "weeklyFeePence": 80_000}],
            }
        },
        as_="kent_commissioner",
    )
    assert [e["field"] for e in bad["data"]["decideJoinApplication"]["errors"]] == ["prices.0.ageBand"]
    assert not await LotMembership.exists(lot_id=market.core_lot.id, provider_id=spot.id)

    decided = await api(
        DECIDE,
        {"input": {"applicationId": application["id"], "decision": "APPROVE", "tier": 1, "prices": PRICES}},
        as_="kent_commissioner",
    )
    approved = decided["data"]["decideJoinApplication"]
    assert approved["errors"] == [], approved
    assert approved["application"]["status"] == "APPROVED"
    assert approved["application"]["membership"]["tier"] == 1
    assert approved["application"]["membership"]["joinedOn"] == TODAY.isoformat()
    assert len(approved["application"]["membership"]["priceSchedule"]) == 6
    # The decision is audited (before and after) and an event for the framework, its councils and the provider.
    audit = await FrameworkChange.get(action="join.approved")
    assert (audit.actor_id, audit.before["status"], audit.after["tier"]) == (
        market.users["kent_commissioner"].id,
        "pending",
        1,
    )
    event = await Event.get(type="framework.join_approved")
    topics = set(await EventTopic.filter(event_id=event.id).values_list("topic", flat=True))
    assert {
        f"framework:{market.framework.id}",
        f"council:{market.kent.id}",
        f"council:{market.medway.id}",
        f"provider:{spot.id}",
    } <= topics
    again = await api(
        DECIDE,
        {"input": {"applicationId": application["id"], "decision": "REFUSE", "reason": "No."}},
        as_="kent_commissioner",
    )
    assert again["data"]["decideJoinApplication"]["errors"][0]["code"] == "ALREADY_DECIDED"

    # The next referral on the lot reaches it at tier 1, through the real publish.
    referral = await market.referral()
    recipient = await BroadcastRecipient.get(referral_id=referral.id, provider_id=spot.id)
    assert recipient.tier == 1 and recipient.sent_at is not None and recipient.excluded_reason is None
    offer = await offers.submit_offer(
        market.actor("spot"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=(await CarerHousehold.get(reference="SPOT-H1")).id,
            start_date=TODAY + timedelta(days=2),
            matching_statement="Settled household near the school.",
        ),
    )
    assert offer.fee_basis is FeeBasis.FRAMEWORK
    entry = await PriceScheduleEntry.get(id=offer.price_schedule_entry_id)
    assert entry.weekly_fee_pence == 84_000  # aged 13, standard need: the approved schedule


async def test_a_refused_application_tells_the_provider_why_and_admits_nothing(api: Api, market: Marketplace) -> None:
    spot_admin = await provider_admin(api, market, "spot")
    await open_core_lot(api, market)
    applied = await api(
        APPLY, {"input": {"lotId": gid("Lot", market.core_lot.id), "statement": "We have carers."}}, as_=spot_admin
    )
    application_id = applied["data"]["applyToJoinLot"]["application"]["id"]
    # Another council's officer (or a provider) cannot decide it: they do not see it.
    for who in ("medway_officer", "harbour"):
        denied = await api(
            DECIDE, {"input": {"applicationId": application_id, "decision": "REFUSE", "reason": "No."}}, as_=who
        )
        assert denied["data"]["decideJoinApplication"]["errors"][0]["code"] == "NOT_FOUND"
    identifying = await api(
        DECIDE,
        {
            "input": {
                "applicationId": application_id,
                "decision": "REFUSE",
                "reason": "Her mother Kerry Jones objected.",
            }
        },
        as_="kent_commissioner",
    )
    assert identifying["data"]["decideJoinApplication"]["errors"][0]["code"] == "IDENTIFYING_DETAILS"
    reason = "The lot has enough capacity in west Kent for this term."
    refused = await api(
        DECIDE,
        {"input": {"applicationId": application_id, "decision": "REFUSE", "reason": reason}},
        as_="kent_commissioner",
    )
    assert refused["data"]["decideJoinApplication"]["application"]["status"] == "REFUSED"
    mine = (await api(APPLICATIONS, as_=spot_admin))["data"]["joinApplications"]
    assert [(a["status"], a["refusalReason"]) for a in mine] == [("REFUSED", reason)]
    assert not await LotMembership.exists(lot_id=market.core_lot.id, provider_id=market.providers["spot"].id)
    told = await OutboxMessage.filter(notification="framework_membership", user_id=market.users[spot_admin].id)
    assert [m.context["what"] for m in told] == ["refused"] and reason not in str(told[0].context)
    assert (await JoinApplication.get(provider_id=market.providers["spot"].id)).status is JoinApplicationStatus.REFUSED


PLACEMENTS = "{ placements(first: 50) { edges { node { id provider { name } originalProvider { name } madeBy } } } }"
HOUSEHOLDS = "{ carerHouseholds(first: 50) { edges { node { reference } } } }"
OFFERS_ON = "query($r: ID!) { referral(id: $r) { myOffer { id madeBy } } }"


async def household_references(api: Api, who: str) -> set[str]:
    edges = (await api(HOUSEHOLDS, as_=who))["data"]["carerHouseholds"]["edges"]
    return {edge["node"]["reference"] for edge in edges}


async def test_a_merger_moves_households_offers_and_placements_with_history_kept(api: Api, market: Marketplace) -> None:
    harbour, oakleaf = market.providers["harbour"], market.providers["oakleaf"]
    # Harbour (A) has a placement and a live offer; a second household, and its admin.
    harbour_admin = await provider_admin(api, market, "harbour")
    await household_for(market, "harbour", "HARBOUR-H2")
    placed = await market.referral()
    placed_offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=placed.id,
            carer_household_id=market.households["harbour"],
            start_date=TODAY + timedelta(days=2),
            matching_statement="A calm household near the school.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), placed_offer.id)
    open_referral = await market.referral()
    live_offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=open_referral.id,
            carer_household_id=market.households["harbour"],
            start_date=TODAY + timedelta(days=2),
            matching_statement="Room for one more from the start of term.",
        ),
    )
    # Harbour is on the enhanced lot too, where Oakleaf is not.
    enhanced = await LotMembership.create(
        lot_id=market.enhanced_lot.id, provider_id=harbour.id, tier=2, joined_on=date(2023, 4, 1)
    )
    await PriceScheduleEntry.create(
        membership_id=enhanced.id,
        age_band="11-15",
        need_level="intensive_support",
        weekly_fee_pence=120_000,
        effective_from=date(2025, 4, 1),
    )
    before = (await api(PLACEMENTS, as_="oakleaf"))["data"]["placements"]["edges"]
    assert before == []

    # Only platform admins merge; a bad input changes nothing.
    for who in ("kent_commissioner", harbour_admin):
        denied = await api(
            MERGE,
            {
                "input": {
                    "mergedProviderId": gid("Provider", harbour.id),
                    "intoProviderId": gid("Provider", oakleaf.id),
                    "mergedOn": TODAY.isoformat(),
                    "users": "DEACTIVATE",
                }
            },
            as_=who,
        )
        assert denied["data"]["mergeProviders"]["errors"][0]["code"] == "PERMISSION_DENIED"
    itself = await api(
        MERGE,
        {
            "input": {
                "mergedProviderId": gid("Provider", harbour.id),
                "intoProviderId": gid("Provider", harbour.id),
                "mergedOn": TODAY.isoformat(),
                "users": "MOVE",
            }
        },
        as_="admin",
    )
    assert [e["field"] for e in itself["data"]["mergeProviders"]["errors"]] == ["intoProviderId"]
    assert (await Provider.get(id=harbour.id)).status is ProviderStatus.ACTIVE

    merged = await api(
        MERGE,
        {
            "input": {
                "mergedProviderId": gid("Provider", harbour.id),
                "intoProviderId": gid("Provider", oakleaf.id),
                "mergedOn": TODAY.isoformat(),
                "users": "DEACTIVATE",
                "lotTerms": [{"lotId": gid("Lot", market.enhanced_lot.id), "tier": 1}],
            }
        },
        as_="admin",
    )
    payload = merged["data"]["mergeProviders"]
    assert payload["errors"] == [], payload
    merger = payload["merger"]
    assert (merger["carerHouseholdsMoved"], merger["offersMoved"], merger["placementsMoved"]) == (2, 1, 1)
    assert merger["lotPlaces"] == 2 and merger["usersAffected"] == 2
    assert merger["mergedProvider"]["status"] == "MERGED"
    assert merger["mergedProvider"]["nowPartOf"] == f"Now part of {oakleaf.name}"
    assert merger["mergedProvider"]["mergedInto"]["name"] == oakleaf.name

    # The history keeps who made each offer and placement.
    moved_placement = await Placement.get(id=placement.id)
    assert (moved_placement.provider_id, moved_placement.original_provider_id) == (oakleaf.id, harbour.id)
    moved_offer = await Offer.get(id=live_offer.id)
    assert (moved_offer.provider_id, moved_offer.original_provider_id, moved_offer.live) == (oakleaf.id, harbour.id, 1)
    received = await BroadcastRecipient.get(referral_id=open_referral.id, provider_id=oakleaf.id)
    assert received.sent_at is not None and received.council_id == open_referral.council_id

    # Oakleaf's users see them, "made by Harbour, now part of Oakleaf".
    seen = [edge["node"] for edge in (await api(PLACEMENTS, as_="oakleaf"))["data"]["placements"]["edges"]]
    assert [(p["provider"]["name"], p["originalProvider"]["name"]) for p in seen] == [(oakleaf.name, harbour.name)]
    assert seen[0]["madeBy"] == f"Made by {harbour.name}, now part of {oakleaf.name}"
    council_view = [e["node"] for e in (await api(PLACEMENTS, as_="kent_officer"))["data"]["placements"]["edges"]]
    assert council_view[0]["madeBy"] == seen[0]["madeBy"]
    offer_seen = (await api(OFFERS_ON, {"r": gid("Referral", open_referral.id)}, as_="oakleaf"))["data"]["referral"]
    assert offer_seen["myOffer"]["id"] == gid("Offer", live_offer.id)
    references = await household_references(api, "oakleaf")
    assert {"HARBOUR-H1", "HARBOUR-H2", "OAKLEAF-H1"} <= references

    # Places on lots: Harbour's end as merged; Oakleaf joins the enhanced lot at the tier given, with Harbour's
    # prices carried across; on the core lot Oakleaf's own place stands.
    ended = await LotMembership.filter(provider_id=harbour.id).order_by("lot_id")
    assert [(m.left_on, m.left_reason) for m in ended] == [(TODAY, LeftReason.MERGED)] * 2
    joined = await LotMembership.get(lot_id=market.enhanced_lot.id, provider_id=oakleaf.id)
    assert (joined.tier, joined.joined_on, joined.left_on) == (1, TODAY, None)
    carried = await PriceScheduleEntry.filter(membership_id=joined.id, effective_to__isnull=True)
    assert [(p.age_band.value, p.weekly_fee_pence) for p in carried] == [("11-15", 120_000)]
    core = await LotMembership.get(lot_id=market.core_lot.id, provider_id=oakleaf.id)
    assert (core.tier, core.left_on) == (1, None)

    # Harbour's deactivated users cannot sign in, and their sessions are gone.
    for key in ("harbour", harbour_admin):
        assert not (await User.get(id=market.users[key].id)).is_active
        refused = await api(
            "mutation($input: LoginInput!) { login(input: $input) { token errors { code } } }",
            {"input": {"email": market.users[key].email, "password": PASSWORD}},
        )
        assert refused["data"]["login"]["token"] is None
        gone = await api("{ me { id } }", as_=key)
        assert gone.get("errors") or gone["data"]["me"] is None

    # Harbour is on no broadcast any more; Oakleaf receives the next referral.
    referral = await market.referral()
    recipients = {r.provider_id: r for r in await BroadcastRecipient.filter(referral_id=referral.id)}
    assert recipients[harbour.id].sent_at is None and recipients[oakleaf.id].sent_at is not None
    # The member councils' commissioners are told, and the change is audited.
    told = await OutboxMessage.filter(notification="framework_membership", user_id=market.users["kent_commissioner"].id)
    assert {m.context["what"] for m in told} == {"merged"}
    assert await FrameworkChange.filter(action="provider.merged").count() == 3


async def test_merged_users_can_move_to_the_surviving_provider(api: Api, market: Marketplace) -> None:
    harbour, oakleaf = market.providers["harbour"], market.providers["oakleaf"]
    merged = await api(
        MERGE,
        {
            "input": {
                "mergedProviderId": gid("Provider", harbour.id),
                "intoProviderId": gid("Provider", oakleaf.id),
                "mergedOn": (TODAY - timedelta(days=3)).isoformat(),
                "users": "MOVE",
            }
        },
        as_="admin",
    )
    assert merged["data"]["mergeProviders"]["errors"] == []
    user = await User.get(id=market.users["harbour"].id)
    assert user.is_active and user.provider_id == oakleaf.id
    # Harbour's duty desk now works for Oakleaf: it sees Oakleaf's households, Harbour's among them.
    references = await household_references(api, "harbour")
    assert references == {"HARBOUR-H1", "OAKLEAF-H1"}
    again = await api(
        MERGE,
        {
            "input": {
                "mergedProviderId": gid("Provider", harbour.id),
                "intoProviderId": gid("Provider", oakleaf.id),
                "mergedOn": TODAY.isoformat(),
                "users": "MOVE",
            }
        },
        as_="admin",
    )
    assert again["data"]["mergeProviders"]["errors"][0]["code"] == "WRONG_STATE"

    # Oakleaf merges in turn into Northdowns: Harbour is now part of the one that continues.
    northdowns = market.providers["northdowns"]
    onward = {
        "mergedProviderId": gid("Provider", oakleaf.id),
        "intoProviderId": gid("Provider", northdowns.id),
        "mergedOn": TODAY.isoformat(),
        "users": "MOVE",
    }
    assert (await api(MERGE, {"input": onward}, as_="admin"))["data"]["mergeProviders"]["errors"] == []
    providers = (await api("{ providers { name nowPartOf } }", as_="admin"))["data"]["providers"]
    parts = {p["name"]: p["nowPartOf"] for p in providers}
    assert parts[harbour.name] == parts[oakleaf.name] == f"Now part of {northdowns.name}"
    assert parts[northdowns.name] is None
