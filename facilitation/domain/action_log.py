"""After the meeting: an action's progress, what is late or has lapsed, and when reminders fall due.

Pure Python: every rule takes the day (or the moment) it is judged on as an argument, so the same
action reads the same way in a test, in a reminder run with time moved forward, and in production.

Words used here, as families and SENCOs use them:

- an action is *active* while it is open or in progress;
- *overdue*: active and its due date has passed;
- *due this week*: active and due within the next seven days (today included);
- *lapsed*: active and even its follow-up date has passed: nobody has checked it was done, and
  good practice says to review sooner than the next cycle;
- *done late*: done, but after its due date;
- *missed provision*: an entry in the implementation log saying agreed support did not happen on
  a given day ("no SALT session this week"), usually written by a parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from .dates import uk_date
from .errors import InvalidValue, RuleViolation

# ---------------------------------------------------------------- statuses

OPEN, IN_PROGRESS, DONE, NOT_DONE, CANCELLED = "open", "in_progress", "done", "not_done", "cancelled"
STATUSES: dict[str, str] = {
    OPEN: "Open",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    NOT_DONE: "Not done",
    CANCELLED: "Cancelled",
}
ACTIVE = (OPEN, IN_PROGRESS)
CLOSED = (DONE, NOT_DONE, CANCELLED)

#: Where each status may go next. A cancelled action is final; a done or not-done action can be
#: reopened, but only by the chair (owners ask the chair), see `check_progress`.
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS, DONE, NOT_DONE, CANCELLED}),
    IN_PROGRESS: frozenset({OPEN, DONE, NOT_DONE, CANCELLED}),
    DONE: frozenset({OPEN, IN_PROGRESS, NOT_DONE}),
    NOT_DONE: frozenset({OPEN, IN_PROGRESS, DONE}),
    CANCELLED: frozenset(),
}

# ---------------------------------------------------------------- how an action stands today

ON_TRACK, DUE_THIS_WEEK, OVERDUE, LAPSED = "on_track", "due_this_week", "overdue", "lapsed"
DONE_ON_TIME, DONE_LATE = "done", "done_late"
STANDINGS: dict[str, str] = {
    LAPSED: "Lapsed: follow-up date passed",
    OVERDUE: "Overdue",
    DUE_THIS_WEEK: "Due this week",
    ON_TRACK: "On track",
    DONE_ON_TIME: "Done",
    DONE_LATE: "Done late",
    NOT_DONE: "Not done",
    CANCELLED: "Cancelled",
}
#: Standings that need someone to act, most urgent first.
NEEDS_ATTENTION = (LAPSED, OVERDUE, DUE_THIS_WEEK)
WEEK_DAYS = 7

# ---------------------------------------------------------------- entries in an action's history

PROGRESS, MISSED_PROVISION = "progress", "missed_provision"
UPDATE_KINDS: dict[str, str] = {
    PROGRESS: "Progress",
    MISSED_PROVISION: "Support did not happen",
}

NOTE_MAX = 2000
EVIDENCE_MAX = 1000
EMAIL_MAX = 254


def is_active(status: str) -> bool:
    """True while the action still has to be done."""
    return status in ACTIVE


def is_overdue(status: str, due: date, today: date) -> bool:
    """Active and past its due date."""
    return status in ACTIVE and due < today


def is_due_this_week(status: str, due: date, today: date) -> bool:
    """Active and due within the next seven days, today included."""
    return status in ACTIVE and today <= due < today + timedelta(days=WEEK_DAYS)


def is_lapsed(status: str, follow_up: date, today: date) -> bool:
    """Active and even its follow-up date has passed."""
    return status in ACTIVE and follow_up < today


def standing(status: str, due: date, follow_up: date, closed_on: date | None, today: date) -> str:
    """How the action stands on `today`: one key of STANDINGS."""
    if status == CANCELLED:
        return CANCELLED
    if status == NOT_DONE:
        return NOT_DONE
    if status == DONE:
        return DONE_LATE if closed_on is not None and closed_on > due else DONE_ON_TIME
    if follow_up < today:
        return LAPSED
    if due < today:
        return OVERDUE
    if due < today + timedelta(days=WEEK_DAYS):
        return DUE_THIS_WEEK
    return ON_TRACK


def days_overdue(status: str, due: date, today: date) -> int:
    """Whole days past the due date (0 when not overdue)."""
    return (today - due).days if is_overdue(status, due, today) else 0


def standing_note(status: str, due: date, follow_up: date, closed_on: date | None, today: date) -> str:
    """A short sentence for the standing, e.g. 'Overdue by 5 days' or 'Due in 2 days'."""
    s = standing(status, due, follow_up, closed_on, today)
    if s in (LAPSED, OVERDUE):
        n = (today - due).days
        text = f"Overdue by {n} day{'s' if n != 1 else ''}"
        return text + (f"; follow-up was {uk_date(follow_up)}" if s == LAPSED else "")
    if s == DUE_THIS_WEEK:
        n = (due - today).days
        return "Due today" if n == 0 else "Due tomorrow" if n == 1 else f"Due in {n} days"
    if s == DONE_LATE and closed_on:
        n = (closed_on - due).days
        return f"Done {uk_date(closed_on)}, {n} day{'s' if n != 1 else ''} late"
    if s == DONE_ON_TIME and closed_on:
        return f"Done {uk_date(closed_on)}"
    if s in (NOT_DONE, CANCELLED) and closed_on:
        return f"{STATUSES[s]} ({uk_date(closed_on)})"
    return STANDINGS[s]


# ---------------------------------------------------------------- recording progress


@dataclass(frozen=True)
class ProgressDecision:
    """What a progress update does: the status after it, and the day the action closed (if it did)."""

    status_before: str
    status_after: str
    closed_on: date | None
    reopened: bool = False


def _check_day(day: date, today: date, agreed_on: date, *, what: str) -> None:
    if day > today:
        raise InvalidValue(
            f"{what} {uk_date(day)} has not come yet; record what happened on or before today ({uk_date(today)}).",
            field="occurred_on",
        )
    if day < agreed_on:
        raise InvalidValue(
            f"{what} {uk_date(day)} is before the action was agreed ({uk_date(agreed_on)}).", field="occurred_on"
        )


def check_progress(
    *,
    status: str,
    new_status: str | None,
    note: str | None,
    evidence: str | None,
    occurred_on: date,
    today: date,
    agreed_on: date,
    closed_on: date | None,
    by_chair: bool,
) -> ProgressDecision:
    """Decide a progress update; a status change that contradicts the action is refused clearly.

    Refused: any update on a cancelled action; a date still to come (in particular "done" on a
    future date) or before the action was agreed; an unknown status or a move the action cannot
    make; reopening a closed action by anyone but the chair; done without saying what was
    delivered; not done or cancelled without saying why; an update that records nothing.
    """
    if status == CANCELLED:
        raise RuleViolation(
            "This action was cancelled" + (f" on {uk_date(closed_on)}" if closed_on else "")
            + "; it can no longer be updated. Record a new action if the support is needed again.",
            code="cancelled",
        )
    if new_status is not None and new_status not in STATUSES:
        raise InvalidValue(
            f"Unknown status; choose one of: {', '.join(STATUSES.values())}.", field="status"
        )
    target = new_status if new_status is not None else status
    if target == DONE and status != DONE and occurred_on > today:
        raise InvalidValue(
            f"An action cannot be marked done on {uk_date(occurred_on)}: that date has not come yet.",
            field="occurred_on",
        )
    _check_day(occurred_on, today, agreed_on, what="The date")
    changing = target != status
    if changing and target not in TRANSITIONS[status]:
        raise RuleViolation(f"An action that is {STATUSES[status].lower()} cannot become {STATUSES[target].lower()}.")
    reopening = changing and status in CLOSED
    if reopening and not by_chair:
        raise RuleViolation(
            f"This action is already {STATUSES[status].lower()}; ask the chair to reopen it if that was wrong.",
            code="forbidden",
        )
    if not changing and not note and not evidence:
        raise InvalidValue("Nothing to record: change the status, or add a note or evidence.", field="note")
    if changing and target == DONE and not note and not evidence:
        raise InvalidValue(
            "Say what was delivered: add evidence (a link or a short description) or a note.", field="evidence"
        )
    if changing and target in (NOT_DONE, CANCELLED) and not note:
        raise InvalidValue(f"Say why the action is {STATUSES[target].lower()}.", field="note")
    if reopening and not note:
        raise InvalidValue("Say why the action is reopened.", field="note")
    if changing:
        new_closed = occurred_on if target in CLOSED else None
    else:
        new_closed = closed_on
    return ProgressDecision(status, target, new_closed, reopened=reopening)


def check_missed_provision(*, status: str, occurred_on: date, note: str | None, today: date, agreed_on: date) -> None:
    """An implementation-log entry: support that did not happen on a day since the action was agreed."""
    if status == CANCELLED:
        raise RuleViolation(
            "This action was cancelled, so its support is no longer expected; nothing was recorded.",
            code="cancelled",
        )
    if not note:
        raise InvalidValue("Say what did not happen, e.g. 'No SALT session this week'.", field="note")
    _check_day(occurred_on, today, agreed_on, what="The day")


# ---------------------------------------------------------------- e-mail addresses

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")


def clean_email(value: str | None, field: str = "email") -> str | None:
    """An e-mail address trimmed, its domain in lower case; None when blank; refused when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > EMAIL_MAX or not _EMAIL.match(value):
        raise InvalidValue("That does not look like an e-mail address (name@example.org).", field=field)
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


