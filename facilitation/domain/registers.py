"""The meeting's record: decisions, actions, disagreements with each party's position, attendance.

These are the rules the record must keep whoever writes it: real dates in a sensible order, each
action owned by a person and an agency, each unresolved disagreement with a next step (one of the
routes open in its jurisdiction, domain.routes), its owner and a follow-up date.
"""

from __future__ import annotations

from datetime import date

from .errors import InvalidValue, RuleViolation

# ---------------------------------------------------------------- sizes

SHORT_TEXT = 200
TEXT = 2000
LONG_TEXT = 4000
NAME = 120

# ---------------------------------------------------------------- decisions

AGREED, AGREED_WITH_DISSENT, DEFERRED = "agreed", "agreed_with_dissent", "deferred"
DECISION_STATUSES: dict[str, str] = {
    AGREED: "Agreed by all",
    AGREED_WITH_DISSENT: "Agreed with dissent",
    DEFERRED: "Deferred",
}

# ---------------------------------------------------------------- attendance

ATTENDANCE: dict[str, str] = {
    "expected": "Expected",
    "in_room": "Present in the room",
    "remote": "Joined remotely",
    "apologies": "Sent apologies",
    "absent": "Did not attend",
}
#: Attendance a participant's link connecting can take: only "expected" (nothing recorded yet) turns
#: into "remote", for the chair to confirm; whatever the chair or a note-taker recorded stays.
JOINED_BY_LINK = "remote"


def attendance_on_joining(meeting_status: str, attendance: str) -> str | None:
    """The attendance to record when a participant's link connects, or None to leave it as it is."""
    if meeting_status == "live" and attendance == "expected":
        return JOINED_BY_LINK
    return None


# ---------------------------------------------------------------- checks


def clean_text(value: str | None, field: str, label: str, limit: int, required: bool = False) -> str | None:
    """Trim surrounding space; refuse empty required text and text over the limit. Inner text is kept as typed."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidValue(f"{label} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidValue(f"{label} is required.", field=field)
    if len(value) > limit:
        raise InvalidValue(f"{label} is longer than {limit} characters.", field=field)
    return value or None


def check_decision(status: str, dissenter_ids: list[int], disagreement_id: int | None) -> None:
    """A decision agreed with dissent names who dissents; other decisions name no dissenters."""
    if status not in DECISION_STATUSES:
        raise InvalidValue("Unknown decision status.", field="status")
    if status == AGREED_WITH_DISSENT and not dissenter_ids:
        raise InvalidValue("Name who dissents from this decision.", field="dissenter_ids")
    if status != AGREED_WITH_DISSENT and dissenter_ids:
        raise InvalidValue("Only a decision agreed with dissent names dissenters.", field="dissenter_ids")
    if len(set(dissenter_ids)) != len(dissenter_ids):
        raise InvalidValue("Each dissenter is named once.", field="dissenter_ids")


def check_review_date(review_date: date | None, meeting_day: date) -> None:
    """A decision's review date cannot come before the meeting."""
    if review_date is not None and review_date < meeting_day:
        raise InvalidValue(
            f"The review date {review_date:%d %b %Y} is before the meeting ({meeting_day:%d %b %Y}).",
            field="review_date",
        )


def check_action_dates(
    due: date, follow_up: date, meeting_day: date, today: date, *, due_changed: bool = True
) -> None:
    """Due date not in the past (when set or changed); follow-up not before the meeting nor the due date."""
    if due_changed and due < today:
        raise InvalidValue(f"The due date {due:%d %b %Y} is in the past.", field="due_date")
    if follow_up < meeting_day:
        raise InvalidValue(
            f"The follow-up date {follow_up:%d %b %Y} is before the meeting ({meeting_day:%d %b %Y}).",
            field="follow_up_date",
        )
    if follow_up < due:
        raise InvalidValue(
            f"The follow-up date {follow_up:%d %b %Y} is before the due date {due:%d %b %Y}; "
            "follow-up is when someone checks the action was done.",
            field="follow_up_date",
        )


