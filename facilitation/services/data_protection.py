"""Data protection: how long a meeting's record is kept, purging it after that, and one child's records
as a whole (a subject access export, or erasure).

Purge and erasure delete through one function, `_delete_meetings`, in one transaction: every row of
the meetings and everything that hangs off them goes, or nothing does. Each run is noted in the
admin log (`AdminLogEntry`), which outlives the data: it keeps the rule applied, meeting ids and
counts per table, and for a child's records a sha256 of the reference, never the reference or names.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, cast, delete, func, literal, or_, select, update

from .. import exports, queries, snapshots
from ..domain import minutes as minutes_rules
from ..domain.errors import Conflict, InvalidValue, NotFound
from ..domain.meetings import MEETING_TYPES
from ..domain.registers import ATTENDANCE
from ..extensions import db
from ..models import (
    AccessLink,
    Action,
    ActionUpdate,
    AdminLogEntry,
    AgendaItem,
    AuditEntry,
    CalendarFeed,
    ChairEmail,
    CommandRecord,
    Decision,
    Disagreement,
    Document,
    DocumentBlob,
    EvidenceRequest,
    Invitation,
    Meeting,
    MeetingEvent,
    MinutesDetails,
    MinutesResponse,
    MinutesSectionAnswer,
    MinutesVersion,
    OutboxMessage,
    PackCirculation,
    Participant,
    ParticipantEmail,
    PlanAmendment,
    PlanOutcome,
    Position,
    ProcessDate,
    ReminderSent,
    ReportSending,
    SecurityEvent,
    SocketSession,
    SpeakingRequest,
    StatutoryRecord,
    User,
    utcnow,
)
from ..storage import storage
from . import minutes, statutory_record
from .accounts import log_admin, organisation
from .action_log.feeds import email_key
from .action_log.rows import update_view
from .pipeline import as_utc, begin_write

#: What a meeting's retention period is counted from, as the admin log and the pages say it.
COUNTED_FROM = "the meeting's end (its scheduled end if it was never ended)"
#: Meetings deleted per round of statements, so that no statement binds too many values.
CHUNK = 200
#: The admin log's actions for this module (the admin pages list them).
LOG_ACTIONS = ("purge", "erase", "subject_access_export")
CHILD_REF_MAX = 40


# ---------------------------------------------------------------- the retention rule


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_rule(now: datetime) -> tuple[int, datetime]:
    """The organisation's retention period in months, and the cut-off it gives at `now`."""
    months = organisation().retention_months
    return months, months_before(as_utc(now), months)


def _of_this_organisation():
    """Meetings of the organisation the context is scoped to: its retention period, its children."""
    return Meeting.organisation_id == queries.current_organisation_id()


def _ended_before(cutoff: datetime):
    """Meetings of the current organisation whose end (ended_at, else the scheduled end) is before the cut-off."""
    return and_(
        _of_this_organisation(),
        or_(
            and_(Meeting.ended_at.is_not(None), Meeting.ended_at < cutoff),
            and_(Meeting.ended_at.is_(None), Meeting.scheduled_end < cutoff),
        ),
    )


def expired_meetings(now: datetime) -> list[Meeting]:
    """Meetings whose record is past the retention period at `now`, counted from each meeting's end."""
    _, cutoff = retention_rule(now)
    return list(db.session.scalars(select(Meeting).where(_ended_before(cutoff)).order_by(Meeting.id)))


# ---------------------------------------------------------------- deleting meetings and all of theirs


@dataclass
class Removal:
    """What deleting some meetings removed: rows per table, rows of other meetings detached, open sockets."""

    meeting_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    #: rows kept (they belong to other meetings) whose reference to a deleted row was cleared
    detached: dict[str, int] = field(default_factory=dict)
    #: Socket.IO sessions that were open on the deleted meetings' links (to disconnect after commit)
    socket_sids: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def add(self, table: str, n: int, into: dict | None = None) -> None:
        target = self.counts if into is None else into
        target[table] = target.get(table, 0) + max(n or 0, 0)


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _run(removal: Removal, table: str, statement) -> None:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    removal.add(table, result.rowcount)


_REMINDER_ID = re.compile(r"^<(?:reminder-(\d+)-[a-z_]+|digest-(\d+)|invitation-(\d+)-[a-z_]+)@")


