"""Commands on what the record says of a meeting's statutory timeline: a step done on a date, an exception
its rule allows (with its reason), taking either back, and the process dates its clocks start from.

The event of each command carries no statutory detail, only `timeline_changed`: observers and the shared
screen are in the meeting's room but may not read the timeline, so consoles read it again from the API
(services.statutory.timeline), which checks who is asking.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import schemas
from ..domain.errors import InvalidValue, NotFound
from ..domain.statutory import timeline as tl
from ..domain.statutory.clock import find_rule
from ..domain.statutory.rules import Rule
from ..extensions import db
from ..models import ProcessDate, StatutoryRecord
from .pipeline import Change, command, local_zone

#: Dates outside these years are refused (the calendars hold no holidays for them).
FIRST_YEAR, LAST_YEAR = 1990, 2100
TIMELINE_CHANGED = {"timeline_changed": True}


def record_view(row: StatutoryRecord) -> dict:
    """A step's record as the audit trail keeps it."""
    return {
        "rule_id": row.rule_id,
        "done_on": row.done_on.isoformat() if row.done_on else None,
        "exception": row.exception,
        "reason": row.reason,
        "days": row.days,
    }


def records_of(meeting_id: int) -> dict[str, tl.StepRecord]:
    """What the record says of each step of a meeting, by rule id."""
    rows = db.session.scalars(select(StatutoryRecord).where(StatutoryRecord.meeting_id == meeting_id))
    return {
        row.rule_id: tl.StepRecord(done_on=row.done_on, exception=row.exception, reason=row.reason or "", days=row.days)
        for row in rows
    }


def process_of(meeting_id: int) -> dict[str, date | str]:
    """A meeting's process dates and choices, by name."""
    rows = db.session.scalars(select(ProcessDate).where(ProcessDate.meeting_id == meeting_id))
    return {row.name: row.on_date if row.on_date is not None else row.choice for row in rows}


def _step_rule(change: Change, rule_id: str) -> Rule:
    """The rule of a step on this meeting's timeline; another rule id is refused naming `rule_id`."""
    if rule_id not in tl.step_rule_ids(change.meeting.meeting_type):
        raise InvalidValue(f"{rule_id} is not a step of this meeting's statutory timeline.", field="rule_id")
    held = (change.meeting.started_at or change.meeting.scheduled_start).astimezone(local_zone()).date()
    try:
        return find_rule(rule_id, held)
    except NotFound:
        raise InvalidValue(f"{rule_id} was not in force on the meeting's date.", field="rule_id") from None


def _check_year(value: date, name: str) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidValue(f"Must be a date between {FIRST_YEAR} and {LAST_YEAR}.", field=name)


def _row(change: Change, rule_id: str) -> StatutoryRecord | None:
    return db.session.scalar(
        select(StatutoryRecord).where(StatutoryRecord.meeting_id == change.meeting.id, StatutoryRecord.rule_id == rule_id)
    )


def _save(change: Change, action: str, row: StatutoryRecord, before: dict | None) -> None:
    row.version = (row.version or 0) + 1
    row.updated_at = change.now
    db.session.add(row)
    db.session.flush()
    change.audit(action, "statutory_record", row.id, before, record_view(row))
    change.flags.update(TIMELINE_CHANGED)


@command("statutory.record_done", schemas.RecordStepDoneArgs, "Record that a statutory step was done, and on which date")
def record_done(change: Change, args: schemas.RecordStepDoneArgs) -> dict:
    """Chair or note-taker: a step of the timeline was done on a date (not after today)."""
    _step_rule(change, args.rule_id)
    _check_year(args.done_on, "done_on")
    if args.done_on > change.today:
        raise InvalidValue("Cannot be after today: record a step once it is done.", field="done_on")
    row = _row(change, args.rule_id)
    before = record_view(row) if row else None
    if row is None:
        row = StatutoryRecord(meeting_id=change.meeting.id, rule_id=args.rule_id, version=0, created_at=change.now)
    row.done_on = args.done_on
    _save(change, "statutory.record_done", row, before)
    return {"rule_id": args.rule_id}


