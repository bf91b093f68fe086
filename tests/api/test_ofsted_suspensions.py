"""The provider register kept true from Ofsted's data, and suspensions from a framework lot.

An import whose judgement falls below the framework's minimum suspends the member (the lead commissioners and
the provider told); a judgement rising back does not lift it: liftSuspension does. A suspended member is sent no
referral on the lot, at publish or at a later tier's cascade. A commissioner suspends by hand with a reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain.ofsted import parse_ofsted_csv
from server.domain.vocabulary import OfstedJudgement
from server.models import (
    BroadcastRecipient,
    Event,
    EventTopic,
    FrameworkChange,
    LotMembership,
    MembershipSuspension,
    OfstedRegisterEntry,
    OutboxMessage,
    Provider,
)
from server.services import broadcast, suspensions
from server.services.ofsted_import import ImportReport, import_ofsted
from server.services.unit_of_work import unit_of_work
from tests.api.conftest import Api

HEADER = "URN,Provider type,Setting name,Local authority,Inspection date,Inspection type,Overall effectiveness\n"
SUSPENDED = "suspended from referrals on this lot"

SUSPEND = """mutation($input: SuspendMembershipInput!) { suspendMembership(input: $input) {
  suspension { id reason judgement madeBy byOfstedImport liftedAt } membership { id suspension { id } }
  errors { field code message } } }"""
LIFT = """mutation($input: LiftSuspensionInput!) { liftSuspension(input: $input) {
  suspension { id liftedAt } membership { suspension { id } suspensions { liftedAt } } errors { field code message } } }"""


def _today() -> date:
    return datetime.now(UTC).date()


def _day(days_ago: int) -> str:
    return f"{_today() - timedelta(days=days_ago):%d/%m/%Y}"


async def _import(text: str) -> tuple[ImportReport, list[int]]:
    parsed = parse_ofsted_csv((HEADER + text).splitlines(), _today())
    return await import_ofsted(parsed.rows, _today()), [error.line for error in parsed.errors]


async def _membership(market: Marketplace, provider: str) -> LotMembership:
    return await LotMembership.get(lot_id=market.core_lot.id, provider_id=market.providers[provider].id)


async def _recipient(market: Marketplace, provider: str) -> BroadcastRecipient:
    referral = await market.referral("kent_officer")
    return await BroadcastRecipient.get(referral_id=referral.id, provider_id=market.providers[provider].id)


async def test_a_falling_judgement_suspends_the_member_until_a_commissioner_lifts_it(
    api: Api, market: Marketplace
) -> None:
    report, bad = await _import(
        f"SC900002,Independent fostering agency,Oakleaf Care,Kent,{_day(20)},Full inspection,3\n"
        f"SC900001,Independent fostering agency,Harbour Fostering,Kent,{_day(10)},Full inspection,9\n"
        f"SC777777,Independent fostering agency,Riverside Fostering,Essex,{_day(30)},Full inspection,2\n"
        "SC900003,Independent fostering agency,Northdowns Families,Kent,not a date,Full inspection,2\n"
    )
    assert bad == [3, 5]  # bad rows by their line in the file (the header is line 1)
    assert report.unknown == ["SC777777"] and report.providers_updated == ["SC900002"]
    assert report.suspended == ["Oakleaf Care (test) on Kent & Medway IFP framework LOT1"]
    oakleaf = await Provider.get(id=market.providers["oakleaf"].id)
    assert oakleaf.ofsted_judgement is OfstedJudgement.REQUIRES_IMPROVEMENT
    assert oakleaf.ofsted_judgement_date == _today() - timedelta(days=20)
    # Good rows kept, bad ones not applied.
    harbour = await Provider.get(id=market.providers["harbour"].id)
    assert harbour.ofsted_judgement is OfstedJudgement.OUTSTANDING

    membership = await _membership(market, "oakleaf")
    [suspension] = await MembershipSuspension.filter(membership_id=membership.id)
    assert suspension.lifted_at is None and suspension.judgement is OfstedJudgement.REQUIRES_IMPROVEMENT
    assert suspension.made_by == "Ofsted import" and suspension.suspended_by_id is None
    told = set(await OutboxMessage.filter(notification="membership_suspension").values_list("recipient", flat=True))
    assert told == {market.users["kent_commissioner"].email, market.users["oakleaf"].email}
    event = await Event.get(type="framework.membership_suspended")
    topics = set(await EventTopic.filter(event_id=event.id).values_list("topic", flat=True))
    assert {f"framework:{market.framework.id}", f"provider:{oakleaf.id}", f"council:{market.kent.id}"} <= topics
    audit = await FrameworkChange.filter(provider_id=oakleaf.id).values_list("action", "made_by", "after")
    assert ("provider.ofsted_judgement", "Ofsted import", {"ofstedJudgement": "requires_improvement",
            "ofstedJudgementDate": (_today() - timedelta(days=20)).isoformat()}) in audit  # fmt: skip
    assert any(action == "membership.suspended" and by == "Ofsted import" for action, by, _ in audit)

    # The same file again changes nothing.
    counts = (await Event.all().count(), await FrameworkChange.all().count(), await MembershipSuspension.all().count())
    again, _ = await _import(
        f"SC900002,Independent fostering agency,Oakleaf Care,Kent,{_day(20)},Full inspection,3\n"
        f"SC777777,Independent fostering agency,Riverside Fostering,Essex,{_day(30)},Full inspection,2\n"
    )
    assert again.changed == 0 and again.unchanged == 1 and again.suspended == []
    assert counts == (
        await Event.all().count(),
        await FrameworkChange.all().count(),
        await MembershipSuspension.all().count(),
    )

    # Lifting while the judgement is still below the minimum is refused, and changes nothing.
    membership_id = to_global_id("LotMembership", membership.id)
    refused = (await api(LIFT, {"input": {"membershipId": membership_id}}, as_="kent_commissioner"))["data"]
    assert [(e["field"], e["code"]) for e in refused["liftSuspension"]["errors"]] == [("membershipId", "WRONG_STATE")]
    assert await suspensions.open_suspension(membership.id) is not None

    # Re-inspected Good: the judgement meets the minimum again, but the suspension holds until a commissioner
    # confirms; a referral published meanwhile is not sent to Oakleaf.
    risen, _ = await _import(f"SC900002,Independent fostering agency,Oakleaf Care,Kent,{_day(2)},Full inspection,2\n")
    assert risen.providers_updated == ["SC900002"] and risen.suspended == []
    assert risen.awaiting_lift == ["Oakleaf Care (test) on Kent & Medway IFP framework LOT1"]
    held = await _recipient(market, "oakleaf")
    assert held.sent_at is None and held.excluded_reason == SUSPENDED

    lifted = (await api(LIFT, {"input": {"membershipId": membership_id}}, as_="kent_commissioner"))["data"]
    assert lifted["liftSuspension"]["errors"] == []
    assert lifted["liftSuspension"]["suspension"]["liftedAt"] is not None
    assert lifted["liftSuspension"]["membership"]["suspension"] is None
    suspension = await MembershipSuspension.get(id=suspension.id)
    assert suspension.lifted_by_id == market.users["kent_commissioner"].id
    sent = await _recipient(market, "oakleaf")
    assert sent.sent_at is not None and sent.excluded_reason is None


async def test_the_register_says_where_a_judgement_comes_from(api: Api, market: Marketplace) -> None:
    await _import(
        f"SC900002,Independent fostering agency,Oakleaf Care,Kent,{_day(5)},Full inspection,2\n"
        f"SC900001,Independent fostering agency,Harbour Fostering,Kent,{_day(5)},Monitoring visit,5\n"
    )
    entry = await OfstedRegisterEntry.get(urn="SC900001")
    assert entry.judgement is None and entry.inspection_type == "Monitoring visit"
    body = await api("{ providers { ofstedUrn ofstedJudgement ofstedJudgementDate ofstedSource } }", as_="admin")
    by_urn = {p["ofstedUrn"]: p for p in body["data"]["providers"]}
    today = _today()
    assert by_urn["SC900002"]["ofstedSource"] == f"Ofsted import, {today.day} {today:%b %Y}"
    assert by_urn["SC900002"]["ofstedJudgementDate"] == (today - timedelta(days=5)).isoformat()
    assert by_urn["SC900001"]["ofstedSource"] == "Entered on the exchange"  # not judged: its judgement stands
    assert by_urn["SC900001"]["ofstedJudgement"] == "OUTSTANDING"


async def test_a_commissioner_suspends_by_hand_with_a_reason_and_lifts_it(api: Api, market: Marketplace) -> None:
    membership = await _membership(market, "harbour")
    membership_id = to_global_id("LotMembership", membership.id)
    as_commissioner = {"as_": "kent_commissioner"}

    async def suspend(**values) -> dict:
        body = await api(SUSPEND, {"input": {"membershipId": membership_id, **values}}, **as_commissioner)
        return body["data"]["suspendMembership"]

    # Bad input names its field and stores nothing.
    for values, field, code in [
        ({"reason": "  "}, "reason", "REQUIRED"),
        ({"reason": "Her mother Kerry Jones complained"}, "reason", "IDENTIFYING_DETAILS"),
        ({"reason": "Staffing", "startsOn": (_today() - timedelta(days=1)).isoformat()}, "startsOn", "INVALID"),
        ({"reason": "Staffing", "startsOn": (_today() + timedelta(days=900)).isoformat()}, "startsOn", "INVALID"),
    ]:
        refused = await suspend(**values)
        assert refused["suspension"] is None and (field, code) in [(e["field"], e["code"]) for e in refused["errors"]]
    assert await MembershipSuspension.all().count() == 0

    made = await suspend(reason="Safeguarding concern under review by the lead council")
    assert made["errors"] == []
    assert made["suspension"]["byOfstedImport"] is False and made["suspension"]["judgement"] is None
    assert made["suspension"]["madeBy"] == "A commissioner of the lead council"
    assert made["membership"]["suspension"]["id"] == made["suspension"]["id"]
    again = await suspend(reason="Twice")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("membershipId", "WRONG_STATE")]
    told = set(await OutboxMessage.filter(notification="membership_suspension").values_list("recipient", flat=True))
    assert told == {market.users["kent_commissioner"].email, market.users["harbour"].email}

    held = await _recipient(market, "harbour")
    assert held.sent_at is None and held.excluded_reason == SUSPENDED

    # A provider sees its own suspension, and cannot lift it.
    mine = await api("{ frameworks { lots { members { suspension { reason } } } } }", as_="harbour")
    reasons = [m["suspension"] for f in mine["data"]["frameworks"] for lot in f["lots"] for m in lot["members"]]
    assert {"reason": "Safeguarding concern under review by the lead council"} in reasons
    denied = (await api(LIFT, {"input": {"membershipId": membership_id}}, as_="harbour"))["data"]["liftSuspension"]
    assert denied["suspension"] is None and denied["errors"][0]["code"] == "PERMISSION_DENIED"

    lifted = await api(LIFT, {"input": {"membershipId": membership_id, "note": "Review closed"}}, **as_commissioner)
    assert lifted["data"]["liftSuspension"]["errors"] == []
    assert (await _recipient(market, "harbour")).sent_at is not None


async def test_a_member_suspended_after_publication_is_skipped_when_its_tier_is_reached(market: Marketplace) -> None:
    referral = await market.referral("kent_officer")
    pending = await BroadcastRecipient.get(referral_id=referral.id, provider_id=market.providers["northdowns"].id)
    assert pending.tier == 2 and pending.sent_at is None and pending.excluded_reason is None
    membership = await _membership(market, "northdowns")
    await suspensions.suspend_membership(
        market.actor("kent_commissioner"), membership_id=membership.id, reason="Complaint being investigated"
    )
    async with unit_of_work() as work:
        await broadcast.cascade_one(work, referral, datetime.now(UTC))
    skipped = await BroadcastRecipient.get(id=pending.id)
    assert skipped.sent_at is None and skipped.excluded_reason == SUSPENDED
    assert not await Event.filter(type="referral.cascaded").exists()


async def test_a_suspension_from_a_later_day_leaves_todays_referrals_alone(market: Marketplace) -> None:
    membership = await _membership(market, "harbour")
    await suspensions.suspend_membership(
        market.actor("kent_commissioner"),
        membership_id=membership.id,
        reason="Registration changes next week",
        starts_on=_today() + timedelta(days=7),
    )
    sent = await _recipient(market, "harbour")
    assert sent.sent_at is not None and sent.excluded_reason is None