def _outbox_ids_for_claims(claim_ids: set[int]) -> list[int]:
    """The development outbox's copies of the messages sent for these reminder claims (by Message-ID)."""
    if not claim_ids:
        return []
    found = []
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.message_id).where(
            or_(
                OutboxMessage.message_id.like("<reminder-%"),
                OutboxMessage.message_id.like("<digest-%"),
                OutboxMessage.message_id.like("<invitation-%"),
            )
        )
    )
    for row_id, message_id in rows:
        match = _REMINDER_ID.match(message_id or "")
        if match and int(match.group(1) or match.group(2) or match.group(3)) in claim_ids:
            found.append(row_id)
    return found


def _delete_chunk(ids: list[int], removal: Removal, addresses: set[str], recipients: set[str]) -> None:
    """Delete some meetings and every row of theirs, children before parents (no reliance on cascades)."""
    pids = select(Participant.id).where(Participant.meeting_id.in_(ids))
    aids = select(Action.id).where(Action.meeting_id.in_(ids))
    dids = select(Disagreement.id).where(Disagreement.meeting_id.in_(ids))
    vids = select(MinutesVersion.id).where(MinutesVersion.meeting_id.in_(ids))
    lids = select(AccessLink.id).where(AccessLink.meeting_id.in_(ids))

    # What is found through addresses rather than keys: read before the rows that hold them go.
    addresses.update(
        e.lower() for e in db.session.scalars(select(Action.owner_email).where(Action.meeting_id.in_(ids), Action.owner_email.is_not(None)))
    )
    addresses.update(e.lower() for e in db.session.scalars(select(ParticipantEmail.email).where(ParticipantEmail.participant_id.in_(pids))))
    recipients.update(e.lower() for e in db.session.scalars(select(ChairEmail.email).where(ChairEmail.meeting_id.in_(ids))))
    sockets = or_(SocketSession.meeting_id.in_(ids), SocketSession.link_id.in_(lids))
    removal.socket_sids += list(db.session.scalars(select(SocketSession.sid).where(sockets)))
    invitation_subjects = select(literal("invitation:") + cast(Invitation.id, String)).where(Invitation.meeting_id.in_(ids))
    sent_for = or_(ReminderSent.action_id.in_(aids), ReminderSent.subject.in_(invitation_subjects))
    claims = set(db.session.scalars(select(ReminderSent.id).where(sent_for)))

    _run(removal, "socket_sessions", delete(SocketSession).where(sockets))
    outbox = _outbox_ids_for_claims(claims)
    # the evidence pack's reminders and circulation notices (services.evidence.message_key)
    outbox += list(
        db.session.scalars(
            select(OutboxMessage.id).where(or_(*(OutboxMessage.message_id.like(f"<evidence-{mid}-%") for mid in ids)))
        )
    )
    if outbox:
        _run(removal, "mail_outbox", delete(OutboxMessage).where(OutboxMessage.id.in_(outbox)))
    _run(removal, "reminders_sent", delete(ReminderSent).where(sent_for))
    _run(removal, "invitations", delete(Invitation).where(Invitation.meeting_id.in_(ids)))
    participant_keys = select(literal("participant:") + cast(Participant.id, String)).where(Participant.meeting_id.in_(ids))
    _run(removal, "calendar_feeds", delete(CalendarFeed).where(CalendarFeed.owner_key.in_(participant_keys)))
    _run(
        removal,
        "minutes_responses",
        delete(MinutesResponse).where(or_(MinutesResponse.minutes_version_id.in_(vids), MinutesResponse.participant_id.in_(pids))),
    )
    _run(
        removal,
        "minutes_section_answers",
        delete(MinutesSectionAnswer).where(
            or_(MinutesSectionAnswer.minutes_version_id.in_(vids), MinutesSectionAnswer.participant_id.in_(pids))
        ),
    )
    _run(removal, "minutes_versions", delete(MinutesVersion).where(MinutesVersion.meeting_id.in_(ids)))
    _run(removal, "minutes_details", delete(MinutesDetails).where(MinutesDetails.meeting_id.in_(ids)))
    _run(removal, "action_updates", delete(ActionUpdate).where(or_(ActionUpdate.meeting_id.in_(ids), ActionUpdate.action_id.in_(aids))))
    # Another meeting's action history may name a deleted meeting (reviewed there) or a participant of
    # it (who wrote the update): the update stays with its own action, without the dangling reference.
    for column in (ActionUpdate.reviewed_in_meeting_id, ActionUpdate.participant_id):
        targets = ids if column is ActionUpdate.reviewed_in_meeting_id else pids
        result = db.session.execute(
            update(ActionUpdate).where(column.in_(targets)).values({column.key: None}).execution_options(synchronize_session=False)
        )
        removal.add(f"action_updates.{column.key}", result.rowcount, removal.detached)
    _run(removal, "positions", delete(Position).where(Position.disagreement_id.in_(dids)))
    # an outcome carried into a later meeting of the child keeps its words, without the dangling reference
    result = db.session.execute(
        update(PlanOutcome)
        .where(PlanOutcome.carried_from_id.in_(select(PlanOutcome.id).where(PlanOutcome.meeting_id.in_(ids))), PlanOutcome.meeting_id.not_in(ids))
        .values(carried_from_id=None)
        .execution_options(synchronize_session=False)
    )
    removal.add("plan_outcomes.carried_from_id", result.rowcount, removal.detached)
    _run(removal, "plan_outcomes", delete(PlanOutcome).where(PlanOutcome.meeting_id.in_(ids)))
    _run(removal, "plan_amendments", delete(PlanAmendment).where(PlanAmendment.meeting_id.in_(ids)))
    _run(removal, "report_sendings", delete(ReportSending).where(ReportSending.meeting_id.in_(ids)))
    _run(removal, "decisions", delete(Decision).where(Decision.meeting_id.in_(ids)))
    _run(removal, "actions", delete(Action).where(Action.meeting_id.in_(ids)))
    _run(removal, "disagreements", delete(Disagreement).where(Disagreement.meeting_id.in_(ids)))
    _run(removal, "speaking_requests", delete(SpeakingRequest).where(SpeakingRequest.meeting_id.in_(ids)))
    _run(removal, "statutory_records", delete(StatutoryRecord).where(StatutoryRecord.meeting_id.in_(ids)))
    _run(removal, "process_dates", delete(ProcessDate).where(ProcessDate.meeting_id.in_(ids)))
    # the evidence pack: documents' bytes (storage.DatabaseStorage), their rows, requests, circulations
    _run(removal, "document_blobs", delete(DocumentBlob).where(DocumentBlob.meeting_id.in_(ids)))
    _run(removal, "documents", delete(Document).where(Document.meeting_id.in_(ids)))
    _run(removal, "evidence_requests", delete(EvidenceRequest).where(EvidenceRequest.meeting_id.in_(ids)))
    _run(removal, "pack_circulations", delete(PackCirculation).where(PackCirculation.meeting_id.in_(ids)))
    _run(removal, "participant_emails", delete(ParticipantEmail).where(ParticipantEmail.participant_id.in_(pids)))
    _run(removal, "chair_emails", delete(ChairEmail).where(ChairEmail.meeting_id.in_(ids)))
    # The security log's counts name the meeting and its links: ids that mean nothing once it is gone.
    _run(removal, "security_events", delete(SecurityEvent).where(or_(SecurityEvent.meeting_id.in_(ids), SecurityEvent.link_id.in_(lids))))
    _run(removal, "access_links", delete(AccessLink).where(AccessLink.meeting_id.in_(ids)))
    _run(removal, "participants", delete(Participant).where(Participant.meeting_id.in_(ids)))
    _run(removal, "agenda_items", delete(AgendaItem).where(AgendaItem.meeting_id.in_(ids)))
    _run(removal, "meeting_events", delete(MeetingEvent).where(MeetingEvent.meeting_id.in_(ids)))
    _run(removal, "command_records", delete(CommandRecord).where(CommandRecord.meeting_id.in_(ids)))
    _run(removal, "audit_entries", delete(AuditEntry).where(AuditEntry.meeting_id.in_(ids)))
    _run(removal, "meetings", delete(Meeting).where(Meeting.id.in_(ids)))


