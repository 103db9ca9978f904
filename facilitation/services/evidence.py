"""The evidence pack before a meeting: requests for advice and for the child's or young person's views,
the answers and documents that come back, reminders, circulation, and documents cited by the record.

Commands go through the pipeline like any other; their event carries no pack detail, only
`evidence_changed` (as the statutory record does): observers and the shared screen are in the room but
may not read the pack, and confidential documents reach only those allowed, so pages read the pack
again from GET /api/v1/meetings/<id>/evidence, which checks who is asking (`pack_for`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import mail, queries, schemas
from ..domain import access
from ..domain import documents as rules
from ..domain.errors import InvalidValue, NotFound
from ..domain.statutory import timeline as tl
from ..extensions import db
from ..models import (
    AccessLink,
    Document,
    EvidenceRequest,
    Meeting,
    PackCirculation,
    Participant,
    ParticipantEmail,
)
from ..storage import storage
from . import statutory_record
from .pipeline import Change, Forbidden, Outcome, apply, command, local_zone, log_access

EVIDENCE_CHANGED = {"evidence_changed": True}


# ---------------------------------------------------------------- views


def document_view(d: Document, names: dict[int, str] | None = None) -> dict:
    """A document as the pack lists it (never its bytes)."""
    if names is None:
        names = _names(d.meeting_id)
    return {
        "id": d.id,
        "name": d.name,
        "kind": d.kind,
        "media_type": rules.KINDS[d.kind][0],
        "size": d.size,
        "confidential": d.confidential,
        "request_id": d.request_id,
        "participant_id": d.participant_id,
        "from": names.get(d.participant_id) if d.participant_id else "Chair",
        "created_at": queries.iso(d.created_at),
    }


def request_view(r: EvidenceRequest, today: date, names: dict[int, str], documents: list[dict]) -> dict:
    """A request with its state (requested, received, late, overdue) and what came back."""
    state = rules.request_state(r.due_on, r.answered_on, today)
    return {
        "id": r.id,
        "participant_id": r.participant_id,
        "participant_name": names.get(r.participant_id),
        "kind": r.kind,
        "kind_label": rules.REQUEST_KINDS[r.kind],
        "what": r.what,
        "due_on": r.due_on.isoformat(),
        "answer": r.answer,
        "how_gathered": r.how_gathered,
        "how_gathered_label": rules.GATHERED.get(r.how_gathered) if r.how_gathered else None,
        "answered_on": r.answered_on.isoformat() if r.answered_on else None,
        "state": state,
        "state_label": rules.STATES[state],
        "reminded_at": queries.iso(r.reminded_at),
        "reminder_status": r.reminder_status,
        "documents": [d for d in documents if d["request_id"] == r.id],
        "version": r.version,
    }


def _names(meeting_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(Participant.id, Participant.name).where(Participant.meeting_id == meeting_id)).all())


def live_requests(meeting_id: int) -> list[EvidenceRequest]:
    """A meeting's requests, oldest first, less withdrawn ones."""
    return list(
        db.session.scalars(
            select(EvidenceRequest)
            .where(EvidenceRequest.meeting_id == meeting_id, EvidenceRequest.withdrawn_at.is_(None))
            .order_by(EvidenceRequest.id)
        )
    )


def live_documents(meeting_id: int) -> list[Document]:
    """A meeting's documents, oldest first, less removed ones."""
    return list(
        db.session.scalars(
            select(Document).where(Document.meeting_id == meeting_id, Document.deleted_at.is_(None)).order_by(Document.id)
        )
    )


def last_circulation(meeting_id: int) -> PackCirculation | None:
    """When the pack last went out, if it did."""
    return db.session.scalar(
        select(PackCirculation).where(PackCirculation.meeting_id == meeting_id).order_by(PackCirculation.id.desc()).limit(1)
    )


def sees_document(role: str, participant_id: int | None, d: Document, circulated: bool) -> bool:
    """May a link read this document: the chair and note-takers all; a participant their own, and the
    circulated pack less confidential documents (a confidential one: only its uploader besides)."""
    if access.sees_confidential(role):
        return True
    own = role == access.PARTICIPANT and participant_id is not None and d.participant_id == participant_id
    if d.confidential:
        return own
    return own or (circulated and role == access.PARTICIPANT)


