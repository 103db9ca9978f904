"""A meeting's statutory timeline: the dated steps of the process around it, chosen by meeting type as data.

The jurisdiction comes from the meeting type: an IEP meeting is a US meeting, every other type an English
one (there is no per-organisation setting yet). Each step names a rule of rules.py and, for each date the
rule starts from, where that date comes from: the meeting's date, a process date the chair sets on the
meeting (the last evaluation, a phase transfer), or an earlier step ("what follows": the final amended
plan counted from the proposed amendments, on the day they were sent when the record says so, else their
latest date). A step whose start date is not known is listed with what it needs, never dropped.

The record says where each step stands: done on a date (met on or before its date, late after it), or an
exception the rule allows (rules.py `Allowance`), which moves the date, removes the fixed date or only
notes why, as the rule says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facilitation.domain.dates import uk_date
from facilitation.domain.errors import InvalidValue, NotFound
from facilitation.domain.statutory import calendar as cal
from facilitation.domain.statutory.clock import Deadline, compute, find_rule
from facilitation.domain.statutory.rules import EFFECTS, EXCEPTIONS, MOVES, REMOVES, RULES, Allowance, Rule

#: The record's date that stands for a rule's start event unless a step says otherwise.
MEETING = "meeting"
US, ENGLAND = "US", "ENG"
#: Meeting types whose process is a US one; any other type is England's.
US_MEETING_TYPES = frozenset({"iep_meeting"})
BEFORE, AFTER = "before", "after"
DUE, DUE_SOON, OVERDUE = "due", "due_soon", "overdue"
#: Statuses from the record: done on or before the date, done after it, done where no fixed date applies,
#: no fixed date (an exception removed it), and a step whose start date is not known yet.
MET, LATE, DONE, NO_FIXED_DATE, NEEDS_DATE = "met", "late", "done", "no_fixed_date", "needs_date"
UNKNOWN = "unknown"
#: The longest an exception may move a date by, in days.
MOST_DAYS_MOVED = 366

#: Dates of the process the chair sets on a meeting (Prepare view), in words ("needs: <the date>").
PROCESS_DATES = {
    "transfer_date": "the date of the phase transfer",
    "last_evaluation_date": "the date of the last evaluation",
    "consent_date": "the date of parental consent to the evaluation",
    "eligibility_date": "the date the child was found eligible",
    "request_received": "the date the EHC needs assessment request was received",
}
#: The one process choice: whether an EHCP annual review is in a phase-transfer year, and which transfer.
PHASE_TRANSFER = "phase_transfer"
PHASE_TRANSFERS = {
    "none": "Not in a transfer year",
    "school": "Between school phases (plan amended by 15 February)",
    "post16": "Secondary school to post-16 (plan amended by 31 March)",
    "post16_post16": "Between post-16 institutions (5 months before)",
}
#: The process facts each meeting type takes, in the order the Prepare view asks for them.
PROCESS_FIELDS: dict[str, tuple[str, ...]] = {
    "ehcp_annual_review": (PHASE_TRANSFER, "transfer_date"),
    "sen_support_review": ("request_received",),
    "multi_agency": ("request_received",),
    "iep_meeting": ("last_evaluation_date", "consent_date", "eligibility_date"),
}
#: A step due within this many days of today is "due soon".
SOON_DAYS = 7
CHAINED = "counted from {step}'s latest date: earlier if that step happens earlier"


@dataclass(frozen=True)
class Step:
    """A rule of a meeting's process; `starts` maps its start events to MEETING or an earlier step's rule id."""

    rule_id: str
    starts: tuple[tuple[str, str], ...] = ()
    #: (process choice, value): the step belongs to the timeline only when the chair chose that value
    when: tuple[str, str] | None = None
    #: left out, rather than listed as needing its date, until its process date is set (a request for an
    #: EHC needs assessment is not part of every SEN support review)
    if_known: bool = False

    def source_of(self, event: str) -> str:
        """Where the rule's start event takes its date from."""
        return dict(self.starts).get(event, MEETING)


#: An EHC needs assessment request's clocks (6, 16 and 20 weeks), once the chair gives the date it was received.
EHC_REQUEST = tuple(Step(rule_id, (("request_received", "request_received"),), if_known=True) for rule_id in ("ENG-EHC-01", "ENG-EHC-03", "ENG-EHC-07"))

