"""A provider's record on the exchange, read in two aggregate statements: its placements and how many ended
unplanned, and the median time it took to answer the referrals it was sent. With no providers named, every
provider's (a ranking of the whole market reads them alongside its candidates)."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise import connections

from server.domain.vocabulary import PlacementStatus
from server.repositories.statements import Composer, Statement


def _of_providers(statement: Composer, provider_ids: Sequence[int] | None) -> str:
    """The filter on provider_id: the given providers, or every provider when None."""
    return "" if provider_ids is None else f"provider_id IN ({statement.one_of(provider_ids)})"


async def placement_tallies(provider_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
    """provider id -> (placements, of which ended unplanned), for the providers (all when None) with any."""
    connection = connections.get("default")
    endings = Composer(connection.capabilities.dialect)
    tally = (
        f"SELECT provider_id, COUNT(*), SUM(CASE WHEN status = {endings.param(PlacementStatus.ENDED.value)} "
        f"AND planned_ending = {endings.param(False)} THEN 1 ELSE 0 END) FROM placement"
    )
    among = _of_providers(endings, provider_ids)
    statement = Statement(f"{tally}{f' WHERE {among}' if among else ''} GROUP BY provider_id")
    rows = await statement.tuples(*endings.params, connection=connection)
    return {provider_id: (total, unplanned or 0) for provider_id, total, unplanned in rows}


async def median_response_hours(provider_ids: Sequence[int] | None) -> dict[int, float]:
    """provider id -> the median (the upper of two middles) of the hours it took to answer each referral it was
    sent, for the providers (all when None) that answered any. One aggregate (Composer.median_high): one row
    per provider comes back, however long the history of answers, and nothing is sorted but each provider's
    own hours (a window over them all costs SQLite several times the scan)."""
    connection = connections.get("default")
    waits = Composer(connection.capabilities.dialect)
    median = waits.median_high(waits.hours_between("sent_at", "responded_at"))
    among = _of_providers(waits, provider_ids)
    statement = Statement(
        f"SELECT provider_id, {median} FROM broadcast_recipient "
        f"WHERE {among + ' AND ' if among else ''}responded_at IS NOT NULL AND sent_at IS NOT NULL "
        "GROUP BY provider_id"
    )
    rows = await statement.tuples(*waits.params, connection=connection)
    return {provider_id: float(hours) for provider_id, hours in rows if hours is not None}
