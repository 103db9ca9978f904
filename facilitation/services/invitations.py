"""Invitations by e-mail: the chair invites each person (or everyone not yet invited) from the People panel;
each invitee gets their own join link and a calendar request, an update when the meeting moves and a
cancellation when they are taken off it; they reply through their own link.

The commands only queue a message (an `Invitation` row: kind, SEQUENCE, message number) in the
command's transaction, with its audit entry and event. The message is sent after the commit, by the
server that ran the command, or by `flask send-invitations` (a worker or cron): each message is claimed
in `reminders_sent` first (services.mail_claims), so it goes out once however many processes try. A
failed send is kept as failed, shown to the chair with its error, tried again by the next sender run
(up to MAIL_MAX_ATTEMPTS) and by the chair's Retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from html import escape

from flask import current_app
from sqlalchemy import select

from .. import mail, queries, schemas
from ..domain import access, agenda
from ..domain import invitations as rules
from ..domain import meetings as meeting_rules
from ..domain.dates import uk_date
from ..domain.errors import InvalidValue, NotFound, RuleViolation
from ..exports.invitation_ics import CalendarInvite, invitation_calendar
from ..extensions import db
from ..models import AccessLink, ChairEmail, Invitation, Meeting, Participant, ParticipantEmail, utcnow
from . import mail_claims as claims
from .accounts import organisation
from .action_log.commands import set_participant_email
from .pipeline import Change, Outcome, apply, command, local_zone
from .statutory import timeline

CHANGED = "invitations_changed"


@dataclass(frozen=True)
class Message:
    """One message to send once (mail_claims.Message)."""

    kind: str
    subject: str
    recipient: str
    occasion: str
    action_id: int | None = None


def _key(inv: Invitation) -> Message:
    return Message(inv.kind, f"invitation:{inv.id}", inv.email, f"m{inv.message_no}")


def _participant(change: Change, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != change.meeting.id or participant.removed_at:
        raise NotFound("There is no such participant in this meeting.", field="participant_id")
    return participant


def _live_link(participant_id: int) -> AccessLink | None:
    return db.session.scalar(
        select(AccessLink).where(AccessLink.participant_id == participant_id, AccessLink.revoked_at.is_(None))
    )


def _row(participant: Participant) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.participant_id == participant.id))


def _new_row(change: Change, participant: Participant) -> Invitation:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "common-ground.local"
    inv = Invitation(
        meeting_id=change.meeting.id, participant_id=participant.id, uid=f"meeting-{change.meeting.id}-person-{participant.id}@{domain}",
        sequence=0, message_no=0, created_at=change.now,
    )
    db.session.add(inv)
    db.session.flush()
    return inv


def _audit_view(inv: Invitation) -> dict:
    return {"kind": inv.kind, "sequence": inv.sequence, "message_no": inv.message_no, "status": inv.status,
            "reply": inv.reply, "reply_note": inv.reply_note}


def _queue(change: Change, inv: Invitation, kind: str, email: str | None = None, *, again: bool = False) -> None:
    """Ask for the next message to this invitee; an update or a cancellation raises the SEQUENCE (not
    when the same message is only sent `again` after a failure)."""
    before = _audit_view(inv)
    if kind in (rules.UPDATE, rules.CANCEL) and inv.first_sent_at is not None and not again:
        inv.sequence += 1
    inv.kind, inv.status, inv.error = kind, rules.QUEUED, None
    inv.message_no += 1
    if email:
        inv.email = email
    change.audit(kind, "invitation", inv.id, before, _audit_view(inv))
    _changed(change)


def _changed(change: Change) -> None:
    change.flags[CHANGED] = True
    meeting_id = change.meeting.id
    change.later(CHANGED, lambda: send_after_commit(meeting_id))


def _invite(change: Change, participant: Participant) -> Invitation:
    """Queue an invitation (or a fresh copy of it) to a participant at the address on file."""
    address = db.session.get(ParticipantEmail, participant.id)
    if address is None:
        raise InvalidValue(f"Add {participant.name}'s e-mail address to invite them.", field="email")
    if _live_link(participant.id) is None:
        raise RuleViolation(f"{participant.name}'s link was withdrawn: give them a new link first.", field="participant_id")
    inv = _row(participant) or _new_row(change, participant)
    _queue(change, inv, rules.INVITATION, address.email)
    return inv


def _may_invite(change: Change) -> None:
    if change.meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended.")


@command("invitations.send", schemas.InviteArgs, "E-mail a participant their invitation with their own link and a calendar request")
def send_invitation(change: Change, args: schemas.InviteArgs) -> dict:
    """Queue one person's invitation (at a new address when given); sent after the commit, once."""
    _may_invite(change)
    participant = _participant(change, args.participant_id)
    if args.email is not None:
        if not args.email.strip():
            raise InvalidValue("Give an e-mail address to invite them at.", field="email")
        set_participant_email(change, participant, args.email)
    _invite(change, participant)
    return {"participant_id": participant.id}


