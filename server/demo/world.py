"""The demo world as written in data/: one typed, frozen record per row, in file order.

Every field is named in the file as it is here; values of a controlled vocabulary are the enum's value (the
`server.domain.vocabulary` word), dates are ISO dates. A key the record does not know, a missing field with no
default, or a key that names nothing (a membership's provider, a user's council, a case's child...) fails the load
with the file and the row, so a typo in the data cannot pass unnoticed.
"""

from __future__ import annotations

import csv
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from server.domain.vocabulary import (
    Adaptation,
    AdditionalSupport,
    AgeBand,
    CategoryOfNeed,
    CommunicationNeed,
    DeclineReason,
    Duration,
    Gender,
    LeftReason,
    LegalStatus,
    LivingAlongside,
    Need,
    NeedLevel,
    OfstedJudgement,
    PetsPreference,
    PlacementKind,
    ProviderSector,
    ProviderType,
    ReasonPlacementChanged,
    RiskToChild,
    RiskToOthers,
    Role,
    Setting,
    Suitability,
    SupplementKind,
    SupplementUnit,
    Urgency,
)

DATA = Path(__file__).with_name("data")
T = TypeVar("T")


# --- organisations ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Council:
    key: str
    name: str
    ons_code: str
    region: str
    office: str  # the postcode district of the council's office
    reference_prefix: str
    districts: tuple[str, ...]


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    provider_type: ProviderType
    ofsted_urn: str
    ofsted_judgement: OfstedJudgement
    ofsted_judgement_date: date
    offices: tuple[str, ...]  # registered office first, then branches
    sector: ProviderSector
    household_prefix: str = ""
    households: int = 0
    merged_into: str | None = None


# --- frameworks -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lot:
    code: str
    name: str
    price_family: str  # core, enhanced, pandc, siblings, disabled, home
    placement_kinds: tuple[PlacementKind, ...]
    age_bands: tuple[AgeBand, ...]
    need_levels: tuple[NeedLevel, ...]


@dataclass(frozen=True)
class Framework:
    reference: str
    name: str
    lead_council: str
    member_councils: tuple[str, ...]
    starts_on: date
    ends_on: date
    minimum_ofsted_judgement: OfstedJudgement
    tier_response_hours: int
    emergency_response_hours: int
    lots: tuple[Lot, ...]
    extended_to: date | None = None


@dataclass(frozen=True)
class Membership:
    framework: str
    lot: str
    provider: str
    tier: int
    joined_on: date | None = None  # None: the framework's start
    left_on: date | None = None
    left_reason: LeftReason | None = None


@dataclass(frozen=True)
class Supplement:
    kind: SupplementKind
    unit: SupplementUnit
    amount: tuple[int, int]  # drawn from this range, pence


@dataclass(frozen=True)
class FeeTable:
    band: dict[str, int]
    need_level: dict[str, int]
    price_family: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    previous_year_uplift: float
    provider_factor: tuple[float, float]
    lot_factor: tuple[float, float]
    fostering_limits: tuple[int, int]


@dataclass(frozen=True)
class Pricing:
    schedule: Schedule
    fostering: FeeTable
    home: FeeTable
    supplement: dict[str, tuple[Supplement, ...]]  # "home", "fostering"


# --- resources --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildrensHome:
    provider: str
    name: str
    ofsted_urn: str
    beds: int
    min_age: int
    max_age: int
    district: str
    ofsted_judgement: OfstedJudgement
    ofsted_judgement_date: date
    specialisms: tuple[Need, ...]
    manageable_risks_to_child: tuple[RiskToChild, ...]
    manageable_risks_to_others: tuple[RiskToOthers, ...]


@dataclass(frozen=True)
class HouseholdCategory:
    weight: int
    age_ranges: tuple[tuple[int, int], ...]
    pets_chance: float


@dataclass(frozen=True)
class Community:
    language: str
    faith: str
    culture: str
    cultural_needs: str


@dataclass(frozen=True)
class OtherBackgrounds:
    languages: tuple[str, ...]
    faiths: tuple[str, ...]
    cultures: tuple[str, ...]


@dataclass(frozen=True)
class Households:
    uasc_office_areas: tuple[str, ...]
    category: dict[str, HouseholdCategory]  # in file order: the generator's draws depend on it
    community: tuple[Community, ...]
    other: OtherBackgrounds


# --- people -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    email: str
    password: str
    display_name: str
    role: Role
    council: str | None = None
    provider: str | None = None


# --- the history ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """An anonymised profile a referral is written from."""

    key: str
    price_family: str
    placement_kind: PlacementKind
    need_level: NeedLevel
    genders: tuple[Gender, ...]
    ages: tuple[int, int]
    duration: Duration
    needs: tuple[Need, ...]
    living_alongside: LivingAlongside
    pets: PetsPreference
    additional_support_hours: int
    legal_statuses: tuple[LegalStatus, ...]
    categories_of_need: tuple[CategoryOfNeed, ...]
    max_distance_miles: int
    siblings_to_place_together: tuple[int, ...]
    settings: str
    summaries: tuple[str, ...]
    risks_to_child: tuple[RiskToChild, ...] = ()
    risks_to_others: tuple[RiskToOthers, ...] = ()
    additional_support: tuple[AdditionalSupport, ...] = ()
    communication_needs: tuple[CommunicationNeed, ...] = ()
    adaptations: tuple[Adaptation, ...] = ()