def pack_due(meeting) -> date:
    """The latest day the pack may go out: 14 days before an annual review (ENG-AR-06), 7 before others."""
    return rules.default_due(meeting.meeting_type, meeting.scheduled_start.astimezone(local_zone()).date())


def pack_for(link: AccessLink, today: date) -> dict:
    """The pack as a link may read it: requests, documents, circulation and, for the chair, a row per person."""
    meeting = db.session.get(Meeting, link.meeting_id)
    names = _names(meeting.id)
    circulation = last_circulation(meeting.id)
    circulated = circulation is not None
    docs = [
        document_view(d, names)
        for d in live_documents(meeting.id)
        if sees_document(link.role, link.participant_id, d, circulated)
    ]
    requests = []
    for r in live_requests(meeting.id):
        mine = link.role == access.PARTICIPANT and r.participant_id == link.participant_id
        if access.sees_confidential(link.role) or mine or (circulated and link.role == access.PARTICIPANT):
            view = request_view(r, today, names, docs)
            if not (access.sees_confidential(link.role) or mine):
                view["reminded_at"], view["reminder_status"] = None, None
            requests.append(view)
    due = pack_due(meeting)
    body = {
        "meeting_id": meeting.id,
        "rule_id": rules.PACK_RULE if rules.PACK_RULE in tl.step_rule_ids(meeting.meeting_type) else None,
        "due_on": due.isoformat(),
        "circulation": _circulation_view(circulation),
        "requests": requests,
        "documents": docs,
        "kinds": rules.REQUEST_KINDS,
        "gathered": rules.GATHERED,
        "max_bytes": current_app.config["DOCUMENT_MAX_BYTES"],
    }
    if access.sees_confidential(link.role):
        body["people"] = _per_person(requests)
    return body


def _circulation_view(c: PackCirculation | None) -> dict | None:
    if c is None:
        return None
    circ = rules.Circulation(c.circulated_on, c.due_on)
    return {
        "circulated_on": c.circulated_on.isoformat(),
        "due_on": c.due_on.isoformat(),
        "on_time": circ.on_time,
        "text": circ.describe(),
        "documents": c.documents,
        "recipients": c.recipients,
    }


def _per_person(requests: list[dict]) -> list[dict]:
    """For the chair: requested / received / late counts per person."""
    rows: dict[int, dict] = {}
    for r in requests:
        row = rows.setdefault(
            r["participant_id"],
            {"participant_id": r["participant_id"], "name": r["participant_name"], "requested": 0, "received": 0, "late": 0, "overdue": 0},
        )
        row["requested"] += 1
        if r["state"] in (rules.RECEIVED, rules.LATE):
            row["received"] += 1
        if r["state"] == rules.LATE:
            row["late"] += 1
        if r["state"] == rules.OVERDUE:
            row["overdue"] += 1
    return list(rows.values())


# ---------------------------------------------------------------- commands


def _request(change: Change, request_id: int) -> EvidenceRequest:
    row = db.session.get(EvidenceRequest, request_id)
    if row is None or row.meeting_id != change.meeting.id or row.withdrawn_at is not None:
        raise NotFound("There is no such request in this meeting.", field="request_id")
    if change.link.role == access.PARTICIPANT and row.participant_id != change.link.participant_id:
        # Another person's request: the same answer as none at all.
        raise NotFound("There is no such request in this meeting.", field="request_id")
    return row


def _audit_view(r: EvidenceRequest) -> dict:
    return {
        "participant_id": r.participant_id,
        "kind": r.kind,
        "what": r.what,
        "due_on": r.due_on.isoformat(),
        "answered_on": r.answered_on.isoformat() if r.answered_on else None,
        "how_gathered": r.how_gathered,
        "reminder_status": r.reminder_status,
    }


