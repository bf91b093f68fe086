"""Identifying words in placement prose: people's names, school names, street addresses, social media handles.

Unlike a postcode or an NHS number these have no fixed shape, so each is found
by its context: a name after "her mother", "Mr" or "called", or a given name
followed by a surname from the name lists; a school by the word "School",
"Academy" or "Primary" after capitalised words; an address by a house number
before a street name. Words that are both names and ordinary words ("Hope",
"Grace", "Will", "Bill") are only read as names in such a context, so "there is
hope" or "the bill was paid" pass.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.domain.person_names import given_names, surnames

PLACES_CSV = Path(__file__).resolve().parent.parent / "demo" / "data" / "postcode_districts.csv"


@dataclass(frozen=True)
class ProseFinding:
    kind: str  # "person_name", "school_name", "street_address" or "social_media_handle"
    start: int
    end: int
    role: str = ""  # for a name: the relationship or role it followed ("mother", "social worker")


STREET_WORDS = (
    "Road Rd Street St Avenue Ave Close Lane Drive Way Crescent Court Gardens Grove Place Terrace Hill Row Square"
    " Walk Mews Parade Rise View Park Green Vale Wharf Yard Boulevard Chase Croft Gate Meadow Meadows Fields"
    " Mount Passage Approach Heights Estate"
).split()
SCHOOL_WORDS = "School Primary Academy Grammar College Infants Juniors Nursery Secondary Prep PRU".split()
# Words that may sit before a school word without naming a school: "a Special School",
# "the Virtual School", "Forest School sessions", "moving to High School".
GENERIC_SCHOOL_WORDS = frozenset(
    (
        "A An The Her His Their Local Mainstream Special Specialist Independent Residential Boarding Free Virtual"
        " Forest Sunday Summer Medical Community Comprehensive State Private Day Infant Junior High Primary Secondary"
        " Grammar New Current Previous Old Catholic Church Faith Village Football Sports Dance Drama Music Art Theatre"
        " Pupil Referral Unit Sixth Form Further Education Alternative Provision SEN SEMH Hospital Home Nursery"
        " Attends Attended Attending Goes Went Was Is At In To From Now Currently Previously Moved Started Left"
        " Excluded Joined Likes Loves Enjoys Since Until Before After Settled And Or Both"
    ).split()
)
# Capitalised words of placement prose that are in the name lists but are never a
# person here: days, months, faiths and heritages, festivals, counties, agencies.
NOT_NAMES = frozenset(
    (
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August"
        " September October November December Christmas Easter Eid Diwali Ramadan Hanukkah Vaisakhi New Year"
        " Christian Muslim Sikh Hindu Jewish Buddhist Catholic Protestant Orthodox Islam God Allah Church Mosque"
        " Temple Gurdwara Synagogue English British Irish Scottish Welsh Polish Roma Romany Gypsy Traveller Black"
        " White Asian Mixed African Caribbean Arab Kurdish Afghan Albanian Eritrean Sudanese Somali Vietnamese"
        " Kent Medway Surrey Sussex Essex Hampshire Dorset Wiltshire Berkshire Derbyshire Nottinghamshire"
        " Lincolnshire Leicestershire Devon Cornwall Somerset Norfolk Suffolk Cambridge Oxford Isle Wight"
        " Council County City Borough Ofsted Police Court Section Year Key Stage Lot Tier Framework Care Home Homes"
        " Fostering Foster Services Service Team Agency Trust Health Hospital Social Children Family Families"
        " North South East West Central Upper Lower Great Little Saint St Mr Mrs Ms Miss Dr Mx"
        " The A An And Or But If He She They We His Her Their Our It This That These Those No Not Yes"
        " Mum Mummy Mam Dad Daddy Nan Nana Nanny Gran Granny Grandma Grandad Grandpa Uncle Aunt Auntie Aunty"
        " Brother Sister Cousin Carer Carers Baby Sibling Siblings Twin Son Daughter Partner Friend Teacher Worker"
        " House Lodge Cottage Camp Farm Manor Barn Centre Villa Grange Towers Project Club Group Ltd Limited"
    ).split()
    + STREET_WORDS
    + SCHOOL_WORDS
)


@cache
def place_names() -> frozenset[str]:
    """Every word of the towns in the bundled postcode districts: "Maidstone", "Tunbridge", "Wells"."""
    with PLACES_CSV.open(encoding="utf-8-sig") as handle:
        towns = {row["area"] for row in csv.DictReader(handle)}
    return frozenset(word for town in towns for word in re.findall(r"[A-Z][a-z]+", town))


def _is_given(word: str) -> bool:
    return word in given_names() and word not in NOT_NAMES and word not in place_names()


def _is_surname(word: str) -> bool:
    if word in NOT_NAMES or word in place_names():
        return False
    if word in surnames() or re.sub(r"['\u2019]", "", word).title() in surnames():  # stored "Obrien", "Mcdonald"
        return True
    if "-" in word:  # "Clarke-Evans"
        return all(_is_surname(part) for part in word.split("-"))
    stem = re.sub(r"^(?:Mc|Mac|O['\u2019])(?=[A-Z])", "", word)  # "McDonald", "O'Brien"
    return stem != word and (stem in surnames() or stem in given_names())


def _is_name_word(word: str) -> bool:
    return _is_given(word) or _is_surname(word)


# --- person names ---------------------------------------------------------------
_CAP = r"(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# A capitalised word; it starts with its capital (not a look-behind) so that it is searched for fast.
_CAP_WORD = re.compile(r"[A-Z](?<![\w'\u2019].)(?:(?:c|ac|['\u2019])[A-Z])?[a-z]+(?:-[A-Z][a-z]+)?\b")
_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b\.?[ \t]*(?:[A-Z]\.?[ \t]+)?(?P<name>{_CAP}(?:[ \t]+{_CAP})?)")
# Relationship and role words a name is written after ("her mother Kerry", "IRO Gareth").
ROLES = [
    *(
        "mother mum mummy mam father dad daddy nan nana nanny gran granny grandma grandmother grandad granddad grandpa"
    " grandfather grandparent brother sister sibling twin uncle aunt auntie aunty cousin niece nephew son daughter"
    " baby guardian parent carer stepbrother stepsister stepmum stepdad stepmother stepfather teacher headteacher"
        " SENCO keyworker mentor advocate therapist counsellor boyfriend girlfriend partner friend neighbour SW IRO PA"
    ).split(),
    "foster carer", "social worker", "key worker", "support worker", "youth worker", "personal adviser",
    "head teacher", "best friend", "half brother", "half sister", "half-brother", "half-sister", "step mum",
    "step dad", "step-mum", "step-dad", "step-brother", "step-sister", "step brother", "step sister",
]  # fmt: skip
_ROLE_FIRST_WORDS = frozenset(re.split(r"[ -]", role)[0].lower() for role in ROLES)
_ROLES = "|".join(re.escape(role).replace(r"\ ", r"[ \t]+") for role in sorted(ROLES, key=len, reverse=True))
_AFTER_ROLE = re.compile(
    rf"\b(?P<role>(?i:{_ROLES}))s?\b(?:['\u2019]s)?,?[ \t]+(?:(?i:is|was|called|named)[ \t]+)?"
    rf"(?P<name>{_CAP}(?:[ \t]+{_CAP})?(?:[ \t]+(?:and|&)[ \t]+{_CAP}(?:[ \t]+{_CAP})?)?)"
)
_CALLED = re.compile(
    r"\b(?i:called|named|known[ \t]+as|nicknamed|goes[ \t]+by|(?:her|his|their|child's|first)[ \t]+name[ \t]+is)"
    rf"[ \t]+[\"'\u201c\u2018]?(?P<name>[A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)?(?:[ \t]+{_CAP})?)"
)
_AGE_AFTER = re.compile(
    r"[ \t]*\([ \t]*(?:aged?[ \t]*)?[0-9]{1,2}[ \t]*\)|,[ \t]*(?:aged?[ \t]+)?[0-9]{1,2}\b(?![,.:/]?[0-9])"
    r"|[ \t]+(?:is|was|turned|turns|aged|who[ \t]+is)[ \t]+(?:now[ \t]+)?[0-9]{1,2}\b(?![0-9.:/%])"
)
_POSSESSIVE = re.compile(r"['\u2019]s\b")


# After "her mother" or "carers", these months are names ("carers April and Mark").
_MONTHS_THAT_ARE_NAMES = frozenset({"April", "May", "June"})


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep the words of a name, dropping a trailing word that is not one ("Kerry Jones Tuesday")."""
    words = [(m.start(), m.end()) for m in _CAP_WORD.finditer(text, start, end)]
    first = text[words[0][0] : words[0][1]] if words else ""
    if not (_is_name_word(first) or first in _MONTHS_THAT_ARE_NAMES):
        return None
    last = words[0]
    for span in words[1:]:
        word = text[span[0] : span[1]]
        if not (_is_name_word(word) or word in _MONTHS_THAT_ARE_NAMES):
            break
        last = span
    return words[0][0], last[1]


