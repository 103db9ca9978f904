"""Sending an e-mail once, whichever process sends it: claim it in the database, then hand it over.

Used by the action reminders and digests (services.action_log.reminders) and by invitations
(services.invitations). A message is named by (kind, subject, recipient, occasion); the unique key on
those four in `reminders_sent` is the claim: of several processes inserting the same message, exactly
one succeeds. A failed send may be claimed again (up to MAIL_MAX_ATTEMPTS); a claim whose sender died
mid-send is never resent (it may have gone out).
"""

from __future__ import annotations

import os
import socket
from typing import Protocol

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..extensions import db
from ..models import ReminderSent, utcnow
from .pipeline import begin_write


class Message(Protocol):
    """What names one message to send once (domain.action_log.Reminder is one)."""

    kind: str
    subject: str
    recipient: str
    occasion: str
    action_id: int | None


def sender_name() -> str:
    """This process, as a claim records it (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _where(m: Message):
    return (
        ReminderSent.kind == m.kind, ReminderSent.subject == m.subject,
        ReminderSent.recipient == m.recipient, ReminderSent.occasion == m.occasion,
    )


def claim(m: Message, now) -> int | None:
    """Claim a message for this process; None when another sender has it (or sent it) already."""
    me = sender_name()
    begin_write()
    try:
        row = ReminderSent(
            kind=m.kind, subject=m.subject, recipient=m.recipient, occasion=m.occasion, action_id=m.action_id,
            status="claimed", attempts=1, claimed_by=me, claimed_at=now,
        )
        db.session.add(row)
        db.session.commit()
        return row.id
    except IntegrityError:
        db.session.rollback()
    begin_write()
    retried = db.session.execute(
        update(ReminderSent)
        .where(*_where(m), ReminderSent.status == "failed", ReminderSent.attempts < current_app.config["MAIL_MAX_ATTEMPTS"])
        .values(status="claimed", attempts=ReminderSent.attempts + 1, claimed_by=me, claimed_at=now, error=None)
    )
    db.session.commit()
    if retried.rowcount != 1:
        return None
    return db.session.scalar(select(ReminderSent.id).where(*_where(m)))


def status_of(m: Message) -> tuple[str, str | None] | None:
    """The claim's status and error (claimed, sent or failed), or None when nobody claimed it."""
    row = db.session.execute(select(ReminderSent.status, ReminderSent.error).where(*_where(m))).first()
    return (row[0], row[1]) if row else None


def deliver(claim_id: int, message, sender: mail.Sender) -> str | None:
    """Send a claimed message and mark the claim; returns the error text if it failed."""
    try:
        sender.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure to hand over the message is recorded and retried later
        db.session.rollback()
        begin_write()
        db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id).values(status="failed", error=str(exc)[:1000]))
        db.session.commit()
        return str(exc)
    begin_write()
    db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id).values(status="sent", sent_at=utcnow()))
    db.session.commit()  # with the outbox backend, the message row commits together with its claim
    return None
