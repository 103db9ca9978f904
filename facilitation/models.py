"""Database tables. Rules live in facilitation.domain; these classes only hold the data."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    JSON,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from .extensions import db


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: what marks a value sealed by SealedString (values written before sealing have no such prefix)
SEALED_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _sealer(secret_key: str) -> Fernet:
    """The Fernet key for sealed columns, derived from the app's SECRET_KEY (never stored)."""
    digest = hashlib.sha256(b"common-ground sealed column\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SealedString(TypeDecorator):
    """A secret kept encrypted in the database (Fernet, keyed from SECRET_KEY), so a dump or a backup of
    the database does not give it away; read back as plain text. A value sealed under another SECRET_KEY
    reads as None: it has to be entered again."""

    impl = String(500)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return SEALED_PREFIX + _sealer(current_app.config["SECRET_KEY"]).encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None or not value.startswith(SEALED_PREFIX):
            return value
        try:
            return _sealer(current_app.config["SECRET_KEY"]).decrypt(value[len(SEALED_PREFIX) :].encode()).decode()
        except InvalidToken:
            return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Meeting(db.Model):
    __tablename__ = "meetings"
    #: the action log's child filter matches child_ref without regard to case
    __table_args__ = (Index("ix_meetings_child_ref_lower", func.lower(db.text("child_ref"))),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: one of domain.meetings.MEETING_TYPES
    meeting_type: Mapped[str] = mapped_column(String(40))
    #: initials or a case code; never the child's full name by default
    child_ref: Mapped[str] = mapped_column(String(40), index=True)
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    #: draft, live or ended (domain.agenda)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_item_id: Mapped[int | None] = mapped_column()
    #: sequence number of the last event broadcast for this meeting
    last_seq: Mapped[int] = mapped_column(default=0)
    #: bumped on every edit of the meeting's details, for conflict detection
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the school or service whose meeting it is: its settings, accounts, retention and access log apply
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True, default=1, server_default="1")
    #: the staff account that prepared the meeting (none for meetings made before accounts)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the child's year group (0 Reception .. 14), and the preparation-for-adulthood areas chosen for the
    #: agenda from Year 9 (domain.outcomes.PFA_AREAS)
    year_group: Mapped[int | None] = mapped_column()
    adulthood_areas: Mapped[list | None] = mapped_column(JSON)
    #: US IEP meeting: when and how the procedural safeguards notice was offered to the parent, and the
    #: parent's consent where needed (given / refused / not_needed) with its date (domain.minutes.reports)
    safeguards_offered_on: Mapped[date | None] = mapped_column(Date)
    safeguards_how: Mapped[str | None] = mapped_column(String(20))
    consent: Mapped[str | None] = mapped_column(String(12))
    consent_on: Mapped[date | None] = mapped_column(Date)

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", order_by="Participant.id", cascade="all, delete-orphan"
    )


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str | None] = mapped_column(String(120))
    allocated_seconds: Mapped[int] = mapped_column()
    #: time added by the chair's extensions
    extended_seconds: Mapped[int] = mapped_column(default=0)
    #: percent applied to the allocation, e.g. 150 for an item that is interpreted (domain.agenda)
    time_scale: Mapped[int] = mapped_column(default=100, server_default="100")
    #: pending, running, paused, left, done or skipped (domain.agenda)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: moved to the end of the agenda during the meeting
    deferred: Mapped[bool] = mapped_column(default=False)
    #: seconds run in segments that have closed
    elapsed_before: Mapped[float] = mapped_column(default=0.0)
    #: start of the segment now running, if any
    run_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many times the item was opened (Go to and Previous open it again)
    visits: Mapped[int] = mapped_column(default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it was last finished or skipped; kept while a finished item is reopened
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="items")


