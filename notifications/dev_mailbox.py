"""Development only: an SMTP server inside the app that keeps what it receives, and a page to read it.

With no SMTP_URL outside production, the outbox worker sends to an embedded
aiosmtpd server on 127.0.0.1:DEV_MAILBOX_PORT; `GET /dev/mailbox` lists the
newest 500 messages and `/dev/mailbox/{n}` shows one (text and HTML parts).
Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from server.background import running_loop
from server.outbox.messages import LOCAL_TIME
from server.settings import Settings

if TYPE_CHECKING:
    from email.message import EmailMessage

    from notifications.worker import OutboxWorker

log = logging.getLogger(__name__)

KEEP = 500


@dataclass(frozen=True)
class MailboxMessage:
    number: int
    received_at: datetime
    mail_from: str
    to: tuple[str, ...]
    subject: str
    headers: tuple[tuple[str, str], ...]
    text: str
    html: str


class DevMailbox:
    """An aiosmtpd Controller (its own thread and loop) that keeps the newest `keep` messages in memory."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", keep: int = KEEP) -> None:
        self.host = host
        self.port = port
        self._messages: deque[MailboxMessage] = deque(maxlen=keep)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        from aiosmtpd.controller import Controller  # only where the mailbox runs: its pages do not need it

        self._controller = Controller(self, hostname=host, port=port)

    def start(self) -> None:
        """Blocking (waits for the server thread): call through asyncio.to_thread from async code."""
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook by name
        import email.policy  # its header registry is loaded by the first message received

        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(
                MailboxMessage(
                    number=next(self._numbers),
                    received_at=datetime.now(UTC),
                    mail_from=envelope.mail_from,
                    to=tuple(envelope.rcpt_tos),
                    subject=str(parsed.get("Subject", "")),
                    headers=tuple((name, str(value)) for name, value in parsed.items()),
                    text=_part(parsed, "plain"),
                    html=_part(parsed, "html"),
                )
            )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[MailboxMessage]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._messages))

    def get(self, number: int) -> MailboxMessage | None:
        with self._lock:
            return next((message for message in self._messages if message.number == number), None)


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    return str(body.get_content())


_running: DevMailbox | None = None


def running_mailbox() -> DevMailbox | None:
    return _running


@asynccontextmanager
async def run_in_process(settings: Settings) -> AsyncIterator[OutboxWorker]:
    """Run the dev mailbox (no SMTP_URL, not production) and an outbox worker loop while the app runs."""
    from notifications.worker import OutboxWorker, default_worker_id

    global _running
    mailbox = None
    if settings.smtp_url is None and not settings.is_production:
        mailbox = DevMailbox(settings.dev_mailbox_port)
        try:
            await asyncio.to_thread(mailbox.start)
        except Exception:  # a busy port must not stop the app; the worker retries until a mailbox answers
            log.exception("dev mailbox could not start on 127.0.0.1:%s", settings.dev_mailbox_port)
            mailbox = None
        else:
            _running = mailbox
            log.info("dev mailbox on 127.0.0.1:%s; read it at /dev/mailbox", settings.dev_mailbox_port)
    worker = OutboxWorker(settings, f"{default_worker_id()}-app")
    try:
        async with running_loop("outbox worker", worker.run_forever):
            yield worker
    finally:
        await worker.close()
        if mailbox is not None:
            await asyncio.to_thread(mailbox.stop)
            if _running is mailbox:
                _running = None


# --- pages ---------------------------------------------------------------------------


def mailbox_routes(stylesheets: Callable[[], Sequence[str]] = tuple) -> list[Route]:
    """The mailbox pages; `stylesheets` gives the portal's CSS URLs (the app passes its versioned ones), so the
    mailbox looks like the portal without notifications/ knowing how the portal serves its files."""

    async def listing(request: Request) -> HTMLResponse:
        return await mailbox_page(request, stylesheets())

    async def message(request: Request) -> HTMLResponse:
        return await message_page(request, stylesheets())

    return [
        Route("/dev/mailbox", listing, methods=["GET"]),
        Route("/dev/mailbox/{number:int}", message, methods=["GET"]),
    ]


def _mailbox_for(request: Request) -> DevMailbox | None:
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is not None and settings.is_production:
        raise HTTPException(404)
    return _running


