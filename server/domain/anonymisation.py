"""The anonymisation guard: free text that reaches providers must not identify a child.

A referral goes to many providers before one is chosen, so its free text (the
summary, notes, vacancy notes, offer matching statements) carries no full
postcode, no date (a date of birth cannot be told from other dates, so every
full day-month-year date is refused), no NHS number, phone number, email or web
address. Postcode districts ("ME14"), ages ("14 years old"), months ("since
March 2024") and referral references ("KEN-2026-00042") are fine.

Each finding carries its span so the writer can be shown exactly which words to
change. The guard errs on the side of refusing, but a refusal the writer cannot
understand is a bug too: every pattern is anchored so that ordinary placement
prose ("Year 9", "10-16", "£4,557 a week", "24 hours") passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum


class IdentifyingKind(str, Enum):
    FULL_POSTCODE = "full_postcode"
    DATE = "date"
    NHS_NUMBER = "nhs_number"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    WEB_ADDRESS = "web_address"


@dataclass(frozen=True)
class IdentifyingDetail:
    kind: IdentifyingKind
    start: int
    end: int
    text: str

    @property
    def message(self) -> str:
        """What to change, in words a placement officer would use."""
        quoted = f'"{self.text}"'
        match self.kind:
            case IdentifyingKind.FULL_POSTCODE:
                district = postcode_district(self.text)
                return f"Remove the full postcode {quoted}: use the postcode district ({district}) only."
            case IdentifyingKind.DATE:
                return f"Remove the date {quoted}: it could be a date of birth: give an age or a month and year."
            case IdentifyingKind.NHS_NUMBER:
                return f"Remove the NHS number {quoted}: it identifies the child."
            case IdentifyingKind.PHONE_NUMBER:
                return f"Remove the phone number {quoted}: contact details go only to the chosen provider."
            case IdentifyingKind.EMAIL_ADDRESS:
                return f"Remove the email address {quoted}: contact details go only to the chosen provider."
            case IdentifyingKind.WEB_ADDRESS:
                return f"Remove the web address {quoted}: it may identify the child or family."


# Spaces a writer might type between parts: a plain or non-breaking space, never a
# line break, so that two numbers on separate lines are not read as one.
_GAP = r"[ \t\u00a0]"

# --- postcodes ----------------------------------------------------------------
# Outward code shapes A9, A99, AA9, AA99, A9A, AA9A (Q, V, X never start one; I, J,
# Z are never second). The inward code's letters never include C, I, K, M, O, V,
# which keeps ordinary words out.
_OUTWARD = r"(?:GIR|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE = re.compile(rf"\b(?P<outward>{_OUTWARD}){_GAP}{{0,2}}(?P<inward>{_INWARD})\b", re.IGNORECASE)
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th")


def postcode_district(postcode: str) -> str:
    """The outward code (district) of a full postcode, upper case: "me141xx" gives "ME14"."""
    compact = re.sub(r"\s", "", postcode).upper()
    return compact[:-3]


def _is_postcode(match: re.Match[str]) -> bool:
    # "KS3 2nd year" or "B1 1st floor" have the shape of a postcode; a lower-case
    # ordinal is far likelier than a postcode typed in lower case ending in ST/ND/RD/TH.
    return not _ORDINAL.fullmatch(match.group("inward"))


# --- dates ----------------------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
# A written year; an apostrophe year ('11) is the only short form accepted, since
# "12 March 12" is as likely to be the start of a list as a date.
_YEAR = r"(?:(?:19|20)[0-9]{2}|['\u2019][0-9]{2})\b"
_WRITTEN_DATE = re.compile(
    rf"\b(?:{_DAY}{_GAP}+(?:of{_GAP}+)?{_MONTH},?{_GAP}+{_YEAR}"
    rf"|{_MONTH}{_GAP}+(?:the{_GAP}+)?{_DAY},?{_GAP}+{_YEAR}"
    rf"|{_DAY}([-/]){_MONTH}\1(?:(?:19|20)[0-9]{{2}}|[0-9]{{2}})\b)",
    re.IGNORECASE,
)
# Numeric dates must use one separator throughout ("12/03/2012", not "09.30-10.30")
# and must not sit inside a longer run of numbers or a reference ("KEN-2026-00042").
_NOT_AFTER_NUMBER = r"(?<![\w/.\-])"
_NOT_BEFORE_NUMBER = r"(?![\w/\-]|\.[0-9])"
_DAY_MONTH_YEAR = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<a>[0-9]{{1,2}})(?P<sep>[/.\-])(?P<b>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<year>[0-9]{{4}}|[0-9]{{2}}){_NOT_BEFORE_NUMBER}"
)
_YEAR_MONTH_DAY = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?:19|20)[0-9]{{2}}(?P<sep>[/.\-])(?P<b>[0-9]{{1,2}})(?P=sep)(?P<a>[0-9]{{1,2}})"
    rf"{_NOT_BEFORE_NUMBER}"
)


def _is_day_and_month(match: re.Match[str]) -> bool:
    # Either order is refused (12/03 or 03/12), as long as one part can be a month
    # and the other a day: a child's date of birth might be written the US way.
    first, second = int(match.group("a")), int(match.group("b"))
    if not (1 <= first <= 31 and 1 <= second <= 31):
        return False
    return first <= 12 or second <= 12


# --- NHS numbers ----------------------------------------------------------------
_NHS_NUMBER = re.compile(r"(?<![\w+/.\-])([0-9]{3})([ \-]?)([0-9]{3})\2([0-9]{4})(?![0-9]|[/.\-][0-9])")


def nhs_number_is_valid(number: str) -> bool:
    """Whether ten digits (spaces and dashes ignored) pass the NHS modulus 11 check digit."""
    digits = re.sub(r"[ \-]", "", number)
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


# --- phone numbers --------------------------------------------------------------
# Between digits a writer may put a space, a hyphen or brackets round the area code.
_PHONE_GAP = r"[ \t\u00a0()\-]{0,2}"
# A UK number is 0 then 9 or 10 digits; +44 then 9 or 10 digits, the trunk 0 often
# written "(0)"; any other country code gives 8 to 15 digits in all. Counting digits
# in the pattern (rather than afterwards) lets "07700 900123 3 times" match the
# phone number alone.
_PHONE = re.compile(
    r"(?<![\w+/.\-])"
    rf"(?:\(?0(?:{_PHONE_GAP}[0-9]){{9,10}}"
    rf"|\+{_GAP}?44(?:{_GAP}?\(0\))?(?:{_PHONE_GAP}[0-9]){{9,10}}"
    rf"|\+{_GAP}?(?!44)[1-9](?:{_PHONE_GAP}[0-9]){{7,14}})"
    r"(?![0-9]|[/.\-][0-9])"
)


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


def _phone_span(text: str, start: int, end: int) -> tuple[int, int]:
    # "(07700 900123)" is a number in brackets, not an area code in brackets.
    if text[start] == "(" and ")" not in text[start:end]:
        start += 1
    return start, end


@dataclass(frozen=True)
class _Detector:
    kind: IdentifyingKind
    pattern: re.Pattern[str]
    accept: Callable[[re.Match[str]], bool] = lambda match: True


# Order is the tie-break when two candidates start at the same place and have the
# same length: the more specific reading wins (an NHS number over a phone number).
_DETECTORS = (
    _Detector(IdentifyingKind.EMAIL_ADDRESS, _EMAIL),
    _Detector(IdentifyingKind.WEB_ADDRESS, _WEB_ADDRESS, _is_web_address),
    _Detector(IdentifyingKind.FULL_POSTCODE, _POSTCODE, _is_postcode),
    _Detector(IdentifyingKind.DATE, _WRITTEN_DATE),
    _Detector(IdentifyingKind.DATE, _DAY_MONTH_YEAR, _is_day_and_month),
    _Detector(IdentifyingKind.DATE, _YEAR_MONTH_DAY, _is_day_and_month),
    _Detector(IdentifyingKind.NHS_NUMBER, _NHS_NUMBER, _is_nhs_number),
    _Detector(IdentifyingKind.PHONE_NUMBER, _PHONE),
)


def _candidates(text: str) -> Iterator[tuple[int, int, int, IdentifyingKind]]:
    for rank, detector in enumerate(_DETECTORS):
        for match in detector.pattern.finditer(text):
            if not detector.accept(match):
                continue
            start, end = match.start(), match.end()
            if detector.kind is IdentifyingKind.WEB_ADDRESS:
                end = _web_address_end(text, start, end)
            elif detector.kind is IdentifyingKind.PHONE_NUMBER:
                start, end = _phone_span(text, start, end)
            if end > start:
                yield start, end, rank, detector.kind


def find_identifying_details(text: str) -> list[IdentifyingDetail]:
    """Every identifying detail in the text, sorted by position, never overlapping.

    Where readings overlap, the one that starts first wins, then the longer one: an
    email address is not also reported as a web address, and "+44 943 476 5919" is
    one phone number, not an NHS number with "+44" left over.
    """
    found: list[IdentifyingDetail] = []
    taken_until = 0
    for start, end, _rank, kind in sorted(_candidates(text), key=lambda c: (c[0], -c[1], c[2])):
        if start < taken_until:
            continue
        found.append(IdentifyingDetail(kind, start, end, text[start:end]))
        taken_until = end
    return found
