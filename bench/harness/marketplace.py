"""A small, realistic marketplace for tests and benchmarks, built through the same services users hit.

Kent (lead) and Medway on the Kent & Medway IFP framework, lot 1 core fostering
and lot 2 enhanced fostering; Harbour Fostering (tier 1), Oakleaf Care (tier 1),
Northdowns Families (tier 2) on lot 1; Weald Homes (Requires improvement below a
Good minimum, so never broadcast to) and Surrey off-framework provider for spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.auth.actor import Actor
from server.domain.vocabulary import (
    AgeBand,
    Duration,
    Gender,
    NeedLevel,
    OfstedJudgement,
    PlacementKind,
    ProviderType,
    Role,
    SupplementKind,
    SupplementUnit,
    Urgency,
)
from server.models import Council, Framework, Lot, Placement, Provider, Referral, User
from server.services import administration, offers, resources
from server.services.accounts import create_user
from server.services.administration import PriceLine, SupplementLine
from server.services.referrals import ReferralDetails, create_referral, publish_referral

PASSWORD = "exchange-test-password"
ADMIN = Actor(user_id=0, role=Role.PLATFORM_ADMIN)
SCHEDULE_START = date(2025, 4, 1)


@dataclass
class Marketplace:
    kent: Council
    medway: Council
    framework: Framework
    core_lot: Lot
    enhanced_lot: Lot
    providers: dict[str, Provider] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)

    def actor(self, key: str) -> Actor:
        return Actor.of(self.users[key])

    async def referral(self, key: str = "kent_officer", publish: bool = True, **changes) -> Referral:
        details = referral_details(self, **changes)
        referral = await create_referral(self.actor(key), details)
        if publish:
            referral = await publish_referral(self.actor(key), referral.id)
        return referral

    async def placement(self, provider: str = "harbour", officer: str = "kent_officer", **changes) -> Placement:
        """A referral published by `officer`, offered on by `provider` with its household and accepted: the
        placement, through the real services."""
        referral = await self.referral(officer, **changes)
        offer = await offers.submit_offer(
            self.actor(provider),
            offers.OfferDetails(
                referral_id=referral.id,
                carer_household_id=self.households[provider],
                start_date=datetime.now(UTC).date() + timedelta(days=2),
                matching_statement="Experienced with this age; close to home and school.",
            ),
        )
        return await offers.accept_offer(self.actor(officer), offer.id)


def referral_details(market: Marketplace, **changes) -> ReferralDetails:
    values = dict(
        framework_id=market.framework.id,
        lot_id=market.core_lot.id,
        placement_kind=PlacementKind.CORE_FOSTERING,
        duration=Duration.LONG_TERM,
        urgency=Urgency.WITHIN_5_DAYS,
        need_level=NeedLevel.STANDARD,
        required_by=datetime.now(UTC) + timedelta(days=3),
        age_years=13,
        gender=Gender.FEMALE,
        home_district="ME14",
        max_distance_miles=30,
        summary="Settled at school in Year 9; enjoys football and art. Needs help with routines.",
    )
    values.update(changes)
    return ReferralDetails(**values)


async def build_marketplace() -> Marketplace:
    kent = await Council.create(
        name="Kent County Council",
        ons_code="E10000016",
        region="South East",
        district="ME14",
        reference_prefix="KEN",
        districts=["ME14", "ME15", "ME16", "CT1", "TN23", "DA1"],
    )
    medway = await Council.create(
        name="Medway Council",
        ons_code="E06000035",
        region="South East",
        district="ME4",
        reference_prefix="MED",
        districts=["ME1", "ME2", "ME4", "ME7"],
    )
    framework = await Framework.create(
        reference="KM-IFP-2022",
        name="Kent & Medway IFP framework",
        lead_council=kent,
        starts_on=date(2022, 4, 1),
        ends_on=date(2027, 3, 31),
        minimum_ofsted_judgement=OfstedJudgement.GOOD,
    )
    await framework.member_councils.add(kent, medway)
    bands = [b.value for b in (AgeBand.AGE_5_10, AgeBand.AGE_11_15, AgeBand.AGE_16_18)]
    core = await Lot.create(
        framework=framework,
        code="LOT1",
        name="Core fostering",
        placement_kinds=[PlacementKind.CORE_FOSTERING.value, PlacementKind.SOLO.value],
        age_bands=bands,
        need_levels=[NeedLevel.STANDARD.value, NeedLevel.ADDITIONAL_SUPPORT.value],
    )
    enhanced = await Lot.create(
        framework=framework,
        code="LOT2",
        name="Enhanced fostering",
        placement_kinds=[PlacementKind.ENHANCED_FOSTERING.value],
        age_bands=bands,
        need_levels=[NeedLevel.INTENSIVE_SUPPORT.value],
    )
    market = Marketplace(kent=kent, medway=medway, framework=framework, core_lot=core, enhanced_lot=enhanced)

    specs = [
        ("harbour", "Harbour Fostering (test)", "SC900001", OfstedJudgement.OUTSTANDING, "ME16", 1, 82_000),
        ("oakleaf", "Oakleaf Care (test)", "SC900002", OfstedJudgement.GOOD, "CT1", 1, 86_500),
        ("northdowns", "Northdowns Families (test)", "SC900003", OfstedJudgement.GOOD, "TN23", 2, 79_000),
        (
            "weald",
            "Weald Family Placements (test)",
            "SC900004",
            OfstedJudgement.REQUIRES_IMPROVEMENT,
            "ME15",
            1,
            75_000,
        ),
    ]
    for spec in specs:
        await add_provider(market, *spec)
    spot = await administration.onboard_provider(
        ADMIN,
        name="Surrey Hills Care (test)",
        provider_type=ProviderType.IFA,
        ofsted_urn="SC900005",
        ofsted_judgement=OfstedJudgement.GOOD,
        district="TN1",
    )
    market.providers["spot"] = spot
    market.users["spot"] = await create_user(
        None,
        email="duty@spot.test",
        password=PASSWORD,
        display_name="Spot duty",
        role=Role.PROVIDER_RESPONDER,
        provider_id=spot.id,
    )
    for key, council, role in (
        ("kent_officer", kent, Role.PLACEMENT_OFFICER),
        ("medway_officer", medway, Role.PLACEMENT_OFFICER),
        ("kent_commissioner", kent, Role.COMMISSIONER),
    ):
        market.users[key] = await create_user(
            None,
            email=f"{key}@council.test",
            password=PASSWORD,
            display_name=key.replace("_", " ").title(),
            role=role,
            council_id=council.id,
        )
    market.users["admin"] = await create_user(
        None, email="admin@exchange.test", password=PASSWORD, display_name="Admin", role=Role.PLATFORM_ADMIN
    )
    return market


async def add_provider(
    market: Marketplace,
    key: str,
    name: str,
    urn: str,
    judgement: OfstedJudgement,
    district: str,
    tier: int,
    fee: int,
) -> None:
    """An independent fostering agency on the core lot at `tier`, with its price schedule (`fee` pence a week for
    the youngest band), a duty-desk user (market.users[key]) and one carer household (market.households[key])."""
    bands = market.core_lot.age_bands
    provider = await administration.onboard_provider(
        ADMIN,
        name=name,
        provider_type=ProviderType.IFA,
        ofsted_urn=urn,
        ofsted_judgement=judgement,
        district=district,
    )
    market.providers[key] = provider
    membership = await administration.add_provider_to_lot(
        ADMIN, lot_id=market.core_lot.id, provider_id=provider.id, tier=tier, joined_on=date(2022, 4, 1)
    )
    await administration.set_price_schedule(
        ADMIN,
        membership_id=membership.id,
        effective_from=SCHEDULE_START,
        prices=[
            PriceLine(AgeBand(band), level, fee + offset)
            for band, offset in zip(bands, (0, 6_000, 11_000), strict=True)
            for level in (NeedLevel.STANDARD, NeedLevel.ADDITIONAL_SUPPORT)
        ],
        supplements=[
            SupplementLine(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 15_000),
            SupplementLine(SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, 10_000),
            SupplementLine(SupplementKind.SIBLING, SupplementUnit.PER_CHILD, 60_000),
            SupplementLine(SupplementKind.ADDITIONAL_SUPPORT_HOURS, SupplementUnit.PER_HOUR, 2_500),
        ],
    )
    market.users[key] = await create_user(
        None,
        email=f"duty@{key}.test",
        password=PASSWORD,
        display_name=f"{name} duty desk",
        role=Role.PROVIDER_RESPONDER,
        provider_id=provider.id,
    )
    household = await resources.create_carer_household(
        Actor.of(market.users[key]),
        provider.id,
        resources.HouseholdDetails(
            reference=f"{key.upper()}-H1",
            district=district,
            min_age=8,
            max_age=17,
            approved_places=2,
            placement_kinds=[PlacementKind.CORE_FOSTERING.value],
            durations=[d.value for d in Duration],
        ),
    )
    market.households[key] = household.id


async def add_residential_lot(market: Marketplace, provider: str = "harbour", weekly_fee: int = 450_000) -> Lot:
    """LOT3, children's home beds, on the framework, with `provider` on its first tier at `weekly_fee` pence a week
    for every age band (standard need)."""
    lot = await Lot.create(
        framework=market.framework,
        code="LOT3",
        name="Residential",
        placement_kinds=[PlacementKind.CHILDRENS_HOME.value],
        age_bands=market.core_lot.age_bands,
        need_levels=[NeedLevel.STANDARD.value],
    )
    membership = await administration.add_provider_to_lot(
        ADMIN, lot_id=lot.id, provider_id=market.providers[provider].id, tier=1, joined_on=date(2022, 4, 1)
    )
    await administration.set_price_schedule(
        ADMIN,
        membership_id=membership.id,
        effective_from=SCHEDULE_START,
        prices=[PriceLine(AgeBand(band), NeedLevel.STANDARD, weekly_fee) for band in lot.age_bands],
        supplements=[],
    )
    return lot
