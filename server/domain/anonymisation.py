"""The anonymisation guard: free text that reaches providers must not identify a child.

A referral goes to many providers before one is chosen, so it carries no full
postcode, no date (a date of birth cannot be told from other dates), no NHS
number, phone number, email or web address. Postcode districts ("ME14") and
ages ("14 years old") are fine. Each finding carries its span so the writer can
be shown exactly which words to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class IdentifyingKind(str, Enum):
    FULL_POSTCODE = "full_postcode"
    DATE = "date"
    NHS_NUMBER = "nhs_number"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    WEB_ADDRESS = "web_address"


_ADVICE = {
    IdentifyingKind.DATE: "Remove the date {text!r}: give an age or a month and year instead.",
    IdentifyingKind.NHS_NUMBER: "Remove the NHS number {text!r}: it identifies the child.",
    IdentifyingKind.PHONE_NUMBER: "Remove the phone number {text!r}: contact details go only to the chosen provider.",
    IdentifyingKind.EMAIL_ADDRESS: "Remove the email address {text!r}: contact details go only to the chosen provider.",
    IdentifyingKind.WEB_ADDRESS: "Remove the web address {text!r}: it may identify the child or family.",
}


@dataclass(frozen=True)
class IdentifyingDetail:
    kind: IdentifyingKind
    start: int
    end: int
    text: str

    @property
    def message(self) -> str:
        if self.kind is IdentifyingKind.FULL_POSTCODE:
            district = _POSTCODE.match(self.text.upper())
            outward = district.group("outward") if district else self.text.split()[0]
            return f'Remove the full postcode "{self.text}": use the postcode district ({outward.upper()}) only.'
        return _ADVICE[self.kind].format(text=self.text).replace("'", '"')


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:co\.uk|org\.uk|gov\.uk|ac\.uk|nhs\.uk|uk|com|org|net|gov|io|info|biz)"
    r"(?:/[^\s<>\"']*)?(?![\w.])",
    re.IGNORECASE,
)
_POSTCODE = re.compile(
    r"(?P<outward>GIR|[A-Z]{1,2}[0-9][0-9A-Z]?)\s?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})",
)
_POSTCODE_SEARCH = re.compile(r"\b(?:GIR|[A-Za-z]{1,2}[0-9][0-9A-Za-z]?)\s?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}\b")
_NUMERIC_DATE = re.compile(
    r"\b(?:(?:0?[1-9]|[12][0-9]|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01]))\b"
)
_WRITTEN_DATE = re.compile(
    rf"\b(?:{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?\s+{_YEAR}|{_MONTHS}\.?\s+{_DAY},?\s+{_YEAR})\b",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\d-])"
    r"|(?<![\w+])\+(?!44)[1-9]\d{0,2}[\s-]?\d{2,4}(?:[\s-]?\d{2,4}){2,3}(?![\d-])"
)


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus 11 check digit of an NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_identifying_details(text: str) -> list[IdentifyingDetail]:
    """Every identifying detail in the text, sorted by position, never overlapping."""
    found: list[IdentifyingDetail] = []
    taken: list[tuple[int, int]] = []

    def add(kind: IdentifyingKind, start: int, end: int) -> None:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append(IdentifyingDetail(kind, start, end, text[start:end]))

    for match in _EMAIL.finditer(text):
        add(IdentifyingKind.EMAIL_ADDRESS, match.start(), match.end())
    for match in _URL.finditer(text):
        add(IdentifyingKind.WEB_ADDRESS, match.start(), match.end())
    for match in _POSTCODE_SEARCH.finditer(text):
        if _POSTCODE.fullmatch(match.group().upper()):
            add(IdentifyingKind.FULL_POSTCODE, match.start(), match.end())
    for pattern in (_WRITTEN_DATE, _NUMERIC_DATE):
        for match in pattern.finditer(text):
            add(IdentifyingKind.DATE, match.start(), match.end())
    for match in _NHS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            add(IdentifyingKind.NHS_NUMBER, match.start(), match.end())
    for match in _PHONE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 10:
            add(IdentifyingKind.PHONE_NUMBER, match.start(), match.end())
    return sorted(found, key=lambda detail: detail.start)
