"""One reused SMTP connection per worker, and what each failure means for the message.

Three outcomes besides success, which the worker treats differently:

- outage: the mail server cannot be reached or will not let us in (connection
  refused, timeout while connecting, greeting or login refused). Not the
  message's fault: the worker pauses and tries again later without counting
  an attempt against any message, so a long outage loses nothing.
- temporary: the server was reached but this message did not go (a 4xx reply,
  the connection dropped or timed out mid-message). Retried with backoff.
- permanent: the server will never take it (a 5xx reply, every recipient
  refused with 5xx, an address it cannot be sent to). Parked with the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import logging
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPNotSupported,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPServerDisconnected,
)

from server.settings import Settings, SettingsError

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 10.0
# Python folds a long header with a space left before an encoded word ("ME14 \r\n =?utf-8?...?="), which
# readers show as a double space. Subjects are short: keep each header on one line, within RFC 5322's 998.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
WIRE_POLICY_COMPAT32 = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, outage: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.outage = outage


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpServer:
        """SMTP_URL (smtp:// with STARTTLS when offered, smtps:// for TLS from the start), else the dev mailbox."""
        if settings.smtp_url is None:
            if settings.is_production:
                raise SettingsError("SMTP_URL is required to send email when APP_ENV=production")
            return cls(hostname="127.0.0.1", port=settings.dev_mailbox_port)
        parts = urlsplit(settings.smtp_url)
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if use_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
        )


class SmtpSender:
    """Sends serially over one connection, opened lazily and reopened when it drops."""

    def __init__(
        self,
        server: SmtpServer,
        *,
        timeout: float = SEND_TIMEOUT_SECONDS,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        self.server = server
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._client: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        return cls(SmtpServer.from_settings(settings))

    async def send(self, message: Message) -> None:
        """Deliver one message, or raise DeliveryError saying whether to retry."""
        try:
            sender, recipients, wire = _envelope(message)
        except (ValueError, LookupError) as error:
            raise DeliveryError(f"bad address: {error}", permanent=True) from error
        for last_chance in (False, True):
            client = await self._connection()
            reused = self._sent_on_connection > 0
            try:
                await asyncio.wait_for(client.sendmail(sender, recipients, wire), self.timeout)
            except SMTPServerDisconnected as error:
                self._discard()
                if reused and not last_chance:
                    # Servers close idle connections; the first send on a reused one finds out. Once more, fresh.
                    continue
                raise DeliveryError(f"connection lost while sending: {error}") from error
            except TimeoutError as error:
                self._discard()
                raise DeliveryError(f"no answer from the mail server within {self.timeout:g} s") from error
            except SMTPRecipientsRefused as error:
                codes = [refusal.code for refusal in error.recipients]
                detail = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
                raise DeliveryError(
                    f"recipient refused: {detail}", permanent=all(_permanent(c) for c in codes)
                ) from error
            except SMTPResponseException as error:
                if error.code == 421:
                    self._discard()  # "closing transmission channel"
                raise DeliveryError(f"{error.code} {error.message}", permanent=_permanent(error.code)) from error
            except SMTPNotSupported as error:
                raise DeliveryError(f"the mail server cannot take this message: {error}", permanent=True) from error
            except ValueError as error:
                # aiosmtplib refuses an address it cannot put in an envelope before talking to the server.
                raise DeliveryError(f"bad address: {error}", permanent=True) from error
            except (SMTPException, OSError) as error:
                self._discard()
                raise DeliveryError(f"{type(error).__name__}: {error}") from error
            self._sent_on_connection += 1
            return

    async def close(self) -> None:
        """Say QUIT politely; a connection that will not is simply closed."""
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), self.connect_timeout)
        except (SMTPException, OSError, TimeoutError):
            client.close()

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        self._discard()
        client = aiosmtplib.SMTP(
            hostname=self.server.hostname,
            port=self.server.port,
            username=self.server.username,
            password=self.server.password,
            use_tls=self.server.use_tls,
            timeout=self.timeout,
            # Naming ourselves avoids a reverse DNS lookup (socket.getfqdn) on every reconnect.
            local_hostname="placement-exchange",
        )
        try:
            await asyncio.wait_for(client.connect(), self.connect_timeout)
        except (SMTPException, OSError, TimeoutError) as error:
            client.close()
            where = f"{self.server.hostname}:{self.server.port}"
            raise DeliveryError(
                f"cannot reach the mail server at {where}: {error or type(error).__name__}", outage=True
            ) from error
        self._client = client
        self._sent_on_connection = 0
        return client

    def _discard(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def _envelope(message: Message) -> tuple[str, list[str], bytes]:
    sender = getaddresses([str(message["From"])])[0][1]
    recipients = [address for _, address in getaddresses([str(value) for value in message.get_all("To", [])])]
    if not sender or not recipients or not all(recipients):
        raise ValueError(f"no usable From/To in {message['From']!r} -> {message.get_all('To')!r}")
    policy = WIRE_POLICY if isinstance(message, EmailMessage) else WIRE_POLICY_COMPAT32
    return sender, recipients, message.as_bytes(policy=policy)


def _permanent(code: int) -> bool:
    return 500 <= code <= 599
