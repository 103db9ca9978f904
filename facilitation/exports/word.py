"""Minutes as a Word document (DOCX, python-docx): real headings, lists and tables that Word, LibreOffice
and Google Docs open and edit cleanly. Header rows repeat on each page; the footer carries the version
and page number. Text is written as runs (line breaks as breaks), never interpreted.

Right-to-left text (Hebrew, Arabic) is marked for Word: a cell or paragraph holding someone's words that
start right to left is a right-to-left paragraph (w:bidi: ordered and aligned from the right, as HTML's
dir="auto"), and a run with right-to-left letters and no left-to-right ones is a right-to-left run (w:rtl).
Word draws those scripts with the complex-script properties, so bold, italic and size set theirs too.
"""

from __future__ import annotations

import io
import unicodedata

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from ..domain import minutes as m
from ..domain.minutes.reports import plan_sections
from . import RTL_LETTERS, plain, reads_right_to_left
from .text import (
    ADVICE_TITLE,
    ATTENDANCE_GROUPS,
    EASY_READ_TITLE,
    FAMILY_DATES_HEADINGS,
    FAMILY_DATES_TITLE,
    QUESTION_HEADINGS,
    QUESTIONS_TITLE,
    SIGN_OFF_TITLE,
    STATUTORY_TITLE,
    actual_text,
    advice_lines,
    family_date_row,
    has_advice,
    has_questions,
    hhmm,
    meeting_facts,
    planned_text,
    position_evidence,
    question_rows,
    queue_counts_line,
    route_lines,
    sign_off_lines,
    stamp_line,
    statutory_line,
    title_line,
)

W_P, W_PPR, W_PSTYLE, W_R, W_RPR, W_B, W_I, W_COLOR, W_SZ, W_BR, W_TAB, W_T = (
    qn(t) for t in ("w:p", "w:pPr", "w:pStyle", "w:r", "w:rPr", "w:b", "w:i", "w:color", "w:sz", "w:br", "w:tab", "w:t")
)
W_TBL, W_TBLPR, W_TBLSTYLE, W_TBLW, W_TBLLAYOUT, W_TBLLOOK, W_TBLGRID, W_GRIDCOL = (
    qn(t) for t in ("w:tbl", "w:tblPr", "w:tblStyle", "w:tblW", "w:tblLayout", "w:tblLook", "w:tblGrid", "w:gridCol")
)
W_TR, W_TRPR, W_TBLHEADER, W_TC, W_TCPR, W_TCW = (qn(t) for t in ("w:tr", "w:trPr", "w:tblHeader", "w:tc", "w:tcPr", "w:tcW"))
W_BCS, W_ICS, W_SZCS, W_RTL, W_BIDI = (qn(t) for t in ("w:bCs", "w:iCs", "w:szCs", "w:rtl", "w:bidi"))
W_VAL, W_W, W_TYPE = qn("w:val"), qn("w:w"), qn("w:type")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

ACCENT = RGBColor(0x1F, 0x4E, 0x5F)
MUTED = RGBColor(0x56, 0x63, 0x70)
DRAFT = RGBColor(0x8A, 0x6A, 0x1F)