@command("invitations.send_all", schemas.NoArgs, "E-mail an invitation to everyone with an address who is not invited yet")
def send_all(change: Change, args: schemas.NoArgs) -> dict:
    """Queue an invitation for each participant not yet invited; says who was left out and why."""
    _may_invite(change)
    invited, skipped = [], []
    for participant in queries.present_participants(change.meeting):
        inv = _row(participant)
        if inv is not None and inv.status is not None:
            continue
        if db.session.get(ParticipantEmail, participant.id) is None:
            skipped.append({"participant_id": participant.id, "name": participant.name, "reason": "no e-mail address"})
        elif _live_link(participant.id) is None:
            skipped.append({"participant_id": participant.id, "name": participant.name, "reason": "link withdrawn"})
        else:
            _invite(change, participant)
            invited.append(participant.id)
    return {"invited": invited, "skipped": skipped}


@command("invitations.remind", schemas.NoArgs, "Remind everyone invited who has not answered yet")
def remind(change: Change, args: schemas.NoArgs) -> dict:
    """Queue a reminder to answer (the calendar request again, unchanged) for each invitee without a reply."""
    _may_invite(change)
    reminded = []
    for participant in queries.present_participants(change.meeting):
        inv = _row(participant)
        if inv is None or inv.reply or inv.kind not in rules.STANDING or inv.status != rules.SENT:
            continue
        if _live_link(participant.id) is None:
            continue
        _queue(change, inv, rules.REMINDER)
        reminded.append(participant.id)
    return {"reminded": reminded}


@command("invitations.retry", schemas.ParticipantArgs, "Send a failed invitation, update or cancellation again")
def retry(change: Change, args: schemas.ParticipantArgs) -> dict:
    """Queue a failed message again as a new attempt (the sender's own retries may have run out)."""
    participant = _participant(change, args.participant_id)
    inv = _row(participant)
    if inv is None or inv.status != rules.FAILED:
        raise RuleViolation("There is no failed message to this person to send again.", field="participant_id")
    _queue(change, inv, inv.kind, again=True)
    return {"participant_id": participant.id}


@command("invitations.reply", schemas.InvitationReplyArgs, "Answer the invitation from your own link: accept, decline or remote only")
def reply(change: Change, args: schemas.InvitationReplyArgs) -> dict:
    """An invitee's answer, for themselves only; an interpreter's language sets their language and need."""
    participant = change.link.participant
    if participant is None or participant.removed_at is not None:
        raise NotFound("This link belongs to nobody on the meeting's list.", field="participant_id")
    if change.meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended.")
    response, note = rules.clean_reply(args.response, args.note)
    language = meeting_rules.clean_language(args.interpreter_language)
    if args.interpreter_language is not None and language is None:
        raise InvalidValue("Say which language the interpreter should speak.", field="interpreter_language")
    inv = _row(participant) or _new_row(change, participant)
    before = _audit_view(inv)
    inv.reply, inv.reply_note, inv.replied_at = response, note, change.now
    change.audit("invitations.reply", "invitation", inv.id, before, _audit_view(inv))
    if language is not None and (participant.language != language or not participant.needs_interpreter):
        was = queries.participant_view(participant)
        participant.language, participant.needs_interpreter = language, True
        participant.version += 1
        change.audit("participants.update", "participant", participant.id, was, queries.participant_view(participant))
        change.put("participants", participant)
    change.flags[CHANGED] = True
    return {"invitation": own_view(inv)}


# ---------------------------------------------------------------- hooks of other commands


def rescheduled(change: Change) -> None:
    """The meeting moved: everyone already invited gets an update (same UID, higher SEQUENCE)."""
    for inv in db.session.scalars(select(Invitation).where(Invitation.meeting_id == change.meeting.id)):
        if inv.kind in rules.STANDING and inv.first_sent_at is not None:
            _queue(change, inv, rules.UPDATE)


