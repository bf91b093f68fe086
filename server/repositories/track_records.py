"""A provider's record on the exchange, read in two aggregate statements: its placements and how many ended
unplanned, and the median time it took to answer the referrals it was sent."""

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
    sent, for the providers (all when None) that answered any.

    PostgreSQL takes it in one ordered-set aggregate: one row per provider comes back, however long the
    history of answers (`percentile_disc(0.5)` over the hours in descending order is the value at ascending
    position n // 2 + 1, the upper middle). SQLite has no such aggregate, and its window functions cost
    several times the scan itself; it runs in the process, so the hours come back as they are scanned and
    the middle of each provider's sorted hours is taken here (the same value: the same expression, the same
    order).
    """
    connection = connections.get("default")
    waits = Composer(connection.capabilities.dialect)
    hours = waits.hours_between("sent_at", "responded_at")
    among = _of_providers(waits, provider_ids)
    answered = f"{among + ' AND ' if among else ''}responded_at IS NOT NULL AND sent_at IS NOT NULL"
    if waits.postgres:
        statement = Statement(
            f"SELECT provider_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY {hours} DESC) "
            f"FROM broadcast_recipient WHERE {answered} GROUP BY provider_id"
        )
        rows = await statement.tuples(*waits.params, connection=connection)
        return {provider_id: float(median) for provider_id, median in rows}
    statement = Statement(f"SELECT provider_id, {hours} FROM broadcast_recipient WHERE {answered}")
    by_provider: dict[int, list[float]] = {}
    for provider_id, waited in await statement.tuples(*waits.params, connection=connection):
        found = by_provider.get(provider_id)
        if found is None:
            by_provider[provider_id] = [waited]
        else:
            found.append(waited)
    medians = {}
    for provider_id, waits_of in by_provider.items():
        waits_of.sort()
        medians[provider_id] = float(waits_of[len(waits_of) // 2])
    return medians
