"""Rules for the child's identified details and documents: pure functions, no database.

The details are checked as a council officer would (a real NHS number, a date of birth in a child's
lifetime, a reachable social worker); a document is what its bytes say it is, whatever its name or the
uploader's browser claims, and only the kinds councils exchange are taken.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from server.domain.anonymisation import nhs_number_is_valid

MAX_DOCUMENT_BYTES = 700 * 1024  # base64 in one GraphQL request stays under the 1 MiB request limit
OLDEST_CHILD_YEARS = 25  # care leavers are supported to 25

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
DOCUMENT_TYPES = {PDF: "a PDF", DOCX: "a Word document", PNG: "a PNG image", JPEG: "a JPEG image", TEXT: "plain text"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ChildDetails:
    """What the council knows about the child, as typed (every value a string; the date as ISO)."""

    full_name: str
    date_of_birth: str
    nhs_number: str
    address: str = ""
    school: str = ""
    social_worker_name: str = ""
    social_worker_email: str = ""
    social_worker_phone: str = ""
    council_child_id: str = ""


@dataclass(frozen=True)
class Problem:
    field: str  # the API's name of the field
    message: str


def normalised(details: ChildDetails) -> ChildDetails:
    """Spaces trimmed, the NHS number as 3 3 4 digits."""
    values = {name: " ".join(str(value).split()) for name, value in vars(details).items()}
    digits = re.sub(r"\D", "", values["nhs_number"])
    if len(digits) == 10:
        values["nhs_number"] = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return ChildDetails(**values)


def problems_with(details: ChildDetails, today: date) -> list[Problem]:
    found = []
    if not details.full_name:
        found.append(Problem("fullName", "Give the child's full name."))
    found += _date_of_birth_problems(details.date_of_birth, today)
    if not details.nhs_number:
        found.append(Problem("nhsNumber", "Give the child's NHS number (10 digits)."))
    elif not nhs_number_is_valid(details.nhs_number):
        found.append(Problem("nhsNumber", "That is not an NHS number: check the 10 digits (the last one is a check)."))
    if details.social_worker_email and not _EMAIL.match(details.social_worker_email):
        found.append(Problem("socialWorkerEmail", "Give the social worker's email as name@council.gov.uk."))
    if details.social_worker_phone and not _is_phone(details.social_worker_phone):
        found.append(Problem("socialWorkerPhone", "Give the social worker's phone as a UK number, e.g. 03000 414141."))
    return found


def _date_of_birth_problems(value: str, today: date) -> list[Problem]:
    if not value:
        return [Problem("dateOfBirth", "Give the child's date of birth.")]
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return [Problem("dateOfBirth", "Give the date of birth as a date, e.g. 2012-03-14.")]
    if born > today:
        return [Problem("dateOfBirth", "The date of birth is in the future.")]
    if born < today.replace(year=today.year - OLDEST_CHILD_YEARS):
        return [Problem("dateOfBirth", f"The child would be over {OLDEST_CHILD_YEARS}: check the year.")]
    return []


def _is_phone(text: str) -> bool:
    import phonenumbers  # its metadata (some 60 modules) is loaded by the first number checked

    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


def sniffed_type(content: bytes) -> str | None:
    """The document's type read from its bytes (PDF, DOCX, PNG, JPEG, plain UTF-8 text), else None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return DOCX if _is_word_document(content) else None
    return TEXT if _is_plain_text(content) else None


def _is_word_document(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_plain_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _TEXT_CONTROL.search(text)


def document_problems(content: bytes, declared_type: str | None) -> tuple[str | None, list[Problem]]:
    """(the type read from the bytes, what is wrong): empty, too big, not a kind we take, not what was declared."""
    if not content:
        return None, [Problem("contentBase64", "The document is empty.")]
    if len(content) > MAX_DOCUMENT_BYTES:
        return None, [
            Problem("contentBase64", f"The document is {len(content):,} bytes; at most {MAX_DOCUMENT_BYTES:,}.")
        ]
    found = sniffed_type(content)
    if found is None:
        return None, [Problem("contentBase64", "Only PDF, Word (DOCX), PNG, JPEG and plain-text documents are taken.")]
    if declared_type and declared_type.split(";")[0].strip().lower() != found:
        return found, [Problem("contentType", f"The file is {DOCUMENT_TYPES[found]}, not {declared_type}.")]
    return found, []


_XML_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH_END = re.compile(r"</w:p>")


def document_text(content: bytes, content_type: str) -> str | None:
    """The words of a plain-text or Word document, for the anonymisation guard; None for PDF and images, whose
    words cannot be read reliably here (the council's marking them anonymised is then the only check)."""
    if content_type == TEXT:
        return content.decode("utf-8")
    if content_type != DOCX:
        return None
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8", errors="replace")
    text = _XML_TAG.sub("", _PARAGRAPH_END.sub("\n", xml))
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