class Writer:
    def __init__(self, minutes: m.Minutes):
        self.minutes = minutes
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.8))
        section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        self.doc.core_properties.title = plain(title_line(minutes))
        self.doc.core_properties.subject = plain(stamp_line(minutes))
        self.doc.core_properties.author = "Common Ground"
        self.doc.core_properties.language = "en-GB"
        self.body = self.doc.element.body
        self._footer(section)

    def _footer(self, section) -> None:
        s = self.minutes.stamp
        p = section.footer.paragraphs[0]
        run = p.add_run(f"{plain(self.minutes.meeting.title)} · {plain(self.minutes.meeting.child_ref)} · Version {s.number} · "
                        + ("approved" if self.minutes.is_approved else "DRAFT, not yet approved") + " · page ")
        run.font.size = Pt(8)
        run.font.color.rgb = MUTED if self.minutes.is_approved else DRAFT
        field = p.add_run()
        field.font.size = Pt(8)
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            field._r.append(el)

    # -------------------------------------------------------- building blocks
    #
    # Paragraphs, runs and tables are written as WordprocessingML straight into the body: python-docx's
    # object layer looks styles up and re-walks the tree for every run, which costs seconds for a large
    # meeting. The XML written is what python-docx itself would write.

    def _paragraph(self, style_id: str | None = None, rtl: bool = False):
        p = etree.SubElement(self.body, W_P)
        self.body.remove(p)
        self.body.insert(len(self.body) - 1, p)  # keep the section properties last
        if style_id or rtl:
            p_pr = etree.SubElement(p, W_PPR)
            if style_id:
                etree.SubElement(p_pr, W_PSTYLE).set(W_VAL, style_id)
            if rtl:
                etree.SubElement(p_pr, W_BIDI)
        return p

    def heading(self, text: str, level: int) -> None:
        self._run(self._paragraph("Title" if level == 0 else f"Heading{level}"), text)

    def para(self, text: str = "", bold_lead: str | None = None, italic: bool = False, color: RGBColor | None = None,
             style: str | None = None, bold: bool = False, own: bool = False):
        """A paragraph; `own`: it holds someone's words alone, so it reads right to left if they do."""
        p = self._paragraph(style, rtl=own and not bold_lead and reads_right_to_left(text))
        if bold_lead:
            self._run(p, bold_lead, bold=True)
        self._run(p, text, bold=bold, italic=italic, color=color)
        return p

    def bullet(self, text: str, bold_lead: str | None = None):
        return self.para(text, bold_lead=bold_lead, style="ListBullet")

    @staticmethod
    def _run(p, text: str, bold: bool = False, italic: bool = False, color: RGBColor | None = None, size_half_points: int | None = None):
        """A run of text as typed: line breaks become <w:br/>, tabs <w:tab/>."""
        text = plain(text)
        rtl = _right_to_left_only(text)
        r = etree.SubElement(p, W_R)
        if bold or italic or color is not None or size_half_points or rtl:
            r_pr = etree.SubElement(r, W_RPR)  # children in the schema's order
            if bold:
                etree.SubElement(r_pr, W_B)
                etree.SubElement(r_pr, W_BCS)
            if italic:
                etree.SubElement(r_pr, W_I)
                etree.SubElement(r_pr, W_ICS)
            if color is not None:
                etree.SubElement(r_pr, W_COLOR).set(W_VAL, str(color))
            if size_half_points:
                etree.SubElement(r_pr, W_SZ).set(W_VAL, str(size_half_points))
                etree.SubElement(r_pr, W_SZCS).set(W_VAL, str(size_half_points))
            if rtl:
                etree.SubElement(r_pr, W_RTL)
        for n, line in enumerate(text.split("\n")):
            if n:
                etree.SubElement(r, W_BR)
            for k, chunk in enumerate(line.split("\t")):
                if k:
                    etree.SubElement(r, W_TAB)
                if chunk:
                    t = etree.SubElement(r, W_T)
                    t.text = chunk
                    if chunk != chunk.strip():
                        t.set(XML_SPACE, "preserve")
        return r

    def table(self, headings: list[str] | None, rows: list[list[str]], widths_cm: tuple[float, ...], grid: bool = True,
              own: bool = True) -> None:
        """A table with fixed column widths; the heading row repeats on each page. `own`: each cell holds someone's
        words alone (a right-to-left one reads right to left); False for sentences made around names."""
        widths = [str(int(w * 567)) for w in widths_cm]  # twentieths of a point per cm
        tbl = etree.SubElement(self.body, W_TBL)
        self.body.remove(tbl)
        self.body.insert(len(self.body) - 1, tbl)
        tbl_pr = etree.SubElement(tbl, W_TBLPR)
        if grid:
            etree.SubElement(tbl_pr, W_TBLSTYLE).set(W_VAL, "TableGrid")
        tbl_w = etree.SubElement(tbl_pr, W_TBLW)
        tbl_w.set(W_W, str(sum(int(w) for w in widths)))
        tbl_w.set(W_TYPE, "dxa")
        etree.SubElement(tbl_pr, W_TBLLAYOUT).set(W_TYPE, "fixed")
        look = etree.SubElement(tbl_pr, W_TBLLOOK)
        look.set(W_VAL, "04A0")
        tbl_grid = etree.SubElement(tbl, W_TBLGRID)
        for w in widths:
            etree.SubElement(tbl_grid, W_GRIDCOL).set(W_W, w)
        all_rows = ([headings] if headings else []) + rows
        for r_index, values in enumerate(all_rows):
            is_head = bool(headings) and r_index == 0
            tr = etree.SubElement(tbl, W_TR)
            if is_head:
                etree.SubElement(etree.SubElement(tr, W_TRPR), W_TBLHEADER)
            for c_index, (value, w) in enumerate(zip(values, widths, strict=True)):
                tc = etree.SubElement(tr, W_TC)
                tc_w = etree.SubElement(etree.SubElement(tc, W_TCPR), W_TCW)
                tc_w.set(W_W, w)
                tc_w.set(W_TYPE, "dxa")
                p = etree.SubElement(tc, W_P)
                if own and reads_right_to_left(value):
                    etree.SubElement(etree.SubElement(p, W_PPR), W_BIDI)
                bold = is_head or (not grid and c_index == 0)
                self._run(p, value, bold=bold, color=MUTED if (bold and not grid) else None, size_half_points=18 if grid else None)
        self._paragraph()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _right_to_left_only(text: str) -> bool:
    """Right-to-left letters and no left-to-right ones: what w:rtl may mark (it must not mark strong LTR text)."""
    return RTL_LETTERS.search(text) is not None and not any(unicodedata.bidirectional(c) == "L" for c in text)


