"""The SSDA903 return's episodes (DfE, children looked after) for a council and a collection year.

One row per episode of care, in the DfE's column names and codes, dates as DD/MM/YYYY. A new episode starts
whenever the placement or the legal status changes: a placement that follows another of the same child (a
step-across, or one starting the day the last ended) starts one with RNE P (new carers), T (same carers), or B
/ U when the legal status changed at the same time; a change of legal status during a placement starts one
with RNE L; a child first placed starts S. The episode that a new one follows ceased with REC X1; the last
ceased with the reason the council recorded (an E code), else X1 (the child moved on to care the exchange does
not hold). REASON_PLACE_CHANGE goes on the episode that ended with its placement, from the placement's end reason.

The collection year `year` runs from 1 April `year` to 31 March `year + 1`: an episode crossing 1 April keeps
its start; one still open on 31 March has no DEC (nor REC).

CHILD is the council's own id for the child, read from the child's identified record (each read audited), and
HOME_POST the postcode of the child's address there (else the referral's postcode district): the export is the
council's placement officers' alone.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from server.auth import policy
from server.auth.actor import Actor
from server.domain.vocabulary import LegalStatus, ReasonEpisodeCeased, ReasonNewEpisode
from server.models import (
    CarerHousehold,
    ChildrensHome,
    Placement,
    PlacementLegalStatusChange,
    Provider,
    Referral,
)
from server.services import child_records, placement_life
from server.services.errors import invalid, not_found

COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b", re.IGNORECASE)


def collection_year(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def ddmmyyyy(day: date | None) -> str | None:
    return day.strftime("%d/%m/%Y") if day else None


@dataclass
class _Held:
    """One placement and what its episodes need."""

    placement: Placement
    referral: Referral
    child: str
    home_post: str
    start: date
    statuses: list[tuple[date, LegalStatus | None]]  # from each day, the legal status in force
    previous: _Held | None = None
    next: _Held | None = None


async def episodes(actor: Actor, council_id: int, year: int) -> list[dict[str, str | None]]:
    if not policy.may_export_child_data(actor, council_id):
        raise not_found("council", "councilId")
    if not 2000 <= year <= 2100:
        raise invalid("year", "Give the year the collection year starts in (1 April), e.g. 2025 for 2025-26.")
    first_day, last_day = collection_year(year)
    placements = await Placement.filter(council_id=council_id, start_date__lte=last_day).order_by("start_date", "id")
    held = [await _held(actor, placement) for placement in placements]
    _chain(held)
    rows = []
    for item in held:
        for row, decom, dec in await _episodes_of(item):
            if decom <= last_day and (dec is None or dec >= first_day):
                if dec is not None and dec > last_day:  # still open at the year's end
                    row.update(DEC=None, REC=None, REASON_PLACE_CHANGE=None)
                rows.append(row)
    return sorted(rows, key=lambda r: (r["CHILD"] or "", _day(r["DECOM"])))


def _day(text: str | None) -> date:
    day, month, year = (int(part) for part in (text or "01/01/1900").split("/"))
    return date(year, month, day)


async def _held(actor: Actor, placement: Placement) -> _Held:
    referral = await Referral.get(id=placement.referral_id)
    record = await child_records.child_record(actor, referral.id)  # audited as every read of it
    child = record.details.council_child_id if record else ""
    found = _POSTCODE.search(record.details.address) if record else None
    home_post = f"{found.group(1)} {found.group(2)}".upper() if found else referral.home_district
    start = placement_life.started_on(placement)
    changes = await PlacementLegalStatusChange.filter(placement_id=placement.id).order_by("effective_from", "id")
    statuses: list[tuple[date, LegalStatus | None]] = [(start, referral.legal_status)]
    for change in changes:
        if change.effective_from <= start:
            statuses[0] = (start, change.legal_status)
        elif change.legal_status is not statuses[-1][1]:
            statuses.append((change.effective_from, change.legal_status))
    return _Held(placement, referral, child or f"referral:{referral.id}", home_post, start, statuses)


def _chain(held: list[_Held]) -> None:
    """Link each placement to the one of the same child it followed: a step-across from it, or one that ended
    on the day (or the day before) it started."""
    by_referral = {
        item.placement.step_across_referral_id: item for item in held if item.placement.step_across_referral_id
    }
    for item in held:
        before = by_referral.get(item.referral.id)
        if before is None:
            before = next(
                (
                    other
                    for other in reversed(held)
                    if other is not item
                    and other.child == item.child
                    and other.placement.end_date is not None
                    and item.start - timedelta(days=1) <= other.placement.end_date <= item.start
                ),
                None,
            )
        if before is not None and before.next is None:
            item.previous, before.next = before, item


def _same_carers(one: Placement, other: Placement) -> bool:
    if one.carer_household_id is not None:
        return one.carer_household_id == other.carer_household_id
    return one.childrens_home_id is not None and one.childrens_home_id == other.childrens_home_id


def _first_reason(item: _Held) -> ReasonNewEpisode:
    before = item.previous
    if before is None:
        return ReasonNewEpisode.S
    status_changed = before.statuses[-1][1] is not item.statuses[0][1]
    same = _same_carers(before.placement, item.placement)
    if status_changed:
        return ReasonNewEpisode.U if same else ReasonNewEpisode.B
    return ReasonNewEpisode.T if same else ReasonNewEpisode.P


async def _episodes_of(item: _Held) -> list[tuple[dict[str, str | None], date, date | None]]:
    placement, referral = item.placement, item.referral
    provider = await Provider.get(id=placement.provider_id)
    if placement.childrens_home_id:
        home = await ChildrensHome.get(id=placement.childrens_home_id)
        place_post, urn = home.district, home.ofsted_urn
    else:
        household = await CarerHousehold.get(id=placement.carer_household_id)
        place_post, urn = household.district, provider.ofsted_urn
    found = []
    for index, (decom, status) in enumerate(item.statuses):
        last = index == len(item.statuses) - 1
        dec = placement.end_date if last else item.statuses[index + 1][0]
        rec: str | None = None
        change_reason: str | None = None
        if dec is not None:
            if not last or item.next is not None or placement.care_ceased_reason is None:
                rec = ReasonEpisodeCeased.X1.value
            else:
                rec = placement.care_ceased_reason.value
            if last and rec == ReasonEpisodeCeased.X1.value and placement.end_reason is not None:
                change_reason = placement.end_reason.value
        row = {
            "CHILD": "" if item.child.startswith("referral:") else item.child,
            "DECOM": ddmmyyyy(decom),
            "RNE": (_first_reason(item) if index == 0 else ReasonNewEpisode.L).value,
            "LS": status.value if status else None,
            "CIN": referral.category_of_need.value if referral.category_of_need else None,
            "PLACE": placement.placement_type.value,
            "PLACE_PROVIDER": provider.sector.value,
            "DEC": ddmmyyyy(dec),
            "REC": rec,
            "REASON_PLACE_CHANGE": change_reason,
            "HOME_POST": item.home_post,
            "PL_POST": place_post,
            "URN": urn,
        }
        found.append((row, decom, dec))
    return found


def as_csv(rows: list[dict[str, str | None]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row[column] or "" for column in COLUMNS})
    return out.getvalue()
