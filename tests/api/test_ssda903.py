"""The SSDA903 episodes of a council's collection year, checked code by code and date by date against
hand-built placements: a child's first placement (S), a change of legal status during it (L), a step-across to
new carers (P), a move with the same carers (T), a move with new carers and a new legal status at once (B), an
episode crossing the year's start, one still open at its end, one ending in it with the reason care ceased."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.child_details import ChildDetails
from server.domain.vocabulary import (
    CategoryOfNeed,
    ChildRecordAction,
    LegalStatus,
    PlacementStatus,
    ReasonEpisodeCeased,
    ReasonPlacementChanged,
)
from server.models import ChildRecordAccess, Placement
from server.services import child_records, legal_status, offers, ssda903
from server.services.errors import ErrorCode, ServiceError
from server.services.offers import OfferDetails
from tests.api.conftest import Api

EPISODES = """query($c: ID!, $y: Int!) { ssda903Episodes(councilId: $c, year: $y) {
  collectionYear columns csv episodes { CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE
  HOME_POST PL_POST URN } } }"""
LEGAL = """mutation($input: RecordLegalStatusChangeInput!) { recordLegalStatusChange(input: $input) {
  placement { id } errors { field code message } } }"""


async def _placed(
    market: Marketplace,
    child: str,
    start: date,
    end: date | None = None,
    *,
    provider: str = "harbour",
    status: LegalStatus = LegalStatus.C1,
    end_reason: ReasonPlacementChanged | None = None,
    ceased: ReasonEpisodeCeased | None = None,
) -> Placement:
    """A Kent placement of the child (by the council's id) with the provider's household, moved in time."""
    referral = await market.referral(legal_status=status, category_of_need=CategoryOfNeed.N1)
    await child_records.save_child_record(
        market.actor("kent_officer"),
        referral.id,
        ChildDetails(
            full_name="Amelia Rose Thornbury",
            date_of_birth="2013-05-17",
            nhs_number="943 476 5919",
            address="14 Larkfield Close, Maidstone ME14 5QT",
            council_child_id=child,
        ),
    )
    offer = await offers.submit_offer(
        market.actor(provider),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households[provider],
            start_date=datetime.now(UTC).date() + timedelta(days=2),
            matching_statement="Experienced with teenagers; near the school.",
        ),
    )
    placement = await offers.accept_offer(market.actor("kent_officer"), offer.id)
    changes: dict = {"start_date": start}
    if end is not None:
        changes.update(end_date=end, status=PlacementStatus.ENDED, end_reason=end_reason, care_ceased_reason=ceased)
    await Placement.filter(id=placement.id).update(**changes)
    return await Placement.get(id=placement.id)


def _row(child: str, decom: str, rne: str, ls: str, dec: str | None, rec: str | None, change: str | None, **more):
    row = {
        "CHILD": child,
        "DECOM": decom,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR4",
        "DEC": dec,
        "REC": rec,
        "REASON_PLACE_CHANGE": change,
        "HOME_POST": "ME14 5QT",
        "PL_POST": "ME16",
        "URN": "SC900001",
    }
    row.update(more)
    return row


OAKLEAF = {"PL_POST": "CT1", "URN": "SC900002"}


async def _hand_built(market: Marketplace) -> None:
    officer = market.actor("kent_officer")
    # 5001: placed before the year began, a care order in June, stepped across to new carers in September,
    # home in January as planned.
    a1 = await _placed(market, "5001", date(2025, 2, 10), date(2025, 9, 30), end_reason=ReasonPlacementChanged.CARPL)
    await legal_status.record_legal_status_change(
        officer, a1.id, legal_status=LegalStatus.C2, effective_from=date(2025, 6, 1)
    )
    a2 = await _placed(
        market,
        "5001",
        date(2025, 9, 30),
        date(2026, 1, 15),
        provider="oakleaf",
        status=LegalStatus.C2,
        ceased=ReasonEpisodeCeased.E4A,
    )
    await Placement.filter(id=a1.id).update(step_across_referral_id=a2.referral_id)
    # 5002: placed in March 2026, still placed at the year's end; care ceased in May.
    await _placed(market, "5002", date(2026, 3, 1), date(2026, 5, 1), ceased=ReasonEpisodeCeased.E8)
    # 5003: ended before the year began.
    await _placed(market, "5003", date(2024, 6, 1), date(2025, 3, 20), ceased=ReasonEpisodeCeased.E13)
    # 5004: the child asked to move, to another placement with the same carers.
    await _placed(market, "5004", date(2025, 5, 1), date(2025, 7, 1), end_reason=ReasonPlacementChanged.CHILD)
    await _placed(market, "5004", date(2025, 7, 1))
    # 5005: after an allegation, new carers and a full care order the same day.
    await _placed(market, "5005", date(2025, 4, 15), date(2025, 8, 1), end_reason=ReasonPlacementChanged.ALLEG)
    await _placed(market, "5005", date(2025, 8, 1), provider="oakleaf", status=LegalStatus.C2)


async def test_the_episodes_of_a_collection_year_in_the_dfes_codes_and_dates(api: Api, market: Marketplace) -> None:
    await _hand_built(market)
    reads_before = await ChildRecordAccess.filter(action=ChildRecordAction.RECORD_VIEWED).count()

    rows = await ssda903.episodes(market.actor("kent_officer"), market.kent.id, 2025)

    assert rows == [
        _row("5001", "10/02/2025", "S", "C1", "01/06/2025", "X1", None),  # crossing the year's start
        _row("5001", "01/06/2025", "L", "C2", "30/09/2025", "X1", "CARPL"),
        _row("5001", "30/09/2025", "P", "C2", "15/01/2026", "E4A", None, **OAKLEAF),  # ending in it
        _row("5002", "01/03/2026", "S", "C1", None, None, None),  # still open on 31 March
        _row("5004", "01/05/2025", "S", "C1", "01/07/2025", "X1", "CHILD"),
        _row("5004", "01/07/2025", "T", "C1", None, None, None),
        _row("5005", "15/04/2025", "S", "C1", "01/08/2025", "X1", "ALLEG"),
        _row("5005", "01/08/2025", "B", "C2", None, None, None, **OAKLEAF),
    ]
    assert all(set(row) == set(ssda903.COLUMNS) for row in rows)
    # Each child's record was read for the council's id, and each read is in its trail.
    assert await ChildRecordAccess.filter(action=ChildRecordAction.RECORD_VIEWED).count() > reads_before

    next_year = await ssda903.episodes(market.actor("kent_officer"), market.kent.id, 2026)
    assert _row("5002", "01/03/2026", "S", "C1", "01/05/2026", "E8", None) in next_year
    assert [r["CHILD"] for r in next_year] == ["5002", "5004", "5005"]
    earlier = await ssda903.episodes(market.actor("kent_officer"), market.kent.id, 2024)
    assert _row("5003", "01/06/2024", "S", "C1", "20/03/2025", "E13", None) in earlier


async def test_the_903_query_is_the_councils_placement_officers_alone(api: Api, market: Marketplace) -> None:
    await _hand_built(market)
    kent = to_global_id("Council", market.kent.id)
    body = await api(EPISODES, {"c": kent, "y": 2025}, as_="kent_officer")
    export = body["data"]["ssda903Episodes"]
    assert export["collectionYear"] == "2025-26" and export["columns"] == list(ssda903.COLUMNS)
    assert export["episodes"] == await ssda903.episodes(market.actor("kent_officer"), market.kent.id, 2025)
    lines = export["csv"].splitlines()
    assert lines[0] == ",".join(ssda903.COLUMNS) and len(lines) == 1 + len(export["episodes"])
    assert lines[1] == "5001,10/02/2025,S,C1,N1,U4,PR4,01/06/2025,X1,,ME14 5QT,ME16,SC900001"
    for who in ("medway_officer", "kent_commissioner", "harbour", "admin"):
        body = await api(EPISODES, {"c": kent, "y": 2025}, as_=who)
        assert body["data"]["ssda903Episodes"] is None, who
    body = await api(EPISODES, {"c": kent, "y": 1999}, as_="kent_officer")
    assert body["errors"][0]["extensions"]["field"] == "year"


async def test_a_change_of_legal_status_is_checked_and_recorded_once(api: Api, market: Marketplace) -> None:
    placement = await _placed(market, "6001", date(2025, 5, 1))
    pid = to_global_id("Placement", placement.id)

    def change(status: str, day: date) -> dict:
        return {"input": {"placementId": pid, "legalStatus": status, "effectiveFrom": day.isoformat()}}

    same = (await api(LEGAL, change("C1", date(2025, 6, 1)), as_="kent_officer"))["data"]["recordLegalStatusChange"]
    assert [(e["field"], e["code"]) for e in same["errors"]] == [("legalStatus", "WRONG_STATE")]
    early = (await api(LEGAL, change("C2", date(2025, 4, 1)), as_="kent_officer"))["data"]["recordLegalStatusChange"]
    assert [(e["field"], e["code"]) for e in early["errors"]] == [("effectiveFrom", "INVALID")]
    for who in ("kent_commissioner", "harbour", "medway_officer"):
        refused = (await api(LEGAL, change("C2", date(2025, 6, 1)), as_=who))["data"]["recordLegalStatusChange"]
        assert refused["placement"] is None and refused["errors"][0]["code"] in ("PERMISSION_DENIED", "NOT_FOUND")
    done = (await api(LEGAL, change("C2", date(2025, 6, 1)), as_="kent_officer"))["data"]["recordLegalStatusChange"]
    assert done["errors"] == [] and done["placement"]["id"] == pid
    assert await legal_status.status_on(placement, date(2025, 6, 2)) is LegalStatus.C2
    try:
        await legal_status.record_legal_status_change(
            market.actor("kent_officer"), placement.id, legal_status=LegalStatus.E1, effective_from=date(2025, 6, 1)
        )
    except ServiceError as error:
        assert error.code is ErrorCode.WRONG_STATE and error.field == "effectiveFrom"
    else:
        raise AssertionError("a second change from the same day was recorded")
