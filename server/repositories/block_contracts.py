"""Block contracts' hand-written reads: who is party, the places' stays, call-offs holding places, and placements
counted by how they were bought (block, framework, spot)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from server.domain.block_occupancy import PlaceTerms, Stay
from server.domain.vocabulary import CallOffStatus, FeeBasis, ReferralStatus
from server.models import BlockCallOff, BlockContract, BlockPlace, Framework, Placement
from server.repositories.statements import Statement, column_field, model_rows

HOLDING = (CallOffStatus.OPEN, CallOffStatus.OFFERED)  # a call-off that still holds its place for its referral


async def party_council_ids(contract: BlockContract) -> list[int]:
    """The councils party to the contract: its council, or its framework's lead and members."""
    if contract.framework_id is None:
        return [contract.council_id] if contract.council_id else []
    framework = await Framework.get(id=contract.framework_id)
    members = await framework.member_councils.all().values_list("id", flat=True)
    return sorted({framework.lead_council_id, *members})


async def stays_by_place(place_ids: Iterable[int]) -> dict[int, list[Stay]]:
    """Each place's placements (from their actual start, if confirmed), read through the call-offs that filled it."""
    ids = list(place_ids)
    stays: dict[int, list[Stay]] = defaultdict(list)
    if not ids:
        return stays
    rows = await BlockCallOff.filter(place_id__in=ids, placement_id__isnull=False).values(
        "place_id", "placement__start_date", "placement__actual_start_date", "placement__end_date"
    )
    for row in rows:
        start = row["placement__actual_start_date"] or row["placement__start_date"]
        stays[row["place_id"]].append(Stay(starts_on=start, ends_on=row["placement__end_date"]))
    return stays


async def held_place_ids(place_ids: Iterable[int]) -> set[int]:
    """Places held by a call-off of an open referral, waiting on its provider's answer or the council's decision."""
    ids = list(place_ids)
    if not ids:
        return set()
    holding = BlockCallOff.filter(place_id__in=ids, status__in=list(HOLDING), referral__status=ReferralStatus.OPEN)
    return set(await holding.values_list("place_id", flat=True))


def terms_of(contract: BlockContract, place: BlockPlace) -> PlaceTerms:
    return PlaceTerms(
        opens_on=max(place.starts_on, contract.starts_on),
        closes_on=contract.ends_on,
        weekly_price_pence=contract.weekly_price_pence,
        void_weekly_pence=contract.void_weekly_cost(),
    )


# The contracts a council is party to in force on a day: its own, its consortia's (it leads the framework or is a
# member). Asked by every publish (a free block place is called off first), so written once, not composed.
_IN_FORCE = (
    "SELECT * FROM block_contract WHERE starts_on <= ? AND ends_on >= ?"
    " AND (council_id = ? OR framework_id IN (SELECT id FROM framework WHERE lead_council_id = ?)"
    " OR framework_id IN (SELECT framework_id FROM framework_member_council WHERE council_id = ?))"
)
_IN_FORCE_ANY_PROVIDER = Statement(f"{_IN_FORCE} ORDER BY starts_on, id")


async def contracts_in_force_for(council_id: int, provider_ids: Iterable[int] | None, on: date) -> list[BlockContract]:
    """Contracts the council is party to (its own, its consortia's) in force on the day, with their places."""
    day = column_field(BlockContract, "starts_on").to_db_value(on, BlockContract)
    params: list[Any] = [day, day, council_id, council_id, council_id]
    if provider_ids is None:
        statement = _IN_FORCE_ANY_PROVIDER
    else:
        providers = list(provider_ids)
        if not providers:
            return []
        statement = Statement(
            f"{_IN_FORCE} AND provider_id IN ({', '.join('?' * len(providers))}) ORDER BY starts_on, id"
        )
        params += providers
    contracts = await model_rows(BlockContract, statement, *params, connection=BlockContract._meta.db)
    if contracts:
        await BlockContract.fetch_for_list(contracts, "places")
    return contracts


async def placements_by_basis(council_ids: Iterable[int] | None, from_date: date, to_date: date) -> dict[FeeBasis, int]:
    """Placements running at some time in [from_date, to_date], counted by how they were bought."""
    query = Placement.filter(start_date__lte=to_date).filter(Q(end_date__isnull=True) | Q(end_date__gte=from_date))
    if council_ids is not None:
        query = query.filter(council_id__in=list(council_ids))
    rows = await query.annotate(n=Count("id")).group_by("fee_basis").order_by("fee_basis").values("fee_basis", "n")
    counts = dict.fromkeys(FeeBasis, 0)
    for row in rows:
        counts[FeeBasis(row["fee_basis"])] = row["n"]
    return counts