@command("evidence.request", schemas.RequestEvidenceArgs, "Ask an invitee for their advice or report, or for the child's views, by a date")
def request_evidence(change: Change, args: schemas.RequestEvidenceArgs) -> dict:
    """Chair: ask a participant for advice (due by default from the rules) or for the child's views."""
    p = db.session.get(Participant, args.participant_id)
    if p is None or p.meeting_id != change.meeting.id or p.removed_at is not None:
        raise NotFound("There is no such participant in this meeting.", field="participant_id")
    what = args.what.strip()
    if not what:
        raise InvalidValue("Say what is asked for.", field="what")
    due = args.due_on or rules.default_due(change.meeting.meeting_type, change.meeting_day)
    if due > change.meeting_day:
        raise InvalidValue("The due date must be on or before the meeting's day.", field="due_on")
    row = EvidenceRequest(
        meeting_id=change.meeting.id, participant_id=p.id, kind=args.kind, what=what, due_on=due, version=1, created_at=change.now
    )
    db.session.add(row)
    db.session.flush()
    change.audit("evidence.request", "evidence_request", row.id, None, _audit_view(row))
    change.flags.update(EVIDENCE_CHANGED)
    return {"request_id": row.id, "due_on": due.isoformat()}


@command("evidence.withdraw", schemas.EvidenceRequestArgs, "Withdraw a request for advice (the audit trail keeps it)")
def withdraw_request(change: Change, args: schemas.EvidenceRequestArgs) -> None:
    """Chair: withdraw a request made in error or no longer needed."""
    row = _request(change, args.request_id)
    row.withdrawn_at = change.now
    row.version += 1
    change.audit("evidence.withdraw", "evidence_request", row.id, _audit_view(row), None)
    change.flags.update(EVIDENCE_CHANGED)


def _answered(change: Change, row: EvidenceRequest) -> None:
    if row.answered_on is None:
        row.answered_on, row.answered_at = change.today, change.now


@command("evidence.answer", schemas.AnswerEvidenceArgs, "Answer your own request: your advice, or the child's views in their own words")
def answer_request(change: Change, args: schemas.AnswerEvidenceArgs) -> None:
    """The invitee (their own link): write their advice, or the child's views and how they were gathered."""
    row = _request(change, args.request_id)
    answer = args.answer.strip()
    if not answer:
        raise InvalidValue("Write your answer, or upload a document instead.", field="answer")
    if args.how_gathered is not None and row.kind != rules.CHILD_VIEWS:
        raise InvalidValue("Only the child's views say how they were gathered.", field="how_gathered")
    before = _audit_view(row)
    row.answer = answer
    if args.how_gathered is not None:
        row.how_gathered = args.how_gathered
    _answered(change, row)
    row.version += 1
    change.audit("evidence.answer", "evidence_request", row.id, before, {**_audit_view(row), "answer": answer})
    change.flags.update(EVIDENCE_CHANGED)


def _address(participant_id: int) -> str | None:
    return db.session.scalar(select(ParticipantEmail.email).where(ParticipantEmail.participant_id == participant_id))


def message_key(meeting_id: int) -> str:
    """A Message-ID key naming the meeting, so the purge finds the outbox's copies (data_protection)."""
    return f"evidence-{meeting_id}-{secrets.token_hex(8)}"


def _send(meeting_id: int, to: str, subject: str, body: str) -> str | None:
    """Send one message (the outbox keeps it in this transaction); returns why it failed, if it did."""
    try:
        with mail.Sender(current_app.config) as sender:
            sender.send(mail.build(to, subject, body, key=message_key(meeting_id)))
    except (OSError, RuntimeError) as exc:  # smtplib's errors are OSErrors
        return str(exc)[:200] or exc.__class__.__name__
    return None


@command("evidence.remind", schemas.EvidenceRequestArgs, "Remind an invitee of a request (by e-mail when they have an address)")
def remind(change: Change, args: schemas.EvidenceRequestArgs) -> dict:
    """Chair: remind the invitee; by e-mail to their address, else recorded as not sent."""
    row = _request(change, args.request_id)
    if row.answered_on is not None:
        raise InvalidValue("This request has been answered.", field="request_id")
    address = _address(row.participant_id)
    failure = "no e-mail address" if address is None else None
    if address is not None:
        body = (
            f"A reminder from the chair of \"{change.meeting.title}\" on {change.meeting_day:%d %B %Y}.\n\n"
            f"You were asked for: {row.what}\nPlease answer by {row.due_on:%d %B %Y}, from your own link "
            "(the one you were sent for this meeting): write it there, or upload a document.\n"
        )
        failure = _send(change.meeting.id, address, f"Reminder: {rules.REQUEST_KINDS[row.kind].lower()} for {change.meeting.title}", body)
    row.reminded_at = change.now
    row.reminder_status = "sent" if failure is None else "not_sent"
    row.version += 1
    change.audit("evidence.remind", "evidence_request", row.id, None, {"reminder_status": row.reminder_status})
    change.flags.update(EVIDENCE_CHANGED)
    return {"sent": failure is None, "reason": failure}


