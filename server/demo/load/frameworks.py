"""Frameworks and lots (frameworks.toml), providers on the lots in tiers (memberships.csv) with two years of price
schedules each (generated from price_schedules.toml), departures, and then the providers that merged (providers.toml).
"""

from __future__ import annotations

from datetime import date, timedelta

from server.demo.load.context import ADMIN, Demo
from server.demo.world import Lot as LotSpec
from server.demo.world import Pricing
from server.domain.vocabulary import AgeBand, NeedLevel, ProviderStatus
from server.models import Framework, FrameworkExtension, Lot, Provider
from server.services import administration
from server.services.administration import PriceLine, SupplementLine


async def load(demo: Demo) -> None:
    await _frameworks_and_lots(demo)
    await _memberships(demo)
    for provider in demo.world.providers:
        if provider.merged_into:
            # No use case merges providers yet: recorded directly.
            await Provider.filter(id=demo.providers[provider.key].id).update(
                status=ProviderStatus.CLOSED, merged_into_id=demo.providers[provider.merged_into].id
            )


async def _frameworks_and_lots(demo: Demo) -> None:
    for spec in demo.world.frameworks:
        framework = await Framework.create(
            reference=spec.reference,
            name=spec.name,
            lead_council=demo.councils[spec.lead_council],
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            extended_to=spec.extended_to,
            minimum_ofsted_judgement=spec.minimum_ofsted_judgement,
            tier_response_hours=spec.tier_response_hours,
            emergency_response_hours=spec.emergency_response_hours,
        )
        await framework.member_councils.add(*(demo.councils[key] for key in spec.member_councils))
        if spec.extended_to is not None:
            # The extension taken, as the lead council's decision recorded it (a direct award, months before the end).
            years = (spec.extended_to - spec.ends_on).days // 365
            framework.extension_options = f"up to {max(years, 1) + 1} x 12 months"
            await framework.save(update_fields=["extension_options"])
            await FrameworkExtension.create(
                framework=framework,
                ends_on=spec.extended_to,
                decision_reference=f"{spec.reference}-EXT-1",
                decision_date=spec.ends_on - timedelta(days=120),
            )
        demo.frameworks[spec.reference] = framework
        for lot in spec.lots:
            demo.lots[spec.reference, lot.code] = await Lot.create(
                framework=framework,
                code=lot.code,
                name=lot.name,
                placement_kinds=[k.value for k in lot.placement_kinds],
                age_bands=[b.value for b in lot.age_bands],
                need_levels=[n.value for n in lot.need_levels],
            )


async def _memberships(demo: Demo) -> None:
    pricing, rng = demo.world.pricing, demo.rng
    factors = {provider.key: rng.uniform(*pricing.schedule.provider_factor) for provider in demo.world.providers}
    current_from = _april_before(demo.today - timedelta(days=200))
    previous_from = current_from.replace(year=current_from.year - 1)
    lot_specs = {(f.reference, lot.code): lot for f in demo.world.frameworks for lot in f.lots}
    for member in demo.world.memberships:
        framework = demo.frameworks[member.framework]
        lot, spec = demo.lots[member.framework, member.lot], lot_specs[member.framework, member.lot]
        joined = member.joined_on or framework.starts_on
        membership = await administration.add_provider_to_lot(
            ADMIN, lot_id=lot.id, provider_id=demo.providers[member.provider].id, tier=member.tier, joined_on=joined
        )
        factor = factors[member.provider] * rng.uniform(*pricing.schedule.lot_factor)
        family = "home" if spec.price_family == "home" else "fostering"
        supplements = [(s.kind, s.unit, _round50(rng.uniform(*s.amount))) for s in pricing.supplement[family]]
        for effective_from, uplift in ((previous_from, pricing.schedule.previous_year_uplift), (current_from, 1.0)):
            await administration.set_price_schedule(
                ADMIN,
                membership_id=membership.id,
                effective_from=max(effective_from, joined),
                prices=[
                    PriceLine(band, level, _fee(pricing, spec, band, level, factor * uplift))
                    for band in spec.age_bands
                    for level in spec.need_levels
                ],
                supplements=[SupplementLine(k, u, _round50(a * uplift)) for k, u, a in supplements],
            )
        if member.left_on is not None:
            assert member.left_reason is not None, f"{member}: a departure needs its reason"
            await administration.remove_provider_from_lot(
                ADMIN, membership_id=membership.id, left_on=member.left_on, reason=member.left_reason
            )


def _fee(pricing: Pricing, lot: LotSpec, band: AgeBand, level: NeedLevel, factor: float) -> int:
    """Weekly fees: fostering roughly 750 to 1,400 pounds by band and need; a children's home bed about 4,500."""
    if lot.price_family == "home":
        return _round50((pricing.home.need_level[level] + pricing.home.band[band]) * factor)
    table = pricing.fostering
    fee = (table.band[band] + table.need_level[level] + table.price_family[lot.price_family]) * factor
    low, high = pricing.schedule.fostering_limits
    return _round50(min(float(high), max(float(low), fee)))


def _april_before(day: date) -> date:
    april = date(day.year, 4, 1)
    return april if april <= day else date(day.year - 1, 4, 1)


def _round50(pence: float) -> int:
    return int(round(pence / 50) * 50)
