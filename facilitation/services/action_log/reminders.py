"""Reminders: owners' e-mails before due and follow-up dates and when overdue, and the chairs' weekly digest
(with the statutory dates of their meetings due in the next 7 days and those missed).

Any number of sender processes may run at once: each reminder is claimed in the database before it
is sent (services.mail_claims), so it goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, true

from ... import mail, queries
from ...domain import access
from ...domain import action_log as rules
from ...domain.dates import uk_date
from ...extensions import db
from ...models import (
    AccessLink,
    Action,
    ActionUpdate,
    ChairEmail,
    Meeting,
    Organisation,
    OutboxMessage,
    ParticipantEmail,
    ReminderSent,
)
from .. import mail_claims as claims
from ..pipeline import local_zone
from .feeds import feed_for, owner_key_of
from .rows import LogRow, log_row, today_local
from .statutory_dates import NOTICE as STATUTORY_NOTICE
from .statutory_dates import digest_steps


@dataclass
class ReminderRun:
    """What one run of the reminder sender did."""

    now: datetime
    sent: list[str] = field(default_factory=list)
    already: int = 0
    failed: list[str] = field(default_factory=list)
    no_address: int = 0
    planned: list[str] = field(default_factory=list)


def _owner_facts(today: date) -> list[tuple[rules.ActionFacts, Action, Meeting, str | None]]:
    """Active actions whose due or follow-up date is in the reminder window, with owner addresses."""
    cfg = current_app.config
    lo, hi = rules.reminder_window(today, days_before=cfg["REMINDER_DAYS_BEFORE"], catch_up_days=cfg["REMINDER_CATCH_UP_DAYS"])
    q = (
        select(Action, Meeting, ParticipantEmail.email)
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(ParticipantEmail, ParticipantEmail.participant_id == Action.owner_participant_id)
        .where(
            Action.deleted_at.is_(None),
            Action.status.in_(rules.ACTIVE),
            or_(Action.due_date.between(lo, hi), Action.follow_up_date.between(lo, hi)),
            Meeting.organisation_id == queries.current_organisation_id(),
        )
        .order_by(Action.id)
    )
    out = []
    for action, meeting, participant_email in db.session.execute(q):
        email = participant_email if action.owner_participant_id else action.owner_email
        facts = rules.ActionFacts(action.id, action.status, action.due_date, action.follow_up_date, email)
        out.append((facts, action, meeting, email))
    return out


def _participant_link(participant_id: int | None) -> AccessLink | None:
    if not participant_id:
        return None
    return db.session.scalar(
        select(AccessLink).where(AccessLink.participant_id == participant_id, AccessLink.revoked_at.is_(None))
    )


def _owner_message(r: rules.Reminder, action: Action, meeting: Meeting, claim_id: int, today: date):
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    child = meeting.child_ref
    what = action.what if len(action.what) <= 60 else action.what[:59] + "…"
    subject = {
        rules.DUE_SOON: f"Action due {uk_date(action.due_date)} (child {child}): {what}",
        rules.FOLLOW_UP_SOON: f"Follow-up {uk_date(action.follow_up_date)} (child {child}): {what}",
        rules.BECAME_OVERDUE: f"Overdue since {uk_date(action.due_date)} (child {child}): {what}",
    }[r.kind]
    opening = {
        rules.DUE_SOON: f"This action is due on {uk_date(action.due_date)}.",
        rules.FOLLOW_UP_SOON: f"This action's follow-up date is {uk_date(action.follow_up_date)}: "
        "the day someone checks it was done.",
        rules.BECAME_OVERDUE: f"This action was due on {uk_date(action.due_date)} and is not yet recorded as done.",
    }[r.kind]
    link = _participant_link(action.owner_participant_id)
    lines = [
        "Hello,",
        "",
        opening,
        "",
        f"  What: {action.what}",
        f"  Agency: {action.owner_agency}",
        f"  Status: {rules.STATUSES.get(action.status, action.status)}",
        f"  Due: {uk_date(action.due_date)}; follow-up: {uk_date(action.follow_up_date)}",
        f"  Agreed at: {meeting.title}, {uk_date(today_local(meeting.scheduled_start))} (child {child})",
        "",
    ]
    if link is not None:
        lines += ["Record progress (status, a note, evidence) from your personal link:", f"  {base}/join/{link.token}/actions", ""]
    else:
        lines += ["To record progress, reply to the chair of the meeting.", ""]
    key = owner_key_of(action)
    if key:
        lines += ["Your due and follow-up dates as a calendar you can subscribe to:", f"  {base}/calendar/{feed_for(key).token}.ics", ""]
    lines += ["This reminder is sent once. Common Ground"]
    return mail.build(r.recipient, subject, "\n".join(lines), f"reminder-{claim_id}-{r.kind}")


def _digest_message(r: rules.Reminder, meeting_ids: list[int], claim_id: int, today: date):
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    rows: list[LogRow] = []
    q = (
        select(Action)
        .where(Action.meeting_id.in_(meeting_ids), Action.deleted_at.is_(None), Action.status.in_(rules.ACTIVE))
        .order_by(Action.due_date, Action.id)
    )
    for action in db.session.scalars(q):
        rows.append(log_row(action, today))
    overdue = [x for x in rows if x.standing in (rules.LAPSED, rules.OVERDUE)]
    week = [x for x in rows if x.standing == rules.DUE_THIS_WEEK]
    follow = [x for x in rows if x.standing == rules.ON_TRACK and today <= x.action.follow_up_date < today + timedelta(days=7)]
    missed = list(
        db.session.scalars(
            select(ActionUpdate)
            .where(
                ActionUpdate.meeting_id.in_(meeting_ids),
                ActionUpdate.kind == rules.MISSED_PROVISION,
                ActionUpdate.occurred_on >= today - timedelta(days=7),
            )
            .order_by(ActionUpdate.occurred_on)
        )
    )
    chair = db.session.scalar(
        select(AccessLink)
        .join(Meeting, Meeting.id == AccessLink.meeting_id)
        .where(AccessLink.meeting_id.in_(meeting_ids), AccessLink.role == access.CHAIR, AccessLink.revoked_at.is_(None))
        .order_by(Meeting.scheduled_start.desc())
    )
    monday = today - timedelta(days=today.weekday())
    subject = f"Weekly action digest, week of {uk_date(monday)}: {len(overdue)} overdue, {len(week)} due this week"

    def block(title: str, items: list[LogRow]) -> list[str]:
        if not items:
            return [f"{title}: none", ""]
        out = [f"{title} ({len(items)}):"]
        for x in items:
            a, m = x.action, x.meeting
            note = rules.standing_note(a.status, a.due_date, a.follow_up_date, a.closed_on, today)
            out.append(f"  - {a.what} — {x.owner} ({a.owner_agency}); child {m.child_ref}; {note}")
        return [*out, ""]

    lines = [f"Actions from the meetings you chair, as of {uk_date(today)}.", ""]
    lines += block("Overdue", overdue)
    lines += block("Due this week", week)
    lines += block("Follow-up this week", follow)
    if missed:
        lines.append(f"Support reported as not delivered in the last 7 days ({len(missed)}):")
        for u in missed:
            action = db.session.get(Action, u.action_id)
            lines.append(f"  - {uk_date(u.occurred_on)}: {u.note} (action: {action.what}; reported by {u.author})")
        lines.append("")
    soon, missed_steps = digest_steps(meeting_ids, today)

    def step_block(title: str, steps: list) -> list[str]:
        if not steps:
            return [f"{title}: none", ""]
        out = [f"{title} ({len(steps)}):"]
        for s in steps:
            mark = " (unverified)" if not s.verified else ""
            out.append(f"  - {uk_date(s.day)}: {s.title}{mark} — {s.who}; child {s.child_ref}, {s.meeting_type} "
                       f"{uk_date(s.meeting_day)}; rule {s.rule_id} {s.source}")
        return [*out, ""]

    if soon or missed_steps:
        lines += step_block("Statutory dates missed", missed_steps)
        lines += step_block("Statutory dates in the next 7 days", soon)
        lines += [STATUTORY_NOTICE, ""]
    if chair is not None:
        lines += ["The action log:", f"  {base}/actions/{chair.token}?overdue=1", ""]
        if soon or missed_steps:
            lines += ["Statutory dates:", f"  {base}/actions/{chair.token}/statutory", ""]
    lines += [f"{len(rows)} actions are open in all.", "Common Ground"]
    return mail.build(r.recipient, subject, "\n".join(lines), f"digest-{claim_id}")


def _digests_due(now: datetime) -> list[tuple[rules.Reminder, list[int]]]:
    cfg = current_app.config
    week = rules.digest_week(now, local_zone(), weekday=cfg["DIGEST_WEEKDAY"], hour=cfg["DIGEST_HOUR"])
    if week is None:
        return []
    by_address: dict[str, list[int]] = {}
    chairs = (
        select(ChairEmail.meeting_id, ChairEmail.email)
        .join(Meeting, Meeting.id == ChairEmail.meeting_id)
        .where(Meeting.organisation_id == queries.current_organisation_id())
        .order_by(ChairEmail.meeting_id)
    )
    for meeting_id, email in db.session.execute(chairs):
        by_address.setdefault(email.lower(), []).append(meeting_id)
    return [(rules.Reminder(rules.WEEKLY_DIGEST, "digest", addr, week), ids) for addr, ids in sorted(by_address.items())]


def send_reminders(now: datetime, *, dry_run: bool = False) -> ReminderRun:
    """Send every reminder due at `now` that no sender has claimed yet: owners' and the chairs' digests,
    organisation by organisation (each one's local day, digest week and name)."""
    run = ReminderRun(now)
    for organisation_id in db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all():
        queries.use_organisation(organisation_id)
        _send_for_organisation(run, now, dry_run)
    return run


def _send_for_organisation(run: ReminderRun, now: datetime, dry_run: bool) -> None:
    """The reminders of the organisation the context is scoped to, added to `run`."""
    cfg = current_app.config
    today = today_local(now)
    facts = _owner_facts(today)
    by_id = {f.action_id: (action, meeting) for f, action, meeting, _ in facts}
    due = rules.reminders_due(
        [f for f, *_ in facts], today, days_before=cfg["REMINDER_DAYS_BEFORE"], catch_up_days=cfg["REMINDER_CATCH_UP_DAYS"]
    )
    run.no_address += sum(1 for f, *_ in facts if f.status in rules.ACTIVE and not f.owner_email)
    digests = _digests_due(now)
    db.session.rollback()  # end the read before claiming
    if dry_run:
        run.planned += [f"{r.kind} to {r.recipient} ({r.subject}, {r.occasion})" for r in due]
        run.planned += [f"{r.kind} to {r.recipient} ({r.occasion})" for r, _ in digests]
        return
    with mail.Sender(current_app.config) as sender:
        for r in due:
            claim = claims.claim(r, now)
            if claim is None:
                run.already += 1
                continue
            action, meeting = by_id[r.action_id]
            action = db.session.get(Action, action.id)
            meeting = db.session.get(Meeting, meeting.id)
            error = claims.deliver(claim, _owner_message(r, action, meeting, claim, today), sender)
            label = f"{r.kind} to {r.recipient} for action {r.action_id} ({r.occasion})"
            (run.failed if error else run.sent).append(label + (f": {error}" if error else ""))
        for r, meeting_ids in digests:
            claim = claims.claim(r, now)
            if claim is None:
                run.already += 1
                continue
            error = claims.deliver(claim, _digest_message(r, meeting_ids, claim, today), sender)
            label = f"{r.kind} to {r.recipient} ({r.occasion})"
            (run.failed if error else run.sent).append(label + (f": {error}" if error else ""))


def outbox(limit: int = 200, scope=None) -> list[OutboxMessage]:
    """Messages kept in the development outbox, newest first (with a scope: only those to people its
    reminders were addressed to, so no organisation reads another's mail)."""
    q = select(OutboxMessage)
    if scope is not None:
        q = q.where(OutboxMessage.recipient.in_(select(ReminderSent.recipient).where(_claims_in(scope))))
    return list(db.session.scalars(q.order_by(OutboxMessage.id.desc()).limit(limit)))


def _claims_in(scope):
    """The condition that a reminder claim is about an action in the scope's meetings."""
    if scope.participant_id is not None:
        return ReminderSent.action_id.in_(select(Action.id).where(Action.owner_participant_id == scope.participant_id))
    in_scope = scope.meeting_condition()
    return true() if in_scope is None else ReminderSent.action_id.in_(select(Action.id).where(in_scope))


def reminder_claims(limit: int = 200, scope=None) -> list[ReminderSent]:
    """Recent reminder claims (sent, failed, or left claimed by a sender that stopped), newest first
    (with a scope: only those about its actions)."""
    q = select(ReminderSent)
    if scope is not None:
        q = q.where(_claims_in(scope))
    return list(db.session.scalars(q.order_by(ReminderSent.id.desc()).limit(limit)))

