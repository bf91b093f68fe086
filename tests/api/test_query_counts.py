"""No N+1: a 50-referral list with nested offers and providers costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from tortoise import connections

from bench.harness.marketplace import Marketplace
from server.services import offers
from server.services.offers import OfferDetails
from tests.api.conftest import Api

LIST = """{ referrals(first: 50) { edges { node {
  reference status council { name } framework { name } lot { code } liveOfferCount
  recipients { tier sentAt provider { name } }
  offers { weeklyFeePence status provider { name ofstedJudgement } carerHousehold { reference district } }
} } } }"""


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    connection = connections.get("default")
    seen: list[str] = []
    originals = {name: getattr(connection, name) for name in ("execute_query", "execute_query_dict")}

    def wrap(name: str):
        async def spy(query: str, values: list | None = None):
            # The event hub polls the log in the background; only this request's reads count.
            if 'FROM "event' not in query and 'UPDATE "access_token"' not in query:
                seen.append(query)
            return await originals[name](query, values)

        return spy

    for name in originals:
        setattr(connection, name, wrap(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(connection, name, original)


async def _referrals_with_offers(market: Marketplace, count: int) -> None:
    start = datetime.now(UTC).date() + timedelta(days=2)
    for _ in range(count):
        referral = await market.referral()
        for key in ("harbour", "oakleaf"):
            await offers.submit_offer(
                market.actor(key),
                OfferDetails(referral_id=referral.id, carer_household_id=market.households[key], start_date=start),
            )


async def test_fifty_referrals_with_offers_cost_the_same_queries_as_five(api: Api, market: Marketplace) -> None:
    await _referrals_with_offers(market, 5)
    with counting_queries() as few:
        body = await api(LIST, as_="kent_officer")
    assert len(body["data"]["referrals"]["edges"]) == 5
    await _referrals_with_offers(market, 45)
    with counting_queries() as many:
        body = await api(LIST, as_="kent_officer")
    edges = body["data"]["referrals"]["edges"]
    assert len(edges) == 50 and all(len(e["node"]["offers"]) == 2 for e in edges)
    # DataLoaders batch per resolution step, so one relation may take two batches; never one per row.
    assert len(many) <= len(few) + 1, "\n".join(many)
    assert len(many) <= 12, "\n".join(many)
