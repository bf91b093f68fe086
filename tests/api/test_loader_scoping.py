"""Data loaders keep tenancy: each is scoped by the actor, or asked only by fields of scoped parents.

The three kinds are declared in each loader's docstring (schema/dataloaders.py); these tests hold the
declarations to the code: a scoped loader loads another tenant's rows exactly as it loads unknown ids, and
a loader reached through scoped parents is asked by exactly the fields its docstring names.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.harness.marketplace import ADMIN, Marketplace
from schema.dataloaders import Loaders
from server.domain.vocabulary import AgeBand, NeedLevel, SupplementKind, SupplementUnit
from server.models import LotMembership, Placement, Referral
from server.services import administration
from server.services.administration import PriceLine, SupplementLine
from tests.api.conftest import Api
from tests.api.test_permission_matrix import World, build_world

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
UNKNOWN = 999_999

SCOPED = "Scoped: "
THROUGH = "Reached only through scoped parents: "
PUBLIC = "Not tenant data: "

# Types every way to which is itself scoped: their lists and by-id lookups go through the policy, and the
# loaders that reach them from elsewhere are scoped (Referral, Offer, Placement) or reached from one of these.
# A Lot is reached from Framework.lots and Referral.lot; a LotMembership only from the scoped membership
# loaders (Lot.members, Provider.memberships) and the payloads of the mutations that changed it.
# A ContractReview only from contractReviews (policy.scope_contract_reviews) and the mutations that write it.
SCOPED_PARENTS = {"Referral", "Offer", "Placement", "Vacancy", "Framework", "Lot", "LotMembership", "ContractReview"}


def loader_names() -> list[str]:
    return [f.name for f in fields(Loaders) if f.name != "actor"]


def declaration(name: str) -> str:
    return " ".join((getattr(Loaders, f"_{name}").__doc__ or "").split())


def test_every_loader_says_how_tenancy_holds_for_it() -> None:
    undeclared = [name for name in loader_names() if not declaration(name).startswith((SCOPED, THROUGH, PUBLIC))]
    assert not undeclared, (
        f"loaders whose docstring does not say scoped, through scoped parents or public: {undeclared}"
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _type_name(node: ast.ClassDef) -> str:
    """The GraphQL name of a strawberry type: its decorator's name=, else the class name."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value
    return node.name


def _loaders_named(tree: ast.AST) -> set[str]:
    """X for every `<...>.loaders.X` or `loaders.X` in the tree."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if (isinstance(owner, ast.Attribute) and owner.attr == "loaders") or (
                isinstance(owner, ast.Name) and owner.id == "loaders"
            ):
                found.add(node.attr)
    return found


def loader_askers() -> dict[str, set[str]]:
    """loader -> the "Type.field"s of the schema whose resolvers ask it, directly or through a module helper."""
    askers: dict[str, set[str]] = {}
    for path in SCHEMA.rglob("*.py"):
        if path.name == "dataloaders.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {
            node.name: _loaders_named(node)
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for method in cls.body:
                if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                used = _loaders_named(method)
                for call in ast.walk(method):
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                        used |= helpers.get(call.func.id, set())
                for loader in used:
                    askers.setdefault(loader, set()).add(f"{_type_name(cls)}.{_camel(method.name)}")
    return askers


def test_loaders_reached_through_scoped_parents_are_asked_by_the_fields_they_name_and_no_other() -> None:
    askers = loader_askers()
    through = [name for name in loader_names() if declaration(name).startswith(THROUGH)]
    assert through, "no loader is reached through scoped parents: this test would prove nothing"
    for name in through:
        named = set(re.findall(r"\b([A-Z]\w*\.\w+)", declaration(name)))
        assert askers.get(name, set()) == named, f"{name}: asked by {sorted(askers.get(name, set()))}, names {named}"
        unscoped = {parent for parent in named if parent.split(".")[0] not in SCOPED_PARENTS}
        assert not unscoped, f"{name} is reached through parents that are not scoped: {sorted(unscoped)}"


def test_every_loader_that_resolvers_ask_for_exists_and_every_loader_is_asked_for() -> None:
    askers = loader_askers()
    assert set(askers) == set(loader_names()), (
        f"asked for but not loaders: {sorted(set(askers) - set(loader_names()))}; "
        f"loaders nobody asks for: {sorted(set(loader_names()) - set(askers))}"
    )


# --- scoped loaders, row by row ------------------------------------------------------------------------


@pytest.fixture
async def world(api: Api, market: Marketplace) -> AsyncIterator[World]:
    yield await build_world(api, market)
    await asyncio.sleep(0.05)  # as the matrix's world: let the hub take the last commit before the app stops


async def load(world: World, who: str | None, loader: str, key: int) -> Any:
    """What the loader gives the user for the key, from loaders of their own, fresh (nothing cached)."""
    actor = world.market.actor(who) if who else None
    return await getattr(Loaders(actor), loader).load(key)


async def as_unknown(world: World, who: str | None, loader: str, key: int) -> Any:
    """The loader's answer for the key, asserted to equal its answer for an id that does not exist."""
    found, absent = await load(world, who, loader, key), await load(world, who, loader, UNKNOWN)
    assert found == absent, f"{loader} as {who}: {found!r} for another tenant's id, {absent!r} for an unknown one"
    return found