_TITLES = frozenset("Mr Mrs Ms Miss Mx Dr".split())
_CALLED_FIRST_WORDS = frozenset("called named known nicknamed goes her his their child's first".split())


Triggers = dict[str, list[int]]  # where the first word of each kind of pattern is in the text


def _names_in_context(text: str, triggers: Triggers) -> Iterator[ProseFinding]:
    # Each pattern is tried only where its first word is, found in the one pass over the words.
    for start in triggers["title"]:
        if match := _TITLE.match(text, start):
            # After a title any capitalised word is a name ("Mrs Okonkwo-Adeyemi").
            yield ProseFinding("person_name", match.start(), match.end())
    for start in triggers["role"]:
        if match := _AFTER_ROLE.match(text, start):
            span = _trim_name(text, match.start("name"), match.end("name"))
            if span:
                role = re.sub(r"\s+", " ", match.group("role").lower())
                yield ProseFinding("person_name", *span, role=role)
    for start in triggers["called"]:
        if match := _CALLED.match(text, start):
            yield from _called(match)


def _called(match: re.Match[str]) -> Iterator[ProseFinding]:
    # "called Liam", "known as ash": a capitalised word, or a given name typed in lower case.
    first, *rest = match.group("name").split()
    if (first[0].isupper() and first not in NOT_NAMES) or first.title() in given_names():
        end = match.end("name")
        if rest and not _is_surname(rest[-1]):
            end = match.start("name") + len(first)
        yield ProseFinding("person_name", match.start("name"), end)


