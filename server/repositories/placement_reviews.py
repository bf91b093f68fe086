"""What the reviews due read: each active placement with its latest review held and how many were held, in one
plain statement (no review row is loaded, no ORM composition or row conversion on the dashboard's path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise import connections

from server.domain.vocabulary import PlacementStatus
from server.repositories.statements import Composer, Statement


@dataclass(frozen=True)
class ActivePlacementReviews:
    placement_id: int
    council_id: int
    ipa_reference: str
    started_on: date  # the actual start, else the agreed one
    last_held: date | None
    held_count: int


async def active_placements_reviews(council_id: int | None = None) -> list[ActivePlacementReviews]:
    """Every active placement, of one council (index placement(council_id, status)) or of all."""
    sql = Composer(connections.get("default").capabilities.dialect)
    text = (
        "SELECT p.id, p.council_id, p.ipa_reference, p.start_date, p.actual_start_date, MAX(r.held_on), COUNT(r.id)"
        " FROM placement p LEFT JOIN placement_review r ON r.placement_id = p.id"
        f" WHERE p.status = {sql.param(PlacementStatus.ACTIVE.value)}"
        + (f" AND p.council_id = {sql.param(council_id)}" if council_id is not None else "")
        + " GROUP BY p.id, p.council_id, p.ipa_reference, p.start_date, p.actual_start_date"
    )
    return [
        ActivePlacementReviews(
            placement_id=placement_id,
            council_id=placement_council,
            ipa_reference=reference,
            started_on=_as_date(actual_start or start),
            last_held=_as_date(last_held),
            held_count=int(held_count or 0),
        )
        for placement_id, placement_council, reference, start, actual_start, last_held, held_count in (
            await Statement(text).tuples(*sql.params)
        )
    ]


def _as_date(value: date | str | None) -> date | None:
    """A date as the database hands it back (SQLite gives a DATE column, and its MAX, as text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