# ---------------------------------------------------------------- carrying actions forward

REVIEW_ITEM_TITLE = "Review of previous actions"
REVIEW_ITEM_MINUTES = 10


def is_review_item(title: str) -> bool:
    """True for the agenda item where earlier actions are reviewed ("Review of previous actions")."""
    t = title.lower()
    return "review" in t and "action" in t


def review_item_position(titles: list[str]) -> int | None:
    """Where to put a "Review of previous actions" item: after the opening item; None if there is one."""
    if any(is_review_item(t) for t in titles):
        return None
    return 2 if titles else 1


# ---------------------------------------------------------------- reminders

DUE_SOON, FOLLOW_UP_SOON, BECAME_OVERDUE, WEEKLY_DIGEST = "due_soon", "follow_up_soon", "overdue", "weekly_digest"
REMINDER_KINDS: dict[str, str] = {
    DUE_SOON: "Due soon",
    FOLLOW_UP_SOON: "Follow-up soon",
    BECAME_OVERDUE: "Overdue",
    WEEKLY_DIGEST: "Weekly digest",
}


@dataclass(frozen=True)
class ActionFacts:
    """What reminder scheduling needs to know of one action."""

    action_id: int
    status: str
    due_date: date
    follow_up_date: date
    owner_email: str | None


