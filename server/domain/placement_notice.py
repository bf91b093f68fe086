"""Notice on a placement, computed, never typed: how many days were given and whether they were 28."""

from __future__ import annotations

from datetime import date
from typing import Protocol

NOTICE_DAYS = 28


class WithNotice(Protocol):
    notice_given_on: date | None
    notice_intended_end: date | None
    end_date: date | None


def notice_days(placement: WithNotice) -> int | None:
    """From the day notice was given to the day it ended (or, still running, its intended end)."""
    end = placement.end_date or placement.notice_intended_end
    if placement.notice_given_on is None or end is None:
        return None
    return (end - placement.notice_given_on).days


def twenty_eight_days_given(placement: WithNotice) -> bool | None:
    """True or False once notice was given or the placement ended; None while running without notice."""
    days = notice_days(placement)
    if days is not None:
        return days >= NOTICE_DAYS
    return False if placement.end_date is not None else None
