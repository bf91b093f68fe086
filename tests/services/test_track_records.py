"""Each provider's kept track record (provider_track_record, kept by triggers) equals a recount from the whole
history after every kind of write that changes it: offers and declines (answers), placements, endings,
rows moved between providers (a merger), rows deleted, bulk inserts. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from bench.harness.marketplace import Marketplace
from server.domain import vocabulary as v
from server.domain.matching import TrackRecord
from server.models import BroadcastRecipient, Offer, Placement, ProviderTrackRecord
from server.repositories.statements import insert_rows
from server.repositories.track_records import (
    bulk_load,
    median_response_hours,
    placement_tallies,
    recount_track_records,
    stored_track_records,
)
from server.services import offers, placements
from server.services.matching import track_records


async def kept_and_recounted() -> tuple[dict, dict]:
    """(the kept records, the recount from every placement and answer), for the providers with anything."""
    kept = {
        provider_id: record
        for provider_id, record in (await stored_track_records(None)).items()
        if record != (0, 0, None)
    }
    tallies, medians = await placement_tallies(None), await median_response_hours(None)
    recount = {
        provider_id: (*tallies.get(provider_id, (0, 0)), medians.get(provider_id))
        for provider_id in tallies.keys() | medians.keys()
    }
    return kept, recount


async def assert_kept_equals_recount() -> dict:
    kept, recount = await kept_and_recounted()
    assert kept == recount
    return kept


async def _offer_and_place(market: Marketplace, key: str) -> Placement:
    return await market.placement(key, age_years=12)


async def test_kept_records_equal_a_recount_through_offers_declines_placements_and_endings(
    market: Marketplace,
) -> None:
    harbour, oakleaf = market.providers["harbour"], market.providers["oakleaf"]
    assert await assert_kept_equals_recount() == {}
    placed = []
    for planned in (True, False, None):  # a household takes one child: each ends before the next is placed
        placed.append(await _offer_and_place(market, "harbour"))
        kept = await assert_kept_equals_recount()
        assert kept[harbour.id][:2] == (len(placed), 1 if len(placed) == 3 else 0)
        assert kept[harbour.id][2] is not None  # its offers answered the referrals
        if planned is not None:
            await placements.end_placement(
                market.actor("harbour"),
                placed[-1].id,
                end_date=placed[-1].start_date + timedelta(days=30),
                reason=v.ReasonPlacementChanged.CARPL,
                planned=planned,
            )
            assert (await assert_kept_equals_recount())[harbour.id][:2] == (len(placed), 0 if planned else 1)

    declined = await market.referral(age_years=12)
    await offers.decline_referral(market.actor("oakleaf"), declined.id, v.DeclineReason.NO_CAPACITY)
    assert oakleaf.id in await assert_kept_equals_recount()

    # Written past the services: an ending changed its mind, an answer's time corrected.
    await Placement.filter(id=placed[1].id).update(planned_ending=True)
    assert (await assert_kept_equals_recount())[harbour.id][:2] == (3, 0)
    recipient = await BroadcastRecipient.get(referral_id=declined.id, provider_id=oakleaf.id)
    await BroadcastRecipient.filter(id=recipient.id).update(responded_at=recipient.sent_at + timedelta(hours=30))
    assert (await assert_kept_equals_recount())[oakleaf.id][2] == pytest.approx(30.0)
    # The matching service reads the kept rows, as it read the recount.
    assert (await track_records([oakleaf.id]))[oakleaf.id] == TrackRecord(0, 0, 30.0)


async def test_records_follow_rows_moved_between_providers_deleted_and_bulk_inserted(market: Marketplace) -> None:
    harbour, northdowns = market.providers["harbour"], market.providers["spot"]  # spot: sent none of them
    placed = [await _offer_and_place(market, "harbour")]
    await Placement.filter(id=placed[0].id).update(status=v.PlacementStatus.ENDED, planned_ending=False)
    placed.append(await _offer_and_place(market, "harbour"))
    await assert_kept_equals_recount()

    # A merger moves placements and answers to the surviving provider.
    await Placement.filter(provider_id=harbour.id).update(provider_id=northdowns.id)
    await BroadcastRecipient.filter(provider_id=harbour.id, responded_at__isnull=False).update(
        provider_id=northdowns.id
    )
    kept = await assert_kept_equals_recount()
    assert kept[northdowns.id][:2] == (2, 1)
    assert harbour.id not in kept

    # Bulk-inserted answers (one statement of many rows) and an even count: the upper middle.
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    referrals = [await market.referral(publish=False) for _ in range(4)]
    await insert_rows(
        BroadcastRecipient,
        [
            {"referral_id": r.id, "provider_id": harbour.id, "tier": 1, "sent_at": sent, "responded_at": answered}
            for r, answered in zip(referrals, [sent + timedelta(hours=h) for h in (9, 1, 8, 2)], strict=True)
        ],
    )
    assert (await assert_kept_equals_recount())[harbour.id] == (0, 0, pytest.approx(8.0))

    # Deleted rows leave the record: a placement (its offer stays), an answer.
    await Placement.filter(id=placed[1].id).delete()
    await BroadcastRecipient.filter(referral_id=referrals[2].id).delete()
    kept = await assert_kept_equals_recount()
    assert kept[northdowns.id][:2] == (1, 1)
    assert kept[harbour.id] == (0, 0, pytest.approx(2.0))  # 9, 1, 2 left: the middle
    assert await Offer.filter(id=placed[1].offer_id).exists()


async def test_a_broadcast_unanswered_writes_no_record_and_a_recount_fills_the_table_afresh(
    market: Marketplace,
) -> None:
    referral = await market.referral()
    assert await BroadcastRecipient.filter(referral_id=referral.id, sent_at__isnull=False).count() > 0
    assert await ProviderTrackRecord.all().count() == 0  # sent, not answered: nothing to count

    await _offer_and_place(market, "harbour")
    before = await assert_kept_equals_recount()
    await ProviderTrackRecord.all().delete()  # as a database whose history came before the triggers
    assert (await kept_and_recounted())[0] == {}
    await recount_track_records()
    assert await assert_kept_equals_recount() == before


async def test_answers_committed_side_by_side_both_count(market: Marketplace) -> None:
    """Two transactions answer for one provider at once: the second's median is read after the first commits
    (PostgreSQL: it waits on the provider's row; SQLite: on the one writer), so it counts both answers."""
    oakleaf = market.providers["oakleaf"]
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    referrals = [await market.referral(publish=False) for _ in range(3)]
    for referral in referrals[:2]:
        await BroadcastRecipient.create(referral=referral, provider=oakleaf, tier=1, sent_at=sent)
    # An answer committed before: the provider's row is there for both transactions to change.
    await BroadcastRecipient.create(
        referral=referrals[2], provider=oakleaf, tier=1, sent_at=sent, responded_at=sent + timedelta(hours=10)
    )
    first_wrote = asyncio.Event()

    async def answer(referral_id: int, hours: int, *, first: bool) -> None:
        if not first:
            await first_wrote.wait()
        async with in_transaction() as connection:
            await (
                BroadcastRecipient.filter(referral_id=referral_id, provider_id=oakleaf.id)
                .using_db(connection)
                .update(responded_at=sent + timedelta(hours=hours))
            )
            if first:
                first_wrote.set()
                await asyncio.sleep(0.3)  # still open while the other transaction writes its answer

    await asyncio.gather(answer(referrals[0].id, 6, first=True), answer(referrals[1].id, 2, first=False))
    kept = await assert_kept_equals_recount()
    assert kept[oakleaf.id] == (0, 0, pytest.approx(6.0))  # 2, 6, 10 (without the first's 6: 2, 10 gives 10)


async def test_a_bulk_load_counts_once_after_and_puts_the_triggers_back(market: Marketplace) -> None:
    harbour = market.providers["harbour"]
    await _offer_and_place(market, "harbour")
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    referrals = [await market.referral(publish=False) for _ in range(3)]
    async with bulk_load():
        await insert_rows(
            BroadcastRecipient,
            [
                {"referral_id": r.id, "provider_id": harbour.id, "tier": 1, "sent_at": sent, "responded_at": answered}
                for r, answered in zip(referrals, [sent + timedelta(hours=h) for h in (30, 20, 40)], strict=True)
            ],
        )
        # Nothing kept moves while the rows go in.
        assert (await stored_track_records([harbour.id]))[harbour.id][:2] == (1, 0)
    kept = await assert_kept_equals_recount()
    assert kept[harbour.id][0] == 1
    # The triggers are back: the next placement counts at once.
    await _offer_and_place(market, "harbour")
    assert (await assert_kept_equals_recount())[harbour.id][0] == 2
