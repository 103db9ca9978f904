"""An action as the log shows it: its row (meeting, owner, item, how it stands today) and its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ... import queries
from ...domain import action_log as rules
from ...domain.meetings import MEETING_TYPES
from ...extensions import db
from ...models import Action, ActionUpdate, AgendaItem, Meeting, Participant, utcnow
from ..pipeline import local_zone


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def update_view(u: ActionUpdate) -> dict:
    """One entry of an action's history, as people are shown it."""
    return {
        "id": u.id,
        "action_id": u.action_id,
        "kind": u.kind,
        "kind_label": rules.UPDATE_KINDS.get(u.kind, u.kind),
        "status_before": u.status_before,
        "status_after": u.status_after,
        "status_label": rules.STATUSES.get(u.status_after) if u.status_after else None,
        "status_changed": u.status_before != u.status_after,
        "occurred_on": _day(u.occurred_on),
        "note": u.note,
        "evidence": u.evidence,
        "evidence_is_link": is_link(u.evidence),
        "author": u.author,
        "reviewed_in_meeting_id": u.reviewed_in_meeting_id,
        "created_at": queries.iso(u.created_at),
    }


def is_link(text: str | None) -> bool:
    """Evidence that is a web address (shown as a link); anything else is shown as text."""
    return bool(text) and text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


def today_local(now: datetime) -> date:
    """The organisation's local day at `now`."""
    return now.astimezone(local_zone()).date()


def agreed_on(action: Action) -> date:
    """The local day the action was agreed (recorded)."""
    return today_local(action.created_at)


@dataclass
class LogRow:
    """One action as the log shows it, with its meeting, owner, agenda item and how it stands today."""

    action: Action
    meeting: Meeting
    owner: str
    item_title: str | None
    today: date
    last_update: ActionUpdate | None = None
    history: list[ActionUpdate] = field(default_factory=list)

    @property
    def standing(self) -> str:
        a = self.action
        return rules.standing(a.status, a.due_date, a.follow_up_date, a.closed_on, self.today)

    @property
    def standing_note(self) -> str:
        a = self.action
        return rules.standing_note(a.status, a.due_date, a.follow_up_date, a.closed_on, self.today)

    def as_dict(self) -> dict:
        a, m = self.action, self.meeting
        return {
            "id": a.id,
            "what": a.what,
            "owner": self.owner,
            "owner_participant_id": a.owner_participant_id,
            "owner_agency": a.owner_agency,
            "need": a.need,
            "confidential": a.confidential,
            "status": a.status,
            "status_label": rules.STATUSES.get(a.status, a.status),
            "standing": self.standing,
            "standing_label": rules.STANDINGS[self.standing],
            "standing_note": self.standing_note,
            "overdue": rules.is_overdue(a.status, a.due_date, self.today),
            "due_this_week": rules.is_due_this_week(a.status, a.due_date, self.today),
            "due_date": _day(a.due_date),
            "follow_up_date": _day(a.follow_up_date),
            "closed_on": _day(a.closed_on),
            "progress_at": queries.iso(a.progress_at),
            "confirmed": a.confirmed_at is not None,
            "version": a.version,
            "meeting": {
                "id": m.id,
                "title": m.title,
                "meeting_type": m.meeting_type,
                "meeting_type_label": MEETING_TYPES.get(m.meeting_type, m.meeting_type),
                "child_ref": m.child_ref,
                "date": _day(today_local(m.scheduled_start)),
            },
            "agenda_item": {"id": a.agenda_item_id, "title": self.item_title} if a.agenda_item_id else None,
            "last_update": update_view(self.last_update) if self.last_update else None,
            "history": [update_view(u) for u in self.history],
        }


def _owner_name(action: Action) -> str:
    if action.owner_participant_id:
        p = db.session.get(Participant, action.owner_participant_id)
        if p is not None:
            return p.name
    return action.owner_name or "someone no longer listed"


def log_row(action: Action, today: date, *, history: bool = False) -> LogRow:
    """The log's row for one loaded action (with its whole history when asked)."""
    meeting = db.session.get(Meeting, action.meeting_id)
    item = db.session.get(AgendaItem, action.agenda_item_id) if action.agenda_item_id else None
    updates = history_of(action.id) if history else []
    return LogRow(action, meeting, _owner_name(action), item.title if item else None, today,
                  updates[-1] if updates else None, updates)


def previous_action_view(action: Action, now: datetime | None = None) -> dict:
    """An earlier meeting's action as shown in a later meeting's review of previous actions."""
    return log_row(action, today_local(now or utcnow()), history=True).as_dict()


# Events may carry these collections too: an earlier action updated in the review, and history entries.
queries.VIEWS.setdefault("previous_actions", previous_action_view)
queries.VIEWS.setdefault("action_updates", lambda u, now=None: update_view(u))
queries.SORT_KEYS.setdefault("previous_actions", lambda row: (row.id,))
queries.SORT_KEYS.setdefault("action_updates", lambda row: (row.id,))


def history_of(action_id: int) -> list[ActionUpdate]:
    """An action's history, oldest first."""
    return list(db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.id)))