@command("evidence.circulate", schemas.CirculatePackArgs, "Circulate the evidence pack to everyone invited (records the day against the two-week rule)")
def circulate(change: Change, args: schemas.CirculatePackArgs) -> dict:
    """Chair: the pack goes to everyone invited; the day is recorded and, for an annual review, ENG-AR-06 done."""
    on = args.circulated_on or change.today
    if on > change.today:
        raise InvalidValue("Cannot be after today: circulate the pack once it goes out.", field="circulated_on")
    docs = live_documents(change.meeting.id)
    answers = [r for r in live_requests(change.meeting.id) if r.answered_on is not None]
    if not docs and not answers:
        raise InvalidValue("The pack is empty: nothing has been received or added yet.", field="circulated_on")
    people = [p for p in change.meeting.participants if p.removed_at is None]
    due = pack_due(change.meeting)
    row = PackCirculation(
        meeting_id=change.meeting.id, circulated_on=on, due_on=due, documents=len(docs) + len(answers), recipients=len(people), at=change.now
    )
    db.session.add(row)
    db.session.flush()
    change.audit("evidence.circulate", "pack_circulation", row.id, None, _circulation_view(row))
    if rules.PACK_RULE in tl.step_rule_ids(change.meeting.meeting_type):
        statutory_record.record_done(change, schemas.RecordStepDoneArgs(rule_id=rules.PACK_RULE, done_on=on))
    for p in people:
        address = _address(p.id)
        if address:
            _send(
                change.meeting.id,
                address,
                f"The papers for {change.meeting.title}",
                f"The advice and reports for \"{change.meeting.title}\" on {change.meeting_day:%d %B %Y} are ready.\n"
                "Open your own link for this meeting to read them (Before the meeting).\n",
            )
    change.flags.update(EVIDENCE_CHANGED)
    return {"circulation": _circulation_view(row)}


@command("documents.delete", schemas.DocumentArgs, "Remove a document from the pack (its bytes are deleted; the audit trail keeps its name)")
def delete_document(change: Change, args: schemas.DocumentArgs) -> None:
    """Chair: remove a document uploaded in error; its bytes are deleted now."""
    d = db.session.get(Document, args.document_id)
    if d is None or d.meeting_id != change.meeting.id or d.deleted_at is not None:
        raise NotFound("There is no such document in this meeting.", field="document_id")
    d.deleted_at = change.now
    storage().delete(d.blob_key)
    change.audit("documents.delete", "document", d.id, {"name": d.name, "kind": d.kind, "size": d.size}, None)
    change.flags.update(EVIDENCE_CHANGED)


# ---------------------------------------------------------------- uploads and downloads


def _flag(value: str | None) -> bool:
    return value in ("true", "on")


def upload(link: AccessLink, data: bytes, filename: str, content_type: str | None, fields: dict) -> tuple[Outcome, Document]:
    """Check an upload and keep it in the pack, in one transaction with its audit row and event.

    Refused with a field message (413 too large, 415 not a PDF, DOCX, PNG or JPEG, 422 otherwise) and
    nothing kept: a file whose content is not what its name or type says, a path in its name, a request
    that is not the uploader's own."""
    if link is None or link.revoked_at is not None or not access.may(link.role, "documents.upload"):
        raise Forbidden("Your role in this meeting does not allow that.")
    args = schemas.parse(schemas.UploadFields, fields)
    request_id = int(args.request_id) if args.request_id else None
    if request_id is not None:
        r = db.session.get(EvidenceRequest, request_id)
        if (
            r is None
            or r.meeting_id != link.meeting_id
            or r.withdrawn_at is not None
            or (link.role == access.PARTICIPANT and r.participant_id != link.participant_id)
        ):
            raise NotFound("There is no such request in this meeting.", field="request_id")
    elif link.role == access.PARTICIPANT:
        raise InvalidValue("Upload against one of your requests.", field="request_id")
    kind, name = rules.check_upload(data, filename, content_type, current_app.config["DOCUMENT_MAX_BYTES"])
    made: dict = {}

    def decide(change: Change) -> bool:
        req = db.session.get(EvidenceRequest, request_id) if request_id else None
        key = storage().put(change.meeting.id, data)
        d = Document(
            meeting_id=change.meeting.id,
            request_id=request_id,
            participant_id=link.participant_id if link.role == access.PARTICIPANT else (req.participant_id if req else None),
            name=name,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            blob_key=key,
            confidential=_flag(args.confidential),
            created_at=change.now,
        )
        db.session.add(d)
        if req is not None and link.role == access.PARTICIPANT:
            _answered(change, req)
            req.version += 1
        db.session.flush()
        change.audit(
            "documents.upload", "document", d.id, None,
            {"name": d.name, "kind": d.kind, "size": d.size, "sha256": d.sha256, "confidential": d.confidential, "request_id": request_id},
        )
        change.flags.update(EVIDENCE_CHANGED)
        made["document"] = d
        return True

    outcome = apply(link, "documents.upload", decide)
    return outcome, made["document"]


