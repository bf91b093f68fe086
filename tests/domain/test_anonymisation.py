"""The anonymisation guard refuses what identifies a child and passes ordinary placement prose.

Each refused example names the kind and the exact words to change, because the
portal underlines that span for the placement officer.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from server.domain.anonymisation import (
    IdentifyingDetail,
    IdentifyingKind,
    find_identifying_details,
    nhs_number_is_valid,
    postcode_district,
)

POSTCODE = IdentifyingKind.FULL_POSTCODE
DATE = IdentifyingKind.DATE
NHS = IdentifyingKind.NHS_NUMBER
PHONE = IdentifyingKind.PHONE_NUMBER
EMAIL = IdentifyingKind.EMAIL_ADDRESS
WEB = IdentifyingKind.WEB_ADDRESS

REFUSED: list[tuple[str, IdentifyingKind, str]] = [
    # full postcodes, any case, with or without the space
    ("Lives at ME14 1XX with grandmother.", POSTCODE, "ME14 1XX"),
    ("lives at me141xx with nan", POSTCODE, "me141xx"),
    ("Previously SW1A 1AA.", POSTCODE, "SW1A 1AA"),
    ("Home is B1 1AA, near the station.", POSTCODE, "B1 1AA"),
    ("School at EC1A1BB", POSTCODE, "EC1A1BB"),
    ("Post to GIR 0AA please", POSTCODE, "GIR 0AA"),
    ("Near NG7 2RD in Nottingham", POSTCODE, "NG7 2RD"),
    ("Mum lives in so15 2ab now", POSTCODE, "so15 2ab"),
    # dates: every full day-month-year date could be a date of birth
    ("born 12/03/2012.", DATE, "12/03/2012"),
    ("DOB 12-3-12", DATE, "12-3-12"),
    ("Born 2012-03-12 in Kent", DATE, "2012-03-12"),
    ("Born 12.03.2012", DATE, "12.03.2012"),
    ("US style 03/25/2012 too", DATE, "03/25/2012"),
    ("Born 12 March 2012 at Maidstone", DATE, "12 March 2012"),
    ("Born 12th March 2012", DATE, "12th March 2012"),
    ("born on the 12th of March, 2012", DATE, "12th of March, 2012"),
    ("Born March 12, 2012.", DATE, "March 12, 2012"),
    ("Born 3rd Jan 2011", DATE, "3rd Jan 2011"),
    ("born 3 sept 2011", DATE, "3 sept 2011"),
    ("born 12-Mar-2012", DATE, "12-Mar-2012"),
    ("born 4 July '11", DATE, "4 July '11"),
    # NHS numbers pass the modulus 11 check
    ("NHS number 943 476 5919.", NHS, "943 476 5919"),
    ("NHS 9434765919", NHS, "9434765919"),
    ("NHS no. 943-476-5919", NHS, "943-476-5919"),
    # phone numbers: UK with 0 or +44, and international with +
    ("Call 07700 900123 after school", PHONE, "07700 900123"),
    ("Mobile 07700900123", PHONE, "07700900123"),
    ("Office 01632 960001.", PHONE, "01632 960001"),
    ("Call +44 7700 900123", PHONE, "+44 7700 900123"),
    ("Ring (01632) 960 001 today", PHONE, "(01632) 960 001"),
    ("London 020 7946 0958", PHONE, "020 7946 0958"),
    ("From abroad +44 (0)20 7946 0958", PHONE, "+44 (0)20 7946 0958"),
    ("Dad (07700 900123) works nights", PHONE, "07700 900123"),
    ("Aunt in the US: +1 202 555 0143", PHONE, "+1 202 555 0143"),
    ("Aunt in France +33 1 23 45 67 89", PHONE, "+33 1 23 45 67 89"),
    ("Freephone 0800 123 456", PHONE, "0800 123 456"),
    ("Mobile 07700-900-123", PHONE, "07700-900-123"),
    # a ten-digit number that fails the NHS check is still a phone if it starts with 0
    ("Number 0163296000", PHONE, "0163296000"),
    # email and web addresses
    ("Email jo.bloggs@kent.gov.uk for more.", EMAIL, "jo.bloggs@kent.gov.uk"),
    ("Contact social.worker+kent@example.org", EMAIL, "social.worker+kent@example.org"),
    ("See https://example.org/child?id=7.", WEB, "https://example.org/child?id=7"),
    ("Read http://example.com/news", WEB, "http://example.com/news"),
    ("Her page: www.example.org.", WEB, "www.example.org"),
    ("Story at example.co.uk/page, last year", WEB, "example.co.uk/page"),
    ("Fundraiser on gofundme.com", WEB, "gofundme.com"),
    ("(see www.example.org/a_(b))", WEB, "www.example.org/a_(b)"),
]

ALLOWED: list[str] = [
    "Home district ME14; school in SO15 and respite in NG7.",
    "Family are in the ME14 area.",
    "Settled at school in Year 9; enjoys football and art. Needs help with routines.",
    "Sitting GCSEs 2027.",
    "Boy aged 14, 14 years old in June.",
    "Carers approved for ages 10-16.",
    "Placement needed within 24 hours.",
    "Weekly fee £4,557 a week; last year £1,250.00 was spent on respite.",
    "Has 3 siblings, all placed within 20 miles of home.",
    "Referral KEN-2026-00042 follows KEN-2025-01234.",
    "Accommodated under Section 20; status C2.",
    "Previously lived in N1 and E17.",
    "In care since March 2024, moved in Jan 2025.",
    "Contact visits at 17:30 on Tuesdays, 09.30-10.30 on Saturdays.",
    "Attendance 95% this term, up 3.5% on last.",
    "Needs 24/7 supervision.",
    "Key stage: KS3 2nd year; B1 1st floor flat preferred.",
    "Likes art, music etc. e.g. drawing, i.e. anything creative.",
    "She likes art.Info about her interests follows.",
    "Ten digits 1234567890 that are not an NHS number or a phone.",
    "Ofsted URN SC123456 rated Good.",
    "Household references ROSE-H1 and OAK-H1; framework KM-IFP-2022.",
    "Sleeps 8-10 hours; 2 or 3 nights of respite a month.",
    "Reading age 9.5, maths age 10.",
    "Scores 3-1 and 2-0 at football.",
    "Placement from 12 March, review on the 1st.",
    "Version 1.2 of the plan.",
    "",
]


@pytest.mark.parametrize(("text", "kind", "span"), REFUSED)
def test_identifying_detail_is_refused_with_its_exact_span(text: str, kind: IdentifyingKind, span: str) -> None:
    found = find_identifying_details(text)

    assert [(detail.kind, detail.text) for detail in found] == [(kind, span)]
    detail = found[0]
    assert text[detail.start : detail.end] == span


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_placement_prose_is_allowed(text: str) -> None:
    assert find_identifying_details(text) == []


def test_several_details_come_back_in_order_without_overlapping() -> None:
    text = "Lives at ME14 1XX, born 12/03/2012; email jo@example.org or call 07700 900123 (NHS 943 476 5919)."

    found = find_identifying_details(text)

    assert [(detail.kind, detail.text) for detail in found] == [
        (POSTCODE, "ME14 1XX"),
        (DATE, "12/03/2012"),
        (EMAIL, "jo@example.org"),
        (PHONE, "07700 900123"),
        (NHS, "943 476 5919"),
    ]
    assert all(before.end <= after.start for before, after in pairwise(found))


def test_an_email_is_not_also_reported_as_a_web_address() -> None:
    assert find_identifying_details("jo@kent.gov.uk") == [
        IdentifyingDetail(EMAIL, 0, len("jo@kent.gov.uk"), "jo@kent.gov.uk")
    ]


def test_a_uk_number_in_international_form_is_one_phone_number_not_an_nhs_number() -> None:
    # 943 476 5919 passes the NHS check, but after +44 it is the rest of a phone number.
    assert [(d.kind, d.text) for d in find_identifying_details("+44 943 476 5919")] == [(PHONE, "+44 943 476 5919")]


def test_a_phone_number_followed_by_another_number_is_cut_at_the_phone_number() -> None:
    text = "Call 07700 900123 3 times a week"

    assert [d.text for d in find_identifying_details(text)] == ["07700 900123"]


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919", "4010232137"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number: str) -> None:
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "943 476 5918",  # wrong check digit
        "1234567890",  # check digit would be 10: never issued
        "943 476 591",  # nine digits
        "94347659190",  # eleven digits
        "943 476 591x",
        "",
    ],
)
def test_invalid_nhs_numbers_fail_the_modulus_11_check(number: str) -> None:
    assert not nhs_number_is_valid(number)


def test_a_ten_digit_number_failing_the_check_is_not_an_nhs_number() -> None:
    assert find_identifying_details("Ref 943 476 5918") == []


def test_a_ten_digit_number_failing_the_check_but_starting_with_0_is_a_phone_number() -> None:
    assert not nhs_number_is_valid("0163296000")
    assert [(d.kind, d.text) for d in find_identifying_details("Ring 0163296000")] == [(PHONE, "0163296000")]


def test_a_ten_digit_number_starting_with_0_and_passing_the_check_is_called_an_nhs_number() -> None:
    # 0123456789 happens to pass modulus 11: either way it is refused, and the
    # more specific reading wins.
    assert [(d.kind, d.text) for d in find_identifying_details("0123456789")] == [(NHS, "0123456789")]


def test_postcode_message_suggests_the_district() -> None:
    (detail,) = find_identifying_details("Lives at ME14 1XX.")

    assert detail.message == 'Remove the full postcode "ME14 1XX": use the postcode district (ME14) only.'


def test_postcode_message_gives_the_district_in_capitals_for_a_postcode_typed_without_a_space() -> None:
    (detail,) = find_identifying_details("lives at me141xx")

    assert detail.message == 'Remove the full postcode "me141xx": use the postcode district (ME14) only.'
    assert postcode_district("ec1a1bb") == "EC1A"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("born 12/03/2012", "date of birth"),
        ("NHS 943 476 5919", "NHS number"),
        ("call 07700 900123", "chosen provider"),
        ("jo@example.org", "chosen provider"),
        ("www.example.org", "web address"),
    ],
)
def test_every_kind_has_a_plain_english_message_quoting_the_words(text: str, words: str) -> None:
    (detail,) = find_identifying_details(text)

    assert detail.message.startswith(f'Remove the {detail.kind.value.replace("_", " ").replace("nhs", "NHS")} "')
    assert f'"{detail.text}"' in detail.message
    assert words in detail.message


@pytest.mark.parametrize(
    ("text", "instead"),
    [
        ("Her mother Kerry Jones visits.", 'write "her mother" or "his mother" without the name'),
        ("Tom Smith is 14.", '"the young person"'),
        ("Attends Invicta Grammar School.", 'describe the school instead, such as "a mainstream secondary"'),
        ("Lives at 14 Oak Road.", 'such as "lives in Rochester"'),
        ("Talks to adults as @tommy_2012.", '"contact with adults on Snapchat"'),
        ("NI AB 12 34 56 C", "the chosen provider gets it later"),
        ("Licence MORGA753116SM9IJ", '"holds a provisional licence"'),
        ("Born Christmas Day 2011.", '"aged 14"'),
    ],
)
def test_each_message_says_what_to_write_instead(text: str, instead: str) -> None:
    (detail,) = find_identifying_details(text)

    assert f'"{detail.text}"' in detail.message
    assert instead in detail.message


def test_a_date_from_the_current_month_on_passes_and_an_earlier_one_is_refused() -> None:
    today = date(2026, 12, 2)

    assert find_identifying_details("Free from 01/12/2026 and 5 January 2027.", today=today) == []
    assert [d.text for d in find_identifying_details("Moved on 30/11/2026.", today=today)] == ["30/11/2026"]
    assert [d.text for d in find_identifying_details("Born 1 December 2012.", today=today)] == ["1 December 2012"]