def render(minutes: m.Minutes) -> bytes:
    """The whole minutes as a .docx file."""
    w = Writer(minutes)
    mt = minutes.meeting
    w.heading(f"Minutes: {mt.title}", 0)
    w.para(stamp_line(minutes), color=MUTED if minutes.is_approved else DRAFT, bold=True)
    if not minutes.is_approved:
        w.para("DRAFT: not yet approved. Check it and tell the chair about anything that needs correcting.", color=DRAFT, bold=True)

    w.heading("Meeting details", 1)
    w.table(None, [[label, value] for label, value in meeting_facts(minutes)], (4.3, 13.1), grid=False)
    if minutes.statutory_dates:
        w.heading(STATUTORY_TITLE, 1)
        w.para(m.STATUTORY_NOTICE, color=ACCENT)
        for s in minutes.statutory_dates:
            w.bullet(statutory_line(s))

    if minutes.stamp.amendment_note or minutes.stamp.changes:
        w.heading(f"Amendment (version {minutes.stamp.number})", 1)
        if minutes.stamp.amendment_note:
            w.para(minutes.stamp.amendment_note, bold_lead="Why: ")
        if minutes.stamp.changes:
            w.para("What changed from the previous approved version:", bold=True)
            for line in minutes.stamp.changes:
                w.bullet(line)

    if minutes.stamp.sign_off:
        w.heading(SIGN_OFF_TITLE, 1)
        for line in sign_off_lines(minutes):
            w.bullet(line)

    w.heading("Attendance", 1)
    any_people = False
    for key, label in ATTENDANCE_GROUPS:
        people = getattr(minutes.attendance, key)
        if people:
            any_people = True
            w.heading(label, 3)
            for p in people:
                w.bullet(m.person_line(p))
    if not any_people:
        w.para("No participants were recorded.")

    w.heading("Agenda, planned and actual times", 1)
    w.table(
        ["#", "Item", "Presenter", "Planned", "Actual"],
        [[str(i.number), i.title + (" (deferred)" if i.deferred else ""), i.presenter or "", planned_text(i), actual_text(i)] for i in minutes.agenda],
        (0.8, 8.0, 3.4, 2.4, 2.8),
    )

    w.heading("Item by item", 1)
    for section in [*minutes.agenda, *([minutes.other_matters] if minutes.other_matters else [])]:
        w.heading(f"{section.number}. {section.title}" if section.status != "other" else section.title, 2)
        if not (section.decisions or section.actions or section.disagreements):
            w.para("Nothing recorded under this item.", italic=True, color=MUTED)
            continue
        for d in section.decisions:
            w.para(d.text, bold_lead=f"{d.ref} Decision: ")
            meta = d.status_label + (f" · review {m.uk_date(d.review_date)}" if d.review_date else "") + (f" · see {d.disagreement_ref}" if d.disagreement_ref else "")
            w.para(meta, italic=True, color=MUTED)
            for label, value in (("Reasons: ", d.reasons), ("Evidence: ", d.evidence), ("Options considered: ", d.options_considered)):
                if value:
                    w.bullet(value, bold_lead=label)
            if d.dissenters:
                w.bullet(", ".join(d.dissenters), bold_lead="Dissent: ")
            if d.citations:
                w.bullet(m.citation_text(d.citations), bold_lead="Cites: ")
        for a in section.actions:
            w.para(a.what, bold_lead=f"{a.ref} Action: ")
            w.para(f"{a.owner} ({a.agency}) · due {m.uk_date(a.due_date)} · follow-up {m.uk_date(a.follow_up_date)}" + (f" · {a.need}" if a.need else ""), color=MUTED)
            if a.citations:
                w.bullet(m.citation_text(a.citations), bold_lead="Cites: ")
        for g in section.disagreements:
            w.para(f"{g.topic} (see {minutes.disagreements_title})", bold_lead=f"{g.ref} Disagreement: ")

    w.heading("Actions: who does what, by when", 1)
    if minutes.actions:
        w.table(
            ["Ref", "Action", "Owner", "Agency", "Due", "Follow-up", "Need or outcome"],
            [[a.ref, a.what, a.owner + (" \u2713" if a.confirmed else ""), a.agency, m.uk_date(a.due_date), m.uk_date(a.follow_up_date), a.need or ""] for a in minutes.actions],
            # 17.4 cm between the margins; "Need or outcome" holds a word like "Communication" whole,
            # and the dates and the "Follow-up" heading fit on one line
            (1.0, 4.1, 2.5, 2.5, 2.1, 2.2, 3.0),
        )
        w.para("\u2713 the owner confirmed the action in the meeting.", italic=True, color=MUTED)
    else:
        w.para("No actions were agreed.")

    w.heading(minutes.disagreements_title, 1)
    if mt.meeting_type == "ehcp_annual_review":
        w.para("Recorded for the annual review report, which must set out any differences of opinion (SEND Regulations 2014, reg 20).", italic=True, color=MUTED)
    if not minutes.disagreements:
        w.para("No disagreements were recorded.")
    for g in minutes.disagreements:
        w.heading(f"{g.ref} {g.topic}", 2)
        if g.positions:
            w.table(["Who", "Agency", "Position, in their words", "Evidence relied on"], [[p.party, p.agency, p.view, position_evidence(p)] for p in g.positions], (3.0, 3.0, 7.0, 4.4))
        else:
            w.para("No positions recorded.", italic=True)
        if g.resolved:
            w.para("Resolved" + (f": {g.resolution}" if g.resolution else ""), bold_lead="Outcome: ")
        elif g.next_step:
            w.para(f"{g.next_step_label}.", bold_lead="Next step: ")
            p = w.para(f"{g.owner} ({g.agency}).", bold_lead="Owner: ")
            w._run(p, " Follow-up: ", bold=True)
            w._run(p, m.uk_date(g.follow_up_date))
        else:
            w.para("not yet agreed.", bold_lead="Next step: ")
        for line in route_lines(g):
            w.para(line)

    if has_questions(minutes):
        w.heading(QUESTIONS_TITLE, 1)
        if minutes.questions:
            w.table(QUESTION_HEADINGS, question_rows(minutes), (3.0, 2.2, 6.6, 3.4, 2.2))
        else:
            w.para("No written questions or comments were sent.")
        w.para(queue_counts_line(minutes), italic=True, color=MUTED)

    if has_advice(minutes):
        w.heading(ADVICE_TITLE, 1)
        for line in advice_lines(minutes):
            w.bullet(line)

    w.heading("The child's and family's views", 1)
    w.heading("The child's views", 3)
    w.para(minutes.child_views or "Not recorded.", italic=not minutes.child_views, own=True)
    w.heading("The family's views", 3)
    w.para(minutes.family_views or "Not recorded.", italic=not minutes.family_views, own=True)

    for section in plan_sections(minutes):
        w.heading(section.heading, 1)
        for b in section.blocks:
            if b.kind == "text":
                w.heading(b.text, 3)
            elif b.kind == "list":
                for i in b.items:
                    w.bullet(i)
            elif b.kind == "table":
                n = len(b.headings)
                widths = (1.2, *[16.2 / (n - 1)] * (n - 1)) if b.headings[0] == "" else tuple([17.4 / n] * n)
                w.table([h or "Ref" for h in b.headings], [list(r) for r in b.rows], widths)

    w.heading("Next review", 1)
    w.para(m.uk_date(minutes.next_review_date, weekday=True) if minutes.next_review_date else "Not set.")

    w._run(w._paragraph(), "").append(OxmlElement("w:br", {qn("w:type"): "page"}))
    _summary(w, minutes, "Summary for the family, in plain words")
    w.para(
        f"Generated from the meeting's record by Common Ground on {m.uk_date(minutes.generated_at)} at {hhmm(minutes.generated_at)} ({minutes.timezone}). {stamp_line(minutes)}.",
        italic=True,
        color=MUTED,
    )
    return w.to_bytes()


