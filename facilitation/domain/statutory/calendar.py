"""Calendar arithmetic for statutory deadlines: weeks, months, working days, school days, terms, local dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
DEFAULT_TIMEZONE = "Europe/London"
# Without the school's own term dates a term is taken as 4 months (deadline-rules.md, ENG-SS-03).
DEFAULT_TERM_MONTHS = 4


@dataclass(frozen=True)
class Term:
    """One school term, first and last day inclusive."""

    start: date
    end: date


@dataclass(frozen=True)
class Calendar:
    """An organisation's calendar: public holidays, its own closure days, term dates and time zone."""

    holidays: frozenset[date] = frozenset()
    closures: frozenset[date] = frozenset()
    terms: tuple[Term, ...] = ()
    timezone: str = DEFAULT_TIMEZONE

    def is_public_working_day(self, day: date) -> bool:
        """A weekday that is not a public holiday (the organisation's closures do not count)."""
        return day.weekday() < 5 and day not in self.holidays

    def is_working_day(self, day: date) -> bool:
        """A weekday that is neither a public holiday nor one of the organisation's closure days."""
        return self.is_public_working_day(day) and day not in self.closures

    def term_of(self, day: date) -> Term | None:
        """The term the day falls in, if any."""
        return next((term for term in self.terms if term.start <= day <= term.end), None)

    def knows_terms_for(self, day: date) -> bool:
        """Whether the day lies within the span of the term dates given."""
        return bool(self.terms) and min(t.start for t in self.terms) <= day <= max(t.end for t in self.terms)

    def is_school_day(self, day: date) -> bool:
        """A working day inside a term (any working day outside the span of the known term dates)."""
        return self.is_working_day(day) and (not self.knows_terms_for(day) or self.term_of(day) is not None)

    def local_date(self, value: date | datetime) -> date:
        """The date in the organisation's time zone; an instant must carry its own zone (UTC as stored)."""
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is None:
            raise ValueError("an instant without a time zone cannot be placed on a local date")
        return value.astimezone(ZoneInfo(self.timezone)).date()


def add_months(start: date, months: int) -> tuple[date, bool]:
    """The same day `months` later (or earlier), else that month's last day; and whether that rule was needed."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - DAY).day
    return date(year, month, min(start.day, last)), start.day > last


def add_counted_days(start: date, count: int, counts) -> date:
    """Step `count` days that satisfy `counts` forward (or backward when negative), not counting the start."""
    step = DAY if count >= 0 else -DAY
    day, left = start, abs(count)
    while left:
        day += step
        if counts(day):
            left -= 1
    return day


def counted_days_between(start: date, end: date, counts) -> int:
    """How many days after `start`, up to and including `end`, satisfy `counts`."""
    total, day = 0, start
    while day < end:
        day += DAY
        total += counts(day)
    return total


def end_of_next_term(start: date, calendar: Calendar) -> date:
    """The last day of the next term to begin after `start` (4 months on when no later term is known)."""
    later = sorted((term for term in calendar.terms if term.start > start), key=lambda term: term.start)
    if not later:
        return add_months(start, DEFAULT_TERM_MONTHS)[0]
    return later[0].end


def next_working_day(day: date, calendar: Calendar) -> date:
    """The day itself if it is a working day (weekends and public holidays aside), else the next one."""
    return day if calendar.is_public_working_day(day) else add_counted_days(day, 1, calendar.is_public_working_day)


def tribunal_christmas(day: date, calendar: Calendar) -> date:
    """A deadline falling 25 December to 1 January moves to the next working day in January."""
    if (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1):
        day = date(day.year + (day.month == 12), 1, 1)
        return add_counted_days(day, 1, calendar.is_public_working_day)
    return day


def tribunal_august(day: date, calendar: Calendar) -> date:
    """A deadline falling in August moves to the first working day of September."""
    if day.month == 8:
        return add_counted_days(date(day.year, 8, 31), 1, calendar.is_public_working_day)
    return day