def check_owner(participant_id: int | None, name: str | None, agency: str | None) -> None:
    """An owner is a participant or a named person outside the meeting, and always has an agency."""
    if participant_id is None and not name:
        raise InvalidValue("Say who owns this: a participant or a named person.", field="owner_name")
    if participant_id is not None and name:
        raise InvalidValue("Give either a participant or a name, not both.", field="owner_name")
    if not agency:
        raise InvalidValue("Say which agency the owner acts for.", field="owner_agency")


def check_next_step(
    resolved: bool,
    next_step: str | None,
    owner_participant_id: int | None,
    owner_name: str | None,
    follow_up: date | None,
    meeting_day: date,
) -> None:
    """An unresolved disagreement, once a next step is chosen, has an owner and a follow-up date.

    Which next steps are open is for domain.routes.check_route: it depends on the meeting's jurisdiction.
    """
    if resolved:
        return
    if next_step is None:
        if owner_participant_id is not None or owner_name or follow_up is not None:
            raise InvalidValue("Choose the next step first.", field="next_step")
        return
    if owner_participant_id is None and not owner_name:
        raise InvalidValue("Say who follows up the next step.", field="next_step_owner_name")
    if owner_participant_id is not None and owner_name:
        raise InvalidValue("Give either a participant or a name, not both.", field="next_step_owner_name")
    if follow_up is None:
        raise InvalidValue("Give the date by which the next step is followed up.", field="follow_up_date")
    if follow_up < meeting_day:
        raise InvalidValue(
            f"The follow-up date {follow_up:%d %b %Y} is before the meeting ({meeting_day:%d %b %Y}).",
            field="follow_up_date",
        )


def check_reflection(resolved: bool, reflection_date: date | None, found: bool, meeting_day: date, today: date) -> None:
    """A reflective review follows a resolved disagreement: scheduled on or after the meeting, recorded once held."""
    if not resolved:
        raise InvalidValue("A reflective review is for a disagreement once it is resolved.", field="disagreement_id")
    if reflection_date is not None and reflection_date < meeting_day:
        raise InvalidValue(
            f"The review date {reflection_date:%d %b %Y} is before the meeting ({meeting_day:%d %b %Y}).", field="reflection_date"
        )
    if found and reflection_date is not None and reflection_date > today:
        raise InvalidValue("Record what the review found once it has been held; its date is still to come.", field="reflection_date")


#: How a disagreement stands, for the log's overview: settled in the meeting, settled after it, or open.
OUTCOMES: dict[str, str] = {
    "resolved_in_meeting": "Resolved in the meeting",
    "resolved_later": "Resolved after the meeting",
    "resolved_undated": "Resolved (date not kept)",
    "open_with_route": "Open, with an agreed next step",
    "open_no_step": "Open, next step not yet agreed",
}


def disagreement_outcome(resolved: bool, resolved_on: date | None, meeting_day: date, next_step: str | None) -> str:
    """Which of OUTCOMES a disagreement is in."""
    if resolved:
        if resolved_on is None:
            return "resolved_undated"
        return "resolved_in_meeting" if resolved_on <= meeting_day else "resolved_later"
    return "open_with_route" if next_step else "open_no_step"


def days_to_resolve(created: date, resolved: date | None) -> int | None:
    """Whole days from a disagreement being recorded to its resolution (0: resolved the same day)."""
    return None if resolved is None else max(0, (resolved - created).days)


def check_attendance(attendance: str, arrived_late: bool, left_early: bool) -> None:
    """Late arrival or early leaving only make sense for someone who was there."""
    if attendance not in ATTENDANCE:
        raise InvalidValue("Unknown attendance.", field="attendance")
    if (arrived_late or left_early) and attendance not in ("in_room", "remote"):
        raise InvalidValue("Only someone present can arrive late or leave early.", field="attendance")


def check_open(entry_deleted: bool, what: str) -> None:
    """Deleted entries stay in the audit trail but cannot be edited."""
    if entry_deleted:
        raise RuleViolation(f"This {what} has been deleted.", code="not_found")