def _summary(w: Writer, minutes: m.Minutes, title: str) -> None:
    s = minutes.summary
    w.heading(title, 1)
    if not minutes.is_approved:
        w.para("This summary comes from draft minutes that have not been approved yet.", italic=True, color=DRAFT)
    if minutes.easy_read:
        w.heading(EASY_READ_TITLE, 2)
        for line in minutes.easy_read.splitlines():
            if line.strip():
                w.para(line)
    w.para(s.intro)
    if s.who_came:
        w.heading("Who was there", 3)
        for line in s.who_came:
            w.bullet(line)
    w.heading("What was agreed", 3)
    for line in s.agreed or ["Nothing was decided at this meeting."]:
        w.bullet(line)
    w.heading("What happens next", 3)
    if s.next_steps:
        w.table(["When", "What happens"], [[m.uk_date(step.day, weekday=True), step.text] for step in s.next_steps], (3.4, 14.0), own=False)
    else:
        w.para("No actions were agreed.")
    if s.statutory_dates:
        w.heading(FAMILY_DATES_TITLE, 3)
        w.table(FAMILY_DATES_HEADINGS, [family_date_row(fd) for fd in s.statutory_dates], (3.0, 8.4, 6.0), own=False)
        w.para(s.statutory_notice, italic=True)
    if s.disagreements:
        w.heading("Where people disagreed", 3)
        for line in s.disagreements:
            w.bullet(line)
    w.para(s.next_review, bold=True)
    if s.glossary:
        w.heading("Words used in these notes", 3)
        for t in s.glossary:
            w.bullet(t.meaning, bold_lead=f"{t.term}: ")
    w.heading("Where to get independent advice", 3)
    for a in s.advice:
        w.bullet(f"{a.what} {a.where}", bold_lead=f"{a.name}: ")
