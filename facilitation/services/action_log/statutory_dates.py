"""The action log's statutory view: the dated steps of the statutory timelines of the meetings a log covers.

Each meeting's steps come from `services.statutory.timeline` (the rules and the organisation's calendar).
Only meetings of a type with a timeline are read, and only those held or scheduled from 18 months ago to
6 months ahead, so the number of timelines computed for one page stays bounded (purged meetings are gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ...domain.meetings import MEETING_TYPES
from ...domain.minutes import STATUTORY_NOTICE
from ...domain.statutory.timeline import TIMELINES
from ...extensions import db
from ...models import Meeting
from .. import statutory
from .rows import today_local
from .scope import Scope

#: Meetings whose steps are read: scheduled from this long ago to this far ahead of today.
LOOK_BACK, LOOK_AHEAD = timedelta(days=548), timedelta(days=183)
#: A hard ceiling on the timelines computed for one view (the most recent meetings first).
MAX_MEETINGS = 1000
#: The timeline's statuses (an open set): a step is missed when overdue and not done; done when the record
#: says so (met, done late, done where no fixed date applies) or an exception removed its fixed date.
MISSED, DONE = frozenset({"overdue"}), frozenset({"met", "late", "done", "no_fixed_date"})
SOON, WITHIN = 7, 28
NOTICE = STATUTORY_NOTICE


@dataclass(frozen=True)
class StepRow:
    """One statutory step of one meeting, as the view, the digest and a test read it."""

    meeting_id: int
    meeting_title: str
    meeting_type: str
    meeting_day: date
    child_ref: str
    rule_id: str
    title: str
    who: str
    day: date
    status: str
    verified: bool
    sources: tuple[str, ...]

    @property
    def source(self) -> str:
        """The rule's first source (where its link points)."""
        return self.sources[0] if self.sources else ""


@dataclass(frozen=True)
class StatutoryView:
    """The steps in three groups: missed, due in the next 7 days, due in the 21 days after those."""

    missed: list[StepRow]
    soon: list[StepRow]
    within: list[StepRow]
    meetings: list[Meeting]
    #: True when the window held more meetings than MAX_MEETINGS (the oldest were left out)
    truncated: bool = False


def _window(today: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(today - LOOK_BACK, time(), tzinfo=UTC),
        datetime.combine(today + LOOK_AHEAD + timedelta(days=1), time(), tzinfo=UTC),
    )


def meetings_with_timelines(
    scope: Scope | None, today: date, *, meeting_ids: list[int] | None = None, child_ref: str | None = None
) -> tuple[list[Meeting], bool]:
    """The meetings of a scope (or of the ids given) whose statutory steps are read, newest first; and
    whether the ceiling cut the list short."""
    start, end = _window(today)
    q = select(Meeting).where(
        Meeting.meeting_type.in_(list(TIMELINES)), Meeting.scheduled_start >= start, Meeting.scheduled_start < end
    )
    if scope is not None:
        if scope.participant_id is not None:
            return [], False  # a participant's scope: the statutory view is for staff
        in_scope = scope.meetings()
        if in_scope is not None:
            q = q.where(in_scope)  # a participant's scope: the statutory view is for staff
    if meeting_ids is not None:
        q = q.where(Meeting.id.in_(meeting_ids))
    if child_ref:
        q = q.where(func.lower(Meeting.child_ref) == child_ref.strip().lower())
    found = list(
        db.session.scalars(q.order_by(Meeting.scheduled_start.desc(), Meeting.id.desc()).limit(MAX_MEETINGS + 1))
    )
    return found[:MAX_MEETINGS], len(found) > MAX_MEETINGS


def steps_of(meetings: list[Meeting], today: date) -> list[StepRow]:
    """Every statutory step of the meetings, soonest first."""
    out = []
    for meeting in meetings:
        for item in statutory.timeline(meeting, today)["items"]:
            if item.get("date_removed"):
                continue  # an exception the rule allows removed its fixed date
            out.append(
                StepRow(
                    meeting_id=meeting.id,
                    meeting_title=meeting.title,
                    meeting_type=MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type),
                    meeting_day=today_local(meeting.scheduled_start),
                    child_ref=meeting.child_ref,
                    rule_id=item["rule_id"],
                    title=item["title"],
                    who=item["who"],
                    day=date.fromisoformat(item["date"]),
                    status=item["status"],
                    verified=item["verified"],
                    sources=tuple(item["sources"]),
                )
            )
    return sorted(out, key=lambda s: (s.day, s.child_ref.lower(), s.meeting_id, s.rule_id))


def is_missed(step: StepRow) -> bool:
    """Missed: overdue and not done."""
    return step.status in MISSED


def due_within(step: StepRow, today: date, days: int, after: int = -1) -> bool:
    """Still to do and due from `after` + 1 days to `days` days from today."""
    if step.status in MISSED or step.status in DONE:
        return False
    return today + timedelta(days=after) < step.day <= today + timedelta(days=days)


def view(scope: Scope, today: date, *, child_ref: str | None = None, meeting_id: int | None = None) -> StatutoryView:
    """The statutory view of a log's scope, optionally of one child or one meeting."""
    everyone, truncated = meetings_with_timelines(scope, today)
    chosen = [
        m
        for m in everyone
        if (meeting_id is None or m.id == meeting_id)
        and (not child_ref or m.child_ref.lower() == child_ref.strip().lower())
    ]
    steps = steps_of(chosen, today)
    return StatutoryView(
        missed=[s for s in steps if is_missed(s)],
        soon=[s for s in steps if due_within(s, today, SOON)],
        within=[s for s in steps if due_within(s, today, WITHIN, after=SOON)],
        meetings=everyone,
        truncated=truncated,
    )


def digest_steps(meeting_ids: list[int], today: date) -> tuple[list[StepRow], list[StepRow]]:
    """For a chair's weekly digest: the steps of these meetings due in the next 7 days, and the missed ones."""
    meetings, _ = meetings_with_timelines(None, today, meeting_ids=meeting_ids)
    steps = steps_of(meetings, today)
    return [s for s in steps if due_within(s, today, SOON)], [s for s in steps if is_missed(s)]
