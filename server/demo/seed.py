"""The demo: real frameworks and councils, invented providers and people, and six months of history.

Everything a person does in the demo history (referrals, offers, declines,
shortlisting, acceptances, spot escalations, endings, vacancies) goes through
the same services the API uses, so the event log and the email outbox hold what
they would hold in real use. Direct ORM writes are used only where no use case
exists (councils, frameworks, lots, children's homes, a provider merging, most
carer households in bulk) and to move timestamps into the past afterwards, so
that medians and monthly figures mean something.

The targeted broadcast matches against today's free places, so a referral of
the past is published needing a home as far after today as it really needed
one after it was written, and its real need date is restored when its case
closes. Seeded emails older than a day are marked skipped, so a demo starting
up does not deliver months of history to the dev mailbox.

All randomness comes from one `random.Random(2026)`: two runs give the same demo
(apart from the dates, which are relative to today).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from server.auth.actor import Actor
from server.domain.geography import bundled_directory
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
    OutboxStatus,
    PetsPreference,
    PlacementKind,
    ProviderSector,
    ProviderStatus,
    ProviderType,
    ReasonPlacementChanged,
    ReferralStatus,
    ResourceKind,
    RiskToChild,
    RiskToOthers,
    Role,
    Setting,
    Suitability,
    SupplementKind,
    SupplementUnit,
    Urgency,
)
from server.models import (
    BroadcastRecipient,
    CarerHousehold,
    ChildrensHome,
    Council,
    Event,
    Framework,
    Lot,
    Offer,
    OutboxMessage,
    Placement,
    Provider,
    Referral,
    Vacancy,
)
from server.services import administration, broadcast, offers, placements, referrals, resources, vacancies
from server.services.accounts import create_user
from server.services.administration import PriceLine, SupplementLine
from server.services.districts import district_directory, import_districts
from server.services.errors import ServiceError
from server.services.matching import best_matches

PASSWORD = "exchange-demo"
ADMIN = Actor(user_id=0, role=Role.PLATFORM_ADMIN)
SEED = 2026
MARKER_ONS_CODE = "E10000016"  # Kent: present means the demo is loaded

# --- councils -------------------------------------------------------------------------------------------------------

SE, SW, EM = "South East", "South West", "East Midlands"

# key, name, ONS code, region, office district, reference prefix, postcode districts inside the boundary (mostly:
# districts straddle boundaries; a district missing from the postcode file is dropped at load)
COUNCILS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "kent",
        "Kent County Council",
        "E10000016",
        SE,
        "ME14",
        "KEN",
        "ME6 ME9 ME10 ME11 ME12 ME13 ME14 ME15 ME16 ME17 ME18 ME19 ME20 CT1 CT2 CT3 CT4 CT5 CT6 CT7 CT8 CT9 CT10 CT11 "
        "CT12 CT13 CT14 CT15 CT16 CT17 CT18 CT19 CT20 CT21 TN1 TN2 TN3 TN4 TN8 TN9 TN10 TN11 TN12 TN13 TN14 TN15 TN16 "
        "TN17 TN18 TN23 TN24 TN25 TN26 TN27 TN28 TN29 TN30 DA1 DA2 DA3 DA4 DA9 DA10 DA11 DA12 DA13 BR8",
    ),
    ("medway", "Medway Council", "E06000035", SE, "ME4", "MED", "ME1 ME2 ME3 ME4 ME5 ME7 ME8"),
    ("southampton", "Southampton City Council", "E06000045", SE, "SO14", "SOU", "SO14 SO15 SO16 SO17 SO18 SO19"),
    (
        "bcp",
        "Bournemouth, Christchurch and Poole Council",
        "E06000058",
        SW,
        "BH2",
        "BCP",
        "BH1 BH2 BH3 BH4 BH5 BH6 BH7 BH8 BH9 BH10 BH11 BH12 BH13 BH14 BH15 BH17 BH18 BH23",
    ),
    ("portsmouth", "Portsmouth City Council", "E06000044", SE, "PO1", "POR", "PO1 PO2 PO3 PO4 PO5 PO6"),
    (
        "hampshire",
        "Hampshire County Council",
        "E10000014",
        SE,
        "SO23",
        "HAM",
        "SO20 SO21 SO22 SO23 SO24 SO30 SO31 SO32 SO40 SO41 SO42 SO43 SO45 SO50 SO51 SO52 SO53 PO7 PO8 PO9 PO10 PO11 "
        "PO12 PO13 PO14 PO15 PO16 PO17 GU11 GU12 GU14 GU30 GU31 GU32 GU33 GU34 GU35 GU46 GU51 GU52 RG21 RG22 RG23 RG24 "
        "RG25 RG26 RG27 RG28 RG29 SP6 SP10 SP11 BH24 BH25",
    ),
    (
        "wight",
        "Isle of Wight Council",
        "E06000046",
        SE,
        "PO30",
        "IOW",
        "PO30 PO31 PO32 PO33 PO34 PO35 PO36 PO37 PO38 PO39 PO40 PO41",
    ),
    (
        "dorset",
        "Dorset Council",
        "E06000059",
        SW,
        "DT1",
        "DOR",
        "DT1 DT2 DT3 DT4 DT5 DT6 DT7 DT8 DT9 DT10 DT11 BH16 BH19 BH20 BH21 BH22 BH31 SP7 SP8",
    ),
    ("wiltshire", "Wiltshire Council", "E06000054", SW, "SP1", "WIL", "SP1 SP2 SP3 SP4 SP5 SP9"),
    ("swindon", "Swindon Borough Council", "E06000030", SW, "SN1", "SWI", "SN1 SN2 SN3 SN4 SN5"),
    ("reading", "Reading Borough Council", "E06000038", SE, "RG1", "REA", "RG1 RG2 RG4 RG30 RG31"),
    ("westberks", "West Berkshire Council", "E06000037", SE, "RG14", "WBE", "RG7 RG8 RG14 RG17 RG18 RG19 RG20"),
    ("wokingham", "Wokingham Borough Council", "E06000041", SE, "RG40", "WOK", "RG5 RG6 RG10 RG40 RG41"),
    ("bracknell", "Bracknell Forest Council", "E06000036", SE, "RG12", "BRF", "RG12 RG42"),
    ("windsor", "Royal Borough of Windsor and Maidenhead", "E06000040", SE, "SL6", "RBW", "SL6"),
    ("slough", "Slough Borough Council", "E06000039", SE, "SL1", "SLO", "SL1"),
    ("nottingham", "Nottingham City Council", "E06000018", EM, "NG1", "NOT", "NG1 NG3 NG6 NG7 NG8 NG11"),
    ("derby", "Derby City Council", "E06000015", EM, "DE1", "DER", "DE1 DE3 DE21 DE22 DE23 DE24"),
    (
        "derbyshire",
        "Derbyshire County Council",
        "E10000007",
        EM,
        "DE4",
        "DBY",
        "DE4 DE5 DE6 DE7 DE11 DE55 DE56 DE65 DE72 DE73 DE75 NG10 S40 S41 S42 S43 S44 S45",
    ),
    (
        "nottinghamshire",
        "Nottinghamshire County Council",
        "E10000024",
        EM,
        "NG2",
        "NTS",
        "NG2 NG4 NG5 NG9 NG12 NG13 NG14 NG15 NG16 NG17 NG18 NG19 NG20 NG21 NG22 NG23 NG24 NG25",
    ),
)
SOUTH_CENTRAL = (
    "southampton",
    "bcp",
    "portsmouth",
    "hampshire",
    "wight",
    "dorset",
    "wiltshire",
    "swindon",
    "reading",
    "westberks",
    "wokingham",
    "bracknell",
    "windsor",
    "slough",
)
D2N2 = ("nottingham", "derby", "derbyshire", "nottinghamshire")

# --- frameworks and lots --------------------------------------------------------------------------------------------

KENT_BANDS = (AgeBand.AGE_5_10, AgeBand.AGE_11_15, AgeBand.AGE_16_18)
ALL_BANDS = (AgeBand.AGE_0_4, *KENT_BANDS)
TEEN_BANDS = (AgeBand.AGE_11_15, AgeBand.AGE_16_18)
PK, NL = PlacementKind, NeedLevel


@dataclass(frozen=True)
class LotSpec:
    code: str
    name: str
    group: str  # price family: core, enhanced, pandc, siblings, disabled, home
    kinds: tuple[PlacementKind, ...]
    need_levels: tuple[NeedLevel, ...]
    bands: tuple[AgeBand, ...] | None = None  # None: the framework's bands


FOSTERING_LOTS = (
    LotSpec("LOT1", "Core fostering", "core", (PK.CORE_FOSTERING, PK.SOLO), (NL.STANDARD, NL.ADDITIONAL_SUPPORT)),
    LotSpec(
        "LOT2",
        "Enhanced and specialist fostering",
        "enhanced",
        (PK.ENHANCED_FOSTERING, PK.SPECIALIST_FOSTERING, PK.STEP_DOWN),
        (NL.INTENSIVE_SUPPORT, NL.SPECIALIST),
    ),
    LotSpec("LOT3", "Parent and child", "pandc", (PK.PARENT_AND_CHILD,), (NL.STANDARD, NL.SPECIALIST), TEEN_BANDS),
    LotSpec("LOT4", "Sibling groups", "siblings", (PK.SIBLING_GROUP,), (NL.STANDARD, NL.ADDITIONAL_SUPPORT)),
    LotSpec(
        "LOT5",
        "Disabled children",
        "disabled",
        (PK.DISABLED_CHILDREN,),
        (NL.ADDITIONAL_SUPPORT, NL.INTENSIVE_SUPPORT, NL.SPECIALIST),
    ),
)
HOME_NEEDS = (NL.STANDARD, NL.INTENSIVE_SUPPORT, NL.SPECIALIST)


@dataclass(frozen=True)
class FrameworkSpec:
    reference: str
    name: str
    lead: str
    members: tuple[str, ...]
    starts_on: date
    ends_on: date
    extended_to: date | None
    minimum: OfstedJudgement
    bands: tuple[AgeBand, ...]
    lots: tuple[LotSpec, ...]


FRAMEWORKS = (
    FrameworkSpec(
        "KM-IFP-2022",
        "Kent & Medway IFP framework",
        "kent",
        ("kent", "medway"),
        date(2022, 4, 1),
        date(2026, 3, 31),
        date(2028, 3, 31),
        OfstedJudgement.GOOD,
        KENT_BANDS,
        FOSTERING_LOTS,
    ),
    FrameworkSpec(
        "SC-IFA-2021",
        "South Central IFA framework",
        "southampton",
        SOUTH_CENTRAL,
        date(2021, 4, 1),
        date(2026, 3, 31),
        date(2027, 3, 31),
        OfstedJudgement.REQUIRES_IMPROVEMENT,
        ALL_BANDS,
        FOSTERING_LOTS,
    ),
    FrameworkSpec(
        "D2N2-FOS-2023",
        "D2N2 fostering framework",
        "nottinghamshire",
        D2N2,
        date(2023, 4, 1),
        date(2027, 3, 31),
        date(2029, 3, 31),
        OfstedJudgement.REQUIRES_IMPROVEMENT,
        ALL_BANDS,
        FOSTERING_LOTS,
    ),
    FrameworkSpec(
        "D2N2-CH-2023",
        "D2N2 children's homes framework",
        "nottinghamshire",
        D2N2,
        date(2023, 4, 1),
        date(2027, 3, 31),
        date(2029, 3, 31),
        OfstedJudgement.REQUIRES_IMPROVEMENT,
        KENT_BANDS,
        (LotSpec("LOT1", "Children's homes", "home", (PK.CHILDRENS_HOME,), HOME_NEEDS),),
    ),
    FrameworkSpec(
        "SE-RES-2024",
        "South East regional residential project",
        "kent",
        ("kent", "portsmouth"),
        date(2024, 4, 1),
        date(2034, 3, 31),
        None,
        OfstedJudgement.GOOD,
        TEEN_BANDS,
        (LotSpec("LOT1", "Children's homes: complex needs", "home", (PK.CHILDRENS_HOME,), HOME_NEEDS),),
    ),
)
# Which framework a council's placement team uses: fostering, and children's homes.
FOSTERING_FRAMEWORK = {
    "kent": "KM-IFP-2022",
    "medway": "KM-IFP-2022",
    **{key: "SC-IFA-2021" for key in SOUTH_CENTRAL},
    **{key: "D2N2-FOS-2023" for key in D2N2},
}
HOMES_FRAMEWORK = {"kent": "SE-RES-2024", "portsmouth": "SE-RES-2024", **{key: "D2N2-CH-2023" for key in D2N2}}

# --- providers (all invented) ---------------------------------------------------------------------------------------

OJ = OfstedJudgement


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    name: str
    provider_type: ProviderType
    urn: str
    judgement: OfstedJudgement
    judged_on: date
    districts: tuple[str, ...]  # registered office first, then branches: households are spread near these
    sector: ProviderSector
    prefix: str
    households: int

    @property
    def slug(self) -> str:
        return self.name.lower().replace("'", "").replace("&", "and").replace(" ", "-").replace("--", "-")


IFA, HOMES, BOTH = ProviderType.IFA, ProviderType.CHILDRENS_HOMES, ProviderType.BOTH
PR4, PR5 = ProviderSector.PR4, ProviderSector.PR5
PROVIDERS = (
    ProviderSpec(
        "harbour",
        "Harbour Fostering",
        IFA,
        "SC486120",
        OJ.OUTSTANDING,
        date(2024, 6, 12),
        ("CT20", "SO16"),
        PR4,
        "HF",
        18,
    ),
    ProviderSpec("oakleaf", "Oakleaf Care", IFA, "SC512347", OJ.GOOD, date(2025, 2, 4), ("ME14",), PR5, "OC", 16),
    ProviderSpec(
        "northdowns", "Northdowns Families", IFA, "SC498803", OJ.GOOD, date(2023, 11, 20), ("TN23",), PR4, "NF", 15
    ),
    ProviderSpec(
        "medlar", "Medlar Tree Fostering", IFA, "SC530918", OJ.GOOD, date(2025, 7, 8), ("ME7",), PR4, "MT", 12
    ),
    ProviderSpec(
        "bluebell", "Bluebell Shore Fostering", IFA, "SC477265", OJ.GOOD, date(2024, 9, 30), ("CT9",), PR5, "BS", 12
    ),
    ProviderSpec(
        "sandpiper",
        "Sandpiper Point Families",
        IFA,
        "SC541602",
        OJ.OUTSTANDING,
        date(2025, 3, 17),
        ("DA11",),
        PR4,
        "SP",
        14,
    ),
    ProviderSpec(
        "cobnut", "Cobnut Orchard Placements", IFA, "SC503381", OJ.INADEQUATE, date(2026, 5, 21), ("TN9",), PR4, "CO", 6
    ),
    ProviderSpec(
        "hopscotch", "Hopscotch Hill Fostering", IFA, "SC526744", OJ.GOOD, date(2024, 1, 15), ("ME5",), PR4, "HH", 10
    ),
    ProviderSpec(
        "lanternlight", "Lanternlight Fostering", IFA, "SC468059", OJ.GOOD, date(2023, 5, 2), ("ME8",), PR4, "LL", 4
    ),
    ProviderSpec(
        "solent", "Solent Lighthouse Fostering", IFA, "SC519436", OJ.GOOD, date(2025, 10, 6), ("SO15",), PR4, "SL", 16
    ),
    ProviderSpec(
        "acorn", "Acorn and Anchor Fostering", IFA, "SC537210", OJ.GOOD, date(2024, 11, 11), ("SO50",), PR5, "AA", 12
    ),
    ProviderSpec(
        "puffin",
        "Puffin Cove Families",
        IFA,
        "SC491578",
        OJ.REQUIRES_IMPROVEMENT,
        date(2025, 12, 3),
        ("DT1",),
        PR4,
        "PC",
        8,
    ),
    ProviderSpec(
        "chalkhill",
        "Chalkhill Blue Fostering",
        IFA,
        "SC508892",
        OJ.OUTSTANDING,
        date(2023, 8, 22),
        ("SP1",),
        PR5,
        "CB",
        12,
    ),
    ProviderSpec(
        "greenwood", "Greenwood Owl Fostering", IFA, "SC522061", OJ.GOOD, date(2025, 4, 28), ("NG5",), PR4, "GO", 14
    ),
    ProviderSpec(
        "peakland",
        "Peakland Kestrel Families",
        IFA,
        "SC484437",
        OJ.OUTSTANDING,
        date(2024, 3, 5),
        ("DE22",),
        PR5,
        "PK",
        12,
    ),
    ProviderSpec("trent", "Trent Heron Care", BOTH, "SC533795", OJ.GOOD, date(2025, 6, 16), ("NG7",), PR4, "TH", 8),
    ProviderSpec(
        "greensand", "Greensand Ridge Homes", HOMES, "SC545128", OJ.GOOD, date(2025, 9, 9), ("TN13",), PR4, "", 0
    ),
    ProviderSpec("wessex", "Wessex Willow Homes", HOMES, "SC516683", OJ.GOOD, date(2024, 12, 2), ("BH15",), PR4, "", 0),
    ProviderSpec(
        "amberglow", "Amberglow Children's Homes", HOMES, "SC501954", OJ.GOOD, date(2025, 1, 27), ("DE55",), PR5, "", 0
    ),
)
SPEC = {spec.key: spec for spec in PROVIDERS}

# (framework, lot): (provider, tier[, joined on if not the framework's start])
MEMBERSHIPS: dict[tuple[str, str], tuple[tuple[Any, ...], ...]] = {
    ("KM-IFP-2022", "LOT1"): (
        ("harbour", 1),
        ("medlar", 1),
        ("bluebell", 1),
        ("sandpiper", 1),
        ("hopscotch", 1, date(2024, 4, 1)),
        ("oakleaf", 2),
        ("cobnut", 2),
        ("lanternlight", 2),
        ("northdowns", 3),
    ),
    ("KM-IFP-2022", "LOT2"): (("harbour", 1), ("sandpiper", 1), ("northdowns", 2), ("bluebell", 2)),
    ("KM-IFP-2022", "LOT3"): (("oakleaf", 1), ("medlar", 1), ("hopscotch", 2, date(2024, 4, 1))),
    ("KM-IFP-2022", "LOT4"): (("northdowns", 1), ("bluebell", 1), ("harbour", 2), ("medlar", 2)),
    ("KM-IFP-2022", "LOT5"): (("oakleaf", 1), ("bluebell", 2), ("sandpiper", 2)),
    ("SC-IFA-2021", "LOT1"): (
        ("solent", 1),
        ("acorn", 1),
        ("chalkhill", 1),
        ("harbour", 1, date(2022, 4, 1)),
        ("puffin", 2),
    ),
    ("SC-IFA-2021", "LOT2"): (("chalkhill", 1), ("solent", 1), ("acorn", 2), ("puffin", 2)),
    ("SC-IFA-2021", "LOT3"): (("acorn", 1, date(2023, 4, 1)), ("puffin", 2)),
    ("SC-IFA-2021", "LOT4"): (("solent", 1), ("chalkhill", 1), ("acorn", 2)),
    ("SC-IFA-2021", "LOT5"): (("chalkhill", 1), ("solent", 2)),
    ("D2N2-FOS-2023", "LOT1"): (("greenwood", 1), ("peakland", 1), ("trent", 1)),
    ("D2N2-FOS-2023", "LOT2"): (("peakland", 1), ("greenwood", 2)),
    ("D2N2-FOS-2023", "LOT3"): (("trent", 1),),
    ("D2N2-FOS-2023", "LOT4"): (("greenwood", 1), ("peakland", 2)),
    ("D2N2-FOS-2023", "LOT5"): (("peakland", 1),),
    ("D2N2-CH-2023", "LOT1"): (("amberglow", 1), ("trent", 1)),
    ("SE-RES-2024", "LOT1"): (("greensand", 1), ("wessex", 1), ("amberglow", 2)),
}
# (framework, lot, provider): left on, reason. Lanternlight merged into Sandpiper Point; Puffin Cove's enhanced
# lot contract was terminated after its Ofsted judgement fell.
DEPARTURES = {
    ("KM-IFP-2022", "LOT1", "lanternlight"): (date(2025, 9, 30), LeftReason.MERGED),
    ("SC-IFA-2021", "LOT2", "puffin"): (date(2025, 12, 31), LeftReason.TERMINATED),
}
MERGERS = {"lanternlight": "sandpiper"}

# provider, name, Ofsted URN, beds, ages, district, judgement, judged on, specialisms
HOMES_SPECS = (
    (
        "greensand",
        "Orchard Lodge",
        "SC720114",
        3,
        (11, 17),
        "TN13",
        OJ.GOOD,
        date(2025, 5, 14),
        (Need.CRIMINAL_EXPLOITATION, Need.GOING_MISSING, Need.TRAUMA),
    ),
    (
        "greensand",
        "Beacon Cottage",
        "SC720139",
        2,
        (12, 17),
        "ME20",
        OJ.OUTSTANDING,
        date(2024, 10, 1),
        (Need.SELF_HARM, Need.MENTAL_HEALTH, Need.TRAUMA),
    ),
    (
        "greensand",
        "Kestrel House",
        "SC720162",
        4,
        (10, 17),
        "TN9",
        OJ.GOOD,
        date(2025, 11, 18),
        (Need.NEGLECT, Need.TRAUMA, Need.EDUCATION_CONTINUITY),
    ),
    (
        "wessex",
        "Heron View",
        "SC720208",
        3,
        (12, 17),
        "BH23",
        OJ.GOOD,
        date(2025, 2, 25),
        (Need.SEXUAL_EXPLOITATION, Need.GOING_MISSING, Need.SELF_HARM),
    ),
    (
        "wessex",
        "Millstream Lodge",
        "SC720231",
        2,
        (13, 17),
        "DT1",
        OJ.REQUIRES_IMPROVEMENT,
        date(2026, 1, 20),
        (Need.CRIMINAL_EXPLOITATION, Need.TRAUMA),
    ),
    (
        "amberglow",
        "Foxglove House",
        "SC720305",
        4,
        (11, 17),
        "DE55",
        OJ.GOOD,
        date(2025, 8, 12),
        (Need.CRIMINAL_EXPLOITATION, Need.GOING_MISSING, Need.NEGLECT),
    ),
    (
        "amberglow",
        "Linden Lodge",
        "SC720327",
        3,
        (8, 15),
        "DE22",
        OJ.OUTSTANDING,
        date(2024, 6, 4),
        (Need.AUTISM, Need.LEARNING_DISABILITY),
    ),
    (
        "amberglow",
        "Bramble Court",
        "SC720352",
        2,
        (13, 17),
        "S40",
        OJ.GOOD,
        date(2025, 3, 31),
        (Need.SEXUAL_EXPLOITATION, Need.SELF_HARM, Need.MENTAL_HEALTH),
    ),
    (
        "trent",
        "Willowbrook House",
        "SC720418",
        3,
        (11, 17),
        "NG18",
        OJ.GOOD,
        date(2025, 9, 23),
        (Need.CRIMINAL_EXPLOITATION, Need.TRAUMA, Need.GOING_MISSING),
    ),
    (
        "trent",
        "Sycamore Mews",
        "SC720443",
        2,
        (12, 17),
        "NG24",
        OJ.GOOD,
        date(2024, 7, 15),
        (Need.NEGLECT, Need.DOMESTIC_ABUSE),
    ),
)

# --- people (invented, obviously fictional) -------------------------------------------------------------------------

PO, COMM = Role.PLACEMENT_OFFICER, Role.COMMISSIONER
# email, display name, role, council key
COUNCIL_USERS = (
    ("placements@kent.example.org", "Robin Example", PO, "kent"),
    ("placements@medway.example.org", "Jordan Sample", PO, "medway"),
    ("commissioning@kent.example.org", "Morgan Fictional", COMM, "kent"),
    ("placements@southampton.example.org", "Quinn Testcase", PO, "southampton"),
    ("commissioning@southampton.example.org", "Harper Placeholder", COMM, "southampton"),
    ("contracts@bcp.example.org", "Rowan Mockup", COMM, "bcp"),
    ("placements@hampshire.example.org", "Sasha Dummy", PO, "hampshire"),
    ("placements@portsmouth.example.org", "Emery Imaginary", PO, "portsmouth"),
    ("placements@nottinghamshire.example.org", "Drew Pretend", PO, "nottinghamshire"),
    ("commissioning@nottinghamshire.example.org", "Ellis Madeup", COMM, "nottinghamshire"),
    ("placements@derby.example.org", "Kai Notreal", PO, "derby"),
)
DUTY_NAMES = {"harbour": "Casey Demo", "oakleaf": "Taylor Placeholder", "northdowns": "Riley Mock"}
PROVIDER_ADMINS = {"harbour": "Jamie Fakename", "oakleaf": "Alex Sampleton", "northdowns": "Sam Exampleby"}
PLATFORM_ADMIN = ("admin@placement-exchange.example.org", "Avery Specimen")

# --- the children in the referrals (anonymised profiles) ------------------------------------------------------------

G = Gender
S = Setting
FOSTER_FIRST = {
    S.FOSTER_CARE: Suitability.PREFERRED,
    S.RESIDENTIAL_CARE: Suitability.SUITABLE,
    S.SUPPORTED_ACCOMMODATION: Suitability.UNSUITABLE,
}
FOSTER_ONLY = {
    S.FOSTER_CARE: Suitability.PREFERRED,
    S.RESIDENTIAL_CARE: Suitability.UNSUITABLE,
    S.SUPPORTED_ACCOMMODATION: Suitability.UNSUITABLE,
}
HOME_FIRST = {
    S.FOSTER_CARE: Suitability.UNSUITABLE,
    S.RESIDENTIAL_CARE: Suitability.PREFERRED,
    S.SUPPORTED_ACCOMMODATION: Suitability.UNSUITABLE,
}


@dataclass(frozen=True)
class Archetype:
    group: str
    kind: PlacementKind
    need_level: NeedLevel
    genders: tuple[Gender, ...]
    ages: tuple[int, int]
    duration: Duration
    needs: tuple[Need, ...]
    summaries: tuple[str, ...]
    risks_to_child: tuple[RiskToChild, ...] = ()
    risks_to_others: tuple[RiskToOthers, ...] = ()
    living: LivingAlongside = LivingAlongside.NO_PREFERENCE
    pets: PetsPreference = PetsPreference.CAN
    support: tuple[AdditionalSupport, ...] = ()
    hours: int = 0
    legal: tuple[LegalStatus, ...] = (LegalStatus.C1, LegalStatus.C2)
    category: tuple[CategoryOfNeed, ...] = (CategoryOfNeed.N1,)
    max_miles: int = 20
    settings: dict[Setting, Suitability] = field(default_factory=lambda: FOSTER_FIRST)
    siblings: tuple[int, ...] = (0,)
    communication: tuple[CommunicationNeed, ...] = ()
    adaptations: tuple[Adaptation, ...] = ()


RC, RO, N, AS = RiskToChild, RiskToOthers, Need, AdditionalSupport
ARCHETYPES = {
    "exploited_boy": Archetype(
        "enhanced",
        PK.ENHANCED_FOSTERING,
        NL.INTENSIVE_SUPPORT,
        (G.MALE,),
        (13, 16),
        Duration.SHORT_TERM,
        (N.CRIMINAL_EXPLOITATION, N.GOING_MISSING, N.NEGLECT, N.TRAUMA),
        (
            "Funny and quick-witted, loves football and making music on his phone. Has been drawn into carrying drugs "
            "for older young people and has gone missing overnight several times this year. Needs carers who hold "
            "firm, warm boundaries and work closely with the exploitation team; a move away from the home area is part "
            "of the safety plan.",
            "Keen on boxing and cars. A long history of neglect; more recently exploited by an organised group and "
            "found out of the county twice. Responds well to adults who are consistent and do not give up on him. Out "
            "of school for most of this term and needs help to return to education.",
            "Quiet at first, enjoys gaming and cooking with an adult. Professionals are worried about county lines "
            "involvement. Needs a calm household without older teenagers, and carers who can supervise phone use and "
            "evenings.",
        ),
        risks_to_child=(RC.CRIMINAL_EXPLOITATION, RC.GOING_MISSING, RC.DRUGS_AND_ALCOHOL),
        risks_to_others=(RO.CRIMINAL_EXPLOITATION,),
        living=LivingAlongside.ONLY_YOUNGER,
        support=(AS.EXTRA_SUPERVISION,),
        hours=6,
        category=(CategoryOfNeed.N1, CategoryOfNeed.N6),
        max_miles=60,
    ),
    "exploited_girl": Archetype(
        "enhanced",
        PK.ENHANCED_FOSTERING,
        NL.INTENSIVE_SUPPORT,
        (G.FEMALE,),
        (13, 15),
        Duration.SHORT_TERM,
        (N.SEXUAL_EXPLOITATION, N.GOING_MISSING, N.SELF_HARM, N.TRAUMA),
        (
            "Creative and caring, loves drawing and animals. Has been sexually exploited by older males met online and "
            "goes missing after contact with them. Needs carers who are confident with safety planning, supervised "
            "phone and internet use, and close work with the police exploitation team.",
            "Chatty and sociable, enjoys dance and music. A long history of domestic abuse at home; now at high "
            "risk of sexual exploitation and has gone missing from school. Self-harms at times of stress and has a "
            "mental health worker. Would do best as the only or youngest child in the home.",
        ),
        risks_to_child=(RC.SEXUAL_EXPLOITATION, RC.GOING_MISSING, RC.SELF_HARM),
        living=LivingAlongside.SOLO_RECOMMENDED,
        support=(AS.EXTRA_SUPERVISION, AS.THERAPEUTIC_SUPPORT),
        hours=4,
        max_miles=50,
    ),
    "self_harm_girl": Archetype(
        "enhanced",
        PK.SPECIALIST_FOSTERING,
        NL.SPECIALIST,
        (G.FEMALE,),
        (14, 16),
        Duration.LONG_TERM,
        (N.SELF_HARM, N.MENTAL_HEALTH, N.TRAUMA),
        (
            "Thoughtful and bright, reads a lot and likes baking. Self-harms when overwhelmed and has been admitted to "
            "hospital twice this year; sees a mental health team weekly. Needs therapeutic carers with training in "
            "self-harm and a home where sharp items can be managed safely.",
            "Enjoys swimming and art. Experienced significant trauma in early childhood and struggles to sleep. Has an "
            "eating difficulty that is being monitored. Needs patient carers, a predictable routine and support to "
            "attend therapy sessions.",
        ),
        risks_to_child=(RC.SELF_HARM, RC.EATING_DISORDER),
        support=(AS.THERAPEUTIC_SUPPORT,),
        hours=3,
        category=(CategoryOfNeed.N1, CategoryOfNeed.N4),
        max_miles=40,
        settings=FOSTER_ONLY,
    ),
    "neglect_child": Archetype(
        "core",
        PK.CORE_FOSTERING,
        NL.STANDARD,
        (G.MALE, G.MALE, G.FEMALE),
        (10, 13),
        Duration.LONG_TERM,
        (N.NEGLECT, N.TRAUMA, N.EDUCATION_CONTINUITY, N.FAMILY_CONTACT),
        (
            "Loves football, bikes and being outdoors. A long history of neglect; is catching up on health and dental "
            "care. Wants to stay at the current school, so transport may be needed at first. Gets on well with younger "
            "children and dogs.",
            "Kind and helpful, enjoys building models and nature programmes. Has been looking after younger brothers "
            "and sisters for years and now needs the chance to be a child again. Supervised family contact each week. "
            "Would settle best with experienced carers and other children in the home.",
            "Energetic and curious, loves drama club. Neglect and parental alcohol use at home; school attendance has "
            "been poor. Needs carers who can help with routines, homework and sleep.",
        ),
        risks_to_child=(RC.GOING_MISSING,),
        living=LivingAlongside.WITH_OTHER_CHILDREN,
        support=(AS.TRANSPORT_TO_SCHOOL,),
        category=(CategoryOfNeed.N1, CategoryOfNeed.N5),
        max_miles=15,
        settings=FOSTER_ONLY,
    ),
    "uasc": Archetype(
        "core",
        PK.CORE_FOSTERING,
        NL.STANDARD,
        (G.MALE,),
        (15, 16),
        Duration.LONG_TERM,
        (N.UASC, N.LANGUAGE, N.TRAUMA, N.FAITH),
        (
            "Arrived in the UK alone after a long journey. Polite and keen to learn; attends English classes and wants "
            "to study mechanics at college. Has nightmares and needs patient carers. Would value help to practise his "
            "faith.",
            "Travelled alone through several countries and speaks a little English. Enjoys cricket and cooking. Needs "
            "carers who can support college enrolment, immigration appointments and contact with his community.",
        ),
        communication=(CommunicationNeed.ESOL,),
        legal=(LegalStatus.V2,),
        category=(CategoryOfNeed.N8,),
        max_miles=40,
        settings=FOSTER_FIRST,
    ),
    "siblings": Archetype(
        "siblings",
        PK.SIBLING_GROUP,
        NL.STANDARD,
        (G.MALE, G.FEMALE),
        (8, 11),
        Duration.LONG_TERM,
        (N.NEGLECT, N.FAMILY_CONTACT, N.EDUCATION_CONTINUITY),
        (
            "Brothers and sisters who are very close and want to stay together. A long history of neglect; all are "
            "behind at school but making progress. Supervised contact with their mother each week. Need carers with "
            "space for them all and time to take them to the same school.",
            "The eldest has been parenting the younger ones while domestic abuse went on at home. They want to stay "
            "together and keep family contact. Need a large household with experienced, patient carers.",
        ),
        living=LivingAlongside.WITH_OTHER_CHILDREN,
        support=(AS.TRANSPORT_TO_SCHOOL,),
        siblings=(1, 1, 2),
        category=(CategoryOfNeed.N1, CategoryOfNeed.N5),
        max_miles=25,
        settings=FOSTER_ONLY,
    ),
    "disabled": Archetype(
        "disabled",
        PK.DISABLED_CHILDREN,
        NL.INTENSIVE_SUPPORT,
        (G.MALE, G.MALE, G.FEMALE),
        (10, 14),
        Duration.LONG_TERM,
        (N.AUTISM, N.LEARNING_DISABILITY),
        (
            "Autistic with a learning disability; uses Makaton and a visual timetable. Loves trains, swings and music. "
            "Becomes distressed with noise and change, so needs a calm home, a sensory space and carers who work "
            "closely with the special school.",
        ),
        communication=(CommunicationNeed.MAKATON,),
        adaptations=(Adaptation.SENSORY_ROOM,),
        support=(AS.RESPITE_WORKER, AS.TRANSPORT_TO_SCHOOL),
        hours=4,
        pets=PetsPreference.NO,
        legal=(LegalStatus.V2, LegalStatus.C2),
        category=(CategoryOfNeed.N2,),
        max_miles=25,
        settings=FOSTER_ONLY,
    ),
    "disabled_physical": Archetype(
        "disabled",
        PK.DISABLED_CHILDREN,
        NL.ADDITIONAL_SUPPORT,
        (G.FEMALE,),
        (10, 12),
        Duration.LONG_TERM,
        (N.PHYSICAL_DISABILITY, N.EDUCATION_CONTINUITY),
        (
            "Uses a wheelchair and needs a ground-floor bedroom and accessible bathroom. Sociable and funny, loves "
            "films and wheelchair basketball. Wants to keep attending the current school. Needs carers trained in "
            "moving and handling.",
            "Profoundly deaf and uses British Sign Language; also has a physical disability affecting mobility. Bright "
            "and determined, enjoys art and swimming. Needs carers who sign or are willing to learn, and a home with "
            "level access.",
        ),
        adaptations=(Adaptation.WHEELCHAIR_ACCESS, Adaptation.GROUND_FLOOR_BEDROOM),
        support=(AS.TRANSPORT_TO_SCHOOL,),
        legal=(LegalStatus.V2,),
        category=(CategoryOfNeed.N2,),
        max_miles=40,
        settings=FOSTER_ONLY,
    ),
    "parent_child": Archetype(
        "pandc",
        PK.PARENT_AND_CHILD,
        NL.STANDARD,
        (G.FEMALE,),
        (16, 17),
        Duration.SHORT_TERM,
        (N.DOMESTIC_ABUSE, N.FAMILY_CONTACT),
        (
            "A young mother with a baby under a year old. Left a relationship with domestic abuse; the court has asked "
            "for a parenting assessment. Warm and attentive with the baby but needs guidance with routines. Needs a "
            "parent and child carer able to complete an assessment.",
        ),
        legal=(LegalStatus.C2, LegalStatus.V2),
        category=(CategoryOfNeed.N4,),
        max_miles=30,
    ),
    "childrens_home": Archetype(
        "home",
        PK.CHILDRENS_HOME,
        NL.INTENSIVE_SUPPORT,
        (G.MALE, G.MALE, G.MALE, G.FEMALE),
        (14, 16),
        Duration.LONG_TERM,
        (N.CRIMINAL_EXPLOITATION, N.TRAUMA, N.GOING_MISSING),
        (
            "Several foster placements have ended because of aggression when anxious; residential care is now "
            "recommended. Loves basketball and music. Exploited by older young people and goes missing. Needs a small "
            "home with high staffing, education on site or close by, and close work with the exploitation team.",
            "Has lived in residential care before and did well with consistent staff. Trauma from long-term neglect "
            "and violence at home. Can damage property when distressed but responds to calm de-escalation. Needs a "
            "home that can keep a school place open.",
        ),
        risks_to_child=(RC.CRIMINAL_EXPLOITATION, RC.GOING_MISSING),
        risks_to_others=(RO.PHYSICAL_HARM,),
        living=LivingAlongside.ONLY_YOUNGER,
        pets=PetsPreference.UNKNOWN,
        category=(CategoryOfNeed.N1, CategoryOfNeed.N6),
        max_miles=80,
        settings=HOME_FIRST,
    ),
    "remand": Archetype(
        "core",
        PK.CORE_FOSTERING,
        NL.ADDITIONAL_SUPPORT,
        (G.MALE,),
        (15, 16),
        Duration.REMAND,
        (N.CRIMINAL_EXPLOITATION, N.EDUCATION_CONTINUITY),
        (
            "Remanded to local authority accommodation by the youth court. Polite with adults he trusts, enjoys the "
            "gym and cooking. Needs carers who can support bail conditions, a curfew and appointments with the youth "
            "justice service.",
        ),
        risks_to_child=(RC.CRIMINAL_EXPLOITATION,),
        risks_to_others=(RO.CRIMINAL_EXPLOITATION,),
        legal=(LegalStatus.J1,),
        category=(CategoryOfNeed.N6,),
        max_miles=40,
    ),
    "step_down": Archetype(
        "enhanced",
        PK.STEP_DOWN,
        NL.INTENSIVE_SUPPORT,
        (G.MALE, G.FEMALE),
        (12, 14),
        Duration.LONG_TERM,
        (N.TRAUMA, N.NEGLECT, N.EDUCATION_CONTINUITY),
        (
            "Ready to step down from a children's home to a family after a settled year. Enjoys skateboarding and art "
            "and attends a small school. Needs experienced carers who can work with the home's staff on a gradual "
            "move.",
        ),
        support=(AS.THERAPEUTIC_SUPPORT,),
        hours=2,
        max_miles=30,
        settings=FOSTER_ONLY,
    ),
    "solo": Archetype(
        "core",
        PK.SOLO,
        NL.ADDITIONAL_SUPPORT,
        (G.MALE,),
        (12, 14),
        Duration.SHORT_TERM,
        (N.TRAUMA, N.DOMESTIC_ABUSE),
        (
            "Needs to be the only child in the home: has hurt younger children when angry. Loves animals, fishing and "
            "being outdoors. Does much better one-to-one with calm adults. Attends a specialist school with "
            "transport.",
        ),
        risks_to_others=(RO.PHYSICAL_HARM,),
        living=LivingAlongside.SOLO_RECOMMENDED,
        support=(AS.EXTRA_SUPERVISION,),
        hours=5,
        category=(CategoryOfNeed.N1,),
        max_miles=30,
    ),
}
# language, faith, culture, cultural needs: for children seeking asylum and for carers who share them
COMMUNITIES = (
    ("Pashto", "Muslim", "Afghan", "Halal food; would like help to find a local mosque and other Pashto speakers."),
    ("Tigrinya", "Orthodox Christian", "Eritrean", "Would like to attend an Orthodox church and cook food from home."),
    ("Arabic", "Muslim", "Sudanese", "Halal food; prays daily and would like a quiet space to do so."),
    ("Kurdish", "Muslim", "Kurdish", "Halal food; would value contact with the local Kurdish community."),
)
OTHER_LANGUAGES = ("Polish", "Romanian", "Urdu", "Punjabi", "Bengali", "Turkish", "Arabic")
FAITHS = ("Christian", "Muslim", "Catholic", "Sikh", "Hindu", "Jewish")
CULTURES = ("Polish", "Romanian", "Pakistani", "Caribbean", "Bangladeshi", "Irish")

DECLINE_NOTES = {
    DeclineReason.NO_CAPACITY: (
        "All our carers near the home area are full at the moment.",
        "No carers free for a teenager until a planned move next month.",
    ),
    DeclineReason.NEEDS_NOT_MET: (
        "None of our current households is approved for this kind of placement.",
        "We have no carers with the training these needs call for.",
    ),
    DeclineReason.RISK_TOO_HIGH: (
        "The exploitation risks are beyond what our carers can safely manage.",
        "Our carers with space have younger children placed: the risks are too high.",
    ),
    DeclineReason.LOCATION: ("Our nearest carers are well beyond the distance limit.",),
    DeclineReason.MATCHING: ("Would not match the children already placed in our free households.",),
}
MATCH_OPENINGS = {
    "core": "Experienced carers who have looked after children with a history of neglect",
    "enhanced": "Enhanced carers trained in exploitation and missing-from-care work, with a supervising social worker "
    "on call",
    "siblings": "A large household with bedrooms for the brothers and sisters together",
    "disabled": "Carers trained in moving and handling, with an adapted ground-floor bedroom",
    "pandc": "An experienced parent and child carer who has completed several court assessments",
    "home": "A small home with high staffing and education support on site",
}
MATCH_CLOSINGS = (
    "No other children are placed at present.",
    "Can support school transport from the first day.",
    "Happy to meet the social worker before the move.",
    "The household has a calm routine and a garden.",
    "The carers have cared for young people with similar needs for several years.",
)
HOUSEHOLD_VACANCY_NOTES = (
    "Experienced with teenagers; close to a mainline station.",
    "Room for brothers and sisters together; large garden.",
    "Emergency placements welcome; carers on call overnight.",
    "Ground-floor bedroom; carers trained in moving and handling.",
    "Carers speak several languages and have supported young people seeking asylum.",
)
HOME_VACANCY_NOTES = (
    "Bed free after a planned move; high staffing ratio.",
    "Bed free now; education support on site.",
)
VACANCY_PROVIDERS = (
    "harbour",
    "oakleaf",
    "northdowns",
    "medlar",
    "bluebell",
    "sandpiper",
    "solent",
    "acorn",
    "chalkhill",
    "greenwood",
    "peakland",
    "greensand",
    "amberglow",
    "trent",
)

# --- the history: who referred what, when, and how it ended ---------------------------------------------------------

# council, archetype, days ago published, outcome, options
# outcomes: placed, ended:<reason>:<planned|unplanned>, spot:<provider>, withdrawn; options: cascade (no tier 1
# offer in time), shortlist, far (the child can be placed far from home: spot purchases out of the region)
HISTORY: tuple[tuple[str, str, int, str, tuple[str, ...]], ...] = (
    ("kent", "exploited_boy", 172, "ended:CREQB:unplanned", ()),
    ("medway", "neglect_child", 166, "ended:CARPL:planned", ()),
    ("southampton", "neglect_child", 159, "placed", ("shortlist",)),
    ("kent", "uasc", 151, "ended:CARPL:planned", ()),
    ("nottinghamshire", "exploited_boy", 144, "ended:CHILD:unplanned", ()),
    ("kent", "childrens_home", 137, "spot:trent", ("far",)),
    ("hampshire", "siblings", 130, "placed", ()),
    ("kent", "siblings", 121, "placed", ("cascade",)),
    ("medway", "exploited_girl", 114, "spot:chalkhill", ("far",)),
    ("derby", "childrens_home", 108, "placed", ()),
    ("kent", "remand", 100, "ended:LAREQ:planned", ()),
    ("portsmouth", "self_harm_girl", 93, "placed", ("shortlist",)),
    ("kent", "exploited_boy", 86, "withdrawn", ()),
    ("southampton", "exploited_boy", 79, "spot:harbour", ()),
    ("medway", "parent_child", 71, "ended:ALLEG:unplanned", ()),
    ("kent", "disabled", 64, "placed", ()),
    ("nottinghamshire", "siblings", 56, "placed", ()),
    ("kent", "step_down", 49, "ended:CARPL:planned", ()),
    ("hampshire", "disabled_physical", 41, "placed", ("cascade",)),
    ("kent", "neglect_child", 33, "ended:STAND:unplanned", ()),
    ("derby", "exploited_boy", 26, "withdrawn", ()),
    ("medway", "neglect_child", 21, "placed", ("shortlist",)),
    ("kent", "solo", 16, "placed", ()),
    ("southampton", "uasc", 11, "placed", ()),
    ("kent", "exploited_boy", 7, "placed", ("shortlist",)),
    ("nottinghamshire", "neglect_child", 4, "placed", ()),
    ("kent", "uasc", 2, "placed", ()),
)
SPOT_FEES = {"trent": 525_000, "chalkhill": 158_000, "harbour": 149_500}

# council, archetype, urgency, hours ago published, offers, declines, shortlist the first offer
OPEN: tuple[tuple[str, str, Urgency, int, int, int, bool], ...] = (
    ("kent", "exploited_boy", Urgency.TODAY, 3, 2, 0, True),
    ("kent", "neglect_child", Urgency.WITHIN_5_DAYS, 26, 1, 2, False),
    ("kent", "siblings", Urgency.LATER, 50, 1, 0, False),
    ("kent", "uasc", Urgency.WITHIN_5_DAYS, 30, 0, 2, False),
    ("medway", "solo", Urgency.TODAY, 2, 0, 0, False),  # no framework match: the demo's case for spot purchase
    ("medway", "parent_child", Urgency.LATER, 70, 1, 0, True),
    ("southampton", "neglect_child", Urgency.WITHIN_5_DAYS, 20, 2, 1, False),
    ("hampshire", "disabled_physical", Urgency.LATER, 40, 0, 1, False),
    ("nottinghamshire", "exploited_boy", Urgency.TODAY, 5, 1, 0, False),
    ("derby", "childrens_home", Urgency.WITHIN_5_DAYS, 28, 1, 0, False),
)


async def seed_demo() -> bool:
    """Load the demo; False (and nothing written) when it is already loaded."""
    if await Council.exists(ons_code=MARKER_ONS_CODE):
        return False
    async with in_transaction():
        await _Seeder(datetime.now(UTC)).run()
    return True


@dataclass
class _Resource:
    """A carer household or children's home, as the seed tracks its places."""

    id: int
    provider_id: int
    district: str
    min_age: int
    max_age: int
    places: int
    kinds: frozenset[str]
    is_home: bool


