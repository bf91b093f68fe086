"""Offers on the hot paths: providers' own offers on a page of referrals, in one plain statement."""

from __future__ import annotations

from collections.abc import Sequence

from server.models import Offer
from server.repositories.statements import Statement, model_rows

# One statement per count of providers and of referrals, up to a page's worth of each (written once: an inbox
# worked out, or an event's subscribers, ask for it every time).
_KEPT_COUNT = 100
_BY_PROVIDERS_AND_REFERRALS: dict[tuple[int, int], Statement] = {}


async def providers_offers(provider_ids: Sequence[int], referral_ids: Sequence[int]) -> list[Offer]:
    """Every offer of these providers on these referrals, oldest first (then by id)."""
    if not provider_ids or not referral_ids:
        return []
    key = (len(provider_ids), len(referral_ids))
    statement = _BY_PROVIDERS_AND_REFERRALS.get(key)
    if statement is None:
        statement = Statement(
            f"SELECT * FROM offer WHERE provider_id IN ({', '.join('?' * len(provider_ids))})"
            f" AND referral_id IN ({', '.join('?' * len(referral_ids))}) ORDER BY submitted_at, id"
        )
        if max(key) <= _KEPT_COUNT:
            _BY_PROVIDERS_AND_REFERRALS[key] = statement
    return await model_rows(Offer, statement, *provider_ids, *referral_ids, connection=Offer._meta.db)
