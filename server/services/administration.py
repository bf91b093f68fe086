"""Onboarding providers onto frameworks: membership by lot and tier, and price schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError

from server.auth import policy
from server.auth.actor import Actor
from server.domain.geography import normalise_district
from server.domain.vocabulary import (
    AgeBand,
    LeftReason,
    NeedLevel,
    OfstedJudgement,
    ProviderSector,
    ProviderType,
    SupplementKind,
    SupplementUnit,
)
from server.models import Lot, LotMembership, PriceScheduleEntry, Provider, Supplement
from server.services.errors import ErrorCode, ServiceError, denied, invalid, not_found
from server.services.lookups import lot_for, membership_for
from server.services.unit_of_work import unit_of_work


async def onboard_provider(
    actor: Actor,
    *,
    name: str,
    provider_type: ProviderType,
    ofsted_urn: str,
    ofsted_judgement: OfstedJudgement,
    district: str,
    sector: ProviderSector = ProviderSector.PR4,
    ofsted_judgement_date: date | None = None,
) -> Provider:
    if not policy.may_administer(actor):
        raise denied("Only platform admins onboard providers.")
    problems = []
    if not ofsted_urn.strip().isalnum():
        problems.append(invalid("ofstedUrn", "An Ofsted URN is letters and digits, such as SC123456 or 1234567."))
    try:
        district = normalise_district(district)
    except ValueError:
        problems.append(invalid("district", "Give the postcode district of the registered office, such as ME14."))
    if not name.strip():
        problems.append(invalid("name", "Give the provider's name."))
    if problems:
        raise ServiceError.many(problems)
    try:
        async with unit_of_work() as work:
            provider = await Provider.create(
                name=name.strip(),
                provider_type=provider_type,
                ofsted_urn=ofsted_urn.strip().upper(),
                ofsted_judgement=ofsted_judgement,
                ofsted_judgement_date=ofsted_judgement_date,
                district=district,
                sector=sector,
            )
            await work.record("provider.onboarded", ["admin"], {"providerId": provider.id})
    except IntegrityError as error:
        raise ServiceError(
            ErrorCode.DUPLICATE, "A provider with that name or Ofsted URN exists.", "ofstedUrn"
        ) from error
    return provider


async def _administered_lot(actor: Actor, lot_id: int) -> Lot:
    """A lot of another tenant's framework is not found, as an unknown one; denied only if the actor sees it."""
    lot = await lot_for(actor, lot_id)
    if not policy.may_administer_framework(actor, lot.framework):
        raise denied("Only the framework's lead commissioners or platform admins manage its members.")
    return lot


async def add_provider_to_lot(
    actor: Actor, *, lot_id: int, provider_id: int, tier: int, joined_on: date
) -> LotMembership:
    lot = await _administered_lot(actor, lot_id)
    if not await Provider.exists(id=provider_id):
        raise not_found("provider", "providerId")
    if not 1 <= tier <= 5:
        raise invalid("tier", "Tiers run from 1 (preferred) to 5.")
    existing = await LotMembership.get_or_none(lot_id=lot.id, provider_id=provider_id)
    async with unit_of_work() as work:
        if existing:
            await LotMembership.filter(id=existing.id).update(
                tier=tier, joined_on=joined_on, left_on=None, left_reason=None
            )
            membership = await LotMembership.get(id=existing.id)
        else:
            membership = await LotMembership.create(
                lot_id=lot.id, provider_id=provider_id, tier=tier, joined_on=joined_on
            )
        await work.record(
            "framework.membership_changed",
            [f"provider:{provider_id}", "admin"],
            {"lotId": lot.id, "providerId": provider_id, "tier": tier},
        )
    return membership


async def remove_provider_from_lot(
    actor: Actor, *, membership_id: int, left_on: date, reason: LeftReason
) -> LotMembership:
    membership = await membership_for(actor, membership_id)
    await _administered_lot(actor, membership.lot_id)
    async with unit_of_work() as work:
        await LotMembership.filter(id=membership.id).update(left_on=left_on, left_reason=reason)
        await work.record(
            "framework.membership_changed",
            [f"provider:{membership.provider_id}", "admin"],
            {"lotId": membership.lot_id, "providerId": membership.provider_id, "left": True},
        )
    await membership.refresh_from_db()
    return membership


@dataclass
class PriceLine:
    age_band: AgeBand
    need_level: NeedLevel
    weekly_fee_pence: int


@dataclass
class SupplementLine:
    kind: SupplementKind
    unit: SupplementUnit
    amount_pence: int


async def set_price_schedule(
    actor: Actor,
    *,
    membership_id: int,
    effective_from: date,
    prices: list[PriceLine],
    supplements: list[SupplementLine],
) -> LotMembership:
    """A new schedule from a date: the current one ends the day before, so past offers keep their basis."""
    membership = await membership_for(actor, membership_id)
    lot = await _administered_lot(actor, membership.lot_id)
    problems = []
    for i, line in enumerate(prices):
        if not 1_000 <= line.weekly_fee_pence <= 5_000_000:
            problems.append(invalid(f"prices.{i}.weeklyFeePence", "Weekly fees are between £10 and £50,000."))
        if lot.age_bands and line.age_band.value not in lot.age_bands:
            problems.append(invalid(f"prices.{i}.ageBand", f"Lot {lot.code} does not cover ages {line.age_band}."))
    if len({(line.age_band, line.need_level) for line in prices}) != len(prices):
        problems.append(invalid("prices", "Each age band and need level is priced once."))
    for i, supplement in enumerate(supplements):
        if supplement.amount_pence <= 0:
            problems.append(invalid(f"supplements.{i}.amountPence", "Supplements are positive amounts."))
    if not prices:
        problems.append(invalid("prices", "A price schedule needs at least one price."))
    if problems:
        raise ServiceError.many(problems)
    day_before = date.fromordinal(effective_from.toordinal() - 1)
    async with unit_of_work() as work:
        for model in (PriceScheduleEntry, Supplement):
            await model.filter(
                membership_id=membership.id, effective_to__isnull=True, effective_from__lt=effective_from
            ).update(effective_to=day_before)
            await model.filter(membership_id=membership.id, effective_from__gte=effective_from).delete()
        await PriceScheduleEntry.bulk_create(
            [
                PriceScheduleEntry(
                    membership_id=membership.id,
                    age_band=line.age_band,
                    need_level=line.need_level,
                    weekly_fee_pence=line.weekly_fee_pence,
                    effective_from=effective_from,
                )
                for line in prices
            ]
        )
        await Supplement.bulk_create(
            [
                Supplement(
                    membership_id=membership.id,
                    kind=s.kind,
                    unit=s.unit,
                    amount_pence=s.amount_pence,
                    effective_from=effective_from,
                )
                for s in supplements
            ]
        )
        await work.record(
            "framework.prices_changed", [f"provider:{membership.provider_id}", "admin"], {"membershipId": membership.id}
        )
    return membership