@command(
    "statutory.record_exception",
    schemas.RecordStepExceptionArgs,
    "Record an exception a statutory step's rule allows, with its reason (it moves the date only where the rule says so)",
)
def record_exception(change: Change, args: schemas.RecordStepExceptionArgs) -> dict:
    """Chair or note-taker: an exception the step's rule accepts, its reason and (where the rule says) its days."""
    rule = _step_rule(change, args.rule_id)
    allowance = tl.allowance_for(rule, args.exception, args.days)
    if not args.reason.strip():
        raise InvalidValue("Say why: the reason is recorded with the exception.", field="reason")
    row = _row(change, args.rule_id)
    before = record_view(row) if row else None
    if row is None:
        row = StatutoryRecord(meeting_id=change.meeting.id, rule_id=args.rule_id, version=0, created_at=change.now)
    row.exception, row.reason, row.days = allowance.key, args.reason.strip(), args.days
    _save(change, "statutory.record_exception", row, before)
    return {"rule_id": args.rule_id, "effect": allowance.effect}


@command("statutory.undo", schemas.UndoStepArgs, "Take back the day a statutory step was done, or its exception")
def undo(change: Change, args: schemas.UndoStepArgs) -> dict:
    """Chair or note-taker: clear what was recorded of a step (the audit trail keeps it)."""
    _step_rule(change, args.rule_id)
    row = _row(change, args.rule_id)
    recorded = row is not None and (row.done_on if args.what == "done" else row.exception) is not None
    if not recorded:
        raise NotFound(f"Nothing of this kind is recorded for {args.rule_id}.", field="what")
    before = record_view(row)
    if args.what == "done":
        row.done_on = None
    else:
        row.exception, row.reason, row.days = None, None, None
    if row.done_on is None and row.exception is None:
        change.audit("statutory.undo", "statutory_record", row.id, before, None)
        db.session.delete(row)
        change.flags.update(TIMELINE_CHANGED)
    else:
        _save(change, "statutory.undo", row, before)
    return {"rule_id": args.rule_id}


@command(
    "statutory.set_process_dates",
    schemas.SetProcessDatesArgs,
    "Set the process dates the statutory clocks start from (phase transfer, last evaluation, consent, eligibility)",
)
def set_process_dates(change: Change, args: schemas.SetProcessDatesArgs) -> dict:
    """Chair: the meeting type's process dates; only the fields sent change, and null clears one."""
    takes = tl.PROCESS_FIELDS.get(change.meeting.meeting_type, ())
    errors = {}
    for name in sorted(args.model_fields_set):
        value = getattr(args, name)
        if name not in takes:
            errors[name] = "This meeting type's statutory timeline does not use this date."
        elif name == tl.PHASE_TRANSFER and value is not None and value not in tl.PHASE_TRANSFERS:
            errors[name] = "Unknown phase transfer: " + ", ".join(tl.PHASE_TRANSFERS) + "."
        elif isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors[name] = f"Must be a date between {FIRST_YEAR} and {LAST_YEAR}."
    if errors:
        raise schemas.FieldErrors(errors)
    if not args.model_fields_set:
        raise InvalidValue("Send at least one process date.", field="_")
    rows = {
        row.name: row
        for row in db.session.scalars(select(ProcessDate).where(ProcessDate.meeting_id == change.meeting.id))
    }
    before = {name: _process_value(row) for name, row in rows.items()}
    after = dict(before)
    for name in sorted(args.model_fields_set):
        value = getattr(args, name)
        row = rows.get(name)
        if value is None:
            if row is not None:
                db.session.delete(row)
            after.pop(name, None)
            continue
        if row is None:
            row = ProcessDate(meeting_id=change.meeting.id, name=name)
            db.session.add(row)
        row.on_date, row.choice = (value, None) if isinstance(value, date) else (None, value)
        after[name] = _process_value(row)
    db.session.flush()
    change.audit("statutory.set_process_dates", "meeting", change.meeting.id, before, after)
    change.flags.update(TIMELINE_CHANGED)
    return {"process": after}


def _process_value(row: ProcessDate) -> str | None:
    return row.on_date.isoformat() if row.on_date is not None else row.choice