def _delete_unused_by_address(removal: Removal, addresses: set[str], recipients: set[str]) -> None:
    """Calendar feeds and weekly-digest records kept for an address that no remaining meeting uses."""
    # An address's feed is the organisation's own (feeds.email_key): kept while a meeting of it uses the address.
    of_this_organisation = select(Meeting.id).where(_of_this_organisation())
    for address in sorted(addresses):
        still_owner = (
            select(Action.id)
            .where(func.lower(Action.owner_email) == address, Action.meeting_id.in_(of_this_organisation))
            .exists()
        )
        still_participant = (
            select(ParticipantEmail.participant_id)
            .join(Participant, Participant.id == ParticipantEmail.participant_id)
            .where(func.lower(ParticipantEmail.email) == address, Participant.meeting_id.in_(of_this_organisation))
            .exists()
        )
        if not db.session.scalar(select(or_(still_owner, still_participant))):
            _run(removal, "calendar_feeds", delete(CalendarFeed).where(CalendarFeed.owner_key == email_key(address)))
    for address in sorted(recipients):
        if db.session.scalar(select(select(ChairEmail.meeting_id).where(func.lower(ChairEmail.email) == address).exists())):
            continue
        digests = and_(ReminderSent.action_id.is_(None), ReminderSent.subject == "digest", func.lower(ReminderSent.recipient) == address)
        claims = set(db.session.scalars(select(ReminderSent.id).where(digests)))
        outbox = _outbox_ids_for_claims(claims)
        if outbox:
            _run(removal, "mail_outbox", delete(OutboxMessage).where(OutboxMessage.id.in_(outbox)))
        _run(removal, "reminders_sent", delete(ReminderSent).where(digests))