@dataclass(frozen=True)
class Reminder:
    """One e-mail that is due: its kind, what it is about, to whom, and the occasion it is for.

    (kind, subject, recipient, occasion) identifies it: the same reminder is never sent twice, and
    a moved due date is a new occasion.
    """

    kind: str
    subject: str
    recipient: str
    occasion: str
    action_id: int | None = None


def reminders_due(
    actions: Iterable[ActionFacts], today: date, *, days_before: int, catch_up_days: int
) -> list[Reminder]:
    """The owner reminders due on `today`.

    - due soon: from `days_before` days before the due date up to the due date itself;
    - follow-up soon: the same window before the follow-up date (when it differs from the due date);
    - overdue: once the due date has passed, for up to `catch_up_days` days (so a sender that was
      down for a while catches up, but a first run does not mail about actions long overdue).
    Only active actions whose owner has an e-mail address get reminders.
    """
    window = timedelta(days=days_before)
    out: list[Reminder] = []
    for a in actions:
        if a.status not in ACTIVE or not a.owner_email:
            continue
        subject = f"action:{a.action_id}"
        to = a.owner_email.lower()
        if a.due_date - window <= today <= a.due_date:
            out.append(Reminder(DUE_SOON, subject, to, a.due_date.isoformat(), a.action_id))
        if a.follow_up_date != a.due_date and a.follow_up_date - window <= today <= a.follow_up_date:
            out.append(Reminder(FOLLOW_UP_SOON, subject, to, a.follow_up_date.isoformat(), a.action_id))
        if a.due_date < today <= a.due_date + timedelta(days=catch_up_days):
            out.append(Reminder(BECAME_OVERDUE, subject, to, a.due_date.isoformat(), a.action_id))
    return out


def reminder_window(today: date, *, days_before: int, catch_up_days: int) -> tuple[date, date]:
    """The due or follow-up dates that can have a reminder on `today` (for narrowing the query)."""
    return today - timedelta(days=catch_up_days), today + timedelta(days=days_before)


def digest_week(now: datetime, zone: tzinfo, *, weekday: int, hour: int) -> str | None:
    """The ISO week ("2027-W11") whose chair digest is due at `now`; None before this week's send time."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    send_at = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=zone)
    if local < send_at:
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def completion_rate(done: int, counted: int) -> float | None:
    """Done as a share of the actions counted (cancelled ones are not counted); None when none."""
    return round(done / counted, 4) if counted else None