def _names_by_list(text: str) -> Iterator[ProseFinding]:
    """A given name and surname together, or a given name with an age or a possessive."""
    words = list(_CAP_WORD.finditer(text))
    index = 0
    while index < len(words):
        word = words[index]
        if not _is_given(word.group()) or _after_saint(text, word.start()):
            index += 1
            continue
        last = index
        while (
            last + 1 < len(words)
            and _only_space_between(text, words[last].end(), words[last + 1].start())
            and _is_surname(words[last + 1].group())
        ):
            last += 1
        end = words[last].end()
        if last > index or _AGE_AFTER.match(text, end) or _POSSESSIVE.match(text, end):
            yield ProseFinding("person_name", word.start(), end)
        index = last + 1


def _only_space_between(text: str, end: int, start: int) -> bool:
    return 0 < start - end <= 2 and text[end:start].strip(" \t") == ""


def _after_saint(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:St|Saint)\.?[ \t]+$", text[max(0, start - 8) : start]))


# --- school names -----------------------------------------------------------------
_SCHOOL_WORD = re.compile(rf"(?:{'|'.join(SCHOOL_WORDS)}|Pupil[ \t]+Referral[ \t]+Unit)\b")
_SCHOOL_NAME_WORD = re.compile(r"(?:[A-Z][\w'\u2019\-]*|of|and|&|upon|on|the|C|E|CE|RC)$")
_SAINT_POSSESSIVE = re.compile(r"S(?<!\w.)(?:t|aint)\.?[ \t]+[A-Z][a-z]+['\u2019]s\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n])[ \t\"']*$")