class Participant(db.Model):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: one of domain.meetings.PARTICIPANT_ROLES
    role: Mapped[str] = mapped_column(String(40))
    #: one of domain.meetings.AGENCIES
    agency: Mapped[str] = mapped_column(String(40))
    #: the agency's own name, e.g. "Northshire SALT service"
    agency_name: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when the chair removes them; the row stays so the record still names them
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: expected, in_room, remote, apologies or absent (domain.registers.ATTENDANCE)
    attendance: Mapped[str] = mapped_column(String(20), default="expected")
    arrived_late: Mapped[bool] = mapped_column(default=False)
    left_early: Mapped[bool] = mapped_column(default=False)
    #: first time their link connected while the meeting was live
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: false while their attendance was taken from their link connecting and not yet confirmed
    attendance_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the language they speak in the meeting, e.g. "Polish"
    language: Mapped[str | None] = mapped_column(String(60))
    needs_interpreter: Mapped[bool] = mapped_column(default=False, server_default=false())

    meeting: Mapped[Meeting] = relationship(back_populates="participants")


class AccessLink(db.Model):
    """A secret link bound to one meeting and one role (domain.access.LINK_ROLES)."""

    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: chair, note_taker, participant, observer or screen (domain.access)
    role: Mapped[str] = mapped_column(String(20))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    #: 256 bits from secrets.token_urlsafe; the link itself
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: after this the link no longer opens anything (invite links expire; none for staff links)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a staff link (chair, note-taker) works only for this signed-in account
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    participant: Mapped[Participant | None] = relationship()


