"""The log leaving the app: the CSV export of a filtered log, and each owner's private calendar feed.

The files themselves are written in `exports` (csv_action_log, ics) from plain values read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ... import queries
from ...domain import action_log as rules
from ...domain.meetings import MEETING_TYPES
from ...exports import csv_action_log
from ...extensions import db
from ...models import AccessLink, Action, AgendaItem, CalendarFeed, Meeting, Participant, ParticipantEmail, utcnow
from ..pipeline import begin_write, local_zone, log_access, new_token
from .rows import today_local
from .scope import Scope
from .search import LogFilters, matching, sort_order

# ---------------------------------------------------------------- CSV export


def csv_lines(scope: Scope, f: LogFilters, today: date) -> Iterator[str]:
    """The whole filtered log as CSV (every page), in chunks; dates UK style, formulas neutralised."""
    return csv_action_log.lines(_csv_rows(scope, f, today))


def _csv_rows(scope: Scope, f: LogFilters, today: date) -> Iterator[list]:
    """The log's rows in csv_action_log.COLUMNS order, read in batches as the file is written."""
    zone = local_zone()
    owner = aliased(Participant)
    owner_label = func.coalesce(owner.name, Action.owner_name)
    q = (
        select(
            Action.id, Action.what, owner_label, Action.owner_agency, Action.need, Action.status, Action.due_date,
            Action.follow_up_date, Action.closed_on, Action.progress_at, Meeting.child_ref, Meeting.title,
            Meeting.meeting_type, Meeting.scheduled_start, AgendaItem.title,
        )
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(owner, owner.id == Action.owner_participant_id)
        .outerjoin(AgendaItem, AgendaItem.id == Action.agenda_item_id)
        .where(*matching(scope, f, today))
        .order_by(*sort_order(f, owner_label))
        .execution_options(yield_per=2000)
    )
    for (aid, what, name, agency, need, status, due, follow, closed, progress, child, title, mtype, start, item) in db.session.execute(q):
        yield [
            aid, what, name, agency, need, rules.STATUSES.get(status, status),
            rules.standing_note(status, due, follow, closed, today),
            due, follow, closed, progress.astimezone(zone).date() if progress else None,
            child, title, MEETING_TYPES.get(mtype, mtype), start.astimezone(zone).date(), item,
        ]


def record_export(link: AccessLink, f: LogFilters, total: int) -> None:
    """The audit trail notes who exported the log, with which filters (sensitive data)."""
    log_access(link, "actions.export_csv", "action_log", after={"filters": f.query_args(page=None, per_page=None), "rows": total})


# ---------------------------------------------------------------- calendar feeds


def participant_key(participant_id: int) -> str:
    """The feed owner key of a participant."""
    return f"participant:{participant_id}"


def email_key(email: str, organisation_id: int | None = None) -> str:
    """The feed owner key of an owner from outside the meeting, by address, in one organisation (the
    current one by default): the same person's actions in two organisations are two feeds, so that
    no chair of one is shown the other's. The first organisation's keys have no number (as before
    there were several)."""
    organisation_id = organisation_id or queries.current_organisation_id()
    if organisation_id == queries.FIRST_ORGANISATION:
        return f"email:{email.lower()}"
    return f"email:{organisation_id}:{email.lower()}"


def _email_key_parts(value: str) -> tuple[int, str]:
    """The organisation and address of an email key's value ("<address>" or "<organisation>:<address>")."""
    number, colon, address = value.partition(":")
    if colon and number.isascii() and number.isdigit():
        return int(number), address
    return queries.FIRST_ORGANISATION, value


def feed_for(owner_key: str) -> CalendarFeed:
    """The owner's private feed, created the first time it is asked for (safe when two ask at once)."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_key == owner_key))
    if feed is not None:
        return feed
    db.session.rollback()
    begin_write()
    try:
        feed = CalendarFeed(token=new_token(), owner_key=owner_key, created_at=utcnow())
        db.session.add(feed)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_key == owner_key))
    return feed


def owner_key_of(action: Action) -> str | None:
    """Whose calendar an action belongs in: its participant owner, or its outside owner's address."""
    if action.owner_participant_id:
        return participant_key(action.owner_participant_id)
    if action.owner_email:
        meeting = db.session.get(Meeting, action.meeting_id)
        return email_key(action.owner_email, meeting.organisation_id if meeting is not None else None)
    return None


def feed_actions(feed: CalendarFeed) -> list[tuple[Action, Meeting]] | None:
    """The active actions in a feed; None when the feed no longer works."""
    if feed.revoked_at is not None:
        return None
    kind, _, value = feed.owner_key.partition(":")
    q = select(Action, Meeting).join(Meeting, Meeting.id == Action.meeting_id).where(
        Action.deleted_at.is_(None), Action.status.in_(rules.ACTIVE)
    )
    if kind == "participant":
        participant = db.session.get(Participant, int(value))
        if participant is None or participant.removed_at is not None:
            return None
        queries.use_meeting_organisation(db.session.get(Meeting, participant.meeting_id))  # its local dates
        q = q.where(Action.owner_participant_id == participant.id)
    elif kind == "email":
        organisation_id, address = _email_key_parts(value)
        queries.use_organisation(organisation_id)
        with_address = select(ParticipantEmail.participant_id).where(func.lower(ParticipantEmail.email) == address)
        q = q.where(
            or_(func.lower(Action.owner_email) == address, Action.owner_participant_id.in_(with_address)),
            Meeting.organisation_id == organisation_id,
        )
    else:
        return None
    return list(db.session.execute(q.order_by(Action.due_date, Action.id)))


#: The name a subscribed calendar shows for a feed.
FEED_NAME = "Common Ground actions"


def calendar(feed: CalendarFeed, now: datetime, domain: str) -> bytes | None:
    """A feed as iCalendar (one all-day event per due and follow-up date); None when it no longer works."""
    entries = feed_actions(feed)
    if entries is None:
        return None
    from ...exports import ics  # icalendar is loaded only when a calendar is asked for

    dated = [
        ics.DatedAction(
            id=action.id,
            what=action.what,
            agency=action.owner_agency,
            due_date=action.due_date,
            follow_up_date=action.follow_up_date,
            version=action.version,
            meeting_title=meeting.title,
            meeting_type=MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type),
            meeting_day=today_local(meeting.scheduled_start),
            child_ref=meeting.child_ref,
        )
        for action, meeting in entries
    ]
    return ics.render_feed(FEED_NAME, dated, now, domain)
