"""The anonymisation guard: free text that reaches providers must not identify a child.

A referral goes to many providers before one is chosen, so its free text (the
summary, cultural needs and faith, vacancy notes, offer matching statements,
decline notes, and any note or message added later) carries no person's name,
no school name, no street address, no full postcode, no date that could be a
date of birth, no NHS, National Insurance or driving licence number, no phone
number, email, web address or social media handle. Postcode districts and
sectors ("ME14", "ME14 5"), ages ("14 years old"), months ("since March 2024"),
year groups ("Year 9"), the national codes (C2, N1, PR4) and referral references
("KEN-2026-00042") are fine, and so is a date that cannot be a date of birth
(from the current month on: "available from 01/12/2026").

Each finding carries its span so the writer can be shown exactly which words to
change, and a message saying what to write instead. The guard errs on the side
of refusing, but a refusal the writer cannot understand is a bug too: every
pattern is anchored so that ordinary placement prose ("Year 9", "10-16",
"£4,557 a week", "24 hours", "there is hope") passes.

`find_identifying_details` is the one function that guards every field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum

from server.domain.identifying_prose import find_in_prose


class IdentifyingKind(str, Enum):
    PERSON_NAME = "person_name"
    SCHOOL_NAME = "school_name"
    STREET_ADDRESS = "street_address"
    FULL_POSTCODE = "full_postcode"
    DATE = "date"
    NHS_NUMBER = "nhs_number"
    NATIONAL_INSURANCE_NUMBER = "national_insurance_number"
    DRIVING_LICENCE_NUMBER = "driving_licence_number"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    WEB_ADDRESS = "web_address"
    SOCIAL_MEDIA_HANDLE = "social_media_handle"


@dataclass(frozen=True)
class IdentifyingDetail:
    kind: IdentifyingKind
    start: int
    end: int
    text: str
    role: str = ""  # for a name: the relationship or role written before it ("mother")

    @property
    def message(self) -> str:
        """What to change and what to write instead, in words a placement officer would use."""
        quoted = f'"{self.text}"'
        match self.kind:
            case IdentifyingKind.PERSON_NAME:
                if self.role:
                    return f'Remove the name {quoted}: write "her {self.role}" or "his {self.role}" without the name.'
                return (
                    f"Remove the name {quoted}: write who the person is to the child instead, "
                    'such as "the young person", "her mother" or "the social worker".'
                )
            case IdentifyingKind.SCHOOL_NAME:
                return (
                    f"Remove the school name {quoted}: describe the school instead, "
                    'such as "a mainstream secondary" or "a special school for autistic pupils".'
                )
            case IdentifyingKind.STREET_ADDRESS:
                return (
                    f"Remove the address {quoted}: give the town or postcode district only, "
                    'such as "lives in Rochester" or "ME1".'
                )
            case IdentifyingKind.FULL_POSTCODE:
                district = postcode_district(self.text)
                return f"Remove the full postcode {quoted}: use the postcode district ({district}) only."
            case IdentifyingKind.DATE:
                return (
                    f"Remove the date {quoted}: it could be a date of birth: "
                    'give an age or a month and year, such as "aged 14" or "since March 2024".'
                )
            case IdentifyingKind.NHS_NUMBER:
                return f"Remove the NHS number {quoted}: it identifies the child; the chosen provider gets it later."
            case IdentifyingKind.NATIONAL_INSURANCE_NUMBER:
                return (
                    f"Remove the National Insurance number {quoted}: it identifies the young person; "
                    "the chosen provider gets it later."
                )
            case IdentifyingKind.DRIVING_LICENCE_NUMBER:
                return (
                    f"Remove the driving licence number {quoted}: it carries the name and date of birth; "
                    'write "holds a provisional licence" if it matters.'
                )
            case IdentifyingKind.PHONE_NUMBER:
                return f"Remove the phone number {quoted}: contact details go only to the chosen provider."
            case IdentifyingKind.EMAIL_ADDRESS:
                return f"Remove the email address {quoted}: contact details go only to the chosen provider."
            case IdentifyingKind.WEB_ADDRESS:
                return f"Remove the web address {quoted}: it may identify the child or family."
            case IdentifyingKind.SOCIAL_MEDIA_HANDLE:
                return (
                    f"Remove the social media handle {quoted}: name the app and the concern instead, "
                    'such as "contact with adults on Snapchat".'
                )


# Spaces a writer might type between parts: a plain or non-breaking space, never a
# line break, so that two numbers on separate lines are not read as one.
_GAP = r"[ \t\u00a0]"

# --- postcodes ----------------------------------------------------------------
# Outward code shapes A9, A99, AA9, AA99, A9A, AA9A (Q, V, X never start one; I, J,
# Z are never second). The inward code's letters never include C, I, K, M, O, V,
# which keeps ordinary words out.
# Patterns start with a character, not a look-behind: a pattern that starts with a
# character (or a choice of them) is searched for quickly, and the look-behind
# after it ("(?<!\w.)": what came before that character) keeps words out all the same.
_OUTWARD = r"(?:G(?<!\w.)IR|[A-PR-UWYZ](?<!\w.)[A-HK-Y]?[0-9][0-9A-Z]?)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE = re.compile(
    rf"(?P<outward>{_OUTWARD})(?:{_GAP}{{0,2}}|{_GAP}?[.\-]{_GAP}?)(?P<inward>{_INWARD})\b", re.IGNORECASE
)
# A postcode disguised with a space, dot or hyphen between its characters
# ("M E 1 4 1 X X", "ME14 1 XX"): capitals only, so that prose ("ME14 5 at") passes.
_SEP = r"[ .\-]?"
_DISGUISED_POSTCODE = re.compile(
    rf"(?P<outward>[A-PR-UWYZ](?<![\w.\-].)(?:{_SEP}[A-HK-Y])?{_SEP}[0-9](?:{_SEP}[0-9A-HJKPSTUW])?)"
    rf"{_GAP}?{_SEP}{_GAP}?(?P<inward>[0-9]{_SEP}[ABD-HJLNP-UW-Z]{_SEP}[ABD-HJLNP-UW-Z])(?![\w])"
)
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th")


def postcode_district(postcode: str) -> str:
    """The outward code (district) of a full postcode, upper case: "me141xx" gives "ME14"."""
    compact = re.sub(r"[\s.\-]", "", postcode).upper()
    return compact[:-3]


def _is_postcode(match: re.Match[str]) -> bool:
    # "KS3 2nd year" or "B1 1st floor" have the shape of a postcode; a lower-case
    # ordinal is far likelier than a postcode typed in lower case ending in ST/ND/RD/TH.
    return not _ORDINAL.fullmatch(match.group("inward"))


# --- dates ----------------------------------------------------------------------
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11,
    "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_ORDINAL_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
_ORDINAL_TEENS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split()
)
_DAY_WORD = (
    rf"(?:(?:twenty|thirty)[- ]?(?:{'|'.join(_ORDINAL_UNITS + _UNITS)})|twentieth|thirtieth|twenty|thirty"
    rf"|{'|'.join(_ORDINAL_TEENS + _TEENS + _ORDINAL_UNITS + _UNITS)})"
)
_DAY = rf"(?:(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?|{_DAY_WORD})\b"
_YEAR_WORD = (
    rf"(?P<year_words>two[- ]thousand(?:(?:[- ]and)?[- ](?:(?:twenty[- ]?)?(?:{'|'.join(_UNITS)})|{'|'.join(_TEENS)}"
    rf"|twenty))?|twenty[- ](?:{'|'.join(_TEENS)}|twenty(?:[- ](?:{'|'.join(_UNITS)}))?|o[- ](?:{'|'.join(_UNITS)}))"
    rf"|nineteen[- ](?:ninety|eighty|seventy)(?:[- ](?:{'|'.join(_UNITS)}))?)\b"
)
# A written year; an apostrophe year ('11) is the only short form accepted, since
# "12 March 12" is as likely to be the start of a list as a date.
_YEAR = rf"(?:(?P<year>(?:19|20)[0-9]{{2}})\b|['\u2019](?P<short_year>[0-9]{{2}})\b|{_YEAR_WORD})"
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?:the{_GAP}+)?{_DAY}{_GAP}+(?:of{_GAP}+)?{_MONTH},?{_GAP}+(?:in{_GAP}+)?{_YEAR}"
    rf"|{_MONTH.replace('month', 'month2')}{_GAP}+(?:the{_GAP}+)?{_DAY},?{_GAP}+{_YEAR.replace('year', 'year2')})",
    re.IGNORECASE,
)
_SHORT_WRITTEN_DATE = re.compile(
    rf"\b(?:0?[1-9]|[12][0-9]|3[01])([-/]){_MONTH}\1(?P<year>(?:19|20)[0-9]{{2}}|[0-9]{{2}})\b", re.IGNORECASE
)
# A festival and a year is a date too ("Christmas Day 2011"): the month it falls in.
_FESTIVAL_MONTHS = {
    "new year's day": 1, "valentine's day": 2, "st patrick's day": 3, "mother's day": 3, "good friday": 4,
    "easter sunday": 4, "easter day": 4, "easter monday": 4, "father's day": 6, "halloween": 10,
    "bonfire night": 11, "guy fawkes night": 11, "christmas eve": 12, "christmas day": 12, "boxing day": 12,
    "new year's eve": 12,
}  # fmt: skip
_FESTIVAL = "|".join(re.escape(name).replace("'", "['\u2019]?") for name in _FESTIVAL_MONTHS)
_FESTIVAL_DATE = re.compile(rf"\b(?P<festival>{_FESTIVAL}),?{_GAP}+(?:(?:of|in){_GAP}+)?{_YEAR}", re.IGNORECASE)
# Numeric dates must use one separator throughout ("12/03/2012", not "09.30-10.30")
# and must not sit inside a longer run of numbers or a reference ("KEN-2026-00042").
_NOT_AFTER_NUMBER = r"(?<![\w/.\-])"
_NOT_BEFORE_NUMBER = r"(?![\w/\-]|\.[0-9])"
_DAY_MONTH_YEAR = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<a>[0-9]{{1,2}})(?P<sep>[/.\-])(?P<b>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<year>[0-9]{{4}}|[0-9]{{2}}){_NOT_BEFORE_NUMBER}"
)
_YEAR_MONTH_DAY = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<year>(?:19|20)[0-9]{{2}})(?P<sep>[/.\-])(?P<b>[0-9]{{1,2}})(?P=sep)(?P<a>[0-9]{{1,2}})"
    rf"{_NOT_BEFORE_NUMBER}"
)
_WORD_VALUES = {word: value for value, word in enumerate(_UNITS, 1)} | {
    word: value for value, word in enumerate(_TEENS, 10)
}


def _year_from_words(words: str) -> int:
    """2012 from "two thousand and twelve" or "twenty twelve"; 1999 from "nineteen ninety nine"."""
    parts = [part for part in re.split(r"[- ]+", words.lower()) if part not in ("and", "o")]
    if parts[:2] == ["two", "thousand"]:
        rest = parts[2:]
        return 2000 + (20 if rest[:1] == ["twenty"] else 0) + sum(_WORD_VALUES.get(p, 0) for p in rest)
    if parts[0] == "nineteen":
        tens = {"ninety": 90, "eighty": 80, "seventy": 70}[parts[1]]
        return 1900 + tens + sum(_WORD_VALUES.get(p, 0) for p in parts[2:])
    rest = parts[1:]
    if rest[:1] == ["twenty"]:
        return 2020 + sum(_WORD_VALUES.get(p, 0) for p in rest[1:])
    return 2000 + sum(_WORD_VALUES.get(p, 0) for p in rest)


def _full_year(two_digits: str, today: date) -> int:
    value = int(two_digits)
    return 2000 + value if 2000 + value <= today.year + 10 else 1900 + value


def _year_of(match: re.Match[str], today: date) -> int:
    groups = {name: value for name, value in match.groupdict().items() if value}
    if "year" in groups or "year2" in groups:
        year = groups.get("year") or groups["year2"]
        return int(year) if len(year) == 4 else _full_year(year, today)
    if "short_year" in groups or "short_year2" in groups:
        return _full_year(groups.get("short_year") or groups["short_year2"], today)
    return _year_from_words(groups.get("year_words") or groups["year2_words"])


def _month_of(match: re.Match[str]) -> int:
    groups = match.groupdict()
    if groups.get("festival"):
        spoken = re.sub(r"['\u2019]", "", groups["festival"].lower())
        return next(month for name, month in _FESTIVAL_MONTHS.items() if name.replace("'", "") == spoken)
    if groups.get("month") or groups.get("month2"):
        return _MONTHS[(groups.get("month") or groups["month2"])[:3].lower()]
    first, second = int(groups["a"]), int(groups["b"])
    # Read the UK way (day first) unless only the US way makes sense.
    return second if second <= 12 else first


def could_be_date_of_birth(match: re.Match[str], today: date) -> bool:
    """A date before the current month could be a date of birth; one from this month on cannot."""
    return (_year_of(match, today), _month_of(match)) < (today.year, today.month)


def _is_day_and_month(match: re.Match[str]) -> bool:
    # Either order is refused (12/03 or 03/12), as long as one part can be a month
    # and the other a day: a child's date of birth might be written the US way.
    first, second = int(match.group("a")), int(match.group("b"))
    if not (1 <= first <= 31 and 1 <= second <= 31):
        return False
    return first <= 12 or second <= 12


# --- NHS numbers ----------------------------------------------------------------
# Ten digits with any space, dot, hyphen or dash between them ("943.476.5919",
# "943\u2013476\u20135919" with en dashes, "9 4 3 4 7 6 5 9 1 9"), still checked with modulus 11.
_DIGIT_GAP = r"(?:[ \t\u00a0]?[.\-\u2010-\u2015\u2212]?[ \t\u00a0]?)"
_NHS_NUMBER = re.compile(rf"[0-9](?<![\w+/.\-].)(?:{_DIGIT_GAP}[0-9]){{9}}(?![0-9]|[/.\-][0-9])")


def nhs_number_is_valid(number: str) -> bool:
    """Whether ten digits (any spaces, dots and dashes ignored) pass the NHS modulus 11 check digit."""
    digits = re.sub(r"[\s.\-\u2010-\u2015\u2212]", "", number)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 means no NHS number was ever issued with that stem.
    return check != 10 and check == int(digits[9])


def _is_nhs_number(match: re.Match[str]) -> bool:
    return nhs_number_is_valid(match.group(0))


# --- National Insurance and driving licence numbers ------------------------------
# HMRC: two prefix letters (D, F, I, Q, U, V never used; O never second; BG, GB,
# KN, NK, NT, TN and ZZ never allocated), six digits, a suffix A to D. Without
# the suffix the shape is also an Ofsted URN ("SC123456"), so it is then refused
# only after "NI" or "National Insurance".
_NI_BODY = (
    r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[ \t\-]?[0-9]{2}[ \t\-]?[0-9]{2}[ \t\-]?[0-9]{2}"
)
_NATIONAL_INSURANCE = re.compile(rf"\b{_NI_BODY}[ \t\-]?[A-D]\b", re.IGNORECASE)
_NATIONAL_INSURANCE_AFTER_LABEL = re.compile(
    rf"\b(?:NI|NINO|national[ \t]+insurance)(?:[ \t]+(?:no\.?|number|num))?[ \t:]*(?P<id>{_NI_BODY})\b",
    re.IGNORECASE,
)
# DVLA: five letters of the surname (padded with 9), a decade digit, the month
# of birth (plus 50 for women), the day, the year's last digit, two initials
# (padded with 9), a digit and two check letters; a two-digit issue number may follow.
_DRIVING_LICENCE = re.compile(
    r"\b(?P<surname>[A-Z][A-Z9]{4})[ \t]?(?P<decade>[0-9])(?P<month>[0156][0-9])(?P<day>[0-3][0-9])[0-9]"
    r"[ \t]?[A-Z][A-Z9][0-9][A-Z]{2}(?:[ \t]?[0-9]{2})?\b",
    re.IGNORECASE,
)


def _is_driving_licence(match: re.Match[str]) -> bool:
    month, day = int(match.group("month")), int(match.group("day"))
    return (1 <= month <= 12 or 51 <= month <= 62) and 1 <= day <= 31


# --- phone numbers --------------------------------------------------------------
# Candidates are found by shape (a 0, +, 00 or (0) start, then digits with spaces,
# hyphens or brackets between them) and then checked with the phonenumbers
# library (Google's libphonenumber metadata), which knows each country's lengths.
_PHONE_GAP = r"[ \t\u00a0()\-.]{0,2}"
_FIRST = r"(?<![\w+/.\-].)"  # nothing number-like before the first character
_PHONE = re.compile(
    rf"(?:(?:\({_FIRST}0|0{_FIRST})(?!0)(?:{_PHONE_GAP}[0-9]){{9,10}}"
    rf"|(?:\+{_FIRST}|0{_FIRST}0){_GAP}?(?:44(?:{_GAP}?\(0\))?(?:{_PHONE_GAP}[0-9]){{9,10}}"
    rf"|(?!44)[1-9](?:{_PHONE_GAP}[0-9]){{7,14}}))"
    r"(?![0-9]|[/.\-][0-9])"
)


def _is_phone_number(match: re.Match[str]) -> bool:
    import phonenumbers  # its metadata (some 60 modules) is loaded by the first number checked

    try:
        number = phonenumbers.parse(match.group(0), "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


# --- email and web addresses ----------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
# Bare domains are refused only with a suffix that is plainly a domain, so that
# "e.g.", "i.e." and "Mr.Smith" pass.
_TOP_LEVEL = r"(?:uk|com|org|net|gov|edu|io|info|biz|eu|ie|au|nz|ca|scot|wales|cymru|app|dev)"
_WEB_ADDRESS = re.compile(
    r"\b(?:https?://|ftp://|www\.)[^\s<>\"]+"
    rf"|(?<![\w@.\-])[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.(?P<tld>{_TOP_LEVEL})"
    r"(?![\w\-]|\.[a-z0-9])(?:[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'\"\u2019)]}"


def _is_web_address(match: re.Match[str]) -> bool:
    # "She likes art.Info evenings" is a missing space, not a domain: a domain's
    # suffix is written in lower (or all upper) case, not as the start of a word.
    tld = match.group("tld")
    return tld is None or not (tld[0].isupper() and any(ch.islower() for ch in tld))


def _web_address_end(text: str, start: int, end: int) -> int:
    # A sentence that ends in an address ("see www.example.org.") keeps its full stop,
    # and a bracket closes the prose, not the address, unless the address opened one.
    while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _date_start(text: str, start: int) -> int:
    # "the twelfth of March 2012": the date starts at "twelfth"; "the" can stay.
    leading = re.match(r"the[ \t\u00a0]+", text[start : start + 8], re.IGNORECASE)
    return start + leading.end() if leading else start


def _phone_span(text: str, start: int, end: int) -> tuple[int, int]:
    # "(07700 900123)" is a number in brackets, not an area code in brackets.
    if text[start] == "(" and ")" not in text[start:end]:
        start += 1
    return start, end


@dataclass(frozen=True, eq=False)
class _Anchor:
    """Where a detector's pattern can match at all: near a cheap-to-find part of it (a year, a domain suffix).

    The full patterns are costly to try at every position of a long text; an
    anchor is a plain pattern found quickly, and the full one is tried only in the
    window around each anchor, which keeps the guard within its time on every write.
    """

    pattern: re.Pattern[str]
    before: int
    after: int

    def windows(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for match in self.pattern.finditer(text):
            start = max(0, match.start() - self.before)
            # Windows end between words, so that a pattern's look-ahead sees what it would in the whole text.
            space = _SPACE.search(text, min(len(text), match.end() + self.after))
            end = space.start() if space else len(text)
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans


_SPACE = re.compile(r"\s")
# Each anchor starts with one set of characters, which the regex engine searches for fast.
_YEAR_ANCHOR = _Anchor(
    re.compile(
        r"[0-9'\u2019TtNn](?:(?<=[12])[09][0-9]{2}|(?<=[0-9])[/.\-][0-9]{2}\b|(?<=['\u2019])[0-9]{2}"
        r"|(?<=[Tt])(?:housand|wenty)|(?<=[Nn])ineteen)"
    ),
    45,
    25,
)
_DOMAIN_ANCHOR = _Anchor(re.compile(rf"[.:w](?:(?<=\.){_TOP_LEVEL}\b|(?<=:)//|(?<=w)ww\.)", re.IGNORECASE), 120, 200)
# The inward code of a postcode (a digit and two letters, perhaps spaced out) ends every postcode.
_INWARD_ANCHOR = _Anchor(re.compile(r"[0-9][ .\-]?[A-Za-z][ .\-]?[A-Za-z](?![A-Za-z])"), 16, 0)
_AT_ANCHOR = _Anchor(re.compile("@"), 70, 260)
# Six digits in pairs: NI numbers and driving licences; the 40 characters before reach back over a label.
_SIX_DIGITS_ANCHOR = _Anchor(re.compile(r"[0-9]{2}[ \t\-]?[0-9]{2}[ \t\-]?[0-9]{2}"), 40, 12)


_Windows = dict[_Anchor, list[tuple[int, int]]]  # each anchor's windows, found once per text


@dataclass(frozen=True)
class _Detector:
    kind: IdentifyingKind
    pattern: re.Pattern[str]
    accept: Callable[[re.Match[str]], bool] = lambda match: True
    dated: bool = False  # a date: refused only if it could be a date of birth
    anchor: _Anchor | None = None
    # Words (lower case) of which a window must hold one for the pattern to be worth trying there.
    needs: tuple[str, ...] = ()

    def matches(self, text: str, windows: _Windows, lowered: str) -> Iterator[re.Match[str]]:
        if self.anchor is None:
            yield from self.pattern.finditer(text)
            return
        if self.anchor not in windows:
            windows[self.anchor] = self.anchor.windows(text)
        for start, end in windows[self.anchor]:
            if self.needs and not any(word in lowered[start:end] for word in self.needs):
                continue
            yield from self.pattern.finditer(text, start, end)


_MONTH_WORDS = tuple(_MONTHS)
_FESTIVAL_WORDS = ("day", "eve", "friday", "monday", "sunday", "halloween", "night")

# Order is the tie-break when two candidates start at the same place and have the
# same length: the more specific reading wins (an NHS number over a phone number).
_DETECTORS = (
    _Detector(IdentifyingKind.EMAIL_ADDRESS, _EMAIL, anchor=_AT_ANCHOR),
    _Detector(IdentifyingKind.WEB_ADDRESS, _WEB_ADDRESS, _is_web_address, anchor=_DOMAIN_ANCHOR),
    _Detector(IdentifyingKind.FULL_POSTCODE, _POSTCODE, _is_postcode, anchor=_INWARD_ANCHOR),
    _Detector(IdentifyingKind.FULL_POSTCODE, _DISGUISED_POSTCODE, _is_postcode, anchor=_INWARD_ANCHOR),
    _Detector(IdentifyingKind.DATE, _WRITTEN_DATE, dated=True, anchor=_YEAR_ANCHOR, needs=_MONTH_WORDS),
    _Detector(IdentifyingKind.DATE, _SHORT_WRITTEN_DATE, dated=True, anchor=_YEAR_ANCHOR, needs=_MONTH_WORDS),
    _Detector(IdentifyingKind.DATE, _FESTIVAL_DATE, dated=True, anchor=_YEAR_ANCHOR, needs=_FESTIVAL_WORDS),
    _Detector(IdentifyingKind.DATE, _DAY_MONTH_YEAR, _is_day_and_month, dated=True, anchor=_YEAR_ANCHOR),
    _Detector(IdentifyingKind.DATE, _YEAR_MONTH_DAY, _is_day_and_month, dated=True, anchor=_YEAR_ANCHOR),
    _Detector(IdentifyingKind.NHS_NUMBER, _NHS_NUMBER, _is_nhs_number),
    _Detector(IdentifyingKind.NATIONAL_INSURANCE_NUMBER, _NATIONAL_INSURANCE, anchor=_SIX_DIGITS_ANCHOR),
    _Detector(IdentifyingKind.NATIONAL_INSURANCE_NUMBER, _NATIONAL_INSURANCE_AFTER_LABEL, anchor=_SIX_DIGITS_ANCHOR),
    _Detector(IdentifyingKind.DRIVING_LICENCE_NUMBER, _DRIVING_LICENCE, _is_driving_licence, anchor=_SIX_DIGITS_ANCHOR),
    _Detector(IdentifyingKind.PHONE_NUMBER, _PHONE, _is_phone_number),
)
_PROSE_RANK = len(_DETECTORS)

_Candidate = tuple[int, int, int, IdentifyingKind, str]


def _candidates(text: str, today: date) -> Iterator[_Candidate]:
    windows: _Windows = {}
    lowered = text.lower()
    for rank, detector in enumerate(_DETECTORS):
        for match in detector.matches(text, windows, lowered):
            if not detector.accept(match) or (detector.dated and not could_be_date_of_birth(match, today)):
                continue
            # A pattern that needs a label before the detail ("NI AB123456") reports the detail alone.
            start, end = match.span("id") if "id" in detector.pattern.groupindex else match.span()
            if detector.kind is IdentifyingKind.WEB_ADDRESS:
                end = _web_address_end(text, start, end)
            elif detector.kind is IdentifyingKind.PHONE_NUMBER:
                start, end = _phone_span(text, start, end)
            elif detector.kind is IdentifyingKind.DATE:
                start = _date_start(text, start)
            if end > start:
                yield start, end, rank, detector.kind, ""
    for finding in find_in_prose(text):
        yield finding.start, finding.end, _PROSE_RANK, IdentifyingKind(finding.kind), finding.role


def find_identifying_details(text: str, *, today: date | None = None) -> list[IdentifyingDetail]:
    """Every identifying detail in the text, sorted by position, never overlapping.

    Where readings overlap, the one that starts first wins, then the longer one: an
    email address is not also reported as a web address, and "+44 943 476 5919" is
    one phone number, not an NHS number with "+44" left over. `today` (default: the
    date in UTC) decides which dates could be a date of birth.
    """
    today = today or datetime.now(UTC).date()
    found: list[IdentifyingDetail] = []
    taken_until = 0
    for start, end, _rank, kind, role in sorted(_candidates(text, today), key=lambda c: (c[0], -c[1], c[2])):
        if start < taken_until:
            continue
        found.append(IdentifyingDetail(kind, start, end, text[start:end], role))
        taken_until = end
    return found
