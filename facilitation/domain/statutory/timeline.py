"""A meeting's statutory timeline: the dated steps of the process around it, chosen by meeting type as data.

The jurisdiction comes from the meeting type: an IEP meeting is a US meeting, every other type an English
one (there is no per-organisation setting yet). Each step names a rule of rules.py and, for each date the
rule starts from, where that date comes from: the meeting's date, or the latest date of an earlier step
("what follows": the final amended plan counted from the proposed amendments' latest date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facilitation.domain.errors import NotFound
from facilitation.domain.statutory import calendar as cal
from facilitation.domain.statutory.clock import Deadline, compute, find_rule
from facilitation.domain.statutory.rules import RULES, Rule

#: The record's date that stands for a rule's start event unless a step says otherwise.
MEETING = "meeting"
US, ENGLAND = "US", "ENG"
#: Meeting types whose process is a US one; any other type is England's.
US_MEETING_TYPES = frozenset({"iep_meeting"})
BEFORE, AFTER = "before", "after"
DUE, DUE_SOON, OVERDUE = "due", "due_soon", "overdue"
#: A step due within this many days of today is "due soon".
SOON_DAYS = 7
CHAINED = "counted from {step}'s latest date: earlier if that step happens earlier"


@dataclass(frozen=True)
class Step:
    """A rule of a meeting's process; `starts` maps its start events to MEETING or an earlier step's rule id."""

    rule_id: str
    starts: tuple[tuple[str, str], ...] = ()

    def source_of(self, event: str) -> str:
        """Where the rule's start event takes its date from."""
        return dict(self.starts).get(event, MEETING)


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
    ),
    "sen_support_review": (Step("ENG-SS-04"), Step("ENG-SS-03")),
    "iep_meeting": (Step("US-IEP-02"),),
}


@dataclass(frozen=True)
class TimelineItem:
    """One dated step: the rule, who acts, the computed deadline, its side of the meeting and its status."""

    rule: Rule
    deadline: Deadline
    side: str
    status: str
    counted_from: str


def jurisdiction_of(meeting_type: str) -> str:
    """The jurisdiction whose rules a meeting type follows: US for an IEP meeting, else England."""
    return US if meeting_type in US_MEETING_TYPES else ENGLAND


def status_on(day: date, today: date) -> str:
    """Overdue once the date has passed, due soon within SOON_DAYS, else due."""
    if day < today:
        return OVERDUE
    return DUE_SOON if day <= today + timedelta(days=SOON_DAYS) else DUE


def meeting_timeline(
    meeting_type: str, meeting_at: date | datetime, calendar: cal.Calendar, today: date, rules: tuple[Rule, ...] = RULES
) -> list[TimelineItem]:
    """The dated statutory steps around a meeting (an instant is placed on the calendar's local date); `rules`
    may carry a state's own timeframes (organisation.state_rules)."""
    held = calendar.local_date(meeting_at)
    dates: dict[str, date] = {MEETING: held}
    items = []
    for step in TIMELINES.get(meeting_type, ()):
        try:
            rule = find_rule(step.rule_id, held, rules)
        except NotFound:  # not in force on the meeting's date (e.g. before a judgment)
            continue
        sources = {event: step.source_of(event) for event in rule.start_events}
        if any(source not in dates for source in sources.values()):
            continue  # counted from a step that is not in force
        deadline = compute(rule, {event: dates[source] for event, source in sources.items()}, calendar)
        dates[rule.id] = deadline.date
        chained = sorted({source for source in sources.values() if source != MEETING})
        counted_from = CHAINED.format(step=", ".join(chained)) if chained else "the meeting's date"
        side = BEFORE if deadline.date < held else AFTER
        items.append(TimelineItem(rule, deadline, side, status_on(deadline.date, today), counted_from))
    return items
