"""Councils (councils.toml, written directly: no use case creates one) and providers (providers.toml, onboarded)."""

from __future__ import annotations

from server.demo.load.context import ADMIN, Demo
from server.models import Council
from server.services import administration


async def load(demo: Demo) -> None:
    for council in demo.world.councils:
        demo.councils[council.key] = await Council.create(
            name=council.name,
            ons_code=council.ons_code,
            region=council.region,
            district=council.office,
            reference_prefix=council.reference_prefix,
            districts=[d for d in council.districts if d in demo.districts],
        )
    for provider in demo.world.providers:
        demo.providers[provider.key] = await administration.onboard_provider(
            ADMIN,
            name=provider.name,
            provider_type=provider.provider_type,
            ofsted_urn=provider.ofsted_urn,
            ofsted_judgement=provider.ofsted_judgement,
            ofsted_judgement_date=provider.ofsted_judgement_date,
            district=provider.offices[0],
            sector=provider.sector,
        )