@dataclass(frozen=True)
class Children:
    core_languages: tuple[str, ...]
    settings: dict[str, dict[Setting, Suitability]]
    child: dict[str, Child]


@dataclass(frozen=True)
class ClosedCase:
    council: str
    child: str
    days_ago: int
    outcome: str  # placed, ended, spot, withdrawn
    end_reason: ReasonPlacementChanged | None = None
    planned_ending: bool = False
    spot_provider: str | None = None
    cascade: bool = False
    shortlist: bool = False
    far: bool = False


@dataclass(frozen=True)
class OpenCase:
    council: str
    child: str
    urgency: Urgency
    hours_ago: int
    offers: int
    declines: int
    shortlist_first_offer: bool = False


@dataclass(frozen=True)
class Draft:
    council: str
    child: str
    urgency: Urgency
    minutes_ago: int


@dataclass(frozen=True)
class Referrals:
    closed: tuple[ClosedCase, ...]
    open: tuple[OpenCase, ...]
    draft: Draft


@dataclass(frozen=True)
class MatchingStatement:
    opening: dict[str, str]  # by price family
    closings: tuple[str, ...]


@dataclass(frozen=True)
class Offers:
    decline_notes: dict[DeclineReason, tuple[str, ...]]
    matching_statement: MatchingStatement
    spot_fee: dict[str, int]  # by provider key, and default_household / default_home


@dataclass(frozen=True)
class Vacancies:
    providers: tuple[str, ...]  # in the order they post
    second_vacancy: tuple[str, ...]
    household_notes: tuple[str, ...]
    home_notes: tuple[str, ...]
    available_in_days: tuple[int, ...]
    posted_hours_ago: tuple[int, int]


@dataclass(frozen=True)
class World:
    councils: tuple[Council, ...]
    providers: tuple[Provider, ...]
    frameworks: tuple[Framework, ...]
    memberships: tuple[Membership, ...]
    pricing: Pricing
    users: tuple[User, ...]
    homes: tuple[ChildrensHome, ...]
    households: Households
    children: Children
    referrals: Referrals
    offers: Offers
    vacancies: Vacancies

    @property
    def password(self) -> str:
        """The one password every demo account shares."""
        (password,) = {user.password for user in self.users}
        return password


@cache
def load_world(directory: Path = DATA) -> World:
    """Read and check every data file (once per process)."""

    def toml(name: str) -> dict[str, Any]:
        return tomllib.loads((directory / name).read_text(encoding="utf-8"))

    def rows(name: str) -> list[dict[str, Any]]:
        with (directory / name).open(encoding="utf-8", newline="") as file:
            return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(file)]

    children = toml("children.toml")
    children["child"] = {key: {"key": key, **row} for key, row in children["child"].items()}
    world = World(
        councils=_many(Council, toml("councils.toml")["council"], "councils.toml"),
        providers=_many(Provider, toml("providers.toml")["provider"], "providers.toml"),
        frameworks=_many(Framework, toml("frameworks.toml")["framework"], "frameworks.toml"),
        memberships=_many(Membership, rows("memberships.csv"), "memberships.csv"),
        pricing=_record(Pricing, toml("price_schedules.toml"), "price_schedules.toml"),
        users=_many(User, rows("users.csv"), "users.csv"),
        homes=_many(ChildrensHome, toml("childrens_homes.toml")["home"], "childrens_homes.toml"),
        households=_record(Households, toml("carer_households.toml"), "carer_households.toml"),
        children=_record(Children, children, "children.toml"),
        referrals=_record(Referrals, toml("referrals.toml"), "referrals.toml"),
        offers=_record(Offers, toml("offers.toml"), "offers.toml"),
        vacancies=_record(Vacancies, toml("vacancies.toml")["vacancies"], "vacancies.toml"),
    )
    problems = _dangling(world)
    if problems:
        raise ValueError("The demo data refers to what it does not define:\n  " + "\n  ".join(problems))
    return world


OUTCOMES = ("placed", "ended", "spot", "withdrawn")
SERVES = {  # the roles that belong to a council, or to a provider
    Role.PLACEMENT_OFFICER: "council",
    Role.COMMISSIONER: "council",
    Role.PROVIDER_RESPONDER: "provider",
    Role.PROVIDER_ADMIN: "provider",
}


