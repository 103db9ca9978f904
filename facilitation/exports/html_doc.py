"""Minutes as HTML: a fragment for the app's pages and a standalone printable page (print stylesheet inlined).

Jinja2 with autoescaping: every piece of people's text is escaped, so typed markup shows as text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..domain import minutes as m
from ..domain.bidi import isolate_all
from ..domain.minutes.reports import plan_sections
from . import plain
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
    UNVERIFIED_MARK,
    actual_text,
    advice_lines,
    family_date_rule,
    has_advice,
    has_questions,
    hhmm,
    meeting_facts,
    next_step_line,
    planned_text,
    position_evidence,
    queue_counts_line,
    route_lines,
    sign_off_lines,
    stamp_line,
)

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STYLESHEET = ROOT / "static" / "css" / "minutes.css"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env)
    return env


def install_filters(env: Environment) -> None:
    """The filters the minutes templates use (also installed on the Flask app's environment)."""
    env.filters.update(
        uk_date=m.uk_date,
        uk_day=lambda d: m.uk_date(d, weekday=True),
        hhmm=hhmm,
        plain=plain,
        planned=planned_text,
        actual=actual_text,
        next_step_line=next_step_line,
        person_line=m.person_line,
    )
    env.globals.update(
        attendance_groups=ATTENDANCE_GROUPS,
        meeting_facts=meeting_facts,
        stamp_line=stamp_line,
        has_questions=has_questions,
        queue_counts_line=queue_counts_line,
        route_lines=route_lines,
        easy_read_title=EASY_READ_TITLE,
        sign_off_title=SIGN_OFF_TITLE,
        sign_off_lines=sign_off_lines,
        questions_title=QUESTIONS_TITLE,
        question_headings=QUESTION_HEADINGS,
        statutory_title=STATUTORY_TITLE,
        statutory_notice=m.STATUTORY_NOTICE,
        unverified_mark=UNVERIFIED_MARK,
        family_dates_title=FAMILY_DATES_TITLE,
        family_dates_headings=FAMILY_DATES_HEADINGS,
        family_date_rule=family_date_rule,
        advice_title=ADVICE_TITLE,
        advice_lines=advice_lines,
        has_advice=has_advice,
        citation_text=m.citation_text,
        position_evidence=position_evidence,
        plan_sections=plan_sections,
    )


def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def render_fragment(minutes: m.Minutes) -> Markup:
    """The minutes' body as HTML, for embedding in a page."""
    # <bdi> and dir="auto" isolate each value; balancing its controls as well costs nothing (see exports.render)
    return Markup(environment().get_template("minutes/_document.html").render(minutes=isolate_all(minutes)))


def render(minutes: m.Minutes) -> bytes:
    """A standalone page that prints cleanly (A4, page breaks between parts, repeated table headers)."""
    html = environment().get_template("minutes/export.html").render(
        minutes=minutes, document=render_fragment(minutes), stylesheet=Markup(_stylesheet())
    )
    return html.encode("utf-8")


def render_summary_fragment(minutes: m.Minutes) -> Markup:
    """The family summary as HTML, for embedding in a page."""
    return Markup(environment().get_template("minutes/_summary.html").render(minutes=isolate_all(minutes), standalone=True))


def render_summary(minutes: m.Minutes) -> bytes:
    """Only the family's plain-language summary, as a page to print or send."""
    html = environment().get_template("minutes/export.html").render(
        minutes=minutes,
        document=render_summary_fragment(minutes),
        stylesheet=Markup(_stylesheet()),
        title=f"Summary for the family: {minutes.meeting.title}",
    )
    return html.encode("utf-8")