def withdrawn(change: Change, participant: Participant) -> None:
    """A participant was taken off the meeting: a cancellation if they were sent an invitation."""
    inv = _row(participant)
    if inv is None or inv.kind is None:
        return
    if inv.first_sent_at is not None:
        _queue(change, inv, rules.CANCEL)
    elif inv.status in (rules.QUEUED, rules.FAILED):
        # Nothing went out yet: nothing to cancel, and the queued invitation is not sent.
        before = _audit_view(inv)
        inv.kind = inv.status = None
        change.audit("invitation_withdrawn", "invitation", inv.id, before, _audit_view(inv))
        _changed(change)


# ---------------------------------------------------------------- sending


@dataclass
class InvitationRun:
    """What one run of the invitation sender did."""

    sent: list[str] = field(default_factory=list)
    already: int = 0
    failed: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def send_after_commit(meeting_id: int) -> list[Outcome]:
    """After a command queued messages: send them from this process (unless INVITATIONS_SEND_AT_ONCE is off)."""
    if not current_app.config.get("INVITATIONS_SEND_AT_ONCE", True):
        return []
    return send_queued(utcnow(), meeting_id).outcomes


def send_queued(now: datetime, meeting_id: int | None = None) -> InvitationRun:
    """Send every queued (or failed, to be tried again) invitation message, each once across processes."""
    query = select(Invitation.id).where(Invitation.status.in_((rules.QUEUED, rules.FAILED)), Invitation.email.is_not(None))
    if meeting_id is not None:
        query = query.where(Invitation.meeting_id == meeting_id)
    ids = list(db.session.scalars(query.order_by(Invitation.id)))
    db.session.rollback()  # end the read before claiming
    run = InvitationRun()
    with mail.Sender(current_app.config) as sender:
        for inv_id in ids:
            inv = db.session.get(Invitation, inv_id, populate_existing=True)
            if inv is None or inv.status not in (rules.QUEUED, rules.FAILED) or inv.kind is None:
                db.session.rollback()
                continue
            key, message_no = _key(inv), inv.message_no
            label = f"{inv.kind} to {inv.email} for participant {inv.participant_id} (message {message_no})"
            db.session.rollback()
            claim = claims.claim(key, now)
            if claim is None:
                run.already += 1
                # Sent by another process that stopped before recording it: record it now.
                state = claims.status_of(key)
                if state and state[0] == "sent":
                    _record(run, inv_id, message_no, None, now)
                continue
            message = _message(inv_id, claim, now)
            error = claims.deliver(claim, message, sender) if message is not None else "the invitee is no longer on the meeting"
            (run.failed if error else run.sent).append(label + (f": {error}" if error else ""))
            _record(run, inv_id, message_no, error, now)
    return run


def _record(run: InvitationRun, inv_id: int, message_no: int, error: str | None, now: datetime) -> None:
    """Write where a message stands, with an event the chair's People list redraws from."""
    inv = db.session.get(Invitation, inv_id)
    chair = db.session.scalar(
        select(AccessLink).where(AccessLink.meeting_id == inv.meeting_id, AccessLink.role == access.CHAIR).order_by(AccessLink.id)
    )
    db.session.rollback()
    if chair is None:
        return

    def decide(change: Change) -> bool:
        row = db.session.get(Invitation, inv_id, populate_existing=True)
        if row is None:
            return False
        before = _audit_view(row)
        if error is None:
            row.first_sent_at = row.first_sent_at or now
            row.last_sent_at = now
        if row.message_no == message_no:  # not asked for again meanwhile (a move, a resend)
            row.status, row.error = (rules.FAILED, error[:1000]) if error else (rules.SENT, None)
        elif error is not None:
            return False
        change.audit("invitations.delivery", "invitation", row.id, before, {**_audit_view(row), "error": row.error},
                     actor="Mail sender", account=False)
        change.flags[CHANGED] = True
        return True

    outcome = apply(chair, "invitations.delivery", decide)
    if outcome is not None:
        run.outcomes.append(outcome)


def _organizer(meeting: Meeting) -> tuple[str, str]:
    """The calendar's ORGANIZER: the chair's address when set (calendar replies reach them), else the sender's."""
    chair = db.session.get(ChairEmail, meeting.id)
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    org = organisation().name
    if chair is not None:
        return chair.email, f"Chair, {org}"
    return address, name or org


