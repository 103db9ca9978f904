"""Minutes renderers: a `Minutes` value in, bytes out, one module per format.

Every renderer shows people's text exactly as typed and never as markup: HTML escapes it, Markdown
backslash-escapes it, CSV neutralises spreadsheet formulas, PDF and DOCX write it as plain runs.
Right-to-left text (Hebrew, Arabic names and words) keeps its reading order: HTML isolates it with
dir="auto", the PDF shapes and reorders it (HarfBuzz through fpdf2), the DOCX marks it for Word.
Typed direction controls (a name with U+202E) stay inside the value they were typed in: every renderer
gets the minutes through `render`, which isolates each typed value first (`domain.bidi.isolate`).
Heavy libraries (fpdf2, python-docx, icalendar) are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass

from ..domain.bidi import isolate_all
from ..domain.minutes import Minutes
from ..domain.minutes.reports import REPORTS, reports_for


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    module: str
    mimetype: str
    extension: str
    #: the format can be cut down to one owner's dates (?owner=)
    per_owner: bool = False
    #: a statutory report made from the minutes (domain.minutes.reports.REPORTS), in the format `as_`
    report: str | None = None
    as_: str | None = None


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("html", "Printable page (HTML)", "html_doc", "text/html; charset=utf-8", "html"),
        Format("pdf", "PDF", "pdf", "application/pdf", "pdf"),
        Format("docx", "Word (DOCX)", "word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        Format("md", "Markdown", "markdown", "text/markdown; charset=utf-8", "md"),
        Format("csv", "Action register (CSV)", "csv_register", "text/csv; charset=utf-8", "csv"),
        Format("ics", "Calendar of due and follow-up dates (ICS)", "ics", "text/calendar; charset=utf-8", "ics", per_owner=True),
        Format("summary", "Family summary (HTML)", "html_doc", "text/html; charset=utf-8", "html"),
        *(
            Format(f"{report}.{ext}", f"{label} ({kind})", "reports", mimetype, ext, report=report, as_=ext)
            for report, label in REPORTS.items()
            for ext, kind, mimetype in (
                ("html", "HTML", "text/html; charset=utf-8"),
                ("pdf", "PDF", "application/pdf"),
                ("docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                ("md", "Markdown", "text/markdown; charset=utf-8"),
            )
        ),
    )
}
#: What a report's file is called.
REPORT_FILES = {"report": "ehcp-annual-review-report", "pwn": "prior-written-notice"}


def formats_for(meeting_type: str) -> dict[str, Format]:
    """The export formats a meeting offers: the minutes' own, and its statutory reports (by meeting type)."""
    mine = set(reports_for(meeting_type))
    return {k: f for k, f in FORMATS.items() if f.report is None or f.report in mine}


def render(fmt: str, minutes: Minutes, *, owner: str | None = None) -> bytes:
    """The minutes in one format; `owner` (an owner key) narrows a calendar to that person's dates."""
    spec = FORMATS[fmt]
    module = importlib.import_module(f"{__name__}.{spec.module}")
    # each typed value's direction controls end with the value, whatever sentence or line it is put in
    minutes = isolate_all(minutes)
    if fmt == "summary":
        return module.render_summary(minutes)
    if spec.report:
        return module.render(spec.report, spec.as_, minutes)
    if spec.per_owner:
        return module.render(minutes, owner=owner)
    return module.render(minutes)


def filename(minutes: Minutes, fmt: str, owner: str | None = None) -> str:
    """A safe, readable file name: minutes-<child>-<date>-v<N>[-draft][-<owner>].<ext>."""
    spec = FORMATS[fmt]
    kind = "family-summary" if fmt == "summary" else ("dates" if fmt == "ics" else ("actions" if fmt == "csv" else "minutes"))
    if spec.report:
        kind = REPORT_FILES[spec.report]
    parts = [kind, slug(minutes.meeting.child_ref), minutes.meeting.day.isoformat(), f"v{minutes.stamp.number}"]
    if not minutes.is_approved:
        parts.append("draft")
    if owner:
        parts.append(slug(owner))
    return "-".join(p for p in parts if p) + "." + spec.extension


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:40]


#: Characters that XML (HTML, DOCX) cannot carry: control characters other than tab and newline.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def plain(text: str | None) -> str:
    """Text safe to write into any document: unprintable control characters shown as U+FFFD, CRLF as LF."""
    if not text:
        return ""
    return _ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


#: Letters of the right-to-left scripts: Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic,
#: and the Hebrew and Arabic presentation forms.
RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def reads_right_to_left(text: str | None) -> bool:
    """True when text's first strong letter is right-to-left: its direction as a paragraph of its own
    (Unicode's bidi rules P2-P3, what HTML's dir="auto" does)."""
    if not text or not RTL_LETTERS.search(text):
        return False
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
