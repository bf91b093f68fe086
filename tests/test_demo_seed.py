"""The demo data loads once, on SQLite and PostgreSQL, through the services, with history for the dashboards.

Seeding takes a few seconds, so one test per database seeds and the checks below each look at one aspect.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.demo.seed import PASSWORD, seed_demo
from server.demo.world import DATA, load_world
from server.domain.vocabulary import (
    FeeBasis,
    OfstedJudgement,
    OutboxStatus,
    PlacementStatus,
    ProviderType,
    ReferralStatus,
)
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Council,
    Event,
    Framework,
    LotMembership,
    Offer,
    OutboxMessage,
    Placement,
    PriceScheduleEntry,
    Provider,
    Referral,
    User,
    Vacancy,
)
from server.services import dashboard
from server.services.accounts import authenticate

DEMO_ACCOUNTS = (
    "placements@kent.example.org",
    "placements@medway.example.org",
    "commissioning@kent.example.org",
    "duty@harbour-fostering.example.org",
    "duty@oakleaf-care.example.org",
    "duty@northdowns-families.example.org",
    "admin@placement-exchange.example.org",
)
MODELS = (
    Council,
    Framework,
    Provider,
    LotMembership,
    PriceScheduleEntry,
    User,
    CarerHousehold,
    ChildrensHome,
    Referral,
    BroadcastRecipient,
    Offer,
    Placement,
    Vacancy,
    Event,
    OutboxMessage,
)


async def counts() -> dict[str, int]:
    return {model.__name__: await model.all().count() for model in MODELS}


async def test_demo_seed(db: str) -> None:
    assert await seed_demo() is True
    first = await counts()
    assert await seed_demo() is False, "a second run must do nothing"
    assert await counts() == first
    await check_the_market(first)
    await check_demo_accounts_sign_in()
    await check_named_ifas_on_kent_and_medway()
    await check_inadequate_provider_never_broadcast_to()
    await check_history()
    await check_kents_share_of_the_regional_block()


async def check_kents_share_of_the_regional_block() -> None:
    """A consortium's block of children's home beds, most of them Kent's share, one filled by a called-off referral."""
    from server.domain.vocabulary import CallOffStatus
    from server.models import BlockCallOff, BlockContract, BlockPlace

    contract = await BlockContract.get(reference="SE-RES-BLOCK-01")
    kent = await Council.get(ons_code="E10000016")
    assert contract.framework_id is not None and contract.council_id is None
    assert await BlockPlace.filter(contract_id=contract.id, council_id=kent.id).count() == 4
    filled = await BlockCallOff.get(status=CallOffStatus.FILLED).select_related("placement")
    assert filled.placement.fee_basis is FeeBasis.BLOCK and filled.placement.council_id == kent.id


async def check_the_market(first: dict[str, int]) -> None:
    assert first["Provider"] >= 12
    assert first["CarerHousehold"] >= 150
    assert first["ChildrensHome"] >= 3
    assert first["Council"] >= 20
    assert first["Vacancy"] >= 5
    kent = await Council.get(ons_code="E10000016")
    assert (kent.reference_prefix, kent.district) == ("KEN", "ME14") and "CT20" in kent.districts

    # Provider names are invented; households carry the provider's reference, never a person's name.
    references = await CarerHousehold.all().values_list("reference", flat=True)
    assert all(ref[:2].isalpha() and ref[2] == "-" and ref[3:].isdigit() for ref in references)
    assert {ProviderType.IFA, ProviderType.CHILDRENS_HOMES, ProviderType.BOTH} <= set(
        await Provider.all().values_list("provider_type", flat=True)
    )


async def check_demo_accounts_sign_in() -> None:
    for email in DEMO_ACCOUNTS:
        user = await authenticate(email, PASSWORD)
        assert user.email == email and user.is_active


async def check_named_ifas_on_kent_and_medway() -> None:
    """Three IFAs on the Kent & Medway framework, each on different lots and tiers."""
    framework = await Framework.get(name="Kent & Medway IFP framework")
    assert await framework.member_councils.all().count() == 2
    # Its extension is a recorded decision, not just a later end date.
    extensions = await framework.extensions.all().values_list("ends_on", "decision_reference")
    assert extensions == [(framework.extended_to, "KM-IFP-2022-EXT-1")]
    placings = {}
    for name in ("Harbour Fostering", "Oakleaf Care", "Northdowns Families"):
        provider = await Provider.get(name=name)
        assert provider.provider_type is ProviderType.IFA
        rows = await LotMembership.filter(lot__framework_id=framework.id, provider_id=provider.id).values_list(
            "lot__code", "tier"
        )
        assert rows, name
        placings[name] = frozenset(rows)
    assert len(set(placings.values())) == 3
    assert len({tier for rows in placings.values() for _, tier in rows}) >= 3
    # Every membership has a current price schedule.
    for membership in await LotMembership.filter(lot__framework_id=framework.id):
        assert await PriceScheduleEntry.filter(membership_id=membership.id, effective_to__isnull=True).exists()