def _check_nothing_left(ids: list[int]) -> None:
    """Every table with a meeting_id must hold nothing of the deleted meetings, or the whole run is undone.

    A table added later and forgotten above fails the purge loudly rather than keeping data.
    """
    for table in db.metadata.sorted_tables:
        column = table.c.get("meeting_id") if table.name != "meetings" else table.c.id
        if column is None:
            continue
        for chunk in _chunks(ids):
            left = db.session.scalar(select(func.count()).select_from(table).where(column.in_(chunk)))
            if left:
                raise RuntimeError(f"{left} rows of deleted meetings are left in {table.name}; nothing was deleted")


def _delete_meetings(meeting_ids: list[int]) -> Removal:
    """Delete meetings and everything of theirs, in the caller's transaction (the one path for purge and erasure)."""
    ids = sorted(set(meeting_ids))
    removal = Removal(meeting_ids=ids)
    if not ids:
        return removal
    addresses: set[str] = set()
    recipients: set[str] = set()
    for chunk in _chunks(ids):
        _delete_chunk(chunk, removal, addresses, recipients)
    _delete_unused_by_address(removal, addresses, recipients)
    _check_nothing_left(ids)
    db.session.expire_all()
    return removal


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {table: n for table, n in counts.items() if n}


# ---------------------------------------------------------------- purge


@dataclass
class PurgeSummary:
    """What a purge did (or, in a dry run, would do)."""

    now: datetime
    retention_months: int
    cutoff: datetime
    meeting_ids: list[int]
    counts: dict[str, int]
    detached: dict[str, int]
    dry_run: bool
    socket_sids: list[str] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        """The admin log's record of the run: the rule, the meeting ids, rows per table. No names."""
        return {
            "rule": {"retention_months": self.retention_months, "cutoff": queries.iso(self.cutoff), "counted_from": COUNTED_FROM},
            "run_at": queries.iso(self.now),
            "meetings": len(self.meeting_ids),
            "meeting_ids": self.meeting_ids,
            "counts": _nonzero(self.counts),
            "detached": _nonzero(self.detached),
        }


def purge_expired(
    now: datetime, *, by: User | str, dry_run: bool = False, expected: Iterable[int] | None = None
) -> PurgeSummary:
    """Delete every meeting past the retention period at `now` and all of its rows, logged as "purge".

    One transaction: all or nothing. A dry run does the same work and rolls it back, so its counts
    are exactly what a purge would delete; it changes nothing and logs nothing. With `expected` (the
    meeting ids someone confirmed), a different list is refused with Conflict and nothing is deleted.
    """
    now = as_utc(now)
    db.session.rollback()  # end any read, then take the write lock: the list cannot change under us
    begin_write()
    try:
        months, cutoff = retention_rule(now)
        ids = list(db.session.scalars(select(Meeting.id).where(_ended_before(cutoff)).order_by(Meeting.id)))
        if expected is not None and sorted(set(expected)) != ids:
            raise Conflict(
                "The meetings past the retention period have changed since they were shown; nothing was deleted.",
                current={"meeting_ids": ids},
            )
        removal = _delete_meetings(ids)
        summary = PurgeSummary(now, months, cutoff, removal.meeting_ids, removal.counts, removal.detached, dry_run, removal.socket_sids)
        if dry_run:
            db.session.rollback()
            return summary
        log_admin("purge", by, summary.as_detail())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if summary.meeting_ids:
        snapshots.forget_snapshots()  # later meetings' rows may have been detached from these, with no new seq
    return summary


