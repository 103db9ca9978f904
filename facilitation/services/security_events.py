"""Security events: refusals worth an administrator's attention, logged as one JSON line and counted.

`record(kind, ...)` writes a structured line to the `facilitation.security` logger and counts the event
in the `security_events` table, which every server process shares, so the administration page sees the
whole deployment. Nothing personal goes in: ids, the event's kind, the command, socket event or route
refused as a short code, and the client's address. Never names, never text anyone typed.

A flood of refusals must not become a flood of writes (or of log lines). Events are counted per kind,
minute and key (link, account, meeting, address, reason) in each process: the first of a key in a minute
is logged and written at once; repeats are only counted in memory and added to that row by one UPDATE
a few seconds later (`SECURITY_EVENTS_FLUSH_SECONDS`), with one "repeated" log line. A process keeps at
most `KEYS_PER_MINUTE` keys of a kind per minute; beyond that (someone rotating addresses or tokens)
events of the kind are folded into one key without ids or address.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import case, delete, func, or_, select, update

from .. import queries
from ..extensions import db, socketio
from ..models import Meeting, SecurityEvent, User, utcnow
from .writes import write

log = logging.getLogger("facilitation.security")

#: Each kind, as the administration page names it.
KINDS: dict[str, str] = {
    "connection_refused": "Socket connections refused (unknown, withdrawn or expired link)",
    "too_many_connections": "Socket connections over the cap per link or per address",
    "unauthorised": "Requests and socket events with a link or token that does not work",
    "forbidden": "Commands and reads the role does not allow",
    "rate_limited": "Requests and socket events over a rate limit",
    "flood_disconnect": "Sockets disconnected for flooding",
    "csrf_failed": "Forms and API requests refused without a valid CSRF token",
    "sign_in_failed": "Failed staff sign-ins",
    "account_locked": "Staff accounts locked after failed sign-ins",
    "sso_refused": "Single sign-ons refused (provider refusal, bad token, domain or account not allowed)",
}

#: distinct keys of one kind a process writes per minute before folding the rest into one
KEYS_PER_MINUTE = 50

_CODE = re.compile(r"[A-Za-z0-9_.:/-]{1,80}")


class Key(NamedTuple):
    kind: str
    minute: datetime
    #: whose log the event goes in: the organisation the request or event was scoped to, if it was
    organisation_id: int | None
    link_id: int | None
    user_id: int | None
    meeting_id: int | None
    address: str | None
    detail: str | None


@dataclass
class _Counts:
    """One process's counts for one app: the row of each key this minute, and repeats not yet written."""

    rows: dict[Key, int | None] = field(default_factory=dict)
    pending: dict[Key, int] = field(default_factory=dict)
    #: the minute `keys_per_kind` counts
    minute: datetime | None = None
    keys_per_kind: dict[str, int] = field(default_factory=dict)
    flushing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app: Flask) -> None:
    """Give the app its counts, and make sure the security log reaches somewhere (stderr unless configured)."""
    app.extensions["security_events"] = _Counts()
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not log.handlers:
        # Nothing configured (python app.py): one JSON line per event on stderr, which the service
        # manager keeps. A deployment that configures logging routes "facilitation.security" itself.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)


def code(value: object) -> str | None:
    """A short code safe to log (a command, route or event name), or "other" for anything else."""
    if value is None:
        return None
    return value if isinstance(value, str) and _CODE.fullmatch(value) else "other"


def record(
    kind: str,
    *,
    link_id: int | None = None,
    user_id: int | None = None,
    meeting_id: int | None = None,
    address: str | None = None,
    detail: str | None = None,
    organisation_id: int | None = None,
) -> None:
    """Log and count one security event (call it outside any unfinished transaction: the count commits),
    in the log of the organisation given, else of the one the context is scoped to, else of none."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind}")
    counts: _Counts = current_app.extensions["security_events"]
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    if organisation_id is None:
        organisation_id = _organisation_of(user_id, meeting_id)
    key = Key(kind, minute, organisation_id, link_id, user_id, meeting_id, (address or "")[:64] or None, code(detail))
    with counts.lock:
        if minute != counts.minute:
            _forget_past_minutes(counts, minute)
        if key not in counts.rows and counts.keys_per_kind.get(kind, 0) >= KEYS_PER_MINUTE:
            key = Key(kind, minute, organisation_id, None, None, None, None, "many_keys")
        first = key not in counts.rows
        if first:
            counts.keys_per_kind[kind] = counts.keys_per_kind.get(kind, 0) + 1
            counts.rows[key] = None  # claimed: a repeat arriving meanwhile is pending, not a second row
        else:
            counts.pending[key] = counts.pending.get(key, 0) + 1
            start_flusher = not counts.flushing
            counts.flushing = True
    if not first:
        if start_flusher:
            socketio.start_background_task(_flush_later, current_app._get_current_object())
        return
    _log(key, now)
    try:
        with write():
            row = SecurityEvent(**key._asdict(), count=1)
            db.session.add(row)
            db.session.flush()
            row_id = row.id
    except Exception:  # the refusal is still answered when the count cannot be written
        current_app.logger.exception("could not count a security event")
        return
    with counts.lock:
        if key in counts.rows:
            counts.rows[key] = row_id


def _organisation_of(user_id: int | None, meeting_id: int | None) -> int | None:
    """Whose log an event goes in: the organisation the context is scoped to, else the meeting's or the
    account's (a refusal before anything was scoped: a withdrawn link, a failed sign-in), else none."""
    organisation_id = queries.scoped_organisation_id()
    if organisation_id is not None:
        return organisation_id
    try:
        if meeting_id is not None:
            return db.session.scalar(select(Meeting.organisation_id).where(Meeting.id == meeting_id))
        if user_id is not None:
            return db.session.scalar(select(User.organisation_id).where(User.id == user_id))
    except Exception:  # the refusal is still answered and logged when the lookup fails
        current_app.logger.exception("could not find a security event's organisation")
    return None