def _dangling(world: World) -> list[str]:
    """Every key one file uses for a row of another, and every key that must be unique, checked."""
    problems: list[str] = []

    def unique(where: str, keys: list[Any]) -> set[Any]:
        problems.extend(f"{where}: {key} twice" for key in sorted({k for k in keys if keys.count(k) > 1}, key=str))
        return set(keys)

    def known(where: str, key: Any, keys: set[Any]) -> None:
        if key not in keys:
            problems.append(f"{where}: no {key!r}")

    councils = unique("councils.toml", [c.key for c in world.councils])
    providers = unique("providers.toml", [p.key for p in world.providers])
    unique("frameworks.toml", [f.reference for f in world.frameworks])
    lots = unique("frameworks.toml lots", [(f.reference, lot.code) for f in world.frameworks for lot in f.lots])
    families = {lot.price_family for f in world.frameworks for lot in f.lots}
    unique("users.csv", [u.email for u in world.users])
    unique("memberships.csv", [(m.framework, m.lot, m.provider) for m in world.memberships])
    for f in world.frameworks:
        for key in (f.lead_council, *f.member_councils):
            known(f"frameworks.toml {f.reference}", key, councils)
    for p in world.providers:
        if p.merged_into is not None:
            known(f"providers.toml {p.key} merged_into", p.merged_into, providers)
    for m in world.memberships:
        known("memberships.csv", (m.framework, m.lot), lots)
        known("memberships.csv", m.provider, providers)
        if (m.left_on is None) != (m.left_reason is None):
            problems.append(f"memberships.csv {m.provider} on {m.framework} {m.lot}: left_on needs left_reason")
    for u in world.users:
        belongs = SERVES.get(u.role)
        if (u.council is not None) != (belongs == "council") or (u.provider is not None) != (belongs == "provider"):
            problems.append(f"users.csv {u.email}: a {u.role.value} belongs to {belongs or 'neither'}")
        if u.council is not None:
            known(f"users.csv {u.email}", u.council, councils)
        if u.provider is not None:
            known(f"users.csv {u.email}", u.provider, providers)
    for h in world.homes:
        known(f"childrens_homes.toml {h.name}", h.provider, providers)
    for key in ("core", "uasc"):  # the generator's own categories
        known("carer_households.toml category", key, set(world.households.category))
    for child in world.children.child.values():
        known(f"children.toml {child.key} settings", child.settings, set(world.children.settings))
        known(f"children.toml {child.key} price_family", child.price_family, families)
        known(
            f"offers.toml matching_statement.opening for {child.key}",
            child.price_family,
            set(world.offers.matching_statement.opening),
        )
    cases = [*world.referrals.closed, *world.referrals.open, world.referrals.draft]
    for case in cases:
        known(f"referrals.toml {case}", case.council, councils)
        known(f"referrals.toml {case}", case.child, set(world.children.child))
    for closed in world.referrals.closed:
        known(f"referrals.toml {closed} outcome", closed.outcome, set(OUTCOMES))
        if (closed.outcome == "ended") != (closed.end_reason is not None):
            problems.append(f"referrals.toml {closed}: end_reason is for ended placements, and they need one")
        if (closed.outcome == "spot") != (closed.spot_provider is not None):
            problems.append(f"referrals.toml {closed}: spot_provider is for spot purchases, and they need one")
        if closed.spot_provider is not None:
            known(f"referrals.toml {closed}", closed.spot_provider, providers)
    for key in (*world.vacancies.providers, *world.vacancies.second_vacancy):
        known("vacancies.toml", key, providers)
    for key in ("default_household", "default_home"):
        known("offers.toml spot_fee", key, set(world.offers.spot_fee))
    for key in set(world.offers.spot_fee) - {"default_household", "default_home"}:
        known("offers.toml spot_fee", key, providers)
    return problems


# --- reading a row into a record --------------------------------------------------------------------------------------


def _many(cls: type[T], items: list[dict[str, Any]], where: str) -> tuple[T, ...]:
    return tuple(_record(cls, item, f"{where} row {i + 1}") for i, item in enumerate(items))


def _record(cls: type[T], values: dict[str, Any], where: str) -> T:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for {cls.__name__}")
    kwargs = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in values:
            kwargs[f.name] = _convert(hints[f.name], values[f.name], f"{where}: {f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ValueError(f"{where}: {cls.__name__} needs {f.name}")
    return cls(**kwargs)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _convert(next(a for a in args if a is not type(None)), value, where)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item, where) for item in value)
        if len(value) != len(args):
            raise ValueError(f"{where}: expected {len(args)} values, not {value!r}")
        return tuple(_convert(a, item, where) for a, item in zip(args, value, strict=True))
    if origin is dict:
        return {_convert(args[0], k, where): _convert(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            try:
                return hint(value)
            except ValueError:
                words = ", ".join(str(member.value) for member in hint)
                raise ValueError(f"{where}: {value!r} is not a word of {hint.__name__} ({words})") from None
        if hint is bool:
            return value if isinstance(value, bool) else {"true": True, "false": False}[value]
        if hint is date:
            return value if isinstance(value, date) else date.fromisoformat(value)
        if hint in (int, float):
            return hint(value)
        if hint is str:
            if not isinstance(value, str):
                raise ValueError(f"{where}: expected text, not {value!r}")
            return value
        if hasattr(hint, "__dataclass_fields__"):
            return _record(hint, value, where)
    raise TypeError(f"{where}: cannot read {hint!r}")