# ---------------------------------------------------------------- one child's records


def clean_child_ref(child_ref: str | None) -> str:
    """A child reference as typed, trimmed; refused when empty or longer than references are."""
    ref = (child_ref or "").strip() if isinstance(child_ref, str) else ""
    if not ref or len(ref) > CHILD_REF_MAX:
        raise InvalidValue(f"Give the child's reference (at most {CHILD_REF_MAX} characters).", field="child_ref")
    return ref


def child_ref_hash(child_ref: str) -> str:
    """An HMAC-SHA256 (keyed with SECRET_KEY) of the reference in lower case: lets the admin log answer
    "was this child's record erased?" without holding the reference. Keyed, because references are
    short: a plain hash could be reversed by trying every likely reference."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, child_ref.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def child_records(child_ref: str) -> list[Meeting]:
    """Every meeting of the current organisation for a child reference (exact match, whatever the case),
    oldest first."""
    ref = (child_ref or "").strip().lower() if isinstance(child_ref, str) else ""
    if not ref:
        return []
    return list(
        db.session.scalars(
            select(Meeting)
            .where(func.lower(Meeting.child_ref) == ref, _of_this_organisation())
            .order_by(Meeting.scheduled_start, Meeting.id)
        )
    )


def _actor(by: User | str) -> tuple[str, int | None]:
    return (by, None) if isinstance(by, str) else (f"{by.name} <{by.email}>", by.id)


@dataclass
class Erasure:
    """What erasing a child's records deleted."""

    child_ref_sha256: str
    meeting_ids: list[int]
    counts: dict[str, int]
    detached: dict[str, int]
    socket_sids: list[str] = field(default_factory=list)


