"""How the minutes write a date and a person: shared by the family summary, the comparison of versions
and every renderer, so a date reads the same wherever the minutes show it."""

from __future__ import annotations

from ..bidi import isolate
from ..dates import uk_date  # noqa: F401 - one UK date format for every part of the record
from .values import Person


def person_line(p: Person) -> str:
    """'Name, role, agency' with '(arrived late, left early)' when either is recorded."""
    extra = [x for x in ("arrived late" if p.arrived_late else "", "left early" if p.left_early else "") if x]
    return f"{isolate(p.name)}, {p.role_label}, {isolate(p.agency)}" + (f" ({', '.join(extra)})" if extra else "")