async def check_inadequate_provider_never_broadcast_to() -> None:
    inadequate = await Provider.get(ofsted_judgement=OfstedJudgement.INADEQUATE)
    framework = await Framework.get(name="Kent & Medway IFP framework")
    assert await LotMembership.filter(lot__framework_id=framework.id, provider_id=inadequate.id).exists()
    rows = await BroadcastRecipient.filter(provider_id=inadequate.id)
    assert rows and all(row.sent_at is None and "Ofsted" in (row.excluded_reason or "") for row in rows)
    assert await LotMembership.filter(left_on__isnull=False, left_reason__isnull=False).exists()


async def check_history() -> None:
    """Open referrals, offers, declines, placements (some ended, some spot), back-dated for the dashboards."""
    now = datetime.now(UTC)
    open_referrals = await Referral.filter(status=ReferralStatus.OPEN)
    assert len(open_referrals) >= 8
    assert {str(r.urgency) for r in open_referrals} == {"today", "within_5_days", "later"}
    assert all(r.required_by > now for r in open_referrals)
    assert await Offer.filter(referral__status=ReferralStatus.OPEN, live=1).count() >= 5
    assert await BroadcastRecipient.filter(decline_reason__isnull=False).exists()

    placements = await Placement.all()
    assert len(placements) >= 18
    ended = [p for p in placements if p.status is PlacementStatus.ENDED]
    assert len(ended) >= 5
    assert {p.planned_ending for p in ended} == {True, False}
    assert all(p.end_date >= p.start_date and p.end_reason for p in ended)
    assert any(p.fee_basis is FeeBasis.SPOT for p in placements)
    # Back-dated over about six months, never in the future.
    published = [r.published_at for r in await Referral.filter(published_at__isnull=False)]
    assert min(published) < now - timedelta(days=150) and max(published) <= now
    assert max(e.created_at for e in await Event.all()) <= now + timedelta(seconds=5)

    kent = await Council.get(ons_code="E10000016")
    figures = await dashboard.council_figures(kent.id)
    assert figures.median_hours_to_first_offer is not None
    assert figures.placements_this_month >= 1
    assert figures.framework_placements > 0 and figures.spot_placements > 0
    harbour = await Provider.get(name="Harbour Fostering")
    assert (await dashboard.provider_figures(harbour.id)).referrals_received > 0

    # History went through the use cases (events), and months-old emails are not sent at start-up.
    assert await Event.filter(type="referral.published").count() >= 30
    # The three years before them (server.demo.load.contract_history) are plain rows, their references "-H20...".
    recent = [p for p in placements if "-H20" not in p.ipa_reference]
    assert await Event.filter(type="offer.accepted").count() == len(recent)
    stale = await OutboxMessage.filter(created_at__lt=now - timedelta(days=2)).values_list("status", flat=True)
    assert stale and set(stale) == {OutboxStatus.SKIPPED}


def test_demo_data_files_read_into_one_world() -> None:
    world = load_world()
    assert (len(world.councils), len(world.providers), len(world.frameworks), len(world.memberships)) == (20, 19, 5, 53)
    assert len(world.users) == 34 and world.password == PASSWORD
    assert len(world.referrals.closed) + len(world.referrals.open) == 37
    kent = next(c for c in world.councils if c.ons_code == "E10000016")
    assert kent.reference_prefix == "KEN" and "CT20" in kent.districts


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("memberships.csv", "KM-IFP-2022,LOT1,harbour,", "KM-IFP-2022,LOT1,harbor,", "memberships.csv: no 'harbor'"),
        ("providers.toml", 'ofsted_urn = "SC486120"', 'ofsted_run = "SC486120"', "unknown field(s) ofsted_run"),
        ("referrals.toml", 'child = "uasc"', 'child = "usac"', "no 'usac'"),
        ("users.csv", "Robin Example,placement_officer,kent,", "Robin Example,placement_officer,,", "belongs to"),
        (
            "frameworks.toml",
            'minimum_ofsted_judgement = "good"',
            'minimum_ofsted_judgement = "gud"',
            "frameworks.toml row 1: minimum_ofsted_judgement: 'gud' is not a word of OfstedJudgement",
        ),
    ],
)
def test_a_typo_in_the_demo_data_fails_the_load(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    text = (data / file).read_text()
    assert old in text
    (data / file).write_text(text.replace(old, new, 1))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_world(data)