def erase_child(child_ref: str, *, by: User | str) -> Erasure:
    """Delete every meeting of a child and all of their rows (as a purge does), logged as "erase"."""
    ref = clean_child_ref(child_ref)
    db.session.rollback()
    begin_write()
    try:
        ids = [m.id for m in child_records(ref)]
        if not ids:
            raise NotFound("There are no meetings for that child reference.", field="child_ref")
        removal = _delete_meetings(ids)
        erasure = Erasure(child_ref_hash(ref), removal.meeting_ids, removal.counts, removal.detached, removal.socket_sids)
        log_admin(
            "erase",
            by,
            {
                "child_ref_hmac": erasure.child_ref_sha256,
                "meetings": len(erasure.meeting_ids),
                "meeting_ids": erasure.meeting_ids,
                "counts": _nonzero(erasure.counts),
                "detached": _nonzero(erasure.detached),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    snapshots.forget_snapshots()  # as after a purge
    return erasure


# ---------------------------------------------------------------- subject access


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return queries.iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


#: keys under which the audit trail keeps e-mail addresses for reminders (not information about the child)
_ADDRESS_KEYS = frozenset({"email", "owner_email", "chair_email"})
ADDRESS_WITHHELD = "(address not included)"


def _without_addresses(value: Any) -> Any:
    """An audit entry's values with reminder addresses replaced by a note that they are withheld."""
    if isinstance(value, dict):
        return {k: (ADDRESS_WITHHELD if k in _ADDRESS_KEYS and v else _without_addresses(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_addresses(v) for v in value]
    return value


def _owner_label(participants: dict[int, Participant], participant_id: int | None, name: str | None) -> str | None:
    if participant_id and participant_id in participants:
        return participants[participant_id].name
    return name


def meeting_record(meeting: Meeting, now: datetime) -> dict[str, Any]:
    """A meeting's whole record as data, confidential and withdrawn entries included, for subject access."""
    iso = queries.iso
    mid = meeting.id
    items = queries.load_items(mid)
    people = list(db.session.scalars(select(Participant).where(Participant.meeting_id == mid).order_by(Participant.id)))
    by_id = {p.id: p for p in people}
    owner = db.session.get(User, meeting.owner_user_id) if meeting.owner_user_id else None

    def all_of(model) -> list:
        return list(db.session.scalars(select(model).where(model.meeting_id == mid).order_by(model.id)))

    actions = []
    for a in all_of(Action):
        history = db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == a.id).order_by(ActionUpdate.id))
        actions.append(
            {
                **queries.action_view(a),
                "owner": _owner_label(by_id, a.owner_participant_id, a.owner_name),
                "closed_on": a.closed_on,
                "progress_at": iso(a.progress_at),
                "deleted_at": iso(a.deleted_at),
                "progress_history": [update_view(u) for u in history],
            }
        )
    disagreements = []
    for g in all_of(Disagreement):
        positions = db.session.scalars(select(Position).where(Position.disagreement_id == g.id).order_by(Position.id))
        disagreements.append(
            {
                **queries.disagreement_view(g),
                "next_step_owner": _owner_label(by_id, g.next_step_owner_participant_id, g.next_step_owner_name),
                "deleted_at": iso(g.deleted_at),
                "positions": [
                    {
                        **queries.position_view(p),
                        "party": _owner_label(by_id, p.participant_id, p.party_name),
                        "created_at": iso(p.created_at),
                        "deleted_at": iso(p.deleted_at),
                    }
                    for p in positions
                ],
            }
        )
    versions = []
    for v in minutes.versions(mid):
        versions.append(
            {
                "number": v.number,
                "status": v.status,
                "revision": v.revision,
                "created_at": iso(v.created_at),
                "circulated_at": iso(v.circulated_at),
                "approved_at": iso(v.approved_at),
                "approved_by": v.approved_by,
                "amendment_note": v.amendment_note,
                "changes": list(v.changes or []),
                "responses": [
                    {
                        "participant_id": r.participant_id,
                        "participant": _owner_label(by_id, r.participant_id, None),
                        "response": r.response,
                        "comment": r.comment,
                        "revision": r.revision,
                        "responded_at": iso(r.responded_at),
                    }
                    for r in minutes.responses_of(v)
                ],
                "section_answers": [
                    {
                        "participant_id": a.participant_id,
                        "participant": _owner_label(by_id, a.participant_id, None),
                        "section": a.section,
                        "answer": a.answer,
                        "comment": a.comment,
                        "disagreement_id": a.disagreement_id,
                        "revision": a.revision,
                        "answered_at": iso(a.answered_at),
                    }
                    for a in minutes.section_answers_of(v)
                ],
                "circulated_content": v.circulated_content,
                "approved_content": v.content,
            }
        )
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.meeting_id == mid).order_by(AuditEntry.at, AuditEntry.id))
    return {
        "meeting": {
            **queries.meeting_view(meeting, items, now),
            "created_at": iso(meeting.created_at),
            "prepared_by": owner.name if owner is not None else None,
        },
        "agenda": [queries.item_view(i, now) for i in items],
        "participants": [{**queries.participant_view(p), "created_at": iso(p.created_at), "removed_at": iso(p.removed_at)} for p in people],
        "attendance": [
            {
                "participant_id": p.id,
                "name": p.name,
                "attendance": p.attendance,
                "attendance_label": ATTENDANCE.get(p.attendance, p.attendance),
                "arrived_late": p.arrived_late,
                "left_early": p.left_early,
            }
            for p in people
        ],
        "decisions": [{**queries.decision_view(d), "deleted_at": iso(d.deleted_at)} for d in all_of(Decision)],
        # the plan's outcomes with progress, the sections to amend, and the statutory reports sent
        "outcomes": [{**queries.outcome_view(o), "deleted_at": iso(o.deleted_at)} for o in all_of(PlanOutcome)],
        "amendments": [{**queries.amendment_view(a), "deleted_at": iso(a.deleted_at)} for a in all_of(PlanAmendment)],
        "reports_sent": [{**queries.report_sending_view(r), "deleted_at": iso(r.deleted_at)} for r in all_of(ReportSending)],
        "actions": actions,
        "disagreements": disagreements,
        "speaking_requests": [
            {**queries.speaking_request_view(r), "participant": _owner_label(by_id, r.participant_id, None)}
            for r in all_of(SpeakingRequest)
        ],
        # invitations by e-mail: where delivery stands, and the person's reply (addresses stay out, as
        # reminder addresses do)
        "invitations": [
            {
                "participant_id": i.participant_id,
                "participant": _owner_label(by_id, i.participant_id, None),
                "kind": i.kind,
                "status": i.status,
                "first_sent_at": iso(i.first_sent_at),
                "last_sent_at": iso(i.last_sent_at),
                "reply": i.reply,
                "reply_note": i.reply_note,
                "replied_at": iso(i.replied_at),
            }
            for i in all_of(Invitation)
        ],
        # what the record says of the statutory steps (done on, exceptions and their reasons) and the
        # process dates the clocks start from
        "statutory_record": [statutory_record.record_view(r) for r in all_of(StatutoryRecord)],
        "process_dates": [
            {"name": r.name, "date": r.on_date.isoformat() if r.on_date else None, "choice": r.choice}
            for r in all_of(ProcessDate)
        ],
        # the evidence pack: what each person was asked for and answered, the documents (their files are
        # in the documents/ folder beside this record), and when the pack went out
        "evidence_requests": [
            {
                "id": r.id,
                "participant": _owner_label(by_id, r.participant_id, None),
                "kind": r.kind,
                "what": r.what,
                "due_on": r.due_on,
                "answer": r.answer,
                "how_gathered": r.how_gathered,
                "answered_on": r.answered_on,
                "withdrawn_at": iso(r.withdrawn_at),
            }
            for r in all_of(EvidenceRequest)
        ],
        "documents": [
            {
                "id": d.id,
                "file": _document_path(d),
                "name": d.name,
                "kind": d.kind,
                "size": d.size,
                "sha256": d.sha256,
                "from": _owner_label(by_id, d.participant_id, None),
                "request_id": d.request_id,
                "confidential": d.confidential,
                "uploaded_at": iso(d.created_at),
                "deleted_at": iso(d.deleted_at),
            }
            for d in all_of(Document)
        ],
        "pack_circulations": [
            {"circulated_on": c.circulated_on, "due_on": c.due_on, "recipients": c.recipients} for c in all_of(PackCirculation)
        ],
        "minutes": {"details": minutes.details_view(minutes.details_of(mid)), "versions": versions},
        "audit_trail": [
            {
                "at": iso(e.at),
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "before": _without_addresses(e.before),
                "after": _without_addresses(e.after),
                "note": e.note,
            }
            for e in audit
        ],
    }


