"""Financial-year quarters, as councils report them: the year runs from 1 April, Q1 is April to June.

"2026-Q3" is October to December 2026; "2026-Q4" is January to March 2027.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WRITTEN = re.compile(r"^(\d{4})-Q([1-4])$")
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the financial year it belongs to, by the calendar year it starts in
    number: int  # 1-4

    @classmethod
    def parse(cls, written: str) -> Quarter:
        """ "2026-Q3" -> Quarter(2026, 3); ValueError for anything else."""
        found = _WRITTEN.match(written.strip())
        if found is None:
            raise ValueError("Write a quarter like 2026-Q3 (the financial year it starts in, then Q1 to Q4).")
        year = int(found.group(1))
        if not 2000 <= year <= 2100:
            raise ValueError("The quarter's year is from 2000 to 2100.")
        return cls(year, int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def starts_on(self) -> date:
        return date(self.year + (1 if self.number == 4 else 0), _FIRST_MONTH[self.number], 1)

    @property
    def ends_on(self) -> date:
        return self.next().starts_on - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def label(self) -> str:
        """ "Q3 2026-27 (October to December 2026)"."""
        first, last = self.starts_on, self.ends_on
        span = f"{first:%B} to {last:%B %Y}"
        return f"Q{self.number} {self.year}-{(self.year + 1) % 100:02d} ({span})"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def last(self, count: int) -> list[Quarter]:
        """The `count` quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]
