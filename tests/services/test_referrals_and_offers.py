"""The marketplace rules, through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise import Tortoise, connections

from bench.harness.marketplace import Marketplace, referral_details
from server.database import tortoise_config
from server.domain.vocabulary import (
    DeclineReason,
    FeeBasis,
    OfferStatus,
    PlacementStatus,
    ReasonPlacementChanged,
    ReferralStatus,
    Urgency,
)
from server.models import BroadcastRecipient, Event, EventTopic, Offer, OutboxMessage, Placement, Referral
from server.services import broadcast, offers, placements, referrals
from server.services.errors import ErrorCode, ServiceError
from server.services.offers import OfferDetails


def offer_details(market: Marketplace, referral: Referral, key: str, **changes) -> OfferDetails:
    values = dict(
        referral_id=referral.id,
        carer_household_id=market.households[key],
        start_date=datetime.now(UTC).date() + timedelta(days=2),
        matching_statement="Experienced with teenagers; 12 miles from home; same school bus route.",
    )
    values.update(changes)
    return OfferDetails(**values)


async def snapshot() -> tuple[int, ...]:
    return (
        await Referral.all().count(),
        await Offer.all().count(),
        await Placement.all().count(),
        await Event.all().count(),
        await OutboxMessage.all().count(),
    )


async def test_referral_references_count_up_per_council(market: Marketplace) -> None:
    year = datetime.now(UTC).year
    first = await market.referral(publish=False)
    second = await market.referral(publish=False)
    medway = await market.referral("medway_officer", publish=False)
    assert (first.reference, second.reference) == (f"KEN-{year}-00001", f"KEN-{year}-00002")
    assert medway.reference == f"MED-{year}-00001"
    assert first.status is ReferralStatus.DRAFT


async def test_publishing_sends_to_tier_one_and_records_who_was_left_out(market: Marketplace) -> None:
    referral = await market.referral()
    assert referral.status is ReferralStatus.OPEN and referral.current_tier == 1
    rows = {r.provider_id: r for r in await BroadcastRecipient.filter(referral_id=referral.id)}
    p = market.providers
    assert rows[p["harbour"].id].sent_at and rows[p["oakleaf"].id].sent_at
    assert rows[p["northdowns"].id].sent_at is None and rows[p["northdowns"].id].tier == 2
    assert "Ofsted" in rows[p["weald"].id].excluded_reason
    assert p["spot"].id not in rows
    # Every row, sent, held or excluded, carries the placing council (what the contract figures count by).
    assert {r.council_id for r in rows.values()} == {referral.council_id}
    topics = set(await EventTopic.filter(event__type="referral.published").values_list("topic", flat=True))
    assert {f"provider:{p['harbour'].id}", f"provider:{p['oakleaf'].id}"} <= topics
    assert f"provider:{p['northdowns'].id}" not in topics
    emails = await OutboxMessage.filter(notification="referral_broadcast").values_list("recipient", flat=True)
    assert sorted(emails) == ["duty@harbour.test", "duty@oakleaf.test"]


async def test_only_drafts_can_be_updated(market: Marketplace) -> None:
    draft = await market.referral(publish=False)
    updated = await referrals.update_referral(
        market.actor("kent_officer"), draft.id, referrals.ReferralDetails(age_years=14)
    )
    assert updated.age_years == 14
    await referrals.publish_referral(market.actor("kent_officer"), draft.id)
    with pytest.raises(ServiceError) as caught:
        await referrals.update_referral(market.actor("kent_officer"), draft.id, referrals.ReferralDetails(age_years=15))
    assert caught.value.code is ErrorCode.WRONG_STATE


async def test_two_publishes_of_one_draft_at_once_broadcast_it_once(market: Marketplace) -> None:
    draft = await market.referral(publish=False)
    officer = market.actor("kent_officer")
    outcomes = await asyncio.gather(
        referrals.publish_referral(officer, draft.id), referrals.publish_referral(officer, draft.id),
        return_exceptions=True,
    )  # fmt: skip
    published = [outcome for outcome in outcomes if isinstance(outcome, Referral)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ServiceError)]
    assert len(published) == 1 and len(refused) == 1, outcomes
    assert refused[0].code is ErrorCode.WRONG_STATE
    assert "meanwhile" in refused[0].message, "both read the draft; the conditional update let one through"
    stored = await Referral.get(id=draft.id)
    assert stored.status is ReferralStatus.OPEN and stored.published_at == published[0].published_at
    assert await Event.filter(type="referral.published").count() == 1
    assert await BroadcastRecipient.filter(referral_id=draft.id).count() == len(market.providers) - 1  # not spot
    assert await OutboxMessage.filter(notification="referral_broadcast").count() == 2


async def test_a_draft_edited_while_it_is_being_published_is_not_broadcast_stale(
    market: Marketplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = market.actor("kent_officer")
    draft = await market.referral(publish=False)
    planned = broadcast.plan_broadcast

    async def plan_while_a_colleague_edits(referral: Referral) -> broadcast.BroadcastPlan:
        plan = await planned(referral)
        await referrals.update_referral(officer, referral.id, referrals.ReferralDetails(age_years=9))
        return plan

    monkeypatch.setattr(broadcast, "plan_broadcast", plan_while_a_colleague_edits)
    with pytest.raises(ServiceError) as caught:
        await referrals.publish_referral(officer, draft.id)
    assert caught.value.code is ErrorCode.WRONG_STATE and "changed" in caught.value.message
    stored = await Referral.get(id=draft.id)
    assert stored.status is ReferralStatus.DRAFT and stored.age_years == 9
    assert not await Event.filter(type="referral.published").exists()
    assert not await BroadcastRecipient.filter(referral_id=draft.id).exists()
    monkeypatch.undo()
    published = await referrals.publish_referral(officer, draft.id)  # published as it now stands
    assert published.status is ReferralStatus.OPEN and published.age_years == 9


async def test_identifying_summary_is_rejected_and_nothing_is_stored(market: Marketplace) -> None:
    before = await snapshot()
    with pytest.raises(ServiceError) as caught:
        await referrals.create_referral(
            market.actor("kent_officer"),
            referral_details(market, summary="Lives at ME14 1XX with grandmother, born 12/03/2012."),
        )
    codes = {(p.code, p.field) for p in caught.value.problems}
    assert codes == {(ErrorCode.IDENTIFYING_DETAILS, "summary")}
    assert len(caught.value.problems) == 2
    assert await snapshot() == before


async def test_other_council_cannot_see_or_publish_a_referral(market: Marketplace) -> None:
    referral = await market.referral(publish=False)
    with pytest.raises(ServiceError) as caught:
        await referrals.publish_referral(market.actor("medway_officer"), referral.id)
    assert caught.value.code is ErrorCode.NOT_FOUND


async def test_provider_on_a_later_tier_cannot_offer_before_the_cascade(market: Marketplace) -> None:
    referral = await market.referral()
    with pytest.raises(ServiceError) as caught:
        await offers.submit_offer(market.actor("northdowns"), offer_details(market, referral, "northdowns"))
    assert caught.value.code is ErrorCode.NOT_FOUND


async def test_offer_fee_comes_from_the_framework_price_schedule(market: Marketplace) -> None:
    referral = await market.referral(age_years=13)
    offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    assert offer.fee_basis is FeeBasis.FRAMEWORK
    assert offer.weekly_fee_pence == 82_000 + 6_000  # age band 11-15, standard need
    assert offer.differs_from_schedule is False
    assert offer.distance_miles is not None and offer.distance_miles < 10  # ME16 to ME14


async def test_a_provider_has_one_live_offer_per_referral(market: Marketplace) -> None:
    referral = await market.referral()
    first = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    with pytest.raises(ServiceError) as caught:
        await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    assert caught.value.code is ErrorCode.DUPLICATE
    await offers.withdraw_offer(market.actor("harbour"), first.id)
    again = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    assert again.status is OfferStatus.SUBMITTED


async def test_provider_cannot_offer_another_providers_household(market: Marketplace) -> None:
    referral = await market.referral()
    before = await snapshot()
    with pytest.raises(ServiceError) as caught:
        await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "oakleaf"))
    assert (caught.value.code, caught.value.field) == (ErrorCode.NOT_FOUND, "carerHouseholdId")
    assert await snapshot() == before


async def test_no_offer_on_a_withdrawn_referral(market: Marketplace) -> None:
    referral = await market.referral()
    await referrals.withdraw_referral(market.actor("kent_officer"), referral.id)
    with pytest.raises(ServiceError) as caught:
        await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    assert caught.value.code is ErrorCode.WRONG_STATE
    told = await OutboxMessage.filter(notification="referral_closed").values_list("recipient", flat=True)
    assert sorted(told) == ["duty@harbour.test", "duty@oakleaf.test"]


async def test_accepting_makes_one_placement_declines_the_rest_and_closes_the_referral(market: Marketplace) -> None:
    referral = await market.referral()
    chosen = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    other = await offers.submit_offer(market.actor("oakleaf"), offer_details(market, referral, "oakleaf"))
    await offers.shortlist_offer(market.actor("kent_officer"), chosen.id)
    placement = await offers.accept_offer(market.actor("kent_officer"), chosen.id)
    assert placement.ipa_reference == f"IPA-{referral.reference}"
    assert placement.weekly_fee_pence == chosen.weekly_fee_pence
    assert placement.inside_council_area is True  # ME16 is in Kent
    await referral.refresh_from_db()
    await other.refresh_from_db()
    assert referral.status is ReferralStatus.PLACED
    assert other.status is OfferStatus.DECLINED
    decisions = await OutboxMessage.filter(notification="offer_decision").values_list("recipient", "context")
    assert {(email, ctx["decision"]) for email, ctx in decisions} >= {
        ("duty@harbour.test", "accepted"),
        ("duty@oakleaf.test", "declined"),
    }


async def test_twenty_racing_accepts_make_exactly_one_placement(market: Marketplace) -> None:
    referral = await market.referral()
    a = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    b = await offers.submit_offer(market.actor("oakleaf"), offer_details(market, referral, "oakleaf"))
    officer = market.actor("kent_officer")
    results = await asyncio.gather(
        *(offers.accept_offer(officer, (a if i % 2 else b).id) for i in range(20)), return_exceptions=True
    )
    made = [r for r in results if isinstance(r, Placement)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(made) == 1 and len(refused) == 19, results
    assert {r.code for r in refused} <= {ErrorCode.ALREADY_DECIDED, ErrorCode.WRONG_STATE}
    assert await Placement.filter(referral_id=referral.id).count() == 1
    assert await Offer.filter(referral_id=referral.id, status=OfferStatus.ACCEPTED).count() == 1
    assert await Event.filter(type="offer.accepted").count() == 1


async def test_decline_with_reason_is_recorded_for_the_council(market: Marketplace) -> None:
    referral = await market.referral()
    await offers.decline_referral(market.actor("oakleaf"), referral.id, DeclineReason.NO_CAPACITY, "Full until March")
    row = await BroadcastRecipient.get(referral_id=referral.id, provider_id=market.providers["oakleaf"].id)
    assert row.decline_reason is DeclineReason.NO_CAPACITY and row.responded_at is not None
    activity = await OutboxMessage.filter(notification="offer_activity").values_list("recipient", flat=True)
    assert list(activity) == ["kent_officer@council.test"]


async def test_emergency_referral_cascades_to_tier_two_after_its_window(market: Marketplace) -> None:
    referral = await market.referral(urgency=Urgency.TODAY)
    assert referral.tier_deadline is not None
    assert referral.tier_deadline - referral.published_at == timedelta(hours=4)
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=3)) == 0
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=5)) == 1
    await referral.refresh_from_db()
    assert referral.current_tier == 2 and referral.tier_deadline is None
    offer = await offers.submit_offer(market.actor("northdowns"), offer_details(market, referral, "northdowns"))
    assert offer.weekly_fee_pence == 79_000 + 6_000 + 10_000  # emergency supplement


async def test_cascade_deadline_survives_a_restart_in_the_middle(db: str, market: Marketplace) -> None:
    referral = await market.referral(urgency=Urgency.TODAY)
    halfway = referral.published_at + timedelta(hours=2)
    assert await broadcast.cascade_due(halfway) == 0
    # The process dies half way through tier 1's window: nothing of the cascade lives in memory.
    await connections.close_all()
    await Tortoise.init(config=tortoise_config(db))
    assert await broadcast.cascade_due(halfway) == 0
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=5)) == 1
    restarted = await Referral.get(id=referral.id)
    assert restarted.current_tier == 2
    tier_two = await BroadcastRecipient.filter(referral_id=referral.id, tier=2).values_list("provider_id", flat=True)
    assert market.providers["northdowns"].id in tier_two
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=6)) == 0, "cascaded once"


async def test_a_live_offer_stops_the_cascade(market: Marketplace) -> None:
    referral = await market.referral()
    await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    assert await broadcast.cascade_due(datetime.now(UTC) + timedelta(days=2)) == 0
    await referral.refresh_from_db()
    assert referral.current_tier == 1


async def test_ending_without_notice_tells_the_framework_commissioners(market: Marketplace) -> None:
    referral = await market.referral()
    offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    end = placement.start_date + timedelta(days=60)
    ended = await placements.end_placement(
        market.actor("harbour"),
        placement.id,
        end_date=end,
        reason=ReasonPlacementChanged.CREQB,
        planned=True,
        notice_given_on=end - timedelta(days=7),
    )
    assert ended.status is PlacementStatus.ENDED
    told = await OutboxMessage.filter(notification="placement_ended_unplanned").values_list("recipient", "context")
    assert [(email, ctx["without_notice"]) for email, ctx in told] == [("kent_commissioner@council.test", True)]


async def test_ending_with_28_days_notice_as_planned_tells_nobody(market: Marketplace) -> None:
    referral = await market.referral()
    offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    end = placement.start_date + timedelta(days=90)
    await placements.end_placement(
        market.actor("kent_officer"),
        placement.id,
        end_date=end,
        reason=ReasonPlacementChanged.CARPL,
        planned=True,
        notice_given_on=end - timedelta(days=28),
    )
    assert await OutboxMessage.filter(notification="placement_ended_unplanned").count() == 0
    with pytest.raises(ServiceError) as caught:
        await placements.end_placement(
            market.actor("kent_officer"), placement.id, end_date=end, reason=ReasonPlacementChanged.CARPL, planned=True
        )
    assert caught.value.code is ErrorCode.WRONG_STATE


async def test_start_date_in_the_past_is_refused(market: Marketplace) -> None:
    referral = await market.referral()
    with pytest.raises(ServiceError) as caught:
        await offers.submit_offer(
            market.actor("harbour"), offer_details(market, referral, "harbour", start_date=date(2020, 1, 1))
        )
    assert caught.value.field == "startDate"


async def test_providers_without_a_household_that_could_match_are_not_sent_it(market: Marketplace) -> None:
    referral = await market.referral(age_years=6)  # every household is approved for ages 8-17
    rows = {r.provider_id: r for r in await BroadcastRecipient.filter(referral_id=referral.id)}
    harbour = rows[market.providers["harbour"].id]
    assert harbour.sent_at is None
    assert "no active household or home approved for the child's age" in harbour.excluded_reason
    assert referral.status is ReferralStatus.OPEN and referral.tier_deadline is None


async def test_a_child_nobody_on_the_framework_can_take_goes_to_spot_purchase(market: Marketplace) -> None:
    from server.services import resources
    from server.services.resources import HouseholdDetails

    spot_user = market.actor("spot")
    await resources.create_carer_household(
        spot_user,
        market.providers["spot"].id,
        HouseholdDetails(
            reference="SPOT-H1",
            district="TN1",
            min_age=8,
            max_age=17,
            approved_places=1,
            placement_kinds=["core_fostering"],
            durations=["long_term", "short_term", "emergency"],
        ),
    )
    referral = await market.referral(urgency=Urgency.TODAY)
    officer = market.actor("kent_officer")
    with pytest.raises(ServiceError) as too_early:
        await referrals.escalate_to_spot(officer, referral.id)
    assert too_early.value.code is ErrorCode.WRONG_STATE
    await broadcast.cascade_due(referral.published_at + timedelta(hours=5))
    await referral.refresh_from_db()
    assert referral.tier_deadline is None  # last tier reached
    escalated = await referrals.escalate_to_spot(officer, referral.id)
    assert escalated.escalated_to_spot
    row = await BroadcastRecipient.get(referral_id=referral.id, provider_id=market.providers["spot"].id)
    assert row.is_spot and row.sent_at is not None and row.council_id == referral.council_id
    with pytest.raises(ServiceError):
        await offers.submit_offer(market.actor("spot"), offer_details(market, referral, "harbour"))
    household = await resources.CarerHousehold.get(reference="SPOT-H1")
    offer = await offers.submit_offer(
        market.actor("spot"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=household.id,
            start_date=datetime.now(UTC).date(),
            spot_weekly_fee_pence=135_000,
            matching_statement="Experienced with this age; close to home.",
        ),
    )
    assert offer.fee_basis is FeeBasis.SPOT and offer.weekly_fee_pence == 135_000
    # Placed on spot: the placement keeps no framework (the contract figures' "spot" route), though the referral
    # was published on one.
    placement = await offers.accept_offer(officer, offer.id)
    assert referral.framework_id is not None and placement.framework_id is None
    assert (placement.placement_kind, placement.age_years) == (referral.placement_kind, referral.age_years)
