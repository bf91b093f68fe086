"""Turn outbox rows into email messages: subject, plain text and HTML, and the headers that make them behave.

Templates live in notifications/templates, one `.txt` (with the subject block)
and one `.html` per kind. They only ever see the row's structured context
(reference, labels, age band, district, dates); the services never put a
referral's free text there, so an email cannot leak it.

Undefined names are errors (StrictUndefined): a row whose context misses a key
fails to render and is parked with the error, instead of going out half empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from notifications.unsubscribe import sign, unsubscribe_url
from server.domain.vocabulary import Urgency
from server.models import OutboxMessage
from server.outbox.kinds import Notification
from server.outbox.messages import LOCAL_TIME
from server.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
DIGEST = "digest"

# Quoted-printable bodies are 7-bit clean: any relay takes them without 8BITMIME.
_QUOTED_PRINTABLE = Charset("utf-8")
_QUOTED_PRINTABLE.body_encoding = QP
# Headers with non-ASCII words (the subject's dash) as base64 encoded words: measuring QP's length costs more.
_ENCODED_WORDS = Charset("utf-8")
_ENCODED_WORDS.header_encoding = BASE64
# What an outbox recipient must look like: one address, no display name, nothing that could add a header.
_ADDRESS = re.compile(r'[^@\s<>()\[\],;:\\"]+@[^@\s<>()\[\],;:\\"]+')

_URGENCY_PHRASES = {
    Urgency.TODAY.label: "needed today",
    Urgency.WITHIN_5_DAYS.label: "needed within 5 days",
    Urgency.LATER.label: "planned",
}


class RenderError(Exception):
    """The row cannot become an email (unknown kind, a missing context key, a bad address)."""


def when(value: str | datetime) -> str:
    """An ISO timestamp as an English reader expects it, in UK time: 'Tue 14 Apr 2026, 15:00'."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME).strftime("%a %d %b %Y, %H:%M")


def day(value: str | date) -> str:
    return (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%a %d %b %Y")


def urgency_phrase(label: str) -> str:
    return _URGENCY_PHRASES.get(label, label.lower())


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.filters.update(when=when, day=day, urgency_phrase=urgency_phrase)
    return environment


class Renderer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._environment = _environment()

    def render(self, row: OutboxMessage) -> Message:
        """The email for one immediate outbox row."""
        notification = _kind(row.notification)
        context = dict(row.context)
        variables = self._variables(notification.value, context, row.user_id, [notification])
        subject = self.subject(notification, context)
        return self._message(row.recipient, context, subject, notification.value, variables, row.message_id)

    def render_digest(self, rows: Sequence[OutboxMessage]) -> Message:
        """One email listing a user's pending digest rows, newest last."""
        if not rows:
            raise RenderError("a digest needs at least one row")
        latest = rows[-1]
        items = [
            {
                "subject": self.subject(_kind(row.notification), row.context),
                "link": self.link(row.notification, row.context),
            }
            for row in rows
        ]
        kinds = sorted({_kind(row.notification) for row in rows})
        context = {"recipient_name": latest.context.get("recipient_name", ""), "items": items}
        variables = self._variables(DIGEST, context, latest.user_id, kinds)
        subject = self._subject_of(self._template(f"{DIGEST}.txt"), variables)
        message_id = f"<digest.{latest.user_id}.{rows[0].id}-{latest.id}.{len(rows)}@placement-exchange>"
        return self._message(latest.recipient, context, subject, DIGEST, variables, message_id)

    def subject(self, notification: Notification, context: Mapping[str, Any]) -> str:
        variables = {**context, "link": self.link(notification.value, context)}
        return self._subject_of(self._template(f"{notification.value}.txt"), variables)

    def link(self, notification: str, context: Mapping[str, Any]) -> str:
        """Where the email's button goes: the referral, the vacancy board, or the portal's home."""
        base = self.settings.base_url
        if notification == Notification.VACANCY_POSTED.value:
            return f"{base}/vacancy-board"
        if "placement_id" in context:
            return f"{base}/placements/{int(context['placement_id'])}"
        if "block_contract_id" in context:
            return f"{base}/block-contracts/{int(context['block_contract_id'])}"
        if context.get("to_framework_page"):
            return f"{base}/frameworks"
        if "referral_id" in context:
            return f"{base}/referrals/{int(context['referral_id'])}"
        return f"{base}/"

    def _variables(
        self, name: str, context: Mapping[str, Any], user_id: int | None, kinds: Sequence[Notification]
    ) -> dict[str, Any]:
        base = self.settings.base_url
        token = sign(user_id, kinds, secret_key=self.settings.secret_key) if user_id is not None else None
        return {
            **context,
            "link": self.link(name, context),
            "preferences_url": f"{base}/preferences",
            "unsubscribe_link": unsubscribe_url(base, token) if token else None,
        }

    def _message(
        self,
        recipient: str,
        context: Mapping[str, Any],
        subject: str,
        name: str,
        variables: dict[str, Any],
        message_id: str,
    ) -> Message:
        variables = {**variables, "subject": subject}
        text = self._template(f"{name}.txt").render(variables)
        html = self._template(f"{name}.html").render(variables)
        # The email package's modern API (EmailMessage) re-parses every header it is given, which costs
        # more than sending; compat32 parts are assembled from strings we already know are well-formed.
        message = MIMEMultipart("alternative")
        message["From"] = _header_address(self.settings.mail_from)
        message["To"] = _recipient(recipient, str(context.get("recipient_name", "")))
        message["Subject"] = subject if subject.isascii() else Header(subject, _ENCODED_WORDS)
        message["Date"] = format_datetime(datetime.now(UTC))
        # The row's id for this email: a resend after a crash carries the same one, so receivers drop the copy.
        message["Message-ID"] = message_id
        message["Auto-Submitted"] = "auto-generated"
        if variables["unsubscribe_link"]:
            message["List-Unsubscribe"] = f"<{variables['unsubscribe_link']}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.attach(MIMEText(text, "plain", _QUOTED_PRINTABLE))
        message.attach(MIMEText(html, "html", _QUOTED_PRINTABLE))
        return message

    def _template(self, name: str) -> Template:
        return self._environment.get_template(name)

    @staticmethod
    def _subject_of(template: Template, variables: Mapping[str, Any]) -> str:
        block = template.blocks.get("subject")
        if block is None:
            raise RenderError(f"template {template.name} has no subject block")
        subject = "".join(block(template.new_context(dict(variables))))
        return re.sub(r"\s+", " ", subject).strip()


def _kind(value: str) -> Notification:
    try:
        return Notification(value)
    except ValueError as error:
        raise RenderError(f"unknown notification kind {value!r}") from error


def _recipient(email: str, display_name: str) -> str:
    if not _ADDRESS.fullmatch(email):
        raise RenderError(f"bad recipient address {email!r}")
    return formataddr((display_name, email), charset=_ENCODED_WORDS)


def _header_address(value: str) -> str:
    display_name, email = parseaddr(value)
    return formataddr((display_name, email), charset=_ENCODED_WORDS)
