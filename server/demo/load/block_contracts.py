"""Kent's share of a regional block of children's home beds (block_contracts.toml), made by Kent's commissioner for
the South East regional residential project, and one Kent referral called off it: offered to the block provider
first, offered on at the block price and accepted, then back-dated six weeks, so that occupancy and voids show."""

from __future__ import annotations

import tomllib
from datetime import timedelta

from server.auth.actor import Actor
from server.demo.load.context import Demo
from server.demo.world import DATA
from server.domain.vocabulary import Duration, Gender, NeedLevel, PlacementKind, RiskToChild, Urgency, VoidBasis
from server.models import BlockCallOff, ChildrensHome, Placement, User
from server.services import block_contracts, offers, referrals
from server.services.block_contracts import BlockContractDetails, PlaceDetails
from server.services.offers import OfferDetails

COMMISSIONER = "commissioning@kent.example.org"


async def load(demo: Demo) -> None:
    spec = tomllib.loads((DATA / "block_contracts.toml").read_text(encoding="utf-8"))
    commissioner = Actor.of(await User.get(email=COMMISSIONER))
    for contract in spec["contract"]:
        provider = demo.providers[contract["provider"]]
        homes = dict(await ChildrensHome.filter(provider_id=provider.id).values_list("name", "id"))
        framework = demo.frameworks[contract["framework"]]
        await block_contracts.create_block_contract(
            commissioner,
            BlockContractDetails(
                reference=contract["reference"],
                name=contract["name"],
                provider_id=provider.id,
                framework_id=framework.id,
                starts_on=contract["starts_on"],
                ends_on=contract["ends_on"],
                weekly_price_pence=contract["weekly_price_pence"],
                void_basis=VoidBasis(contract["void_basis"]),
                void_percent=contract.get("void_percent"),
                void_weekly_pence=contract.get("void_weekly_pence"),
                call_off_window_hours=contract["call_off_window_hours"],
                places=[
                    PlaceDetails(
                        starts_on=place["starts_on"],
                        childrens_home_id=homes[place["home"]],
                        council_id=demo.councils[place["share"]].id,
                    )
                    for place in contract["places"]
                ],
            ),
        )
        await _call_off(demo, contract["provider"], framework.id)


async def _call_off(demo: Demo, provider_key: str, framework_id: int) -> None:
    """A Kent referral that fits a free block bed, through the use cases: called off, offered, accepted."""
    officer = demo.officers["kent"]
    lot = next(lot for (reference, _), lot in demo.lots.items() if lot.framework_id == framework_id)
    draft = await referrals.create_referral(
        officer,
        referrals.ReferralDetails(
            framework_id=framework_id,
            lot_id=lot.id,
            placement_kind=PlacementKind.CHILDRENS_HOME,
            duration=Duration.LONG_TERM,
            urgency=Urgency.WITHIN_5_DAYS,
            need_level=NeedLevel.INTENSIVE_SUPPORT,
            required_by=demo.now + timedelta(days=3),
            age_years=15,
            gender=Gender.MALE,
            home_district="ME14",
            max_distance_miles=30,
            risks_to_child=[RiskToChild.GOING_MISSING],
            summary="Stepping down from a secure setting; needs a small, steady home and help back into education.",
        ),
    )
    referral = await referrals.publish_referral(officer, draft.id)
    call_off = await BlockCallOff.get_or_none(referral_id=referral.id).select_related("place")
    if call_off is None:  # every block bed taken or none fits: the referral went to the market as usual
        return
    offer = await offers.submit_offer(
        demo.duty[provider_key],
        OfferDetails(
            referral_id=referral.id,
            childrens_home_id=call_off.place.childrens_home_id,
            start_date=demo.today + timedelta(days=1),
            matching_statement="A block bed in a small home with staff experienced in missing-from-care work.",
        ),
    )
    placement = await offers.accept_offer(officer, offer.id)
    began = demo.today - timedelta(days=42)
    await Placement.filter(id=placement.id).update(start_date=began, actual_start_date=began)