#: The statutory steps around each meeting type, in process order. Types missing here have none.
TIMELINES: dict[str, tuple[Step, ...]] = {
    "ehcp_annual_review": (
        Step("ENG-AR-05"),
        Step("ENG-AR-06"),
        Step("ENG-AR-08"),
        Step("ENG-AR-09"),
        Step("ENG-AR-10"),
        Step("ENG-AR-11", (("amendments_sent_date", "ENG-AR-10"),)),
        Step("ENG-AR-12", (("amendments_sent_date", "ENG-AR-10"),)),
        Step("ENG-AR-01"),
        Step("ENG-AR-14", (("transfer_date", "transfer_date"),), when=(PHASE_TRANSFER, "school")),
        Step("ENG-AR-14B", (("transfer_date", "transfer_date"),), when=(PHASE_TRANSFER, "post16")),
        Step("ENG-AR-14C", (("transfer_date", "transfer_date"),), when=(PHASE_TRANSFER, "post16_post16")),
    ),
    "sen_support_review": (Step("ENG-SS-04"), Step("ENG-SS-03"), *EHC_REQUEST),
    "multi_agency": EHC_REQUEST,
    "iep_meeting": (
        Step("US-EVAL-01", (("consent_date", "consent_date"),)),
        Step("US-IEP-01", (("eligibility_date", "eligibility_date"),)),
        Step("US-IEP-02"),
        Step("US-IEP-03B", (("last_evaluation_date", "last_evaluation_date"),)),
        Step("US-IEP-03", (("last_evaluation_date", "last_evaluation_date"),)),
    ),
}


@dataclass(frozen=True)
class StepRecord:
    """What the record says of a step: done on a date, and/or an exception with its reason (and days moved)."""

    done_on: date | None = None
    exception: str | None = None
    reason: str = ""
    days: int | None = None


@dataclass(frozen=True)
class TimelineItem:
    """One step: the rule, the computed deadline, its side of the meeting, its status and what the record says.

    `deadline` is the rule's date as computed; `due` the date that applies after an exception (None when
    an exception removed the fixed date, or when the step `needs` a start date that is not known).
    """

    rule: Rule
    deadline: Deadline | None
    side: str
    status: str
    counted_from: str
    due: date | None = None
    record: StepRecord | None = None
    allowance: Allowance | None = None
    needs: str | None = None

    @property
    def record_text(self) -> str:
        """Where the step stands in words: "Met on 12 Mar 2027", "Late: done 2 days after", "needs: ..."."""
        return record_in_words(self)

    @property
    def exception_text(self) -> str:
        """The exception in words with what it did, e.g. "Exception: school closed 4 weeks or more (no fixed date)"."""
        return exception_in_words(self.allowance, self.record)


def process_dates_of(meeting_type: str) -> tuple[str, ...]:
    """The process dates (not choices) a meeting type takes."""
    return tuple(name for name in PROCESS_FIELDS.get(meeting_type, ()) if name in PROCESS_DATES)


def step_rule_ids(meeting_type: str) -> tuple[str, ...]:
    """The rules on a meeting type's timeline (whether or not their start dates are known)."""
    return tuple(step.rule_id for step in TIMELINES.get(meeting_type, ()))


def allowance_for(rule: Rule, key: str, days: int | None) -> Allowance:
    """The rule's allowance for an exception key, checked with the days sent; InvalidValue names the field."""
    allowance = rule.allowances.get(key)
    if allowance is None:
        accepted = ", ".join(rule.allowances) or "none"
        raise InvalidValue(f"{rule.id} allows no such exception; it accepts: {accepted}.", field="exception")
    by_record = allowance.effect == MOVES and allowance.days is None
    if by_record and days is None:
        raise InvalidValue("Say by how many days the extension moves the date.", field="days")
    if days is not None and not by_record:
        raise InvalidValue("This exception does not move the date by a number of days you give.", field="days")
    if days is not None and not 1 <= days <= MOST_DAYS_MOVED:
        raise InvalidValue(f"Must be between 1 and {MOST_DAYS_MOVED} days.", field="days")
    return allowance


def apply_exception(day: date, allowance: Allowance | None, record: StepRecord | None) -> date | None:
    """The date that applies once an exception is recorded: moved, removed (None), or as it was."""
    if allowance is None:
        return day
    if allowance.effect == REMOVES:
        return None
    if allowance.effect == MOVES:
        by = allowance.days if allowance.days is not None else (record.days if record and record.days else 0)
        return day + timedelta(days=by)
    return day


