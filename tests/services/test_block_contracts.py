"""Block contracts, through the services, on SQLite and PostgreSQL: a referral that fits a free block place is
offered to its provider first and alone, goes to the market after a decline or when the window passes, an accepted
block offer fills the place, and occupancy and voids are counted day by day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace, add_residential_lot
from server.domain.vocabulary import (
    CallOffStatus,
    DeclineReason,
    FeeBasis,
    OfferDeclineReason,
    OfstedJudgement,
    PlacementKind,
    ReferralStatus,
    VoidBasis,
)
from server.models import BlockCallOff, BlockContract, BroadcastRecipient, ChildrensHome, Lot, Placement, Referral
from server.services import block_call_off, block_contracts, broadcast, offers
from server.services.block_contracts import BlockContractChanges, BlockContractDetails, PlaceDetails
from server.services.errors import ErrorCode, ServiceError
from server.services.offers import OfferDetails


async def block_home(market: Marketplace, provider: str = "oakleaf", beds: int = 3) -> ChildrensHome:
    return await ChildrensHome.create(
        provider=market.providers[provider],
        name=f"{provider.title()} Lodge",
        ofsted_urn=f"SC98{len(provider):04d}",
        beds=beds,
        min_age=10,
        max_age=17,
        district="ME15",
        ofsted_judgement=OfstedJudgement.GOOD,
    )


def contract_details(market: Marketplace, home: ChildrensHome, **changes) -> BlockContractDetails:
    values = dict(
        reference="KCC-BLOCK-01",
        name="Kent children's home beds",
        provider_id=home.provider_id,
        council_id=market.kent.id,
        starts_on=date(2025, 1, 1),
        ends_on=date(2030, 12, 31),
        weekly_price_pence=700_000,
        void_basis=VoidBasis.PERCENT_OF_PRICE,
        void_percent=50,
        call_off_window_hours=12,
        places=[PlaceDetails(starts_on=date(2025, 1, 1), childrens_home_id=home.id)],
    )
    values.update(changes)
    return BlockContractDetails(**values)


async def residential_referral(market: Marketplace, lot: Lot, **changes) -> Referral:
    values = {"lot_id": lot.id, "placement_kind": PlacementKind.CHILDRENS_HOME, "age_years": 14, **changes}
    return await market.referral(**values)


async def sent_to(referral: Referral) -> set[int]:
    return set(
        await BroadcastRecipient.filter(referral_id=referral.id, sent_at__isnull=False).values_list(
            "provider_id", flat=True
        )
    )


@pytest.fixture
async def block(market: Marketplace) -> tuple[Lot, ChildrensHome, BlockContract]:
    """Harbour on the framework's residential lot (tier 1); Oakleaf's home block-contracted by Kent."""
    lot = await add_residential_lot(market, "harbour")
    await ChildrensHome.create(
        provider=market.providers["harbour"],
        name="Harbour House",
        ofsted_urn="SC970001",
        beds=4,
        min_age=10,
        max_age=17,
        district="ME16",
        ofsted_judgement=OfstedJudgement.GOOD,
    )
    home = await block_home(market)
    view = await block_contracts.create_block_contract(
        market.actor("kent_commissioner"), contract_details(market, home)
    )
    return lot, home, view.contract


async def test_a_block_place_is_offered_first_to_its_provider_alone(market: Marketplace, block) -> None:
    lot, _, _ = block
    referral = await residential_referral(market, lot)
    oakleaf, harbour = market.providers["oakleaf"].id, market.providers["harbour"].id
    assert await sent_to(referral) == {oakleaf}
    assert referral.current_tier == block_call_off.CALL_OFF_TIER
    assert referral.tier_deadline == referral.published_at + timedelta(hours=12)
    waiting = await BroadcastRecipient.get(referral_id=referral.id, provider_id=harbour)
    assert waiting.sent_at is None and waiting.tier == 1
    assert set(await BroadcastRecipient.filter(referral_id=referral.id).values_list("council_id", flat=True)) == {
        referral.council_id
    }
    call_off = await BlockCallOff.get(referral_id=referral.id)
    assert call_off.status is CallOffStatus.OPEN and call_off.provider_id == oakleaf
    # Harbour, on the lot, cannot see it during the window.
    with pytest.raises(ServiceError):
        await offers.decline_referral(market.actor("harbour"), referral.id, DeclineReason.NO_CAPACITY)


async def test_the_market_gets_it_when_the_block_provider_declines(market: Marketplace, block) -> None:
    lot, _, _ = block
    referral = await residential_referral(market, lot)
    await offers.decline_referral(market.actor("oakleaf"), referral.id, DeclineReason.NO_CAPACITY)
    assert await sent_to(referral) == {market.providers["oakleaf"].id, market.providers["harbour"].id}
    assert (await BlockCallOff.get(referral_id=referral.id)).status is CallOffStatus.DECLINED
    assert (await Referral.get(id=referral.id)).current_tier == 1


async def test_the_market_gets_it_when_the_window_passes(market: Marketplace, block) -> None:
    lot, _, _ = block
    referral = await residential_referral(market, lot)
    assert await block_call_off.lapse_due(referral.published_at + timedelta(hours=11)) == 0
    assert await sent_to(referral) == {market.providers["oakleaf"].id}
    assert await block_call_off.lapse_due(referral.published_at + timedelta(hours=13)) == 1
    assert market.providers["harbour"].id in await sent_to(referral)
    assert (await BlockCallOff.get(referral_id=referral.id)).status is CallOffStatus.LAPSED
    assert await block_call_off.lapse_due(referral.published_at + timedelta(hours=14)) == 0, "lapsed once"


async def test_the_tier_cascade_alone_also_sends_it_on_after_the_window(market: Marketplace, block) -> None:
    lot, _, _ = block
    referral = await residential_referral(market, lot)
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=13)) == 1
    assert market.providers["harbour"].id in await sent_to(referral)


async def test_accepting_the_block_offer_fills_the_place(market: Marketplace, block) -> None:
    lot, home, contract = block
    referral = await residential_referral(market, lot)
    offer = await offers.submit_offer(
        market.actor("oakleaf"),
        OfferDetails(
            referral_id=referral.id,
            childrens_home_id=home.id,
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="A bed in our block-contracted home, staffed for teenagers.",
        ),
    )
    assert offer.fee_basis is FeeBasis.BLOCK and offer.weekly_fee_pence == 700_000
    # While the block offer is live the window's end does not widen the broadcast.
    assert await block_call_off.lapse_due(referral.published_at + timedelta(hours=13)) == 0
    assert await broadcast.cascade_due(referral.published_at + timedelta(hours=13)) == 0
    assert await sent_to(referral) == {market.providers["oakleaf"].id}
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    assert placement.fee_basis is FeeBasis.BLOCK
    call_off = await BlockCallOff.get(referral_id=referral.id)
    assert call_off.status is CallOffStatus.FILLED and call_off.placement_id == placement.id
    [view] = await block_contracts.block_contract_views(market.actor("oakleaf"), contract.id)
    assert view.places[0].occupied_on(placement.start_date)
    # The only place is filled: the next referral goes straight to the market.
    following = await residential_referral(market, lot)
    assert await sent_to(following) == {market.providers["harbour"].id}
    assert not await BlockCallOff.exists(referral_id=following.id)


async def test_a_declined_block_offer_lets_the_market_have_the_referral(market: Marketplace, block) -> None:
    lot, home, _ = block
    referral = await residential_referral(market, lot)
    offer = await offers.submit_offer(
        market.actor("oakleaf"),
        OfferDetails(
            referral_id=referral.id,
            childrens_home_id=home.id,
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="A bed in our block-contracted home, staffed for teenagers.",
        ),
    )
    await offers.decline_offer(
        market.actor("kent_officer"), offer.id, OfferDeclineReason.OTHER, "The social worker prefers another area."
    )
    assert market.providers["harbour"].id in await sent_to(referral)
    assert (await BlockCallOff.get(referral_id=referral.id)).status is CallOffStatus.RELEASED


async def test_a_referral_the_block_home_cannot_take_goes_to_the_market(market: Marketplace, block) -> None:
    lot, _, _ = block
    referral = await residential_referral(market, lot, age_years=8)  # the block home takes 10 to 17
    assert not await BlockCallOff.exists(referral_id=referral.id)
    assert market.providers["oakleaf"].id not in await sent_to(referral)


async def test_another_councils_referral_is_not_called_off_kents_block(market: Marketplace, block) -> None:
    lot, _, _ = block
    medway = await market.referral(
        "medway_officer", lot_id=lot.id, placement_kind=PlacementKind.CHILDRENS_HOME, age_years=14
    )
    assert not await BlockCallOff.exists(referral_id=medway.id)
    assert await sent_to(medway) == {market.providers["harbour"].id}


async def test_voids_are_counted_day_by_day_for_hand_built_dates(market: Marketplace, block) -> None:
    lot, home, contract = block
    await block_contracts.update_block_contract(
        market.actor("kent_commissioner"),
        contract.id,
        BlockContractChanges(add_places=[PlaceDetails(starts_on=date(2025, 3, 1), childrens_home_id=home.id)]),
    )
    referral = await residential_referral(market, lot)
    offer = await offers.submit_offer(
        market.actor("oakleaf"),
        OfferDetails(
            referral_id=referral.id,
            childrens_home_id=home.id,
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="A bed in our block-contracted home, staffed for teenagers.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    # Hand-built: the child was in the first place from 11 January 2025 and left on 21 January.
    await Placement.filter(id=placement.id).update(start_date=date(2025, 1, 11), end_date=date(2025, 1, 21))
    [view] = await block_contracts.block_contract_views(market.actor("kent_commissioner"), contract.id)
    first, second = view.places
    january = first.occupancy(date(2025, 1, 1), date(2025, 1, 31))
    assert (january.open_days, january.occupied_days, january.void_days) == (31, 10, 21)
    assert january.void_cost_pence == 21 * 50_000  # half of £7,000 a week is £500 a day
    assert january.occupied_cost_pence == 10 * 100_000
    assert second.occupancy(date(2025, 1, 1), date(2025, 1, 31)).open_days == 0, "the ramp: it starts in March"
    quarter = view.occupancy(date(2025, 1, 1), date(2025, 3, 31))
    assert quarter.open_days == 90 + 31 and quarter.occupied_days == 10
    assert quarter.void_days == 111 and quarter.utilisation_percent == round(1000 / 121, 1)
    counts = await block_contracts.purchase_basis_counts(
        market.actor("kent_commissioner"), date(2025, 1, 1), date(2025, 1, 31)
    )
    assert counts.block == 1


async def test_a_term_over_ten_years_is_refused_naming_the_field(market: Marketplace, block) -> None:
    _, home, _ = block
    before = await BlockContract.all().count()
    with pytest.raises(ServiceError) as refused:
        await block_contracts.create_block_contract(
            market.actor("kent_commissioner"),
            contract_details(market, home, reference="KCC-BLOCK-02", ends_on=date(2035, 1, 1)),
        )
    assert {(p.field, p.code) for p in refused.value.problems} == {("endsOn", ErrorCode.INVALID)}
    assert await BlockContract.all().count() == before
    ten_years = await block_contracts.create_block_contract(
        market.actor("admin"), contract_details(market, home, reference="KCC-BLOCK-03", ends_on=date(2034, 12, 31))
    )
    assert ten_years.contract.ends_on == date(2034, 12, 31)


async def test_a_placement_officer_cannot_make_a_block_contract(market: Marketplace, block) -> None:
    _, home, _ = block
    with pytest.raises(ServiceError) as refused:
        await block_contracts.create_block_contract(
            market.actor("kent_officer"), contract_details(market, home, reference="KCC-BLOCK-04")
        )
    assert refused.value.code is ErrorCode.PERMISSION_DENIED


async def test_more_places_than_beds_and_an_unpriced_void_are_refused(market: Marketplace, block) -> None:
    _, home, _ = block
    places = [PlaceDetails(starts_on=date(2025, 1, 1), childrens_home_id=home.id) for _ in range(4)]
    with pytest.raises(ServiceError) as refused:
        await block_contracts.create_block_contract(
            market.actor("kent_commissioner"),
            contract_details(
                market,
                home,
                reference="KCC-BLOCK-05",
                places=places,
                void_basis=VoidBasis.WEEKLY_AMOUNT,
                void_percent=None,
            ),
        )
    assert {p.field for p in refused.value.problems} == {"places.3.childrensHomeId", "voidWeeklyPence"}


async def test_the_call_off_is_by_the_consortium_for_its_member_councils_share(market: Marketplace) -> None:
    lot = await add_residential_lot(market, "harbour")
    home = await block_home(market)
    # Kent leads the framework: the consortium's contract, one place Medway's share.
    await block_contracts.create_block_contract(
        market.actor("kent_commissioner"),
        contract_details(
            market,
            home,
            council_id=None,
            framework_id=market.framework.id,
            places=[PlaceDetails(starts_on=date(2025, 1, 1), childrens_home_id=home.id, council_id=market.medway.id)],
        ),
    )
    kent = await residential_referral(market, lot)
    assert not await BlockCallOff.exists(referral_id=kent.id), "Medway's share is not Kent's"
    medway = await market.referral(
        "medway_officer", lot_id=lot.id, placement_kind=PlacementKind.CHILDRENS_HOME, age_years=14
    )
    assert (await BlockCallOff.get(referral_id=medway.id)).provider_id == market.providers["oakleaf"].id
    assert medway.status is ReferralStatus.OPEN
