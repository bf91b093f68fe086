"""A provider's record on the exchange, read in two aggregate statements: its placements and how many ended
unplanned, and the median time it took to answer the referrals it was sent."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise import connections

from server.domain.vocabulary import PlacementStatus
from server.repositories.statements import Composer, Statement


async def placement_tallies(provider_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """provider id -> (placements, of which ended unplanned), for the providers with any."""
    connection = connections.get("default")
    endings = Composer(connection.capabilities.dialect)
    statement = Statement(
        f"SELECT provider_id, COUNT(*), SUM(CASE WHEN status = {endings.param(PlacementStatus.ENDED.value)} "
        f"AND planned_ending = {endings.param(False)} THEN 1 ELSE 0 END) FROM placement "
        f"WHERE provider_id IN ({endings.one_of(provider_ids)}) GROUP BY provider_id"
    )
    rows = await statement.tuples(*endings.params, connection=connection)
    return {provider_id: (total, unplanned or 0) for provider_id, total, unplanned in rows}


async def median_response_hours(provider_ids: Sequence[int]) -> dict[int, float]:
    """provider id -> the median (the upper of two middles) of the hours it took to answer each referral it was
    sent, for the providers that answered any. The database ranks them: one row per provider comes back, however
    long the history of answers."""
    connection = connections.get("default")
    waits = Composer(connection.capabilities.dialect)
    hours = waits.hours_between("sent_at", "responded_at")
    statement = Statement(
        f"SELECT provider_id, hours FROM (SELECT provider_id, {hours} AS hours, "
        f"ROW_NUMBER() OVER (PARTITION BY provider_id ORDER BY {hours}) AS position, "
        "COUNT(*) OVER (PARTITION BY provider_id) AS answered FROM broadcast_recipient "
        f"WHERE provider_id IN ({waits.one_of(provider_ids)}) AND responded_at IS NOT NULL AND sent_at IS NOT NULL"
        ") ranked WHERE position = answered / 2 + 1"
    )
    rows = await statement.tuples(*waits.params, connection=connection)
    return {provider_id: float(hours) for provider_id, hours in rows}
