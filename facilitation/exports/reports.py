"""The statutory reports (domain.minutes.reports) as HTML, PDF, DOCX and Markdown.

A report is sections of blocks (paragraphs, lists, labelled facts, tables), so one small renderer per
format serves every report. People's text is escaped as in the minutes: HTML autoescapes it, Markdown
backslash-escapes it, PDF and DOCX write it as plain runs (their typesetters are the minutes' own).
"""

from __future__ import annotations

from markupsafe import Markup

from ..domain import minutes as m
from ..domain.minutes.reports import Block, Report, build_report
from . import html_doc, plain
from .markdown import cell, esc
from .pdf import ACCENT, DRAFT, MUTED, MinutesPDF, safe
from .word import DRAFT as WORD_DRAFT
from .word import MUTED as WORD_MUTED
from .word import Writer

DRAFT_NOTE = "DRAFT: made from minutes not yet approved. Check it before it is sent."
#: the width of a DOCX page's text, in cm (A4 less 1.8 cm margins)
PAGE_CM = 17.4


def _widths(headings: tuple[str, ...], total: float) -> tuple[float, ...]:
    """Column widths: a narrow first column for references (an empty heading), the rest shared."""
    n = len(headings)
    if headings and headings[0] == "":
        narrow = total * 0.07
        return (narrow, *[(total - narrow) / (n - 1)] * (n - 1))
    return tuple([total / n] * n)


# ---------------------------------------------------------------- HTML


def render_html(report: Report, minutes: m.Minutes) -> bytes:
    """A standalone page that prints cleanly, with the minutes' stylesheet."""
    env = html_doc.environment()
    body = env.get_template("minutes/_report.html").render(report=report, draft_note=DRAFT_NOTE)
    html = env.get_template("minutes/export.html").render(
        minutes=minutes, document=Markup(body), stylesheet=Markup(html_doc._stylesheet()), title=report.title
    )
    return html.encode("utf-8")


# ---------------------------------------------------------------- Markdown


def render_md(report: Report, minutes: m.Minutes) -> bytes:
    out = [f"# {esc(report.title)}", ""]
    out += [f"**{esc(line)}**  " for line in report.lines] + [""]
    if report.draft:
        out += [f"> **{DRAFT_NOTE}**", ""]
    for s in report.sections:
        out += [f"{'#' * s.level} {esc(s.heading)}", ""]
        if s.flag:
            out += [f"> **Missing:** {esc(s.flag)}", ""]
        for b in s.blocks:
            out += _md_block(b)
    out += [esc(line) + "  " for line in report.footer] + [""]
    return "\n".join(out).encode("utf-8")


def _md_block(b: Block) -> list[str]:
    if b.kind == "text":
        return [esc(b.text), ""]
    if b.kind == "list":
        return [f"- {esc(i)}" for i in b.items] + [""]
    if b.kind == "facts":
        return [f"- **{esc(a)}:** {esc(v)}" for a, v in b.rows] + [""]
    heads = [cell(h) or "Ref" for h in b.headings]
    out = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in b.rows]
    return out + [""]


# ---------------------------------------------------------------- PDF


def render_pdf(report: Report, minutes: m.Minutes) -> bytes:
    pdf = MinutesPDF(minutes)
    pdf.set_title(safe(report.title))
    pdf.new_page()
    pdf.para(report.title, 16, True, ACCENT, gap=1.5)
    for line in report.lines:
        pdf.para(line, 10, color=MUTED, gap=0.4)
    pdf.set_y(pdf.get_y() + 2)
    if report.draft:
        pdf.box(DRAFT_NOTE, 10, DRAFT)
    for s in report.sections:
        (pdf.h2 if s.level <= 2 else pdf.h3)(s.heading)
        if s.flag:
            pdf.para(f"Missing: {s.flag}", 9.5, True, DRAFT)
        for b in s.blocks:
            if b.kind == "text":
                pdf.para(b.text, own=True)
            elif b.kind == "list":
                for i in b.items:
                    pdf.bullet(i)
            elif b.kind == "facts":
                pdf.grid(None, [list(r) for r in b.rows], (60, 120), size=9.5, borders=False, first_column_bold=True)
            else:
                pdf.grid(
                    [h or "Ref" for h in b.headings], [list(r) for r in b.rows], _widths(b.headings, 180), size=8.5
                )
    pdf.set_y(pdf.get_y() + 3)
    for line in report.footer:
        pdf.para(line, 8, color=MUTED)
    return bytes(pdf.output())


# ---------------------------------------------------------------- DOCX


def render_docx(report: Report, minutes: m.Minutes) -> bytes:
    w = Writer(minutes)
    w.doc.core_properties.title = plain(report.title)
    w.heading(report.title, 0)
    for line in report.lines:
        w.para(line, color=WORD_MUTED)
    if report.draft:
        w.para(DRAFT_NOTE, bold=True, color=WORD_DRAFT)
    for s in report.sections:
        w.heading(s.heading, min(s.level, 3))
        if s.flag:
            w.para(s.flag, bold_lead="Missing: ", color=WORD_DRAFT)
        for b in s.blocks:
            if b.kind == "text":
                w.para(b.text, own=True)
            elif b.kind == "list":
                for i in b.items:
                    w.bullet(i)
            elif b.kind == "facts":
                w.table(None, [list(r) for r in b.rows], (5.8, PAGE_CM - 5.8), grid=False)
            else:
                w.table([h or "Ref" for h in b.headings], [list(r) for r in b.rows], _widths(b.headings, PAGE_CM))
    for line in report.footer:
        w.para(line, italic=True, color=WORD_MUTED)
    return w.to_bytes()


RENDERERS = {"html": render_html, "md": render_md, "pdf": render_pdf, "docx": render_docx}


def render(kind: str, fmt: str, minutes: m.Minutes) -> bytes:
    """The report `kind` (report, pwn) of these minutes in one format (html, pdf, docx, md)."""
    return RENDERERS[fmt](build_report(kind, minutes), minutes)
