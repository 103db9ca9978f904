"""The action register as CSV: every action, then every agreed next step on a disagreement, then the
meeting's statutory dates (type "Statutory date": the rule id as Ref, who must act as Owner, the latest
date as Due date, the rule's sources and the not-legal-advice line as Need or outcome).

Opens in Excel, LibreOffice and Google Sheets: UTF-8 with a byte-order mark (so Excel reads accents),
CRLF line ends, ISO dates (YYYY-MM-DD, which every spreadsheet reads as a date and sorts correctly).
Every cell goes through `cell` (the action log's CSV too): control characters are shown as U+FFFD, a
value holding direction controls is isolated (domain.bidi), so a U+202E in a name cannot reverse the rest
of the row in a text editor, and a cell that would start with =, +, -, @, a tab or a carriage return is
prefixed with an apostrophe, so nothing anyone typed can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io

from ..domain import minutes as m
from ..domain.bidi import isolate
from . import plain
from .text import statutory_what

HEADINGS = [
    "Ref",
    "Type",
    "What",
    "Owner",
    "Agency",
    "Due date",
    "Follow-up date",
    "Need or outcome",
    "Agenda item",
    "Confirmed by owner",
    "Meeting",
    "Child",
    "Meeting date",
    "Minutes version",
]

#: The Type of a statutory date's row.
STATUTORY = "Statutory date"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading formula character is neutralised with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def cell(value) -> str:
    """A value as a CSV cell: printable (see exports.plain), its direction controls kept to itself, never a formula."""
    text = "" if value is None else str(value)
    # the formula check reads the value as typed: the apostrophe goes before any isolate around it
    return ("'" if text.startswith(_FORMULA_START) else "") + isolate(plain(text))


def rows(minutes: m.Minutes) -> list[list[str]]:
    """The register's rows (without headings), values as shown in the file."""
    mt = minutes.meeting
    version = f"{minutes.stamp.number} ({'approved' if minutes.is_approved else 'draft'})"
    common = [mt.title, mt.child_ref, mt.day.isoformat(), version]
    out = []
    for a in minutes.actions:
        out.append(
            [a.ref, "Action", a.what, a.owner, a.agency, a.due_date.isoformat(), a.follow_up_date.isoformat(), a.need or "", a.item_title or "", "yes" if a.confirmed else "no", *common]
        )
    for g in minutes.disagreements:
        if g.resolved or not g.next_step:
            continue
        out.append(
            [g.ref, "Next step on a disagreement", f"{g.next_step_label}: {g.topic}", g.owner or "", g.agency or "", "", g.follow_up_date.isoformat() if g.follow_up_date else "", "", g.item_title or "", "", *common]
        )
    for s in minutes.statutory_dates:
        if not s.rule_id:  # minutes stored before the timeline listed its one date in the document only
            continue
        sources = f"Source: {', '.join(s.sources)}. {m.STATUTORY_NOTICE}"
        out.append([s.rule_id, STATUTORY, statutory_what(s), s.who, "", s.day.isoformat(), "", sources, "", "", *common])
    return out


def render(minutes: m.Minutes) -> bytes:
    """The register as CSV bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADINGS)
    for row in rows(minutes):
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