def readable_document(link: AccessLink, document_id: int) -> Document:
    """A document of the link's meeting that it may read; NotFound otherwise (a confidential one is not revealed)."""
    d = db.session.get(Document, document_id)
    circulated = last_circulation(link.meeting_id) is not None
    if (
        d is None
        or d.meeting_id != link.meeting_id
        or d.deleted_at is not None
        or not sees_document(link.role, link.participant_id, d, circulated)
    ):
        raise NotFound("There is no such document in this meeting.", field="document_id")
    return d


def download(link: AccessLink, document_id: int) -> tuple[Document, bytes]:
    """A document's bytes for a link allowed them; the read is written to the access log."""
    d = readable_document(link, document_id)
    data = storage().get(d.blob_key)
    if data is None:
        raise NotFound("There is no such document in this meeting.", field="document_id")
    log_access(link, "documents.download", "document", after={"document_id": d.id, "name": d.name}, note=f"document {d.id}")
    return d, data


# ---------------------------------------------------------------- citations


def check_citations(change: Change, ids: list[int] | None, field: str = "cited_document_ids") -> list[int]:
    """The documents an entry cites: each of this meeting, not removed, one the sender may see; else 422 naming the field."""
    ids = list(dict.fromkeys(ids or []))
    if not ids:
        return []
    rows = {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(ids)))}
    for i in ids:
        d = rows.get(i)
        if (
            d is None
            or d.meeting_id != change.meeting.id
            or d.deleted_at is not None
            or (d.confidential and not access.sees_own_confidential(change.link.role, change.link.participant_id, d.participant_id))
        ):
            raise InvalidValue(f"There is no document {i} in this meeting's pack.", field=field)
    return ids


def check_answered_views(change: Change, ids: list[int] | None, field: str = "answers_view_ids") -> list[int]:
    """The child's views a decision answers: each a child_views request of this meeting, not withdrawn,
    with an answer; else 422 naming the field."""
    ids = list(dict.fromkeys(ids or []))
    if not ids:
        return []
    rows = {r.id: r for r in db.session.scalars(select(EvidenceRequest).where(EvidenceRequest.id.in_(ids)))}
    for i in ids:
        r = rows.get(i)
        if (
            r is None
            or r.meeting_id != change.meeting.id
            or r.kind != rules.CHILD_VIEWS
            or r.withdrawn_at is not None
            or not (r.answer or "").strip()
        ):
            raise InvalidValue(f"There are no answered child's views {i} in this meeting's pack.", field=field)
    return ids


def child_views_answered(meeting_id: int) -> list[EvidenceRequest]:
    """The meeting's child_views requests that have the child's words, oldest first."""
    return [r for r in live_requests(meeting_id) if r.kind == rules.CHILD_VIEWS and (r.answer or "").strip()]


def for_minutes(meeting: Meeting, today: date) -> dict:
    """The pack as the minutes list it: every live request with its state and its non-confidential
    documents, and the last circulation in words."""
    names = _names(meeting.id)
    docs = [document_view(d, names) for d in live_documents(meeting.id) if not d.confidential]
    circulation = last_circulation(meeting.id)
    return {
        "evidence": [request_view(r, today, names, docs) for r in live_requests(meeting.id)],
        "pack_circulated": _circulation_view(circulation)["text"] if circulation else None,
    }
