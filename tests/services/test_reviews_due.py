"""reviews_due reads each active placement's latest review and count in one aggregate statement; its answer is
the one next_review_due gives on every review held (the rule read row by row), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.harness.marketplace import Marketplace, build_marketplace
from server.domain.vocabulary import PlacementStatus
from server.models import Placement, PlacementReview, User
from server.services import offers, placement_life
from tests.api.conftest import statements_run
from tests.services.test_referrals_and_offers import offer_details


@pytest.fixture
async def market(db: str) -> Marketplace:
    return await build_marketplace()


async def _placements(market: Marketplace) -> list[Placement]:
    made = []
    for winner in ("harbour", "oakleaf"):
        referral = await market.referral()
        offer = await offers.submit_offer(market.actor(winner), offer_details(market, referral, winner))
        await offers.accept_offer(market.actor("kent_officer"), offer.id)
        made.append(await Placement.get(offer_id=offer.id))
    return made


def _statutory(start: date, held: list[date]) -> date:
    """The cadence as written before the aggregate: within 20 working days of the start, 3 months after the
    first review, then every 6 months from the last."""
    if not held:
        return placement_life.add_working_days(start, placement_life.FIRST_REVIEW_WORKING_DAYS)
    return placement_life.add_months(max(held), 3 if len(held) == 1 else 6)


async def _row_by_row(today: date, council_id: int | None) -> list[placement_life.ReviewDue]:
    """The rule as it was read before: every active placement and every review held, in Python."""
    query = Placement.filter(status=PlacementStatus.ACTIVE)
    if council_id is not None:
        query = query.filter(council_id=council_id)
    found = []
    for placement in await query:
        held = list(await PlacementReview.filter(placement_id=placement.id).values_list("held_on", flat=True))
        due = _statutory(placement.actual_start_date or placement.start_date, held)
        if due <= today + timedelta(days=placement_life.DUE_SOON_DAYS):
            found.append(
                placement_life.ReviewDue(placement.id, placement.council_id, placement.ipa_reference, due, due < today)
            )
    return sorted(found, key=lambda r: (r.due_on, r.placement_id))


TODAY = datetime.now(UTC).date()
D = timedelta(days=1)
# (planned start, actual start, reviews held, status)
CASES = [
    (TODAY - 300 * D, None, [], PlacementStatus.ACTIVE),  # never reviewed: overdue
    (TODAY - 300 * D, TODAY - 10 * D, [], PlacementStatus.ACTIVE),  # started late: first review not due yet
    (TODAY - 30 * D, None, [], PlacementStatus.ACTIVE),  # first review due soon (or just overdue)
    (TODAY - 20 * D, TODAY - 25 * D, [], PlacementStatus.ACTIVE),  # actual start before planned
    (TODAY - 5 * D, None, [], PlacementStatus.ACTIVE),  # not due
    (TODAY - 200 * D, None, [TODAY - 100 * D], PlacementStatus.ACTIVE),  # second review overdue
    (TODAY - 200 * D, TODAY - 190 * D, [TODAY - 80 * D], PlacementStatus.ACTIVE),  # second due soon
    (TODAY - 200 * D, None, [TODAY - 30 * D], PlacementStatus.ACTIVE),  # second not due
    (TODAY - 400 * D, None, [TODAY - 370 * D, TODAY - 200 * D], PlacementStatus.ACTIVE),  # six-monthly, overdue
    (TODAY - 400 * D, None, [TODAY - 200 * D, TODAY - 370 * D], PlacementStatus.ACTIVE),  # held out of order
    (TODAY - 500 * D, TODAY - 490 * D, [TODAY - 460 * D, TODAY - 370 * D, TODAY - 175 * D], PlacementStatus.ACTIVE),
    (TODAY - 500 * D, None, [TODAY - 460 * D, TODAY - 370 * D, TODAY - 60 * D, TODAY - 10 * D], PlacementStatus.ACTIVE),
    (TODAY - 300 * D, None, [], PlacementStatus.ENDED),  # not active: never due
]


async def test_reviews_due_equals_next_review_due_on_every_review_held(market: Marketplace, db: str) -> None:
    first, second = await _placements(market)
    officer = await User.filter(council_id=market.kent.id).first()
    # the second placement keeps one review of its own: the grouping must not mix two placements' reviews
    await Placement.filter(id=second.id).update(
        start_date=TODAY - 100 * D, actual_start_date=None, status=PlacementStatus.ACTIVE
    )
    await PlacementReview.create(placement_id=second.id, held_on=TODAY - 85 * D, recorded_by_id=officer.id)
    seen: list[str] = []
    for planned, actual, held, status in CASES:
        await PlacementReview.filter(placement_id=first.id).delete()
        await Placement.filter(id=first.id).update(start_date=planned, actual_start_date=actual, status=status)
        for day in held:
            await PlacementReview.create(placement_id=first.id, held_on=day, recorded_by_id=officer.id)
        for council_id in (None, market.kent.id, market.medway.id):
            with statements_run(lambda query: "placement" in query.lower()) as run:
                answer = await placement_life.reviews_due(TODAY, council_id)
            assert len(run) == 1  # one aggregate statement, whatever the reviews held
            assert answer == await _row_by_row(TODAY, council_id), (planned, actual, held, status, council_id)
        mine = [r for r in await placement_life.reviews_due(TODAY) if r.placement_id == first.id]
        seen.append("not due" if not mine else "overdue" if mine[0].overdue else "due soon")
    # the cases cover each outcome, each more than once
    assert {outcome: seen.count(outcome) >= 2 for outcome in ("overdue", "due soon", "not due")} == {
        "overdue": True,
        "due soon": True,
        "not due": True,
    }, seen
    assert [r.placement_id for r in await placement_life.reviews_due(TODAY)].count(second.id) == 1


def test_add_working_days_equals_counting_day_by_day() -> None:
    def day_by_day(start: date, days: int) -> date:
        day = start
        while days:
            day += D
            if day.weekday() < 5:
                days -= 1
        return day

    for offset in range(14):  # every weekday to start on, twice
        start = date(2026, 1, 5) + offset * D
        for days in range(0, 41):
            assert placement_life.add_working_days(start, days) == day_by_day(start, days), (start, days)
    assert placement_life.add_working_days(date(2026, 1, 2), 20) == date(2026, 1, 30)  # a Friday: four weeks on