def _schools(text: str) -> Iterator[ProseFinding]:
    taken_until = -1
    for match in _SCHOOL_WORD.finditer(text):
        if match.start() < taken_until or (match.start() and text[match.start() - 1].isalnum()):
            continue
        end = match.end()
        following = _SCHOOL_WORD.match(text, end + 1) if text[end : end + 1] in (" ", "\t") else None
        while following:  # "Grammar School", "Primary Academy"
            end = following.end()
            following = _SCHOOL_WORD.match(text, end + 1) if text[end : end + 1] in (" ", "\t") else None
        start = _school_name_start(text, match.start())
        if start is not None:
            taken_until = end
            yield ProseFinding("school_name", start, end)
    for match in _SAINT_POSSESSIVE.finditer(text):
        if match.start() >= taken_until:
            yield ProseFinding("school_name", match.start(), match.end())


def _school_name_start(text: str, suffix_start: int) -> int | None:
    """Where the school's own name begins, walking back over its capitalised words; None if it has none."""
    before = text[max(0, suffix_start - 80) : suffix_start]
    offset = suffix_start - len(before)
    tokens = [(m.start() + offset, m.group()) for m in re.finditer(r"[^\s,()]+", before)]
    name: list[tuple[int, str]] = []
    for position, token in reversed(tokens):
        if not _SCHOOL_NAME_WORD.match(token) or text[position + len(token) : suffix_start].count("\n"):
            break
        name.insert(0, (position, token))
    while name and (name[0][1] in GENERIC_SCHOOL_WORDS or not name[0][1][0].isupper() or _starts_prose(text, name)):
        name.pop(0)
    if not any(token not in GENERIC_SCHOOL_WORDS for _, token in name):
        return None
    return name[0][0]


def _starts_prose(text: str, name: list[tuple[int, str]]) -> bool:
    # "Enjoys Maths at..." is a verb opening a sentence, not the first word of a school.
    position, token = name[0]
    return len(name) > 1 and bool(_SENTENCE_START.search(text, 0, position)) and token.endswith(("s", "ed", "ly"))


# --- street addresses -------------------------------------------------------------
_STREET = "|".join(STREET_WORDS)
# In lower case, only words that are plainly streets; "close", "lane" and "grove"
# also need a break after them, so that "has 2 very close friends" passes.
_LOWER_STREET = "road|street|avenue|crescent|gardens|terrace|mews"
_ADDRESS = re.compile(
    r"(?:\b(?:Flat|Apartment|Apt|Unit|Room)[ \t]+[0-9]+[A-Za-z]?,?[ \t]+)?"
    r"(?<![\w£$.,/\-])[0-9]{1,4}[A-Za-z]?\b,?[ \t]+"
    rf"(?:(?:[A-Z][\w'\u2019\-]*[ \t]+){{1,3}}(?:{_STREET})\b"
    rf"|(?:[a-z]+[ \t]+){{1,2}}(?:{_LOWER_STREET})\b"
    r"|(?:[a-z]+[ \t]+){1,2}(?:close|lane|grove)\b(?=[ \t]*(?:[,.;:)\n]|$|[ \t][A-Z])))"
)
_LIVES_ON = re.compile(
    r"\b(?i:lives|living|lived|staying|stays|stayed|moved)[ \t]+(?i:on|at|in|to)[ \t]+(?:the[ \t]+)?"
    rf"(?P<street>(?:[A-Z][\w'\u2019\-]*[ \t]+){{1,3}}(?:{_STREET}))\b"
)
_TOWN_AFTER = re.compile(r",[ \t]*(?P<town>[A-Z][a-z]+(?:[ \t\-][A-Z][a-z]+)?)(?P<closed>[ \t]*(?:[.,;:)\n]|$))?")


_ADDRESS_FIRST_WORDS = frozenset("Flat Apartment Apt Unit Room".split())
_LIVES_FIRST_WORDS = frozenset("lives living lived staying stays stayed moved".split())
_DIGITS = re.compile(r"[0-9]+")


