"""A provider's inbox page read in one plain statement (repositories.referrals.provider_inbox_page) is exactly
what policy.scope_referrals gives its staff through the ORM: the referrals sent to it, of the statuses asked,
newest first, a page at a time, with the columns asked; never a referral sent to someone else or not sent yet."""

from __future__ import annotations

from bench.harness.marketplace import Marketplace
from server.auth import policy
from server.domain.vocabulary import ReferralStatus
from server.models import Referral
from server.repositories.referrals import provider_inbox_page
from server.services import lookups
from server.services.referrals import withdraw_referral

COLUMNS = ["id", "council_id", "status", "reference", "urgency", "required_by", "framework_id", "lot_id"]


async def _orm_page(market: Marketplace, key: str, statuses, before_id, limit) -> list[Referral]:
    query = policy.scope_referrals(market.actor(key), Referral.all())
    if statuses:
        query = query.filter(status__in=statuses)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


def _shown(rows: list[Referral]) -> list[tuple]:
    return [tuple(getattr(row, column) for column in COLUMNS) for row in rows]


async def test_a_providers_inbox_page_is_what_the_policy_lets_it_see(db: str, market: Marketplace) -> None:
    sent = [await market.referral() for _ in range(5)]
    await market.referral(publish=False)  # a draft: sent to nobody
    await withdraw_referral(market.actor("kent_officer"), sent[1].id, "Placed in family.")
    harbour = market.providers["harbour"].id
    for statuses in ([], [ReferralStatus.OPEN], [ReferralStatus.OPEN, ReferralStatus.WITHDRAWN]):
        for before_id, limit in ((None, 10), (None, 2), (sent[3].id, 2), (sent[0].id, 5)):
            plain = await provider_inbox_page(harbour, statuses=statuses, before_id=before_id, columns=COLUMNS,
                                              limit=limit)  # fmt: skip
            orm = await _orm_page(market, "harbour", statuses, before_id, limit)
            assert _shown(plain) == _shown(orm), (statuses, before_id, limit)
    everything = await provider_inbox_page(harbour, statuses=[], before_id=None, columns=None, limit=10)
    assert [row.id for row in everything] == [row.id for row in reversed(sent)]
    assert everything[0].summary == sent[-1].summary  # every column read when none are named
    tier_two = market.providers["northdowns"].id  # tier 2: sent nothing yet
    assert await provider_inbox_page(tier_two, statuses=[], before_id=None, columns=COLUMNS, limit=10) == []


async def test_only_provider_staff_have_their_inbox_read_by_the_plain_statement(db: str, market: Marketplace) -> None:
    await market.referral()
    for key in ("kent_officer", "admin"):
        assert policy.inbox_provider(market.actor(key)) is None
        page = await lookups.inbox_page(market.actor(key), statuses=[], before_id=None, columns=None, limit=5)
        assert page is None  # the ordinary scoped query answers them
    page = await lookups.inbox_page(market.actor("harbour"), statuses=[], before_id=None, columns=None, limit=5)
    assert page is not None and len(page) == 1