def _forget_past_minutes(counts: _Counts, minute: datetime) -> None:
    """A new minute: keys of past minutes get no more repeats, so only those still pending are kept."""
    counts.minute = minute
    counts.keys_per_kind.clear()
    for key in [k for k in counts.rows if k.minute < minute and k not in counts.pending]:
        del counts.rows[key]


def _log(key: Key, at: datetime, repeated: int | None = None) -> None:
    line = {"security_event": key.kind, "at": at.isoformat(timespec="seconds")}
    for name in ("organisation_id", "link_id", "user_id", "meeting_id", "address", "detail"):
        value = getattr(key, name)
        if value is not None:
            line[name] = value
    if repeated:
        line["repeated"] = repeated
        line["minute"] = key.minute.isoformat(timespec="minutes")
    log.warning(json.dumps(line, separators=(",", ":")))


def _flush_later(app: Flask) -> None:
    socketio.sleep(float(app.config["SECURITY_EVENTS_FLUSH_SECONDS"]))
    with app.app_context():
        flush()


def flush() -> None:
    """Add the repeats counted in this process to their rows (one UPDATE per key) and log how many."""
    counts: _Counts = current_app.extensions["security_events"]
    with counts.lock:
        pending, counts.pending = counts.pending, {}
        counts.flushing = False
        rows = {key: counts.rows.get(key) for key in pending}
    if not pending:
        return
    try:
        with write():
            for key, n in pending.items():
                if rows[key]:
                    db.session.execute(
                        update(SecurityEvent).where(SecurityEvent.id == rows[key]).values(count=SecurityEvent.count + n)
                    )
                else:  # its first write failed or is still under way: the repeats get a row of their own
                    db.session.add(SecurityEvent(**key._asdict(), count=n))
    except Exception:
        current_app.logger.exception("could not count repeated security events")
        return
    for key, n in pending.items():
        _log(key, key.minute, n)


def prune(now: datetime, days: int, dry_run: bool = False) -> tuple[datetime, int] | None:
    """Delete the counts of minutes more than `days` before `now` (every organisation's, and those of
    none); returns the cut-off and how many rows went (or would go), None when `days` is 0 (kept)."""
    if days <= 0:
        return None
    cutoff = now - timedelta(days=days)
    old = SecurityEvent.minute < cutoff
    if dry_run:
        return cutoff, db.session.scalar(select(func.count()).select_from(SecurityEvent).where(old)) or 0
    with write():
        deleted = db.session.execute(delete(SecurityEvent).where(old)).rowcount
    return cutoff, deleted


def _of(query, organisations: tuple[int | None, ...] | None):
    """The query limited to the events of these organisations (None in the tuple: events of none)."""
    if organisations is None:
        return query
    ids = [o for o in organisations if o is not None]
    wanted = SecurityEvent.organisation_id.in_(ids)
    return query.where(or_(wanted, SecurityEvent.organisation_id.is_(None)) if None in organisations else wanted)


def totals(now: datetime | None = None, organisations: tuple[int | None, ...] | None = None) -> list[dict]:
    """Events per kind in the last 24 hours and the last 7 days, every kind listed (for administrators);
    of the organisations given (None among them: events tied to no organisation), else of all."""
    now = now or utcnow()
    day, week = now - timedelta(hours=24), now - timedelta(days=7)
    query = select(
        SecurityEvent.kind,
        func.sum(case((SecurityEvent.minute >= day, SecurityEvent.count), else_=0)),
        func.sum(SecurityEvent.count),
    ).where(SecurityEvent.minute >= week)
    rows = db.session.execute(_of(query, organisations).group_by(SecurityEvent.kind)).all()
    found = {kind: (int(d or 0), int(w or 0)) for kind, d, w in rows}
    return [{"kind": k, "label": label, "day": found.get(k, (0, 0))[0], "week": found.get(k, (0, 0))[1]} for k, label in KINDS.items()]


def recent(limit: int = 50, organisations: tuple[int | None, ...] | None = None) -> list[SecurityEvent]:
    """The latest counted keys (kind, minute, ids, address, reason, count), newest first; of the
    organisations given (as for `totals`), else of all."""
    query = _of(select(SecurityEvent), organisations)
    return db.session.scalars(query.order_by(SecurityEvent.minute.desc(), SecurityEvent.id.desc()).limit(limit)).all()