def _when(meeting: Meeting) -> tuple[str, date]:
    zone = local_zone()
    start, end = meeting.scheduled_start.astimezone(zone), meeting.scheduled_end.astimezone(zone)
    return f"{uk_date(start.date(), weekday=True)}, {start:%H:%M} to {end:%H:%M} ({zone.key} time)", start.date()


def _message(inv_id: int, claim_id: int, now: datetime):
    """The e-mail for an invitation's latest message: plain text, HTML and the calendar part."""
    inv = db.session.get(Invitation, inv_id)
    participant = db.session.get(Participant, inv.participant_id)
    meeting = queries.use_meeting_organisation(db.session.get(Meeting, inv.meeting_id))  # its time zone and name
    link = _live_link(participant.id)
    cancelled = inv.kind == rules.CANCEL
    if link is None and not cancelled:
        return None
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    url = f"{base}{queries.link_path(link)}" if link is not None and not cancelled else None
    when, day = _when(meeting)
    kind_label = meeting_rules.MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type)
    org = organisation().name
    subject = {
        rules.INVITATION: f"Invitation: {meeting.title}, {uk_date(day)}",
        rules.UPDATE: f"Changed: {meeting.title} is now on {uk_date(day)}",
        rules.REMINDER: f"Reminder: please answer the invitation to {meeting.title}, {uk_date(day)}",
        rules.CANCEL: f"Cancelled for you: {meeting.title}, {uk_date(day)}",
    }[inv.kind]
    paragraphs: list[tuple[str, list[str] | None]] = []  # (text, list items)
    if cancelled:
        paragraphs += [
            (f"You are no longer invited to {meeting.title} ({kind_label}, child {meeting.child_ref}) on {when}.", None),
            ("Your personal link to the meeting no longer works. If you think this is a mistake, please contact the chair.", None),
        ]
    else:
        if inv.kind == rules.REMINDER:
            paragraphs.append(("A reminder: we have not had your answer yet. It helps the chair to plan the meeting.", None))
        if inv.kind == rules.UPDATE:
            paragraphs.append(("The meeting has been moved. The new time is below; your calendar entry is updated too.", None))
        paragraphs += [
            (f"You are invited to a meeting about the support for child {meeting.child_ref}: {meeting.title} ({kind_label}).", None),
            (f"What it is for: {rules.PURPOSE.get(meeting.meeting_type, 'to talk about the support and agree what happens next.')}", None),
            (f"When: {when}.", None),
            (f"How to join: open your own link on a phone, tablet or computer (nothing to install). "
             f"It is for you alone, so please do not forward it: {url}", None),
            ("What to bring:", list(rules.TO_BRING)),
            ("How to reply: open your link and choose \"I can come\", \"I cannot come\" or \"I can only join remotely\". "
             "You can also say if you need an interpreter, and in which language, and add a note for the chair.", None),
        ]
        if participant.needs_interpreter:
            language = f" in {participant.language}" if participant.language else ""
            paragraphs.append((f"The chair has noted that you need an interpreter{language}.", None))
    lines = [f"Hello {participant.name},", ""]
    for text, items in paragraphs:
        lines.append(text)
        lines += [f"  - {item}" for item in items or []]
        lines.append("")
    lines += [f"With best wishes, {org}"]
    html = [f"<p>Hello {escape(participant.name)},</p>"]
    for text, items in paragraphs:
        body = escape(text)
        if url:
            body = body.replace(escape(url), f'<a href="{escape(url)}">{escape(url)}</a>')
        html.append(f"<p>{body}</p>")
        if items:
            html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    html.append(f"<p>With best wishes, {escape(org)}</p>")
    organizer_email, organizer_name = _organizer(meeting)
    calendar = invitation_calendar(
        CalendarInvite(
            method=rules.METHODS[inv.kind], uid=inv.uid, sequence=inv.sequence, stamp=now,
            start=meeting.scheduled_start, end=meeting.scheduled_end,
            summary=f"{meeting.title} ({kind_label})", description="\n".join(lines),
            organizer_email=organizer_email, organizer_name=organizer_name,
            attendee_email=inv.email, attendee_name=participant.name, url=url,
            attendee_role="OPT-PARTICIPANT" if link is not None and link.role == access.OBSERVER else "REQ-PARTICIPANT",
        )
    )
    return mail.build(
        inv.email, subject, "\n".join(lines), f"invitation-{claim_id}-{inv.kind}",
        html="<!doctype html><html><body>" + "\n".join(html) + "</body></html>",
        calendar=calendar, method=rules.METHODS[inv.kind],
    )


