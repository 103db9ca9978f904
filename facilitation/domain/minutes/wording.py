"""How the minutes write a date and a person: shared by the family summary, the comparison of versions
and every renderer, so a date reads the same wherever the minutes show it."""

from __future__ import annotations

from datetime import date, datetime

from .values import Person


def uk_date(value: date | None, weekday: bool = False) -> str:
    """14 Mar 2027 (or Sun 14 Mar 2027); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    text = f"{value.day} {value:%b %Y}"
    return f"{value:%a} {text}" if weekday else text


def person_line(p: Person) -> str:
    """'Name, role, agency' with '(arrived late, left early)' when either is recorded."""
    extra = [x for x in ("arrived late" if p.arrived_late else "", "left early" if p.left_early else "") if x]
    return f"{p.name}, {p.role_label}, {p.agency}" + (f" ({', '.join(extra)})" if extra else "")
