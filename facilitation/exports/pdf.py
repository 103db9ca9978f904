"""Minutes as PDF (fpdf2, pure Python): A4, DejaVu Sans for any European script, tables that repeat headers.

Text is written as plain text (fpdf2's markdown switched off), so nothing anyone typed is read as markup.
The font is DejaVu Sans from npm (copied to static/vendor/fonts by `make run` / `make test`), or Debian's
fonts-dejavu-core. Without either the PDF falls back to
the built-in Helvetica, which can only carry Latin-1: other characters are then shown as '?'. With it,
characters DejaVu has no glyph for (Chinese, Japanese, emoji ...) are shown as '\ufffd'; the HTML,
DOCX and Markdown exports keep them as typed.

Right-to-left text (Hebrew, Arabic) and combining accents go through fpdf2's text shaping (HarfBuzz,
the uharfbuzz package): reordered by the Unicode bidi algorithm, Arabic letters joined, marks placed.
Shaping costs far more than plain drawing, so only text that needs it is shaped.

Typed direction controls (U+202A-U+202E, U+2066-U+2069, marks) are honoured by fpdf2's bidi algorithm,
so an unterminated U+202E in a name would reverse the rest of its line here too. The values come isolated
(see exports.render and domain.bidi); the font has no glyphs for the isolates, so the controls are passed
through to the shaping (which draws them as nothing) instead of being shown as missing characters, and
each drawn line is balanced on its own (a value broken over two lines keeps its controls on each).
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from fpdf import FPDF

from ..domain import minutes as m
from ..domain.bidi import CONTROLS, balanced
from ..domain.minutes.reports import plan_sections
from . import plain, reads_right_to_left
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
    cites_line,
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

#: DejaVu comes from npm with the front-end libraries (`make` copies it to static/vendor/fonts);
#: Debian's fonts-dejavu-core is used if that copy is missing.
FONT_DIRS = [
    Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
]
FAMILY = "DejaVu"

INK = (29, 39, 48)
MUTED = (86, 99, 112)
ACCENT = (31, 78, 95)
HEAD_FILL = (238, 243, 241)
DRAFT = (138, 106, 31)

#: What plain drawing gets wrong: right-to-left scripts (drawn in reading order, Arabic letters
#: unjoined), explicit direction marks, and combining accents (placed by the font's mark positioning).
NEEDS_SHAPING = re.compile("[\u0300-\u036f\u0590-\u08ff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe20-\ufe2f\ufe70-\ufefc]")


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold, if installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


@lru_cache(maxsize=1)
def _covered() -> frozenset[int] | None:
    files = font_files()
    if files is None:
        return None
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    with TTFont(str(files[0]), lazy=True) as font:
        regular = set(font.getBestCmap())
    with TTFont(str(files[1]), lazy=True) as font:
        return frozenset(regular & set(font.getBestCmap()))


def safe(text: str | None) -> str:
    """Text the PDF's font can draw: missing glyphs become U+FFFD (or '?' in Latin-1 Helvetica)."""
    text = plain(text)
    covered = _covered()
    if covered is None:
        text = unicodedata.normalize("NFKC", text)
        for a, b in (("\u2013", "-"), ("\u2014", "-"), ("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2022", "-"), ("\u2026", "..."), ("\u2713", "(confirmed)"), ("\ufffd", "?")):
            text = text.replace(a, b)
        return text.encode("latin-1", "replace").decode("latin-1")
    if all(ord(c) in covered or c in "\n\t" for c in text):
        return text
    # direction controls are not drawn: the shaping reads them (see NEEDS_SHAPING) and HarfBuzz hides them
    return "".join(c if ord(c) in covered or c in "\n\t" or CONTROLS.match(c) else "\ufffd" for c in text)


class Lines(NamedTuple):
    """A piece of text broken into lines, and how they are drawn."""

    lines: list[str]
    #: drawn through fpdf2's text shaping (bidi order, joined Arabic letters, placed accents)
    shaped: bool = False
    #: a right-to-left paragraph: its lines are ordered from the right and aligned right
    rtl: bool = False