async def mailbox_page(request: Request, stylesheets: Sequence[str] = ()) -> HTMLResponse:
    mailbox = _mailbox_for(request)
    if mailbox is None:
        body = (
            "<p>The dev mailbox is not running: SMTP_URL is set (email goes to that server), "
            "or its port was busy when the app started.</p>"
        )
        return HTMLResponse(_page("Dev mailbox", body, stylesheets))
    rows = "".join(
        f'<tr><td data-label="Received">{_when(m.received_at)}</td><td data-label="To">{_e(", ".join(m.to))}</td>'
        f'<td data-label="Subject"><a href="/dev/mailbox/{m.number}">{_e(m.subject) or "(no subject)"}</a></td></tr>'
        for m in mailbox.messages
    )
    body = (
        f"<p>{len(mailbox.messages)} message(s) received on 127.0.0.1:{mailbox.port}, newest first; "
        f"the newest {KEEP} are kept. Nothing here was really sent.</p>"
        '<div class="table-wrap"><table class="govuk-table responsive">'
        '<caption class="visually-hidden">Email received</caption>'
        '<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr>'
        f"</thead><tbody>{rows or '<tr><td colspan=3>No email yet.</td></tr>'}</tbody></table></div>"
    )
    return HTMLResponse(_page("Dev mailbox", body, stylesheets))


async def message_page(request: Request, stylesheets: Sequence[str] = ()) -> HTMLResponse:
    mailbox = _mailbox_for(request)
    message = mailbox.get(request.path_params["number"]) if mailbox else None
    if message is None:
        raise HTTPException(404, "No such message (only the newest are kept).")
    headers = "".join(
        f'<tr><th scope="row">{_e(name)}</th><td>{_e(value)}</td></tr>'
        for name, value in message.headers
        if name.lower() in ("from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post")
    )
    html_part = (
        f'<iframe title="HTML part" sandbox srcdoc="{_e(message.html)}"></iframe>'
        if message.html
        else "<p>No HTML part.</p>"
    )
    body = (
        '<p><a href="/dev/mailbox">&larr; All messages</a></p>'
        '<div class="table-wrap"><table class="govuk-table dev-headers">'
        '<caption class="visually-hidden">Headers</caption>'
        f"{headers}</table></div>"
        f"<h2>Plain text</h2><pre>{_e(message.text) or 'No plain-text part.'}</pre>"
        f"<h2>HTML</h2>{html_part}"
    )
    return HTMLResponse(_page(message.subject or "(no subject)", body, stylesheets))


def _page(title: str, body: str, stylesheets: Sequence[str] = ()) -> str:
    links = "".join(f'<link rel="stylesheet" href="{_e(href)}">' for href in stylesheets)
    return f"""<!doctype html>
<html lang="en-GB" class="govuk-template"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · Placement Exchange (development)</title>
{links}
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0;
  color: #0b0c0c; }}
.dev-page {{ margin: 0 auto; max-width: 70rem; }}
.dev-banner {{ background: #fff7bf; border-left: 6px solid #ffdd00; padding: .5rem 1rem; margin: 0 0 1rem; }}
.dev-page table {{ border-collapse: collapse; width: 100%; }}
.dev-page th, .dev-page td {{ text-align: left; vertical-align: top; padding: .4rem .6rem .4rem 0;
  border-bottom: 1px solid #cecece; }}
.dev-page td {{ overflow-wrap: anywhere; }}
.dev-page th[scope="row"] {{ white-space: nowrap; }}
@media (max-width: 40rem) {{
  .dev-headers tr {{ display: block; border-bottom: 1px solid #cecece; padding: .3rem 0; }}
  .dev-headers th, .dev-headers td {{ display: block; border: 0; padding: .1rem 0; }}
}}
.dev-page pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f8fb; padding: 1rem; }}
.dev-page iframe {{ width: 100%; height: 40rem; border: 1px solid #cecece; }}
.dev-page a {{ color: #1a65a6; }}
</style></head>
<body class="govuk-template__body">
<a class="govuk-skip-link skip-link" href="#main">Skip to main content</a>
<header class="govuk-template__header"><div class="govuk-generic-header px-header">
<div class="govuk-generic-header__container govuk-width-container px-header__container">
<div class="govuk-generic-header__logo">
<a class="govuk-generic-header__homepage-link brand" href="/">Placement Exchange</a></div>
</div></div></header>
<div class="govuk-width-container"><main class="govuk-main-wrapper dev-page" id="main" tabindex="-1">
<p class="dev-banner">Development mailbox: email the exchange would have sent.</p>
<h1>{_e(title)}</h1>
{body}
</main></div>
</body></html>"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _when(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TIME)
    return f"{local.day} {local:%B %Y at %H:%M:%S}"
