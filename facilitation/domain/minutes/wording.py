"""How the minutes write a date and a person: shared by the family summary, the comparison of versions
and every renderer, so a date reads the same wherever the minutes show it."""

from __future__ import annotations

from datetime import date

from ..bidi import isolate
from ..dates import uk_date  # noqa: F401 - one UK date format for every part of the record
from .values import Person


def person_line(p: Person) -> str:
    """'Name, role, agency' with '(joined by their link, arrived late, left early, with a Polish interpreter)'
    for whichever is recorded."""
    interpreter = f"with a {isolate(p.language)} interpreter" if p.language else "with an interpreter"
    extra = [
        x
        for x in (
            "joined by their link" if p.joined_by_link else "",
            "arrived late" if p.arrived_late else "",
            "left early" if p.left_early else "",
            interpreter if p.needs_interpreter else (f"speaks {isolate(p.language)}" if p.language else ""),
        )
        if x
    ]
    return f"{isolate(p.name)}, {p.role_label}, {isolate(p.agency)}" + (f" ({', '.join(extra)})" if extra else "")


def long_date(value: date) -> str:
    """'Friday 20 March 2026': a date written out in full, for the family summary's statutory dates."""
    return f"{value:%A} {value.day} {value:%B %Y}"
