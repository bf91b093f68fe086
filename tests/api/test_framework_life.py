"""A framework over its whole life through the API, on both databases: created by the lead council's
commissioner with its terms, windows and weights; edited with typed errors naming the field; its term
enforced on publish and lifted by an extension; re-tendered as a successor that copies lots, members and
prices; lots added and changed; a membership terminated, with the provider's live offers withdrawn and its
placements carrying on. Every change is audited, an event, and emailed to the members' commissioners."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import OfferStatus, PlacementStatus, ReferralStatus
from server.models import (
    BroadcastRecipient,
    Event,
    EventTopic,
    Framework,
    FrameworkChange,
    Lot,
    LotMembership,
    Offer,
    OutboxMessage,
    Placement,
    PriceScheduleEntry,
    Referral,
)
from server.services import offers
from server.services.matching import best_matches
from server.services.offers import OfferDetails
from tests.api.conftest import Api

ERRORS = "errors { field code message }"
FRAMEWORK = """id reference name startsOn endsOn extendedTo termEndsOn inForce extensionOptions
  tierResponseHours emergencyResponseHours tierWindows { tier hours } qualityWeightPercent costWeightPercent
  matchingWeights { distance specialisms languageAndCulture ofsted trackRecord isDefault }
  leadCouncil { name } memberCouncils { name } predecessor { reference }
  extensions { endsOn decisionReference decisionDate }
  lots { code name placementKinds ageBands needLevels members { tier joinedOn provider { name }
    priceSchedule { ageBand needLevel weeklyFeePence effectiveFrom } } }
  changes { action subject madeBy before after }"""
CREATE = f"mutation($input: CreateFrameworkInput!) {{ createFramework(input: $input) {{ framework {{ {FRAMEWORK} }} {ERRORS} }} }}"
UPDATE = f"mutation($input: UpdateFrameworkInput!) {{ updateFramework(input: $input) {{ framework {{ {FRAMEWORK} }} {ERRORS} }} }}"
EXTEND = f"mutation($input: ExtendFrameworkInput!) {{ extendFramework(input: $input) {{ framework {{ {FRAMEWORK} }} {ERRORS} }} }}"
CREATE_LOT = f"mutation($input: CreateLotInput!) {{ createLot(input: $input) {{ lot {{ id code name placementKinds ageBands needLevels }} {ERRORS} }} }}"
UPDATE_LOT = f"mutation($input: UpdateLotInput!) {{ updateLot(input: $input) {{ lot {{ id code name placementKinds }} {ERRORS} }} }}"
TERMINATE = f"""mutation($input: TerminateMembershipInput!) {{ terminateMembership(input: $input) {{
  membership {{ leftOn leftReason }} withdrawnOfferIds {ERRORS} }} }}"""
PUBLISH = f"mutation($id: ID!) {{ publishReferral(input: {{id: $id}}) {{ referral {{ status }} {ERRORS} }} }}"
FRAMEWORKS = f"{{ frameworks {{ {FRAMEWORK} }} }}"


def _gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def _today(days: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def _topics(event_type: str) -> set[str]:
    """The topics of the latest event of the type."""
    event = await Event.filter(type=event_type).order_by("-id").first()
    assert event is not None, event_type
    return set(await EventTopic.filter(event_id=event.id).values_list("topic", flat=True))


def _payload(body: dict, name: str) -> dict:
    assert not body.get("errors"), body
    return body["data"][name]


def _new_framework(market: Marketplace, **changes) -> dict:
    values = {
        "reference": "KM-IFP-2027",
        "name": "Kent & Medway IFP framework 2027",
        "leadCouncilId": _gid("Council", market.kent.id),
        "memberCouncilIds": [_gid("Council", market.medway.id)],
        "startsOn": _today(-30),
        "endsOn": _today(365 * 4),
        "extensionOptions": "up to 2 x 12 months",
        "minimumOfstedJudgement": "GOOD",
        "tierResponseHours": 24,
        "emergencyResponseHours": 4,
        "tierWindows": [{"tier": 1, "hours": 12}, {"tier": 2, "hours": 36}],
        "qualityWeightPercent": 70,
        "costWeightPercent": 30,
        "matchingWeights": {
            "distance": 20,
            "specialisms": 20,
            "languageAndCulture": 20,
            "ofsted": 30,
            "trackRecord": 10,
        },
    }
    values.update(changes)
    return values


async def _framework_of(api: Api, reference: str, as_: str = "kent_commissioner") -> dict:
    frameworks = _payload(await api(FRAMEWORKS, as_=as_), "frameworks")
    return next(f for f in frameworks if f["reference"] == reference)


async def test_commissioner_creates_a_framework_with_its_terms_audited_and_emailed(
    api: Api, market: Marketplace
) -> None:
    payload = _payload(await api(CREATE, {"input": _new_framework(market)}, as_="kent_commissioner"), "createFramework")
    assert payload["errors"] == []
    made = payload["framework"]
    assert made["leadCouncil"]["name"] == "Kent County Council"
    assert {c["name"] for c in made["memberCouncils"]} == {"Kent County Council", "Medway Council"}
    assert made["tierWindows"] == [{"tier": 1, "hours": 12}, {"tier": 2, "hours": 36}]
    assert (made["qualityWeightPercent"], made["costWeightPercent"]) == (70, 30)
    assert made["matchingWeights"] == {"distance": 20, "specialisms": 20, "languageAndCulture": 20, "ofsted": 30,
                                       "trackRecord": 10, "isDefault": False}  # fmt: skip
    assert made["extensionOptions"] == "up to 2 x 12 months" and made["inForce"] is True
    [change] = made["changes"]
    assert change["action"] == "framework.created" and change["madeBy"] == "kent_commissioner@council.test"
    assert change["after"]["qualityWeightPercent"] == 70 and change["before"] == {}

    framework = await Framework.get(reference="KM-IFP-2027")
    topics = {f"framework:{framework.id}", f"council:{market.kent.id}", f"council:{market.medway.id}"}
    assert topics <= await _topics("framework.created")
    emailed = await OutboxMessage.filter(notification="framework_changed").values_list("recipient", flat=True)
    assert emailed == ["kent_commissioner@council.test"]  # the members' commissioners (Medway has none here)

    # The audit trail is the lead commissioners' and admins': a member council's officer sees the framework only.
    seen = await _framework_of(api, "KM-IFP-2027", as_="medway_officer")
    assert seen["changes"] == [] and seen["reference"] == "KM-IFP-2027"
    admin_seen = await _framework_of(api, "KM-IFP-2027", as_="admin")
    assert len(admin_seen["changes"]) == 1


async def test_a_commissioner_cannot_create_a_framework_another_council_leads(api: Api, market: Marketplace) -> None:
    body = await api(CREATE, {"input": _new_framework(market, leadCouncilId=_gid("Council", market.medway.id))},
                     as_="kent_commissioner")  # fmt: skip
    assert [e["code"] for e in _payload(body, "createFramework")["errors"]] == ["PERMISSION_DENIED"]
    assert not await Framework.exists(reference="KM-IFP-2027")


async def test_bad_terms_are_refused_naming_each_field_and_nothing_is_stored(api: Api, market: Marketplace) -> None:
    bad = _new_framework(
        market,
        startsOn=_today(10),
        endsOn=_today(5),
        qualityWeightPercent=60,
        costWeightPercent=30,
        tierWindows=[{"tier": 7, "hours": 12}],
        matchingWeights={"distance": 0, "specialisms": 0, "languageAndCulture": 0, "ofsted": 0, "trackRecord": 0},
    )
    payload = _payload(await api(CREATE, {"input": bad}, as_="kent_commissioner"), "createFramework")
    assert payload["framework"] is None
    fields = {e["field"]: e["message"] for e in payload["errors"]}
    assert set(fields) == {"endsOn", "qualityWeightPercent", "tierWindows.0.tier", "matchingWeights"}
    assert "add up to 100" in fields["qualityWeightPercent"]
    assert not await Framework.exists(reference="KM-IFP-2027")
    assert not await FrameworkChange.exists()

    # Editing: the end before the start, on the framework as it stands.
    framework = market.framework
    update = {"id": _gid("Framework", framework.id), "endsOn": "2021-01-31"}
    payload = _payload(await api(UPDATE, {"input": update}, as_="kent_commissioner"), "updateFramework")
    assert [e["field"] for e in payload["errors"]] == ["endsOn"]
    assert (await Framework.get(id=framework.id)).ends_on == framework.ends_on


async def test_an_edit_is_audited_with_before_and_after(api: Api, market: Marketplace) -> None:
    framework = market.framework
    update = {"id": _gid("Framework", framework.id), "qualityWeightPercent": 50, "costWeightPercent": 50,
              "tierWindows": [{"tier": 2, "hours": 48}], "name": "Kent & Medway IFP framework (2022)"}  # fmt: skip
    payload = _payload(await api(UPDATE, {"input": update}, as_="kent_commissioner"), "updateFramework")
    assert payload["errors"] == []
    edited = payload["framework"]
    assert edited["qualityWeightPercent"] == 50 and edited["tierWindows"] == [{"tier": 2, "hours": 48}]
    [change] = edited["changes"]
    assert change["action"] == "framework.updated"
    assert change["before"] == {"name": "Kent & Medway IFP framework", "responseHoursByTier": {},
                                "qualityWeightPercent": 60, "costWeightPercent": 40}  # fmt: skip
    assert change["after"]["responseHoursByTier"] == {"2": 48}
    # Medway's officer, not a commissioner, may not edit it: denied, nothing changed.
    payload = _payload(
        await api(UPDATE, {"input": {**update, "name": "Other"}}, as_="medway_officer"), "updateFramework"
    )
    assert [e["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]
    assert (await Framework.get(id=framework.id)).name == "Kent & Medway IFP framework (2022)"


async def test_a_referral_is_refused_on_an_expired_framework_and_accepted_after_an_extension(
    api: Api, market: Marketplace
) -> None:
    framework = market.framework
    await Framework.filter(id=framework.id).update(ends_on=datetime.now(UTC).date() - timedelta(days=1))
    draft = await market.referral(publish=False)
    refused = _payload(await api(PUBLISH, {"id": _gid("Referral", draft.id)}, as_="kent_officer"), "publishReferral")
    assert refused["referral"] is None
    [error] = refused["errors"]
    assert error["field"] == "frameworkId" and error["code"] == "WRONG_STATE" and "ended" in error["message"]
    assert (await Referral.get(id=draft.id)).status is ReferralStatus.DRAFT
    assert not await BroadcastRecipient.filter(referral_id=draft.id).exists()

    extension = {"id": _gid("Framework", framework.id), "endsOn": _today(61), "decisionReference": "ICD-2026-117",
                 "decisionDate": _today(-2)}  # fmt: skip
    extended = _payload(await api(EXTEND, {"input": extension}, as_="kent_commissioner"), "extendFramework")
    assert extended["errors"] == []
    assert extended["framework"]["extensions"] == [
        {"endsOn": _today(61), "decisionReference": "ICD-2026-117", "decisionDate": _today(-2)}
    ]
    assert extended["framework"]["termEndsOn"] == _today(61) and extended["framework"]["inForce"] is True
    assert extended["framework"]["changes"][0]["action"] == "framework.extended"

    accepted = _payload(await api(PUBLISH, {"id": _gid("Referral", draft.id)}, as_="kent_officer"), "publishReferral")
    assert accepted["errors"] == [] and accepted["referral"]["status"] == "OPEN"
    sent = await BroadcastRecipient.filter(referral_id=draft.id, sent_at__isnull=False).count()
    assert sent > 0

    # An extension must go past the current end, and its decision is already taken.
    again = {**extension, "endsOn": _today(30), "decisionDate": _today(1)}
    errors = _payload(await api(EXTEND, {"input": again}, as_="kent_commissioner"), "extendFramework")["errors"]
    assert {e["field"] for e in errors} == {"endsOn", "decisionDate"}


async def test_a_framework_not_yet_started_takes_no_referrals(market: Marketplace, api: Api) -> None:
    await Framework.filter(id=market.framework.id).update(starts_on=datetime.now(UTC).date() + timedelta(days=3))
    draft = await market.referral(publish=False)
    refused = _payload(await api(PUBLISH, {"id": _gid("Referral", draft.id)}, as_="kent_officer"), "publishReferral")
    assert [e["field"] for e in refused["errors"]] == ["frameworkId"] and "starts" in refused["errors"][0]["message"]


async def test_each_tier_has_its_own_response_window(api: Api, market: Marketplace) -> None:
    update = {"id": _gid("Framework", market.framework.id), "tierWindows": [{"tier": 1, "hours": 6}]}
    assert _payload(await api(UPDATE, {"input": update}, as_="kent_commissioner"), "updateFramework")["errors"] == []
    before = datetime.now(UTC)
    referral = await market.referral()
    assert referral.current_tier == 1 and referral.tier_deadline is not None
    window = referral.tier_deadline - before
    assert timedelta(hours=6) - timedelta(minutes=1) < window <= timedelta(hours=6) + timedelta(minutes=1)


async def test_matching_uses_the_framework_weights(api: Api, market: Marketplace) -> None:
    referral = await market.referral(publish=False)
    defaults = {m.candidate.provider_id: m.score for m in await best_matches(referral) if m.eligible}
    # All the weight on Ofsted: the outstanding provider scores top marks, a good one three quarters.
    only_ofsted = {"distance": 0, "specialisms": 0, "languageAndCulture": 0, "ofsted": 100, "trackRecord": 0}
    update = {"id": _gid("Framework", market.framework.id), "matchingWeights": only_ofsted}
    assert _payload(await api(UPDATE, {"input": update}, as_="kent_commissioner"), "updateFramework")["errors"] == []
    weighted = {m.candidate.provider_id: m.score for m in await best_matches(referral) if m.eligible}
    harbour, oakleaf = market.providers["harbour"].id, market.providers["oakleaf"].id
    assert weighted[harbour] == 100.0 and weighted[oakleaf] == 75.0
    assert defaults[harbour] != weighted[harbour]
    framework = await _framework_of(api, market.framework.reference)
    assert framework["matchingWeights"]["ofsted"] == 100 and framework["matchingWeights"]["isDefault"] is False


async def test_lots_are_added_and_changed(api: Api, market: Marketplace) -> None:
    new = {"frameworkId": _gid("Framework", market.framework.id), "code": "lot3", "name": "Parent and child",
           "placementKinds": ["PARENT_AND_CHILD"], "ageBands": ["AGE_16_18", "AGE_0_4"], "needLevels": ["STANDARD"]}  # fmt: skip
    payload = _payload(await api(CREATE_LOT, {"input": new}, as_="kent_commissioner"), "createLot")
    assert payload["errors"] == []
    lot = payload["lot"]
    assert lot["code"] == "LOT3" and lot["ageBands"] == ["AGE_0_4", "AGE_16_18"]
    duplicate = _payload(await api(CREATE_LOT, {"input": new}, as_="kent_commissioner"), "createLot")
    assert [(e["field"], e["code"]) for e in duplicate["errors"]] == [("code", "DUPLICATE")]
    no_kinds = _payload(await api(CREATE_LOT, {"input": {**new, "code": "LOT4", "placementKinds": []}},
                                  as_="kent_commissioner"), "createLot")  # fmt: skip
    assert [e["field"] for e in no_kinds["errors"]] == ["placementKinds"]

    change = {"id": lot["id"], "name": "Parent and child assessment", "placementKinds": ["PARENT_AND_CHILD", "SOLO"]}
    changed = _payload(await api(UPDATE_LOT, {"input": change}, as_="kent_commissioner"), "updateLot")
    assert changed["errors"] == [] and changed["lot"]["placementKinds"] == ["PARENT_AND_CHILD", "SOLO"]
    stored = await Lot.get(framework_id=market.framework.id, code="LOT3")
    assert stored.name == "Parent and child assessment"
    actions = [c.action for c in await FrameworkChange.filter(framework_id=market.framework.id)]
    assert actions == ["lot.updated", "lot.created"]
    # A provider cannot add a lot to a framework it is on.
    refused = _payload(await api(CREATE_LOT, {"input": {**new, "code": "LOT5"}}, as_="harbour"), "createLot")
    assert refused["lot"] is None and refused["errors"][0]["code"] in {"PERMISSION_DENIED", "NOT_FOUND"}


async def test_a_successor_copies_lots_members_and_prices_and_placements_keep_their_framework(
    api: Api, market: Marketplace
) -> None:
    old = market.framework
    placed = await _placement_with(market, "harbour")
    successor = _new_framework(market, reference="KM-IFP-2027", startsOn=_today(30), endsOn=_today(30 + 365 * 4),
                               copyFrom=_gid("Framework", old.id), memberCouncilIds=None)  # fmt: skip
    payload = _payload(await api(CREATE, {"input": successor}, as_="kent_commissioner"), "createFramework")
    assert payload["errors"] == []
    made = payload["framework"]
    assert made["predecessor"] == {"reference": "KM-IFP-2022"}
    assert {c["name"] for c in made["memberCouncils"]} == {"Kent County Council", "Medway Council"}
    assert [lot["code"] for lot in made["lots"]] == ["LOT1", "LOT2"]
    core = made["lots"][0]
    old_members = await LotMembership.filter(lot_id=market.core_lot.id, left_on__isnull=True).count()
    assert len(core["members"]) == old_members
    harbour = next(m for m in core["members"] if m["provider"]["name"] == "Harbour Fostering (test)")
    assert harbour["tier"] == 1 and harbour["joinedOn"] == _today(30)
    old_prices = await PriceScheduleEntry.filter(
        membership__lot_id=market.core_lot.id, membership__provider_id=market.providers["harbour"].id
    ).values_list("age_band", "need_level", "weekly_fee_pence")
    assert sorted((p["ageBand"], p["needLevel"], p["weeklyFeePence"]) for p in harbour["priceSchedule"]) == sorted(
        (f"AGE_{band.replace('-', '_')}", level.upper(), fee) for band, level, fee in old_prices
    )
    assert {p["effectiveFrom"] for p in harbour["priceSchedule"]} == {_today(30)}
    stored = await Framework.get(reference="KM-IFP-2027")
    assert stored.predecessor_id == old.id
    assert made["changes"][0]["after"]["copyFrom"] == "KM-IFP-2022"
    # The placement made under the old framework keeps it (through its referral, fixed once published).
    assert (await Referral.get(id=placed.referral_id)).framework_id == old.id


async def _placement_with(market: Marketplace, provider: str) -> Placement:
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor(provider),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households[provider],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="A settled household near the child's school.",
        ),
    )
    return await offers.accept_offer(market.actor("kent_officer"), offer.id)


async def test_a_terminated_provider_receives_nothing_new_and_its_live_offers_are_withdrawn(
    api: Api, market: Marketplace
) -> None:
    harbour = market.providers["harbour"]
    placed = await _placement_with(market, "harbour")
    open_referral = await market.referral()
    live = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=open_referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=3),
            matching_statement="Room for one more; experienced with this age.",
        ),
    )
    membership = await LotMembership.get(lot_id=market.core_lot.id, provider_id=harbour.id)
    await OutboxMessage.all().delete()
    ending = {"membershipId": _gid("LotMembership", membership.id), "leftOn": _today(), "reason": "TERMINATED"}
    payload = _payload(await api(TERMINATE, {"input": ending}, as_="kent_commissioner"), "terminateMembership")
    assert payload["errors"] == []
    assert payload["membership"] == {"leftOn": _today(), "leftReason": "TERMINATED"}
    assert payload["withdrawnOfferIds"] == [_gid("Offer", live.id)]

    withdrawn = await Offer.get(id=live.id)
    assert withdrawn.status is OfferStatus.WITHDRAWN and withdrawn.live is None
    # The provider is told (event on its topic, and an email); the council sees the offer withdrawn.
    assert f"provider:{harbour.id}" in await _topics("framework.membership.terminated")
    assert f"council:{market.kent.id}" in await _topics("offer.withdrawn")
    told = await OutboxMessage.filter(notification="framework_changed", recipient="duty@harbour.test").first()
    assert told is not None and open_referral.reference in told.context["summary"]
    assert await OutboxMessage.filter(
        notification="framework_changed", recipient="kent_commissioner@council.test"
    ).exists()
    # Its placement carries on under the framework.
    still = await Placement.get(id=placed.id)
    assert still.status is PlacementStatus.ACTIVE
    assert (await Referral.get(id=still.referral_id)).framework_id == market.framework.id

    # The next referral on the lot never reaches it, and it cannot offer on the lot's open referrals.
    after = await market.referral()
    recipient = await BroadcastRecipient.get(referral_id=after.id, provider_id=harbour.id)
    assert recipient.sent_at is None and "left the framework" in (recipient.excluded_reason or "")
    again = await api(
        """mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { code } } }""",
        {"input": {"referralId": _gid("Referral", after.id), "carerHouseholdId": _gid("CarerHousehold", market.households["harbour"]),
                   "startDate": _today(3), "matchingStatement": "Room for one more."}},
        as_="harbour",
    )  # fmt: skip
    assert _payload(again, "submitOffer")["offer"] is None

    # Ending it twice, or on a day ahead, is refused naming the field.
    twice = _payload(await api(TERMINATE, {"input": ending}, as_="kent_commissioner"), "terminateMembership")
    assert [(e["field"], e["code"]) for e in twice["errors"]] == [("membershipId", "WRONG_STATE")]
    oakleaf = await LotMembership.get(lot_id=market.core_lot.id, provider_id=market.providers["oakleaf"].id)
    ahead = {"membershipId": _gid("LotMembership", oakleaf.id), "leftOn": _today(5), "reason": "TERMINATED"}
    errors = _payload(await api(TERMINATE, {"input": ahead}, as_="kent_commissioner"), "terminateMembership")["errors"]
    assert [e["field"] for e in errors] == ["leftOn"]
    assert (await LotMembership.get(id=oakleaf.id)).left_on is None


async def test_a_pending_tier_leaves_out_a_provider_terminated_meanwhile(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    northdowns = market.providers["northdowns"]
    held = await BroadcastRecipient.get(referral_id=referral.id, provider_id=northdowns.id)
    assert held.sent_at is None and held.excluded_reason is None and held.tier == 2
    membership = await LotMembership.get(lot_id=market.core_lot.id, provider_id=northdowns.id)
    ending = {"membershipId": _gid("LotMembership", membership.id), "leftOn": _today()}
    assert _payload(await api(TERMINATE, {"input": ending}, as_="admin"), "terminateMembership")["errors"] == []
    held = await BroadcastRecipient.get(id=held.id)
    assert held.excluded_reason is not None and "left the framework" in held.excluded_reason
    assert date.fromisoformat(_today()) == (await LotMembership.get(id=membership.id)).left_on