# ---------------------------------------------------------------- reading


def own_view(inv: Invitation | None) -> dict:
    """An invitee's own invitation, as their page shows it."""
    if inv is None:
        return {"reply": None, "reply_label": None, "note": None, "replied_at": None}
    return {"reply": inv.reply, "reply_label": rules.REPLIES.get(inv.reply), "note": inv.reply_note,
            "replied_at": queries.iso(inv.replied_at)}


def own_invitation(participant_id: int | None) -> dict:
    """What the participant page shows of its own link's invitation."""
    if participant_id is None:
        return own_view(None)
    return own_view(db.session.scalar(select(Invitation).where(Invitation.participant_id == participant_id)))


def _state_text(state: str, inv: Invitation | None) -> str:
    sent = uk_date(inv.first_sent_at.astimezone(local_zone()).date()) if inv and inv.first_sent_at else None
    if state == rules.NOT_INVITED:
        return "Not invited"
    if state == rules.SENDING:
        return "Invitation being sent"
    if state == rules.FAILED_STATE:
        return f"Failed: {inv.error}"
    if state == rules.CANCELLED:
        return "Cancellation sent" if inv.status == rules.SENT else "Cancellation being sent"
    if state == rules.INVITED:
        return f"Invited on {sent}" if sent else "Invited"
    return rules.REPLIES[state] + (f" (invited on {sent})" if sent else "")


def _notice_latest(meeting: Meeting, today: date) -> tuple[str | None, date | None, str]:
    """The notice rule of the meeting's type and its latest date on the organisation's calendar (if it has one)."""
    rule_id = rules.NOTICE_RULES.get(meeting.meeting_type)
    if rule_id is None:
        return None, None, "The regulations set no notice period for this meeting type."
    for item in timeline(meeting, today)["items"]:
        if item["rule_id"] == rule_id:
            return rule_id, date.fromisoformat(item["date"]), f"{rule_id}: {item['title']}, by {item['date_text']}."
    return rule_id, None, f"{rule_id}: notice early enough for the parent to attend; the rule sets no fixed number of days."


def chair_view(meeting: Meeting, today: date) -> dict:
    """Each person's invitation (address, state, reply, notice had) and the must-invite check, for the chair."""
    invitations = {inv.participant_id: inv for inv in db.session.scalars(select(Invitation).where(Invitation.meeting_id == meeting.id))}
    emails = {pid: email for pid, email in db.session.execute(
        select(ParticipantEmail.participant_id, ParticipantEmail.email)
        .join(Participant, Participant.id == ParticipantEmail.participant_id)
        .where(Participant.meeting_id == meeting.id)
    )}
    zone = local_zone()
    meeting_day = meeting.scheduled_start.astimezone(zone).date()
    rule_id, latest, rule_text = _notice_latest(meeting, today)
    people, present = [], []
    for p in queries.present_participants(meeting):
        inv = invitations.get(p.id)
        state = rules.state_of(inv.kind, inv.status, inv.first_sent_at is not None, inv.reply) if inv else rules.NOT_INVITED
        notice = None
        if inv is not None and inv.first_sent_at is not None:
            n = rules.notice(inv.first_sent_at.astimezone(zone).date(), meeting_day, latest)
            notice = {"days": n.days, "short": n.short, "text": n.text()}
        present.append(rules.Person(p.role, p.agency, inv is not None and (inv.first_sent_at is not None or inv.status == rules.QUEUED)))
        people.append({
            "participant_id": p.id,
            "name": p.name,
            "email": emails.get(p.id),
            "state": state,
            "state_text": _state_text(state, inv),
            "invited_on": queries.iso(inv.first_sent_at) if inv else None,
            "error": inv.error if inv else None,
            "can_retry": bool(inv and inv.status == rules.FAILED),
            "reply": inv.reply if inv else None,
            "reply_note": inv.reply_note if inv else None,
            "replied_at": queries.iso(inv.replied_at) if inv else None,
            "notice": notice,
        })
    expected = rules.EXPECTED.get(meeting.meeting_type)
    return {
        "meeting_id": meeting.id,
        "notice_rule": {"rule_id": rule_id, "latest": latest.isoformat() if latest else None, "text": rule_text},
        "expected": {
            "rule": expected[0] if expected else None,
            "source": expected[1] if expected else None,
            "checks": [c.as_dict() for c in rules.who_must_be_there(meeting.meeting_type, present)],
        },
        "people": people,
    }