def _minutes_files(meeting: Meeting, now: datetime) -> list[tuple[str, bytes]]:
    """The minutes as participants receive them (Markdown and HTML): every stored version, and the
    minutes built from the record as it stands now."""
    documents: list[tuple[str, minutes_rules.Minutes]] = []
    for v in minutes.versions(meeting.id):
        if v.content:
            documents.append((f"minutes-v{v.number}-approved", minutes_rules.Minutes.from_dict(v.content)))
        elif v.circulated_content:
            documents.append((f"minutes-v{v.number}-circulated", minutes_rules.Minutes.from_dict(v.circulated_content)))
    documents.append(("minutes-from-the-record-now", minutes.live_minutes(meeting, now)))
    files = []
    for name, document in documents:
        files.append((f"{name}.md", exports.render("md", document)))
        files.append((f"{name}.html", exports.render("html", document)))
    return files


README = """\
Subject access export: Common Ground
====================================

Child reference: {ref}
Exported: {at} (UTC) by {actor}
Meetings: {count}

{listing}

What is in this file
--------------------

README.txt
    This explanation.

<meeting folder>/record.json
    The meeting's whole record as Common Ground holds it, in JSON (times in UTC, ISO 8601):
    - meeting: title, type, child reference, scheduled and actual times, who prepared it;
    - agenda: each item with its planned and actual time;
    - participants and attendance: who was invited, their role and agency, whether they came;
    - decisions: text, reasons, evidence, options rejected, who dissented;
    - actions: what, owner and agency, due and follow-up dates, the need served, status, and
      progress_history (every progress note, its evidence, and support reported as not delivered);
    - disagreements: the topic, each party's position in their own words with their evidence,
      the next step on the escalation ladder, its owner and follow-up date;
    - speaking_requests: each raised hand, written question or comment and break request sent from
      a participant's own page, with who sent it, when, under which item, and whether it was
      answered or withdrawn;
    - minutes: the views of the child and family, the next review, every version of the minutes
      as circulated or approved, and each participant's answer (confirmed, or a correction asked
      for, with their comment);
    - audit_trail: every change to the record and every time it was opened or exported: who, when,
      the values before and after.

<meeting folder>/documents/
    The evidence pack's documents (advice, reports, the child's drawings or photos), as uploaded;
    record.json lists them under "documents", with what each person was asked for and answered
    under "evidence_requests".

<meeting folder>/minutes-*.md and minutes-*.html
    The minutes as participants receive them: each circulated or approved version, and the
    minutes built from the record as it stands at the time of this export.

Confidential entries are included
---------------------------------

Entries marked "confidential": true in record.json (for example health details) are shown in the
meeting only to the chair and note-takers, and are left out of the minutes that go to everyone.
They ARE included in record.json, because a subject access request covers all the information
held about the child. The minutes files leave them out, as the minutes always do.

Entries withdrawn during or after the meeting have "deleted_at" set; they are included because
the record still holds them (and the audit trail shows them).

Not included: the meeting's secret links (they would open the meeting) and the e-mail addresses
kept for reminders, which are information about the professionals and family members, not about
the child (where the audit trail records a change of address it says "(address not included)");
and the technical event log, which repeats the changes in the audit trail as they were sent to
screens in the room.

Before you release this
-----------------------

The record also holds information about other people: the professionals and family members who
took part, their views and their positions. Check it, and redact other people's information where
your data protection officer advises, before releasing it to the person who asked.
"""