def status_of(due: date | None, done_on: date | None, today: date) -> str:
    """Met (done on or before the date), late (after it), done (no fixed date), else due / due soon / overdue."""
    if done_on is not None:
        if due is None:
            return DONE
        return MET if done_on <= due else LATE
    if due is None:
        return NO_FIXED_DATE
    return status_on(due, today)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def exception_in_words(allowance: Allowance | None, record: StepRecord | None) -> str:
    """An exception and what it did to the date, in words; empty without one."""
    if allowance is None:
        return ""
    effect = EFFECTS[allowance.effect]
    if allowance.effect == MOVES:
        by = allowance.days if allowance.days is not None else (record.days if record else None)
        effect = f"date moved by {_days(by)}" if by else effect
    return f"Exception: {EXCEPTIONS[allowance.key]} ({effect})"


def record_in_words(item: TimelineItem) -> str:
    """"Met on 12 Mar 2027", "Late: done 2 days after", "Done on ...", "No fixed date", "needs: ..." or ""."""
    if item.needs:
        return f"needs: {item.needs}"
    done_on = item.record.done_on if item.record else None
    if item.status == MET:
        return f"Met on {uk_date(done_on)}"
    if item.status == LATE:
        return f"Late: done {_days((done_on - item.due).days)} after"
    if item.status == DONE:
        return f"Done on {uk_date(done_on)}"
    if item.status == NO_FIXED_DATE:
        return "No fixed date: an exception applies"
    return ""

def jurisdiction_of(meeting_type: str) -> str:
    """The jurisdiction whose rules a meeting type follows: US for an IEP meeting, else England."""
    return US if meeting_type in US_MEETING_TYPES else ENGLAND


def status_on(day: date, today: date) -> str:
    """Overdue once the date has passed, due soon within SOON_DAYS, else due."""
    if day < today:
        return OVERDUE
    return DUE_SOON if day <= today + timedelta(days=SOON_DAYS) else DUE


def _needs(rule: Rule, step: Step, missing: str, counted_from: str, record: StepRecord | None) -> TimelineItem:
    return TimelineItem(rule, None, UNKNOWN, NEEDS_DATE, counted_from, None, record, None, missing)


def meeting_timeline(
    meeting_type: str,
    meeting_at: date | datetime,
    calendar: cal.Calendar,
    today: date,
    records: Mapping[str, StepRecord] | None = None,
    process: Mapping[str, date | str | None] | None = None,
    rules: tuple[Rule, ...] = RULES,
) -> list[TimelineItem]:
    """The statutory steps around a meeting with what the record says of each (an instant is placed on the
    calendar's local date); `process` holds the meeting's process dates and choices; `rules` may carry a
    state's own timeframes (organisation.state_rules)."""
    records = records or {}
    process = process or {}
    held = calendar.local_date(meeting_at)
    #: where each start date comes from -> the date, or the words of what is missing
    dates: dict[str, date | str] = {MEETING: held}
    for name in process_dates_of(meeting_type):
        value = process.get(name)
        dates[name] = value if isinstance(value, date) else PROCESS_DATES[name]
    items = []
    for step in TIMELINES.get(meeting_type, ()):
        if step.when is not None and process.get(step.when[0]) != step.when[1]:
            continue  # e.g. a phase-transfer step when the child is not in a transfer year
        try:
            rule = find_rule(step.rule_id, held, rules)
        except NotFound:  # not in force on the meeting's date (e.g. before a judgment)
            continue
        sources = {event: step.source_of(event) for event in rule.start_events}
        if any(source not in dates for source in sources.values()):
            continue  # counted from a step that is not in force
        record = records.get(rule.id)
        chained = sorted({source for source in sources.values() if source != MEETING and source not in PROCESS_DATES})
        named = sorted({source for source in sources.values() if source in PROCESS_DATES})
        counted_from = (
            CHAINED.format(step=", ".join(chained)) if chained
            else " and ".join(PROCESS_DATES[name] for name in named) if named
            else "the meeting's date"
        )
        missing = [dates[source] for source in sources.values() if isinstance(dates[source], str)]
        if missing and step.if_known:
            continue
        if missing:
            items.append(_needs(rule, step, missing[0], counted_from, record))
            dates[rule.id] = missing[0]
            continue
        deadline = compute(rule, {event: dates[source] for event, source in sources.items()}, calendar)
        allowance = None
        if record is not None and record.exception is not None:
            allowance = rule.allowances.get(record.exception)
        due = apply_exception(deadline.date, allowance, record)
        done_on = record.done_on if record else None
        # What follows counts from the day the step was done when the record says so, else from its date.
        dates[rule.id] = done_on or due or f"the date {rule.id} is done"
        side = BEFORE if (due or deadline.date) < held else AFTER
        status = status_of(due, done_on, today)
        items.append(TimelineItem(rule, deadline, side, status, counted_from, due, record, allowance))
    return items