class MinutesPDF(FPDF):
    """fpdf2 with a small typesetter of its own.

    fpdf2's multi_cell and table() measure text through its bidirectional-text machinery, which costs
    seconds for a large meeting; plain left-aligned text needs only the font's advance widths, so lines
    are broken here and drawn with text(). Lines that need shaping (see NEEDS_SHAPING) are drawn by fpdf2
    itself, through cell() with text shaping on, and their words measured as HarfBuzz shapes them.
    Page breaks are ours too (tables repeat their header row).
    """

    def __init__(self, minutes: m.Minutes):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.minutes = minutes
        self.set_margins(15, 16, 15)
        self.set_auto_page_break(False)
        self.bottom = self.h - 18
        files = font_files()
        if files:
            self.add_font(FAMILY, "", str(files[0]))
            self.add_font(FAMILY, "B", str(files[1]))
            self.family_name = FAMILY
        else:
            self.family_name = "helvetica"
        self.set_title(safe(title_line(minutes)))
        self.set_author("Common Ground")
        self.set_subject(safe(stamp_line(minutes)))
        self.set_creator("Common Ground")
        self.set_lang("en-GB")
        self.alias_nb_pages()

    # -------------------------------------------------------- page furniture

    def header(self):
        if self.page_no() == 1:
            return
        self.font(7.5, color=MUTED)
        mt = self.minutes.meeting
        line = safe(f"{mt.title} · {mt.child_ref} · {m.uk_date(mt.day)}")[:150]
        self.draw_line(self.l_margin, 11, line, self.epw, Lines([line], self.needs_shaping(line)))
        self.set_y(self.t_margin)

    def footer(self):
        self.font(7.5, color=MUTED if self.minutes.is_approved else DRAFT)
        s = self.minutes.stamp
        left = f"Version {s.number} · approved" if self.minutes.is_approved else f"Version {s.number} · DRAFT, not yet approved"
        self.set_xy(self.l_margin, self.h - 12)
        self.cell(self.epw / 2, 5, safe(left))
        # cell(), not text(): fpdf2 replaces the {nb} alias only in text it lays out itself
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def new_page(self):
        self.add_page()
        self.set_y(self.t_margin)

    # -------------------------------------------------------- measuring and breaking lines

    def font(self, size: float = 10, bold: bool = False, color=INK):
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*color)

    def measure(self, text: str) -> float:
        """Width of text in the current font, in mm (advance widths; no shaping or kerning is applied)."""
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def measure_shaped(self, text: str) -> float:
        """Width of text as HarfBuzz shapes it (with shaping on); advance widths where nothing needs shaping."""
        if NEEDS_SHAPING.search(text) is None:
            return self.measure(text)
        # the font's own shaped width: fpdf2's get_string_width() would also run the bidi algorithm on each word
        return self.current_font.get_text_width(text, self.font_size_pt, self.text_shaping)[1] / self.k

    def needs_shaping(self, text: str) -> bool:
        """True for text that only comes out right through text shaping (see NEEDS_SHAPING), with DejaVu."""
        return self.family_name == FAMILY and NEEDS_SHAPING.search(text) is not None

    @contextmanager
    def shaping(self, rtl: bool = False):
        """fpdf2's text shaping, on for one piece of text. The paragraph direction is given, not guessed
        from each line. The page-count alias is off meanwhile: a typed "{nb}" stays as typed."""
        alias, self.str_alias_nb_pages = self.str_alias_nb_pages, None
        self.set_text_shaping(True, direction="rtl" if rtl else "ltr")
        try:
            yield
        finally:
            self.set_text_shaping(False)
            self.str_alias_nb_pages = alias

    def wrap(self, text: str, width: float, own: bool = False) -> Lines:
        """Lines of at most `width` mm. `own`: the text is someone's words on their own (a table cell, their
        views), so a right-to-left one is a right-to-left paragraph, as HTML's dir="auto" makes it."""
        text = safe(text).replace("\t", "    ")
        if not self.needs_shaping(text):
            return Lines(self._break(text, width, self.measure))
        with self.shaping():
            lines = [balanced(line) for line in self._break(text, width, self.measure_shaped)]
            return Lines(lines, True, own and reads_right_to_left(text))

    def draw_line(self, x: float, baseline: float, line: str, width: float, block: Lines) -> None:
        """One line of a block, starting at x (or ending at x + width, right to left) on the baseline."""
        if not block.shaped or (not block.rtl and NEEDS_SHAPING.search(line) is None):
            self.text(x, baseline, line)
            return
        x0, y0 = self.x, self.y
        with self.shaping(block.rtl):
            # cell() pads by c_margin and puts the baseline at y + h / 2 + 0.3 * the font size
            self.set_xy(x - self.c_margin, baseline - 0.8 * self.font_size)
            self.cell(width + 2 * self.c_margin, self.font_size, line, align="R" if block.rtl else "L")
        self.set_xy(x0, y0)

    @staticmethod
    def _break(text: str, width: float, measure) -> list[str]:
        """Greedy line breaking at spaces; a word wider than the line is broken between characters."""
        lines: list[str] = []
        space = measure(" ")
        for paragraph in text.split("\n"):
            line, line_w, first = "", 0.0, True
            for word in paragraph.split(" "):
                w = measure(word)
                if not first and line_w + space + w <= width:
                    line, line_w = f"{line} {word}", line_w + space + w
                    continue
                if not first:
                    lines.append(line)
                first = False
                while w > width:  # a word wider than the line (a URL, a long reference)
                    cut = max(1, int(len(word) * width / w))
                    while cut > 1 and measure(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = measure(word)
                line, line_w = word, w
            lines.append(line)
        return lines

    # -------------------------------------------------------- building blocks

    def room_for(self, height: float) -> None:
        if self.get_y() + height > self.bottom:
            self.new_page()

    def para(self, text: str, size: float = 10, bold: bool = False, color=INK, gap: float = 1.2, indent: float = 0,
             own: bool = False):
        self.font(size, bold, color)
        line_h = size * 0.45
        x = self.l_margin + indent
        block = self.wrap(text, self.epw - indent, own)
        for line in block.lines:
            self.room_for(line_h)
            y = self.get_y()
            self.draw_line(x, y + line_h * 0.78, line, self.epw - indent, block)
            self.set_y(y + line_h)
        self.set_y(self.get_y() + gap)

    def h2(self, text: str):
        self.room_for(24)
        self.set_y(self.get_y() + 3)
        self.para(text, 13, True, ACCENT, gap=0.8)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.set_y(self.get_y() + 2.5)
        self.font()

    def h3(self, text: str):
        self.room_for(16)
        self.set_y(self.get_y() + 1.5)
        self.para(text, 11, True, gap=0.8)

    def bullet(self, text: str, size: float = 10):
        self.font(size)
        line_h = size * 0.45
        self.room_for(line_h)
        self.text(self.l_margin + 2, self.get_y() + line_h * 0.78, "\u2022" if self.family_name == FAMILY else "-")
        self.para(text, size, gap=0.6, indent=6)

    def box(self, text: str, size: float, color) -> None:
        """Text in a bordered box (the draft warning)."""
        self.font(size, True, color)
        block = self.wrap(text, self.epw - 4)
        line_h = size * 0.45
        h = len(block.lines) * line_h + 3
        self.room_for(h)
        y = self.get_y()
        self.set_draw_color(*color)
        self.set_line_width(0.4)
        self.rect(self.l_margin, y, self.epw, h)
        for n, line in enumerate(block.lines):
            self.draw_line(self.l_margin + 2, y + 1.5 + line_h * (n + 0.78), line, self.epw - 4, block)
        self.set_y(y + h + 2)

    def grid(self, headings: list[str] | None, rows: list[list[str]], widths: tuple[float, ...], size: float = 8.5,
             borders: bool = True, first_column_bold: bool = False, own: bool = True):
        """A table; the header row is repeated on every page it runs onto, and a tall row splits across pages.
        `own`: each cell holds someone's words alone (see wrap); False for sentences made around names."""
        scale = self.epw / sum(widths)
        widths = tuple(w * scale for w in widths)
        pad = 1.2 if borders else 0.6
        line_h = size * 0.45
        self.set_draw_color(207, 202, 189)
        self.set_line_width(0.2)
        self.set_fill_color(*HEAD_FILL)

        def layout(cells, bold_cols):
            out = []
            for n, (value, w) in enumerate(zip(cells, widths, strict=True)):
                self.font(size, n in bold_cols, MUTED if (n in bold_cols and not borders) else INK)
                out.append(self.wrap(value, w - 2 * pad, own))
            return out

        def draw(blocks, bold_cols, fill, start, count):
            y = self.get_y()
            h = count * line_h + 2 * pad
            x = self.l_margin
            for n, (block, w) in enumerate(zip(blocks, widths, strict=True)):
                if borders:
                    self.rect(x, y, w, h, style="DF" if fill else "D")
                self.font(size, n in bold_cols, MUTED if (n in bold_cols and not borders) else INK)
                for k, line in enumerate(block.lines[start:start + count]):
                    self.draw_line(x + pad, y + pad + line_h * (k + 0.78), line, w - 2 * pad, block)
                x += w
            self.set_y(y + h)

        head = layout(headings, set(range(len(headings)))) if headings else None
        head_h = (max(len(c.lines) for c in head) * line_h + 2 * pad) if head else 0

        def header():
            if head:
                draw(head, set(range(len(headings))), True, 0, max(len(c.lines) for c in head))

        self.room_for(head_h + line_h + 2 * pad)
        header()
        bold_cols = {0} if first_column_bold else set()
        for r in rows:
            blocks = layout(r, bold_cols)
            total = max(len(c.lines) for c in blocks)
            row_h = total * line_h + 2 * pad
            fresh_page_room = self.bottom - self.t_margin - head_h
            if self.get_y() + row_h > self.bottom and row_h <= fresh_page_room:
                self.new_page()
                header()
            start = 0
            while start < total:
                fit = max(1, int((self.bottom - self.get_y() - 2 * pad) // line_h))
                count = min(fit, total - start)
                draw(blocks, bold_cols, False, start, count)
                start += count
                if start < total:
                    self.new_page()
                    header()
        self.set_y(self.get_y() + 2)
        self.font()


def _doc(pdf: MinutesPDF, mins: m.Minutes) -> None:
    mt = mins.meeting
    pdf.new_page()
    pdf.para("MINUTES", 8, True, MUTED, gap=0.5)
    pdf.para(mt.title, 18, True, gap=1)
    pdf.para(stamp_line(mins), 9.5, True, MUTED if mins.is_approved else DRAFT, gap=1.5)
    if not mins.is_approved:
        pdf.box("DRAFT: not yet approved. Check it and tell the chair about anything that needs correcting.", 9.5, DRAFT)

    pdf.h2("Meeting details")
    pdf.grid(None, [[label, value] for label, value in meeting_facts(mins)], (40, 140), size=10, borders=False, first_column_bold=True)
    pdf.set_y(pdf.get_y() + 1)
    if mins.statutory_dates:
        pdf.h2(STATUTORY_TITLE)
        pdf.para(m.STATUTORY_NOTICE, 9.5, color=ACCENT)
        for s in mins.statutory_dates:
            pdf.bullet(statutory_line(s), 9.5)

    if mins.stamp.amendment_note or mins.stamp.changes:
        pdf.h2(f"Amendment (version {mins.stamp.number})")
        if mins.stamp.amendment_note:
            pdf.para(f"Why: {mins.stamp.amendment_note}")
        if mins.stamp.changes:
            pdf.para("What changed from the previous approved version:", bold=True)
            for line in mins.stamp.changes:
                pdf.bullet(line, 9.5)

    if mins.stamp.sign_off:
        pdf.h2(SIGN_OFF_TITLE)
        for line in sign_off_lines(mins):
            pdf.bullet(line, 9.5)

    pdf.h2("Attendance")
    any_people = False
    for key, label in ATTENDANCE_GROUPS:
        people = getattr(mins.attendance, key)
        if people:
            any_people = True
            pdf.para(label, 10.5, True, gap=0.3)
            for p in people:
                pdf.bullet(m.person_line(p))
    if not any_people:
        pdf.para("No participants were recorded.")

    pdf.h2("Agenda, planned and actual times")
    pdf.grid(
        ["#", "Item", "Presenter", "Planned", "Actual"],
        [[str(i.number), i.title + (" (deferred)" if i.deferred else ""), i.presenter or "", planned_text(i), actual_text(i)] for i in mins.agenda],
        (8, 82, 34, 26, 30),
    )

    pdf.h2("Item by item")
    for section in [*mins.agenda, *([mins.other_matters] if mins.other_matters else [])]:
        pdf.h3(f"{section.number}. {section.title}" if section.status != "other" else section.title)
        if not (section.decisions or section.actions or section.disagreements):
            pdf.para("Nothing recorded under this item.", 9.5, color=MUTED)
            continue
        for d in section.decisions:
            pdf.para(f"{d.ref}  Decision: {d.text}", 10, True, gap=0.3)
            meta = d.status_label + (f" · review {m.uk_date(d.review_date)}" if d.review_date else "") + (f" · see {d.disagreement_ref}" if d.disagreement_ref else "")
            pdf.para(meta, 9, color=MUTED, gap=0.3, indent=4)
            for label, value in (("Reasons", d.reasons), ("Evidence", d.evidence), ("Options considered", d.options_considered)):
                if value:
                    pdf.para(f"{label}: {value}", 9.5, gap=0.3, indent=4)
            if d.dissenters:
                pdf.para(f"Dissent: {', '.join(d.dissenters)}", 9.5, gap=0.3, indent=4)
            if d.citations:
                pdf.para(cites_line(d.citations), 9.5, gap=0.3, indent=4)
            pdf.set_y(pdf.get_y() + 1)
        for a in section.actions:
            pdf.para(f"{a.ref}  Action: {a.what}", 10, True, gap=0.3)
            pdf.para(f"{a.owner} ({a.agency}) · due {m.uk_date(a.due_date)} · follow-up {m.uk_date(a.follow_up_date)}" + (f" · {a.need}" if a.need else ""), 9.5, gap=1, indent=4)
            if a.citations:
                pdf.para(cites_line(a.citations), 9.5, gap=1, indent=4)
        for g in section.disagreements:
            pdf.para(f"{g.ref}  Disagreement: {g.topic} (see {mins.disagreements_title})", 10, True, gap=1)

    pdf.h2("Actions: who does what, by when")
    if mins.actions:
        pdf.grid(
            ["Ref", "Action", "Owner", "Agency", "Due", "Follow-up", "Need or outcome"],
            [[a.ref, a.what, a.owner + (" \u2713" if a.confirmed else ""), a.agency, m.uk_date(a.due_date), m.uk_date(a.follow_up_date), a.need or ""] for a in mins.actions],
            (10, 50, 27, 27, 19, 19, 28),
            size=8,
        )
        pdf.para("\u2713 the owner confirmed the action in the meeting.", 8.5, color=MUTED)
    else:
        pdf.para("No actions were agreed.")

    pdf.h2(mins.disagreements_title)
    if mt.meeting_type == "ehcp_annual_review":
        pdf.para("Recorded for the annual review report, which must set out any differences of opinion (SEND Regulations 2014, reg 20).", 9, color=MUTED)
    if not mins.disagreements:
        pdf.para("No disagreements were recorded.")
    for g in mins.disagreements:
        pdf.h3(f"{g.ref}  {g.topic}")
        if g.positions:
            pdf.grid(["Who", "Agency", "Position, in their words", "Evidence relied on"], [[p.party, p.agency, p.view, position_evidence(p)] for p in g.positions], (30, 30, 75, 45))
        else:
            pdf.para("No positions recorded.", 9.5, color=MUTED)
        if g.resolved:
            pdf.para("Outcome: Resolved" + (f": {g.resolution}" if g.resolution else ""), 10, True)
        elif g.next_step:
            pdf.para(f"Next step: {g.next_step_label}.", 10, True, gap=0.3)
            pdf.para(f"Owner: {g.owner} ({g.agency}). Follow-up: {m.uk_date(g.follow_up_date)}.", 10, True)
        else:
            pdf.para("Next step: not yet agreed.", 10, True)
        for line in route_lines(g):
            pdf.para(line, 9.5, gap=0.3)

    if has_questions(mins):
        pdf.h2(QUESTIONS_TITLE)
        if mins.questions:
            pdf.grid(QUESTION_HEADINGS, question_rows(mins), (32, 22, 70, 36, 20))
        else:
            pdf.para("No written questions or comments were sent.")
        pdf.para(queue_counts_line(mins), 9, color=MUTED)

    if has_advice(mins):
        pdf.h2(ADVICE_TITLE)
        for line in advice_lines(mins):
            pdf.para(line, 9.5, gap=0.5, own=True)

    pdf.h2("The child's and family's views")
    pdf.para("The child's views", 10.5, True, gap=0.3)
    pdf.para(mins.child_views or "Not recorded.", color=INK if mins.child_views else MUTED, own=True)
    pdf.para("The family's views", 10.5, True, gap=0.3)
    pdf.para(mins.family_views or "Not recorded.", color=INK if mins.family_views else MUTED, own=True)

    for section in plan_sections(mins):
        pdf.h2(section.heading)
        for b in section.blocks:
            if b.kind == "text":
                pdf.para(b.text, 10.5, True, gap=0.3)
            elif b.kind == "list":
                for i in b.items:
                    pdf.bullet(i)
            elif b.kind == "table":
                n = len(b.headings)
                pdf.grid([h or "Ref" for h in b.headings], [list(r) for r in b.rows], (10, *[170 / (n - 1)] * (n - 1)) if b.headings[0] == "" else tuple([180 / n] * n))

    pdf.h2("Next review")
    pdf.para(m.uk_date(mins.next_review_date, weekday=True) if mins.next_review_date else "Not set.", 11, bool(mins.next_review_date))

    pdf.new_page()
    _summary(pdf, mins, "Summary for the family, in plain words")

    pdf.set_y(pdf.get_y() + 4)
    pdf.para(
        f"Generated from the meeting's record by Common Ground on {m.uk_date(mins.generated_at)} at {hhmm(mins.generated_at)} ({mins.timezone}). {stamp_line(mins)}.",
        8,
        color=MUTED,
    )


def _summary(pdf: MinutesPDF, mins: m.Minutes, title: str) -> None:
    s = mins.summary
    pdf.para(title, 15, True, ACCENT, gap=2)
    if not mins.is_approved:
        pdf.para("This summary comes from draft minutes that have not been approved yet.", 10, color=DRAFT)
    if mins.easy_read:
        pdf.para(EASY_READ_TITLE, 13, True, gap=0.5)
        for line in mins.easy_read.splitlines():
            if line.strip():
                pdf.para(line, 13, gap=1)
    pdf.para(s.intro, 11)
    if s.who_came:
        pdf.para("Who was there", 11.5, True, gap=0.5)
        for line in s.who_came:
            pdf.bullet(line, 10.5)
    pdf.para("What was agreed", 11.5, True, gap=0.5)
    for line in s.agreed or ["Nothing was decided at this meeting."]:
        pdf.bullet(line, 10.5)
    pdf.para("What happens next", 11.5, True, gap=0.5)
    if s.next_steps:
        pdf.grid(["When", "What happens"], [[m.uk_date(step.day, weekday=True), step.text] for step in s.next_steps], (32, 148), size=9.5, own=False)
    else:
        pdf.para("No actions were agreed.", 10.5)
    if s.statutory_dates:
        pdf.para(FAMILY_DATES_TITLE, 11.5, True, gap=0.5)
        pdf.grid(FAMILY_DATES_HEADINGS, [family_date_row(fd) for fd in s.statutory_dates], (30, 80, 70), size=9, own=False)
        pdf.para(s.statutory_notice, 10, True)
    if s.disagreements:
        pdf.para("Where people disagreed", 11.5, True, gap=0.5)
        for line in s.disagreements:
            pdf.bullet(line, 10.5)
    pdf.para(s.next_review, 11, True)
    if s.glossary:
        pdf.para("Words used in these notes", 11.5, True, gap=0.5)
        for t in s.glossary:
            pdf.bullet(f"{t.term}: {t.meaning}", 10)
    pdf.para("Where to get independent advice", 11.5, True, gap=0.5)
    for a in s.advice:
        pdf.bullet(f"{a.name}: {a.what} {a.where}", 10)


def render(minutes: m.Minutes) -> bytes:
    """The whole minutes as a PDF document."""
    pdf = MinutesPDF(minutes)
    _doc(pdf, minutes)
    return bytes(pdf.output())


def render_summary(minutes: m.Minutes) -> bytes:
    """Only the family summary, as a PDF."""
    pdf = MinutesPDF(minutes)
    pdf.new_page()
    _summary(pdf, minutes, f"Summary for the family: {minutes.meeting.title}")
    return bytes(pdf.output())
