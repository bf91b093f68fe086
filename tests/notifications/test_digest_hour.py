"""When a digest row is due: the first 07:00, UK time, after it was queued, in summer time and winter time."""

from __future__ import annotations

from datetime import UTC, datetime

from server.outbox.messages import digest_due_at


def test_update_queued_overnight_goes_in_that_mornings_digest() -> None:
    assert digest_due_at(datetime(2026, 1, 14, 2, 30, tzinfo=UTC)) == datetime(2026, 1, 14, 7, 0, tzinfo=UTC)


def test_update_queued_after_the_digest_hour_waits_for_the_next_morning() -> None:
    assert digest_due_at(datetime(2026, 1, 14, 7, 0, tzinfo=UTC)) == datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    assert digest_due_at(datetime(2026, 1, 14, 16, 45, tzinfo=UTC)) == datetime(2026, 1, 15, 7, 0, tzinfo=UTC)


def test_in_british_summer_time_the_digest_goes_at_seven_local() -> None:
    assert digest_due_at(datetime(2026, 7, 1, 5, 0, tzinfo=UTC)) == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


def test_the_morning_the_clocks_go_forward_the_digest_still_goes_at_seven_local() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. Queued the evening before (GMT), due at 07:00 BST.
    assert digest_due_at(datetime(2026, 3, 28, 20, 0, tzinfo=UTC)) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