class MeetingEvent(db.Model):
    """The ordered log of what changed in a meeting; replayed to clients that missed events."""

    __tablename__ = "meeting_events"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    type: Mapped[str] = mapped_column(String(60))
    #: the changed entities as clients see them
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommandRecord(db.Model):
    """A command already applied, so that a retry with the same id returns the first result."""

    __tablename__ = "command_records"
    __table_args__ = (UniqueConstraint("meeting_id", "command_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    command_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(60))
    #: sha256 of the command's name and arguments: a reused id with other content is refused
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(db.Model):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_meeting_at", "meeting_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    #: the access link used, and a readable label of who that was at the time
    link_id: Mapped[int | None] = mapped_column()
    #: the signed-in staff account, when there was one
    user_id: Mapped[int | None] = mapped_column()
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SocketSession(db.Model):
    """An open Socket.IO connection and its link, so any server process can cut it off."""

    __tablename__ = "socket_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[int] = mapped_column(index=True)
    meeting_id: Mapped[int] = mapped_column(index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the client's address (after ProxyFix), so sockets per address can be capped across processes
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the server process holding the socket (services.socket_sessions.process_id), and when that
    #: process last said it is alive: the rows of a process that stopped saying so (killed outright)
    #: are removed by the others, so they stop counting against the caps
    process_id: Mapped[str | None] = mapped_column(String(32), index=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Decision(db.Model):
    """A decision recorded in the meeting, with its reasons, evidence and the options rejected."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str | None] = mapped_column(Text)
    #: what the decision rests on, e.g. "EP report, 3 Feb"
    evidence: Mapped[str | None] = mapped_column(Text)
    #: other options considered and why they were rejected
    options_considered: Mapped[str | None] = mapped_column(Text)
    #: agreed, agreed_with_dissent or deferred (domain.registers)
    status: Mapped[str] = mapped_column(String(30))
    #: participant ids of those who dissent
    dissenter_ids: Mapped[list] = mapped_column(JSON, default=list)
    disagreement_id: Mapped[int | None] = mapped_column(ForeignKey("disagreements.id", ondelete="SET NULL"))
    review_date: Mapped[date | None] = mapped_column(Date)
    #: documents of the meeting's evidence pack this entry rests on (ids of `documents`)
    cited_document_ids: Mapped[list | None] = mapped_column(JSON)
    #: "proposes" or "refuses" for an action a US prior written notice is given for; the other factors
    #: relevant to it (34 CFR 300.503(b)(7))
    notice: Mapped[str | None] = mapped_column(String(10))
    other_factors: Mapped[str | None] = mapped_column(Text)
    #: the child's views this decision answers: ids of the meeting's answered `child_views` evidence
    #: requests, and whether it answers the views recorded in the minutes
    answers_view_ids: Mapped[list | None] = mapped_column(JSON)
    answers_recorded_views: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: seen only by the roles in domain.access.CONFIDENTIAL_READERS (e.g. health detail)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanOutcome(db.Model):
    """An outcome of the child's plan (an IEP goal) reviewed in the meeting, with the progress recorded against it."""

    __tablename__ = "plan_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: order in the plan (1, 2, ...)
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    #: a preparation-for-adulthood area (domain.outcomes.PFA_AREAS), if the outcome is one
    area: Mapped[str | None] = mapped_column(String(30))
    progress: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    #: yes, partly or no (domain.outcomes.STILL_APPROPRIATE)
    still_appropriate: Mapped[str | None] = mapped_column(String(10))
    proposed_change: Mapped[str | None] = mapped_column(Text)
    #: the outcome of the child's last review it was carried from
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan_outcomes.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanAmendment(db.Model):
    """A section of the EHC plan to amend (A to K), with the proposed wording."""

    __tablename__ = "plan_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: a key of domain.outcomes.EHCP_SECTIONS
    section: Mapped[str] = mapped_column(String(4))
    wording: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportSending(db.Model):
    """A statutory report sent to one recipient on a date: "sent to the local authority on 12 March"."""

    __tablename__ = "report_sendings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: a key of domain.minutes.reports.REPORTS
    report: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(200))
    #: local_authority, parent, young_person, school, professional, other (domain.reporting.RECIPIENTS)
    recipient_kind: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    #: the minutes version sent
    minutes_number: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Action(db.Model):
    """Who will do what by when, for which agency, and when someone checks it was done."""

    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_due", "due_date"),
        Index("ix_actions_follow_up", "follow_up_date"),
        # The action log (benchmarks/action_log.py), live actions only: counts per status read in
        # status order (no hashing); pages in due-date order, deep ones too; the meeting, child and
        # meeting-type filters (counts, and the page sorted by owner). Each is answered from the
        # index alone, in PostgreSQL too (hence `id`, which SQLite's indexes hold anyway).
        Index(
            "ix_actions_log_status_live",
            "status",
            "due_date",
            "follow_up_date",
            postgresql_where=db.text("deleted_at IS NULL"),
            sqlite_where=db.text("deleted_at IS NULL"),
        ),
        Index(
            "ix_actions_log_due_live",
            "due_date",
            "id",
            postgresql_where=db.text("deleted_at IS NULL"),
            sqlite_where=db.text("deleted_at IS NULL"),
        ),
        Index(
            "ix_actions_log_meeting_live",
            "meeting_id",
            "status",
            "due_date",
            "follow_up_date",
            "owner_participant_id",
            "owner_name",
            "id",
            postgresql_where=db.text("deleted_at IS NULL"),
            sqlite_where=db.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(Text)
    #: the owner: a participant, or a named person outside the meeting
    owner_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    owner_name: Mapped[str | None] = mapped_column(String(120))
    owner_agency: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    follow_up_date: Mapped[date] = mapped_column(Date)
    #: the need or outcome served, e.g. "Communication and interaction: outcome 2"
    need: Mapped[str | None] = mapped_column(String(200))
    #: documents of the meeting's evidence pack this entry rests on (ids of `documents`)
    cited_document_ids: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: for an owner outside the meeting: where reminders go (participants' addresses: ParticipantEmail)
    owner_email: Mapped[str | None] = mapped_column(String(254))
    #: the day it was done, found not done or cancelled (domain.action_log)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: when progress was last recorded
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: seen only by the roles in domain.access.CONFIDENTIAL_READERS (e.g. health detail)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Disagreement(db.Model):
    """A point people disagree on, each party's position, and the agreed next step."""

    __tablename__ = "disagreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=False)
    resolution: Mapped[str | None] = mapped_column(Text)
    #: what it is about: a kind of domain.routes.KINDS for the meeting's jurisdiction
    about: Mapped[str | None] = mapped_column(String(30))
    #: the agreed route: a key of domain.routes.ROUTES for the meeting's jurisdiction
    next_step: Mapped[str | None] = mapped_column(String(40))
    #: the dates the route's clocks start from, {event: "YYYY-MM-DD"} (domain.routes.asks_for)
    route_dates: Mapped[dict | None] = mapped_column(JSON)
    next_step_owner_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    next_step_owner_name: Mapped[str | None] = mapped_column(String(120))
    next_step_agency: Mapped[str | None] = mapped_column(String(120))
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    #: when it was marked resolved (none for records made before this was kept)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a dissent from this section of the circulated minutes (domain.minutes.sign_off), if that is what it is
    minutes_section: Mapped[str | None] = mapped_column(String(40))
    #: the short reflective review after it was resolved: when it is to happen, and what it found
    reflection_date: Mapped[date | None] = mapped_column(Date)
    reflection_worked: Mapped[str | None] = mapped_column(Text)
    reflection_differently: Mapped[str | None] = mapped_column(Text)
    reflected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: seen only by the roles in domain.access.CONFIDENTIAL_READERS (e.g. health detail)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    positions: Mapped[list[Position]] = relationship(order_by="Position.id", cascade="all, delete-orphan")


class Position(db.Model):
    """One party's view in a disagreement, in their own words, with the evidence they rely on."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    disagreement_id: Mapped[int] = mapped_column(ForeignKey("disagreements.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    #: for a party not at the meeting (e.g. "Northshire SEND panel")
    party_name: Mapped[str | None] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(120))
    view: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    #: documents of the meeting's evidence pack this entry rests on (ids of `documents`)
    cited_document_ids: Mapped[list | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SpeakingRequest(db.Model):
    """A participant's raised hand, written question or comment, or request for a break (domain.speaking)."""

    __tablename__ = "speaking_requests"
    #: a participant's requests still waiting are counted on every new one (one hand, the flood guard)
    __table_args__ = (Index("ix_speaking_requests_participant_status", "participant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: hand, question, comment or break (domain.speaking.KINDS)
    kind: Mapped[str] = mapped_column(String(10))
    #: the question or comment in the participant's words; none for a hand or a break
    text: Mapped[str | None] = mapped_column(Text)
    #: the item the meeting was on when it was sent
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    #: waiting, answered or withdrawn (domain.speaking.STATUSES)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)


# ---------------------------------------------------------------- minutes


class MinutesDetails(db.Model):
    """What the minutes need that the registers do not hold: views, next review, recommendation."""

    __tablename__ = "minutes_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    #: the child's or young person's views, wishes and feelings, as recorded
    child_views: Mapped[str | None] = mapped_column(Text)
    #: the parents' or carers' views, as recorded
    family_views: Mapped[str | None] = mapped_column(Text)
    #: the chair's easy-read version of the family summary, exported beside the full one
    easy_read: Mapped[str | None] = mapped_column(Text)
    next_review_date: Mapped[date | None] = mapped_column(Date)
    #: EHCP annual review only: maintain, amend or cease (domain.minutes.RECOMMENDATIONS)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinutesVersion(db.Model):
    """One version of a meeting's minutes: a draft, circulated for checking, then approved and frozen."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: 1 for the first minutes, N+1 for each amendment
    number: Mapped[int] = mapped_column()
    #: draft, circulated or approved (domain.minutes)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: how many times this version's draft has been circulated (each correction round adds one)
    revision: Mapped[int] = mapped_column(default=0)
    #: the draft as last circulated (domain.minutes.Minutes.to_dict)
    circulated_content: Mapped[dict | None] = mapped_column(JSON)
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the minutes as approved: frozen, never rebuilt
    content: Mapped[dict | None] = mapped_column(JSON)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    #: why this amendment was made (versions after the first)
    amendment_note: Mapped[str | None] = mapped_column(Text)
    #: what changed from the previous approved version, one line per change
    changes: Mapped[list | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinutesResponse(db.Model):
    """A participant's answer to a circulated draft: confirmed, or a correction requested with a comment."""

    __tablename__ = "minutes_responses"
    __table_args__ = (UniqueConstraint("minutes_version_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: confirmed or correction (domain.minutes.RESPONSES)
    response: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    #: the circulation round answered; an older round means the draft changed since
    revision: Mapped[int] = mapped_column()
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinutesSectionAnswer(db.Model):
    """A participant's answer to one section of a circulated draft: agrees, or dissents in their own words
    (a dissent is also a disagreement entry: domain.minutes.sign_off)."""

    __tablename__ = "minutes_section_answers"
    __table_args__ = (UniqueConstraint("minutes_version_id", "participant_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: a key of domain.minutes.sign_off.sections(): attendance, item:<id>, actions, views ...
    section: Mapped[str] = mapped_column(String(40))
    #: agree or dissent
    answer: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    #: the difference of opinion a dissent became
    disagreement_id: Mapped[int | None] = mapped_column(ForeignKey("disagreements.id", ondelete="SET NULL"))
    #: the circulation round answered
    revision: Mapped[int] = mapped_column()
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# ---------------------------------------------------------------- the action log after the meeting

#: The action log filters, counts and sorts on these (benchmarks/action_log.py measures them). Each
#: "log" index leads with a filter and covers the counts per status, overdue, due this week and
#: lapsed, so SQLite and PostgreSQL count from the index without reading the table.
_COUNTED = (Action.status, Action.due_date, Action.follow_up_date, Action.deleted_at)
Index("ix_actions_log_status", *_COUNTED)
Index("ix_actions_log_agency", Action.owner_agency, *_COUNTED)
#: (the owner columns let "one meeting type, sorted by owner" read the index alone)
Index("ix_actions_log_meeting", Action.meeting_id, *_COUNTED, Action.owner_participant_id, Action.owner_name)
Index("ix_actions_log_due", Action.due_date, Action.status, Action.follow_up_date, Action.deleted_at)
Index("ix_actions_log_follow_up", Action.follow_up_date, Action.status, Action.due_date, Action.deleted_at)
Index("ix_actions_log_owner", Action.owner_participant_id, *_COUNTED)
Index("ix_actions_log_owner_name", Action.owner_name, *_COUNTED)
#: a chair's log (the meetings of one account): the agencies to choose from, read from the index alone
#: (in SQLite too: hence deleted_at as a column, not a partial index), and the agency filter there
Index("ix_actions_log_meeting_agency", Action.meeting_id, Action.owner_agency, Action.deleted_at)
#: "last activity" (the last progress update, or when the action was agreed), newest first
Index("ix_actions_last_activity", func.coalesce(Action.progress_at, Action.created_at), Action.id)
#: The log's owner search (a name *containing* the text typed, any case) on PostgreSQL: trigram
#: indexes (extension pg_trgm), which answer `lower(name) LIKE '%...%'`; no b-tree index can. Created
#: on PostgreSQL only (migration 9c4e2b7d1f30); SQLite reads the names (services.action_log).
event.listen(db.metadata, "before_create", DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
Index(
    "ix_participants_name_trgm",
    func.lower(Participant.name).label("name_lower"),
    postgresql_using="gin",
    postgresql_ops={"name_lower": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_actions_owner_name_trgm",
    func.lower(Action.owner_name).label("owner_name_lower"),
    postgresql_using="gin",
    postgresql_ops={"owner_name_lower": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class ActionUpdate(db.Model):
    """One entry in an action's history: progress (status, dated note, evidence) or support that did not happen."""

    __tablename__ = "action_updates"
    __table_args__ = (Index("ix_action_updates_action", "action_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    #: the action's own meeting (kept here so a meeting's records can be exported or purged together)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: progress or missed_provision (domain.action_log.UPDATE_KINDS)
    kind: Mapped[str] = mapped_column(String(20))
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    #: the day it happened: a progress note's date, or the day agreed support did not happen
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    #: a link or a short description, e.g. "6 SALT sessions delivered, log attached"
    evidence: Mapped[str | None] = mapped_column(Text)
    #: who wrote it, as a readable label, and the link and participant they used
    author: Mapped[str] = mapped_column(String(200))
    link_id: Mapped[int | None] = mapped_column()
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    #: the later meeting in whose "Review of previous actions" this was recorded, if any
    reviewed_in_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParticipantEmail(db.Model):
    """A participant's e-mail address for reminders; kept apart from what others in the room are shown."""

    __tablename__ = "participant_emails"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChairEmail(db.Model):
    """Where a meeting's chair wants the weekly digest of its actions."""

    __tablename__ = "chair_emails"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A private ICS subscription URL for one action owner: a participant, or an e-mail address."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 256 bits from secrets.token_urlsafe; the feed's URL
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: "participant:<id>" or "email:<address>"
    owner_key: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSent(db.Model):
    """An e-mail (a reminder, a digest, an invitation) claimed by one sender: the unique key makes sure it is
    sent at most once, across processes (services.mail_claims)."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "subject", "recipient", "occasion", name="uq_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: due_soon, follow_up_soon, overdue or weekly_digest (domain.action_log.REMINDER_KINDS), or
    #: invitation, invitation_update or invitation_cancel (domain.invitations)
    kind: Mapped[str] = mapped_column(String(20))
    #: what it is about: "action:<id>", "digest" or "invitation:<id>"
    subject: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    #: the date or ISO week it is for; a moved due date is a new occasion
    occasion: Mapped[str] = mapped_column(String(20))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    #: claimed (being sent, or the sender died: never resent), sent, or failed (retried later)
    status: Mapped[str] = mapped_column(String(10), default="claimed")
    attempts: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(Text)
    #: which process claimed it (host:pid)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(db.Model):
    """A participant's invitation by e-mail: the latest message wanted (invitation, update or
    cancellation), where its delivery stands, and the invitee's reply through their own link.

    The message itself is sent once through the claim table (reminders_sent, subject "invitation:<id>",
    occasion "m<message_no>"), by the server after the command's commit or by `flask send-invitations`.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), unique=True)
    #: the address the latest message goes to (None: never e-mailed, a reply came through the link)
    email: Mapped[str | None] = mapped_column(String(254))
    #: the iCalendar UID, stable for the meeting and the person
    uid: Mapped[str] = mapped_column(String(200))
    #: the iCalendar SEQUENCE: raised by an update (the meeting moved) and a cancellation
    sequence: Mapped[int] = mapped_column(default=0)
    #: counts every message wanted (a resend or retry too): the claim's occasion
    message_no: Mapped[int] = mapped_column(default=0)
    #: invitation, invitation_update or invitation_cancel (domain.invitations); None: nothing to send yet
    kind: Mapped[str | None] = mapped_column(String(20))
    #: queued, sent or failed (domain.invitations); None: nothing to send
    status: Mapped[str | None] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    #: when the first invitation went out (the notice is counted from it), and the latest message
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: accepted, declined or remote_only (domain.invitations.REPLIES), with an optional note
    reply: Mapped[str | None] = mapped_column(String(20))
    reply_note: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """A message kept instead of sent (MAIL_BACKEND=outbox, the development default), shown in the app."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200))
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    """A staff account: a SENCO or chair, a note-taker, an administrator. Families need none."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation the account belongs to (its administrators manage it)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True, default=1, server_default="1")
    #: kept lower-case; the sign-in name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: admin, chair or note_taker (domain.access.ACCOUNT_ROLES)
    role: Mapped[str] = mapped_column(String(20))
    #: werkzeug's scrypt hash; never the password. An account made by single sign-on has an unusable
    #: value (services.accounts.NO_PASSWORD) until someone sets a password.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: the OpenID provider's issuer and subject the account is linked to (single sign-on), if any
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    #: may create organisations and their first administrators (the deployment's operators)
    deployment_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: failed sign-ins in a row; reset by a good one
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: part of the session cookie's user id: bumping it signs the account out everywhere
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: sha256 of the account's API token (for systems that prepare meetings over the JSON API)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """The session's user id: changing the password or signing out everywhere ends old sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active


#: The organisation's settings until an administrator changes them (the row `flask init-db` makes).
ORGANISATION_DEFAULTS = {"name": "Common Ground", "slug": "main", "retention_months": 84, "invite_link_days": 365}


class Organisation(db.Model):
    """A school or service using the deployment, with its settings: the first (id 1) is made with the
    database; a deployment administrator adds more; each one's administrators edit its settings."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="Common Ground")
    #: short name for addresses (lower-case letters, digits and hyphens), unique in the deployment
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    #: a meeting's record is purged this many months after the meeting
    retention_months: Mapped[int] = mapped_column(default=84, server_default="84")
    #: invite links stop working this many days after the meeting's scheduled end
    invite_link_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # The statutory clock (domain.statutory.organisation). Empty (NULL) means the default.
    #: the IANA time zone local dates are read in; NULL: the TIMEZONE setting (Europe/London by default)
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: local services by kind (advice, disagreement_resolution, mediation): {name, phone, email, web}
    contacts: Mapped[dict | None] = mapped_column(JSON)
    #: the school's terms and closure days: lists of {start, end, note} (ISO dates, inclusive)
    term_dates: Mapped[list | None] = mapped_column(JSON)
    closure_days: Mapped[list | None] = mapped_column(JSON)
    #: a US organisation's state (two-letter code; NULL: federal defaults) and its timeframes by rule id
    us_state: Mapped[str | None] = mapped_column(String(2))
    us_timeframes: Mapped[dict | None] = mapped_column(JSON)
    # Single sign-on with the organisation's own accounts (OpenID Connect). Empty issuer: passwords only.
    #: the provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration)
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_client_id: Mapped[str | None] = mapped_column(String(255))
    #: sealed (SealedString): the database holds it encrypted
    oidc_client_secret: Mapped[str | None] = mapped_column(SealedString)
    #: e-mail domains whose people may sign in this way (lower-case, e.g. ["school.example.org"])
    oidc_domains: Mapped[list | None] = mapped_column(JSON)
    #: the account role a first sign-in creates (domain.access.ACCOUNT_ROLES)
    sso_default_role: Mapped[str] = mapped_column(String(20), default="note_taker", server_default="note_taker")
    #: staff must sign in with single sign-on (their passwords stop working); administrators keep theirs
    sso_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationGrant(db.Model):
    """An account of another organisation (a local-authority officer, say) given access to this
    organisation's meetings, with the meeting role it opens them in."""

    __tablename__ = "organisation_grants"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_organisation_grants_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the meeting role their links get (domain.access: participant, observer or note_taker)
    role: Mapped[str] = mapped_column(String(20))
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Organisation.__table__, "after_create")
def _settings_row(table, connection, **kwargs) -> None:
    """A database made from the models (db.create_all) starts with the settings row, as a migrated one does.
    Its id comes from the new table (1), not given, so that PostgreSQL's sequence numbers the next one 2."""
    connection.execute(table.insert().values(updated_at=utcnow(), **ORGANISATION_DEFAULTS))


class AdminLogEntry(db.Model):
    """What administrators and data-protection commands did: accounts, settings, purges, erasures,
    subject-access exports. Kept after the records it names are gone, so it holds no personal data
    about the child beyond meeting ids and counts."""

    __tablename__ = "admin_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: whose log it is; NULL for what a deployment administrator did across organisations
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    #: e.g. account.create, account.deactivate, settings.update, purge, erase, subject_access_export
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column()
    #: what was done, without the personal data itself (meeting ids, counts, the rule applied)
    detail: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SecurityEvent(db.Model):
    """Refusals worth an administrator's attention, counted per kind, minute and key (services.security_events).

    One row per kind, minute, link, account, meeting, address and reason in each server process; repeats
    within the minute only add to `count`, so a flood of refusals cannot become a flood of writes. No
    names and no typed text: ids, the client's address and a short reason code.
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: whose log it is, when known (the meeting's or the account's organisation)
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    #: e.g. connection_refused, too_many_connections, forbidden, unauthorised, rate_limited, csrf_failed
    kind: Mapped[str] = mapped_column(String(40))
    #: the start of the minute the events fell in
    minute: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    link_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column()
    meeting_id: Mapped[int | None] = mapped_column(index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    #: a short code: the command, socket event or route refused, or why (e.g. "link", "address")
    detail: Mapped[str | None] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(default=1)


class StatutoryRecord(db.Model):
    """What the record says of one statutory step of a meeting's timeline: the day it was done, and/or an
    exception the rule allows with its reason (domain.statutory.timeline). One row per meeting and rule;
    undoing both removes the row (the audit trail keeps what it said)."""

    __tablename__ = "statutory_records"
    __table_args__ = (UniqueConstraint("meeting_id", "rule_id", name="uq_statutory_records_meeting_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    #: a rule of domain.statutory.rules on the meeting type's timeline, e.g. ENG-AR-08
    rule_id: Mapped[str] = mapped_column(String(16))
    #: the organisation's local date the step was done ("report sent on 12 March")
    done_on: Mapped[date | None] = mapped_column(Date)
    #: an exception key the rule accepts (rules.EXCEPTIONS), its reason, and the days it moves the date
    #: by where the rule says the record gives them
    exception: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    days: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessDate(db.Model):
    """A date (or the phase-transfer choice) of the process a meeting belongs to, set by the chair in the
    Prepare view: the last evaluation, parental consent, eligibility, a phase transfer and its date."""

    __tablename__ = "process_dates"
    __table_args__ = (UniqueConstraint("meeting_id", "name", name="uq_process_dates_meeting_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    #: a key of domain.statutory.timeline.PROCESS_FIELDS for the meeting's type
    name: Mapped[str] = mapped_column(String(40))
    on_date: Mapped[date | None] = mapped_column(Date)
    #: for the phase-transfer choice (timeline.PHASE_TRANSFERS)
    choice: Mapped[str | None] = mapped_column(String(40))


class EvidenceRequest(db.Model):
    """The chair's request to one invitee for their advice or report, or for the child's or young person's
    views, before the meeting (domain.documents); answered in words, with documents, or both."""

    __tablename__ = "evidence_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    #: advice or child_views (domain.documents.REQUEST_KINDS)
    kind: Mapped[str] = mapped_column(String(20))
    #: what is asked, e.g. "Educational psychology advice on communication"
    what: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    #: the answer written on the invitee's own page (the child's own words for their views)
    answer: Mapped[str | None] = mapped_column(Text)
    #: for the child's views: how they were gathered (domain.documents.GATHERED)
    how_gathered: Mapped[str | None] = mapped_column(String(20))
    #: the organisation's local day it was answered, and when
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last reminder: when, and whether it went out by e-mail (sent) or could not (not_sent)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_status: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(db.Model):
    """A file in a meeting's evidence pack: its checked kind, safe name and size; the bytes are kept by
    the storage (facilitation.storage) under `blob_key`."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the request it answers (none for a document the chair adds to the pack)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_requests.id", ondelete="SET NULL"), index=True)
    #: who it comes from (the uploader's participant; none for the chair's own)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    #: sanitised, no path (domain.documents.check_name)
    name: Mapped[str] = mapped_column(String(200))
    #: pdf, docx, png or jpeg, from the content (domain.documents.sniff)
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64))
    #: seen only by the roles in domain.access.CONFIDENTIAL_READERS (and the person who uploaded it)
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DocumentBlob(db.Model):
    """The bytes of a document, in the database so every server process shares them (storage.DatabaseStorage)."""

    __tablename__ = "document_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PackCirculation(db.Model):
    """The evidence pack sent to everyone invited: the day, against the latest day the rules allow."""

    __tablename__ = "pack_circulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    circulated_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: how many documents and answers went out, and to how many people
    documents: Mapped[int] = mapped_column(default=0)
    recipients: Mapped[int] = mapped_column(default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