async def test_scoped_loaders_load_another_tenants_rows_as_unknown_ids(world: World) -> None:
    kents = (await Referral.get(id=world.offers["harbour_on_kent"].referral_id)).id
    medways = (await Referral.get(id=world.offers["oakleaf_on_medway"].referral_id)).id
    medway_placement = await Placement.get(council_id=world.market.medway.id)
    medway_member = await LotMembership.get(lot_id=world.medway_lot.id)
    await administration.set_price_schedule(
        ADMIN,
        membership_id=medway_member.id,
        effective_from=date(2026, 4, 1),
        prices=[PriceLine(AgeBand.AGE_11_15, NeedLevel.STANDARD, 99_000)],
        supplements=[SupplementLine(SupplementKind.SOLO, SupplementUnit.PER_WEEK, 12_000)],
    )
    harbour, oakleaf = world.market.providers["harbour"].id, world.market.providers["oakleaf"].id

    # Each refusal beside an entitled user's answer: the row is there, only not for the refused.
    foreign = [
        ("referral", medways, ("harbour", "kent_officer", None), "oakleaf"),
        ("offers_by_referral", medways, ("harbour", "kent_officer", None), "medway_officer"),
        ("live_offer_count", medways, ("harbour", "kent_officer", None), "medway_officer"),
        ("recipients_by_referral", medways, ("harbour", "kent_officer", None), "medway_officer"),
        ("my_recipient", medways, ("harbour", "medway_officer", None), "oakleaf"),
        ("placement_by_referral", medway_placement.referral_id, ("harbour", "kent_officer", None), "medway_officer"),
        ("memberships_by_lot", world.medway_lot.id, ("harbour", "kent_officer", None), "medway_officer"),
        ("memberships_by_provider", world.market.providers["spot"].id, ("harbour", "kent_officer", None), "spot"),
        ("price_schedule_by_membership", medway_member.id, ("harbour", "kent_officer", None), "medway_officer"),
        ("supplements_by_membership", medway_member.id, ("harbour", "kent_officer", None), "oakleaf"),
    ]
    assert {loader for loader, *_ in foreign} == {
        name for name in loader_names() if declaration(name).startswith(SCOPED)
    }, "every scoped loader has a row here"
    for loader, key, refused, entitled in foreign:
        assert await load(world, entitled, loader, key), f"{loader} as {entitled} found nothing: the row proves nothing"
        for who in refused:
            assert not await as_unknown(world, who, loader, key)

    # On a referral both providers were sent, each loads only its own part of it.
    offers = await load(world, "harbour", "offers_by_referral", kents)
    assert offers and {offer.provider_id for offer in offers} == {harbour}
    assert await load(world, "harbour", "live_offer_count", kents) == 1
    assert await load(world, "kent_officer", "live_offer_count", kents) == 2
    rows = await load(world, "oakleaf", "recipients_by_referral", kents)
    assert [row.provider_id for row in rows] == [oakleaf]
    assert len(await load(world, "kent_officer", "recipients_by_referral", kents)) > 1
    members = await load(world, "harbour", "memberships_by_lot", world.market.core_lot.id)
    assert [member.provider_id for member in members] == [harbour]
    oakleafs = await LotMembership.get(lot_id=world.market.core_lot.id, provider_id=oakleaf)
    assert not await as_unknown(world, "harbour", "price_schedule_by_membership", oakleafs.id)
    assert not await as_unknown(world, "harbour", "supplements_by_membership", oakleafs.id)
    assert await load(world, "kent_officer", "supplements_by_membership", oakleafs.id)
