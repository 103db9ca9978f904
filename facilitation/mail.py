"""Sending e-mail: through SMTP (settings in config), or into the outbox the app shows (the development default).

MAIL_BACKEND is `smtp` when SMTP_HOST is set and `outbox` otherwise. The outbox is a table, so
every server process and the reminder sender share it, and a message kept there commits in the
same transaction as the reminder claim that produced it.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

from .extensions import db
from .models import OutboxMessage, utcnow


def build(
    to: str,
    subject: str,
    body: str,
    key: str | None = None,
    sender: str | None = None,
    *,
    html: str | None = None,
    calendar: bytes | None = None,
    method: str | None = None,
) -> EmailMessage:
    """A plain-text message (with an HTML alternative and an iCalendar part when given); `key` makes a
    stable Message-ID, so a receiver can spot a repeat too.

    The calendar goes in as a third alternative, text/calendar with its METHOD (REQUEST or CANCEL): the
    form Outlook and Google Calendar read as an invitation with Accept and Decline.
    """
    sender = sender or current_app.config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "common-ground.local"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{key}@{domain}>" if key else make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if calendar is not None:
        message.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method or "REQUEST"})
    return message


def plain_text(message: EmailMessage) -> str:
    """A message's plain-text body (the whole body of a single-part message)."""
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    return part.get_content() if part is not None else ""


class Sender:
    """Hands messages over; one SMTP connection is opened on first use and reused for a whole run."""

    def __init__(self, config):
        self.backend = config.get("MAIL_BACKEND", "outbox")
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        if self.backend not in ("smtp", "outbox"):
            raise RuntimeError(f"Unknown MAIL_BACKEND {self.backend!r}: use smtp or outbox.")

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Send one message, or keep it in the outbox (committed by the caller)."""
        if self.backend == "outbox":
            db.session.add(
                OutboxMessage(
                    message_id=message["Message-ID"],
                    sender=message["From"],
                    recipient=message["To"],
                    subject=message["Subject"],
                    body=plain_text(message),
                    created_at=utcnow(),
                )
            )
            return
        reused = self.smtp is not None
        try:
            self._connection().send_message(message)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server closed a connection kept from an earlier message (idle timeout); that
            # fails before the message is handed over, so one retry on a new connection is safe.
            self.smtp = None
            self._connection().send_message(message)

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        c = self.config
        host, port, timeout = c["SMTP_HOST"], int(c["SMTP_PORT"]), float(c["SMTP_TIMEOUT"])
        if not host:
            raise RuntimeError("MAIL_BACKEND is smtp but SMTP_HOST is not set.")
        security = c.get("SMTP_SECURITY", "starttls")
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if c.get("SMTP_USERNAME"):
            smtp.login(c["SMTP_USERNAME"], c.get("SMTP_PASSWORD") or "")
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass
            self.smtp = None