class _Seeder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.date()
        self.rng = random.Random(SEED)
        self.councils: dict[str, Council] = {}
        self.frameworks: dict[str, Framework] = {}
        self.lots: dict[tuple[str, str], Lot] = {}
        self.lot_specs: dict[tuple[str, str], LotSpec] = {}
        self.providers: dict[str, Provider] = {}
        self.officers: dict[str, Actor] = {}
        self.duty: dict[str, Actor] = {}
        self.resources: list[_Resource] = []
        self.placed: Counter[tuple[bool, int]] = Counter()  # (is_home, id) -> children placed now
        self.unfilled: list[str] = []  # cases the matching could not fill as planned (diagnostics)
        self.needed_by: dict[int, datetime] = {}  # referral id -> real need date, restored when its case closes
        self.by_ref: dict[tuple[bool, int], _Resource] = {}
        self.event_floor = 0
        self.outbox_floor = 0

    async def run(self) -> None:
        await import_districts(list(bundled_directory()))
        self.directory = await district_directory()
        await self.councils_and_frameworks()
        await self.provider_market()
        await self.people()
        await self.households_and_homes()
        await self.floors()
        # Oldest first, so reference numbers follow the order referrals were written.
        cases: list[tuple[int, bool, tuple[Any, ...]]] = [
            (30 if case[2] <= 2 else case[2] * 24, True, case) for case in HISTORY
        ] + [(spec[3], False, spec) for spec in OPEN]
        for _, is_history, case in sorted(cases, key=lambda c: -c[0]):
            if is_history:
                await self.history_case(*case)
            else:
                await self.open_case(*case)
        await self.run_cascade_clock()
        await self.draft()
        await self.post_vacancies()
        await OutboxMessage.filter(created_at__lt=self.now - timedelta(hours=24)).update(
            status=OutboxStatus.SKIPPED, last_error="Demo history: recorded, not emailed."
        )

    # --- organisations ----------------------------------------------------------------------------------------------

    async def councils_and_frameworks(self) -> None:
        for key, name, ons, region, office, prefix, districts in COUNCILS:
            self.councils[key] = await Council.create(
                name=name,
                ons_code=ons,
                region=region,
                district=office,
                reference_prefix=prefix,
                districts=[d for d in districts.split() if d in self.directory],
            )
        for spec in FRAMEWORKS:
            framework = await Framework.create(
                reference=spec.reference,
                name=spec.name,
                lead_council=self.councils[spec.lead],
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                extended_to=spec.extended_to,
                minimum_ofsted_judgement=spec.minimum,
                tier_response_hours=24,
                emergency_response_hours=4,
            )
            await framework.member_councils.add(*(self.councils[key] for key in spec.members))
            self.frameworks[spec.reference] = framework
            for lot_spec in spec.lots:
                bands = [b for b in spec.bands if lot_spec.bands is None or b in lot_spec.bands]
                self.lots[spec.reference, lot_spec.code] = await Lot.create(
                    framework=framework,
                    code=lot_spec.code,
                    name=lot_spec.name,
                    placement_kinds=[k.value for k in lot_spec.kinds],
                    age_bands=[b.value for b in bands],
                    need_levels=[n.value for n in lot_spec.need_levels],
                )
                self.lot_specs[spec.reference, lot_spec.code] = lot_spec

    async def provider_market(self) -> None:
        for spec in PROVIDERS:
            self.providers[spec.key] = await administration.onboard_provider(
                ADMIN,
                name=spec.name,
                provider_type=spec.provider_type,
                ofsted_urn=spec.urn,
                ofsted_judgement=spec.judgement,
                ofsted_judgement_date=spec.judged_on,
                district=spec.districts[0],
                sector=spec.sector,
            )
        factors = {spec.key: self.rng.uniform(0.96, 1.05) for spec in PROVIDERS}
        current_from = _april_before(self.today - timedelta(days=200))
        previous_from = current_from.replace(year=current_from.year - 1)
        for (reference, code), members in MEMBERSHIPS.items():
            framework = self.frameworks[reference]
            lot, lot_spec = self.lots[reference, code], self.lot_specs[reference, code]
            for member in members:
                key, tier = member[0], member[1]
                joined = member[2] if len(member) > 2 else framework.starts_on
                membership = await administration.add_provider_to_lot(
                    ADMIN, lot_id=lot.id, provider_id=self.providers[key].id, tier=tier, joined_on=joined
                )
                factor = factors[key] * self.rng.uniform(0.99, 1.01)
                supplements = self._supplements(lot_spec.group)
                for effective_from, uplift in ((previous_from, 0.965), (current_from, 1.0)):
                    await administration.set_price_schedule(
                        ADMIN,
                        membership_id=membership.id,
                        effective_from=max(effective_from, joined),
                        prices=[
                            PriceLine(
                                AgeBand(band),
                                NeedLevel(level),
                                _fee(lot_spec.group, AgeBand(band), NeedLevel(level), factor * uplift),
                            )
                            for band in lot.age_bands
                            for level in lot.need_levels
                        ],
                        supplements=[SupplementLine(k, u, _round50(a * uplift)) for k, u, a in supplements],
                    )
                departure = DEPARTURES.get((reference, code, key))
                if departure:
                    await administration.remove_provider_from_lot(
                        ADMIN, membership_id=membership.id, left_on=departure[0], reason=departure[1]
                    )
        for gone, into in MERGERS.items():
            # No use case merges providers yet: recorded directly.
            await Provider.filter(id=self.providers[gone].id).update(
                status=ProviderStatus.CLOSED, merged_into_id=self.providers[into].id
            )

    def _supplements(self, group: str) -> list[tuple[SupplementKind, SupplementUnit, int]]:
        r = self.rng
        if group == "home":
            return [
                (SupplementKind.SOLO, SupplementUnit.PER_WEEK, _round50(r.uniform(80_000, 95_000))),
                (SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, _round50(r.uniform(22_500, 30_000))),
                (SupplementKind.ADDITIONAL_SUPPORT_HOURS, SupplementUnit.PER_HOUR, _round50(r.uniform(2_800, 3_400))),
            ]
        return [
            (SupplementKind.SOLO, SupplementUnit.PER_WEEK, _round50(r.uniform(14_000, 17_500))),
            (SupplementKind.EMERGENCY, SupplementUnit.PER_WEEK, _round50(r.uniform(9_000, 12_500))),
            (SupplementKind.SIBLING, SupplementUnit.PER_CHILD, _round50(r.uniform(58_000, 66_000))),
            (SupplementKind.ADDITIONAL_SUPPORT_HOURS, SupplementUnit.PER_HOUR, _round50(r.uniform(2_250, 2_850))),
        ]

    async def people(self) -> None:
        await create_user(
            ADMIN, email=PLATFORM_ADMIN[0], password=PASSWORD, display_name=PLATFORM_ADMIN[1], role=Role.PLATFORM_ADMIN
        )
        for email, name, role, council_key in COUNCIL_USERS:
            user = await create_user(
                ADMIN,
                email=email,
                password=PASSWORD,
                display_name=name,
                role=role,
                council_id=self.councils[council_key].id,
            )
            if role is Role.PLACEMENT_OFFICER:
                self.officers.setdefault(council_key, Actor.of(user))
        for spec in PROVIDERS:
            provider = self.providers[spec.key]
            user = await create_user(
                ADMIN,
                email=f"duty@{spec.slug}.example.org",
                password=PASSWORD,
                display_name=DUTY_NAMES.get(spec.key, f"{spec.name} duty desk"),
                role=Role.PROVIDER_RESPONDER,
                provider_id=provider.id,
            )
            self.duty[spec.key] = Actor.of(user)
            if spec.key in PROVIDER_ADMINS:
                await create_user(
                    ADMIN,
                    email=f"admin@{spec.slug}.example.org",
                    password=PASSWORD,
                    display_name=PROVIDER_ADMINS[spec.key],
                    role=Role.PROVIDER_ADMIN,
                    provider_id=provider.id,
                )

    # --- households and homes ---------------------------------------------------------------------------------------

    async def households_and_homes(self) -> None:
        groups_of: dict[str, set[str]] = {}
        for (reference, code), members in MEMBERSHIPS.items():
            for member in members:
                groups_of.setdefault(member[0], set()).add(self.lot_specs[reference, code].group)
        bulk: list[CarerHousehold] = []
        for spec in PROVIDERS:
            if not spec.households:
                continue
            provider = self.providers[spec.key]
            active = provider.status is ProviderStatus.ACTIVE and spec.key not in MERGERS
            categories = self._categories(spec, groups_of.get(spec.key, {"core"}))
            numbers = sorted(self.rng.sample(range(101, 990), spec.households))
            nearby = self._nearby(spec.districts)
            for i, (category, number) in enumerate(zip(categories, numbers, strict=True)):
                values = self._household(category, f"{spec.prefix}-{number:04d}", nearby, active)
                if i < 2 and active:
                    # The first households of each provider go through the use case, as a provider would add them.
                    details = resources.HouseholdDetails(**{k: v for k, v in values.items() if k != "created_at"})
                    await resources.create_carer_household(self.duty[spec.key], provider.id, details)
                else:
                    bulk.append(CarerHousehold(provider_id=provider.id, updated_at=values["created_at"], **values))
        await CarerHousehold.bulk_create(bulk, batch_size=200)
        homes = []
        for key, name, urn, beds, (low, high), district, judgement, judged_on, specialisms in HOMES_SPECS:
            risks_child = [RC.CRIMINAL_EXPLOITATION, RC.GOING_MISSING, RC.DRUGS_AND_ALCOHOL, RC.SELF_HARM]
            if Need.SEXUAL_EXPLOITATION in specialisms:
                risks_child.append(RC.SEXUAL_EXPLOITATION)
            homes.append(
                ChildrensHome(
                    provider_id=self.providers[key].id,
                    name=name,
                    ofsted_urn=urn,
                    beds=beds,
                    min_age=low,
                    max_age=high,
                    district=district,
                    ofsted_judgement=judgement,
                    ofsted_judgement_date=judged_on,
                    specialisms=sorted(s.value for s in specialisms),
                    manageable_risks_to_child=sorted(r.value for r in risks_child),
                    manageable_risks_to_others=sorted(r.value for r in (RO.PHYSICAL_HARM, RO.CRIMINAL_EXPLOITATION)),
                )
            )
        await ChildrensHome.bulk_create(homes)
        for row in await CarerHousehold.all().order_by("provider_id", "reference"):
            if row.is_active:
                self.resources.append(
                    _Resource(
                        row.id,
                        row.provider_id,
                        row.district,
                        row.min_age,
                        row.max_age,
                        row.approved_places,
                        frozenset(row.placement_kinds),
                        False,
                    )
                )
        for row in await ChildrensHome.all().order_by("provider_id", "name"):
            self.resources.append(
                _Resource(
                    row.id,
                    row.provider_id,
                    row.district,
                    row.min_age,
                    row.max_age,
                    row.beds,
                    frozenset({PK.CHILDRENS_HOME.value}),
                    True,
                )
            )
        self.by_ref = {(res.is_home, res.id): res for res in self.resources}

    def _categories(self, spec: ProviderSpec, groups: set[str]) -> list[str]:
        wanted = [g for g in ("enhanced", "siblings", "pandc", "disabled") if g in groups]
        if spec.districts[0][:2] in ("CT", "SO", "NG", "DE", "ME"):
            wanted.append("uasc")
        first = ["core", *wanted, "core", *wanted]
        weights = {"core": 45, "enhanced": 22, "siblings": 14, "pandc": 6, "disabled": 8, "uasc": 5}
        pool = [g for g in weights if g in groups or g in ("core", "uasc")]
        rest = self.rng.choices(pool, weights=[weights[g] for g in pool], k=max(0, spec.households - len(first)))
        return (first + rest)[: spec.households]

    def _nearby(self, offices: tuple[str, ...]) -> list[str]:
        found: list[str] = []
        for office in offices:
            near = [code for code, _ in self.directory.within(office, 25)] or [office]
            found += near[: max(3, len(near) * 2 // 3)]
        return found

    def _household(self, category: str, reference: str, nearby: list[str], active: bool) -> dict[str, Any]:
        r = self.rng
        chance = r.random
        ages = {
            "core": [(5, 12), (8, 17), (11, 18), (0, 10), (5, 18), (13, 18), (0, 18), (0, 4)],
            "enhanced": [(10, 18), (11, 17), (12, 18), (8, 17)],
            "siblings": [(0, 12), (3, 14), (5, 16), (0, 18)],
            "pandc": [(0, 18)],
            "disabled": [(0, 18), (5, 18), (8, 18)],
            "uasc": [(13, 18), (14, 18), (12, 18)],
        }[category]
        low, high = r.choice(ages)
        places = r.choices((1, 2, 3), weights=(35, 40, 25))[0]
        kinds = {PK.CORE_FOSTERING}
        durations = {Duration.SHORT_TERM, Duration.LONG_TERM}
        languages, communication, adaptations, faiths, cultures = {"English"}, set(), set(), set(), set()
        support: set[AdditionalSupport] = set()
        risks_child: set[RiskToChild] = set(r.sample([RC.GOING_MISSING, RC.SELF_HARM, RC.OTHER], r.randint(0, 2)))
        risks_others: set[RiskToOthers] = {RO.PHYSICAL_HARM} if chance() < 0.3 else set()
        specialisms = set(
            r.sample([N.NEGLECT, N.TRAUMA, N.DOMESTIC_ABUSE, N.EDUCATION_CONTINUITY, N.FAMILY_CONTACT], r.randint(1, 3))
        )
        solo_only = False
        emergency, remand = 0.45, 0.08
        if category == "core":
            if chance() < 0.15:
                kinds.add(PK.SOLO)
            if places >= 2 and chance() < 0.25:
                kinds.add(PK.SIBLING_GROUP)
            if chance() < 0.3:
                support.add(AS.TRANSPORT_TO_SCHOOL)
            solo_only = chance() < 0.05
        elif category == "enhanced":
            kinds |= {PK.ENHANCED_FOSTERING}
            kinds |= {
                k for k, p in ((PK.SPECIALIST_FOSTERING, 0.45), (PK.STEP_DOWN, 0.35), (PK.SOLO, 0.3)) if chance() < p
            }
            places = r.choice((1, 1, 2))
            risks_child |= {RC.CRIMINAL_EXPLOITATION, RC.GOING_MISSING, RC.DRUGS_AND_ALCOHOL}
            risks_child |= {
                k
                for k, p in ((RC.SEXUAL_EXPLOITATION, 0.7), (RC.SELF_HARM, 0.6), (RC.EATING_DISORDER, 0.2))
                if chance() < p
            }
            risks_others |= {RO.CRIMINAL_EXPLOITATION, RO.PHYSICAL_HARM}
            risks_others |= {k for k, p in ((RO.FIRE_SETTING, 0.2), (RO.HARM_TO_ANIMALS, 0.1)) if chance() < p}
            specialisms |= set(
                r.sample(
                    [N.CRIMINAL_EXPLOITATION, N.SEXUAL_EXPLOITATION, N.GOING_MISSING, N.SELF_HARM, N.MENTAL_HEALTH],
                    r.randint(2, 4),
                )
            )
            support |= set(r.sample([AS.EXTRA_SUPERVISION, AS.THERAPEUTIC_SUPPORT], r.randint(1, 2)))
            if PK.SPECIALIST_FOSTERING in kinds:
                # Therapeutic carers: trained for self-harm, often for eating difficulties too.
                risks_child.add(RC.SELF_HARM)
                if chance() < 0.7:
                    risks_child.add(RC.EATING_DISORDER)
                specialisms |= {N.SELF_HARM, N.MENTAL_HEALTH}
                support.add(AS.THERAPEUTIC_SUPPORT)
            solo_only = chance() < 0.25
            emergency, remand = 0.6, 0.4
        elif category == "siblings":
            kinds.add(PK.SIBLING_GROUP)
            places = r.choice((2, 3, 3))
            specialisms |= {N.FAMILY_CONTACT}
            support.add(AS.TRANSPORT_TO_SCHOOL)
        elif category == "pandc":
            kinds = {PK.PARENT_AND_CHILD, PK.CORE_FOSTERING}
            places = 2
            specialisms |= {N.DOMESTIC_ABUSE, N.FAMILY_CONTACT}
        elif category == "disabled":
            kinds.add(PK.DISABLED_CHILDREN)
            adaptations |= {Adaptation.GROUND_FLOOR_BEDROOM}
            adaptations |= {
                k
                for k, p in (
                    (Adaptation.WHEELCHAIR_ACCESS, 0.6),
                    (Adaptation.HOIST, 0.25),
                    (Adaptation.SENSORY_ROOM, 0.6),
                )
                if chance() < p
            }
            communication |= {
                k for k, p in ((CommunicationNeed.MAKATON, 0.5), (CommunicationNeed.BSL, 0.25)) if chance() < p
            }
            specialisms |= set(r.sample([N.AUTISM, N.LEARNING_DISABILITY, N.PHYSICAL_DISABILITY], r.randint(1, 3)))
            support |= {AS.RESPITE_WORKER, AS.TRANSPORT_TO_SCHOOL}
            places = r.choice((1, 2))
        elif category == "uasc":
            language, faith, culture, _ = r.choice(COMMUNITIES)
            languages.add(language)
            communication.add(CommunicationNeed.ESOL)
            faiths.add(faith)
            cultures.add(culture)
            specialisms |= {N.UASC, N.LANGUAGE, N.TRAUMA}
        if category != "uasc":
            if chance() < 0.15:
                languages.add(r.choice(OTHER_LANGUAGES))
            if chance() < 0.25:
                faiths.add(r.choice(FAITHS))
            if chance() < 0.1:
                cultures.add(r.choice(CULTURES))
            if chance() < 0.03:
                communication.add(CommunicationNeed.BSL)
        if solo_only:
            places = 1
            kinds.add(PK.SOLO)
            kinds.discard(PK.SIBLING_GROUP)
        durations |= {
            d
            for d, p in ((Duration.EMERGENCY, emergency), (Duration.RESPITE, 0.25), (Duration.REMAND, remand))
            if chance() < p
        }
        weights = [max(1, len(nearby) - i) for i in range(len(nearby))]
        return {
            "reference": reference,
            "district": r.choices(nearby, weights=weights)[0],
            "min_age": low,
            "max_age": high,
            "approved_places": places,
            "placement_kinds": sorted(k.value for k in kinds),
            "durations": sorted(d.value for d in durations),
            "languages": sorted(languages),
            "communication": sorted(c.value for c in communication),
            "adaptations": sorted(a.value for a in adaptations),
            "has_pets": chance() < {"uasc": 0.25, "disabled": 0.15}.get(category, 0.45),
            "solo_only": solo_only,
            "manageable_risks_to_child": sorted(x.value for x in risks_child),
            "manageable_risks_to_others": sorted(x.value for x in risks_others),
            "specialisms": sorted(s.value for s in specialisms),
            "additional_support": sorted(s.value for s in support),
            "faiths": sorted(faiths),
            "cultures": sorted(cultures),
            "is_active": active and chance() > 0.04,
            "created_at": self.now - timedelta(days=r.randint(200, 2400)),
        }

    # --- back-dating ------------------------------------------------------------------------------------------------

    async def floors(self) -> None:
        self.event_floor = await _max_id(Event)
        self.outbox_floor = await _max_id(OutboxMessage)

    async def stamp(self, when: datetime) -> None:
        """Events and emails written since the last stamp happened at `when`."""
        ids = await Event.filter(id__gt=self.event_floor).values_list("id", flat=True)
        if ids:
            await Event.filter(id__in=ids).update(created_at=when)
            self.event_floor = max(ids)
        ids = await OutboxMessage.filter(id__gt=self.outbox_floor).values_list("id", flat=True)
        if ids:
            await OutboxMessage.filter(id__in=ids).update(created_at=when)
            self.outbox_floor = max(ids)

    def before_now(self, when: datetime, margin_minutes: int = 5) -> datetime:
        return min(when, self.now - timedelta(minutes=margin_minutes))

    # --- referrals --------------------------------------------------------------------------------------------------

    def details(
        self, council_key: str, archetype: Archetype, urgency: Urgency | None, published: datetime
    ) -> tuple[referrals.ReferralDetails, str]:
        r = self.rng
        if archetype.group == "home":
            reference = HOMES_FRAMEWORK[council_key]
        else:
            reference = FOSTERING_FRAMEWORK[council_key]
        lot_code = next(
            code for (ref, code), spec in self.lot_specs.items() if ref == reference and archetype.kind in spec.kinds
        )
        urgency = urgency or r.choices(list(Urgency), weights=(3, 4, 3))[0]
        required_by = (
            published
            + {
                Urgency.TODAY: timedelta(hours=r.randint(5, 9)),
                Urgency.WITHIN_5_DAYS: timedelta(days=r.randint(2, 5)),
                Urgency.LATER: timedelta(days=r.randint(10, 35)),
            }[urgency]
        )
        duration = archetype.duration
        if urgency is Urgency.TODAY and archetype.group in ("core", "enhanced") and duration is not Duration.REMAND:
            duration = Duration.EMERGENCY
        languages: list[str] = []
        faith = cultural = ""
        communication = list(archetype.communication)
        summary = r.choice(archetype.summaries)
        if archetype is ARCHETYPES["uasc"]:
            language, faith, _, cultural = r.choice(COMMUNITIES)
            languages = [language]
        elif archetype.group == "core" and r.random() < 0.3:
            languages = [r.choice(("Polish", "Romanian", "Urdu"))]
        if "British Sign Language" in summary:
            communication.append(CommunicationNeed.BSL)
        council = self.councils[council_key]
        details = referrals.ReferralDetails(
            framework_id=self.frameworks[reference].id,
            lot_id=self.lots[reference, lot_code].id,
            placement_kind=archetype.kind,
            duration=duration,
            urgency=urgency,
            need_level=archetype.need_level,
            required_by=required_by,
            age_years=r.randint(*archetype.ages),
            gender=r.choice(archetype.genders),
            siblings_to_place_together=r.choice(archetype.siblings),
            home_district=r.choice(self._reachable(council, reference, lot_code, archetype)),
            max_distance_miles=archetype.max_miles,
            needs=list(archetype.needs),
            risks_to_child=list(archetype.risks_to_child),
            risks_to_others=list(archetype.risks_to_others),
            communication_needs=communication,
            languages=languages,
            adaptations=list(archetype.adaptations),
            faith=faith,
            cultural_needs=cultural,
            living_alongside=archetype.living,
            pets=archetype.pets,
            additional_support=list(archetype.support),
            additional_support_hours=archetype.hours,
            deprivation_of_liberty=False,
            setting_suitability=dict(archetype.settings),
            legal_status=r.choice(archetype.legal),
            category_of_need=r.choice(archetype.category),
            summary=summary,
        )
        return details, archetype.group

    def _reachable(self, council: Council, reference: str, lot_code: str, archetype: Archetype) -> list[str]:
        """The council's districts within reach of a household or home on the lot that could take such a child."""
        members = {self.providers[member[0]].id for member in MEMBERSHIPS[reference, lot_code]}
        suitable = [
            res.district
            for res in self.resources
            if res.provider_id in members
            and archetype.kind.value in res.kinds
            and res.min_age <= archetype.ages[1]
            and res.max_age >= archetype.ages[0]
        ]
        districts = council.districts or [council.district]
        near = [
            district
            for district in districts
            if any(
                (self.directory.miles_between(district, there) or 999) <= archetype.max_miles * 0.7
                for there in suitable
            )
        ]
        return near or districts

    async def publish(self, council_key: str, details: referrals.ReferralDetails, published: datetime) -> Referral:
        """Write and publish a referral as at `published`.

        The targeted broadcast matches against today's free places, so a referral of the past is
        published needing a home as far after today as it really needed one after `published`;
        its real need date is restored when its case closes (`close_case`).
        """
        officer = self.officers[council_key]
        created = published - timedelta(minutes=self.rng.randint(20, 150))
        needed_by = details.required_by
        assert needed_by is not None
        if needed_by < self.now + timedelta(hours=1):
            details.required_by = self.now + (needed_by - published)
        referral = await referrals.create_referral(officer, details)
        await Referral.filter(id=referral.id).update(created_at=created, updated_at=created)
        await self.stamp(created)
        referral = await referrals.publish_referral(officer, referral.id, now=published)
        await Referral.filter(id=referral.id).update(updated_at=published)
        await self.stamp(published)
        if details.required_by != needed_by:
            self.needed_by[referral.id] = needed_by
        return referral

    async def close_case(self, referral: Referral) -> None:
        needed_by = self.needed_by.pop(referral.id, None)
        if needed_by is not None:
            await Referral.filter(id=referral.id).update(required_by=needed_by)

    async def sent_to(self, referral: Referral) -> list[str]:
        """Keys of the providers the referral has been sent to and that have not answered, in a stable order."""
        rows = await BroadcastRecipient.filter(
            referral_id=referral.id, sent_at__isnull=False, responded_at__isnull=True
        ).order_by("tier", "provider_id")
        by_id = {p.id: key for key, p in self.providers.items()}
        return [by_id[row.provider_id] for row in rows]

    async def matches(self, referral: Referral, keys: list[str]) -> dict[str, list[_Resource]]:
        """Each provider's households or homes that could take the child, best first (the matching service)."""
        found: dict[str, list[_Resource]] = {key: [] for key in keys}
        if not keys:
            return found
        by_id = {self.providers[key].id: key for key in keys}
        for result in await best_matches(referral, list(by_id)):
            candidate = result.candidate
            resource = self.by_ref.get((candidate.kind is ResourceKind.CHILDRENS_HOME, candidate.id))
            if result.eligible and resource is not None:
                found[by_id[candidate.provider_id]].append(resource)
        return found

    async def decline(self, key: str, referral: Referral, when: datetime, reason: DeclineReason) -> None:
        note = self.rng.choice(DECLINE_NOTES[reason])
        await offers.decline_referral(self.duty[key], referral.id, reason, note)
        provider_id = self.providers[key].id
        await BroadcastRecipient.filter(referral_id=referral.id, provider_id=provider_id).update(
            responded_at=when, viewed_at=when - timedelta(minutes=self.rng.randint(5, 50))
        )
        await self.stamp(when)

    async def offer(
        self,
        key: str,
        referral: Referral,
        resource: _Resource,
        when: datetime,
        start: date,
        group: str,
        spot_fee: int | None = None,
    ) -> Offer:
        miles = self.directory.miles_between(resource.district, referral.home_district)
        statement = MATCH_OPENINGS[group]
        if miles is not None:
            statement += f", about {round(miles)} miles from home"
        statement += ". " + self.rng.choice(MATCH_CLOSINGS)
        details = offers.OfferDetails(
            referral_id=referral.id,
            start_date=max(start, self.today),
            matching_statement=statement,
            carer_household_id=None if resource.is_home else resource.id,
            childrens_home_id=resource.id if resource.is_home else None,
            spot_weekly_fee_pence=spot_fee,
        )
        offer = await offers.submit_offer(self.duty[key], details)
        await Offer.filter(id=offer.id).update(submitted_at=when, updated_at=when, start_date=start)
        await BroadcastRecipient.filter(referral_id=referral.id, provider_id=self.providers[key].id).update(
            responded_at=when, viewed_at=when - timedelta(minutes=self.rng.randint(5, 40))
        )
        await self.stamp(when)
        return offer

    async def shortlist(self, council_key: str, offer: Offer, when: datetime) -> None:
        await offers.shortlist_offer(self.officers[council_key], offer.id)
        await Offer.filter(id=offer.id).update(updated_at=when)
        await self.stamp(when)

    async def accept(
        self, council_key: str, referral: Referral, offer: Offer, resource: _Resource, when: datetime, children: int
    ) -> Placement:
        placement = await offers.accept_offer(self.officers[council_key], offer.id)
        await Referral.filter(id=referral.id).update(closed_at=when, updated_at=when)
        await Offer.filter(referral_id=referral.id, decided_at__isnull=False).update(decided_at=when, updated_at=when)
        await BroadcastRecipient.filter(referral_id=referral.id, outcome_notified_at__isnull=False).update(
            outcome_notified_at=when
        )
        await Placement.filter(id=placement.id).update(created_at=when)
        await self.stamp(when)
        self.placed[resource.is_home, resource.id] += children
        return placement

    async def withdraw(self, council_key: str, referral: Referral, when: datetime, reason: str) -> None:
        await referrals.withdraw_referral(self.officers[council_key], referral.id, reason)
        await Referral.filter(id=referral.id).update(closed_at=when, updated_at=when)
        await BroadcastRecipient.filter(referral_id=referral.id, outcome_notified_at__isnull=False).update(
            outcome_notified_at=when
        )
        await self.stamp(when)

    async def run_clock_once(self, referral: Referral) -> bool:
        """The cascade clock reaching this referral's tier deadline."""
        await referral.refresh_from_db()
        if referral.tier_deadline is None or referral.tier_deadline > self.now:
            return False
        when = referral.tier_deadline
        moved = await broadcast.cascade_due(now=when)
        await self.stamp(when)
        return moved > 0

    async def history_case(
        self, council_key: str, archetype_key: str, days_ago: int, outcome: str, options: tuple[str, ...]
    ) -> None:
        r = self.rng
        archetype = ARCHETYPES[archetype_key]
        day = self.now - timedelta(days=days_ago)
        published = day.replace(hour=r.randint(8, 15), minute=r.randint(0, 59), second=0, microsecond=0)
        if days_ago <= 2:
            published = self.now - timedelta(hours=30)
        details, group = self.details(council_key, archetype, None, published)
        if "far" in options:
            details.max_distance_miles = 200
        referral = await self.publish(council_key, details, published)
        urgent = referral.urgency is Urgency.TODAY
        clock = published

        def later(low_hours: float, high_hours: float) -> datetime:
            nonlocal clock
            clock = self.before_now(clock + timedelta(hours=r.uniform(low_hours, high_hours)), 30)
            return clock

        kind, _, rest = outcome.partition(":")
        if kind == "withdrawn":
            for key in (await self.sent_to(referral))[:2]:
                await self.decline(key, referral, later(1, 6), DeclineReason.NO_CAPACITY)
            await self.withdraw(council_key, referral, later(20, 40), "The child went home to family.")
            await self.close_case(referral)
            return

        held = await BroadcastRecipient.filter(
            referral_id=referral.id, sent_at__isnull=True, excluded_reason__isnull=True
        ).exists()
        if kind == "spot" or ("cascade" in options and held):
            # Nobody on the first tier (or on any tier, before a spot purchase) can take the child.
            while True:
                sent = await self.sent_to(referral)
                found = await self.matches(referral, sent)
                for key in sent:
                    reason = (
                        r.choice((DeclineReason.NO_CAPACITY, DeclineReason.RISK_TOO_HIGH, DeclineReason.LOCATION))
                        if found[key]
                        else DeclineReason.NEEDS_NOT_MET
                    )
                    await self.decline(key, referral, later(0.5, 3 if urgent else 8), reason)
                deadline = referral.tier_deadline
                if not await self.run_clock_once(referral):
                    break
                clock = max(clock, deadline or clock)
                if kind != "spot":
                    break

        offerers: list[tuple[str, _Resource]] = []
        if kind == "spot":
            when = later(2, 20)
            try:
                await referrals.escalate_to_spot(self.officers[council_key], referral.id, now=when)
            except ServiceError as error:
                self.unfilled.append(f"{referral.reference}: {error.message}")
            await self.stamp(when)
            sent = await self.sent_to(referral)
            found = await self.matches(referral, sent)
            key = rest if found.get(rest) else next((k for k in sent if found[k]), None)
            if key is not None:
                offerers.append((key, found[key][0]))
        else:
            sent = await self.sent_to(referral)
            r.shuffle(sent)  # whoever's duty desk answers first
            found = await self.matches(referral, sent)
            wanted = r.choice((1, 2, 2, 3))
            for key in sent:
                if found[key] and len(offerers) < wanted:
                    offerers.append((key, found[key][0]))
                elif r.random() < 0.6:
                    reason = (
                        r.choice((DeclineReason.NO_CAPACITY, DeclineReason.MATCHING, DeclineReason.LOCATION))
                        if found[key]
                        else DeclineReason.NEEDS_NOT_MET
                    )
                    await self.decline(key, referral, later(0.5, 4 if urgent else 12), reason)
        if not offerers:
            # Nobody could take the child after all: the council withdraws the referral.
            self.unfilled.append(f"{referral.reference} ({archetype_key}, {outcome})")
            await self.withdraw(council_key, referral, later(20, 40), "No suitable home was found.")
            await self.close_case(referral)
            return

        start = (clock + timedelta(days=0 if urgent else r.randint(1, 6))).date()
        made: list[tuple[Offer, _Resource]] = []
        for key, resource in offerers:
            fee = None
            if kind == "spot":
                fee = SPOT_FEES.get(key, 520_000 if resource.is_home else 152_000)
            offer = await self.offer(
                key, referral, resource, later(0.5, 3 if urgent else 20), start, group, spot_fee=fee
            )
            made.append((offer, resource))
        winner, resource = made[0]
        if "shortlist" in options:
            await self.shortlist(council_key, winner, later(1, 6 if urgent else 24))
        if days_ago <= 2:
            # Accepted this morning: a placement "this month" on the dashboards.
            month_start = self.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            accept_at = max(self.now - timedelta(hours=4), month_start + timedelta(minutes=5))
            clock = min(max(clock, accept_at), self.now - timedelta(minutes=5))
        else:
            later(1, 4 if urgent else 40)
        start_on = max(start, clock.date())
        if start_on != start:
            await Offer.filter(id=winner.id).update(start_date=start_on)
        children = 1 + referral.siblings_to_place_together
        placement = await self.accept(council_key, referral, winner, resource, clock, children)
        await self.close_case(referral)
        if kind == "ended":
            await self.end(council_key, placement, resource, start_on, rest, children)

    async def end(
        self, council_key: str, placement: Placement, resource: _Resource, start: date, how: str, children: int
    ) -> None:
        code, _, planned_word = how.partition(":")
        planned = planned_word == "planned"
        reason = ReasonPlacementChanged(code)
        r = self.rng
        latest = (self.today - start).days - 2
        length = min(r.randint(25, 110), max(1, latest))
        end_date = start + timedelta(days=length)
        if reason is ReasonPlacementChanged.CREQB:
            # The carer gives the provider's 28 days' notice: the provider ends it.
            actor = self.duty[_key_of(self.providers, placement.provider_id)]
            notice = end_date - timedelta(days=28)
        elif planned:
            actor, notice = self.officers[council_key], end_date - timedelta(days=r.randint(30, 45))
        else:
            actor, notice = self.officers[council_key], None
        if notice is not None and notice < start:
            notice = start
        await placements.end_placement(
            actor, placement.id, end_date=end_date, reason=reason, planned=planned, notice_given_on=notice
        )
        when = datetime.combine(end_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=r.randint(9, 16))
        await self.stamp(self.before_now(when))
        self.placed[resource.is_home, resource.id] -= children

    async def open_case(
        self,
        council_key: str,
        archetype_key: str,
        urgency: Urgency,
        hours_ago: int,
        offer_count: int,
        decline_count: int,
        shortlist: bool,
    ) -> None:
        r = self.rng
        archetype = ARCHETYPES[archetype_key]
        published = self.now - timedelta(hours=hours_ago, minutes=r.randint(0, 40))
        details, group = self.details(council_key, archetype, urgency, published)
        assert details.required_by is not None
        details.required_by = max(details.required_by, self.now + timedelta(hours=r.randint(3, 8)))
        referral = await self.publish(council_key, details, published)
        window = 4 if urgency is Urgency.TODAY else 24
        clock = published
        made = []
        declined = 0
        sent = await self.sent_to(referral)
        r.shuffle(sent)
        found = await self.matches(referral, sent)
        for key in sent:
            clock = self.before_now(clock + timedelta(hours=r.uniform(0.3, window * 0.4)), 10)
            if found[key] and len(made) < offer_count:
                start = max(referral.required_by.date(), self.today)
                made.append(await self.offer(key, referral, found[key][0], clock, start, group))
            elif declined < decline_count:
                reason = DeclineReason.NO_CAPACITY if found[key] else DeclineReason.NEEDS_NOT_MET
                await self.decline(key, referral, clock, reason)
                declined += 1
            elif r.random() < 0.5:
                await BroadcastRecipient.filter(referral_id=referral.id, provider_id=self.providers[key].id).update(
                    viewed_at=clock
                )
        if made and shortlist:
            await self.shortlist(council_key, made[0], self.before_now(clock + timedelta(minutes=40), 2))
        if len(made) < offer_count:
            self.unfilled.append(f"{referral.reference} open: {len(made)} of {offer_count} offers")

    async def run_cascade_clock(self) -> None:
        """Open referrals whose tier window closed with no offer have moved down the tiers, as the clock would."""
        while True:
            due = (
                await Referral.filter(status=ReferralStatus.OPEN, tier_deadline__lte=self.now)
                .order_by("tier_deadline")
                .first()
            )
            if due is None:
                return
            await self.run_clock_once(due)

    async def draft(self) -> None:
        details, _ = self.details("kent", ARCHETYPES["step_down"], Urgency.LATER, self.now)
        referral = await referrals.create_referral(self.officers["kent"], details)
        when = self.now - timedelta(minutes=25)
        await Referral.filter(id=referral.id).update(created_at=when, updated_at=when)
        await self.stamp(when)

    async def post_vacancies(self) -> None:
        """Early notification of vacancies: a free household or bed for most providers."""
        r = self.rng
        for key in VACANCY_PROVIDERS:
            provider_id = self.providers[key].id
            free = [
                res
                for res in self.resources
                if res.provider_id == provider_id and self.placed[res.is_home, res.id] < res.places
            ]
            if not free:
                continue
            homes = [res for res in free if res.is_home]
            chosen = (homes or free)[:1]
            if key in ("harbour", "oakleaf", "northdowns") and len(free) > 1:
                chosen.append(r.choice(free[1:]))
            for resource in chosen:
                details = vacancies.VacancyDetails(
                    places=r.randint(1, resource.places - self.placed[resource.is_home, resource.id]),
                    available_from=self.today + timedelta(days=r.choice((0, 0, 3, 7, 14, 21))),
                    note=r.choice(HOME_VACANCY_NOTES if resource.is_home else HOUSEHOLD_VACANCY_NOTES),
                    carer_household_id=None if resource.is_home else resource.id,
                    childrens_home_id=resource.id if resource.is_home else None,
                )
                vacancy = await vacancies.post_vacancy(self.duty[key], details)
                when = self.now - timedelta(hours=r.randint(2, 96))
                await Vacancy.filter(id=vacancy.id).update(created_at=when, updated_at=when)
                await self.stamp(when)


def _key_of(providers: dict[str, Provider], provider_id: int) -> str:
    return next(key for key, provider in providers.items() if provider.id == provider_id)


async def _max_id(model: type[Event] | type[OutboxMessage]) -> int:
    ids = await model.all().order_by("-id").limit(1).values_list("id", flat=True)
    return ids[0] if ids else 0


def _april_before(day: date) -> date:
    april = date(day.year, 4, 1)
    return april if april <= day else date(day.year - 1, 4, 1)


def _round50(pence: float) -> int:
    return int(round(pence / 50) * 50)


FOSTER_BAND_FEES = {
    AgeBand.AGE_0_4: 74_000,
    AgeBand.AGE_5_10: 79_000,
    AgeBand.AGE_11_15: 86_000,
    AgeBand.AGE_16_18: 91_000,
}
NEED_ADDITIONS = {NL.STANDARD: 0, NL.ADDITIONAL_SUPPORT: 11_000, NL.INTENSIVE_SUPPORT: 24_000, NL.SPECIALIST: 36_000}
GROUP_ADDITIONS = {"core": 0, "enhanced": 6_000, "siblings": 0, "disabled": 8_000, "pandc": 30_000}
HOME_NEED_FEES = {
    NL.STANDARD: 438_000,
    NL.ADDITIONAL_SUPPORT: 460_000,
    NL.INTENSIVE_SUPPORT: 486_000,
    NL.SPECIALIST: 548_000,
}
HOME_BAND_ADDITIONS = {
    AgeBand.AGE_0_4: -10_000,
    AgeBand.AGE_5_10: -6_000,
    AgeBand.AGE_11_15: 0,
    AgeBand.AGE_16_18: 4_000,
}


def _fee(group: str, band: AgeBand, level: NeedLevel, factor: float) -> int:
    """Weekly fees: fostering roughly 750 to 1,400 pounds by band and need; a children's home bed about 4,500."""
    if group == "home":
        return _round50((HOME_NEED_FEES[level] + HOME_BAND_ADDITIONS[band]) * factor)
    fee = (FOSTER_BAND_FEES[band] + NEED_ADDITIONS[level] + GROUP_ADDITIONS[group]) * factor
    return _round50(min(140_000.0, max(75_000.0, fee)))