def _addresses(text: str, triggers: Triggers) -> Iterator[ProseFinding]:
    starts = [digits.start() for digits in _DIGITS.finditer(text)] + triggers["address"]
    for start in starts:
        match = _ADDRESS.match(text, start)
        if not match:
            continue
        end = match.end()
        town = _TOWN_AFTER.match(text, end)
        if town and (town.group("town").split()[0] in place_names() or town.group("closed") is not None):
            end = town.end("town")
        yield ProseFinding("street_address", match.start(), end)
    for start in triggers["lives"]:
        if match := _LIVES_ON.match(text, start):
            yield ProseFinding("street_address", match.start("street"), match.end("street"))


# --- social media handles ---------------------------------------------------------
_AT_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_PLATFORM_HANDLE = re.compile(
    r"\b(?P<where>(?i:snapchat|instagram|insta|tiktok|tik[ \t]tok|facebook|twitter|discord|roblox|youtube|twitch"
    r"|xbox|psn|playstation|whatsapp|telegram|kik|user[ \t]?name|gamer[ \t]?tag|handle))"
    r"(?P<label>[ \t]+(?i:user[ \t]?name|handle|account|name|id|gamertag|tag|profile))?"
    r"(?P<marker>[ \t]*(?::|-|=)|[ \t]+(?i:is|as|called)\b)?[ \t]*[\"'\u201c\u2018]?"
    r"(?!(?i:is|as|called)\b)(?P<handle>[A-Za-z0-9_.]*[A-Za-z0-9_])"
)
_NOT_HANDLES = frozenset("a an the and or with to on in at for of is as it this that her his their was but".split())


_PLATFORM_FIRST_WORDS = frozenset(
    "snapchat instagram insta tiktok tik facebook twitter discord roblox youtube twitch xbox psn playstation"
    " whatsapp telegram kik user username gamer gamertag handle".split()
)


def _handles(text: str, triggers: Triggers) -> Iterator[ProseFinding]:
    if "@" in text:
        for match in _AT_HANDLE.finditer(text):
            yield ProseFinding("social_media_handle", match.start(), match.end())
    for start in triggers["platform"]:
        match = _PLATFORM_HANDLE.match(text, start)
        if not match:
            continue
        handle = match.group("handle")
        if handle.lower() in _NOT_HANDLES or len(handle) < 3:
            continue
        explicit = (
            (match.group("marker") or "").strip() != ""
            or match.group("label") is not None
            or match.group("where").lower().startswith(("user", "gamer", "handle"))
        )
        if explicit or re.search(r"[0-9_.]", handle):
            yield ProseFinding("social_media_handle", match.start("handle"), match.end("handle"))


def find_in_prose(text: str) -> Iterator[ProseFinding]:
    """Every candidate in the text, possibly overlapping: the caller keeps the first and longest."""
    triggers: dict[str, list[int]] = {"title": [], "role": [], "called": [], "address": [], "lives": [], "platform": []}
    for match in _WORD.finditer(text):
        for trigger in _TRIGGERS.get(match.group().lower(), ()):
            triggers[trigger].append(match.start())
    yield from _addresses(text, triggers)
    yield from _schools(text)
    yield from _handles(text, triggers)
    yield from _names_in_context(text, triggers)
    yield from _names_by_list(text)


_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
# The first words that start a pattern, lower case, and which patterns: one pass over the words finds them all.
_TRIGGERS: dict[str, tuple[str, ...]] = {}
for _trigger, _first_words in (
    ("title", {title.lower() for title in _TITLES}),
    ("role", _ROLE_FIRST_WORDS),
    ("called", _CALLED_FIRST_WORDS),
    ("address", {word.lower() for word in _ADDRESS_FIRST_WORDS}),
    ("lives", _LIVES_FIRST_WORDS),
    ("platform", _PLATFORM_FIRST_WORDS),
):
    for _word in _first_words:
        _TRIGGERS[_word] = (*_TRIGGERS.get(_word, ()), _trigger)