def _document_path(d: Document) -> str | None:
    """Where a document's file is in the export (None for one removed: its bytes were deleted then)."""
    return None if d.deleted_at is not None else f"documents/{d.id}-{d.name}"


def _document_files(meeting: Meeting) -> list[tuple[str, bytes]]:
    """The pack's documents as files (confidential ones included: subject access covers them)."""
    files = []
    for d in db.session.scalars(select(Document).where(Document.meeting_id == meeting.id, Document.deleted_at.is_(None)).order_by(Document.id)):
        data = storage().get(d.blob_key)
        if data is not None:
            files.append((_document_path(d), data))
    return files


def _folder(meeting: Meeting) -> str:
    day = meeting.scheduled_start.date().isoformat() if meeting.scheduled_start else "undated"
    return f"meeting-{meeting.id}-{day}"


def build_subject_access_zip(child_ref: str, meetings: list[Meeting], *, now: datetime, actor: str) -> bytes:
    """The ZIP: README.txt, and per meeting its record as JSON and its minutes as Markdown and HTML."""
    buffer = io.BytesIO()
    listing = "\n".join(
        f"  {_folder(m)}/  {m.title} ({MEETING_TYPES.get(m.meeting_type, m.meeting_type)})" for m in meetings
    ) or "  No meetings are held for this reference."
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        readme = README.format(ref=child_ref, at=now.strftime("%d %b %Y %H:%M"), actor=actor, count=len(meetings), listing=listing)
        archive.writestr("README.txt", readme)
        for m in meetings:
            folder = _folder(m)
            record = meeting_record(m, now)
            archive.writestr(f"{folder}/record.json", json.dumps(record, default=_json_default, ensure_ascii=False, indent=2))
            for name, data in _minutes_files(m, now):
                archive.writestr(f"{folder}/{name}", data)
            for name, data in _document_files(m):
                archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


def subject_access_export(child_ref: str, *, by: User | str) -> bytes:
    """Every meeting of a child as one ZIP (confidential entries included: subject access covers them),
    logged as "subject_access_export" in the admin log and in each meeting's access log."""
    ref = clean_child_ref(child_ref)
    now = utcnow()
    actor, user_id = _actor(by)
    meetings = child_records(ref)
    ids = [m.id for m in meetings]
    data = build_subject_access_zip(ref, meetings, now=now, actor=actor)
    db.session.rollback()  # the reads are done; the log is a short write
    begin_write()
    try:
        for meeting_id in ids:
            db.session.add(
                AuditEntry(
                    meeting_id=meeting_id,
                    user_id=user_id,
                    actor=actor,
                    action="subject_access_export",
                    entity="meeting",
                    entity_id=meeting_id,
                    note="The whole record, for a subject access request (confidential entries included)",
                    at=now,
                )
            )
        log_admin(
            "subject_access_export",
            by,
            {"child_ref_hmac": child_ref_hash(ref), "meetings": len(ids), "meeting_ids": ids, "bytes": len(data)},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return data


def recent_log(limit: int = 20) -> list:
    """The latest purges, erasures and subject-access exports from the organisation's admin log, newest first."""
    return list(
        db.session.scalars(
            select(AdminLogEntry)
            .where(AdminLogEntry.action.in_(LOG_ACTIONS), AdminLogEntry.organisation_id == queries.current_organisation_id())
            .order_by(AdminLogEntry.at.desc(), AdminLogEntry.id.desc())
            .limit(limit)
        )
    )

