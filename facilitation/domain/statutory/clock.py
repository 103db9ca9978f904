"""The one evaluator of the statutory rules: start dates and a calendar in, a dated, sourced deadline out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facilitation.domain.errors import InvalidValue, NotFound
from facilitation.domain.statutory import calendar as cal
from facilitation.domain.statutory.rules import (
    AFTER,
    AUGUST,
    CHRISTMAS,
    DATE_IN_YEAR,
    DAYS,
    EARLIEST,
    MONTHS,
    NEXT_WORKING_DAY,
    PRIMARY,
    RULES,
    SCHOOL_DAYS,
    SECONDARY,
    TERMS,
    UNDEFINED_WORKING_DAYS,
    WEEKS,
    WORKING_DAYS,
    YEARS,
    Clock,
    Rule,
)

# Conventions of deadline-rules.md that are themselves unverified: a date that depends on one is unverified.
MONTH_END = "month-end rule (no corresponding date, so the month's last day) not verified for this rule"
WORKING_DAY_DEFINITION = "working-day definition (weekends and bank holidays) not verified for this rule"
DAY_ONE = "counting the start day as day 1 not verified"
STATE_TIMEFRAME = "state timeframe as the organisation entered it, not checked against the state's law"
ADJUSTERS = {NEXT_WORKING_DAY: cal.next_working_day, CHRISTMAS: cal.tribunal_christmas, AUGUST: cal.tribunal_august}


@dataclass(frozen=True)
class Deadline:
    """A computed statutory date with the rule it came from and how far it can be trusted."""

    date: date
    rule_id: str
    jurisdiction: str
    verified: bool
    verification: str
    sources: tuple[str, ...]
    caveats: tuple[str, ...] = ()
    #: the US state whose own timeframe the date follows ("state timeframe"), empty for a federal default
    state_timeframe: str = ""


def find_rule(rule_id: str, on: date | None = None, rules: tuple[Rule, ...] = RULES) -> Rule:
    """The version of a rule in force on a date (the latest version when no date is given)."""
    versions = [rule for rule in rules if rule.id == rule_id and (on is None or rule.in_force(on))]
    if not versions:
        raise NotFound(f"There is no statutory rule {rule_id!r}.", field="rule_id")
    return max(versions, key=lambda rule: rule.version)


def rules_for(jurisdiction: str, on: date, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, ...]:
    """The rules of a jurisdiction in force on a date."""
    return tuple(rule for rule in rules if rule.jurisdiction == jurisdiction and rule.in_force(on))


def _run(clock: Clock, start: date, calendar: cal.Calendar) -> tuple[date, tuple[str, ...]]:
    sign = 1 if clock.direction == AFTER else -1
    amount = sign * clock.amount
    if clock.unit == DAYS:
        if clock.inclusive:
            amount -= sign
        return start + timedelta(days=amount), (DAY_ONE,) if clock.inclusive else ()
    if clock.unit == WEEKS:
        return start + timedelta(weeks=amount), ()
    if clock.unit in (MONTHS, YEARS):
        result, clamped = cal.add_months(start, amount * (12 if clock.unit == YEARS else 1))
        return result, (MONTH_END,) if clamped else ()
    if clock.unit == WORKING_DAYS:
        return cal.add_counted_days(start, amount, calendar.is_working_day), (WORKING_DAY_DEFINITION,)
    if clock.unit == SCHOOL_DAYS:
        return cal.add_counted_days(start, amount, calendar.is_school_day), ()
    if clock.unit == TERMS:
        result = start
        for _ in range(clock.amount):
            result = cal.end_of_next_term(result, calendar)
        return result, ()
    if clock.unit == DATE_IN_YEAR:
        return date(start.year, clock.amount // 100, clock.amount % 100), ()
    raise InvalidValue(f"Rule clock has an unknown unit {clock.unit!r}.")


def _start(rule: Rule, event: str, starts: Mapping[str, date | datetime | None], calendar: cal.Calendar) -> date:
    value = starts.get(event)
    if value is None:
        raise InvalidValue(f"{rule.id} needs the {event.replace('_', ' ')}.", field=event)
    if not isinstance(value, date):
        raise InvalidValue(f"The {event.replace('_', ' ')} must be a date.", field=event)
    try:
        return calendar.local_date(value)
    except ValueError as error:
        raise InvalidValue(f"The {event.replace('_', ' ')}: {error}.", field=event) from error


def compute(rule: Rule | str, starts: Mapping[str, date | datetime | None], calendar: cal.Calendar) -> Deadline:
    """Evaluate a rule from its start events (dates, or instants placed on the calendar's local date)."""
    if isinstance(rule, str):
        rule = find_rule(rule)
    if not rule.clocks:
        raise InvalidValue(f"{rule.id} sets no fixed date.", field="rule_id")
    clocks = [clock for clock in rule.clocks if not (clock.optional and starts.get(clock.start) is None)]
    results = [_run(clock, _start(rule, clock.start, starts, calendar), calendar) for clock in clocks]
    day, caveats = (min if rule.combine == EARLIEST else max)(results, key=lambda result: result[0])
    if rule.jurisdiction not in UNDEFINED_WORKING_DAYS:
        caveats = tuple(caveat for caveat in caveats if caveat != WORKING_DAY_DEFINITION)
    if rule.state_timeframe:
        caveats = (*caveats, STATE_TIMEFRAME)
    for name in rule.adjustments:
        day = ADJUSTERS[name](day, calendar)
    verified = rule.verification in (PRIMARY, SECONDARY) and not caveats
    return Deadline(
        day, rule.id, rule.jurisdiction, verified, rule.verification, rule.sources, caveats, rule.state_timeframe
    )
